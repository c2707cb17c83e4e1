// grio mount through FUSE, driven by real cat, echo, tee and ls against
// real grio serve and grio ramfs processes (and, to type into a window, a
// window system in this process).
#include <future>
#include <map>
#include <thread>

#include "net/asio.h"
#include "net/errors.h"
#include "net/ramfs.h"
#include "net/server.h"
#include "tests/mount/fid_trace.h"
#include "tests/mount/mount_process.h"
#include "tests/wsys/local_wsys.h"
#include "wsys/tree.h"
#include "wsys/window_system.h"

using namespace grio::test;
using namespace std::chrono_literals;

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  return s;
}

// A program whose stdout and stderr land in dir.
Proc spawn(std::vector<std::string> args, const MountTemp& dir, const std::string& name) {
  return Proc(std::move(args), dir.path / (name + ".out"), dir.path / (name + ".err"));
}

}  // namespace

TEST_CASE("chat through a window: two mounts, cat of cons in one, echo into cons in the other", "[mount]") {
  LocalWsys local;
  Mount a(local.addr, {"new", "-r", "0", "0", "400", "300"});
  std::string id = trim(slurp(a / "winid"));
  REQUIRE(!id.empty());
  Mount b(local.addr, {id});
  CHECK(trim(slurp(b / "winid")) == id);

  MountTemp work;
  Proc cat = spawn({"cat", b / "cons"}, work, "cat");
  Ran echo = run("echo hi fred > " + a / "cons");
  CHECK(echo.status == 0);
  CHECK(echo.err == "");
  CHECK(eventually([&] { return contains(local.text(std::stoi(id)), "hi fred\n"); }));
  // What is typed comes out of the cat, a line at a time: a read that
  // waited for a full buffer would hold "hello" back.
  local.type(std::stoi(id), U"hello\n");
  CHECK(eventually([&] { return cat.out() == "hello\n"; }));
  local.type(std::stoi(id), U"how are you\n");
  CHECK(eventually([&] { return cat.out() == "hello\nhow are you\n"; }));
  CHECK(cat.running());
}

TEST_CASE("tee copies a command's output into a window's cons", "[mount]") {
  Server srv("serve");
  Mount m(srv.addr(), {"new"});
  Ran r = run("printf \"one\\ntwo\\n\" | tee " + m / "cons");
  CHECK(r.status == 0);
  CHECK(r.out == "one\ntwo\n");
  CHECK(contains(slurp(m / "text"), "one\ntwo\n"));
  // >> appends to cons as > does (both are output at the output point).
  CHECK(run("echo three >> " + m / "cons").status == 0);
  CHECK(contains(slurp(m / "text"), "one\ntwo\nthree\n"));
}

TEST_CASE("mount ADDR DIR new -r makes a window of that size, and wctl prints its state", "[mount]") {
  Server srv("serve");
  Mount m(srv.addr(), {"new", "-r", "10", "20", "410", "320"});
  // wctl's first read answers at once; the next would wait for a change,
  // so read exactly one record.
  Ran r = run("head -c 72 " + m / "wctl");
  REQUIRE(r.status == 0);
  REQUIRE(r.out.size() == 72);
  char want[64];
  std::snprintf(want, sizeof want, "%11d %11d %11d %11d ", 10, 20, 410, 320);
  CHECK(r.out.substr(0, 48) == want);
  // cat prints the state, then waits for the next change and prints that.
  MountTemp work;
  Proc cat = spawn({"cat", m / "wctl"}, work, "cat");
  REQUIRE(eventually([&] { return cat.out().size() == 72; }));
  std::this_thread::sleep_for(100ms);
  CHECK(cat.out().size() == 72);
  // Hiding may be two changes (focus, then visibility): one record each.
  REQUIRE(run("echo hide > " + m / "wctl").status == 0);
  CHECK(eventually([&] { return contains(cat.out().substr(72), "hidden"); }));
  CHECK(cat.out().size() % 72 == 0);
  CHECK(cat.running());
}

TEST_CASE("mount -d returns once mounted and serves until fusermount3 -u", "[mount]") {
  Server srv("serve");
  MountTemp base;
  fs::path dir = base.path / "m";
  fs::create_directory(dir);
  // Unmounted whatever happens below; the daemon then ends by itself.
  struct Unmount {
    fs::path dir;
    ~Unmount() {
      if (mounted(dir)) std::system(("fusermount3 -u -z " + dir.string()).c_str());
    }
  } guard{dir};
  Ran r = run(std::string(GRIO_BINARY) + " mount -d " + srv.addr() + " " + dir.string() + " new");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(mounted(dir));
  CHECK(trim(slurp(dir / "winid")) == "1");
  CHECK(run("fusermount3 -u " + dir.string()).status == 0);
  CHECK(!mounted(dir));
  // The daemon's connection ends with it, and with that the window.
  CHECK(eventually([&] { return run(std::string(GRIO_BINARY) + " 9p -a " + srv.addr() + " ls wsys").out.empty(); }));
}

TEST_CASE("mount -d reports a service it cannot reach, and mounts nothing", "[mount]") {
  MountTemp base;
  Ran r = run(std::string(GRIO_BINARY) + " mount -d unix!" + (base.path / "nobody").string() + " " +
              base.path.string());
  CHECK(r.status == 1);
  CHECK(contains(r.err, "mount: unix!"));
  CHECK(!mounted(base.path));
}

TEST_CASE("ls -l of wsys lists both windows as directories", "[mount]") {
  Server srv("serve");
  Mount a(srv.addr(), {"new", "-r", "0", "0", "100", "100"});
  Mount b(srv.addr(), {"new", "-r", "100", "100", "200", "200"});
  std::string ida = trim(slurp(a / "winid")), idb = trim(slurp(b / "winid"));
  REQUIRE(ida != idb);
  Ran ls = run("ls -l " + a / "wsys");
  CHECK(ls.status == 0);
  INFO(ls.out);
  std::istringstream lines(ls.out);
  std::vector<std::string> names;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("total", 0) == 0) continue;
    CHECK(line[0] == 'd');
    names.push_back(line.substr(line.find_last_of(' ') + 1));
  }
  CHECK(names == std::vector<std::string>{ida, idb});
  // Each listed window's tree is there to walk.
  CHECK(trim(slurp(a / ("wsys/" + idb + "/winid"))) == idb);
}

TEST_CASE("^C on a cat blocked in a cons read ends it promptly, and the read is flushed", "[mount]") {
  Server srv("serve", true);
  Mount m(srv.addr(), {"new"});
  MountTemp work;
  Proc cat = spawn({"cat", m / "cons"}, work, "cat");
  REQUIRE(eventually([&] { return contains(srv.trace(), "Tread"); }));
  std::this_thread::sleep_for(200ms);
  REQUIRE(cat.running());
  CHECK(cat.stop(SIGINT, 3s) == 128 + SIGINT);
  CHECK(eventually([&] { return count_fids(srv.trace()).flushes == 1; }));
  // The mount carries on.
  CHECK(run("cat " + m / "winid").status == 0);
}

TEST_CASE("errors come back as errno", "[mount]") {
  Server srv("serve");
  Mount m(srv.addr(), {"new"});
  Ran missing = run("cat " + m / "nonesuch");
  CHECK(missing.status != 0);
  CHECK(contains(missing.err, "No such file or directory"));
  Ran denied = run("echo 3 > " + m / "winid");
  CHECK(denied.status != 0);
  CHECK(contains(denied.err, "Permission denied"));
  // wctl has one reader at a time: the second gets "file in use".
  MountTemp work;
  Proc first = spawn({"cat", m / "wctl"}, work, "first");
  REQUIRE(eventually([&] { return first.out().size() == 72; }));
  Ran second = run("cat " + m / "wctl");
  CHECK(second.status != 0);
  CHECK(contains(second.err, "Device or resource busy"));
}

TEST_CASE("files on ramfs: create, >, >>, truncate, mkdir and rm", "[mount]") {
  Server srv("ramfs");
  Mount m(srv.addr());
  CHECK(run("echo one > " + m / "f && echo two >> " + m / "f").status == 0);
  CHECK(slurp(m / "f") == "one\ntwo\n");
  CHECK(run("echo three > " + m / "f").status == 0);
  CHECK(slurp(m / "f") == "three\n");
  CHECK(run("truncate -s 2 " + m / "f").status == 0);
  CHECK(slurp(m / "f") == "th");
  CHECK(fs::file_size(m / "f") == 2);
  CHECK(run("mkdir " + m / "d" + " && echo x > " + m / "d/g && rm " + m / "d/g && rmdir " + m / "d").status == 0);
  CHECK(!fs::exists(m / "d"));
  Ran rmdir = run("mkdir " + m / "e" + " && echo x > " + m / "e/g && rmdir " + m / "e");
  CHECK(rmdir.status != 0);
  CHECK(contains(rmdir.err, "Directory not empty"));
}

namespace {

// grio ramfs speaking another server's error strings: lib9p's ("file not
// found") or u9fs's (strerror: "No such file or directory"), served from
// this process on a Unix socket.
class ForeignRamfs : public grio::net::FileTree {
 public:
  using Strings = std::map<std::string, std::string>;  // grio's string -> theirs
  explicit ForeignRamfs(Strings s) : strings_(std::move(s)) {
    char tmpl[] = "/tmp/grio-foreign-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    dir_ = tmpl;
    auto a = srv_.listen("unix!" + (dir_ / "fs").string());
    REQUIRE(a.ok());
    addr = *a;
    thread_ = std::thread([this] {
      auto work = grio::asio::make_work_guard(io_);
      io_.run();
    });
  }
  ~ForeignRamfs() override {
    grio::asio::post(io_, [this] {
      srv_.close();
      io_.stop();
    });
    thread_.join();
    fs::remove_all(dir_);
  }
  std::string addr;

  using NodeRef = grio::net::NodeRef;
  template <class T>
  using Result = grio::net::Result<T>;
  Result<NodeRef> attach(const grio::ninep::Tattach& t, const grio::net::Session& s) override {
    return theirs(ram_.attach(t, s));
  }
  Result<NodeRef> walk1(const NodeRef& from, std::string_view name) override { return theirs(ram_.walk1(from, name)); }
  grio::net::Error open(grio::net::Fid& f, uint8_t mode) override { return theirs(ram_.open(f, mode)); }
  Result<NodeRef> create(grio::net::Fid& dir, const grio::ninep::Tcreate& t) override {
    return theirs(ram_.create(dir, t));
  }
  void read(const grio::net::Req& r) override { ram_.read(r); }
  void write(const grio::net::Req& r) override { ram_.write(r); }
  std::vector<grio::net::Stat> list(grio::net::Fid& f) override { return ram_.list(f); }
  Result<grio::net::Stat> stat(grio::net::Fid& f) override { return theirs(ram_.stat(f)); }
  grio::net::Error wstat(grio::net::Fid& f, const grio::net::Stat& d) override { return theirs(ram_.wstat(f, d)); }
  grio::net::Error remove(grio::net::Fid& f) override { return theirs(ram_.remove(f)); }
  void clunk(grio::net::Fid& f) override { ram_.clunk(f); }

 private:
  std::string theirs(const std::string& e) const {
    auto it = strings_.find(e);
    return it == strings_.end() ? e : it->second;
  }
  template <class T>
  Result<T> theirs(Result<T> r) const {
    return r.ok() ? std::move(r) : Result<T>::error(theirs(r.error()));
  }
  Strings strings_;
  grio::net::RamFs ram_{"glenda"};
  fs::path dir_;
  grio::asio::io_context io_;
  grio::net::Server srv_{io_, *this};
  std::thread thread_;
};

// What a shell user does first on a fresh mount of someone else's server.
void create_mkdir_and_miss(const ForeignRamfs& srv) {
  Mount m(srv.addr);
  Ran echo = run("echo hi > " + m / "new.txt");
  INFO(echo.err);
  CHECK(echo.status == 0);
  CHECK(slurp(m / "new.txt") == "hi\n");
  Ran mkdir = run("mkdir " + m / "sub" + " && echo x > " + m / "sub/g");
  INFO(mkdir.err);
  CHECK(mkdir.status == 0);
  CHECK(fs::is_directory(m / "sub"));
  Ran cat = run("cat " + m / "nonexistent");
  CHECK(cat.status != 0);
  CHECK(contains(cat.err, "No such file or directory"));
  Ran again = run("mkdir " + m / "sub");
  CHECK(contains(again.err, "File exists"));
  Ran rmdir = run("rmdir " + m / "sub");
  CHECK(contains(rmdir.err, "Directory not empty"));
}

}  // namespace

TEST_CASE("mount of a lib9p server: its 'file not found' lets echo > and mkdir create", "[mount]") {
  ForeignRamfs srv({{grio::err::nonexist, "file not found"},
                    {grio::err::exists, "file already exists"},
                    {grio::err::notempty, "directory not empty"}});
  create_mkdir_and_miss(srv);
}

TEST_CASE("mount of a u9fs-like server: strerror texts become their errno", "[mount]") {
  ForeignRamfs srv({{grio::err::nonexist, "No such file or directory"},
                    {grio::err::exists, "File exists"},
                    {grio::err::notempty, "Directory not empty"},
                    {grio::err::perm, "Permission denied"}});
  create_mkdir_and_miss(srv);
}

TEST_CASE("1000 open and close cycles leave no fid behind on the server", "[mount]") {
  Server srv("ramfs", true);
  {
    Mount m(srv.addr());
    REQUIRE(run("echo hello > " + m / "f").status == 0);
    // `: < f` opens and closes in the shell itself: no process per cycle.
    Ran loop = run("i=0; while [ $i -lt 1000 ]; do : < " + m / "f" + " || exit 1; i=$((i+1)); done");
    REQUIRE(loop.status == 0);
    REQUIRE(run("cat " + m / "f").out == "hello\n");
    CHECK(count_fids(srv.trace()).opens >= 1001);
    // The mount's root. The kernel sends the release of cat's file after
    // close returns, so its clunk may still be on the way.
    CHECK(eventually([&] { return count_fids(srv.trace()).live == 1; }));
    REQUIRE(m.proc().stop(SIGTERM, 5s) == 0);
  }
  // Unmounting clunked the root too.
  CHECK(eventually([&] { return count_fids(srv.trace()).live == 0; }));
}

TEST_CASE("SIGTERM unmounts with a cat still blocked, and clunks every fid", "[mount]") {
  Server srv("serve", true);
  MountTemp work;
  Mount m(srv.addr(), {"new"});
  Proc cat = spawn({"cat", m / "cons"}, work, "cat");
  REQUIRE(eventually([&] { return contains(srv.trace(), "Tread"); }));
  CHECK(m.proc().stop(SIGTERM, 5s) == 0);
  CHECK(!mounted(m.dir()));
  CHECK(cat.wait(5s).has_value());
  CHECK(count_fids(srv.trace()).live == 0);
}

TEST_CASE("a server that dies under the mount gives ENOTCONN, and fusermount3 -u still unmounts", "[mount]") {
  Server srv("ramfs");
  Mount m(srv.addr());
  REQUIRE(run("echo hi > " + m / "f").status == 0);
  srv.proc().stop(SIGKILL);
  Ran cat = run("cat " + m / "f");
  CHECK(cat.status != 0);
  CHECK(contains(cat.err, "Transport endpoint is not connected"));
  Ran ls = run("ls " + m.dir().string());
  CHECK(ls.status != 0);
  CHECK(run("fusermount3 -u " + m.dir().string()).status == 0);
  CHECK(m.proc().wait(5s) == 0);
  CHECK(!mounted(m.dir()));
}

// Issue 6's hub example: a session's output read with cat while another
// process writes its input, all through the mount.
TEST_CASE("cat of a session's hub 1 shows what a line echoed into its hub 0 printed", "[mount][hub]") {
  REQUIRE(::setenv("SHELL", "/bin/sh", 1) == 0);  // the server's sessions run it
  Server srv("serve");
  Mount m(srv.addr());
  REQUIRE(run("echo new s > " + m / "hub/ctl").status == 0);
  MountTemp work;
  Proc cat = spawn({"cat", m / "hub/s/1"}, work, "cat");
  // The answer is computed by the session's shell, so it is not the echo.
  Ran echo = run("echo \"echo hello-\\$((2*3))\" > " + m / "hub/s/0");
  CHECK(echo.status == 0);
  CHECK(echo.err == "");
  CHECK(eventually([&] { return contains(cat.out(), "hello-6\n"); }));
  INFO(cat.out());
  CHECK(cat.running());
  // The shell exits: the session's hubs close and the cat gets end of file.
  CHECK(run("echo exit > " + m / "hub/s/0").status == 0);
  CHECK(cat.wait(5s) == 0);
}

// Sandboxed sub-workspaces, headless: programs run in them (real ones,
// under the real bwrap) and report what they could reach, through files
// in the sandbox's own /tmp. The owner's home, runtime directory and top
// socket are in /var/tmp directories of the test's, so that /tmp being
// replaced whole inside does not hide them by chance.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "net/client.h"
#include "net/errors.h"
#include "net/exports.h"
#include "tests/net/process.h"
#include "tests/wsys/local_wsys.h"
#include "tests/wsys/sync_files.h"
#include "wsys/workspace.h"

using namespace grio;
using namespace grio::test;
using net::SyncClient;

namespace {

std::string mkdtemp_in(const std::string& tmpl) {
  std::string t = tmpl;
  REQUIRE(::mkdtemp(t.data()));
  return t;
}

// The owner's world for one test: a home with a secret in it, and a
// runtime directory holding the top socket and the sandboxes' directories.
struct Owner {
  std::string home = mkdtemp_in("/var/tmp/grio-home-XXXXXX");
  std::string runtime = mkdtemp_in("/var/tmp/grio-rt-XXXXXX");
  Owner() { std::ofstream(home + "/secret") << "the owner's secret\n"; }
  ~Owner() {
    std::filesystem::remove_all(home);
    std::filesystem::remove_all(runtime);
  }
  wsys::WorkspaceConfig config(const std::string& bwrap = "bwrap") const {
    wsys::WorkspaceConfig c = workspace_config("glenda");
    c.sandbox.bwrap = bwrap;
    c.sandbox.home = home;
    c.sandbox.runtime = runtime;
    c.sandbox.root = runtime;
    c.sandbox.programs = {GRIO_BINARY};  // wherever the build is: /tmp and $HOME are hidden inside
    return c;
  }
};

// The sandbox directory of sub-workspace path in local, "" if unfenced.
std::string sandbox_dir(LocalWsys& local, const std::string& path) {
  return local.on_io([&] {
    auto sub = local.ws.sub_at(path);
    return sub && sub->sandboxed() ? sub->sandboxed()->dir : std::string();
  });
}

// Runs script in a new window of the workspace at addr, its output and
// status going to /tmp/out and /tmp/done of its /tmp, found at tmp
// outside; returns the output and status ("out", "0").
std::pair<std::string, std::string> run_in(LocalWsys& local, const std::string& addr, const std::string& tmp,
                                           const std::string& script) {
  auto c = connect(addr);
  REQUIRE(write_file(*c, "wctl", "new -r 10 10 300 200 (" + script + ") > /tmp/out 2>&1; echo $? > /tmp/rc; mv /tmp/rc /tmp/done") == "");
  std::string done;
  REQUIRE(local.eventually([&] { return !(done = slurp(tmp + "/done")).empty(); }));
  auto out = slurp(tmp + "/out");
  std::filesystem::remove(tmp + "/done");
  while (!done.empty() && done.back() == '\n') done.pop_back();
  return {out, done};
}

std::string grio_bin() { return GRIO_BINARY; }

}  // namespace

TEST_CASE("a sandboxed sub-workspace's programs see nothing of the owner's but their own workspace", "[wsys][sandbox]") {
  Owner owner;
  LocalWsys local(owner.runtime + "/wXXXXXX", owner.config());
  REQUIRE(slurp(owner.home + "/secret") == "the owner's secret\n");  // there, for whoever is not fenced
  auto top = connect(local.addr);
  REQUIRE(write_file(*top, "wctl", "new -r 0 0 640 480 -sub s1 -sandbox") == "");
  std::string dir = sandbox_dir(local, "s1");
  REQUIRE(!dir.empty());
  struct stat st {};
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  std::string tmp = dir + "/tmp";
  // Dialled as any sub-workspace is, through the name beside its parent's socket.
  std::string sub = local.addr + "!s1";

  SECTION("not the owner's home: its own") {
    auto [out, rc] = run_in(local, sub, tmp, "cat " + owner.home + "/secret; echo mine > $HOME/f; echo \"home=$HOME\"");
    CHECK(rc == "0");
    CHECK(out.find("the owner's secret") == std::string::npos);
    CHECK(out.find("home=" + owner.home) != std::string::npos);
    CHECK(slurp(dir + "/home/f") == "mine\n");
    CHECK(slurp(owner.home + "/f").empty());
  }
  SECTION("not the parent's socket, nor the runtime directory") {
    auto [out, rc] = run_in(local, sub, tmp,
                            grio_bin() + " 9p -a " + local.addr + " ls /wsys && echo REACHED; ls " + owner.runtime + "; true");
    INFO(out);
    CHECK(out.find("REACHED") == std::string::npos);
    CHECK(out.find("sub.") != std::string::npos);  // its own directory, the one thing there
    CHECK(out.find("wXXXXXX") == std::string::npos);
    CHECK(out.find(local.dir.filename().string() + "\n") == std::string::npos);  // nor the top socket's
  }
  SECTION("its own /tmp, not the real one") {
    std::string probe = "grio-sandbox-probe-" + std::to_string(::getpid());
    auto [out, rc] = run_in(local, sub, tmp, "echo written > /tmp/" + probe);
    CHECK(rc == "0");
    CHECK(slurp(tmp + "/" + probe) == "written\n");
    CHECK(::access(("/tmp/" + probe).c_str(), F_OK) != 0);
  }
  SECTION("its own workspace through $wsys, and the pty as its terminal") {
    auto [out, rc] = run_in(local, sub, tmp, grio_bin() + " 9p ls /wsys; echo wsys=$wsys; : > /dev/tty && echo ctty");
    INFO(out);
    CHECK(rc == "0");
    CHECK(out.find("1\n") != std::string::npos);  // the window it runs in
    CHECK(out.find("wsys=unix!" + dir + "/run/wsys") != std::string::npos);
    CHECK(out.find("ctty") != std::string::npos);
  }
  SECTION("no network, no other process") {
    // The top also listens on loopback TCP: unreachable without the network.
    auto tcp = local.on_io([&] { return local.top.listen("tcp!127.0.0.1!0"); });
    REQUIRE(tcp.ok());
    auto [out, rc] = run_in(local, sub, tmp,
                            grio_bin() + " 9p -a " + *tcp + " ls /wsys && echo REACHED; kill -0 " + std::to_string(::getpid()) +
                                " && echo SIGNALLED; true");
    INFO(out);
    CHECK(out.find("REACHED") == std::string::npos);
    CHECK(out.find("SIGNALLED") == std::string::npos);
  }
  SECTION("hub sessions are fenced too") {
    auto c = connect(sub);
    REQUIRE(write_file(*c, "hub/ctl", "new h1 sh -c 'cat " + owner.home + "/secret > /tmp/hub 2>&1; echo x >> /tmp/hub; mv /tmp/hub /tmp/hubdone'") == "");
    std::string got;
    REQUIRE(local.eventually([&] { return !(got = slurp(tmp + "/hubdone")).empty(); }));
    CHECK(got.find("the owner's secret") == std::string::npos);
  }
  SECTION("ended with its host window: its directory is gone") {
    int host = local.on_io([&] { return local.ws.host_of("s1")->id; });
    REQUIRE(write_file(*top, "wctl", "delete -id " + std::to_string(host)) == "");
    CHECK(::access(dir.c_str(), F_OK) != 0);
    CHECK(::access((local.addr.substr(5) + ".s1").c_str(), F_OK) != 0);
  }
}

TEST_CASE("a sandboxed sub-workspace made with -net has the network", "[wsys][sandbox]") {
  Owner owner;
  LocalWsys local(owner.runtime + "/wXXXXXX", owner.config());
  auto tcp = local.on_io([&] { return local.top.listen("tcp!127.0.0.1!0"); });
  REQUIRE(tcp.ok());
  auto top = connect(local.addr);
  REQUIRE(write_file(*top, "wctl", "new -r 0 0 640 480 -sub s1 -sandbox -net") == "");
  std::string dir = sandbox_dir(local, "s1");
  REQUIRE(!dir.empty());
  auto [out, rc] = run_in(local, local.addr + "!s1", dir + "/tmp", grio_bin() + " 9p -a " + *tcp + " ls / && echo REACHED");
  INFO(out);
  CHECK(out.find("REACHED") != std::string::npos);
  // A sandbox nested in it may drop the network, not the other way round.
  auto sub = connect(local.addr + "!s1");
  CHECK(write_file(*sub, "wctl", "new -sub inner -sandbox") == "");
  auto inner = local.on_io([&] { return local.ws.sub_at("s1/inner")->sandboxed()->net; });
  CHECK(!inner);
  CHECK(write_file(*connect(local.addr + ".s1!inner"), "wctl", "new -sub deeper -sandbox -net") == err::sandboxnet);
}

TEST_CASE("sub-workspaces nested in a sandboxed one are sandboxed, and reachable from it", "[wsys][sandbox]") {
  Owner owner;
  LocalWsys local(owner.runtime + "/wXXXXXX", owner.config());
  auto r = run(grio_bin() + " window --wsys " + local.addr + " -r 0 0 600 400 --sub s1 --sandbox");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "wsys='" + local.addr + "!s1'\n");
  std::string dir = sandbox_dir(local, "s1");
  REQUIRE(!dir.empty());
  // From inside: a nested one made, and its windows listed through the
  // address grio window prints there.
  auto [out, rc] = run_in(local, local.addr + "!s1", dir + "/tmp",
                          "eval $(" + grio_bin() + " window --sub inner) && " + grio_bin() + " 9p -a $wsys -A none ls / && echo REACHED");
  INFO(out);
  CHECK(out.find("REACHED") != std::string::npos);
  std::string inner = sandbox_dir(local, "s1/inner");
  CHECK(inner == dir + "/run/sub.inner");
  // The owner reaches it by the names grio window gives outside too, and
  // its programs are fenced from the one it is nested in.
  auto [out2, rc2] = run_in(local, local.addr + ".s1!inner", inner + "/tmp",
                            grio_bin() + " 9p -a unix!" + dir + "/run/wsys ls / && echo REACHED; echo $wsys");
  INFO(out2);
  CHECK(out2.find("REACHED") == std::string::npos);
  CHECK(out2.find("unix!" + inner + "/run/wsys") != std::string::npos);
}

TEST_CASE("without -sandbox a sub-workspace's programs run as before", "[wsys][sandbox]") {
  Owner owner;
  LocalWsys local(owner.runtime + "/wXXXXXX", owner.config());
  auto top = connect(local.addr);
  REQUIRE(write_file(*top, "wctl", "new -r 0 0 640 480 -sub s1") == "");
  CHECK(sandbox_dir(local, "s1").empty());
  TempDir t;
  std::string out = (t.path / "out").string();
  REQUIRE(write_file(*connect(local.addr + "!s1"), "wctl",
                     "new -r 10 10 300 200 (cat " + owner.home + "/secret; echo $wsys) > " + out + ".tmp; mv " + out + ".tmp " + out) == "");
  std::string got;
  REQUIRE(local.eventually([&] { return !(got = slurp(out)).empty(); }));
  CHECK(got == "the owner's secret\n" + local.addr + ".s1\n");
}

TEST_CASE("a sandbox without bwrap is refused, never made unfenced", "[wsys][sandbox]") {
  Owner owner;
  TempDir bin;
  std::string bwrap = (bin.path / "bwrap").string();
  LocalWsys local(owner.runtime + "/wXXXXXX", owner.config(bwrap));
  auto top = connect(local.addr);
  std::string e = write_file(*top, "wctl", "new -r 0 0 640 480 -sub s1 -sandbox");
  CHECK(e.starts_with(err::nosandbox));
  CHECK(e.find(bwrap + " not found") != std::string::npos);
  CHECK(local.on_io([&] { return local.ws.ids().empty(); }));
  // Nothing left behind in the runtime directory but the top's socket's.
  CHECK(std::distance(std::filesystem::directory_iterator(owner.runtime), {}) == 1);

  // bwrap there when it is made, gone when a program starts: the program
  // does not start.
  std::filesystem::create_symlink("/usr/bin/bwrap", bwrap);
  REQUIRE(write_file(*top, "wctl", "new -r 0 0 640 480 -sub s1 -sandbox") == "");
  std::filesystem::remove(bwrap);
  TempDir t;
  std::string marker = (t.path / "ran").string();
  REQUIRE(write_file(*connect(local.addr + "!s1"), "wctl", "new -r 10 10 300 200 echo ran > " + marker) == "");
  CHECK(local.on_io([&] { return local.ws.sub_at("s1")->ws().find(1)->text.text(); })
            .find("cannot start program") != std::string::npos);
  CHECK(::access(marker.c_str(), F_OK) != 0);

  // Nor is a sub-workspace exported with exec.
  REQUIRE(write_file(*top, "wctl", "new -r 0 0 640 480 -sub s2") == "");
  auto e2 = local.on_io([&] {
    net::Exports ex(local.io, local.top.server());
    local.ws.set_exports(&ex);
    auto r = ex.add(net::ExportSpec{"runner", net::right::view | net::right::exec, "tcp!127.0.0.1!0", "", "sub/s2"});
    local.ws.set_exports(nullptr);
    return r ? std::string() : r.error();
  });
  CHECK(e2.starts_with(err::nosandbox));
  CHECK(sandbox_dir(local, "s2").empty());
}

TEST_CASE("wctl: -sandbox and -net are options of new -sub", "[wsys][sandbox]") {
  CHECK(wsys::parse_wctl("new -sub s -sandbox")->sandbox);
  auto both = wsys::parse_wctl("new -sandbox -net -sub s");
  REQUIRE(both.ok());
  CHECK((both->sandbox && both->net));
  CHECK(wsys::parse_wctl("new -sub s -net").error() == err::sandboxopts);
  CHECK(wsys::parse_wctl("new -sandbox cat").error() == err::sandboxopts);
  CHECK(wsys::parse_wctl("resize -sandbox").error() == err::sandboxopts);
  auto r = run(grio_bin() + " window --wsys unix!/nonexistent --net --sub s");
  CHECK(r.status != 0);
  CHECK(r.err.find("--net needs --sandbox") != std::string::npos);
}

TEST_CASE("a sub-workspace exported with exec is sandboxed from then on", "[wsys][sandbox]") {
  Owner owner;
  LocalWsys local(owner.runtime + "/wXXXXXX", owner.config());
  auto top = connect(local.addr);
  REQUIRE(write_file(*top, "wctl", "new -r 0 0 640 480 -sub s1") == "");
  REQUIRE(write_file(*top, "wctl", "new -r 0 0 640 480 -sub s2") == "");
  auto ex = local.on_io([&] {
    auto e = std::make_unique<net::Exports>(local.io, local.top.server());
    local.ws.set_exports(e.get());
    return e;
  });
  auto add = [&](const std::string& name, net::Rights rights, const std::string& what) {
    return local.on_io([&] {
      auto r = ex->add(net::ExportSpec{name, rights, "tcp!127.0.0.1!0", "", what});
      return r ? std::string() : r.error();
    });
  };
  using namespace net::right;
  CHECK(add("viewer", view | type | push, "sub/s1") == "");
  CHECK(sandbox_dir(local, "s1").empty());
  CHECK(add("runner", view | push | exec, "sub/s2") == "");
  std::string dir = sandbox_dir(local, "s2");
  REQUIRE(!dir.empty());
  auto [out, rc] = run_in(local, local.addr + "!s2", dir + "/tmp",
                          "cat " + owner.home + "/secret; " + grio_bin() + " 9p ls / && echo REACHED");
  INFO(out);
  CHECK(out.find("the owner's secret") == std::string::npos);
  CHECK(out.find("REACHED") != std::string::npos);  // its own socket, bound in
  local.on_io([&] {
    local.ws.set_exports(nullptr);
    ex.reset();
    return 0;
  });
}

TEST_CASE("a sandbox's directory is bounded so that its sockets fit a sockaddr_un", "[wsys][sandbox]") {
  Owner owner;
  LocalWsys local(owner.runtime + "/wXXXXXX", owner.config());
  auto top = connect(local.addr);
  std::string name(32, 'a');
  REQUIRE(write_file(*top, "wctl", "new -r 0 0 640 480 -sandbox -sub " + name) == "");
  std::string dir = sandbox_dir(local, name);
  REQUIRE(dir.size() + std::string("/run/sub.").size() + 32 > wsys::max_sandbox_dir);
  auto sub = connect(local.addr + "!" + name);
  std::string e = write_file(*sub, "wctl", "new -sandbox -sub " + std::string(32, 'b'));
  CHECK(e == std::string(err::nosandbox) + ": " + err::nametoolong + ": " + dir + "/run/sub." + std::string(32, 'b'));
  CHECK(!std::filesystem::exists(dir + "/run/sub." + std::string(32, 'b')));
  // A shorter name fits.
  CHECK(write_file(*sub, "wctl", "new -sub b") == "");
  CHECK(sandbox_dir(local, name + "/b") == dir + "/run/sub.b");
}

TEST_CASE("grio itself is seen inside a sandbox even where the home or /tmp it was built in is hidden",
          "[wsys][sandbox]") {
  Owner owner;
  std::string copy = owner.home + "/bin-grio";  // a build in the owner's home: hidden inside
  std::filesystem::copy_file(GRIO_BINARY, copy);
  std::filesystem::permissions(copy, std::filesystem::perms::owner_all);
  auto cfg = owner.config();
  cfg.sandbox.programs = {copy};
  LocalWsys local(owner.runtime + "/wXXXXXX", cfg);
  auto top = connect(local.addr);
  REQUIRE(write_file(*top, "wctl", "new -r 0 0 640 480 -sub s1 -sandbox") == "");
  std::string dir = sandbox_dir(local, "s1");
  REQUIRE(!dir.empty());
  auto [out, rc] = run_in(local, local.addr + "!s1", dir + "/tmp", "cat " + owner.home + "/secret; " + copy + " 9p ls /wsys");
  INFO(out);
  CHECK(rc == "0");  // grio's
  CHECK(out.find("1\n") != std::string::npos);
  CHECK(out.find("the owner's secret") == std::string::npos);  // the rest of the home stays hidden
}

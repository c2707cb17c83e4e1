// grio hub on a terminal, on the server's machine: the server takes the
// terminal over (hub/NAME/tty) and the client keeps only the % commands.
// The hand-over's rules through 9P: who may, what may be handed, and the
// errors for everything else.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include "tests/net/process.h"
#include "tests/wsys/served_wsys.h"
#include "term/pty.h"

using namespace grio;
using namespace grio::test;
using namespace std::chrono_literals;

namespace {

// A grio hub client on a pty of its own.
struct Typist {
  term::PtyProcess p;
  std::string seen;
  explicit Typist(std::vector<std::string> argv) {
    term::PtyConfig pc;
    pc.argv = std::move(argv);
    pc.env = {{"SHELL", "/bin/sh"}};
    std::string err;
    auto got = term::start_pty(pc, err);
    REQUIRE(got);
    p = *got;
  }
  ~Typist() {
    if (p.pid > 0) {
      ::kill(p.pid, SIGKILL);
      term::reap(p.pid, 5s);
    }
    ::close(p.master);
  }
  void type(const std::string& s) { REQUIRE(term::write_input(p.master, s) == long(s.size())); }
  // Reads the client's terminal until what shows after `from`, for 10 s.
  bool shows(const std::string& what, size_t from = 0) {
    auto t0 = std::chrono::steady_clock::now();
    while (seen.find(what, from) == std::string::npos) {
      if (std::chrono::steady_clock::now() - t0 > 10s) return false;
      pollfd q{p.master, POLLIN, 0};
      if (::poll(&q, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(p.master, buf, sizeof buf);
      if (n > 0) seen.append(buf, size_t(n));
    }
    return true;
  }
  std::string tty() const { return ::ptsname(p.master); }
};

// Whether process pid has path open.
bool holds(pid_t pid, const std::string& path) {
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec))
    if (std::filesystem::read_symlink(e.path(), ec) == path) return true;
  return false;
}

bool eventually(auto pred) {
  for (int i = 0; i < 100; i++, std::this_thread::sleep_for(100ms))
    if (pred()) return true;
  return false;
}

// n bytes from a hub, in as many reads as they take.
std::string read(Wire& w, uint32_t fid, size_t n) {
  std::string got;
  for (int i = 0; i < 20 && got.size() < n; i++) got += w.rpc<Rread>(4, Tread{fid, 0, 8000}).data;
  return got;
}

void hello(Wire& w, const std::string& aname = "none") {
  w.rpc<Rversion>(NOTAG, Tversion{65536, "9P2000"});
  w.rpc<Rattach>(1, Tattach{0, NOFID, "tester", aname});
}

}  // namespace

TEST_CASE("grio hub on a terminal here hands it to the server, % commands stay the client's, a killed client's terminal is let go",
          "[wsys][hub]") {
  ::setenv("SHELL", "/bin/sh", 1);
  TempDir dir;
  std::string addr = "unix!" + (dir.path / "s").string();
  Background serve({GRIO_BINARY, "serve", "--listen", addr});
  REQUIRE(serve.first_line() == "wsys=" + addr);
  Typist t({GRIO_BINARY, "hub", "--wsys", addr, "h1"});
  REQUIRE(t.shows("attached to h1"));
  // The server holds the client's terminal: keys and echoes skip the client,
  // which no longer reads hub 1 (an unread reader would hold back a
  // session in fear): the terminal's is its one reader.
  CHECK(eventually([&] { return holds(serve.pid(), t.tty()); }));
  auto ctl = run(std::string(GRIO_BINARY) + " 9p -a " + addr + " read hub/h1/ctl").out;
  size_t one = ctl.find("\n1 cap ");
  REQUIRE(one != std::string::npos);
  CHECK(ctl.substr(one, ctl.find('\n', one + 1) - one).find(" readers 1 ") != std::string::npos);
  t.type("echo hi-$((6*7))\n");
  CHECK(t.shows("hi-42"));
  // A % command goes to the client, which reads the rest of its line.
  size_t at = t.seen.size();
  t.type("%sta");
  t.type("tus\n");
  CHECK(t.shows("session h1 running", at));
  // And the keys are the server's again; DEL interrupts what runs.
  at = t.seen.size();
  t.type("sleep 30\n");
  std::this_thread::sleep_for(300ms);
  t.type("\x7f");
  t.type("echo back-$((2+2))\n");
  CHECK(t.shows("back-4", at));
  // A client killed without a word: the server lets the terminal go and the
  // session runs on.
  ::kill(t.p.pid, SIGKILL);
  term::reap(t.p.pid, 5s);
  t.p.pid = -1;
  CHECK(eventually([&] { return !holds(serve.pid(), t.tty()); }));
  auto ls = run(std::string(GRIO_BINARY) + " 9p -a " + addr + " read hub/ctl");
  CHECK(ls.out.find("h1/ running") != std::string::npos);
  // A watcher's terminal is handed over too; what it types is not sent.
  Typist w({GRIO_BINARY, "hub", "--watch", "--wsys", addr, "h1"});
  REQUIRE(w.shows("back-4"));
  CHECK(eventually([&] { return holds(serve.pid(), w.tty()); }));
  w.type("echo bad-$((2*3))\n");
  Typist u({GRIO_BINARY, "hub", "--wsys", addr, "h1"});
  REQUIRE(u.shows("attached to h1"));
  at = u.seen.size();
  u.type("echo good-$((3*3))\n");
  CHECK(u.shows("good-9", at));
  CHECK(w.shows("good-9"));
  CHECK(u.seen.find("bad-6") == std::string::npos);
  // %detach leaves; the client gives its terminal back first.
  w.type("%detach\n");
  CHECK(term::reap(w.p.pid, 10s).has_value());
  w.p.pid = -1;
  CHECK(!holds(serve.pid(), w.tty()));
}

TEST_CASE("hub/NAME/tty: only the owner here hands over a terminal, only a terminal, and the errors for the rest",
          "[wsys][hub]") {
  Wsys s;
  auto a = s.connect();
  hello(a);
  a.rpc<Rwalk>(2, Twalk{0, 1, {"hub", "ctl"}});
  a.rpc<Ropen>(3, Topen{1, OWRITE});
  a.rpc<Rwrite>(4, Twrite{1, 0, "new s"});
  a.rpc<Rwalk>(2, Twalk{0, 2, {"hub", "s", "tty"}});
  CHECK(a.fails(3, Topen{2, OREAD}) == "tty is opened for reading and writing");
  a.rpc<Ropen>(3, Topen{2, ORDWR});
  CHECK(a.fails(4, Tread{2, 0, 100}) == "no terminal attached");
  CHECK(a.fails(4, Twrite{2, 0, "take /dev/tty"}) == "bad tty message");
  CHECK(a.fails(4, Twrite{2, 0, "attach /dev/tty please"}) == "bad tty message");
  // Only a terminal's name is opened at all (no FIFO, no file on a mount).
  CHECK(a.fails(4, Twrite{2, 0, "attach /dev/null"}) == "/dev/null: not a terminal");
  CHECK(a.fails(4, Twrite{2, 0, "attach /dev/pts/../null"}) == "/dev/pts/../null: not a terminal");
  CHECK(a.fails(4, Twrite{2, 0, "attach /dev/pts/999999"}) == "/dev/pts/999999: No such file or directory");
  // A real terminal of ours is taken; the session's hubs gain its readers.
  int m = ::posix_openpt(O_RDWR | O_NOCTTY);
  REQUIRE(m >= 0);
  REQUIRE(::grantpt(m) == 0);
  REQUIRE(::unlockpt(m) == 0);
  {  // raw, as grio hub leaves its terminal
    int sl = ::open(::ptsname(m), O_RDWR | O_NOCTTY);
    termios tio{};
    REQUIRE(::tcgetattr(sl, &tio) == 0);
    ::cfmakeraw(&tio);
    REQUIRE(::tcsetattr(sl, TCSANOW, &tio) == 0);
    ::close(sl);
  }
  a.rpc<Rwalk>(2, Twalk{0, 6, {"hub", "s", "0"}});
  a.rpc<Ropen>(3, Topen{6, OREAD});
  auto typed = [&] { return s.on_io([&] { return s.world().ws.hubs().hub("s", "0")->hub.end(); }); };
  a.rpc<Rwrite>(4, Twrite{2, 0, std::string("attach ") + ::ptsname(m)});
  CHECK(a.fails(4, Twrite{2, 0, "attach /dev/null"}) == "bad tty message");  // one terminal a fid
  CHECK(s.on_io([&] { return s.world().ws.hubs().hub("s", "1")->hub.readers(); }) == 1);
  // A % line goes to the client alone; what was typed after it waits for
  // the resume.
  std::string keys = "%list\recho held\r";
  REQUIRE(::write(m, keys.data(), keys.size()) == ssize_t(keys.size()));
  CHECK(a.rpc<Rread>(4, Tread{2, 0, 100}).data == "command list\r");
  CHECK(typed() == 0);
  CHECK(a.fails(4, Twrite{2, 0, "go on"}) == "bad tty message");
  a.rpc<Rwrite>(4, Twrite{2, 0, "resume"});
  CHECK(read(a, 6, 10) == "echo held\r");
  // After `resume midline` a % is no command: the client left a line open.
  REQUIRE(::write(m, "%a\r", 3) == 3);
  CHECK(a.rpc<Rread>(4, Tread{2, 0, 100}).data == "command a\r");
  a.rpc<Rwrite>(4, Twrite{2, 0, "resume midline"});
  REQUIRE(::write(m, "%b\r", 3) == 3);
  CHECK(read(a, 6, 3) == "%b\r");
  a.rpc<Rclunk>(5, Tclunk{2});
  CHECK(s.on_io([&] { return s.world().ws.hubs().hub("s", "1")->hub.readers(); }) == 0);
  ::close(m);
  // A session that lost a hub cannot take a terminal (and the server stays up).
  a.rpc<Rwalk>(2, Twalk{0, 7, {"hub", "s", "2"}});
  a.rpc<Rremove>(3, Tremove{7});
  a.rpc<Rwalk>(2, Twalk{0, 2, {"hub", "s", "tty"}});
  a.rpc<Ropen>(3, Topen{2, ORDWR});
  CHECK(a.fails(4, Twrite{2, 0, "attach /dev/pts/0"}) == "session s has no hub 2");
  // The root has no tty, and no hub may take the name.
  a.rpc<Rwalk>(2, Twalk{0, 3, {"hub"}});
  CHECK(a.fails(2, Twalk{3, 4, {"tty"}}) == "file does not exist");
  a.rpc<Rwalk>(2, Twalk{3, 4, {"s"}});
  CHECK(a.fails(2, Tcreate{4, "tty", 0666, ORDWR}) == "bad file name");
  // A peer over TCP is not the owner on this machine, whatever it says.
  int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sin;
  REQUIRE(::bind(l, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0);
  REQUIRE(::listen(l, 1) == 0);
  REQUIRE(::getsockname(l, reinterpret_cast<sockaddr*>(&sin), &len) == 0);
  int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(::connect(c, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0);
  int served = ::accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
  REQUIRE(served >= 0);
  ::close(l);
  s.on_io([&] {
    s.server().serve(net::Socket(s.io(), asio::generic::stream_protocol(AF_INET, IPPROTO_TCP), served));
    return 0;
  });
  Wire tcp(c);
  hello(tcp);
  tcp.rpc<Rwalk>(2, Twalk{0, 2, {"hub", "s", "tty"}});
  tcp.rpc<Ropen>(3, Topen{2, ORDWR});
  CHECK(tcp.fails(4, Twrite{2, 0, "attach /dev/tty"}) == "a terminal is handed over only by the owner, on this machine");
}

// -pid: the process group a window's DEL and delete signal. Only a group
// provably the client's is ever signalled: set by a Unix socket peer and
// running as its user; never over TCP, never the window system's own.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <string>

#include "tests/child.h"
#include "tests/wsys/served_wsys.h"

using namespace grio;
using namespace grio::test;
using namespace std::chrono_literals;

namespace {

// A `sleep` leading its own process group, with SIGHUP blocked: a SIGHUP
// sent to the group stays pending, where /proc shows it, so whether it was
// sent is read, not waited for.
struct Sleeper {
  pid_t pid = -1;
  Sleeper() {
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::setpgid(0, 0);
      sigset_t s;
      sigemptyset(&s);
      sigaddset(&s, SIGHUP);
      sigprocmask(SIG_BLOCK, &s, nullptr);
      ::execlp("sleep", "sleep", "60", (char*)nullptr);
      ::_exit(127);
    }
    ::setpgid(pid, pid);  // whichever of us runs first
  }
  ~Sleeper() {
    ::kill(pid, SIGKILL);
    wait_exit(pid, 5000ms);
  }
  // Whether a SIGHUP to its group is pending (ShdPnd, bit 0 for signal 1).
  bool hung_up() const {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(f, line);)
      if (line.starts_with("ShdPnd:")) return std::stoull(line.substr(7), nullptr, 16) & (1ull << (SIGHUP - 1));
    FAIL("no ShdPnd in /proc/" << pid << "/status");
    return false;
  }
};

void hello(Wire& w, const std::string& aname) {
  w.rpc<Rversion>(NOTAG, Tversion{8192, "9P2000"});
  w.rpc<Rattach>(1, Tattach{0, NOFID, "tester", aname});
}

void wctl(Wire& w, uint32_t fid, const std::string& msg) {
  w.rpc<Rwalk>(2, Twalk{0, fid, {"wctl"}});
  w.rpc<Ropen>(3, Topen{fid, OWRITE});
  w.rpc<Rwrite>(4, Twrite{fid, 0, msg});
}

}  // namespace

TEST_CASE("a window's -pid of a local peer's own group gets SIGHUP when its window is deleted", "[wsys]") {
  Wsys s;
  Sleeper z;
  SECTION("attach new -pid, then delete") {
    auto w = s.connect();
    hello(w, "new -hide -pid " + std::to_string(z.pid));
    CHECK(!z.hung_up());
    wctl(w, 5, "delete");
    CHECK(z.hung_up());
  }
  SECTION("wctl new -pid, then delete by -id") {
    auto w = s.connect();
    hello(w, "none");
    wctl(w, 5, "new -hide -pid " + std::to_string(z.pid));
    w.rpc<Rwrite>(4, Twrite{5, 0, "delete -id 1"});
    CHECK(z.hung_up());
  }
}

TEST_CASE("a window's -pid from a TCP peer is recorded but never signalled", "[wsys]") {
  Wsys s;
  Sleeper z;
  auto w = s.connect_tcp();
  SECTION("attach new -pid") {
    hello(w, "new -hide -pid " + std::to_string(z.pid));
    CHECK(s.on_io([&] { return s.world().ws.live(1)->note_pid; }) == z.pid);
    wctl(w, 5, "delete");
  }
  SECTION("wctl new -pid, set -pid") {
    hello(w, "none");
    wctl(w, 5, "new -hide -pid " + std::to_string(z.pid));
    w.rpc<Rwrite>(4, Twrite{5, 0, "new -hide -pid 0"});
    w.rpc<Rwrite>(4, Twrite{5, 0, "set -id 2 -pid " + std::to_string(z.pid)});
    w.rpc<Rwrite>(4, Twrite{5, 0, "delete -id 1"});
    w.rpc<Rwrite>(4, Twrite{5, 0, "delete -id 2"});
  }
  CHECK(s.on_io([&] { return s.world().ws.ids().empty(); }));
  CHECK(!z.hung_up());
}

TEST_CASE("a window's -pid naming the window system's own process or group is refused", "[wsys]") {
  Wsys s;
  auto w = s.connect();
  hello(w, "none");
  for (pid_t own : {::getpgrp(), ::getpid()}) {
    CAPTURE(own);
    CHECK(w.fails(6, Tattach{2, NOFID, "tester", "new -hide -pid " + std::to_string(own)}) ==
          "bad pid: the window system's own");
    w.rpc<Rwalk>(2, Twalk{0, 5, {"wctl"}});
    w.rpc<Ropen>(3, Topen{5, OWRITE});
    CHECK(w.fails(4, Twrite{5, 0, "new -hide -pid " + std::to_string(own)}) == "bad pid: the window system's own");
    w.rpc<Rclunk>(7, Tclunk{5});
  }
  CHECK(s.on_io([&] { return s.world().ws.ids().empty(); }));
  // set -pid on a window that exists is refused the same way; it stays
  // the window's own (no group at all) and delete signals nobody.
  w.rpc<Rattach>(6, Tattach{2, NOFID, "tester", "new -hide -pid 0"});
  w.rpc<Rwalk>(2, Twalk{2, 5, {"wctl"}});
  w.rpc<Ropen>(3, Topen{5, OWRITE});
  CHECK(w.fails(4, Twrite{5, 0, "set -pid " + std::to_string(::getpgrp())}) == "bad pid: the window system's own");
  CHECK(s.on_io([&] { return s.world().ws.live(1)->note_pid; }) == 0);
  w.rpc<Rwrite>(4, Twrite{5, 0, "delete"});
}

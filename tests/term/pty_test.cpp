// Programs on ptys: output, environment, directory, echo, size, signals.
// Every test is bounded in time and kills and reaps what it starts.
#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "term/pty.h"

using namespace grio::term;
using namespace std::chrono_literals;

namespace {

// Starts a program and, whatever the test does, kills and reaps it at the end.
struct Child {
  PtyProcess p;
  bool reaped = false;

  explicit Child(PtyConfig cfg) {
    std::string err;
    auto started = start_pty(cfg, err);
    INFO(err);
    REQUIRE(started);
    p = *started;
  }
  ~Child() {
    if (!reaped) {
      signal_group(p.pid, SIGKILL);
      reap(p.pid, 5000ms);
    }
    close(p.master);
  }
  std::optional<ExitStatus> wait(std::chrono::milliseconds ms) {
    auto s = reap(p.pid, ms);
    reaped = s.has_value();
    return s;
  }
  // Reads the master until want appears, the program closes the pty, or
  // the time is up; returns everything read.
  std::string read_until(const std::string& want, std::chrono::milliseconds ms = 5000ms) {
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + ms;
    while (got.find(want) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms)
        break;
      pollfd pfd{p.master, POLLIN, 0};
      if (poll(&pfd, 1, int(left.count())) <= 0)
        break;
      char buf[512];
      ssize_t n = read(p.master, buf, sizeof buf);
      if (n <= 0)
        break;  // EIO: every slave descriptor is closed
      got.append(buf, size_t(n));
    }
    return got;
  }
};

PtyConfig command(std::string script) {
  PtyConfig cfg;
  cfg.argv = {"/bin/sh", "-c", std::move(script)};
  return cfg;
}

}  // namespace

TEST_CASE("pty: a program's output is read from the master", "[term]") {
  Child c(command("echo hi"));
  std::string out = c.read_until("hi\n");
  CHECK(out.find("hi\n") != std::string::npos);
  CHECK(out.find('\r') == std::string::npos);  // -onlcr
  auto s = c.wait(5000ms);
  REQUIRE(s);
  CHECK(s->success());
  CHECK(s->to_string() == "");
}

TEST_CASE("pty: exit status is reported", "[term]") {
  Child c(command("exit 3"));
  auto s = c.wait(5000ms);
  REQUIRE(s);
  CHECK(s->code == 3);
  CHECK(s->to_string() == "exit 3");
}

TEST_CASE("pty: TERM is dumb and our variables arrive", "[term]") {
  PtyConfig cfg = command("echo \"<$TERM $winid $wsys>\"");
  cfg.env = {{"winid", "42"}, {"wsys", "unix!/tmp/x"}};
  Child c(cfg);
  std::string out = c.read_until(">");
  CHECK(out.find("<dumb 42 unix!/tmp/x>") != std::string::npos);
}

TEST_CASE("pty: a TERM of the caller's replaces dumb", "[term]") {
  PtyConfig cfg = command("echo \"<$TERM>\"; env | grep -c '^TERM='");
  cfg.env = {{"TERM", "xterm"}};
  Child c(cfg);
  std::string out = c.read_until("\n1");
  CHECK(out.find("<xterm>") != std::string::npos);
  CHECK(out.find("\n1") != std::string::npos);  // one TERM, not two
}

TEST_CASE("pty: the working directory is applied", "[term]") {
  char dir[] = "/tmp/term_cwd_XXXXXX";
  REQUIRE(mkdtemp(dir));
  PtyConfig cfg = command("pwd");
  cfg.dir = dir;
  {
    Child c(cfg);
    std::string out = c.read_until("\n");
    CHECK(out == std::string(dir) + "\n");
  }
  rmdir(dir);
}

TEST_CASE("pty: terminal modes are 9term's", "[term]") {
  Child c(command("stty -a; echo END"));
  std::string out = c.read_until("END");
  CHECK(out.find("erase = ^H") != std::string::npos);
  CHECK(out.find("intr = ^?") != std::string::npos);
  CHECK(out.find("-onlcr") != std::string::npos);
  CHECK(out.find(" icanon") != std::string::npos);
  CHECK(out.find(" echo ") != std::string::npos);
}

TEST_CASE("pty: echo_enabled follows the program's stty", "[term]") {
  {
    Child c(command("sleep 5"));
    CHECK(echo_enabled(c.p.master));
  }
  Child c(command("stty -echo; echo off; sleep 5"));
  REQUIRE(c.read_until("off").find("off") != std::string::npos);
  CHECK_FALSE(echo_enabled(c.p.master));
}

TEST_CASE("pty: resize reaches stty size", "[term]") {
  Child c(command("read x; stty size"));
  REQUIRE(resize(c.p.master, 100, 30));
  REQUIRE(write_input(c.p.master, "\n") == 1);
  std::string out = c.read_until("30 100");
  CHECK(out.find("30 100") != std::string::npos);
}

// write_input turns echo off around its write and back on after.
TEST_CASE("pty: echo is on again after typed input the program reads", "[term]") {
  Child c(command("read x; echo \"got:$x\"; sleep 5"));
  REQUIRE(write_input(c.p.master, "abc\n") == 4);
  c.read_until("got:abc\n");
  CHECK(echo_enabled(c.p.master));
}

TEST_CASE("pty: typed input reaches the program", "[term]") {
  Child c(command("read x; echo \"got:$x\""));
  REQUIRE(write_input(c.p.master, "abc\n") == 4);
  std::string out = c.read_until("got:abc\n");
  CHECK(out == "got:abc\n");  // and not the tty's echo of abc first
}

// Issue 13: typing before the program reads (before a shell's first
// prompt) showed the lines twice: the window had shown them, and the tty
// echoed them too when its line discipline ran after echo was back on.
// Both CPUs are kept busy meanwhile, which is when that ran late.
TEST_CASE("pty: lines typed before the program reads are not echoed by the tty", "[term]") {
  Child c(command("echo ready; sleep 0.5; while read x; do echo \"[$x]\"; done; echo END"));
  REQUIRE(c.read_until("ready").find("ready") != std::string::npos);
  std::atomic<bool> busy{true};
  std::vector<std::thread> load;
  for (unsigned i = 0; i < 2 * std::max(1u, std::thread::hardware_concurrency()); i++)
    load.emplace_back([&] {
      while (busy) {
      }
    });
  std::string want;
  for (int i = 0; i < 300; i++) {
    std::string line = "word" + std::to_string(i) + "\n";
    want += "[word" + std::to_string(i) + "]\n";
    // EBUSY: the program has not read the earlier lines yet; try again.
    long n = -1;
    for (int tries = 0; tries < 5000 && n < 0; tries++) {
      n = write_input(c.p.master, line);
      if (n < 0 && errno != EBUSY && errno != EAGAIN) break;
      if (n < 0) std::this_thread::sleep_for(1ms);
    }
    REQUIRE(n == long(line.size()));
  }
  long eof = -1;
  for (int tries = 0; tries < 5000 && eof < 0; tries++) {
    eof = write_input(c.p.master, "\x04");
    if (eof < 0) std::this_thread::sleep_for(1ms);
  }
  busy = false;
  for (auto& t : load) t.join();
  REQUIRE(eof == 1);
  std::string out = c.read_until("END");
  CHECK(out == want + "END\n");
}

TEST_CASE("pty: interrupt stops sleep promptly", "[term]") {
  // Killed by SIGINT, not ended by its 10 s: no clock needed to tell.
  Child c(PtyConfig{{"sleep", "10"}, {}, "", 80, 24});
  REQUIRE(interrupt(c.p));
  auto s = c.wait(20000ms);
  REQUIRE(s);
  CHECK(s->signal == SIGINT);
}

TEST_CASE("pty: SIGINT to the process group reaches a shell's child", "[term]") {
  Child c(command("sleep 10; echo survived"));
  std::this_thread::sleep_for(100ms);  // let sh start sleep
  REQUIRE(signal_group(c.p.pid, SIGINT));
  auto s = c.wait(20000ms);  // bounded, generous for a loaded machine
  REQUIRE(s);
  CHECK_FALSE(s->success());
}

TEST_CASE("pty: a program that cannot start is an error, not a child", "[term]") {
  std::string err;
  PtyConfig cfg;
  cfg.argv = {"/nonexistent/grio-test-program"};
  CHECK_FALSE(start_pty(cfg, err));
  CHECK(err.find("No such file") != std::string::npos);
  cfg.argv = {"/bin/true"};
  cfg.dir = "/nonexistent/dir";
  CHECK_FALSE(start_pty(cfg, err));
}

TEST_CASE("pty: reap says nothing while the child runs", "[term]") {
  Child c(command("sleep 5"));
  CHECK_FALSE(reap(c.p.pid));
  CHECK(signal_group(c.p.pid, SIGHUP));
  auto s = c.wait(3000ms);
  REQUIRE(s);
  CHECK(s->signal == SIGHUP);
}

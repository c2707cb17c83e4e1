// A desktop under test: its own Xvfb display (picked by -displayfd), the
// real grio on it serving on a socket in a temporary directory, and the
// X tools that drive and photograph it (xdotool, import, xclip). Everything
// started here is stopped by its pid; every wait is bounded.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/child.h"
#include "tests/net/process.h"

namespace grio::test {

// A screenshot, RGB.
struct Shot {
  int w = 0, h = 0;
  std::vector<uint8_t> rgb;
  uint32_t at(int x, int y) const {
    const uint8_t* p = &rgb[(size_t(y) * w + x) * 3];
    return uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2];
  }
};

// Writes a shot as a PPM file: what a failed check saw, to look at.
inline void save_ppm(const Shot& s, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return;
  std::fprintf(f, "P6 %d %d 255\n", s.w, s.h);
  std::fwrite(s.rgb.data(), 1, s.rgb.size(), f);
  std::fclose(f);
}

// Runs argv in the background with stdout to a pipe (optional), stderr to
// a file; killed (SIGTERM, then SIGKILL) by pid when it goes.
class Proc {
 public:
  explicit Proc(std::vector<std::string> args, const std::string& err = "/dev/null", int* out_fd = nullptr,
                int keep_fd = -1) {
    int out[2] = {-1, -1};
    if (out_fd) REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::setpgid(0, 0);
      if (out_fd) ::dup2(out[1], 1);
      int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (e >= 0) ::dup2(e, 2);
      for (int fd = 3; fd < 256; fd++)
        if (fd != keep_fd) ::close(fd);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    if (out_fd) {
      ::close(out[1]);
      *out_fd = out[0];
    }
  }
  ~Proc() { stop(); }
  void stop() {
    if (pid_ <= 0) return;
    // The group is the one this child leads (setpgid above), so its own
    // children (a -m command, xclip's helper) go with it.
    ::kill(-pid_, SIGTERM);
    if (!wait_exit(pid_, std::chrono::seconds(3), std::chrono::milliseconds(10))) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }
  pid_t pid() const { return pid_; }
  // Whether it has ended by itself (reaped then), with its exit status.
  bool exited(int& status) {
    int st = 0;
    if (pid_ <= 0 || ::waitpid(pid_, &st, WNOHANG) != pid_) return false;
    pid_ = -1;
    status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return true;
  }

 private:
  pid_t pid_ = -1;
};

// Reads one line from fd within limit.
inline std::string read_line(int fd, int limit_ms = 10000) {
  std::string line;
  char c;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    REQUIRE(::poll(&p, 1, limit_ms) == 1);
    if (::read(fd, &c, 1) != 1 || c == '\n') break;
    line += c;
  }
  return line;
}

// Polls pred every 50 ms until it holds or limit passes. The limit only
// bounds a failing test: a screenshot through import takes a second or
// more when ASan tests share two cores, and 8 s failed a test at ctest -j4.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

// A screenshot of X display d (":N").
inline Shot shot_of(const std::string& d) {
  Shot s;
  FILE* f = ::popen(("timeout 10 import -display " + d + " -window root -depth 8 ppm:- 2>/dev/null").c_str(), "r");
  REQUIRE(f);
  int maxval = 0, w = 0, h = 0;
  if (std::fscanf(f, "P6 %d %d %d", &w, &h, &maxval) == 3 && maxval == 255 && w > 0 && h > 0) {
    s.w = w, s.h = h;
    std::fgetc(f);
    s.rgb.resize(size_t(s.w) * s.h * 3);
    if (std::fread(s.rgb.data(), 1, s.rgb.size(), f) != s.rgb.size()) s.w = s.h = 0;
  }
  ::pclose(f);
  REQUIRE(s.w > 0);
  return s;
}

// Starts an Xvfb of 1280×800 at 96 dpi on a free display, kept in proc;
// returns the descriptor its display number is read from.
inline int start_xvfb(std::unique_ptr<Proc>& proc) {
  int p[2];
  REQUIRE(::pipe(p) == 0);
  proc = std::make_unique<Proc>(std::vector<std::string>{"Xvfb", "-displayfd", std::to_string(p[1]), "-screen", "0",
                                                         "1280x800x24", "-dpi", "96", "-nolisten", "tcp"},
                                "/dev/null", nullptr, p[1]);
  ::close(p[1]);
  return p[0];
}

// Another display, with nothing on it, for a program to show itself on
// (a viewer); stopped when it goes.
class Screen {
 public:
  Screen() {
    int out = start_xvfb(xvfb_);
    display = ":" + read_line(out);
    ::close(out);
  }
  Shot shot() const { return shot_of(display); }
  std::string display;

 private:
  std::unique_ptr<Proc> xvfb_;
};

class Desk {
 public:
  Desk() {
    xvfb_out_ = start_xvfb();
    display_ = ":" + read_line(xvfb_out_);
    ::setenv("DISPLAY", display_.c_str(), 1);
    std::string sock = (tmp_.path / "wsys").string();
    int out = -1;
    std::error_code ec;
    cwd_ = std::filesystem::current_path(ec);
    ::chdir(tmp_.path.c_str());  // the shell windows start here
    // The shell windows run sh, not the user's shell: an interactive bash
    // reads ~/.bashrc, which on a machine with pyenv took a minute to
    // print its first prompt.
    ::setenv("SHELL", "/bin/sh", 1);
    grio_ = std::make_unique<Proc>(std::vector<std::string>{GRIO_BINARY, "--listen", "unix!" + sock},
                                   (tmp_.path / "grio.err").string(), &out);
    grio_out_ = out;
    std::string line = read_line(grio_out_);
    REQUIRE(line.rfind("wsys='", 0) == 0);
    REQUIRE(line.back() == '\'');
    addr = line.substr(6, line.size() - 7);
    ::setenv("wsys", addr.c_str(), 1);
    // The first window is drawn once its border shows.
    REQUIRE(eventually([&] { return shot().at(34, 200) != 0x777777; }));
  }
  ~Desk() {
    if (!cwd_.empty()) ::chdir(cwd_.c_str());  // not left in a directory about to go
    others_.clear();
    grio_.reset();
    xvfb_.reset();
    if (grio_out_ >= 0) ::close(grio_out_);
    if (xvfb_out_ >= 0) ::close(xvfb_out_);
  }

  // A shell command line with this desk's DISPLAY and wsys (two desks may
  // run at once), killed after 10 s. It runs in the desk's directory: a
  // window it makes starts its program there, and run()'s own directory
  // is gone when it returns (a shell started in it says "getcwd() failed").
  Ran sh(const std::string& cmd, const std::string& input = "") {
    return run("cd " + tmp_.path.string() + " && DISPLAY=" + display_ + " wsys='" + addr + "' timeout 10 " + cmd, input);
  }
  Ran p9(const std::string& args, const std::string& input = "") {
    return sh(std::string(GRIO_BINARY) + " 9p -a '" + addr + "' " + args, input);
  }
  void xdo(const std::string& args) { REQUIRE(sh("xdotool " + args).status == 0); }
  std::string text(int id) { return p9("read /wsys/" + std::to_string(id) + "/text").out; }
  // The first wctl record of window id. A second read would wait for a
  // change, so the reader is cut short; 3 s leaves room for a slow start
  // (ASan, a loaded machine).
  std::string wctl(int id) {
    return run("timeout 3 " + std::string(GRIO_BINARY) + " 9p -a '" + addr + "' read /wsys/" + std::to_string(id) +
               "/wctl")
        .out.substr(0, 72);
  }
  std::string ids() { return p9("ls /wsys").out; }
  // The desktop's process.
  pid_t pid() const { return grio_->pid(); }
  // Something else kept running until the desk goes (grio window -m …).
  void start(std::vector<std::string> args) {
    others_.push_back(std::make_unique<Proc>(std::move(args), (tmp_.path / "other.err").string()));
  }

  Shot shot() { return shot_of(display_); }

  std::string addr;
  TempDir tmp_;
  // The item each menu opens on, under the pointer: the last one chosen.
  int menu2_last = 0, menu3_last = 0;

 private:
  int start_xvfb() { return grio::test::start_xvfb(xvfb_); }

  std::string display_;
  std::filesystem::path cwd_;
  std::unique_ptr<Proc> xvfb_, grio_;
  std::vector<std::unique_ptr<Proc>> others_;
  int xvfb_out_ = -1, grio_out_ = -1;
};

}  // namespace grio::test

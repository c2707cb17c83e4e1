// Running grio mount and the servers under it from tests: every program
// with its output in files, stopped by its pid with a deadline, and every
// mount unmounted at the end even when a check failed.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/child.h"
#include "tests/net/process.h"

namespace grio::test {

using namespace std::chrono_literals;

// Polls f every 20 ms until it holds, for at most limit.
template <class F>
bool eventually(F f, std::chrono::milliseconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!f()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Whether dir is a mount point now (from the kernel's table, which a hung
// FUSE mount cannot block the way stat(2) can).
inline bool mounted(const fs::path& dir) {
  std::ifstream f("/proc/self/mountinfo");
  for (std::string line; std::getline(f, line);)
    if (contains(line, " " + dir.string() + " ")) return true;
  return false;
}

// A fresh directory under /tmp/mount_*, removed with what is left in it.
struct MountTemp {
  fs::path path;
  MountTemp() {
    char tmpl[] = "/tmp/mount_test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    path = tmpl;
  }
  ~MountTemp() { fs::remove_all(path); }
};

// A program run from argv, stdout and stderr in files of its own.
class Proc {
 public:
  Proc(std::vector<std::string> args, const fs::path& out, const fs::path& err) : out_(out), err_(err) {
    pid_ = grio::test::spawn(std::move(args), out, err);
    REQUIRE(pid_ >= 0);
  }
  ~Proc() { stop(SIGKILL, 5s); }
  Proc(const Proc&) = delete;
  Proc& operator=(const Proc&) = delete;

  // The exit status (128+n for signal n), or nothing if it runs past limit.
  std::optional<int> wait(std::chrono::milliseconds limit = 10s) {
    if (pid_ <= 0) return status_;
    auto st = wait_exit(pid_, limit, 5ms);
    if (st) {
      pid_ = -1;
      status_ = st;
    }
    return st;
  }
  // Sends sig and waits up to limit for the exit status.
  std::optional<int> stop(int sig = SIGTERM, std::chrono::milliseconds limit = 10s) {
    if (pid_ > 0) ::kill(pid_, sig);
    return wait(limit);
  }
  bool running() {
    int st = 0;
    if (pid_ <= 0 || ::waitpid(pid_, &st, WNOHANG) != pid_) return pid_ > 0;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    pid_ = -1;
    return false;
  }
  pid_t pid() const { return pid_; }
  std::string out() const { return slurp(out_); }
  std::string err() const { return slurp(err_); }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  fs::path out_, err_;
};

// A server (grio serve or grio ramfs) on a Unix socket in its own
// directory; -D traces every message into trace().
class Server {
 public:
  Server(const std::string& kind, bool trace = false)
      : addr_("unix!" + (dir_.path / kind).string()),
        proc_(args(kind, trace), dir_.path / "out", dir_.path / "trace") {
    REQUIRE(eventually([&] { return contains(proc_.out(), "='" + addr_ + "'\n"); }));
  }
  const std::string& addr() const { return addr_; }
  std::string trace() const { return proc_.err(); }
  Proc& proc() { return proc_; }

 private:
  std::vector<std::string> args(const std::string& kind, bool trace) {
    std::vector<std::string> a{GRIO_BINARY, kind, "--listen", addr_};
    if (trace) a.push_back("-D");
    return a;
  }
  MountTemp dir_;
  std::string addr_;
  Proc proc_;
};

// grio mount of addr (with attach name words) on a fresh directory, in the
// foreground; unmounted and stopped at the end whatever happened.
class Mount {
 public:
  Mount(const std::string& addr, std::vector<std::string> words = {})
      : dir_(make_dir(base_.path / "m")), proc_(args(addr, words), base_.path / "out", base_.path / "err") {
    INFO(proc_.err());
    REQUIRE(eventually([&] { return mounted(dir_) || !proc_.running(); }));
    REQUIRE(mounted(dir_));
  }
  ~Mount() {
    if (proc_.running()) proc_.stop(SIGTERM, 5s);
    if (mounted(dir_)) std::system(("fusermount3 -u -z " + dir_.string() + " 2>/dev/null").c_str());
  }
  // A path inside the mount.
  std::string operator/(const std::string& name) const { return (dir_ / name).string(); }
  const fs::path& dir() const { return dir_; }
  Proc& proc() { return proc_; }

 private:
  static fs::path make_dir(const fs::path& p) {
    fs::create_directory(p);
    return p;
  }
  std::vector<std::string> args(const std::string& addr, const std::vector<std::string>& words) {
    std::vector<std::string> a{GRIO_BINARY, "mount", addr, dir_.string()};
    a.insert(a.end(), words.begin(), words.end());
    return a;
  }
  MountTemp base_;  // destroyed last: by then nothing is mounted inside it
  fs::path dir_;
  Proc proc_;
};

}  // namespace grio::test

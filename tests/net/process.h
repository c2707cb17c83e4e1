// Running the real grio program from tests: a server in the background
// (stopped by its pid) and one-shot commands with their output, all bounded
// in time.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace grio::test {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/grio-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

inline std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A grio subcommand running in the background, until the destructor sends
// SIGTERM to its pid and reaps it.
class Background {
 public:
  explicit Background(std::vector<std::string> args) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close_range(3, ~0U, 0);  // the program gets none of the tests' descriptors
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = out[0];
  }
  ~Background() {
    stop();
    if (out_ >= 0) ::close(out_);
  }
  // Sends SIGTERM and waits; returns the exit status.
  int stop() {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, &status_, 0);
    pid_ = -1;
    return status_;
  }
  // Kills with SIGKILL: a server that dies without cleaning up.
  void crash() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
    pid_ = -1;
  }
  // The first line the program prints, within 10 s.
  std::string first_line() {
    std::string line;
    char c;
    while (true) {
      pollfd p{out_, POLLIN, 0};
      REQUIRE(::poll(&p, 1, 10000) == 1);
      if (::read(out_, &c, 1) != 1 || c == '\n') break;
      line += c;
    }
    return line;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int status_ = 0;
};

// Shell text that waits, up to 10 s, until file is not empty.
inline std::string wait_for_file(const std::string& file) {
  return "for i in $(seq 100); do [ -s " + file + " ] && break; sleep 0.1; done";
}

struct Ran {
  int status;  // exit status, or -1 if it did not exit normally
  std::string out, err;
};

// Runs a shell command line with input on stdin, in a fresh directory of
// its own, killed after 20 s.
inline Ran run(const std::string& cmdline, const std::string& input = "") {
  TempDir tmp;
  std::ofstream(tmp.path / "in", std::ios::binary) << input;
  std::string sh = "cd " + tmp.path.string() + " && timeout 20 sh -c '" + cmdline + "' < in > out 2> err";
  int st = std::system(sh.c_str());
  return Ran{WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(tmp.path / "out"), slurp(tmp.path / "err")};
}

}  // namespace grio::test

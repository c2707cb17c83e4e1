// The programs a benchmark starts (Xvfb, grio, a terminal): each in a
// process group of its own, its output to files in the bench's temporary
// directory, and all of them killed, newest first, on any way out.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/bench/bench_util.h"
#include "tests/child.h"

namespace grio::bench {

inline std::vector<pid_t> started;   // every process group started
inline std::filesystem::path workdir;  // removed on any way out
inline const char* bench_name = "bench";

// Newest first (grio before its Xvfb), SIGTERM first so that grio can hang
// up its windows' programs.
inline void kill_started() {
  using namespace std::chrono_literals;
  for (auto p = started.rbegin(); p != started.rend(); ++p) {
    ::kill(-*p, SIGTERM);
    if (!grio::test::wait_exit(*p, 3s)) ::kill(-*p, SIGKILL), ::waitpid(*p, nullptr, 0);
  }
  started.clear();
}

// Says why, with what the programs said on stderr, and ends the bench.
[[noreturn]] inline void fail(const std::string& why) {
  std::fprintf(stderr, "%s: FAILED: %s\n", bench_name, why.c_str());
  kill_started();
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(workdir, ec))
    if (e.path().extension() == ".err" && std::filesystem::file_size(e.path(), ec) > 0)
      std::fprintf(stderr, "%s:\n%s\n", e.path().filename().c_str(), slurp(e.path()).c_str());
  if (!workdir.empty()) std::filesystem::remove_all(workdir, ec);
  std::_Exit(1);
}

// Starts args in a process group of its own, stdout and stderr to files
// (keep_fd left open in it: Xvfb's -displayfd).
inline pid_t spawn(std::vector<std::string> args, const std::filesystem::path& out, const std::filesystem::path& err,
                   int keep_fd = -1) {
  pid_t pid = ::fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    ::setpgid(0, 0);
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0) ::_exit(126);
    ::dup2(o, 1), ::dup2(e, 2);
    for (int fd = 3; fd < 256; fd++)
      if (fd != keep_fd) ::close(fd);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here, so a kill right after fork finds the group
  started.push_back(pid);
  return pid;
}

}  // namespace grio::bench

// Starting a child process and waiting for it with a deadline, for tests
// and benchmarks alike (no Catch2 here).
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace grio::test {

// Polls pid until it exits or limit passes. Its exit status (128+n when
// killed by signal n), or nothing if it still runs.
inline std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds limit,
                                    std::chrono::milliseconds poll = std::chrono::milliseconds(1)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    if (::waitpid(pid, &st, WNOHANG) == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    std::this_thread::sleep_for(poll);
  }
  return std::nullopt;
}

// Starts args (args[0] searched in PATH) with stdout and stderr in the
// files out and err. The child's pid, or -1 when fork fails; a child that
// cannot open its files exits 126, one that cannot exec 127.
inline pid_t spawn(std::vector<std::string> args, const std::string& out, const std::string& err) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (o < 0 || e < 0) ::_exit(126);
  ::dup2(o, 1), ::dup2(e, 2);
  ::execvp(argv[0], argv.data());
  ::_exit(127);
}

}  // namespace grio::test

// Waiting for a child process with a deadline, for tests and benchmarks
// alike (no Catch2 here).
#pragma once

#include <sys/wait.h>

#include <chrono>
#include <optional>
#include <thread>

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

}  // namespace grio::test

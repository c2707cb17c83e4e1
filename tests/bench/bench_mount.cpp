// grio mount: a 50 MB file through the FUSE mount of a grio ramfs, beside
// grio 9p moving the same file to and from the same ramfs in the same run.
//
//   write: `cat FILE > DIR/big` through the mount / `grio 9p write big < FILE`
//   read:  `cat DIR/big > OUT` through the mount / `grio 9p read big > OUT`
//
// Both sides are timed as whole programs (started by sh -c), both talk to
// one grio ramfs process over a Unix socket; each runs twice and the
// better run counts. What is read back is compared with what was written.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/bench/bench_util.h"
#include "tests/child.h"

using Clock = std::chrono::steady_clock;
using namespace grio::bench;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr size_t big_bytes = 50'000'000;
constexpr auto run_limit = 120s;


[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "bench_mount: FAILED: %s\n", why.c_str());
  std::exit(1);
}


struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/mount_bench-XXXXXX";
    if (!::mkdtemp(tmpl)) fail("mkdtemp");
    path = tmpl;
  }
  ~TempDir() { fs::remove_all(path); }
};

// Bytes of every value, the same every run.
void make_file(const fs::path& p, size_t bytes) {
  std::string s(bytes, '\0');
  uint32_t x = 1;
  for (auto& c : s) {
    x = x * 1103515245 + 12345;
    c = char(x >> 24);
  }
  std::ofstream(p, std::ios::binary) << s;
}

// A program run from argv, stdout and stderr in files; killed by its pid
// if still running when we are done with it.
class Program {
 public:
  Program(std::vector<std::string> args, const fs::path& out, const fs::path& err) : err_(err) {
    pid_ = grio::test::spawn(std::move(args), out, err);
    if (pid_ < 0) fail("fork");
  }
  ~Program() { stop(SIGKILL); }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  std::optional<int> wait(std::chrono::milliseconds limit = run_limit) {
    auto st = grio::test::wait_exit(pid_, limit);
    if (st) pid_ = -1;
    return st;
  }
  void succeed(const std::string& what) {
    auto st = wait();
    if (!st) fail(what + ": still running after " + std::to_string(run_limit.count()) + " s");
    if (*st != 0) fail(what + ": exit status " + std::to_string(*st) + ": " + slurp(err_));
  }
  std::optional<int> stop(int sig) {
    if (pid_ <= 0) return std::nullopt;
    ::kill(pid_, sig);
    auto st = wait(5s);
    if (!st) ::kill(pid_, SIGKILL), ::waitpid(pid_, nullptr, 0), pid_ = -1;
    return st;
  }

 private:
  pid_t pid_ = -1;
  fs::path err_;
};

bool mounted(const fs::path& dir) {
  std::ifstream f("/proc/self/mountinfo");
  for (std::string line; std::getline(f, line);)
    if (line.find(" " + dir.string() + " ") != std::string::npos) return true;
  return false;
}

template <class F>
void wait_until(F f, const std::string& what) {
  for (auto deadline = Clock::now() + 10s; !f(); std::this_thread::sleep_for(10ms))
    if (Clock::now() > deadline) fail(what);
}

// Seconds for a shell command line to succeed.
double timed(const fs::path& dir, const std::string& cmdline) {
  auto t0 = Clock::now();
  Program p({"sh", "-c", cmdline}, dir / "sh.out", dir / "sh.err");
  p.succeed(cmdline);
  return since(t0);
}

void row(const char* what, double grio, double base, const char* unit, double target) {
  double ratio = grio / base;
  std::printf("%-44s %10.1f %10.1f %-5s %6.2f   %s\n", what, grio, base, unit, ratio,
              target > 0 ? (ratio >= target ? "target met" : "BELOW TARGET") : "");
}

}  // namespace

int main() {
  TempDir dir;
  fs::path src = dir.path / "src", out = dir.path / "out", mnt = dir.path / "m";
  fs::create_directory(mnt);
  make_file(src, big_bytes);
  double mb = big_bytes / 1e6;

  std::string addr = "unix!" + (dir.path / "ramfs").string();
  Program ramfs({GRIO_BINARY, "ramfs", "--listen", addr}, dir.path / "ramfs.out", dir.path / "ramfs.err");
  wait_until([&] { return slurp(dir.path / "ramfs.out").find("ramfs=") != std::string::npos; },
             "grio ramfs did not start");
  Program mount({GRIO_BINARY, "mount", addr, mnt.string()}, dir.path / "mount.out", dir.path / "mount.err");
  wait_until([&] { return mounted(mnt); }, "grio mount did not mount: " + slurp(dir.path / "mount.err"));

  std::string p9 = std::string(GRIO_BINARY) + " 9p -a '" + addr + "' ";
  timed(dir.path, p9 + "create big9p");
  double w9 = 1e9, r9 = 1e9, wm = 1e9, rm = 1e9;
  for (int i = 0; i < 2; i++) {
    w9 = std::min(w9, timed(dir.path, p9 + "write big9p < '" + src.string() + "'"));
    r9 = std::min(r9, timed(dir.path, p9 + "read big9p > '" + out.string() + "'"));
    if (fs::file_size(out) != big_bytes) fail("grio 9p read back " + std::to_string(fs::file_size(out)) + " bytes");
    wm = std::min(wm, timed(dir.path, "cat '" + src.string() + "' > '" + (mnt / "big").string() + "'"));
    rm = std::min(rm, timed(dir.path, "cat '" + (mnt / "big").string() + "' > '" + out.string() + "'"));
    if (slurp(out) != slurp(src)) fail("what came back through the mount is not what went in");
  }
  std::printf("grio mount benchmark (50 MB file on grio ramfs; ratio = mount / grio 9p, same run, best of 2)\n");
  std::printf("%-44s %10s %10s %-5s %6s\n", "", "mount", "grio 9p", "unit", "ratio");
  row("write: cat > DIR/big / grio 9p write", mb / wm, mb / w9, "MB/s", 0.5);
  row("read: cat DIR/big / grio 9p read", mb / rm, mb / r9, "MB/s", 0.5);

  auto st = mount.stop(SIGTERM);
  if (st != 0) fail("grio mount did not end cleanly on SIGTERM: " + slurp(dir.path / "mount.err"));
  if (mounted(mnt)) fail("still mounted after grio mount ended");
  return 0;
}

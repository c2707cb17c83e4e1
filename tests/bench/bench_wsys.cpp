// The window system: output throughput into a window, and what windows
// cost in memory, each beside a baseline measured in the same run.
//
//   throughput: a 50 MB text file cat into a window by
//   `grio window -m cat FILE` against a `grio serve` started here, timed
//   until grio window exits (it exits once cat is done and every byte was
//   written to cons); baseline: the same file cat on a pty whose master is
//   read to EOF and discarded. Each runs twice; the better run counts.
//   A 1 MB check run first proves the bytes reach the window.
//
//   memory (in process, no programs): RSS growth of one window after 1 MB
//   of output (its history is bounded: 640 000 runes, trimmed to 400 000),
//   beside the 4 bytes a rune the text needs; and of 1 000 idle windows,
//   beside sizeof(Window). Reported, no target.
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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

#include "term/pty.h"
#include "term/text.h"
#include "tests/bench/bench_util.h"
#include "tests/child.h"
#include "wsys/window_system.h"

using namespace grio;
using Clock = std::chrono::steady_clock;
using namespace grio::bench;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr size_t big_bytes = 50'000'000, check_bytes = 1'000'000;
constexpr auto run_limit = 120s;  // any one program; past it the bench fails


[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "bench_wsys: FAILED: %s\n", why.c_str());
  std::exit(1);
}


struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/grio-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) fail("mkdtemp");
    path = tmpl;
  }
  ~TempDir() { fs::remove_all(path); }
};


// A program of ours, run from argv with stdout and stderr in files; killed
// by its pid if it is still running when we are done with it.
class Program {
 public:
  Program(std::vector<std::string> args, const fs::path& out, const fs::path& err) : err_(err) {
    pid_ = grio::test::spawn(std::move(args), out, err);
    if (pid_ < 0) fail("fork");
  }
  ~Program() { kill(SIGKILL); }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // The exit status (128+n for signal n), or nothing if it runs past limit.
  std::optional<int> wait(std::chrono::milliseconds limit = run_limit) {
    auto st = grio::test::wait_exit(pid_, limit);
    if (st) pid_ = -1;
    return st;
  }
  // Waits, and fails the bench unless it exits 0 in time.
  void succeed(const std::string& what) {
    auto st = wait();
    if (!st) fail(what + ": still running after " + std::to_string(run_limit.count()) + " s");
    if (*st != 0) fail(what + ": exit status " + std::to_string(*st) + ": " + slurp(err_));
  }
  void kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    wait(5s);
    if (pid_ > 0) ::kill(pid_, SIGKILL), ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  fs::path err_;
};

// `grio serve` on a Unix socket in dir; stopped by SIGTERM at the end.
struct Serve {
  std::string addr;
  Program prog;
  explicit Serve(const fs::path& dir)
      : addr("unix!" + (dir / "wsys").string()),
        prog({GRIO_BINARY, "serve", "-l", addr}, dir / "serve.out", dir / "serve.err") {
    for (auto deadline = Clock::now() + 10s; slurp(dir / "serve.out").find("wsys=") == std::string::npos;) {
      if (Clock::now() > deadline) fail("grio serve did not start: " + slurp(dir / "serve.err"));
      std::this_thread::sleep_for(10ms);
    }
  }
  ~Serve() { prog.kill(SIGTERM); }
};

// Runs a grio subcommand to completion and returns its output.
std::string grio(const fs::path& dir, std::vector<std::string> args) {
  args.insert(args.begin(), GRIO_BINARY);
  Program p(args, dir / "grio.out", dir / "grio.err");
  p.succeed("grio " + args[1] + " " + args[2]);
  return slurp(dir / "grio.out");
}

// Seconds for `grio window -m cat file` to finish.
double window_cat(const Serve& s, const fs::path& dir, const fs::path& file) {
  auto t0 = Clock::now();
  Program w({GRIO_BINARY, "window", "--wsys", s.addr, "-m", "cat", file.string()}, dir / "win.out", dir / "win.err");
  w.succeed("grio window -m cat");
  return since(t0);
}

// Seconds for `cat file` on a pty whose master we read to the end.
double pty_cat(const fs::path& file) {
  auto t0 = Clock::now();
  std::string why;
  term::PtyConfig pc;
  pc.argv = {"cat", file.string()};
  auto p = term::start_pty(pc, why);
  if (!p) fail("start_pty: " + why);
  std::vector<char> buf(64 * 1024);
  for (auto deadline = Clock::now() + run_limit;;) {
    ssize_t n = ::read(p->master, buf.data(), buf.size());
    if (n > 0) continue;
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) break;  // EIO: every writer gone
    if (Clock::now() > deadline) fail("cat on a pty: still running");
    pollfd pf{p->master, POLLIN, 0};
    ::poll(&pf, 1, 100);
  }
  ::close(p->master);
  auto st = term::reap(p->pid, 10s);
  if (!st || !st->success()) fail("cat on a pty: " + (st ? st->to_string() : std::string("did not exit")));
  return since(t0);
}

// The window of a `-m sh -c 'cat file; sleep 5'` must show the end of the
// file (its history keeps only the last runes) while it is alive.
void check_window_gets_output(const Serve& s, const fs::path& dir, const fs::path& file) {
  std::string want = slurp(file);
  Program w({GRIO_BINARY, "window", "--wsys", s.addr, "-m", "sh", "-c", "cat '" + file.string() + "'; sleep 5"},
            dir / "check.out", dir / "check.err");
  std::string text;
  for (auto deadline = Clock::now() + 4s; Clock::now() < deadline; std::this_thread::sleep_for(50ms)) {
    std::string ls = grio(dir, {"9p", "-a", s.addr, "ls", "wsys"});
    if (ls.empty()) continue;  // the window is not made yet
    std::string id = ls.substr(0, ls.find('\n'));
    text = grio(dir, {"9p", "-a", s.addr, "read", "wsys/" + id + "/text"});
    // The history keeps at least lowater runes (the file is ASCII) once trimmed.
    if (!text.empty() && want.ends_with(text) && text.size() >= std::min(want.size(), term::TextConfig{}.lowater)) break;
    text.clear();
  }
  if (text.empty()) fail("the window's text never became the end of the file cat into it");
  w.succeed("grio window -m sh -c 'cat; sleep'");
}

// Resident set size in bytes, after giving freed memory back.
size_t rss() {
  ::malloc_trim(0);
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, resident = 0;
  f >> pages >> resident;
  if (!f) fail("cannot read /proc/self/statm");
  return resident * size_t(::sysconf(_SC_PAGESIZE));
}

// A window made as attach makes one: no program in it.
wsys::Window& new_window(wsys::WindowSystem& ws) {
  auto c = wsys::parse_wctl("new");
  if (!c) fail("parse_wctl: " + c.error());
  c->pid = 0;
  auto w = ws.create(*c);
  if (!w) fail("create: " + w.error());
  return **w;
}

void row(const char* what, double grio, double base, const char* unit, double target) {
  double ratio = grio / base;
  std::printf("%-40s %12.1f %12.1f %-5s %6.2f   %s\n", what, grio, base, unit, ratio,
              target > 0 ? (ratio >= target ? "target met" : "BELOW TARGET") : "");
}

void throughput() {
  TempDir dir;
  fs::path small = dir.path / "small.txt", big = dir.path / "big.txt";
  make_text(small, check_bytes);
  make_text(big, big_bytes);
  double mb = double(fs::file_size(big)) / 1e6;
  Serve s(dir.path);
  check_window_gets_output(s, dir.path, small);
  double best_pty = 1e9, best_win = 1e9;
  for (int i = 0; i < 2; i++) {
    best_pty = std::min(best_pty, pty_cat(big));
    best_win = std::min(best_win, window_cat(s, dir.path, big));
  }
  row("cat 50 MB: grio window -m / pty (best of 2)", mb / best_win, mb / best_pty, "MB/s", 0.5);
}

void memory() {
  asio::io_context io;
  {
    wsys::WindowSystem ws(io, wsys::WsysConfig{});
    size_t before = rss();
    wsys::Window& w = new_window(ws);
    term::OutputDecoder dec;
    const std::string chunk = "line of output for the memory bench, lorem ipsum dolor sit amet\n";
    for (size_t n = 0; n < 1'000'000; n += chunk.size()) ws.output(w, dec, chunk);
    size_t grew = rss() - before, runes = w.text.size();
    row("RSS, 1 window after 1 MB out / 4 B*runes", grew / 1e3, 4.0 * runes / 1e3, "KB", 0);
    term::TextConfig text;
    std::printf("%-40s %12zu runes held (bounded: %zu, trimmed to %zu)\n", "", runes, text.hiwater, text.lowater);
  }
  {
    constexpr int n = 1000;
    wsys::WsysConfig cfg;
    cfg.max_windows = n;  // above the default limit, to measure a window's cost
    wsys::WindowSystem ws(io, cfg);
    size_t before = rss();
    for (int i = 0; i < n; i++) new_window(ws);
    size_t grew = rss() - before;
    if (ws.window_count() != n) fail("made " + std::to_string(ws.window_count()) + " windows");
    row("RSS, 1000 idle windows / sizeof(Window)", grew / 1e3, n * sizeof(wsys::Window) / 1e3, "KB", 0);
    row("  per window", double(grew) / n, double(sizeof(wsys::Window)), "B", 0);
  }
}

}  // namespace

// With an argument, runs only that part: `cat` or `mem`.
int main(int argc, char** argv) {
  std::string only = argc > 1 ? argv[1] : "";
  std::signal(SIGPIPE, SIG_IGN);
  std::printf("window-system benchmark (ratio = grio / baseline, same run)\n");
  std::printf("%-40s %12s %12s %-5s %6s\n", "", "grio", "baseline", "unit", "ratio");
  std::fflush(stdout);
  if (only.empty() || only == "mem") memory();
  std::fflush(stdout);
  if (only.empty() || only == "cat") throughput();
  return 0;
}

// The platform file of term/: ptys, termios, fork/exec, signals, wait.
#include "term/pty.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

extern char** environ;

namespace grio::term {

namespace {

// Everything exec needs, built before fork: after fork only
// async-signal-safe calls may run (another thread may hold malloc's lock).
struct ExecPlan {
  std::vector<std::string> argv, envp;
  std::vector<char*> argv_ptrs, envp_ptrs;
  std::string dir;
};

std::vector<std::string> merged_env(const PtyConfig& cfg) {
  // TERM=dumb unless the caller names a TERM of its own: getenv finds the
  // first of two, so both must never be there.
  auto add = cfg.env;
  if (std::none_of(add.begin(), add.end(), [](auto& kv) { return kv.first == "TERM"; })) {
    add.insert(add.begin(), {"TERM", cfg.vt ? "xterm-256color" : "dumb"});
    if (cfg.vt) add.insert(add.begin() + 1, {"COLORTERM", "truecolor"});
  }
  std::vector<std::string> env;
  for (char** e = environ; *e; e++) {
    std::string_view kv(*e);
    std::string_view name = kv.substr(0, kv.find('='));
    bool replaced = false;
    for (auto& [k, v] : add)
      replaced |= name == k;
    if (!replaced)
      env.emplace_back(kv);
  }
  for (auto& [k, v] : add)
    env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (auto& s : strings)
    p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

ExecPlan plan(const PtyConfig& cfg) {
  ExecPlan x;
  x.argv = cfg.argv;
  if (x.argv.empty()) {
    const char* shell = getenv("SHELL");
    x.argv.push_back(shell && *shell ? shell : "/bin/sh");
  }
  x.envp = merged_env(cfg);
  x.argv_ptrs = pointers(x.argv);
  x.envp_ptrs = pointers(x.envp);
  x.dir = cfg.dir;
  return x;
}

// 9term's `stty tabs -onlcr icanon echo erase ^h intr ^?`, on the kernel's
// defaults for a new pty; iutf8 so that erase removes whole runes. A VT's
// pty keeps the kernel's defaults (xterm's), with iutf8.
bool set_modes(int fd, bool vt) {
  termios t{};
  if (tcgetattr(fd, &t) < 0)
    return false;
  if (vt) {
    t.c_iflag |= IUTF8;
    return tcsetattr(fd, TCSANOW, &t) == 0;
  }
  t.c_oflag &= ~(ONLCR | TABDLY);
  t.c_iflag |= IUTF8;
  t.c_lflag |= ICANON | ECHO;
  t.c_cc[VERASE] = 0x08;
  t.c_cc[VINTR] = 0x7F;
  return tcsetattr(fd, TCSANOW, &t) == 0;
}

// Opens a master (non-blocking, close-on-exec) and its slave, sized and in
// 9term's modes (or a VT's). Returns false with errno set.
bool open_pair(const PtyConfig& cfg, int& master, int& slave) {
  master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (master < 0)
    return false;
  char name[128];
  if (grantpt(master) < 0 || unlockpt(master) < 0 || ptsname_r(master, name, sizeof name) != 0) {
    int e = errno;
    close(master);
    errno = e;
    return false;
  }
  slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  winsize ws{cfg.rows, cfg.cols, 0, 0};
  if (slave < 0 || !set_modes(slave, cfg.vt) || ioctl(slave, TIOCSWINSZ, &ws) < 0) {
    int e = errno;
    if (slave >= 0)
      close(slave);
    close(master);
    errno = e;
    return false;
  }
  return true;
}

// Closes every descriptor from 3 up but keep: a second line of defence
// behind close-on-exec, so that no socket or file of the server (or of a
// library in it) reaches the program. A loop where close_range is missing.
void close_all_but(int keep) {
  unsigned k = unsigned(keep);
  if ((k == 3 || close_range(3, k - 1, 0) == 0) && close_range(k + 1, ~0U, 0) == 0)
    return;
  rlimit rl{};
  rlim_t max = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? std::min<rlim_t>(rl.rlim_cur, 1 << 20) : 1 << 16;
  for (int fd = 3; rlim_t(fd) < max; fd++)
    if (fd != keep)
      close(fd);
}

// The child's side; only async-signal-safe calls. Reports errno through
// report (close-on-exec, so a successful exec closes it unwritten).
[[noreturn]] void child(const ExecPlan& x, int slave, int report) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl{};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++)
    sigaction(s, &dfl, nullptr);  // the server's handlers and ignores are not the shell's
  int err = 0;
  if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
    err = errno;
  if (!err && (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0))
    err = errno;
  if (!err)
    close_all_but(report);
  if (!err && !x.dir.empty() && chdir(x.dir.c_str()) < 0)
    err = errno;
  if (!err) {
    execvpe(x.argv_ptrs[0], x.argv_ptrs.data(), x.envp_ptrs.data());
    err = errno;
  }
  ssize_t unused = write(report, &err, sizeof err);
  (void)unused;
  _exit(127);
}

// Parent: 0 once the child has exec'd, else the child's errno.
int exec_result(int report) {
  int err = 0;
  ssize_t n;
  do
    n = read(report, &err, sizeof err);
  while (n < 0 && errno == EINTR);
  return n == sizeof err ? err : 0;
}

}  // namespace

std::string ExitStatus::to_string() const {
  if (signal)
    return "signal " + std::to_string(signal);
  return code ? "exit " + std::to_string(code) : "";
}

std::optional<PtyProcess> start_pty(const PtyConfig& cfg, std::string& err) {
  ExecPlan x = plan(cfg);
  int master, slave, report[2];
  if (!open_pair(cfg, master, slave)) {
    err = std::strerror(errno);
    return std::nullopt;
  }
  if (pipe2(report, O_CLOEXEC) < 0) {
    err = std::strerror(errno);
    close(slave);
    close(master);
    return std::nullopt;
  }
  pid_t pid = fork();
  if (pid == 0)
    child(x, slave, report[1]);
  int fork_errno = errno;
  close(slave);
  close(report[1]);
  int exec_errno = pid < 0 ? fork_errno : exec_result(report[0]);
  close(report[0]);
  if (exec_errno) {
    if (pid > 0)
      waitpid(pid, nullptr, 0);  // it has _exit'ed already
    close(master);
    err = x.argv[0] + ": " + std::strerror(exec_errno);
    return std::nullopt;
  }
  return PtyProcess{master, pid};
}

bool resize(int master, unsigned short cols, unsigned short rows) {
  winsize ws{rows, cols, 0, 0};
  return ioctl(master, TIOCSWINSZ, &ws) == 0;
}

bool echo_enabled(int master) {
  termios t{};
  return tcgetattr(master, &t) == 0 && (t.c_lflag & ECHO);
}

bool canonical_enabled(int master) {
  termios t{};
  return tcgetattr(master, &t) == 0 && (t.c_lflag & ICANON);
}

namespace {

// The line discipline takes pty input in a kernel work item, after write()
// has returned. poll(2) on the slave waits for that work to finish when it
// finds no input ready for the program (n_tty_poll flushes the port's work
// before it answers "nothing"); when it finds input ready, that input has
// been through the line discipline.
bool input_ready(int slave) {
  pollfd p{slave, POLLIN, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

// How much of bytes to write at once so that, once written, "input ready"
// means all of it was taken: up to and including the first character that
// ends a line for a canonical tty (input ready from then on means that
// character, the last one written, went through), or one byte when the tty
// is not canonical.
size_t one_unit(const termios& t, std::string_view bytes) {
  if (!(t.c_lflag & ICANON))
    return 1;
  for (size_t i = 0; i < bytes.size(); i++) {
    unsigned char c = bytes[i];
    bool ends = c == '\n' || (c == '\r' && (t.c_iflag & ICRNL)) || c == t.c_cc[VEOF] ||
                (c && (c == t.c_cc[VEOL] || c == t.c_cc[VEOL2]));
    if (ends)
      return i + 1;
  }
  return bytes.size();
}

// With tty echo on: echo is off exactly while the kernel takes our bytes.
// Written only into an empty input queue (else EBUSY), a unit at a time,
// so that poll can say when the kernel has taken them (see input_ready).
long write_unechoed(int master, int slave, termios t, std::string_view bytes) {
  if (input_ready(slave)) {
    errno = EBUSY;
    return -1;
  }
  t.c_lflag &= ~ECHO;
  if (tcsetattr(master, TCSANOW, &t) < 0)
    return -1;
  ssize_t n = write(master, bytes.data(), one_unit(t, bytes));
  int e = errno;
  input_ready(slave);  // returns once the line discipline has run
  t.c_lflag |= ECHO;
  tcsetattr(master, TCSANOW, &t);
  errno = e;
  return n;
}

}  // namespace

long write_input(int master, std::string_view bytes) {
  termios t{};
  if (tcgetattr(master, &t) < 0 || !(t.c_lflag & ECHO))
    return write(master, bytes.data(), bytes.size());
  // The slave, opened through the master, only for poll: held open it would
  // keep the master from seeing the program's end.
  int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (slave < 0)
    return -1;
  long n = write_unechoed(master, slave, t, bytes);
  int e = errno;
  close(slave);
  errno = e;
  return n;
}

bool interrupt(const PtyProcess& p) {
  pid_t fg = tcgetpgrp(p.master);
  if (fg > 0 && kill(-fg, SIGINT) == 0)
    return true;
  return signal_group(p.pid, SIGINT);
}

bool signal_group(pid_t pid, int sig) { return pid > 0 && kill(-pid, sig) == 0; }

std::optional<ExitStatus> reap(pid_t pid, std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFSIGNALED(status))
        return ExitStatus{0, WTERMSIG(status)};
      return ExitStatus{WEXITSTATUS(status), 0};
    }
    if (r < 0 && errno != EINTR)
      return std::nullopt;  // not our child (or already reaped)
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace grio::term

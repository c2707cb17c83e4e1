// Programs on ptys: start one, size its terminal, watch its echo, signal and
// reap it. The only platform code of term/ (pty, termios, signals, fork).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace grio::term {

struct PtyConfig {
  std::vector<std::string> argv;  // empty: $SHELL, else /bin/sh
  // Added to (or replacing in) our environment, as is TERM=dumb unless
  // this names a TERM; e.g. {"wsys", "unix!/run/…"}, {"winid", "3"}.
  std::vector<std::pair<std::string, std::string>> env;
  std::string dir;  // working directory; empty: ours
  unsigned short cols = 80, rows = 24;
  // A terminal emulator's pty (VT windows and sessions): the kernel's
  // modes (erase ^?, intr ^C, onlcr) and TERM=xterm-256color with
  // COLORTERM=truecolor, instead of 9term's modes and TERM=dumb.
  bool vt = false;
};

// A program started on a pty. The master is non-blocking and close-on-exec;
// the child leads its own session and process group (pgid == pid) with the
// pty as controlling terminal.
struct PtyProcess {
  int master = -1;
  pid_t pid = -1;
};

// How a child ended: exit code, or the signal that killed it.
struct ExitStatus {
  int code = 0;    // valid when signal == 0
  int signal = 0;  // nonzero: killed by this signal
  bool success() const { return signal == 0 && code == 0; }
  std::string to_string() const;  // "" on success, else Plan 9 style "exit 3" / "signal 2"
};

// Starts cfg.argv on a new pty whose termios is 9term's (unless cfg.vt)
// (`stty tabs -onlcr icanon echo erase ^h intr ^?`, plus iutf8). Returns
// nothing and sets err (errno text, also for a failed exec or chdir, which
// the child reports back through a close-on-exec pipe) on failure; nothing
// is left running then. Forks: call off the io thread if that matters.
std::optional<PtyProcess> start_pty(const PtyConfig& cfg, std::string& err);

// Window size (TIOCSWINSZ: the program gets SIGWINCH).
bool resize(int master, unsigned short cols, unsigned short rows);

// Whether the program has tty echo on (on Linux the master reports the
// slave's termios). False when it cannot tell (e.g. the pty is closed).
bool echo_enabled(int master);
// Whether the program reads its tty a line at a time (icanon), as a
// password prompt does with echo off; readline and editors turn it off.
// False when it cannot tell.
bool canonical_enabled(int master);

// Writes typed input the window has already shown, 9term's way: tty echo
// is switched off around the write so the line is not shown twice. Linux
// hands pty input to the line discipline from a work queue, after write()
// returns, so echo comes back on only once poll(2) on the slave says the
// kernel has taken the bytes (see pty.cpp); for that to be exact, with echo
// on, it writes one line at a time (one byte when the program turned
// icanon off) and only when the program has read all earlier input.
// Returns bytes written, -1 with errno: EAGAIN, the master is full (wait
// for it to be writable); EBUSY, the program has not read earlier input
// yet (try again later: nothing tells us when it does).
// BUG: input that ends the program (^D to cat) races with the next one
// setting up the tty: bash's readline may save the modes while echo is
// off for our write (it then never echoes), or have its raw mode undone
// when echo comes back on. Seen under heavy load (ASan, parallel runs).
long write_input(int master, std::string_view bytes);

// DEL: SIGINT to the pty's foreground process group (the job the user sees,
// which an interactive shell may have put in a group of its own), else to
// the child's group.
bool interrupt(const PtyProcess& p);
// Any signal to the child's process group (SIGHUP when its window is
// deleted; the kernel also hangs up the session when the master closes).
bool signal_group(pid_t pid, int sig);

// Collects the child if it has exited, waiting at most `wait` for it.
// Nothing if it still runs (or is not our child).
std::optional<ExitStatus> reap(pid_t pid,
                               std::chrono::milliseconds wait = std::chrono::milliseconds(0));

}  // namespace grio::term

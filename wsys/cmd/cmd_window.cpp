// grio window: make a window in $wsys, after rio's window(1). The server runs
// the command in it, or with -m the command runs here, on a pty joined to
// the window's cons. With -vt the window is a terminal (xterm-256color). With --hub NAME the command is `grio hub NAME`, as
// Plan 9 runs hubshell in a rio window: the window shows a hub session.
// With --sub NAME the window hosts a new, empty sub-workspace NAME, and
// its address is printed; with --sandbox its programs run under bwrap
// (wsys/sandbox.h), with --net too with the network.
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "net/client.h"
#include "net/dial.h"
#include "term/pty.h"
#include "wsys/cmd/commands.h"
#include "wsys/cmd/quote.h"
#include "wsys/hub_keys.h"

namespace grio::cmd {

namespace {

using net::SyncClient;
using namespace ninep;

constexpr const char* kUsage =
    "usage: grio window [-m | -vt] [-r x0 y0 x1 y1] [-dx n] [-dy n] [-minx n] [-miny n] [-maxx n] [-maxy n]\n"
    "                   [-hide] [-scroll|-noscroll] [-cd dir] [--wsys ADDR]\n"
    "                   [--sub NAME [--sandbox [--net]] | --hub NAME [--hub-wsys ADDR] | cmd [arg ...]]\n";

struct Options {
  bool here = false;              // -m: run the command here
  bool vt = false;                // -vt: a terminal's screen (wctl new -vt)
  std::string geometry;           // the wctl options, as text: " -dx 300 -hide"
  std::optional<std::string> cd;  // -cd
  std::string addr;               // --wsys, else $wsys
  std::optional<std::string> hub;  // --hub: the session to show
  std::string hub_addr;           // --hub-wsys: the server holding it
  std::optional<std::string> sub;  // --sub: the sub-workspace to make
  std::string fence;               // --sandbox, --net: wctl's -sandbox, -net
  std::vector<std::string> argv;  // the command and its arguments
};

// Thrown to leave with "window: <why>"; never crosses window(). A Usage
// also prints the usage.
struct Fail {
  std::string why;
  int status = 1;  // the exit status
};
struct Usage {
  std::string why;  // empty: asked for (-h, --help)
};

// A number as wctl takes it: absolute, or relative with + or -.
bool is_number(const std::string& s) {
  size_t i = s[0] == '+' || s[0] == '-' ? 1 : 0;
  return i < s.size() && s.find_first_not_of("0123456789", i) == std::string::npos;
}

// rio's options are single-dash long names, -r takes four numbers that may
// be negative, and options end at the first word that is not one, so that
// the command's own options pass untouched. CLI11 would split -dx into -d
// -x and take -10 for an option, so the parsing is done by hand. Numbers
// stay text: the server applies relative ones to the window's rectangle.
Options parse(int argc, char** argv) {
  Options o;
  int i = 1;
  auto value = [&](const std::string& opt) -> std::string {
    if (i + 1 >= argc) throw Usage{opt + " needs a value"};
    return argv[++i];
  };
  auto number = [&](const std::string& opt) {
    std::string v = value(opt);
    if (!is_number(v)) throw Usage{opt + ": bad number '" + v + "'"};
    o.geometry += " " + opt + " " + v;
  };
  for (; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--") {
      i++;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    if (a == "-h" || a == "--help") throw Usage{};
    if (a == "-m") o.here = true;
    else if (a == "-r") {
      for (int k = 0; k < 4; k++) {
        if (i + 1 >= argc || !is_number(argv[i + 1])) throw Usage{"-r needs four numbers: x0 y0 x1 y1"};
        o.geometry += (k == 0 ? " -r " : " ") + std::string(argv[++i]);
      }
    } else if (a == "-dx" || a == "-dy" || a == "-minx" || a == "-miny" || a == "-maxx" || a == "-maxy")
      number(a);
    else if (a == "-hide" || a == "-scroll" || a == "-noscroll") o.geometry += " " + a;
    else if (a == "-vt") o.vt = true;
    else if (a == "-cd") o.cd = value(a);
    else if (a == "--wsys") o.addr = value(a);
    else if (a.starts_with("--wsys=")) o.addr = a.substr(7);
    else if (a == "--hub") o.hub = value(a);
    else if (a == "--hub-wsys") o.hub_addr = value(a);
    else if (a == "--sub") o.sub = value(a);
    else if (a == "--sandbox") o.fence += " -sandbox";
    else if (a == "--net") o.fence += " -net";
    else throw Usage{"unknown option " + a};
  }
  o.argv.assign(argv + i, argv + argc);
  if (o.hub && !o.argv.empty()) throw Usage{"--hub runs grio hub: give no command"};
  if (!o.hub && !o.hub_addr.empty()) throw Usage{"--hub-wsys needs --hub"};
  if (o.sub && (o.hub || o.here || o.cd || !o.argv.empty()))
    throw Usage{"--sub makes an empty workspace: no command, -m, -cd or --hub"};
  if (!o.fence.empty() && !o.sub) throw Usage{"--sandbox and --net need --sub"};
  if (o.vt && (o.here || o.sub)) throw Usage{"-vt runs the command in the window's own terminal: not with -m or --sub"};
  if (o.fence.find("-net") != std::string::npos && o.fence.find("-sandbox") == std::string::npos)
    throw Usage{"--net needs --sandbox"};
  return o;
}

// This very program, to run `grio hub` in the window. The server runs it
// by this path too, so the server is assumed to be on this machine.
// BUG: a window on a server elsewhere would need grio on its $PATH there.
std::string self() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("grio") : p.string();
}

// --hub: the command becomes `grio hub --wsys ADDR NAME`. The session's
// server is --hub-wsys, else $wsys, else the window's own server, so that
// `grio window --wsys B --hub io` shows here the session of $wsys on B.
// A VT session is shown in a VT window (its screen is a terminal's).
void hub_command(Options& o) {
  if (!o.hub) return;
  std::string addr = o.hub_addr;
  if (addr.empty())
    if (const char* w = std::getenv("wsys")) addr = w;
  if (addr.empty()) addr = o.addr;
  o.argv = {self(), "hub", "--wsys", addr, *o.hub};
  if (o.here) return;
  net::Error err;
  if (auto c = SyncClient::dial(addr, "none", err))
    if (auto ctl = c->walk_path("hub/" + *o.hub + "/ctl"); ctl && c->open(*ctl, OREAD))
      if (auto st = c->read(*ctl, 0, 8192); st && wsys::vt_session(*st)) o.vt = true;
}

// One sh word for the server's `sh -c`. A word that starts with '-' is
// quoted too, so the first one cannot pass for a wctl option.
std::string sh_quote(const std::string& s) {
  static const char* safe =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";
  bool plain = !s.empty() && s[0] != '-' && s.find_first_not_of(safe) == std::string::npos;
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string cwd() {
  std::error_code ec;
  auto p = std::filesystem::current_path(ec);
  if (ec) throw Fail{"cannot find the current directory: " + ec.message()};
  return p.string();
}

// Whether sh could start name as a command in dir: a name with a slash
// must be an executable file; any other must be a builtin of sh or on
// $PATH (sh's `command -v` decides). Said before any window is made, as
// the server's shell would say it only in a window that closes at once.
// A directory that cannot be entered is not our business: the server or
// the pty says why.
bool runnable(const std::string& name, const std::string& dir) {
  if (name.find('/') != std::string::npos) {
    std::filesystem::path p = name;
    if (p.is_relative()) p = std::filesystem::path(dir) / p;
    struct stat st{};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  }
  std::string sh = "cd " + sh_quote(dir) + " 2>/dev/null || exit 0; command -v -- " + sh_quote(name) + " >/dev/null 2>&1";
  int st = std::system(sh.c_str());
  return st == -1 || (WIFEXITED(st) && WEXITSTATUS(st) == 0);  // -1: cannot tell
}

// Exits 127, as sh does, when the command cannot be started.
void check_command(const Options& o) {
  if (o.argv.empty() || o.hub) return;
  if (!runnable(o.argv[0], o.cd ? *o.cd : cwd())) throw Fail{o.argv[0] + ": command not found", 127};
}

// The wctl options of the new window: geometry, then -cd (ours by default).
std::string spec(const Options& o) {
  return "new" + o.geometry + (o.vt ? " -vt" : "") + " -cd " + rc_quote(o.cd ? *o.cd : cwd());
}

template <class T>
T check(net::Result<T> r) {
  if (!r) throw Fail{r.error()};
  return std::move(*r);
}

std::unique_ptr<SyncClient> dial(const std::string& addr, const std::string& aname) {
  net::Error err;
  auto c = SyncClient::dial(addr, aname, err);
  if (!c) throw Fail{err};
  return c;
}

// A fid for path opened with mode.
uint32_t open(SyncClient& c, const std::string& path, uint8_t mode) {
  uint32_t fid = check(c.walk_path(path));
  if (auto r = c.open(fid, mode); !r) {
    c.clunk(fid);
    throw Fail{r.error()};
  }
  return fid;
}

void write_file(SyncClient& c, const std::string& path, const std::string& data) {
  uint32_t fid = open(c, path, OWRITE);
  auto r = c.write(fid, 0, data);
  c.clunk(fid);
  check(r);
}

std::string read_file(SyncClient& c, const std::string& path) {
  uint32_t fid = open(c, path, OREAD);
  auto r = c.read(fid, 0, c.msize() - IOHDRSZ);
  c.clunk(fid);
  return check(r);
}

// Without -m: the server makes the window and runs the command there.
int run_there(const Options& o) {
  std::string msg = spec(o);
  for (auto& w : o.argv) msg += " " + sh_quote(w);
  auto c = dial(o.addr, "none");
  write_file(*c, "wctl", msg);
  return 0;
}

// --sub: the server makes the window and the workspace in it, served on
// a socket beside its own (unix!P!NAME dials it, net/dial.h).
int run_sub(const Options& o) {
  auto c = dial(o.addr, "none");
  write_file(*c, "wctl", "new" + o.geometry + o.fence + " -sub " + *o.sub);
  std::string why;
  auto a = net::parse_address(o.addr, why);
  if (a && a->kind == net::Address::Unix) {
    if (!a->service.empty()) a->path = net::sub_socket(a->path, a->service);
    a->service = *o.sub;
    std::printf("wsys='%s'\n", net::to_string(*a).c_str());
  } else {
    std::printf("sub=%s\n", o.sub->c_str());  // reached on the server's machine, or by grio export sub/NAME
  }
  return 0;
}

// The command's stdio joined to a window's cons over one connection, used
// from two threads (SyncClient calls may overlap): this one relays the
// program's output, `reader` relays the lines typed in the window.
//
// The window follows the program's tty echo as a window of the server's
// own program does (text.h set_echo): while the program has echo off
// (readline, a password prompt) the window is in raw mode (consctl
// rawon), so that it does not show what the program shows itself; and
// the keys go to the program as the window treated them: unechoed by the
// tty when the window showed them, as they are when it did not.
class Relay {
 public:
  // Takes cons open for writing and for reading, and consctl for writing
  // (0: none, the window stays cooked).
  Relay(SyncClient& c, uint32_t cons_out, uint32_t cons_in, uint32_t consctl, term::PtyProcess p)
      : c_(c), p_(p), cons_out_(cons_out), cons_in_(cons_in), consctl_(consctl) {
    follow_echo();
    reader_ = std::thread([this] { read_input(); });
  }
  // Closes the connection, which ends the parked cons read and the window.
  ~Relay() {
    stopping_ = true;
    c_.close();
    reader_.join();
  }

  // Until the program is gone: its output into the window.
  term::ExitStatus run();

 private:
  void read_input();
  void follow_echo();
  bool send_input(std::string_view data);
  ssize_t fill(std::string& buf, size_t& got);
  void output(std::string_view data);
  void lost();

  SyncClient& c_;
  term::PtyProcess p_;
  uint32_t cons_out_, cons_in_, consctl_;
  std::atomic<bool> raw_ = false;  // the window is raw: typed keys were not shown
  std::atomic<bool> sending_ = false;  // send_input may have echo off for its write
  uint64_t out_off_ = 0;
  bool window_gone_ = false;  // output is dropped then
  std::atomic<bool> stopping_ = false;
  std::thread reader_;
};

// rio hangs up a window's processes when the window goes (delete, or the
// server gone); so do we, then wait for the program to end.
void Relay::lost() { term::signal_group(p_.pid, SIGHUP); }

// One typed line per read; a 0-byte read is ^D on an empty line, which
// the pty turns into end of file for the program.
void Relay::read_input() {
  for (;;) {
    auto r = c_.read(cons_in_, 0, c_.msize() - IOHDRSZ);
    if (!r) {
      if (!stopping_) lost();
      return;
    }
    if (!send_input(r->empty() ? std::string_view("\x04") : std::string_view(*r))) return;
  }
}

// Raw while the program has tty echo off. Called before the program's
// output goes to the window, so that a prompt written after turning echo
// off finds the window raw already, and while output is awaited.
void Relay::follow_echo() {
  if (sending_) return;  // write_input's own echo off is no news; looked at again shortly
  bool off = !term::echo_enabled(p_.master);
  if (!consctl_ || off == raw_) return;
  if (c_.write(consctl_, 0, off ? "rawon" : "rawoff")) raw_ = off;
}

// A line the window has shown must not be echoed by the tty again; keys
// the window took raw it did not show, and the tty may echo them.
bool Relay::send_input(std::string_view data) {
  struct Sending {
    std::atomic<bool>& on;
    explicit Sending(std::atomic<bool>& b) : on(b) { on = true; }
    ~Sending() { on = false; }
  } sending(sending_);
  while (!data.empty()) {
    long n = raw_ ? ::write(p_.master, data.data(), data.size()) : term::write_input(p_.master, data);
    if (n < 0 && errno != EAGAIN && errno != EINTR && errno != EBUSY) return false;
    if (n < 0) {
      // EBUSY: the program has not read earlier input; nothing signals when.
      pollfd pf{p_.master, POLLOUT, 0};
      ::poll(&pf, errno == EBUSY ? 0 : 1, errno == EBUSY ? 5 : 100);
      if (stopping_) return false;
      continue;
    }
    data.remove_prefix(size_t(n));
  }
  return true;
}

void Relay::output(std::string_view data) {
  if (window_gone_) return;
  auto r = c_.write(cons_out_, out_off_, std::string(data));
  if (!r) {
    window_gone_ = true;
    return lost();
  }
  out_off_ += *r;
}

// A pty read returns at most 4095 bytes; what else is already there goes
// in the same Twrite, so a fast writer costs one round trip per 64 KiB, not
// per 4 KiB. Never waits. Returns the last read's result.
ssize_t Relay::fill(std::string& buf, size_t& got) {
  ssize_t n;
  while ((n = ::read(p_.master, buf.data() + got, buf.size() - got)) > 0)
    if ((got += size_t(n)) == buf.size()) break;
  return n;
}

// The pty says EIO once every process has closed it. A program that exits
// while something it started still holds the pty ends the relay too, a
// moment later: what it wrote before exiting has been read by then.
term::ExitStatus Relay::run() {
  using clock = std::chrono::steady_clock;
  std::string buf(c_.msize() - IOHDRSZ, '\0');
  std::optional<term::ExitStatus> status;
  clock::time_point grace;
  for (;;) {
    if (!status && (status = term::reap(p_.pid))) grace = clock::now() + std::chrono::milliseconds(200);
    if (status && clock::now() > grace) break;
    size_t got = 0;
    ssize_t n = fill(buf, got);
    if (!status) follow_echo();
    if (got > 0) {
      output(std::string_view(buf).substr(0, got));
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) break;
    pollfd pf{p_.master, POLLIN, 0};
    ::poll(&pf, 1, 50);
  }
  if (!status) status = term::reap(p_.pid, std::chrono::hours(24 * 365));
  return status.value_or(term::ExitStatus{1, 0});
}

std::string basename_of(const std::string& path) {
  auto name = std::filesystem::path(path).filename().string();
  return name.empty() ? path : name;
}

// With -m: the window is made by attaching, and the command runs here.
// Unlike rio's window -m we stay in the foreground and exit with the
// command's status (the shell's & puts us in the background).
// BUG: DEL in the window does not interrupt the command: rio signals the
// -pid group, which means nothing on another machine, and 9P has no way
// to tell us (but in raw mode, while the command has echo off, DEL goes
// to the pty as its interrupt character). The pty stays 80x24 whatever
// the window's size.
int run_here(Options o) {
  if (o.argv.empty()) {
    const char* sh = std::getenv("SHELL");
    o.argv = {sh && *sh ? sh : "/bin/sh"};
  }
  auto c = dial(o.addr, spec(o));
  std::string id = read_file(*c, "winid");
  std::erase(id, ' ');
  write_file(*c, "label", basename_of(o.argv[0]));
  uint32_t cons_out = open(*c, "cons", OWRITE), cons_in = open(*c, "cons", OREAD);
  uint32_t consctl = 0;  // exclusive: if another has it, the window stays cooked
  try {
    consctl = open(*c, "consctl", OWRITE);
  } catch (const Fail&) {
  }

  term::PtyConfig pc;
  pc.argv = o.argv;
  pc.env = {{"wsys", o.addr}, {"winid", id}};
  if (o.cd) pc.dir = *o.cd;
  std::string why;
  auto p = term::start_pty(pc, why);
  if (!p) throw Fail{o.argv[0] + ": " + why};
  term::ExitStatus st;
  {
    Relay relay(*c, cons_out, cons_in, consctl, *p);
    st = relay.run();
  }
  ::close(p->master);
  return st.signal ? 128 + st.signal : st.code;
}

}  // namespace

int window(int argc, char** argv) {
  try {
    Options o = parse(argc, argv);
    if (o.addr.empty())
      if (const char* w = std::getenv("wsys")) o.addr = w;
    if (o.addr.empty()) throw Fail{"no window system: use --wsys ADDR or set $wsys"};
    hub_command(o);
    check_command(o);
    if (o.sub) return run_sub(o);
    return o.here ? run_here(std::move(o)) : run_there(o);
  } catch (const Fail& f) {
    std::fprintf(stderr, "window: %s\n", f.why.c_str());
    return f.status;
  } catch (const Usage& u) {
    if (u.why.empty()) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    std::fprintf(stderr, "window: %s\n%s", u.why.c_str(), kUsage);
    return 2;
  }
}

}  // namespace grio::cmd

// grio hub: start or attach to a shell session in $wsys's hub/, after
// hubfs's hub and hubshell. Output of hubs 1 and 2 goes to this terminal,
// what is typed goes to hub 0 a keystroke at a time (the session's pty
// echoes it), lines starting with % are our commands, ^D sends `eof 0`,
// DEL sends `interrupt` to the note hub. --local shares a shell running
// here into the server's session instead.
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "net/client.h"
#include "term/pty.h"
#include "wsys/cmd/commands.h"

namespace grio::cmd {

namespace {

using net::SyncClient;
using namespace ninep;

constexpr const char* kUsage = "usage: grio hub [--watch] [--local] [--wsys ADDR] [NAME]\n";
constexpr const char* kCommands =
    "%detach %attach NAME %remote NAME %local NAME %list %status %eof %fear %calm %trunc %notrunc\n";

// ---- the local terminal, restored on every way out --------------------------

termios saved;
bool raw_on = false;

void restore_terminal() {
  if (raw_on) tcsetattr(0, TCSAFLUSH, &saved);
  raw_on = false;
}

void on_fatal_signal(int sig) {
  restore_terminal();
  signal(sig, SIG_DFL);
  raise(sig);
}

// Keystrokes come to us as typed (no echo, no signals from ^C); output
// processing stays on, so the session's bare newlines still return.
void raw_terminal() {
  if (!isatty(0) || tcgetattr(0, &saved) != 0) return;
  termios t = saved;
  t.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
  t.c_iflag &= ~(IXON | ICRNL | INLCR | ISTRIP);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  if (tcsetattr(0, TCSAFLUSH, &t) != 0) return;
  raw_on = true;
  std::atexit(restore_terminal);
  for (int s : {SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV}) signal(s, on_fatal_signal);
}

void say(const std::string& s) {
  std::string out = raw_on ? "\r" + s : s;
  if (raw_on) {
    for (size_t i = 1; (i = out.find('\n', i)) != std::string::npos; i += 2) out.insert(i, "\r");
  }
  (void)!::write(2, out.data(), out.size());
}

// ---- one attachment ------------------------------------------------------------

struct Options {
  bool watch = false, local = false;
  std::string addr, name = "io";
};

// How an attachment ended.
struct Outcome {
  enum Kind { Detached, Ended, Switch, Local, Failed } kind;
  std::string arg;  // the session to switch to; why it ended or failed
};

class Attachment {
 public:
  Attachment(const Options& o, std::unique_ptr<SyncClient> c) : o_(o), c_(std::move(c)) {}
  ~Attachment() {
    c_->close();
    for (auto& t : readers_) t.join();
  }
  std::string open();
  Outcome run();

 private:
  void pump(uint32_t fid, int fd);
  Outcome input(std::string_view bytes);
  Outcome command(const std::string& line);
  bool send(uint32_t fid, const std::string& s);
  std::string ctl_text();

  const Options& o_;
  std::unique_ptr<SyncClient> c_;
  uint32_t in_ = 0, out_ = 0, err_ = 0, note_ = 0, ctl_ = 0;
  std::vector<std::thread> readers_;
  std::mutex m_;
  int finished_ = 0;        // pumps that saw the session end
  std::string why_;
  int wake_[2] = {-1, -1};  // the readers tell the input loop the session ended
  bool line_start_ = true;
  std::string cmd_;         // a % line being typed
  bool in_cmd_ = false;
};

// Walks to the session's files, starting the session if it does not exist.
std::string Attachment::open() {
  std::string dir = "hub/" + o_.name + "/";
  if (!c_->walk_path(dir + "ctl")) {
    if (o_.watch) return "no session " + o_.name;
    auto ctl = c_->walk_path("hub/ctl");
    if (!ctl) return "no hub/ in " + o_.addr + ": " + ctl.error();
    if (auto e = c_->open(*ctl, OWRITE); !e) return e.error();
    auto w = c_->write(*ctl, 0, "new " + o_.name);
    c_->clunk(*ctl);
    if (!w && w.error() != "file already exists") return w.error();
  }
  auto file = [&](const char* n, uint8_t mode, uint32_t& fid) -> std::string {
    auto f = c_->walk_path(dir + n);
    if (!f) return dir + n + ": " + f.error();
    if (auto e = c_->open(*f, mode); !e) return dir + n + ": " + e.error();
    fid = *f;
    return {};
  };
  // Tail readers: a terminal that cannot keep up skips to the latest
  // output (with a marker saying how much) instead of falling behind.
  for (auto e : {file("1", OREAD | OTRUNC, out_), file("2", OREAD | OTRUNC, err_),
                 file("ctl", o_.watch ? OREAD : ORDWR, ctl_)})
    if (!e.empty()) return e;
  if (!o_.watch)
    for (auto e : {file("0", OWRITE, in_), file("note", OWRITE, note_)})
      if (!e.empty()) return e;
  return {};
}

std::string Attachment::ctl_text() {
  auto r = c_->read(ctl_, 0, 8192);
  return r ? *r : "";
}

// Copies a hub to fd. End of file is the user's `eof`, unless the session
// says it has ended; the client leaves when both pumps have seen that.
void Attachment::pump(uint32_t fid, int fd) {
  uint32_t n = c_->msize() - IOHDRSZ;
  for (;;) {
    auto r = c_->read(fid, 0, n);
    if (!r) return;  // the connection closed: we are leaving
    if (r->empty()) {
      auto st = ctl_text();
      if (st.rfind("session " + o_.name + " running", 0) == 0 || st.rfind("session " + o_.name + " shared", 0) == 0)
        continue;
      // Both hubs are drained before we say the session ended.
      std::lock_guard l(m_);
      why_ = st.substr(0, st.find('\n'));
      if (++finished_ == 2) (void)!::write(wake_[1], "x", 1);
      return;
    }
    for (size_t at = 0; at < r->size();) {
      ssize_t k = ::write(fd, r->data() + at, r->size() - at);
      if (k <= 0) return;
      at += size_t(k);
    }
  }
}

bool Attachment::send(uint32_t fid, const std::string& s) {
  if (o_.watch) return false;
  return bool(c_->write(fid, 0, s));
}

Outcome Attachment::run() {
  if (::pipe(wake_) != 0) return {Outcome::Failed, "pipe"};
  readers_.emplace_back([this] { pump(out_, 1); });
  readers_.emplace_back([this] { pump(err_, 2); });
  char buf[4096];
  Outcome out{Outcome::Detached, ""};
  for (;;) {
    pollfd p[2] = {{0, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) continue;
    if (p[1].revents) {
      std::lock_guard l(m_);
      out = {Outcome::Ended, why_};
      break;
    }
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n <= 0) {  // stdin ended (a pipe): end of file for the session too
      if (o_.watch) break;
      send(ctl_, "eof 0");
      p[0].fd = -1;
      ::poll(&p[1], 1, -1);
      std::lock_guard l(m_);
      out = {Outcome::Ended, why_};
      break;
    }
    out = input(std::string_view(buf, size_t(n)));
    if (out.kind != Outcome::Detached || out.arg == "detach") break;
  }
  ::close(wake_[0]);
  ::close(wake_[1]);
  return out;
}

// Typed bytes: plain runs go to hub 0 as they come; ^D, DEL and % lines
// are ours. arg "detach" (with kind Detached) means leave.
Outcome Attachment::input(std::string_view bytes) {
  std::string run;
  auto flush = [&] {
    if (!run.empty()) send(in_, run);
    run.clear();
  };
  for (char ch : bytes) {
    if (in_cmd_) {
      if (ch == '\r' || ch == '\n') {
        in_cmd_ = false;
        say("\n");
        auto o = command(cmd_);
        if (o.kind != Outcome::Detached || o.arg == "detach") return o;
        line_start_ = true;
      } else if (ch == '\b' || ch == 0x7f) {
        if (cmd_.size() > 1) cmd_.pop_back(), say("\b \b");
      } else {
        cmd_ += ch;
        if (raw_on) say(std::string(1, ch));
      }
      continue;
    }
    if (ch == '%' && line_start_) {
      flush();
      in_cmd_ = true;
      cmd_ = "%";
      if (raw_on) say("%");
      continue;
    }
    if (ch == 0x04) {
      flush();
      send(ctl_, "eof 0");
    } else if (ch == 0x7f) {
      flush();
      send(note_, "interrupt\n");
    } else {
      run += ch;
    }
    line_start_ = ch == '\r' || ch == '\n';
  }
  flush();
  return {Outcome::Detached, ""};
}

Outcome Attachment::command(const std::string& line) {
  std::vector<std::string> w;
  for (size_t i = 1; i < line.size();) {
    size_t sp = line.find(' ', i);
    if (sp == std::string::npos) sp = line.size();
    if (sp > i) w.push_back(line.substr(i, sp - i));
    i = sp + 1;
  }
  std::string verb = w.empty() ? "" : w[0];
  std::string arg = w.size() > 1 ? w[1] : "";
  if (verb == "detach") return {Outcome::Detached, "detach"};
  if ((verb == "attach" || verb == "remote") && !arg.empty()) return {Outcome::Switch, arg};
  if (verb == "local" && !arg.empty() && !o_.watch) return {Outcome::Local, arg};
  if (verb == "list") {
    auto d = c_->walk_path("hub/ctl");
    auto r = d ? c_->open(*d, OREAD) : net::Result<Ropen>::error("");
    auto s = r ? c_->read(*d, 0, 8192) : net::Result<std::string>::error("");
    if (d) c_->clunk(*d);
    say(s ? *s : "cannot list hub/\n");
  } else if (verb == "status") {
    say(ctl_text());
  } else if (!o_.watch && (verb == "eof" || verb == "fear" || verb == "calm" || verb == "trunc" || verb == "notrunc")) {
    send(ctl_, verb == "eof" ? "eof 0" : verb);
  } else {
    say(kCommands);
  }
  return {Outcome::Detached, ""};
}

std::unique_ptr<SyncClient> dial(const Options& o, std::string& err) {
  return SyncClient::dial(o.addr, o.watch ? "watch" : "none", err);
}

// ---- --local: a shell here, served into the server's session ---------------------

// Pumps a local pty to and from hub/NAME (made with Tcreate of a directory),
// until the shell exits; then removes the session, which tells its clients.
class Share {
 public:
  std::string start(const Options& o);
  void wait();

 private:
  void out_pump();
  void in_pump(uint32_t fid, bool notes);
  std::unique_ptr<SyncClient> c_;
  term::PtyProcess p_;
  uint32_t dir_ = 0, out_ = 0;
  std::vector<std::thread> threads_;
};

std::string Share::start(const Options& o) {
  std::string err;
  c_ = SyncClient::dial(o.addr, "none", err);
  if (!c_) return err;
  auto hub = c_->walk_path("hub");
  if (!hub) return "no hub/: " + hub.error();
  if (auto r = c_->create(*hub, o.name, DMDIR | 0777, OREAD); !r) return "hub/" + o.name + ": " + r.error();
  dir_ = *hub;
  auto open = [&](const char* n, uint8_t mode) {
    auto f = c_->walk_path("hub/" + o.name + "/" + n);
    if (!f || !c_->open(*f, mode)) throw std::runtime_error(std::string("cannot open ") + n);
    return *f;
  };
  uint32_t in = open("0", OREAD), note = open("note", OREAD);
  out_ = open("1", OWRITE);
  c_->write(open("ctl", OWRITE), 0, "fear 0");  // typed input waits for the shell, as the server's sessions do
  term::PtyConfig pc;
  pc.env = {{"hub", o.name}};
  auto p = term::start_pty(pc, err);
  if (!p) return err;
  p_ = *p;
  threads_.emplace_back([this] { out_pump(); });
  threads_.emplace_back([this, in] { in_pump(in, false); });
  threads_.emplace_back([this, note] { in_pump(note, true); });
  return {};
}

void Share::out_pump() {
  std::string buf(32768, '\0');
  for (;;) {
    pollfd p{p_.master, POLLIN, 0};
    ::poll(&p, 1, -1);
    ssize_t n = ::read(p_.master, buf.data(), buf.size());
    if (n < 0 && errno == EAGAIN) continue;
    if (n <= 0) break;
    if (!c_->write(out_, 0, buf.substr(0, size_t(n)))) break;
  }
  c_->remove(dir_);  // the session ends: its clients are told
  c_->close();
}

void Share::in_pump(uint32_t fid, bool notes) {
  for (;;) {
    auto r = c_->read(fid, 0, 32768);
    if (!r) return;
    std::string s = r->empty() ? std::string("\x04") : *r;
    if (notes) {
      if (s.find("interrupt") != std::string::npos) term::interrupt(p_);
      if (s.find("hangup") != std::string::npos) term::signal_group(p_.pid, SIGHUP);
      if (s.find("kill") != std::string::npos) term::signal_group(p_.pid, SIGKILL);
      continue;
    }
    for (size_t at = 0; at < s.size();) {
      ssize_t k = ::write(p_.master, s.data() + at, s.size() - at);
      if (k < 0 && errno == EAGAIN) {
        pollfd p{p_.master, POLLOUT, 0};
        ::poll(&p, 1, 1000);
        continue;
      }
      if (k <= 0) return;
      at += size_t(k);
    }
  }
}

void Share::wait() {
  threads_[0].join();
  for (size_t i = 1; i < threads_.size(); i++) threads_[i].join();
  term::reap(p_.pid, std::chrono::milliseconds(1000));
}

// ---- the command -------------------------------------------------------------------

Outcome attach(const Options& o) {
  std::string err;
  auto c = dial(o, err);
  if (!c) return {Outcome::Failed, err};
  Attachment a(o, std::move(c));
  if (auto e = a.open(); !e.empty()) return {Outcome::Failed, e};
  if (raw_on) say("grio hub: attached to " + o.name + " (%detach to leave)\n");
  return a.run();
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--watch") o.watch = true;
    else if (a == "--local") o.local = true;
    else if (a == "--wsys" && i + 1 < argc) o.addr = argv[++i];
    else if (a.starts_with("--wsys=")) o.addr = a.substr(7);
    else if (!a.empty() && a[0] != '-' && o.name == "io") o.name = a;
    else return false;
  }
  if (o.addr.empty() && getenv("wsys")) o.addr = getenv("wsys");
  return !o.addr.empty() && !(o.watch && o.local);
}

}  // namespace

int hub(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<Share> share;
  for (;;) {
    if (o.local) {
      share = std::make_unique<Share>();
      std::string e;
      try {
        e = share->start(o);
      } catch (const std::exception& x) {
        e = x.what();
      }
      if (!e.empty()) {
        say("grio hub: " + e + "\n");
        return 1;
      }
      o.local = false;
    }
    raw_terminal();
    auto out = attach(o);
    restore_terminal();
    if (out.kind == Outcome::Switch || out.kind == Outcome::Local) {
      o.name = out.arg;
      o.local = out.kind == Outcome::Local;
      continue;
    }
    if (share) share->wait();
    if (out.kind == Outcome::Failed) {
      say("grio hub: " + out.arg + "\n");
      return 1;
    }
    if (out.kind == Outcome::Ended) say("grio hub: session " + o.name + " ended: " + out.arg + "\n");
    return 0;
  }
}

}  // namespace grio::cmd

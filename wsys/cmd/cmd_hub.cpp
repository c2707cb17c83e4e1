// grio hub: start or attach to a shell session in $wsys's hub/, after
// hubfs's hub and hubshell. Output of hubs 1 and 2 goes to this terminal,
// what is typed goes to hub 0 a keystroke at a time (the session's pty
// echoes it), lines starting with % are our commands, ^D sends `eof 0`,
// DEL sends `interrupt` to the note hub. --local shares a shell running
// here into the server's session instead.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "net/client.h"
#include "net/errors.h"
#include "net/hub.h"
#include "term/pty.h"
#include "wsys/cmd/commands.h"
#include "wsys/hub_keys.h"
#include "wsys/onlcr.h"

namespace grio::cmd {

namespace {

using net::SyncClient;
using namespace ninep;
using wsys::Key;
using wsys::split_keys;

constexpr const char* kUsage = "usage: grio hub [--watch] [--local] [--vt] [--wsys ADDR] [NAME]\n";
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
// processing is off, as tmux turns it off: the kernel then copies our
// output in bulk instead of byte by byte, and the session's bare newlines
// are made \r\n by the pumps (Onlcr) and say().
void raw_terminal() {
  if (!isatty(0) || tcgetattr(0, &saved) != 0) return;
  termios t = saved;
  t.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
  t.c_iflag &= ~(IXON | ICRNL | INLCR | ISTRIP);
  t.c_oflag &= ~OPOST;
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

// Echoes a % line as it is typed, where the terminal's cursor is: after
// the prompt, not from column 0 as say()'s messages (in a window, a \r
// before the text would erase the line it is typed on).
void echo(const std::string& s) {
  if (raw_on) (void)!::write(2, s.data(), s.size());
}

// ---- one attachment ------------------------------------------------------------

struct Options {
  bool watch = false, local = false;
  bool vt = false;  // --vt: start the session as a terminal's (hub/ctl new NAME -vt)
  std::string addr, name = "io";
};

// How an attachment ended.
struct Outcome {
  enum Kind { Detached, Ended, Switch, Local, Failed } kind;
  std::string arg;  // the session to switch to; why it ended or failed
};

// Copies a hub to fd on the client's io thread, so output is written the
// moment its reply arrives, with no hand-over to another thread on the way
// of every echo. End of file is the user's `eof`, unless the session says
// it has ended; then ended(why) is called, once.
//
// Under a flood a terminal shows the latest output, not every byte: once the
// hub skips us ahead (a read gives its loss marker), the pump reads at most
// flood_bytes after each marker and waits for the next flood_frame before
// reading again, as a terminal redraws once a frame
// (mosh paces its frames so too). So sixteen clients of a flooding session
// leave the CPU to the program and the server instead of pushing megabytes
// nobody can read through their ptys. The first read that needs no skip
// goes back to full speed, so the end of the output arrives whole; under
// `fear` nothing is skipped and nothing is paced.
//
// A watcher's pump (--watch: nobody types there) also waits for the next
// frame after a read that did not fill its count: echoes and prompts reach
// it a frame at a time, batched, instead of waking it (and, through its
// next read, the server) for every key someone else types. A full read
// means more is waiting and is not paced, so a watcher never slows a
// session in `fear`.
class Pump : public std::enable_shared_from_this<Pump> {
 public:
  static constexpr auto flood_frame = std::chrono::milliseconds(20);
  static constexpr uint32_t flood_bytes = 16 * 1024;  // a screenful or two

  Pump(SyncClient& c, const std::string& session, uint32_t fid, uint32_t ctl, int fd, bool watcher, bool vt,
       std::function<void(std::string)> ended)
      : c_(c.async()),
        timer_(c.io()),
        session_(session),
        fid_(fid),
        ctl_(ctl),
        fd_(fd),
        watcher_(watcher),
        ended_(std::move(ended)) {
    // Newlines are ours to translate where the terminal does not; a VT
    // session's pty translates its own, or its program wants them bare.
    termios t{};
    onlcr_ = !vt && ::tcgetattr(fd, &t) == 0 && !(t.c_oflag & OPOST);
  }
  // On the io thread.
  void start() { read(); }
  void stop() {
    stopped_ = true;
    timer_.cancel();
  }

 private:
  void read();
  void got(net::Result<Msg> r);
  void ended_or_eof(const std::string& state);
  bool write_all(std::string_view bytes);

  net::Client& c_;
  asio::steady_timer timer_;
  const std::string session_;
  const uint32_t fid_, ctl_;
  const int fd_;
  const bool watcher_;
  std::function<void(std::string)> ended_;
  bool stopped_ = false;
  net::TailShow show_;  // markers held and summed; pace after a flood
  bool onlcr_ = false;  // fd_ is a terminal with output processing off
  wsys::Onlcr newlines_;
  std::chrono::steady_clock::time_point last_;  // the last read went out
  uint32_t asked_ = 0;                          // and asked for so many bytes
};

void Pump::read() {
  if (stopped_) return;
  uint32_t n = c_.msize() - IOHDRSZ;
  last_ = std::chrono::steady_clock::now();
  asked_ = show_.flooded() || show_.skipping() ? std::min(n, flood_bytes) : n;
  c_.rpc(Tread{fid_, 0, asked_},
         [self = shared_from_this()](net::Result<Msg> r) { self->got(std::move(r)); });
}

void Pump::got(net::Result<Msg> r) {
  if (stopped_) return;
  if (!r) return ended_(r.error());  // the connection or the session is gone
  const std::string& data = std::get<Rread>(*r).data;
  if (data.empty()) {
    if (!write_all(show_.flush())) return;
    c_.rpc(Tread{ctl_, 0, 8192}, [self = shared_from_this()](net::Result<Msg> st) {
      if (!self->stopped_) self->ended_or_eof(st ? std::get<Rread>(*st).data : "");
    });
    return;
  }
  // Markers are held until data comes (TailShow); the read after that
  // data waits for the next frame.
  auto before = show_.take(data);
  if (!before) return read();
  if (!write_all(*before)) return;
  bool paced = show_.flooded() || (watcher_ && data.size() < asked_);
  if (!write_all(data) || !paced) return read();
  timer_.expires_at(last_ + flood_frame);
  timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (!ec) self->read();
  });
}

bool Pump::write_all(std::string_view bytes) {
  if (onlcr_) bytes = newlines_(bytes);
  for (size_t at = 0; at < bytes.size();) {
    ssize_t k = ::write(fd_, bytes.data() + at, bytes.size() - at);
    if (k <= 0) return false;
    at += size_t(k);
  }
  return true;
}

// An empty read: the session's ctl says whether it still runs.
void Pump::ended_or_eof(const std::string& state) {
  if (state.starts_with("session " + session_ + " running") || state.starts_with("session " + session_ + " shared"))
    return read();
  ended_(state.substr(0, state.find('\n')));
}

// One attachment to a session. Everything on the way of a keystroke and its
// echo runs on the client's io thread: stdin is read there (reopened, so
// making it non-blocking touches no one else's terminal), typed runs go to
// hub 0 as they are read and the pumps write the hubs' output, so the path
// has no more hops than tmux's. A % line is handed to the calling thread,
// which runs it with blocking calls; stdin waits meanwhile.
class Attachment {
 public:
  static constexpr size_t max_command = 1024;  // of a % line, as the server's hand-over keeps
  Attachment(const Options& o, std::unique_ptr<SyncClient> c) : o_(o), c_(std::move(c)) {}
  ~Attachment();
  std::string open();
  Outcome run();

 private:
  // What the io thread tells the calling thread.
  struct Event {
    enum Kind { Ended, Command, KeysEnded } kind;
    std::string text;  // why the session ended; the % line
  };
  void tell(Event e);
  Event next_event();

  bool hand_over();

  // On the io thread.
  void ended(const std::string& why);
  void next_tty_event();
  void resume();
  void wait_keys();
  void read_keys();
  void take_keys();
  void keys_sent();
  size_t take(std::string_view bytes);
  void edit_command(char ch);
  void send(uint32_t fid, std::string s);
  std::string size_line() const;  // `size COLS ROWS` of our terminal, or ""
  void send_size();
  void wait_winch();

  Outcome command(const std::string& line);
  std::string ctl_text();

  Options o_;  // watch set by open() when the connection may only watch
  std::unique_ptr<SyncClient> c_;
  uint32_t in_ = 0, out_ = 0, err_ = 0, note_ = 0, ctl_ = 0;
  uint32_t tty_ = 0;  // the terminal is the server's (hand_over)
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // false once we are leaving
  std::vector<std::shared_ptr<Pump>> pumps_;
  int finished_ = 0;  // pumps that saw the session end
  int keys_fd_ = -1;  // stdin, reopened; keys_ holds it while we read it
  std::unique_ptr<asio::posix::stream_descriptor> keys_;
  std::unique_ptr<asio::signal_set> winch_;  // this terminal resized
  bool keys_ready_ = false;  // stdin needs no polling (a regular file)
  bool keys_ended_ = false;  // stdin ended: nothing more to read
  std::string typed_;        // read and not taken yet: what follows a % line
  int sending_ = 0;          // typed writes not answered yet
  bool told_read_only_ = false;  // a watcher typed: told once that keys go nowhere
  bool taking_ = false;      // in take_keys: a write answered at once waits for it
  bool line_start_ = true;
  bool vt_ = false;  // a VT session: ^D and DEL are the session tty's, newlines its own
  std::string cmd_;  // a % line being typed
  bool in_cmd_ = false, cmd_done_ = false;

  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Event> events_;
};

Attachment::~Attachment() {
  if (tty_) c_->clunk(tty_);  // answered once the server has let the terminal go
  c_->run_on_io([this] {
    *alive_ = false;
    winch_.reset();
    for (auto& p : pumps_) p->stop();
    if (keys_) keys_.reset();  // closes keys_fd_
    else if (keys_fd_ >= 0) ::close(keys_fd_);
  });
  c_->close();
}

void Attachment::tell(Event e) {
  std::lock_guard l(m_);
  events_.push_back(std::move(e));
  cv_.notify_one();
}

Attachment::Event Attachment::next_event() {
  std::unique_lock l(m_);
  cv_.wait(l, [this] { return !events_.empty(); });
  Event e = std::move(events_.front());
  events_.pop_front();
  return e;
}

// Walks to the session's files, starting the session if it does not exist.
std::string Attachment::open() {
  std::string dir = "hub/" + o_.name + "/";
  if (!c_->walk_path(dir + "ctl")) {
    if (o_.watch) return "no session " + o_.name;
    auto ctl = c_->walk_path("hub/ctl");
    if (!ctl) return "no session " + o_.name + " in " + o_.addr + ", and none can be started there (hub/ctl: " + ctl.error() + ")";
    if (auto e = c_->open(*ctl, OWRITE); !e) return "no session " + o_.name + ", and starting one: " + e.error();
    auto w = c_->write(*ctl, 0, "new " + o_.name + (o_.vt ? " -vt" : ""));
    c_->clunk(*ctl);
    if (!w && w.error() != "file already exists") return "no session " + o_.name + ", and starting one: " + w.error();
    // Attaching starts a session, as hubfs does; a mistyped name must not
    // pass for the session meant.
    if (w) say("grio hub: started new session " + o_.name + "\n");
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
  for (auto e : {file("1", OREAD | OTRUNC, out_), file("2", OREAD | OTRUNC, err_)})
    if (!e.empty()) return e;
  // A connection that may only look (an export of view): watch, and say so.
  if (!o_.watch) {
    auto e = file("ctl", ORDWR, ctl_);
    if (e.empty()) {
      if (auto in = file("0", OWRITE, in_); !in.empty()) return in;
      if (auto note = file("note", OWRITE, note_); !note.empty()) return note;
      // Our size, before anything is typed (a server that does not know
      // `size` refuses it, and keeps its own).
      if (auto line = size_line(); !line.empty()) c_->write(ctl_, 0, line);
      return {};
    }
    if (!e.ends_with(err::perm)) return e;
    o_.watch = true;
    say("grio hub: watching " + o_.name + ": this connection may not type there\n");
  }
  return file("ctl", OREAD, ctl_);
}

std::string Attachment::ctl_text() {
  auto r = c_->read(ctl_, 0, 8192);
  return r ? *r : "";
}

// Both hubs are drained before we say the session ended.
void Attachment::ended(const std::string& why) {
  if (++finished_ == 2) tell({Event::Ended, why});
}

// On this machine, with stdin, stdout and stderr one terminal, the server
// takes the terminal over (hub_terminal.h), as tmux's server takes its
// clients': a key and its echo then pass through the server alone, not
// through this process too. We keep reading it only for % commands. The
// terminal itself goes with the attach (SCM_RIGHTS): a new open of it, so
// the server's O_NONBLOCK touches nobody else's. GRIO_HUB_HANDOVER=0
// keeps the terminal here, as a remote client must.
bool Attachment::hand_over() {
  if (const char* e = getenv("GRIO_HUB_HANDOVER"); e && std::string(e) == "0") return false;
  const char* name = ::isatty(0) ? ::ttyname(0) : nullptr;
  if (!name) return false;
  std::string path = name;
  for (int fd : {1, 2}) {
    const char* n = ::isatty(fd) ? ::ttyname(fd) : nullptr;
    if (!n || path != n) return false;
  }
  int tty = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty < 0) return false;
  auto f = c_->walk_path("hub/" + o_.name + "/tty");
  bool ok = f && c_->open(*f, ORDWR) && c_->write_fd(*f, 0, o_.watch ? "attach watch" : "attach", tty);
  ::close(tty);
  if (!ok) {
    if (f) c_->clunk(*f);
    return false;  // a remote server, or one from before the hand-over
  }
  tty_ = *f;
  // Hubs 1 and 2 are the server's to read now: readers left here unread
  // would hold a `fear` session's writers back.
  for (uint32_t* fid : {&out_, &err_}) c_->clunk(std::exchange(*fid, 0));
  return true;
}

Outcome Attachment::run() {
  int keys = ::open("/proc/self/fd/0", O_RDONLY | O_NOCTTY | O_CLOEXEC);
  if (keys < 0) keys = ::fcntl(0, F_DUPFD_CLOEXEC, 3);  // a socket cannot be reopened
  if (keys < 0) return {Outcome::Failed, "stdin: " + std::string(std::strerror(errno))};
  vt_ = wsys::vt_session(ctl_text());
  bool handed = hand_over();
  if (!handed)
    for (auto [fid, fd] : {std::pair{out_, 1}, std::pair{err_, 2}})
      pumps_.push_back(
          std::make_shared<Pump>(*c_, o_.name, fid, ctl_, fd, o_.watch, vt_, [this](std::string why) { ended(why); }));
  keys_fd_ = keys;
  c_->run_on_io([this, handed] {
    wait_winch();
    for (auto& p : pumps_) p->start();
    if (handed) return next_tty_event();
    keys_ = std::make_unique<asio::posix::stream_descriptor>(c_->io(), keys_fd_);
    wait_keys();
  });
  for (;;) {
    Event e = next_event();
    if (e.kind == Event::Ended) return {Outcome::Ended, e.text};
    if (e.kind == Event::KeysEnded && o_.watch) return {Outcome::Detached, "detach"};
    if (e.kind == Event::Command) {
      auto o = command(e.text);
      if (o.kind != Outcome::Detached || o.arg == "detach") return o;
      c_->run_on_io([this] {
        cmd_done_ = false;
        take_keys();
      });
    }
    // Stdin ended in a client that types: `eof 0` went to the session, whose
    // end we wait for.
  }
}

// The session takes the size of the client that typed last (tmux's rule):
// ours is told on attaching (open()) and whenever this terminal is
// resized; the server gives it to the session's pty when we type.
std::string Attachment::size_line() const {
  winsize ws{};
  if (o_.watch || ::ioctl(0, TIOCGWINSZ, &ws) != 0 || !ws.ws_col || !ws.ws_row) return {};
  return "size " + std::to_string(ws.ws_col) + " " + std::to_string(ws.ws_row);
}

void Attachment::send_size() {
  auto line = std::make_shared<std::string>(size_line());
  if (!line->empty()) c_->async().write(ctl_, 0, *line, [line](net::Result<Msg>) {});
}

void Attachment::wait_winch() {
  if (o_.watch || !::isatty(0)) return;
  if (!winch_) winch_ = std::make_unique<asio::signal_set>(c_->io(), SIGWINCH);
  winch_->async_wait([this, alive = alive_](const error_code& ec, int) {
    if (ec || !*alive) return;
    send_size();
    wait_winch();
  });
}

void Attachment::wait_keys() {
  if (!*alive_) return;
  if (keys_ready_) return asio::post(c_->io(), [this, alive = alive_] {
    if (*alive) read_keys();
  });
  keys_->async_wait(asio::posix::descriptor_base::wait_read, [this, alive = alive_](const error_code& ec) {
    if (!*alive) return;
    keys_ready_ = ec == asio::error::operation_not_supported;  // epoll takes no regular files
    if (ec && !keys_ready_) return tell({Event::KeysEnded, ""});
    read_keys();
  });
}

void Attachment::read_keys() {
  char buf[4096];
  ssize_t n = ::read(keys_->native_handle(), buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return wait_keys();
  // Stdin ended (a pipe): end of file for the session too, twice, as a
  // user would type ^D twice after a line left without its newline.
  if (n <= 0) {
    keys_ended_ = true;
    send(ctl_, "eof 0");
    send(ctl_, "eof 0");
    return tell({Event::KeysEnded, ""});
  }
  typed_.assign(buf, size_t(n));
  take_keys();
}

// Takes what was typed up to the end of a % line, if one ends there; goes on
// once every write of it is answered, so stdin is read no faster than the
// session takes it.
void Attachment::take_keys() {
  taking_ = true;
  size_t at = take(typed_);
  taking_ = false;
  typed_.erase(0, at);
  if (sending_ == 0) keys_sent();
}

void Attachment::keys_sent() {
  if (!*alive_ || keys_ended_) return;
  if (cmd_done_) return tell({Event::Command, cmd_});
  if (tty_ && !in_cmd_) return resume();  // the command is done: the keys are the server's again
  wait_keys();
}

// The server's news of a handed-over terminal: a % typed (and what came
// after it), whose line we read and run; or the session's end.
void Attachment::next_tty_event() {
  c_->async().rpc(Tread{tty_, 0, 8192}, [this, alive = alive_](net::Result<Msg> r) {
    if (!*alive) return;
    if (!r) return tell({Event::Ended, r.error()});
    const std::string& e = std::get<Rread>(*r).data;
    if (e.starts_with("ended ")) return tell({Event::Ended, e.substr(6)});
    if (!e.starts_with("command ")) return tell({Event::Ended, "tty: " + e});
    typed_ = "%" + e.substr(8);
    line_start_ = true;
    // Asio watches a descriptor from the moment it holds it: only now,
    // or every key typed would wake this process too.
    keys_ = std::make_unique<asio::posix::stream_descriptor>(c_->io(), keys_fd_);
    take_keys();
  });
}

void Attachment::resume() {
  keys_->release();
  keys_.reset();
  c_->async().write(tty_, 0, line_start_ ? "resume" : "resume midline", [this, alive = alive_](net::Result<Msg> r) {
    if (!*alive) return;
    if (!r) return tell({Event::Ended, r.error()});
    next_tty_event();
  });
}

// Typed bytes (hub_keys.h): runs go to hub 0 as they come; ^D, DEL and %
// lines are ours. Returns how much was taken: all of it, or up to the end
// of a % line.
size_t Attachment::take(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); i++) {
    if (!in_cmd_) {
      i += split_keys(bytes.substr(i), line_start_, [&](Key k, std::string_view run) {
        if (k == Key::Run) send(in_, std::string(run));
        else if (k == Key::Eof) send(ctl_, "eof 0");
        else send(note_, "interrupt\n");
      }, vt_);
      if (i == bytes.size()) break;
      in_cmd_ = true;  // bytes[i] is a % that begins a command
      cmd_ = "%";
      echo("%");
      continue;
    }
    char ch = bytes[i];
    if (ch == '\r' || ch == '\n') {
      in_cmd_ = false;
      cmd_done_ = true;
      echo("\r\n");
      line_start_ = true;
      return i + 1;
    }
    edit_command(ch);
  }
  return bytes.size();
}

// One key of a % line: ^H or DEL erases a character (a whole UTF-8 rune,
// one column), ^U the line back to the %, ^W a word; anything else is the
// command's.
void Attachment::edit_command(char ch) {
  auto erase_rune = [&] {
    while (cmd_.size() > 1 && (static_cast<unsigned char>(cmd_.back()) & 0xC0) == 0x80) cmd_.pop_back();
    if (cmd_.size() > 1) cmd_.pop_back();
    echo("\b \b");
  };
  auto erase_to = [&](size_t keep) {
    keep = std::max<size_t>(keep, 1);
    while (cmd_.size() > keep) erase_rune();
  };
  if (ch == '\b' || ch == 0x7f) return erase_to(cmd_.size() - 1);
  if (ch == 0x15) return erase_to(1);
  if (ch == 0x17) {
    size_t end = cmd_.find_last_not_of(' ');
    size_t sp = end == std::string::npos ? std::string::npos : cmd_.find_last_of(' ', end);
    return erase_to(sp == std::string::npos ? 1 : sp + 1);
  }
  if (static_cast<unsigned char>(ch) < 0x20 || cmd_.size() >= max_command) return;
  cmd_ += ch;
  echo(std::string(1, ch));
}

// A write that does not wait for its reply; the keys read next wait for it.
void Attachment::send(uint32_t fid, std::string s) {
  if (o_.watch) {
    if (!told_read_only_) say(std::string(wsys::read_only_notice));  // once
    told_read_only_ = true;
    return;
  }
  auto data = std::make_shared<std::string>(std::move(s));
  sending_++;
  c_->async().write(fid, 0, *data, [this, data, alive = alive_](net::Result<Msg>) {
    if (*alive && --sending_ == 0 && !taking_) keys_sent();
  });
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
    c_->write(ctl_, 0, verb == "eof" ? "eof 0" : verb);
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

// Run in a window (with $wsys and $winid, as grio window --hub does), the
// client names the session in the window's label, `hub NAME`, rather than
// leaving the path of this binary there; the label it found comes back
// when it ends. Anywhere else it does nothing.
class WindowLabel {
 public:
  WindowLabel() {
    const char* w = std::getenv("wsys");
    const char* id = std::getenv("winid");
    if (!w || !*w || !id || !*id) return;
    std::string err;
    c_ = SyncClient::dial(w, id, err);
    if (!c_) return;
    if (auto old = rw("", OREAD)) old_ = *old;
  }
  ~WindowLabel() {
    if (c_ && old_) rw(*old_, OWRITE | OTRUNC);
  }
  void set(const std::string& label) {
    if (c_) rw(label, OWRITE | OTRUNC);
  }

 private:
  // Reads the label (mode OREAD) or writes text into it.
  std::optional<std::string> rw(const std::string& text, uint8_t mode) {
    uint32_t f = c_->alloc_fid();
    std::optional<std::string> out;
    if (c_->walk(c_->root(), f, {"label"}) && c_->open(f, mode)) {
      if ((mode & 3) == OREAD) {
        if (auto r = c_->read(f, 0, 1024)) out = *r;
      } else if (c_->write(f, 0, text)) {
        out = text;
      }
    }
    c_->clunk(f);
    return out;
  }
  std::unique_ptr<SyncClient> c_;
  std::optional<std::string> old_;
};

// What is wrong with the command line ("" if nothing; "help" if asked).
std::string parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") return "help";
    if (a == "--watch") o.watch = true;
    else if (a == "--vt") o.vt = true;
    else if (a == "--local") o.local = true;
    else if (a == "--wsys" && i + 1 < argc) o.addr = argv[++i];
    else if (a.starts_with("--wsys=")) o.addr = a.substr(7);
    else if (!a.empty() && a[0] != '-' && o.name == "io") o.name = a;
    else if (!a.empty() && a[0] != '-') return "one session name only, not '" + o.name + "' and '" + a + "'";
    else return "unknown option " + a;
  }
  if (o.addr.empty() && getenv("wsys")) o.addr = getenv("wsys");
  if (o.addr.empty()) return "no window system: use --wsys ADDR or set $wsys";
  if (o.watch && o.local) return "--watch and --local do not go together";
  if (o.vt && o.local) return "--vt starts a session on the server: not with --local";
  return "";
}

}  // namespace

int hub(int argc, char** argv) {
  Options o;
  if (auto why = parse(argc, argv, o); why == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  } else if (!why.empty()) {
    std::fprintf(stderr, "grio hub: %s\n%s", why.c_str(), kUsage);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<Share> share;
  WindowLabel label;
  for (;;) {
    label.set("hub " + o.name);
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

// A terminal handed over by a local `grio hub`, pumped to and from its
// session's hubs.
#include "wsys/hub_terminal.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <optional>

#include "net/errors.h"
#include "wsys/hub_keys.h"
#include "wsys/onlcr.h"

namespace grio::wsys {

namespace {

using net::Hub;
using Entry = net::HubTree::Entry;
using Dir = net::HubTree::Dir;

class HubTerminal : public net::HubTree::Terminal, public std::enable_shared_from_this<HubTerminal> {
 public:
  // As grio hub's own pumps (cmd_hub.cpp): after a loss marker at most
  // flood_bytes a frame; a watcher reads once a frame.
  static constexpr auto frame = std::chrono::milliseconds(20);
  static constexpr size_t flood_bytes = 16 * 1024;
  static constexpr size_t max_command = 1024;  // of a % line, more is dropped

  HubTerminal(asio::io_context& io, net::HubTree& hubs, std::shared_ptr<Dir> dir, int fd, bool watch);
  ~HubTerminal() override;
  void start();
  void read(const net::Req& r) override;
  net::Error write(std::string_view line) override;

 private:
  // One output hub (1 or 2), read as a tail reader.
  struct Out {
    std::shared_ptr<Entry> e;
    Hub::ReaderId rid = 0;
    std::unique_ptr<asio::steady_timer> timer;
    bool timing = false;     // paced: waits for the next frame
    net::TailShow show;      // markers held and summed; pace after a flood
    bool ended = false;      // closed and drained
  };
  void pump(Out& o);
  void emit(std::string_view bytes);
  void flush_tty();
  void room();
  void wait_keys();
  void take(std::string_view keys);
  void send(const std::shared_ptr<Entry>& e, std::string bytes);
  void event(std::string text);

  net::HubTree& hubs_;
  std::shared_ptr<Dir> dir_;
  asio::posix::stream_descriptor tty_;
  const bool watch_;
  uint64_t client_ = 0;     // in dir_->clients while attached
  bool told_read_only_ = false;
  void tell_read_only();
  Out outs_[2];
  std::shared_ptr<Entry> in_, note_;
  std::string unwritten_;   // output the terminal has not taken yet
  bool writing_ = false;    // waiting for the terminal to take it
  bool paused_ = false;     // a % command is the client's: keys wait
  bool line_start_ = true;
  std::string held_;        // typed after a % line, taken on resume
  int sending_ = 0;         // key writes the hub has not taken yet
  bool taking_ = false;     // in take(), which goes on itself
  std::deque<std::string> events_;
  net::Req reader_;         // a parked event read
  Onlcr onlcr_;             // the terminal's output processing is ours
  std::optional<termios> given_;  // the terminal's settings as it came, restored when it goes back
};

HubTerminal::HubTerminal(asio::io_context& io, net::HubTree& hubs, std::shared_ptr<Dir> dir, int fd, bool watch)
    : hubs_(hubs), dir_(std::move(dir)), tty_(io, fd), watch_(watch) {
  for (int i = 0; i < 2; i++) {
    auto& o = outs_[i];
    o.e = dir_->hubs.at(i == 0 ? "1" : "2");
    o.rid = o.e->hub.attach(Hub::Tail, !watch_);
    o.timer = std::make_unique<asio::steady_timer>(io);
  }
  in_ = dir_->hubs.at("0");
  note_ = dir_->hubs.at("note");
  client_ = dir_->add_client("owner", watch_);
  // Output processing off, as tmux's server leaves its clients' terminals:
  // the kernel then takes output in bulk, and newlines are emit()'s.
  termios t{};
  if (::tcgetattr(fd, &t) == 0) {
    given_ = t;
    t.c_oflag &= ~OPOST;
    ::tcsetattr(fd, TCSANOW, &t);
  }
}

HubTerminal::~HubTerminal() {
  for (auto& o : outs_) o.e->hub.detach(o.rid);
  dir_->clients.erase(client_);
  if (given_) ::tcsetattr(tty_.native_handle(), TCSANOW, &*given_);
  error_code ec;
  tty_.close(ec);
}

void HubTerminal::start() {
  for (auto& o : outs_) pump(o);
  wait_keys();
}

// ---- output -------------------------------------------------------------------------

// Reads o's hub while the terminal takes what it is given; a terminal that
// does not keep up stops the reads, and its tail reader then skips ahead.
void HubTerminal::pump(Out& o) {
  while (!o.ended && !o.timing && unwritten_.empty()) {
    size_t asked = o.show.flooded() || o.show.skipping() ? flood_bytes : Hub::atomic_max;
    auto got = o.e->hub.read(o.rid, asked);
    if (got.kind == Hub::Read::Wait) {
      std::weak_ptr<HubTerminal> weak = weak_from_this();
      o.e->hub.wait(o.rid, [weak, &o] {
        if (auto t = weak.lock()) t->pump(o);
      });
      return;
    }
    if (got.kind == Hub::Read::Eof) {
      emit(o.show.flush());
      if (!o.e->hub.closed()) continue;  // an `eof` written into a running session
      o.ended = true;
      if (outs_[0].ended && outs_[1].ended) event("ended session " + dir_->name + " " + dir_->state);
      return;
    }
    // Markers are held until data comes (TailShow); the read after that
    // data is paced.
    auto before = o.show.take(got.bytes);
    if (!before) continue;
    emit(*before);
    emit(got.bytes);
    if (o.show.flooded() || (watch_ && got.bytes.size() < asked)) {
      o.timing = true;
      o.timer->expires_after(frame);
      std::weak_ptr<HubTerminal> weak = weak_from_this();
      o.timer->async_wait([weak, &o](const error_code& ec) {
        auto t = weak.lock();
        if (!t || ec) return;
        o.timing = false;
        t->pump(o);
      });
      return;
    }
  }
}

void HubTerminal::emit(std::string_view bytes) {
  unwritten_ += dir_->vt ? bytes : onlcr_(bytes);  // a VT session's pty translates its own
  if (!writing_) flush_tty();
}

void HubTerminal::flush_tty() {
  while (!unwritten_.empty()) {
    ssize_t n = ::write(tty_.native_handle(), unwritten_.data(), unwritten_.size());
    if (n > 0) {
      unwritten_.erase(0, size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      writing_ = true;
      std::weak_ptr<HubTerminal> weak = weak_from_this();
      tty_.async_wait(asio::posix::descriptor_base::wait_write, [weak](const error_code& ec) {
        auto t = weak.lock();
        if (!t || ec) return;
        t->writing_ = false;
        t->flush_tty();
        if (!t->writing_) t->room();
      });
      return;
    }
    unwritten_.clear();  // the terminal is gone; its client's clunk ends us
  }
}

// The terminal took what had waited: the hubs are read again.
void HubTerminal::room() {
  for (auto& o : outs_)
    if (!o.timing && !o.ended) {
      o.e->hub.unwait(o.rid);
      pump(o);
    }
}

// ---- input --------------------------------------------------------------------------

void HubTerminal::wait_keys() {
  std::weak_ptr<HubTerminal> weak = weak_from_this();
  tty_.async_wait(asio::posix::descriptor_base::wait_read, [weak](const error_code& ec) {
    auto t = weak.lock();
    if (!t || ec || t->paused_) return;
    char buf[4096];
    ssize_t n = ::read(t->tty_.native_handle(), buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return t->wait_keys();
    if (n <= 0) return;  // hung up: the client's clunk ends us
    t->take(std::string_view(buf, size_t(n)));
  });
}

// As the client's own key reader: plain runs to hub 0, ^D is `eof 0`, DEL
// an interrupt note, a % at the start of a line the client's. The next
// keys are read once the hub has taken these.
void HubTerminal::take(std::string_view keys) {
  // Whoever typed last sizes the session (tmux's rule): this terminal's
  // size, read from it, goes to the pty if it is not the pty's already.
  winsize ws{};
  if (!watch_ && ::ioctl(tty_.native_handle(), TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row)
    hubs_.resize(*dir_, ws.ws_col, ws.ws_row);
  taking_ = true;
  size_t at = split_keys(keys, line_start_, [&](Key k, std::string_view run) {
    if (k == Key::Run) send(in_, std::string(run));
    else if (k == Key::Eof && !watch_) in_->hub.eof();
    else if (k == Key::Interrupt) send(note_, "interrupt\n");
  }, dir_->vt);
  taking_ = false;
  if (at < keys.size()) {
    // The % line goes to the client (with its end, if it came); what was
    // typed after it is taken here once the client resumes us.
    paused_ = true;
    size_t end = keys.find_first_of("\r\n", at);
    end = end == std::string_view::npos ? keys.size() : end + 1;
    held_ = keys.substr(end);
    event("command " + std::string(keys.substr(at + 1, std::min(end - at - 1, max_command))));
    return;
  }
  if (sending_ == 0) wait_keys();
}

void HubTerminal::send(const std::shared_ptr<Entry>& e, std::string bytes) {
  if (watch_) return tell_read_only();
  sending_++;
  std::weak_ptr<HubTerminal> weak = weak_from_this();
  hubs_.write(e, std::move(bytes), [weak](size_t) {
    auto t = weak.lock();
    if (t && --t->sending_ == 0 && !t->paused_ && !t->taking_) t->wait_keys();
  });
}

// A watcher's keys go nowhere; it is told so once, not left guessing.
void HubTerminal::tell_read_only() {
  if (told_read_only_) return;
  told_read_only_ = true;
  emit(read_only_notice);
}

// ---- the client's side --------------------------------------------------------------

void HubTerminal::event(std::string text) {
  events_.push_back(std::move(text));
  if (auto r = std::exchange(reader_, nullptr); r && !r->answered()) read(r);
}

void HubTerminal::read(const net::Req& r) {
  if (events_.empty() && reader_) return r->error(err::ttyreading);
  if (events_.empty()) {
    reader_ = r;
    std::weak_ptr<HubTerminal> weak = weak_from_this();
    return r->park([weak] {
      if (auto t = weak.lock()) t->reader_ = nullptr;
    });
  }
  std::string e = std::move(events_.front());
  events_.pop_front();
  r->respond(ninep::Rread{e.substr(0, r->tread().count)});
}

// `resume`, or `resume midline` when the client sent keys after its
// command that did not end a line.
net::Error HubTerminal::write(std::string_view line) {
  if (line != "resume" && line != "resume midline") return err::badtty;
  if (!paused_) return {};
  paused_ = false;
  line_start_ = line == "resume";
  if (!held_.empty()) take(std::exchange(held_, {}));
  else if (sending_ == 0) wait_keys();
  return {};
}

}  // namespace

net::Result<std::shared_ptr<net::HubTree::Terminal>> serve_terminal(asio::io_context& io, net::HubTree& hubs,
                                                                    const std::string& name, int fd, bool watch) {
  using R = net::Result<std::shared_ptr<net::HubTree::Terminal>>;
  auto refuse = [fd](std::string why) {
    ::close(fd);
    return R::error(std::move(why));
  };
  auto dir = hubs.session(name);
  if (!dir) return refuse(std::string(err::nosession) + " " + name);
  for (auto* h : {"0", "1", "2", "note"})
    if (!dir->hubs.count(h)) return refuse("session " + name + " has no hub " + h);
  // Whoever holds a terminal may have it served; anything else (a pipe, a
  // FIFO, a file on a mount of ourselves whose reads would wait for this
  // very thread) is refused.
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode) || !::isatty(fd)) return refuse(err::notaterminal);
  int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) return refuse(std::string(err::terminal) + ": " + std::strerror(errno));
  auto t = std::make_shared<HubTerminal>(io, hubs, dir, fd, watch);
  t->start();
  return std::shared_ptr<net::HubTree::Terminal>(t);
}

}  // namespace grio::wsys

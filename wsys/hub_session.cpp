// A program on a pty, pumped to and from its session's hubs.
#include "wsys/hub_session.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

#include "term/vt_screen.h"

namespace grio::wsys {

using net::Hub;
using Entry = net::HubTree::Entry;

class HubSession {
 public:
  HubSession(asio::io_context& io, net::HubTree& hubs, const std::string& name, term::PtyProcess p,
             std::function<void()> exited, std::unique_ptr<term::VtScreen> screen);
  ~HubSession();
  pid_t pid() const { return proc_.pid; }
  void resize(unsigned short cols, unsigned short rows) {
    if (screen_) {  // the pty sized as the screen kept, so that they agree
      cols = std::min<unsigned short>(cols, term::max_vt_cols);
      rows = std::min<unsigned short>(rows, term::max_vt_rows);
      screen_->resize(rows, cols);
    }
    term::resize(master_.native_handle(), cols, rows);
  }

 private:
  void read_pty();
  void write_out(bool end);
  void pump_input();
  void write_pty();
  void pump_notes();
  void note(std::string_view line);

  net::HubTree& hubs_;
  term::PtyProcess proc_;
  asio::posix::stream_descriptor master_;
  std::function<void()> exited_;
  std::shared_ptr<Entry> in_, out_, notes_;
  Hub::ReaderId in_rid_ = 0, note_rid_ = 0;
  std::string buf_;
  size_t held_ = 0;          // bytes of buf_ read and not yet in hub 1
  asio::steady_timer gather_;
  bool gathering_ = false;  // a batch is open: gather_ runs
  std::string pending_;  // input the pty has not taken yet
  std::string note_line_;
  // A VT session's screen, fed what goes to hub 1. Its answers to the
  // program's queries are dropped: the clients' own terminals answer.
  std::unique_ptr<term::VtScreen> screen_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

HubSession::HubSession(asio::io_context& io, net::HubTree& hubs, const std::string& name, term::PtyProcess p,
                       std::function<void()> exited, std::unique_ptr<term::VtScreen> screen)
    : hubs_(hubs), proc_(p), master_(io, p.master), exited_(std::move(exited)), gather_(io), screen_(std::move(screen)) {
  in_ = hubs.hub(name, "0");
  out_ = hubs.hub(name, "1");
  if (screen_) {
    out_->hub.set_screen([s = screen_.get()] { return s->shared_repaint(); });
    out_->hub.set_lag(HubSessions::vt_lag);
  }
  notes_ = hubs.hub(name, "note");
  // Typed input and notes must not be lost to a full pty: their writers
  // wait for the program instead.
  in_->hub.set_fear(true);
  notes_->hub.set_fear(true);
  in_rid_ = in_->hub.attach();
  note_rid_ = notes_->hub.attach();
  buf_.resize(Hub::atomic_max);
  read_pty();
  pump_input();
  pump_notes();
}

HubSession::~HubSession() {
  *alive_ = false;
  if (screen_) out_->hub.set_screen(nullptr);  // readers of an ended session get what is left
  in_->hub.detach(in_rid_);
  notes_->hub.detach(note_rid_);
  error_code ec;
  master_.close(ec);
  term::signal_group(proc_.pid, SIGHUP);
}

// Output goes to hub 1 in batches. A read of 2 KiB or more means a flood:
// reads go on into the same batch for up to 2 ms or 64 KiB, so each reader
// is woken once a batch, not once per 4 KiB the tty hands out; less (an
// echo, a prompt) goes at once. The next batch is read only once the hub
// has taken this one, so a fearful hub slows the program down.
void HubSession::read_pty() {
  auto got = [this, alive = alive_](const error_code& ec, size_t n) {
    if (!*alive) return;
    held_ += n;
    // EIO: the program and its children closed the pty.
    if (ec && ec != asio::error::operation_aborted) return write_out(true);
    bool due = gathering_ && std::chrono::steady_clock::now() >= gather_.expiry();  // its cancel came too late
    if (ec || due || n < 2048 || held_ + 4096 > buf_.size()) return write_out(false);
    if (!gathering_) {
      gathering_ = true;
      gather_.expires_after(std::chrono::milliseconds(2));
      gather_.async_wait([this, alive](const error_code& e) {
        if (*alive && !e && gathering_) master_.cancel();  // ends the read: the batch goes
      });
    }
    read_pty();
  };
  master_.async_read_some(asio::buffer(buf_.data() + held_, buf_.size() - held_), got);
}

// The batch to hub 1; then the next read, or the end of the session.
void HubSession::write_out(bool end) {
  gathering_ = false;
  gather_.cancel();
  std::string batch(buf_.data(), held_);
  held_ = 0;
  auto next = [this, alive = alive_, end](size_t) {
    if (*alive) end ? exited_() : read_pty();
  };
  if (batch.empty()) return next(0);
  if (screen_) {
    screen_->write(batch);
    screen_->take_input();
  }
  hubs_.write(out_, std::move(batch), next);
}

// Hub 0 to the pty; an end of file in hub 0 becomes the tty's EOF (^D).
void HubSession::pump_input() {
  while (pending_.empty()) {
    auto got = in_->hub.read(in_rid_, Hub::atomic_max);
    if (got.kind == Hub::Read::Wait) {
      in_->hub.wait(in_rid_, [this, alive = alive_] {
        if (*alive) pump_input();
      });
      return;
    }
    pending_ = got.kind == Hub::Read::Eof ? std::string("\x04") : std::move(got.bytes);
    if (in_->hub.closed() && got.kind == Hub::Read::Eof) return pending_.clear();
    write_pty();
  }
}

void HubSession::write_pty() {
  while (!pending_.empty()) {
    ssize_t n = ::write(master_.native_handle(), pending_.data(), pending_.size());
    if (n < 0 && errno != EAGAIN && errno != EINTR) return pending_.clear();
    if (n < 0) {
      master_.async_wait(asio::posix::descriptor_base::wait_write, [this, alive = alive_](const error_code& ec) {
        if (!*alive || ec) return;
        write_pty();
        if (pending_.empty()) pump_input();
      });
      return;
    }
    pending_.erase(0, size_t(n));
  }
}

void HubSession::pump_notes() {
  for (;;) {
    auto got = notes_->hub.read(note_rid_, 4096);
    if (got.kind == Hub::Read::Eof) {
      if (notes_->hub.closed()) return;
      continue;
    }
    if (got.kind == Hub::Read::Wait) break;
    note_line_ += got.bytes;
    for (size_t nl; (nl = note_line_.find('\n')) != std::string::npos; note_line_.erase(0, nl + 1))
      note(std::string_view(note_line_).substr(0, nl));
    if (note_line_.size() > 4096) note_line_.clear();  // no line of ours is that long
  }
  notes_->hub.wait(note_rid_, [this, alive = alive_] {
    if (*alive) pump_notes();
  });
}

// Linux has no notes: the ones rio's programs know become signals.
void HubSession::note(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line == "interrupt") term::interrupt(proc_);
  else if (line == "hangup") term::signal_group(proc_.pid, SIGHUP);
  else if (line == "kill") term::signal_group(proc_.pid, SIGKILL);
}

HubSessions::HubSessions(asio::io_context& io, net::HubTree& hubs, std::function<void(pid_t)> reap_later)
    : io_(io), hubs_(hubs), reap_later_(std::move(reap_later)) {}

HubSessions::~HubSessions() { close(); }

// BUG: fork and exec happen on the io thread, as for windows.
net::Error HubSessions::start(const std::string& name, const std::string& cmd,
                              std::vector<std::pair<std::string, std::string>> env, bool vt) {
  term::PtyConfig pc;
  pc.vt = vt;
  std::string c = cmd;
  while (!c.empty() && c.front() == ' ') c.erase(0, 1);
  if (!c.empty()) pc.argv = {"/bin/sh", "-c", c};
  env.emplace_back("hub", name);
  pc.env = std::move(env);
  std::string why = fence ? fence(pc) : "";
  auto p = why.empty() ? term::start_pty(pc, why) : std::nullopt;
  if (!p) return "cannot start program: " + why;
  // A late joiner is sent the screen alone: no scrollback to keep.
  auto screen = vt ? std::make_unique<term::VtScreen>(pc.rows, pc.cols, term::VtConfig{0}) : nullptr;
  sessions_[name] = std::make_unique<HubSession>(io_, hubs_, name, *p, [this, name] { exited(name); }, std::move(screen));
  hubs_.set_state(name, "running " + std::to_string(p->pid) + (vt ? " vt" : ""));
  return {};
}

// The program is gone: clients drain hub 1, then read the state and leave.
void HubSessions::exited(const std::string& name) {
  auto it = sessions_.find(name);
  if (it == sessions_.end()) return;
  pid_t pid = it->second->pid();
  // We are inside the session's own read handler: destroy it afterwards.
  asio::post(io_, [s = std::shared_ptr<HubSession>(std::move(it->second))] {});
  sessions_.erase(it);
  auto st = term::reap(pid, std::chrono::milliseconds(20));
  if (!st) reap_later_(pid);
  std::string how = st ? st->to_string() : "";
  hubs_.end_session(name, "exited" + (how.empty() ? "" : " " + how));
}

void HubSessions::resize(const std::string& name, unsigned short cols, unsigned short rows) {
  if (auto it = sessions_.find(name); it != sessions_.end()) it->second->resize(cols, rows);
}

void HubSessions::removed(const std::string& name) {
  auto it = sessions_.find(name);
  if (it == sessions_.end()) return;
  pid_t pid = it->second->pid();
  sessions_.erase(it);
  if (!term::reap(pid)) reap_later_(pid);
}

void HubSessions::close() {
  for (auto& [name, s] : sessions_) {
    pid_t pid = s->pid();
    s.reset();
    if (!term::reap(pid)) reap_later_(pid);
  }
  sessions_.clear();
}

}  // namespace grio::wsys

// A program on a pty, joined to its window.
#include "wsys/shell.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <system_error>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace grio::wsys {

Shell::Shell(asio::io_context& io, term::PtyProcess p, Events ev)
    : proc_(p), master_(io, p.master), retry_(io), ev_(std::move(ev)), reader_(std::make_shared<Reader>()) {
  reader_->wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (reader_->wake < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  thread_ = std::thread(&Shell::read_loop, this, std::ref(io), reader_, p.master);
}

Shell::~Shell() {
  *alive_ = false;
  reader_->stop = true;
  reader_->poke();
  thread_.join();
  error_code ec;
  master_.close(ec);
  term::signal_group(proc_.pid, SIGHUP);
}

Shell::Reader::~Reader() {
  if (wake >= 0) ::close(wake);
}

void Shell::Reader::poke() {
  uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake, &one, sizeof one);  // a full counter is awake already
}

// On the reader thread: reads the pty, handing what it reads to the io
// thread (one handler posted for the first read not taken yet, which the
// reads after it join), until the pty hangs up (EIO: every process has
// closed its other end) or we are told to stop. Past max_unread bytes
// the io thread has not taken, it waits. Of ours it reads only alive_,
// and posts the rest to io.
void Shell::read_loop(asio::io_context& io, std::shared_ptr<Reader> r, int fd) {
  std::string buf(16 * 1024, '\0');
  pollfd fds[2] = {{r->wake, POLLIN, 0}, {fd, POLLIN, 0}};
  // A flood's next bytes are most often there by the time the last are
  // handed over, so the pty is read first and polled only once it is
  // empty: one system call a read, not two.
  bool empty = false;
  while (!r->stop) {
    bool full = r->unread >= max_unread;
    if (full) {
      r->waiting = true;
      if (r->unread < max_unread) {  // taken meanwhile: its poke may have come before waiting was set
        r->waiting = false;
        continue;
      }
    }
    if (!full && !empty) {
      ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        empty = errno == EAGAIN;
        continue;
      }
      if (n <= 0) break;
      r->unread += size_t(n);  // before the io thread can take them
      if (r->put(std::string_view(buf.data(), size_t(n))))
        asio::post(io, [this, alive = alive_, r] {
          std::string out = r->take();
          r->taken(out.size());
          if (*alive) ev_.output(out);
          r->give_back(std::move(out));
        });
      continue;
    }
    if (::poll(fds, full ? 1 : 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) {
      uint64_t n = 0;
      [[maybe_unused]] auto got = ::read(r->wake, &n, sizeof n);
      r->waiting = false;
    }
    if (!full && fds[1].revents) empty = false;
  }
  if (r->stop) return;
  asio::post(io, [this, alive = alive_] {
    if (!*alive) return;
    done_ = true;
    if (ev_.exited) ev_.exited();  // may destroy us
  });
}

bool Shell::Reader::put(std::string_view bytes) {
  std::lock_guard lock(m);
  bool first = inbox.empty();
  inbox.append(bytes);
  return first;
}

std::string Shell::Reader::take() {
  std::string out;
  std::lock_guard lock(m);
  out.swap(inbox);
  inbox.swap(spare);
  return out;
}

void Shell::Reader::give_back(std::string s) {
  s.clear();
  std::lock_guard lock(m);
  if (s.capacity() > spare.capacity()) spare.swap(s);
}

void Shell::Reader::taken(size_t n) {
  if (unread.fetch_sub(n) - n < max_unread && waiting) poke();
}

void Shell::input(std::string_view bytes) {
  pending_.append(bytes);
  write_more();
}

// A window is either kind, so the two never mix in pending_.
bool Shell::send(std::string_view bytes) {
  if (pending_.size() + bytes.size() > max_pending) return false;
  raw_ = true;
  pending_.append(bytes);
  write_more();
  return true;
}

// Writes what the pty takes now; waits for room for the rest.
void Shell::write_more() {
  while (!pending_.empty() && !waiting_ && !done_) {
    long n = raw_ ? long(::write(master_.native_handle(), pending_.data(), pending_.size()))
                  : term::write_input(master_.native_handle(), pending_);
    if (n < 0 && errno == EBUSY) return retry_later();
    if (n < 0 && errno != EAGAIN) return pending_.clear();
    if (n < 0) {
      waiting_ = true;
      master_.async_wait(asio::posix::descriptor_base::wait_write, [this, alive = alive_](const error_code& ec) {
        if (!*alive) return;
        waiting_ = false;
        if (!ec) write_more();
      });
      return;
    }
    pending_.erase(0, size_t(n));
    retry_ms_ = 5;
  }
}

// The program has not read what it was sent before (see write_input):
// nothing wakes us when it does, so look again shortly, less often the
// longer it does not read (5 ms doubling to 160 ms).
void Shell::retry_later() {
  waiting_ = true;
  retry_.expires_after(std::chrono::milliseconds(retry_ms_));
  retry_ms_ = std::min(retry_ms_ * 2, 160);
  retry_.async_wait([this, alive = alive_](const error_code& ec) {
    if (!*alive) return;
    waiting_ = false;
    if (!ec) write_more();
  });
}

}  // namespace grio::wsys

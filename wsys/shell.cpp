// A program on a pty, joined to its window.
#include "wsys/shell.h"

#include <algorithm>
#include <cerrno>
#include <csignal>

#include <unistd.h>

namespace grio::wsys {

Shell::Shell(asio::io_context& io, term::PtyProcess p, Events ev)
    : proc_(p), master_(io, p.master), retry_(io), ev_(std::move(ev)) {
  buf_.resize(16 * 1024);
  read_more();
}

Shell::~Shell() {
  *alive_ = false;
  error_code ec;
  master_.close(ec);
  term::signal_group(proc_.pid, SIGHUP);
}

void Shell::read_more() {
  master_.async_read_some(asio::buffer(buf_), [this, alive = alive_](const error_code& ec, size_t n) {
    if (!*alive) return;
    if (ec) {  // EIO: every process has closed the pty's other end
      done_ = true;
      if (ev_.exited) ev_.exited();  // may destroy us
      return;
    }
    ev_.output(std::string_view(buf_).substr(0, n));
    read_more();
  });
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

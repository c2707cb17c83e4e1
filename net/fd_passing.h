// Descriptors passed over a Unix socket (SCM_RIGHTS) along with 9P bytes:
// how a local client hands the server a terminal it holds (hub/NAME/tty),
// so that only a terminal the client has open can be handed over. Only a
// Unix socket carries them: over TCP (or TLS, or a proxy such as socat or
// ssh -L) none arrives, and whatever asks for one is refused.
#pragma once

#include "net/asio.h"
#include "net/dial.h"
#include "net/framing.h"
#include "net/outbox.h"
#include "net/stream.h"

namespace grio::net {

// The one descriptor a connection has received and not used yet. A peer
// cannot fill the server's descriptor table: a new one replaces the one
// waiting, and every extra one of a message is closed at once.
class PassedFd {
 public:
  PassedFd() = default;
  PassedFd(const PassedFd&) = delete;
  PassedFd& operator=(const PassedFd&) = delete;
  ~PassedFd() { offer(-1); }
  // Keeps fd (-1: none) as the one waiting, closing any that waited.
  void offer(int fd);
  // The waiting descriptor, now the caller's to close; -1 if none.
  int take();
  bool waiting() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// read_now (stream.h) on a Unix socket, by recvmsg: descriptors that came
// with the bytes go to fds (close-on-exec), the first of a message kept.
// n: the bytes taken (0 and Drained: there were none).
ReadNow read_now_fds(Socket& s, ninep::FrameReader& in, PassedFd& fds, error_code& ec, size_t& n);

// read_async with descriptors: the bytes there are taken at once (done is
// posted), else after the socket is readable. Unlike Asio's own read, a
// wait costs an epoll_ctl: the price of a control buffer. s, in and fds
// must outlive done.
template <class F>
void read_async_fds(Socket& s, ninep::FrameReader& in, PassedFd& fds, F done) {
  error_code ec;
  size_t n = 0;
  ReadNow got = read_now_fds(s, in, fds, ec, n);
  if (got != ReadNow::Drained || n > 0) {
    asio::post(s.get_executor(), [ec, got, done = std::move(done)]() mutable { done(ec, got); });
    return;
  }
  s.async_wait(asio::socket_base::wait_read, [&s, &in, &fds, done = std::move(done)](const error_code& ec) mutable {
    if (ec) return done(ec, ReadNow::Failed);
    read_async_fds(s, in, fds, std::move(done));
  });
}

// Sends all of out (in one sendmsg as far as the socket takes it) with fd
// passed on its first byte. Returns the error, or nothing once every byte
// went; on would_block nothing went and the caller waits for room.
error_code send_with_fd(Socket& s, Outbox& out, int fd, size_t& sent);

}  // namespace grio::net

// recvmsg and sendmsg with SCM_RIGHTS, for the 9P streams of Unix sockets.
#include "net/fd_passing.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace grio::net {

void PassedFd::offer(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

int PassedFd::take() { return std::exchange(fd_, -1); }

namespace {

// Room for a few descriptors in one message; the kernel closes any beyond
// it (and says MSG_CTRUNC), so none of them stays open here.
constexpr size_t max_fds = 4;

// Keeps the first descriptor of the message, closes the rest.
void take_fds(msghdr& m, PassedFd& fds) {
  bool kept = false;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; i++) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (!kept) fds.offer(fd), kept = true;
      else ::close(fd);
    }
  }
}

}  // namespace

ReadNow read_now_fds(Socket& s, ninep::FrameReader& in, PassedFd& fds, error_code& ec, size_t& n) {
  n = 0;
  auto [a, b] = in.space();
  iovec iov[2] = {{a.data, a.size}, {b.data, b.size}};
  alignas(cmsghdr) char control[CMSG_SPACE(max_fds * sizeof(int))];
  msghdr m{};
  m.msg_iov = iov;
  m.msg_iovlen = b.size ? 2 : 1;
  m.msg_control = control;
  m.msg_controllen = sizeof control;
  ssize_t got;
  do got = ::recvmsg(s.native_handle(), &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  while (got < 0 && errno == EINTR);
  if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ReadNow::Drained;
  if (got < 0) {
    ec = error_code(errno, asio::error::get_system_category());
    return ReadNow::Failed;
  }
  take_fds(m, fds);
  if (got == 0) {
    ec = asio::error::eof;
    return ReadNow::Failed;
  }
  n = size_t(got);
  in.received(n);
  return n == a.size + b.size ? ReadNow::More : ReadNow::Drained;
}

error_code send_with_fd(Socket& s, Outbox& out, int fd, size_t& sent) {
  sent = 0;
  auto& bufs = out.buffers();
  std::vector<iovec> iov;
  for (auto& b : bufs) iov.push_back({const_cast<void*>(b.data()), b.size()});
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr m{};
  m.msg_iov = iov.data();
  m.msg_iovlen = iov.size();
  m.msg_control = control;
  m.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t n;
  do n = ::sendmsg(s.native_handle(), &m, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? error_code(asio::error::would_block)
                                                            : error_code(errno, asio::error::get_system_category());
  sent = size_t(n);
  return {};
}

}  // namespace grio::net

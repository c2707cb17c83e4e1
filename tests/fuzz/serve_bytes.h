// For fuzz targets: a real Server on a socketpair in this thread, fed a
// byte stream as a hostile client would send it, its replies read and
// dropped. Nothing but the server's public API.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "net/asio.h"
#include "net/codec.h"
#include "net/server.h"

namespace grio::fuzz {

class ServeBytes {
 public:
  // Small limits, so that the bounds are reached within one input.
  static net::ServerConfig config() {
    net::ServerConfig cfg;
    cfg.limits.max_msize = 8192;
    cfg.limits.max_fids = 64;
    cfg.limits.max_requests = 32;
    cfg.limits.max_output = 64 * 1024;
    return cfg;
  }

  // grant: what the client may do; the owner's rights by default.
  ServeBytes(asio::io_context& io, net::FileTree& tree, net::Grant grant = {}) : io_(io), srv_(io, tree, config()) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) std::abort();
    srv_.serve(net::Socket(io_, asio::generic::stream_protocol(AF_UNIX, 0), sv[0]), "", std::move(grant));
    fd_ = sv[1];
    ::fcntl(fd_, F_SETFL, O_NONBLOCK);
  }
  ~ServeBytes() {
    srv_.close();
    io_.poll();
    ::close(fd_);
  }

  // Writes bytes as one client send, running the server whenever the
  // socket is full. Stops early if the server closed the connection.
  void send(std::span<const uint8_t> bytes) {
    for (int spins = 0; !bytes.empty() && spins < 10000; spins++) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) bytes = bytes.subspan(size_t(n));
      else if (n < 0 && errno != EAGAIN) return;
      run();
    }
  }
  void send(const ninep::Fcall& f) {
    auto b = ninep::encode(f);
    send(std::span<const uint8_t>(b));
  }
  // Lets the server take what it was sent and reply.
  void run() {
    for (int i = 0; i < 64 && io_.poll() > 0; i++) drain();
    drain();
  }
  // Ends the stream as a client hanging up would.
  void hang_up() {
    ::shutdown(fd_, SHUT_WR);
    for (int i = 0; i < 64 && srv_.connections() > 0; i++) run();
  }

 private:
  void drain() {
    uint8_t buf[65536];
    while (::recv(fd_, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
  }
  asio::io_context& io_;
  net::Server srv_;
  int fd_ = -1;
};

// Reads the fuzz input as a little program: bytes taken in order, zeros
// once it runs out.
class Input {
 public:
  explicit Input(std::span<const uint8_t> in) : in_(in) {}
  bool empty() const { return in_.empty(); }
  uint8_t byte() {
    if (in_.empty()) return 0;
    uint8_t b = in_[0];
    in_ = in_.subspan(1);
    return b;
  }
  uint32_t small(uint32_t n) { return n ? byte() % n : 0; }
  // Up to max bytes, the length taken from the input first.
  std::string bytes(size_t max) {
    size_t n = std::min<size_t>({byte() % (max + 1), in_.size()});
    std::string s(reinterpret_cast<const char*>(in_.data()), n);
    in_ = in_.subspan(n);
    return s;
  }
  std::span<const uint8_t> rest() { return std::exchange(in_, {}); }

 private:
  std::span<const uint8_t> in_;
};

}  // namespace grio::fuzz

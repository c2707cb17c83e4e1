// A plain socket as a transport, and the pump that gives any transport a
// local socket's face.
#include "net/transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include "net/stream.h"

namespace grio::net {

namespace {

// bufs after their first n bytes.
std::vector<asio::const_buffer> skip(const std::vector<asio::const_buffer>& bufs, size_t n) {
  std::vector<asio::const_buffer> rest;
  for (auto b : bufs) {
    size_t k = std::min(n, b.size());
    n -= k;
    if (b.size() > k) rest.push_back(b + k);
  }
  return rest;
}

class PlainTransport : public Transport {
 public:
  explicit PlainTransport(Socket s) : s_(std::move(s)) {
    prepare_stream(s_);
    error_code ec;
    unix_ = s_.local_endpoint(ec).protocol().family() == AF_UNIX && !ec;
  }
  Socket::executor_type executor() override { return s_.get_executor(); }
  size_t read_some(const Space& to, error_code& ec) override { return s_.read_some(to, ec); }
  void async_read_some(const Space& to, ReadDone done) override { s_.async_read_some(to, std::move(done)); }
  // Most bursts leave in one sendmsg, without a trip through the event loop.
  bool send(const std::vector<asio::const_buffer>& bufs, SendDone done) override {
    error_code ec;
    size_t n = s_.write_some(bufs, ec);
    if (ec) n = 0;  // would_block, or an error the async write will report
    if (n == asio::buffer_size(bufs)) return true;
    asio::async_write(s_, skip(bufs, n), [done = std::move(done)](const error_code& ec, size_t) { done(ec); });
    return false;
  }
  void close() override {
    error_code ec;
    s_.close(ec);
  }
  Socket* unix_socket() override { return unix_ ? &s_ : nullptr; }

 private:
  Socket s_;
  bool unix_ = false;
};

// Copies between a transport and the pump's end of a socketpair, a read
// of each side at a time: a side is read again only once what was read
// from it has gone on, so the pump holds two buffers at most.
class Pump : public std::enable_shared_from_this<Pump> {
 public:
  Pump(std::shared_ptr<Transport> t, Socket plain) : t_(std::move(t)), plain_(std::move(plain)) {}
  void start() {
    up();
    down();
  }

 private:
  static constexpr size_t buffer_size = 64 * 1024;

  void up() {
    plain_.async_read_some(asio::buffer(up_), [self = shared_from_this()](const error_code& ec, size_t n) {
      if (ec) return self->stop();
      auto again = [self](const error_code& ec) { ec ? self->stop() : self->up(); };
      if (self->t_->send({asio::buffer(self->up_.data(), n)}, again)) self->up();
    });
  }
  void down() {
    t_->async_read_some({asio::buffer(down_), asio::mutable_buffer()}, [self = shared_from_this()](const error_code& ec, size_t n) {
      if (ec) return self->stop();
      asio::async_write(self->plain_, asio::buffer(self->down_.data(), n), [self](const error_code& ec, size_t) {
        ec ? self->stop() : self->down();
      });
    });
  }
  void stop() {
    t_->close();
    error_code ec;
    plain_.close(ec);
  }

  std::shared_ptr<Transport> t_;
  Socket plain_;
  std::vector<char> up_ = std::vector<char>(buffer_size), down_ = std::vector<char>(buffer_size);
};

}  // namespace

std::shared_ptr<Transport> plain_transport(Socket s) { return std::make_shared<PlainTransport>(std::move(s)); }

Socket local_end(asio::io_context& io, std::shared_ptr<Transport> t, error_code& ec) {
  Socket mine(io);
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    ec = error_code(errno, asio::error::get_system_category());
    t->close();
    return mine;
  }
  Socket theirs(t->executor());
  theirs.assign(asio::generic::stream_protocol(AF_UNIX, 0), sv[0], ec);
  if (!ec) mine.assign(asio::generic::stream_protocol(AF_UNIX, 0), sv[1], ec);
  if (ec) {
    if (!theirs.is_open()) ::close(sv[0]);
    if (!mine.is_open()) ::close(sv[1]);
    t->close();
    return Socket(io);
  }
  std::make_shared<Pump>(std::move(t), std::move(theirs))->start();
  return mine;
}

}  // namespace grio::net

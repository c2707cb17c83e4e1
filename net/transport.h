// What a 9P connection runs over: a byte stream that reads without waiting
// or waits for bytes, and sends a gathered write at once as far as it goes,
// the rest asynchronously. A plain socket (Unix or TCP) is one; an
// export's TLS stream (net/tls.h) is another, driven by the server's
// Connection and the Client directly, with no local hop in between.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <vector>

#include "net/asio.h"
#include "net/dial.h"

namespace grio::net {

class Transport {
 public:
  using Space = std::array<asio::mutable_buffer, 2>;
  using ReadDone = std::function<void(const error_code& ec, size_t n)>;
  using SendDone = std::function<void(const error_code& ec)>;

  virtual ~Transport() = default;
  virtual Socket::executor_type executor() = 0;

  // Reads into to what is there now: n bytes, or 0 with ec set (would_block
  // when nothing is there yet, else the end of the stream).
  virtual size_t read_some(const Space& to, error_code& ec) = 0;
  // The same read, waiting for bytes if none are there; done never runs
  // inside this call. to's memory stays valid until done.
  virtual void async_read_some(const Space& to, ReadDone done) = 0;
  // Sends bufs: true when all of them went now. Else the rest goes
  // asynchronously and done(ec) runs when it is through; bufs' bytes stay
  // valid till then. One send at a time.
  virtual bool send(const std::vector<asio::const_buffer>& bufs, SendDone done) = 0;
  // Ends the stream: what waits fails with operation_aborted.
  virtual void close() = 0;
  // The Unix socket underneath, for SO_PEERCRED and descriptor passing,
  // or null (TCP, TLS).
  virtual Socket* unix_socket() { return nullptr; }
};

// A connected socket as a transport, readied for 9P (prepare_stream).
std::shared_ptr<Transport> plain_transport(Socket s);

// A plain local stream (one end of a socketpair, on io) carrying t's
// bytes both ways, for a program that wants a socket: Plan 9's tlsclient.
// The pump between them runs on t's executor until either end closes.
Socket local_end(asio::io_context& io, std::shared_ptr<Transport> t, error_code& ec);

}  // namespace grio::net

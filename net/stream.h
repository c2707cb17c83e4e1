// What both ends of a 9P connection do with their socket: ready it, read
// into a frame reader, and send an outbox.
#pragma once

#include <array>

#include "net/asio.h"
#include "net/dial.h"
#include "net/framing.h"
#include "net/outbox.h"
#include "net/transport.h"

namespace grio::net {

// Readies a connected stream for 9P: non-blocking, for the reads and writes
// tried before waiting; on a Unix socket, a send buffer that holds a window
// of large messages.
void prepare_stream(Socket& s);

// What a read found.
enum class ReadNow {
  More,     // it filled all the room it had: more is probably waiting
  Drained,  // it took all there was, maybe nothing
  Failed,   // the connection ended, for the reason in ec
};

// in's space, as Asio buffers to read into.
inline std::array<asio::mutable_buffer, 2> space_of(ninep::FrameReader& in) {
  auto [a, b] = in.space();
  return {asio::buffer(a.data, a.size), asio::buffer(b.data, b.size)};
}

// A read into in's space that does not wait, from a Socket or a
// Transport (net/transport.h); the caller then takes the frames it
// completed. Nothing there (would block) is Drained too: the caller waits
// next.
template <class Stream>
ReadNow read_now(Stream& s, ninep::FrameReader& in, error_code& ec) {
  auto to = space_of(in);
  size_t n = s.read_some(to, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec.clear();
    return ReadNow::Drained;
  }
  if (ec) return ReadNow::Failed;
  in.received(n);
  return n == asio::buffer_size(to) ? ReadNow::More : ReadNow::Drained;
}

// The same read, waiting for bytes if none are there: done(ec, ReadNow),
// from a Socket or a Transport. On a socket, Asio tries the read at once
// and waits only if it finds nothing. (An async_wait would cost an
// epoll_ctl every time; a try that fails costs a recvmsg.) The caller
// keeps in alive until done runs.
template <class Stream, class F>
void read_async(Stream& s, ninep::FrameReader& in, F done) {
  auto to = space_of(in);
  s.async_read_some(to, [&in, room = asio::buffer_size(to), done = std::move(done)](const error_code& ec, size_t n) mutable {
    if (ec) return done(ec, ReadNow::Failed);
    in.received(n);
    done(ec, n == room ? ReadNow::More : ReadNow::Drained);
  });
}

// Sends out's messages, at once as far as the socket takes them: true when
// all of them went. Else async_write takes the rest and calls done(ec) when
// it is through; out, and the bytes it borrows, must stay put till then.
// Most bursts leave this way in one sendmsg, without a trip through the
// event loop.
template <class F>
bool send_now(Socket& s, Outbox& out, F done) {
  error_code ec;
  size_t n = s.write_some(out.buffers(), ec);
  if (ec) n = 0;  // would_block, or an error the async write will report
  if (n == out.size()) return true;
  asio::async_write(s, out.buffers(n), [done = std::move(done)](const error_code& ec, size_t) mutable { done(ec); });
  return false;
}

// The same on a transport (net/transport.h).
template <class F>
bool send_now(Transport& t, Outbox& out, F done) {
  return t.send(out.buffers(), [done = std::move(done)](const error_code& ec) mutable { done(ec); });
}

}  // namespace grio::net

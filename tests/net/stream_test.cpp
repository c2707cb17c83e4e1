// The socket code both ends share: readying a socket, reads that do not
// wait, and sends tried at once.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "net/codec.h"
#include "net/stream.h"

using namespace grio;
using namespace grio::ninep;

namespace {

struct Pair {
  asio::io_context io;
  net::Socket ours{io};
  int theirs = -1;
  Pair() {
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    ours = net::Socket(io, asio::generic::stream_protocol(AF_UNIX, 0), sv[0]);
    theirs = sv[1];
    net::prepare_stream(ours);
  }
  ~Pair() {
    if (theirs >= 0) ::close(theirs);
  }
};

}  // namespace

TEST_CASE("stream: a Unix socket is non-blocking, its send buffer as big as the kernel allows up to 1 MiB", "[net]") {
  Pair p;
  CHECK(p.ours.non_blocking());
  long wmem_max = 0;
  std::ifstream("/proc/sys/net/core/wmem_max") >> wmem_max;
  REQUIRE(wmem_max > 0);
  int size = 0;
  socklen_t len = sizeof size;
  REQUIRE(::getsockopt(p.ours.native_handle(), SOL_SOCKET, SO_SNDBUF, &size, &len) == 0);
  CHECK(size == 2 * std::min(wmem_max, 1l << 20));  // Linux doubles what it is given
}

TEST_CASE("stream: read_now tells a full read, a drained socket and a closed one apart", "[net]") {
  Pair p;
  FrameReader in(8192);
  error_code ec;
  CHECK(net::read_now(p.ours, in, ec) == net::ReadNow::Drained);  // nothing there
  CHECK(!ec);
  auto msg = encode(Fcall{1, Tclunk{7}});
  REQUIRE(::write(p.theirs, msg.data(), msg.size()) == ssize_t(msg.size()));
  CHECK(net::read_now(p.ours, in, ec) == net::ReadNow::Drained);  // less than its room
  CHECK(in.next().kind == FrameReader::Next::Bytes);
  std::vector<uint8_t> lots;
  while (lots.size() < (1 << 20)) encode(Fcall{1, Tclunk{7}}, lots);
  auto take_all = [&] {
    while (in.next().kind == FrameReader::Next::Bytes) {
    }
  };
  REQUIRE(::send(p.theirs, lots.data(), lots.size(), MSG_DONTWAIT) > ssize_t(in.space()[0].size));
  CHECK(net::read_now(p.ours, in, ec) == net::ReadNow::More);  // all its room
  take_all();
  ::close(p.theirs);
  p.theirs = -1;
  while (net::read_now(p.ours, in, ec) == net::ReadNow::More) take_all();
  CHECK(!ec);
  CHECK(net::read_now(p.ours, in, ec) == net::ReadNow::Failed);
  CHECK(ec == asio::error::eof);
}

TEST_CASE("stream: send_now sends at once what the socket takes, async_write the rest", "[net]") {
  Pair p;
  net::Outbox small;
  small.add(Fcall{1, Tclunk{7}});
  bool called = false;
  CHECK(net::send_now(p.ours, small, [&](const error_code&) { called = true; }));
  CHECK_FALSE(called);
  std::string big(4 << 20, 'x');  // more than the socket holds
  net::Outbox out;
  out.add_twrite(2, 1, 0, std::string_view(big).substr(0, 60000));
  for (int i = 0; i < 80; i++) out.add_twrite(uint16_t(3 + i), 1, 0, std::string_view(big).substr(0, 60000));
  error_code got = asio::error::would_block;
  CHECK_FALSE(net::send_now(p.ours, out, [&](const error_code& ec) { got = ec; }));
  std::vector<uint8_t> sink(1 << 16);
  size_t read = 0;
  while (got == asio::error::would_block) {
    p.io.poll();
    ssize_t n = ::recv(p.theirs, sink.data(), sink.size(), MSG_DONTWAIT);
    if (n > 0) read += size_t(n);
  }
  CHECK(!got);
  while (true) {
    ssize_t n = ::recv(p.theirs, sink.data(), sink.size(), MSG_DONTWAIT);
    if (n <= 0) break;
    read += size_t(n);
  }
  CHECK(read == small.size() + out.size());
}

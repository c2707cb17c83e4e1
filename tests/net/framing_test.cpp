// The frame reader: messages come out whole and unchanged however the stream
// is cut, large payloads go direct, and broken framing is reported.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

#include "net/codec.h"
#include "net/framing.h"

using namespace grio::ninep;

namespace {

constexpr uint32_t msize = 128 * 1024;

// What came out of the reader: each message decoded, and how it came.
struct Out {
  std::vector<Fcall> messages;
  std::vector<FrameReader::Next::Kind> kinds;
  std::string broken;
};

void drain(FrameReader& r, Out& out) {
  for (;;) {
    auto n = r.next();
    if (n.kind == FrameReader::Next::None) return;
    out.kinds.push_back(n.kind);
    if (n.kind == FrameReader::Next::Broken) {
      out.broken = n.why;
      return;
    }
    if (n.kind == FrameReader::Next::Message) {
      out.messages.push_back(std::move(n.message));
      continue;
    }
    auto d = decode(n.bytes, msize);
    REQUIRE(d.fcall);
    out.messages.push_back(std::move(*d.fcall));
  }
}

// Feeds stream to r in reads of at most `chunk` bytes, filling space() in
// order as readv does.
Out feed(FrameReader& r, const std::vector<uint8_t>& stream, size_t chunk) {
  Out out;
  size_t at = 0;
  while (at < stream.size() && out.broken.empty()) {
    size_t n = std::min(chunk, stream.size() - at), put = 0;
    for (auto& a : r.space()) {
      size_t k = std::min(a.size, n - put);
      if (k) std::memcpy(a.data, stream.data() + at + put, k);
      put += k;
    }
    REQUIRE(put > 0);
    r.received(put);
    at += put;
    drain(r, out);
  }
  return out;
}

Out feed(const std::vector<uint8_t>& stream, size_t chunk) {
  FrameReader r(msize);
  return feed(r, stream, chunk);
}

std::vector<uint8_t> wire(const std::vector<Fcall>& fs) {
  std::vector<uint8_t> out;
  for (auto& f : fs) encode(f, out);
  return out;
}

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) s[i] = char(i * 7 + i / 251);
  return s;
}

}  // namespace

TEST_CASE("frame reader delivers small messages however the stream is cut", "[net]") {
  std::vector<Fcall> in = {Fcall{1, Tclunk{5}}, Fcall{2, Tread{5, 0, 100}}, Fcall{3, Rwrite{7}},
                           Fcall{4, Twalk{1, 2, {"a", "b"}}}};
  auto bytes = wire(in);
  for (size_t chunk : {size_t(1), size_t(3), size_t(10), bytes.size()}) {
    auto out = feed(bytes, chunk);
    CHECK(wire(out.messages) == wire(in));
    CHECK(std::count(out.kinds.begin(), out.kinds.end(), FrameReader::Next::Bytes) == 4);
  }
}

TEST_CASE("frame reader reads a large Twrite payload directly and keeps what follows", "[net]") {
  std::vector<Fcall> in = {Fcall{9, Twrite{3, 1ull << 40, pattern(64 * 1024)}}, Fcall{10, Tclunk{3}},
                           Fcall{11, Twrite{3, 5, pattern(20000)}}, Fcall{12, Tclunk{4}}};
  auto bytes = wire(in);
  auto out = feed(bytes, 1000);
  CHECK(wire(out.messages) == wire(in));
  using K = FrameReader::Next;
  CHECK(out.kinds == std::vector<FrameReader::Next::Kind>{K::Message, K::Bytes, K::Message, K::Bytes});
}

TEST_CASE("frame reader reads a large Rread payload directly", "[net]") {
  std::vector<Fcall> in = {Fcall{1, Rread{pattern(100000)}}, Fcall{2, Rread{pattern(100000)}}};
  auto out = feed(wire(in), 4096);
  CHECK(wire(out.messages) == wire(in));
  CHECK(out.kinds[0] == FrameReader::Next::Message);
}

// Even when the whole message is waiting, the first read takes only its
// head, so its payload is not copied out of the receive buffer.
TEST_CASE("frame reader reads a large message waiting whole direct, after a small first read", "[net]") {
  std::vector<Fcall> in = {Fcall{9, Twrite{3, 0, pattern(32 * 1024)}}};
  auto bytes = wire(in);
  FrameReader r(msize);
  CHECK(r.space()[0].size < 32 * 1024);
  auto out = feed(r, bytes, bytes.size());
  CHECK(wire(out.messages) == wire(in));
  CHECK(out.kinds == std::vector<FrameReader::Next::Kind>{FrameReader::Next::Message});
}

// A Twrite whose count disagrees with its size must reach the codec, which
// says exactly what is wrong, instead of being read directly.
TEST_CASE("frame reader hands a large Twrite with a bad count to the codec", "[net]") {
  auto bytes = wire({Fcall{9, Twrite{3, 0, pattern(32 * 1024)}}});
  bytes[19] ^= 0x01;  // the low byte of count
  FrameReader r(msize);
  Out out;
  for (size_t at = 0; at < bytes.size();) {
    auto a = r.space()[0];
    size_t k = std::min<size_t>({a.size, 1000, bytes.size() - at});
    std::memcpy(a.data, bytes.data() + at, k);
    r.received(k);
    at += k;
    auto n = r.next();
    if (n.kind == FrameReader::Next::None) continue;
    REQUIRE(n.kind == FrameReader::Next::Bytes);
    auto d = decode(n.bytes, msize);
    CHECK_FALSE(d.fcall);
    CHECK_THAT(d.error, Catch::Contains("truncated"));
    out.kinds.push_back(n.kind);
  }
  CHECK(out.kinds.size() == 1);
}

TEST_CASE("frame reader reports a size field larger than msize", "[net]") {
  std::vector<uint8_t> bytes = {0xff, 0xff, 0xff, 0x00, uint8_t(MsgType::Twrite), 0, 0};
  auto out = feed(bytes, bytes.size());
  CHECK_THAT(out.broken, Catch::Contains("msize"));
}

TEST_CASE("frame reader reads the next direct payload into a recycled string", "[net]") {
  FrameReader r(msize);
  std::string spare(40000, 'x');
  const char* memory = spare.data();
  r.recycle(std::move(spare));
  std::vector<Fcall> in = {Fcall{9, Twrite{3, 0, pattern(40000)}}, Fcall{10, Twrite{3, 0, pattern(30000)}}};
  auto out = feed(r, wire(in), 1000);
  REQUIRE(out.messages.size() == 2);
  CHECK(wire(out.messages) == wire(in));
  CHECK(std::get<Twrite>(out.messages[0].msg).data.data() == memory);
}

// A client streaming with several reads in flight gives back several
// strings at once; each is read into again, and one past the number kept
// is let go. The recycled strings are bigger than the payloads, so a
// payload read into one keeps its capacity.
TEST_CASE("frame reader keeps as many recycled strings as it was made for", "[net]") {
  FrameReader r(msize, 2);
  for (int i = 0; i < 3; i++) r.recycle(std::string(100000, 'x'));
  std::vector<Fcall> in = {Fcall{9, Rread{pattern(40000)}}, Fcall{10, Rread{pattern(40000)}},
                           Fcall{11, Rread{pattern(40000)}}};
  auto out = feed(r, wire(in), 1000);
  REQUIRE(out.messages.size() == 3);
  CHECK(wire(out.messages) == wire(in));
  int reused = 0;
  for (auto& m : out.messages) reused += std::get<Rread>(m.msg).data.capacity() >= 100000;
  CHECK(reused == 2);
}

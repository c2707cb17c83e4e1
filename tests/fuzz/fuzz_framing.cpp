// libFuzzer target for the frame reader (net/framing).
//
// The stream is handed to FrameReader in reads of sizes the input chooses,
// as a socket would. The invariant: the messages it yields are exactly the
// frames the codec's frame_size finds when it splits the whole stream at
// once (a direct payload read, re-encoded, gives the same bytes), and it
// reports a broken stream where that split does.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "net/codec.h"
#include "net/framing.h"

using namespace grio::ninep;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_framing: %s\n", what);
  std::abort();
}

struct Split {
  std::vector<std::vector<uint8_t>> frames;
  bool broken = false;
};

// The reference: frames cut from the whole stream.
Split reference(std::span<const uint8_t> s, uint32_t msize) {
  Split r;
  while (!s.empty()) {
    std::string why;
    uint32_t n = frame_size(s, msize, why);
    if (!why.empty()) {
      r.broken = true;
      break;
    }
    if (n == 0 || n > s.size()) break;  // the stream ends inside a frame
    r.frames.emplace_back(s.begin(), s.begin() + n);
    s = s.subspan(n);
  }
  return r;
}

// Takes every message the reader has now; false once it says broken.
bool take(FrameReader& fr, Split& got) {
  for (;;) {
    auto n = fr.next();
    switch (n.kind) {
      case FrameReader::Next::None:
        return true;
      case FrameReader::Next::Broken:
        if (n.why.empty()) fail("broken without a reason");
        got.broken = true;
        return false;
      case FrameReader::Next::Bytes:
        got.frames.emplace_back(n.bytes.begin(), n.bytes.end());
        break;
      case FrameReader::Next::Message: {
        auto t = type_of(n.message.msg);
        if (t != MsgType::Twrite && t != MsgType::Rread) fail("a direct read that is not Twrite or Rread");
        got.frames.push_back(encode(n.message));
        break;
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  // An msize from 64 bytes to 64 KiB; read sizes from a small table so that
  // large direct payloads (8 KiB and up) come up as often as tiny reads.
  uint32_t msize = 64 + ((uint32_t(data[0]) << 8 | data[1]) % (65536 - 64));
  uint8_t pattern = data[2];
  std::span<const uint8_t> stream(data + 3, size - 3);
  static constexpr size_t sizes[8] = {1, 3, 7, 64, 1000, 4096, 9000, 70000};

  FrameReader fr(msize);
  Split got;
  size_t at = 0, turn = 0;
  while (at < stream.size()) {
    size_t want = sizes[((pattern >> (turn % 8)) ^ (turn / 8)) & 7];
    turn++;
    auto areas = fr.space();
    size_t n = 0;
    for (auto& a : areas) {
      size_t k = std::min({a.size, want - n, stream.size() - at - n});
      if (k) std::memcpy(a.data, stream.data() + at + n, k);
      n += k;
      if (k < a.size) break;  // a short read fills the first area only
    }
    if (n == 0) fail("no room to read into");
    fr.received(n);
    at += n;
    if (!take(fr, got)) break;
  }
  Split want = reference(stream, msize);
  if (got.broken != want.broken) fail("broken disagrees with frame_size");
  if (got.frames != want.frames) fail("frames differ from frame_size's split");
  return 0;
}

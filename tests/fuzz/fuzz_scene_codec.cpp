// libFuzzer target for the scene feed's decoder (wsys/scene_codec.h).
//
// The first byte picks how the rest is read:
//   even: feed bytes as read from view/feed, pushed in reads whose sizes
//         the input also picks — the framing and inflate paths;
//   odd:  records, each a 2-byte little-endian length and that many bytes,
//         deflated here as frames of one stream — the record's every field.
// The invariants: the decoder never crashes, says why it refuses, stays
// refused, and within its limits; and a scene it accepts, sent again
// through an encoder, comes out of a second decoder equal to it.
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "wsys/scene_codec.h"

using namespace grio::wsys;

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_scene_codec: %s\n", what.c_str());
  std::abort();
}

// Small limits so that the fuzzer reaches them.
FeedLimits limits() {
  FeedLimits l;
  l.max_frame = 1 << 16;
  l.max_windows = 16;
  l.max_rows = 64;
  l.max_depth = 2;
  l.max_row_cells = 64;
  l.max_menu_items = 8;
  l.max_scene_bytes = 1 << 18;
  return l;
}

size_t rows_held(const Scene& s) {
  size_t n = 0;
  for (auto& w : s.windows) n += w->rows.size() + (w->nested ? rows_held(*w->nested) : 0);
  return n;
}

// Frames the decoder gave: each within the limits, and agreed on by a
// fresh encoder and decoder pair.
void check_frames(const std::vector<ViewFrame>& frames, FeedEncoder& enc, FeedDecoder& again) {
  for (auto& f : frames) {
    if (f.scene && rows_held(*f.scene) > limits().max_windows * limits().max_rows) fail("more rows than the limits allow");
    std::string wire;
    enc.encode(f, wire);
    std::vector<ViewFrame> back;
    if (auto e = again.push(wire, back); !e.empty()) fail("a decoded frame sent again is refused: " + e);
    if (back.size() != 1) fail("a frame sent again is not one frame");
    if (bool(back[0].scene) != bool(f.scene) || back[0].notice != f.notice || back[0].clipboard != f.clipboard ||
        back[0].exit != f.exit)
      fail("a frame sent again differs");
    if (f.scene)
      if (auto d = scene_diff(*f.scene, *back[0].scene); !d.empty()) fail("a scene sent again differs at " + d);
  }
}

void push(FeedDecoder& dec, std::string_view bytes, FeedEncoder& enc, FeedDecoder& again, bool& refused) {
  std::vector<ViewFrame> frames;
  std::string e = dec.push(bytes, frames);
  if (refused && e.empty()) fail("an error was not final");
  refused = !e.empty();
  check_frames(frames, enc, again);
}

void feed_bytes(std::string_view in) {
  FeedDecoder dec(limits()), again;  // again: limits a decoded scene's own frames keep to
  FeedEncoder enc;
  bool refused = false;
  while (!in.empty()) {
    size_t n = std::min(in.size(), size_t(uint8_t(in[0])) + 1);
    push(dec, in.substr(1, n - 1), enc, again, refused);
    in.remove_prefix(n);
  }
}

void feed_records(std::string_view in) {
  FeedDecoder dec(limits()), again;  // again: limits a decoded scene's own frames keep to
  FeedEncoder enc;
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) fail("deflateInit2");
  bool refused = false;
  while (in.size() >= 2) {
    size_t n = std::min(in.size() - 2, size_t(uint8_t(in[0]) | uint8_t(in[1]) << 8));
    std::string_view rec = in.substr(2, n);
    in.remove_prefix(2 + n);
    std::string out(rec.size() + rec.size() / 8 + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(rec.data()));
    z.avail_in = uInt(rec.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = uInt(out.size());
    deflate(&z, Z_SYNC_FLUSH);
    out.resize(out.size() - z.avail_out);
    // Less the sync flush's 00 00 ff ff, as the encoder sends it (an empty
    // record deflates to nothing).
    if (out.size() >= 4) out.resize(out.size() - 4);
    uint32_t len = uint32_t(out.size());
    std::string frame{char(len), char(len >> 8), char(len >> 16), char(len >> 24)};
    push(dec, frame + out, enc, again, refused);
  }
  deflateEnd(&z);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) feed_records(in);
  else feed_bytes(in);
  return 0;
}

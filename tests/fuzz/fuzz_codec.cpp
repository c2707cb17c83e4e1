// libFuzzer target for the pure 9P2000 codec.
//
// The invariant: whatever decode() accepts, encode() writes back byte for
// byte. The codec has one canonical form per message (sizes are derived, not
// stored), so any difference means decode accepted a frame it should not have,
// or the two directions of an io() drifted apart.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "net/codec.h"

using namespace grio::ninep;

namespace {

[[noreturn]] void fail(const char* what, std::span<const uint8_t> in) {
  std::fprintf(stderr, "fuzz_codec: %s (input %zu bytes)\n", what, in.size());
  std::abort();
}

void check_message(std::span<const uint8_t> in) {
  Decoded d = decode(in, 1 << 16);
  if (!d.fcall) {
    if (d.error.empty()) fail("decode failed without saying why", in);
    return;
  }
  if (!d.error.empty()) fail("decode succeeded but set an error", in);
  std::string why;
  if (frame_size(in, 1 << 16, why) != in.size()) fail("frame_size disagrees with decode", in);
  std::vector<uint8_t> out = encode(*d.fcall);
  if (!std::equal(out.begin(), out.end(), in.begin(), in.end())) fail("encode(decode(x)) != x", in);
  if (to_string(*d.fcall).empty()) fail("empty trace", in);
}

// The same input read as the body of a directory read.
void check_dir(std::span<const uint8_t> in) {
  std::string why;
  auto dir = unpack_dir(in, why);
  if (!dir) {
    if (why.empty()) fail("unpack_dir failed without saying why", in);
    return;
  }
  std::vector<uint8_t> out;
  Packer p(out);
  for (const Stat& d : *dir) {
    pack_stat(p, d);
    if (to_string(d).empty()) fail("empty stat trace", in);
  }
  if (!std::equal(out.begin(), out.end(), in.begin(), in.end())) fail("pack(unpack_dir(x)) != x", in);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  check_message(in);
  check_dir(in);
  return 0;
}

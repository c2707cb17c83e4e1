// How fuzz_vt_screen reads an input, shared with the test that replays
// the inputs it found (tests/fixtures/vt/): the first two bytes choose
// the screen's size, the size of each write and whether a resize comes
// halfway; the rest are what the program writes. Both models get the
// same writes: the plain runs' (lazy) and glyph by glyph (eager).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "term/vt_screen.h"

namespace grio::test {

struct VtPair {
  std::unique_ptr<term::VtScreen> lazy, eager;
};

// data: at least 2 bytes. Each write is given in a buffer of exactly its
// bytes, so that ASan sees a read past them.
inline VtPair play_vt_input(std::string_view data) {
  auto byte = [&](size_t i) { return uint8_t(data[i]); };
  int rows = 2 + byte(0) % 14, cols = 2 + byte(1) % 60;
  size_t piece = 1 + size_t(byte(0) >> 4) * 5;
  bool resize = byte(1) & 0x80;
  VtPair p{std::make_unique<term::VtScreen>(rows, cols, term::VtConfig{20}),
           std::make_unique<term::VtScreen>(rows, cols, term::VtConfig{20, true})};
  std::string_view bytes = data.substr(2);
  for (size_t at = 0; at < bytes.size(); at += piece) {
    auto w = bytes.substr(at, piece);
    std::unique_ptr<char[]> exact(new char[w.size()]);
    std::memcpy(exact.get(), w.data(), w.size());
    for (auto* s : {p.lazy.get(), p.eager.get()}) {
      s->write(std::string_view(exact.get(), w.size()));
      if (resize && at < bytes.size() / 2 && at + piece >= bytes.size() / 2) s->resize(rows + 3, std::max(cols - 1, 2));
    }
  }
  return p;
}

}  // namespace grio::test

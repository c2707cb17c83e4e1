// A cursor image as the cursor file sets it (libdraw's Cursor): a plain
// value the model keeps per window and scenes hand to the desktop.
#pragma once

#include <array>
#include <cstdint>

#include "wsys/geometry.h"

namespace grio::wsys {

// 16×16, one bit a pixel, two bytes a row, most significant bit leftmost.
struct Cursor {
  Point offset;                     // of the image's top left from the hot spot
  std::array<uint8_t, 32> clr{};    // pixels drawn white …
  std::array<uint8_t, 32> set{};    // … and black, over them
  bool operator==(const Cursor&) const = default;
};

}  // namespace grio::wsys

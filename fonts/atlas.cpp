// The shelf packer.
#include "fonts/atlas.h"

#include <algorithm>

namespace grio::fonts {

Atlas::Atlas(int w, int h, int start) : max_w_(w), max_h_(h) {
  img_.w = std::min(w, start);
  img_.h = std::min(h, start);
  img_.px.assign(size_t(img_.w) * img_.h, 0);
}

std::optional<Slot> Atlas::pack(int w, int h) {
  if (w + 1 > max_w_ || h + 1 > max_h_) return std::nullopt;
  for (;;) {
    if (auto s = place(w, h)) return s;
    if (!grow()) return std::nullopt;
  }
}

std::optional<Slot> Atlas::place(int w, int h) {
  // A shelf up to a third taller than the glyph still fits it well.
  for (auto& s : shelves_) {
    if (h + 1 <= s.h && (h + 1) * 4 >= s.h * 3 && s.used + w + 1 <= img_.w) {
      Slot slot{s.used, s.y};
      s.used += w + 1;
      return slot;
    }
  }
  if (top_ + h + 1 > img_.h || w + 1 > img_.w) return std::nullopt;
  shelves_.push_back(Shelf{top_, h + 1, w + 1});
  Slot slot{0, top_};
  top_ += h + 1;
  return slot;
}

// Twice as wide and high, up to the largest size, the pixels kept where
// they were (the shelves grow longer).
bool Atlas::grow() {
  int w = std::min(max_w_, img_.w * 2), h = std::min(max_h_, img_.h * 2);
  if (w == img_.w && h == img_.h) return false;
  std::vector<uint32_t> px(size_t(w) * h, 0);
  for (int y = 0; y < img_.h; y++) std::copy_n(&img_.px[size_t(y) * img_.w], img_.w, &px[size_t(y) * w]);
  img_.w = w, img_.h = h;
  img_.px = std::move(px);
  version_++;
  return true;
}

void Atlas::blit(Slot s, const Image& im) {
  for (int y = 0; y < im.h; y++)
    std::copy_n(&im.px[size_t(y) * im.w], im.w, &img_.px[size_t(s.y + y) * img_.w + s.x]);
  version_++;
}

void Atlas::clear() {
  std::fill(img_.px.begin(), img_.px.end(), 0);
  shelves_.clear();
  top_ = 0;
  version_++;
}

}  // namespace grio::fonts

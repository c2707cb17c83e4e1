// The shelf packer.
#include "fonts/atlas.h"

#include <algorithm>

namespace grio::fonts {

Atlas::Atlas(int w, int h) {
  img_.w = w;
  img_.h = h;
  img_.px.assign(size_t(w) * h, 0);
}

std::optional<Slot> Atlas::pack(int w, int h) {
  if (w + 1 > img_.w || h + 1 > img_.h) return std::nullopt;
  // A shelf up to a third taller than the glyph still fits it well.
  for (auto& s : shelves_) {
    if (h + 1 <= s.h && (h + 1) * 4 >= s.h * 3 && s.used + w + 1 <= img_.w) {
      Slot slot{s.used, s.y};
      s.used += w + 1;
      return slot;
    }
  }
  if (top_ + h + 1 > img_.h) return std::nullopt;
  shelves_.push_back(Shelf{top_, h + 1, w + 1});
  Slot slot{0, top_};
  top_ += h + 1;
  return slot;
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

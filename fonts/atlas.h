// Packing glyph images into one texture: shelves of rows, first fit.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace grio::fonts {

// A place in the atlas.
struct Slot {
  int x = 0, y = 0;
};

// An 8-bit coverage image (0 = transparent, 255 = full ink), row-major.
struct Bitmap {
  int w = 0, h = 0;
  std::vector<uint8_t> a;
  uint8_t at(int x, int y) const { return a[size_t(y) * w + x]; }
};

// A colour image, row-major, 0xAARRGGBB pixels with straight (not
// premultiplied) alpha: SDL's ARGB8888. Glyphs drawn in the text's colour
// are white, their coverage in alpha; colour glyphs (emoji) keep theirs.
struct Image {
  int w = 0, h = 0;
  std::vector<uint32_t> px;
  uint32_t at(int x, int y) const { return px[size_t(y) * w + x]; }
  uint8_t alpha(int x, int y) const { return uint8_t(at(x, y) >> 24); }
};

// Shelf packer: glyphs of one font are nearly all the same height, so a
// new shelf opens only when no open shelf is tall enough and has room.
// It starts small and doubles when full, up to its largest size: a shell
// of ASCII needs a few hundred glyphs, and every pixel is held twice (here
// and in the renderer's texture), 8 MB at 1024×1024.
class Atlas {
 public:
  // w×h: the largest it grows to; first at most start×start.
  Atlas(int w, int h, int start = 256);
  // Reserves w×h pixels (with a 1-pixel gutter so sampling never bleeds),
  // growing if need be (slots already given stay where they are); nothing
  // when full at the largest size.
  std::optional<Slot> pack(int w, int h);
  // Copies an image into the atlas at s.
  void blit(Slot s, const Image& im);
  // Forgets every glyph (the caller drops its cache too).
  void clear();
  // Its size now: the renderer's texture follows it.
  const Image& pixels() const { return img_; }
  // Bumped whenever pixels change, so a renderer knows to re-upload.
  uint64_t version() const { return version_; }

 private:
  struct Shelf {
    int y, h, used;
  };
  std::optional<Slot> place(int w, int h);
  bool grow();
  Image img_;
  int max_w_, max_h_;
  std::vector<Shelf> shelves_;
  int top_ = 0;  // first row no shelf uses
  uint64_t version_ = 1;
};

}  // namespace grio::fonts

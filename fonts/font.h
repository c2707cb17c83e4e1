// A monospace font for the desktop: a FreeType face found through
// fontconfig, fallback faces for what it lacks, and a glyph cache whose
// bitmaps live in one atlas. No drawing API here: the renderer copies atlas
// rectangles, and render() gives tests the same pixels without a screen.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "fonts/atlas.h"

namespace grio::fonts {

struct FontSpec {
  std::string name = "monospace";  // a fontconfig pattern or a font file's path
  double points = 10;              // size …
  double dpi = 96;                 // … at this many dots per inch
};

// Where a glyph's bitmap is and how it sits in its cell.
struct Glyph {
  Slot at;                   // in the atlas
  int w = 0, h = 0;          // bitmap size (0×0 for blanks)
  int dx = 0, dy = 0;        // bitmap's top-left relative to the cell's top-left
  int face = -1;             // index of the face that drew it; -1: replacement box
};

class Font {
 public:
  // Opens spec.name (a path if it names a file, else a fontconfig pattern;
  // "monospace" finds DejaVu Sans Mono or Go Mono on Debian). Nothing, with
  // err set, when no face loads.
  static std::unique_ptr<Font> open(const FontSpec& spec, std::string& err);
  ~Font();
  Font(const Font&) = delete;
  Font& operator=(const Font&) = delete;

  // The cell every rune is drawn in.
  int width() const { return width_; }
  int height() const { return height_; }
  int ascent() const { return ascent_; }

  // The glyph of r, rendered and packed on first use. A rune that no face
  // has is a visible box. When the atlas is full it is cleared and the
  // cache with it, so a Glyph is valid until the next call that adds one:
  // generation() tells when that happened.
  const Glyph& glyph(char32_t r);
  const Atlas& atlas() const { return atlas_; }
  uint64_t generation() const { return generation_; }

  // The file of face i (0 is the main face), for tests and messages.
  std::string face_file(int i) const;

  // s drawn in a row of cells, as coverage: what the renderer puts on screen
  // for the same runes (ink composited "over", so overlaps match).
  Bitmap render(std::u32string_view s);

 private:
  struct Face;
  Font();
  int face_for(char32_t r);
  int load_face(const std::string& file, int index);
  Bitmap rasterize(int face, char32_t r, int& left, int& top);
  Bitmap replacement_box() const;

  FontSpec spec_;
  void* library_ = nullptr;  // FT_Library, kept out of this header
  std::vector<std::unique_ptr<Face>> faces_;
  std::map<std::string, int> face_by_file_;
  std::map<char32_t, int> face_of_rune_;  // which face has a rune (-1: none)
  std::map<char32_t, Glyph> cache_;
  Atlas atlas_{1024, 1024};
  uint64_t generation_ = 0;
  int width_ = 0, height_ = 0, ascent_ = 0;
};

}  // namespace grio::fonts

// A monospace font for the desktop: a FreeType face found through
// fontconfig, fallback faces for what it lacks (CJK, symbols, colour
// emoji), and a glyph cache whose images live in one atlas. No drawing API here: the renderer copies atlas
// rectangles, and render() gives tests the same pixels without a screen.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "fonts/atlas.h"

namespace grio::fonts {

// How many cells a rune takes (term::cell_width; the caller's layout
// decides, fonts know nothing of it); 0: drawn over the rune before it.
using CellWidth = int (*)(char32_t);

struct FontSpec {
  std::string name = "monospace";  // a fontconfig pattern or a font file's path
  double points = 10;              // size …
  double dpi = 96;                 // … at this many dots per inch
  CellWidth cells = nullptr;       // the layout's widths; null: one cell each
};

// Where a glyph's image is and how it sits in its cell.
struct Glyph {
  Slot at;                   // in the atlas
  int w = 0, h = 0;          // image size (0×0 for blanks)
  int dx = 0, dy = 0;        // image's top-left relative to the cell's top-left
  int face = -1;             // index of the face that drew it; -1: replacement box
  bool colour = false;       // drawn in its own colours (emoji), not the text's
};


// Walks a row of runes to the cell each is drawn from, given the cells it
// takes: a zero-width rune (a combining mark) goes where the rune before
// it went, so it draws over it.
struct CellPen {
  int col = 0;   // where the next rune goes
  int last = 0;  // where the last one with cells went
  int place(int cells) {
    if (cells == 0) return last;
    last = col;
    col += cells;
    return last;
  }
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
  // has is a visible box (nothing if it takes no cells). A two-cell rune prefers a colour face (emoji), a
  // one-cell rune an outline face. Colour bitmap faces (Noto Color Emoji)
  // are scaled to the cell's height within the rune's cells; a mark with
  // no advance of its own is placed over a one-cell rune in its cell. When the atlas is full it is cleared and the
  // cache with it, so a Glyph is valid until the next call that adds one:
  // generation() tells when that happened. Italic: from the font's italic
  // face, else slanted (italic_face()).
  const Glyph& glyph(char32_t r, bool italic = false);
  const Atlas& atlas() const { return atlas_; }
  uint64_t generation() const { return generation_; }

  // The file of face i (0 is the main face), for tests and messages.
  std::string face_file(int i) const;

  // s drawn in a row of cells, as coverage (colour glyphs by their alpha):
  // what the renderer puts on screen for the same runes (ink composited
  // "over", so overlaps match), each rune in the spec's cells.
  Bitmap render(std::u32string_view s, bool italic = false);

 private:
  struct Face;
  Font();
  int cells(char32_t r) const;
  int face_for(char32_t r);
  int fallback(char32_t r, bool colour);
  int italic_face();
  int load_face(const std::string& file, int index);
  bool set_size(Face& face);
  Image rasterize(int face, char32_t r, bool oblique, int& left, int& top, bool& colour);
  Image replacement_box() const;

  FontSpec spec_;
  void* library_ = nullptr;    // FT_Library, kept out of this header
  void* fallbacks_ = nullptr;  // FcFontSet*, sorted on first need
  std::vector<std::unique_ptr<Face>> faces_;
  std::map<std::string, int> face_by_file_;
  std::map<char32_t, int> face_of_rune_;  // which face has a rune (-1: none)
  std::map<std::pair<char32_t, bool>, Glyph> cache_;  // by rune and italic
  int italic_face_ = -2;                               // -2: not looked for yet; -1: none
  Atlas atlas_{1024, 1024};
  uint64_t generation_ = 0;
  int width_ = 0, height_ = 0, ascent_ = 0;
};

}  // namespace grio::fonts

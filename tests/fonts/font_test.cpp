// fonts: faces through fontconfig, fallback, the replacement box, the atlas.
#include <catch2/catch.hpp>

#include "fonts/font.h"
#include "term/width.h"

using namespace grio::fonts;

namespace {

std::unique_ptr<Font> open_font(const std::string& name, double points = 12) {
  std::string err;
  auto f = Font::open(FontSpec{name, points, 96, grio::term::cell_width}, err);
  INFO(err);
  REQUIRE(f);
  return f;
}

// Ink in a glyph's bitmap, in fully covered pixels' worth.
int ink(const Font& f, const Glyph& g) {
  int n = 0;
  for (int y = 0; y < g.h; y++)
    for (int x = 0; x < g.w; x++) n += f.atlas().pixels().alpha(g.at.x + x, g.at.y + y);
  return n / 255;
}

// Pixels of b's cell c (of cells w wide) with more than half ink.
int cell_ink(const Bitmap& b, int w, int c) {
  int n = 0;
  for (int y = 0; y < b.h; y++)
    for (int x = c * w; x < (c + 1) * w; x++) n += b.at(x, y) > 128;
  return n;
}

// How far right the ink of b's upper half lies from its lower half's, in
// pixels (centres of coverage): 0 upright, more for a rune leaning right.
double lean(const Bitmap& b) {
  int top = b.h, bottom = 0;
  for (int y = 0; y < b.h; y++)
    for (int x = 0; x < b.w; x++)
      if (b.at(x, y)) top = std::min(top, y), bottom = std::max(bottom, y + 1);
  auto centre = [&](int y0, int y1) {
    double sum = 0, n = 0;
    for (int y = y0; y < y1; y++)
      for (int x = 0; x < b.w; x++) sum += x * b.at(x, y), n += b.at(x, y);
    return n > 0 ? sum / n : 0;
  };
  int mid = (top + bottom) / 2;
  return centre(top, mid) - centre(mid, bottom);
}

}  // namespace

TEST_CASE("the default monospace font has a cell and A has ink", "[fonts]") {
  auto f = open_font("monospace");
  CHECK(f->width() > 4);
  CHECK(f->height() > f->width());
  CHECK(f->ascent() < f->height());
  const Glyph& a = f->glyph('A');
  CHECK(a.face == 0);
  CHECK(ink(*f, a) > 10);
  CHECK(f->glyph(' ').w * f->glyph(' ').h == 0);  // blanks have no bitmap
}

TEST_CASE("size in points scales with dpi", "[fonts]") {
  std::string err;
  auto small = Font::open(FontSpec{"monospace", 10, 96}, err);
  auto big = Font::open(FontSpec{"monospace", 10, 192}, err);
  REQUIRE(small);
  REQUIRE(big);
  CHECK(big->height() >= 2 * small->height() - 2);
}

TEST_CASE("a font file's path opens it", "[fonts]") {
  auto f = open_font("/usr/share/fonts/fonts-go/Go-Mono.ttf");
  CHECK(f->face_file(0) == "/usr/share/fonts/fonts-go/Go-Mono.ttf");
  std::string err;
  CHECK_FALSE(Font::open(FontSpec{"/nonexistent/font.ttf", 10, 96}, err));
  CHECK_FALSE(err.empty());
}

TEST_CASE("a rune the main face lacks comes from a fallback face", "[fonts]") {
  auto f = open_font("Go Mono");
  REQUIRE(f->face_file(0).find("Go-Mono") != std::string::npos);
  const Glyph& snowman = f->glyph(U'\u2603');  // not in Go Mono; DejaVu has it
  REQUIRE(snowman.face > 0);
  CHECK(f->face_file(snowman.face).find("Go-Mono") == std::string::npos);
  CHECK(ink(*f, snowman) > 10);
}

// The CJK font is fonts-wqy-microhei (Makefile's PACKAGES).
TEST_CASE("a CJK rune comes from a fallback face with ink in both of its cells", "[fonts]") {
  auto f = open_font("monospace");
  const Glyph& g = f->glyph(U'\u4E2D');
  REQUIRE(g.face > 0);
  CHECK(f->face_file(g.face) != f->face_file(0));
  CHECK_FALSE(g.colour);
  Bitmap b = f->render(U"\u4E2Dx");
  REQUIRE(b.w == 3 * f->width());
  CHECK(cell_ink(b, f->width(), 0) > 10);
  CHECK(cell_ink(b, f->width(), 1) > 10);
  CHECK(cell_ink(b, f->width(), 2) > 0);  // x after it, in the third cell
}

// The emoji font is fonts-noto-color-emoji: CBDT bitmaps 128 pixels high.
TEST_CASE("an emoji is drawn in its own colours scaled to the cell", "[fonts]") {
  auto f = open_font("monospace");
  const Glyph& g = f->glyph(U'\U0001F600');
  REQUIRE(g.face > 0);
  CHECK(g.colour);
  CHECK(g.h <= f->height());
  CHECK(g.h >= f->height() - 2);
  CHECK(g.w <= 2 * f->width());
  CHECK(g.dy >= 0);
  CHECK(g.dy + g.h <= f->height());
  bool coloured = false;
  for (int y = 0; y < g.h; y++)
    for (int x = 0; x < g.w; x++) {
      uint32_t p = f->atlas().pixels().at(g.at.x + x, g.at.y + y);
      uint8_t r = uint8_t(p >> 16), gr = uint8_t(p >> 8), b = uint8_t(p);
      coloured |= p >> 24 > 128 && (r != gr || gr != b);
    }
  CHECK(coloured);
  CHECK(ink(*f, g) > 20);
}

TEST_CASE("a combining mark draws over the rune before it", "[fonts]") {
  auto f = open_font("monospace");
  Bitmap plain = f->render(U"e");
  Bitmap marked = f->render(U"e\u0301");
  REQUIRE(marked.w == f->width());
  CHECK(cell_ink(marked, f->width(), 0) > cell_ink(plain, f->width(), 0) + 2);
}

TEST_CASE("a code point no font has draws the replacement box", "[fonts]") {
  auto f = open_font("monospace");
  // Unassigned, and private use with no font for it.
  for (char32_t r : {char32_t(0x0378), char32_t(0x10FFFD)}) {
    const Glyph& g = f->glyph(r);
    CHECK(g.face == -1);
    REQUIRE(g.w >= 3);
    REQUIRE(g.h >= 3);
    CHECK(g.w <= f->width());  // one cell, as term::cell_width says
    auto px = [&](int x, int y) { return f->atlas().pixels().alpha(g.at.x + x, g.at.y + y); };
    CHECK(px(0, 0) == 255);            // outlined …
    CHECK(px(g.w - 1, g.h - 1) == 255);
    CHECK(px(g.w / 2, g.h / 2) == 0);  // … and hollow
  }
  // But a zero-width one would cover the rune before it: it draws nothing.
  const Glyph& tag = f->glyph(char32_t(0xE0001));
  CHECK(tag.face == -1);
  CHECK(tag.w * tag.h == 0);
}

TEST_CASE("render puts each rune's ink in its own cell", "[fonts]") {
  auto f = open_font("monospace");
  Bitmap b = f->render(U"A A");
  REQUIRE(b.w == 3 * f->width());
  REQUIRE(b.h == f->height());
  CHECK(cell_ink(b, f->width(), 0) > 10);
  CHECK(cell_ink(b, f->width(), 1) == 0);
  CHECK(cell_ink(b, f->width(), 2) == cell_ink(b, f->width(), 0));
}

TEST_CASE("atlas packs without overlap and reports when full", "[fonts]") {
  Atlas a(64, 64);
  std::vector<std::pair<Slot, std::pair<int, int>>> got;
  for (int i = 0; i < 100; i++) {
    int w = 5 + i % 7, h = 10 + i % 3;
    auto s = a.pack(w, h);
    if (!s) break;
    got.push_back({*s, {w, h}});
  }
  CHECK(got.size() > 20);       // shelves share rows
  CHECK(got.size() < 100);      // and 64×64 does fill up
  for (size_t i = 0; i < got.size(); i++) {
    auto [s, wh] = got[i];
    CHECK(s.x + wh.first <= 64);
    CHECK(s.y + wh.second <= 64);
    for (size_t j = 0; j < i; j++) {
      auto [t, wh2] = got[j];
      bool apart = s.x >= t.x + wh2.first || t.x >= s.x + wh.first || s.y >= t.y + wh2.second ||
                   t.y >= s.y + wh.second;
      CHECK(apart);
    }
  }
  CHECK_FALSE(a.pack(65, 1));
  a.clear();
  CHECK(a.pack(60, 60));
}

TEST_CASE("a full atlas starts over and glyphs come back", "[fonts]") {
  auto f = open_font("monospace", 48);  // big glyphs fill 1024×1024 soon
  uint64_t gen = f->generation();
  for (char32_t r = 0x21; r < 0x21 + 2000 && f->generation() == gen; r++) f->glyph(r);
  CHECK(f->generation() > gen);
  CHECK(ink(*f, f->glyph('A')) > 10);
}

TEST_CASE("an atlas starts small and grows, keeping what it packed", "[fonts]") {
  Atlas a(256, 256, 32);
  CHECK(a.pixels().w == 32);
  auto first = a.pack(10, 10);
  REQUIRE(first);
  a.blit(*first, Image{10, 10, std::vector<uint32_t>(100, 0xFF123456)});
  int packed = 1;
  while (a.pixels().w < 256 && a.pack(10, 10)) packed++;
  CHECK(packed > 4);  // more than the first 32×32 held
  CHECK(a.pixels().h == 256);
  CHECK(a.pixels().at(first->x + 9, first->y + 9) == 0xFF123456);
  while (a.pack(10, 10)) packed++;
  CHECK(packed > 400);  // it filled the largest size before saying so
}

TEST_CASE("the default font's atlas starts at most 256 pixels square", "[fonts]") {
  auto f = open_font("monospace", 10);
  for (char32_t r = 0x20; r < 0x7F; r++) f->glyph(r);
  CHECK(f->atlas().pixels().w <= 256);
  CHECK(f->atlas().pixels().h <= 256);
  CHECK(ink(*f, f->glyph('A')) > 10);
}

TEST_CASE("an italic rune comes from the font's italic face, leaning right in the same cell", "[fonts]") {
  auto f = open_font("Go Mono", 16);  // fonts-go has Go Mono Italic
  const Glyph& g = f->glyph('I', true);
  REQUIRE(g.face > 0);
  CHECK(f->face_file(g.face).find("Go-Mono-Italic") != std::string::npos);
  CHECK(f->glyph('I').face == 0);  // the upright one is still the main face's
  Bitmap up = f->render(U"I"), it = f->render(U"I", true);
  REQUIRE(it.w == up.w);
  CHECK(up.a != it.a);
  CHECK(std::abs(lean(up)) < 0.5);
  CHECK(lean(it) > 0.8);
  // A rune the italic face lacks (CJK) is slanted from its own face.
  CHECK(f->glyph(U'\u4e2d', true).face == f->glyph(U'\u4e2d').face);
}

TEST_CASE("with no italic face, an italic rune is the upright one slanted", "[fonts]") {
  auto f = open_font("/usr/share/fonts/fonts-go/Go-Mono.ttf", 16);  // a path: no fontconfig, no italic face
  const Glyph& g = f->glyph('I', true);
  CHECK(g.face == 0);
  Bitmap up = f->render(U"I"), it = f->render(U"I", true);
  REQUIRE(it.w == up.w);
  CHECK(std::abs(lean(up)) < 0.5);
  CHECK(lean(it) > 0.8);
  CHECK(cell_ink(it, f->width(), 0) >= cell_ink(up, f->width(), 0) - 4);  // as much ink, only leaning
}

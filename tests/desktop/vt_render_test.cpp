// The renderer's pixels for a VT window's styled rows, in process on SDL's
// software renderer: italic runs are drawn with the font's italic glyphs,
// bold and underline still show.
#include <SDL.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <vector>

#include "fonts/font.h"
#include "term/width.h"
#include "wsys/desktop/renderer.h"

using namespace grio::wsys;

namespace {

// A software renderer drawing into a surface in memory: no video
// subsystem, no window, nothing loaded.
struct Offscreen {
  SDL_Surface* surface = nullptr;
  SDL_Renderer* r = nullptr;
  Offscreen(int w, int h) {
    surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    REQUIRE(surface);
    r = SDL_CreateSoftwareRenderer(surface);
    REQUIRE(r);
  }
  ~Offscreen() {
    if (r) SDL_DestroyRenderer(r);
    if (surface) SDL_FreeSurface(surface);
  }
  // The screen's pixels, 0xRRGGBB.
  std::vector<uint32_t> pixels(int w, int h) {
    std::vector<uint32_t> px(size_t(w) * size_t(h));
    REQUIRE(SDL_RenderReadPixels(r, nullptr, SDL_PIXELFORMAT_ARGB8888, px.data(), w * 4) == 0);
    for (auto& p : px) p &= 0xFFFFFF;
    return px;
  }
};

grio::term::StyleRun run(int cells, bool bold, bool italic, bool underline) {
  grio::term::Style s;
  s.bold = bold, s.italic = italic, s.underline = underline;
  return {cells, s};
}

}  // namespace

TEST_CASE("a VT window's italic runs are drawn with the font's italic glyphs, bold and underline as before", "[desktop][vt]") {
  const int W = 300, H = 200;
  Offscreen o(W, H);
  std::string err;
  auto font = grio::fonts::Font::open(grio::fonts::FontSpec{"monospace", 10, 96, grio::term::cell_width}, err);
  REQUIRE(font);
  desktop::Palette pal;
  pal.text_bg = 0xFFFFFF, pal.text = 0x000000, pal.background = 0x777777;
  desktop::Renderer renderer(o.r, *font, pal);
  auto w = std::make_shared<SceneWindow>();
  w->id = 1, w->rect = Rect{{0, 0}, {W, H}}, w->current = true, w->vt = true, w->version = 1;
  // Rows: upright, italic, bold, underlined, bold italic.
  for (auto st : {run(4, false, false, false), run(4, false, true, false), run(4, true, false, false),
                  run(4, false, false, true), run(4, true, true, false)})
    w->rows.push_back(SceneRow{U"IIII", 0, 0, {st}});
  Scene scene;
  scene.screen = w->rect;
  scene.windows.push_back(w);
  renderer.draw(scene);
  auto px = o.pixels(W, H);
  Rect t = text_rect(w->rect);
  int fw = font->width(), fh = font->height();
  // Row r's coverage: how dark each pixel of its four cells is.
  auto coverage = [&](int r) {
    grio::fonts::Bitmap b{4 * fw, fh, {}};
    for (int y = 0; y < fh; y++)
      for (int x = 0; x < 4 * fw; x++) b.a.push_back(uint8_t(255 - (px[size_t(t.min.y + r * fh + y) * W + size_t(t.min.x + x)] & 0xFF)));
    return b;
  };
  auto ink = [](const grio::fonts::Bitmap& b) {
    long n = 0;
    for (uint8_t a : b.a) n += a;
    return n / 255;
  };
  // Each row as the font renders the same runes, within blending's rounding.
  auto like = [](const grio::fonts::Bitmap& got, const grio::fonts::Bitmap& want) {
    for (size_t i = 0; i < got.a.size(); i++)
      if (std::abs(int(got.a[i]) - int(want.a[i])) > 8) return false;
    return true;
  };
  grio::fonts::Bitmap upright = coverage(0), italic = coverage(1), bold = coverage(2), under = coverage(3),
                      bold_italic = coverage(4);
  CHECK(ink(upright) > 20);
  CHECK(like(upright, font->render(U"IIII")));
  CHECK(like(italic, font->render(U"IIII", true)));
  CHECK_FALSE(like(italic, upright));
  CHECK(ink(bold) > ink(upright) + 8);
  CHECK(ink(bold_italic) > ink(italic) + 8);
  CHECK_FALSE(like(bold_italic, bold));
  int lined = 0, unlined = 0;  // a line under the cells, two pixels up from the row's bottom
  for (int x = 0; x < 4 * fw; x++) lined += under.at(x, fh - 2) > 200, unlined += upright.at(x, fh - 2) < 50;
  CHECK(lined == 4 * fw);
  CHECK(unlined == 4 * fw);
}

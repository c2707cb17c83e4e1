// The SDL renderer of scenes.
#include "wsys/desktop/renderer.h"

#include <algorithm>
#include <set>
#include <vector>

#include "term/width.h"

namespace grio::wsys::desktop {

namespace {

void colour(SDL_Renderer* r, uint32_t c) {
  SDL_SetRenderDrawColor(r, Uint8(c >> 16), Uint8(c >> 8), Uint8(c), 255);
}

}  // namespace

Renderer::Renderer(SDL_Renderer* r, fonts::Font& font, Palette p) : r_(r), font_(font), pal_(p) {
  const auto& px = font_.atlas().pixels();
  atlas_ = SDL_CreateTexture(r_, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STREAMING, px.w, px.h);
  SDL_SetTextureBlendMode(atlas_, SDL_BLENDMODE_BLEND);
}

Renderer::~Renderer() {
  for (auto& [id, c] : windows_)
    if (c.tex) SDL_DestroyTexture(c.tex);
  for (auto& [id, n] : nests_)
    if (n.tex) SDL_DestroyTexture(n.tex);
  if (atlas_) SDL_DestroyTexture(atlas_);
}

void Renderer::fill(int x, int y, int w, int h, uint32_t c) {
  colour(r_, c);
  SDL_Rect rect{x, y, w, h};
  SDL_RenderFillRect(r_, &rect);
}

void Renderer::frame(Rect r, int width, uint32_t c) {
  fill(r.min.x, r.min.y, r.dx(), width, c);
  fill(r.min.x, r.max.y - width, r.dx(), width, c);
  fill(r.min.x, r.min.y, width, r.dy(), c);
  fill(r.max.x - width, r.min.y, width, r.dy(), c);
}

// Glyphs in the text's colour are white ink whose alpha is their
// coverage, coloured by the texture's colour modulation; colour glyphs are
// drawn with it off.
void Renderer::upload_atlas() {
  if (atlas_version_ == font_.atlas().version()) return;
  const auto& px = font_.atlas().pixels();
  void* pixels;
  int pitch;
  if (SDL_LockTexture(atlas_, nullptr, &pixels, &pitch) != 0) return;
  for (int y = 0; y < px.h; y++)
    std::copy_n(&px.px[size_t(y) * px.w], px.w, reinterpret_cast<uint32_t*>(static_cast<uint8_t*>(pixels) + y * pitch));
  SDL_UnlockTexture(atlas_);
  atlas_version_ = font_.atlas().version();
}

// Every glyph a frame needs is packed before any is drawn, so the atlas is
// uploaded once. If packing filled the atlas and it started over, the
// glyphs packed before that are gone: pack them all once more.
void Renderer::ensure_glyphs(const Scene& s) {
  for (int pass = 0; pass < 2; pass++) {
    uint64_t gen = font_.generation();
    for (auto& w : s.windows) {
      auto it = windows_.find(w->id);
      if (it != windows_.end() && it->second.version == w->version && it->second.w == w->rect.dx() &&
          it->second.h == w->rect.dy())
        continue;
      for (auto& row : w->rows)
        for (char32_t c : row.cells) font_.glyph(c);
    }
    if (s.menu)
      for (auto& item : s.menu->items)
        for (unsigned char c : item) font_.glyph(c);
    if (font_.generation() == gen) break;
  }
  upload_atlas();
}

// Each rune in the term::cell_width() cells after the one before it; a
// zero-width rune in the cells of the rune before it.
void Renderer::draw_runes(std::u32string_view s, int x, int y, uint32_t c) {
  for (char32_t r : s) font_.glyph(r);
  upload_atlas();
  SDL_SetTextureColorMod(atlas_, Uint8(c >> 16), Uint8(c >> 8), Uint8(c));
  bool in_colour = false;
  fonts::CellPen pen;
  for (char32_t r : s) {
    int at_col = pen.place(term::cell_width(r));
    if (r == U' ') continue;
    const fonts::Glyph& g = font_.glyph(r);
    if (g.w == 0) continue;
    if (g.colour != in_colour) {
      uint32_t mod = g.colour ? 0xFFFFFF : c;
      SDL_SetTextureColorMod(atlas_, Uint8(mod >> 16), Uint8(mod >> 8), Uint8(mod));
      in_colour = g.colour;
    }
    SDL_Rect src{g.at.x, g.at.y, g.w, g.h};
    SDL_Rect dst{x + at_col * font_.width() + g.dx, y + g.dy, g.w, g.h};
    SDL_RenderCopy(r_, atlas_, &src, &dst);
  }
}

// Coordinates inside a window's texture are relative to its rect.
void Renderer::draw_text(const SceneWindow& w, uint32_t c) {
  Rect t = text_rect(w.rect);
  int x0 = t.min.x - w.rect.min.x, y0 = t.min.y - w.rect.min.y;
  int fw = font_.width(), fh = font_.height();
  int right = t.dx();
  for (size_t i = 0; i < w.rows.size(); i++) {
    const SceneRow& row = w.rows[i];
    int y = y0 + int(i) * fh;
    if (row.sel1 > row.sel0)
      fill(x0 + row.sel0 * fw, y, std::min(right, row.sel1 * fw) - row.sel0 * fw, fh, pal_.selection);
    draw_runes(row.cells, x0, y, c);
  }
  if (w.cursor_row >= 0) {  // rio's tick: a bar with a box at each end
    int x = x0 + w.cursor_col * fw, y = y0 + w.cursor_row * fh;
    fill(x, y, 1, fh, c);
    fill(x - 1, y, 3, 3, c);
    fill(x - 1, y + fh - 3, 3, 3, c);
  }
}

void Renderer::draw_window(const SceneWindow& w, Cached& c) {
  if (!c.tex || c.w != w.rect.dx() || c.h != w.rect.dy()) {
    if (c.tex) SDL_DestroyTexture(c.tex);
    c.tex = SDL_CreateTexture(r_, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w.rect.dx(), w.rect.dy());
    // Windows are opaque: copied, not blended (SDL blends a texture with
    // alpha by default, which reads every pixel under it too).
    SDL_SetTextureBlendMode(c.tex, SDL_BLENDMODE_NONE);
    c.w = w.rect.dx();
    c.h = w.rect.dy();
  }
  c.version = w.version;
  SDL_SetRenderTarget(r_, c.tex);
  uint32_t border = w.holding ? (w.current ? pal_.hold : pal_.hold_border_unfocused)
                              : (w.current ? pal_.border : pal_.border_unfocused);
  if (w.foreign) border = w.current ? pal_.foreign : pal_.foreign_unfocused;
  uint32_t text = w.holding ? (w.current ? pal_.hold : pal_.hold_text_unfocused)
                            : (w.current ? pal_.text : pal_.text_unfocused);
  Rect local{{0, 0}, {c.w, c.h}};
  // A clear, not a filled rectangle: a GL that rasterizes on the CPU
  // (llvmpipe) clears without running a shader over every pixel.
  colour(r_, w.nested ? pal_.background : pal_.text_bg);
  SDL_RenderClear(r_);
  frame(local, Borderwidth, border);
  if (w.nested) {  // the interior is the sub-workspace's (draw_nested)
    SDL_SetRenderTarget(r_, target_);
    return;
  }
  Rect sb = scroll_rect(local);
  fill(sb.min.x, sb.min.y, sb.dx(), sb.dy(), pal_.scroll_bg);
  if (w.size > 0) {  // the thumb: which part of the text is shown
    int y0 = sb.min.y + int(double(w.org) / double(w.size) * sb.dy());
    int y1 = sb.min.y + int(double(w.end) / double(w.size) * sb.dy());
    fill(sb.min.x, y0, sb.dx(), std::max(2, y1 - y0), pal_.thumb);
    fill(sb.max.x - 1, y0, 1, std::max(2, y1 - y0), pal_.scroll_bg);  // rio's edge on the thumb
  }
  draw_text(w, text);
  SDL_SetRenderTarget(r_, target_);
}

void Renderer::draw_nested(const SceneWindow& w, Nest& n) {
  Rect in = w.rect.inset(Borderwidth);
  if (in.empty()) return;
  if (!n.tex || n.w != in.dx() || n.h != in.dy()) {
    if (n.tex) SDL_DestroyTexture(n.tex);
    n.tex = SDL_CreateTexture(r_, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, in.dx(), in.dy());
    SDL_SetTextureBlendMode(n.tex, SDL_BLENDMODE_NONE);
    n.w = in.dx();
    n.h = in.dy();
  }
  if (!n.r) n.r = std::make_unique<Renderer>(r_, font_, pal_);
  SDL_SetRenderTarget(r_, n.tex);
  n.r->draw(*w.nested);
  SDL_SetRenderTarget(r_, target_);
}

void Renderer::draw_menu(const SceneMenu& m) {
  fill(m.rect.min.x, m.rect.min.y, m.rect.dx(), m.rect.dy(), pal_.menu_bg);
  frame(m.rect, 2, pal_.menu_border);
  for (size_t i = 0; i < m.items.size(); i++) {
    int y = m.rect.min.y + 2 + int(i) * m.item_h;
    bool hi = int(i) == m.hilite;
    if (hi) fill(m.rect.min.x + 2, y, m.rect.dx() - 4, m.item_h, pal_.menu_hilite);
    std::u32string s(m.items[i].begin(), m.items[i].end());
    int x = m.rect.min.x + (m.rect.dx() - int(s.size()) * font_.width()) / 2;
    draw_runes(s, x, y + (m.item_h - font_.height()) / 2, hi ? pal_.menu_bg : 0x000000);
  }
}

void Renderer::draw(const Scene& s) {
  target_ = SDL_GetRenderTarget(r_);
  ensure_glyphs(s);
  std::set<int> shown;
  for (auto& w : s.windows) {
    Cached& c = windows_[w->id];
    shown.insert(w->id);
    if (!c.tex || c.version != w->version || c.w != w->rect.dx() || c.h != w->rect.dy()) draw_window(*w, c);
    // Drawn before the screen is: a target switched to and back need not keep what it had.
    if (w->nested) draw_nested(*w, nests_[w->id]);
  }
  std::erase_if(windows_, [&](auto& kv) {
    if (shown.count(kv.first)) return false;
    if (kv.second.tex) SDL_DestroyTexture(kv.second.tex);
    return true;
  });
  std::erase_if(nests_, [&](auto& kv) {
    if (shown.count(kv.first)) return false;
    if (kv.second.tex) SDL_DestroyTexture(kv.second.tex);
    return true;
  });
  colour(r_, pal_.background);
  SDL_RenderClear(r_);
  for (auto& w : s.windows) {
    SDL_Rect dst{w->rect.min.x, w->rect.min.y, w->rect.dx(), w->rect.dy()};
    SDL_RenderCopy(r_, windows_[w->id].tex, nullptr, &dst);
    if (auto it = nests_.find(w->id); w->nested && it != nests_.end() && it->second.tex) {
      Rect in = w->rect.inset(Borderwidth);
      SDL_Rect to{in.min.x, in.min.y, in.dx(), in.dy()};
      SDL_RenderCopy(r_, it->second.tex, nullptr, &to);
    }
  }
  if (s.outline) frame(*s.outline, Borderwidth, pal_.outline);
  if (s.menu) draw_menu(*s.menu);
}

}  // namespace grio::wsys::desktop

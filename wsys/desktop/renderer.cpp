// The SDL renderer of scenes.
#include "wsys/desktop/renderer.h"

#include <algorithm>
#include <optional>
#include <set>
#include <vector>

#include "term/width.h"

namespace grio::wsys::desktop {

namespace {

void colour(SDL_Renderer* r, uint32_t c) {
  SDL_SetRenderDrawColor(r, Uint8(c >> 16), Uint8(c >> 8), Uint8(c), 255);
}

// A texture the atlas's size: made again when the atlas grows.
SDL_Texture* atlas_texture(SDL_Renderer* r, const fonts::Image& px) {
  SDL_Texture* t = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STREAMING, px.w, px.h);
  SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
  return t;
}

}  // namespace

Renderer::Renderer(SDL_Renderer* r, fonts::Font& font, Palette p) : r_(r), font_(font), pal_(p) {
  atlas_ = atlas_texture(r_, font_.atlas().pixels());
}

Renderer::~Renderer() {
  for (auto& [id, c] : windows_)
    if (c.tex) SDL_DestroyTexture(c.tex);
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
  int w = 0, h = 0;
  if (SDL_QueryTexture(atlas_, nullptr, nullptr, &w, &h) != 0 || w != px.w || h != px.h) {
    if (atlas_) SDL_DestroyTexture(atlas_);
    atlas_ = atlas_texture(r_, px);
  }
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
      for (auto& row : w->rows) {  // a row with italic runs: its runes both ways, to be sure
        bool italic = std::any_of(row.styles.begin(), row.styles.end(), [](auto& run) { return run.style.italic; });
        for (char32_t c : row.cells) {
          font_.glyph(c);
          if (italic) font_.glyph(c, true);
        }
      }
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
void Renderer::draw_runes(std::u32string_view s, int x, int y, uint32_t c, bool italic) {
  for (char32_t r : s) font_.glyph(r, italic);
  upload_atlas();
  SDL_SetTextureColorMod(atlas_, Uint8(c >> 16), Uint8(c >> 8), Uint8(c));
  bool in_colour = false;
  fonts::CellPen pen;
  for (char32_t r : s) {
    int at_col = pen.place(term::cell_width(r));
    if (r == U' ') continue;
    const fonts::Glyph& g = font_.glyph(r, italic);
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

namespace {

// A VT colour: an RGB value, or the window's own ink or paper.
uint32_t vt_colour(uint32_t c, uint32_t ink, uint32_t paper) { return c == term::Ink ? ink : c == term::Paper ? paper : c; }

// Runes of row from index i that start before column `end`, and the
// column after them.
size_t runes_before(std::u32string_view runes, size_t i, int& col, int end) {
  size_t j = i;
  while (j < runes.size() && (col < end || term::cell_width(runes[j]) == 0)) col += term::cell_width(runes[j++]);
  return j - i;
}

}  // namespace

// A VT row: each style run's background, then its runes in its colour;
// bold drawn twice a pixel apart, italic from the font's italic glyphs,
// underline as a line under the cells.
void Renderer::draw_styled(const SceneRow& row, int x, int y, uint32_t ink) {
  int fw = font_.width(), fh = font_.height();
  int col = 0;
  size_t i = 0;
  for (size_t k = 0; k <= row.styles.size(); k++) {
    // The runs, then the rest of the row in the default style.
    term::StyleRun run = k < row.styles.size() ? row.styles[k] : term::StyleRun{1 << 20, term::Style{}};
    const term::Style& st = run.style;
    int start = col;
    if (st.bg != term::Paper) fill(x + start * fw, y, run.cells * fw, fh, vt_colour(st.bg, ink, pal_.text_bg));
    size_t n = runes_before(row.cells, i, col, start + run.cells);
    uint32_t fg = vt_colour(st.fg, ink, pal_.text_bg);
    if (n) draw_runes(std::u32string_view(row.cells).substr(i, n), x + start * fw, y, fg, st.italic);
    if (n && st.bold) draw_runes(std::u32string_view(row.cells).substr(i, n), x + start * fw + 1, y, fg, st.italic);
    if (st.underline) fill(x + start * fw, y + fh - 2, run.cells * fw, 1, fg);
    i += n;
    col = std::max(col, start + run.cells);
  }
}

// A terminal's block cursor: the cell in ink, its rune in paper.
void Renderer::draw_vt_cursor(const SceneWindow& w, int x0, int y0, uint32_t ink) {
  int fw = font_.width(), fh = font_.height();
  int x = x0 + w.cursor_col * fw, y = y0 + w.cursor_row * fh;
  fill(x, y, fw, fh, ink);
  if (size_t(w.cursor_row) >= w.rows.size()) return;
  std::u32string_view runes = w.rows[size_t(w.cursor_row)].cells;
  int col = 0;
  size_t i = runes_before(runes, 0, col, w.cursor_col);
  if (col != w.cursor_col || i >= runes.size() || runes[i] == U' ') return;
  int end = col;
  size_t n = runes_before(runes, i, end, col + 1);
  draw_runes(runes.substr(i, n), x, y, pal_.text_bg);
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
    if (w.vt) draw_styled(row, x0, y, c);
    else draw_runes(row.cells, x0, y, c);
  }
  if (w.vt && w.cursor_row >= 0) return draw_vt_cursor(w, x0, y0, c);
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
  uint32_t border = border_colour(w);
  uint32_t text = w.holding ? (w.current ? pal_.hold : pal_.hold_text_unfocused)
                            : (w.current ? pal_.text : pal_.text_unfocused);
  Rect local{{0, 0}, {c.w, c.h}};
  // A clear, not a filled rectangle: a GL that rasterizes on the CPU
  // (llvmpipe) clears without running a shader over every pixel.
  colour(r_, pal_.text_bg);
  SDL_RenderClear(r_);
  frame(local, Borderwidth, border);
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

uint32_t Renderer::border_colour(const SceneWindow& w) const {
  if (w.foreign) return w.current ? pal_.foreign : pal_.foreign_unfocused;
  if (w.holding) return w.current ? pal_.hold : pal_.hold_border_unfocused;
  return w.current ? pal_.border : pal_.border_unfocused;
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

namespace {

Rect shifted(Rect r, Point by) { return Rect{r.min + by, r.max + by}; }

// The clip on now, if any, and r within it.
std::optional<SDL_Rect> clip_of(SDL_Renderer* r) {
  if (!SDL_RenderIsClipEnabled(r)) return std::nullopt;
  SDL_Rect c;
  SDL_RenderGetClipRect(r, &c);
  return c;
}

}  // namespace

void Renderer::draw(const Scene& s) {
  target_ = SDL_GetRenderTarget(r_);
  prepare(s);
  compose(s, Point{0, 0});
}

void Renderer::prepare(const Scene& s) {
  ensure_glyphs(s);
  std::set<int> shown;
  for (auto& w : s.windows) {
    shown.insert(w->id);
    if (w->nested) {  // its border is drawn as it is composed; the rest is the sub-workspace's
      auto& n = nests_[w->id];
      if (!n) n = std::make_unique<Renderer>(r_, font_, pal_);
      n->target_ = target_;
      n->prepare(*w->nested);
      continue;
    }
    Cached& c = windows_[w->id];
    if (!c.tex || c.version != w->version || c.w != w->rect.dx() || c.h != w->rect.dy()) draw_window(*w, c);
  }
  std::erase_if(windows_, [&](auto& kv) {
    if (shown.count(kv.first) && kv.second.tex) return false;
    if (kv.second.tex) SDL_DestroyTexture(kv.second.tex);
    return true;
  });
  std::erase_if(nests_, [&](auto& kv) { return !shown.count(kv.first); });
}

void Renderer::compose(const Scene& s, Point at) {
  colour(r_, pal_.background);
  if (at == Point{0, 0} && !SDL_RenderIsClipEnabled(r_)) {  // the screen: a clear ignores any clip
    SDL_RenderClear(r_);
  } else {
    Rect scr = shifted(s.screen, at);
    fill(scr.min.x, scr.min.y, scr.dx(), scr.dy(), pal_.background);
  }
  for (auto& w : s.windows) {
    if (w->nested) {
      compose_nested(*w, at);
      continue;
    }
    auto it = windows_.find(w->id);
    if (it == windows_.end()) continue;
    Rect r = shifted(w->rect, at);
    SDL_Rect dst{r.min.x, r.min.y, r.dx(), r.dy()};
    SDL_RenderCopy(r_, it->second.tex, nullptr, &dst);
  }
  if (s.outline) frame(shifted(*s.outline, at), Borderwidth, pal_.outline);
  if (s.menu) {
    SceneMenu m = *s.menu;
    m.rect = shifted(m.rect, at);
    draw_menu(m);
  }
}

// A host: its border, then its sub-workspace clipped to the interior.
void Renderer::compose_nested(const SceneWindow& w, Point at) {
  Rect r = shifted(w.rect, at);
  frame(r, Borderwidth, border_colour(w));
  auto it = nests_.find(w.id);
  Rect in = r.inset(Borderwidth);
  if (it == nests_.end() || in.empty()) return;
  auto outer = clip_of(r_);
  SDL_Rect clip{in.min.x, in.min.y, in.dx(), in.dy()};
  if (outer) SDL_IntersectRect(&*outer, &clip, &clip);
  if (clip.w <= 0 || clip.h <= 0) return;
  SDL_RenderSetClipRect(r_, &clip);
  it->second->compose(*w.nested, in.min);
  SDL_RenderSetClipRect(r_, outer ? &*outer : nullptr);
}

}  // namespace grio::wsys::desktop

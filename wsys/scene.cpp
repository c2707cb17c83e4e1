// Building scenes from windows, and the geometry the mouse needs to go back
// from pixels to runes and menu items.
#include "wsys/scene.h"

#include <algorithm>

#include "term/layout.h"
#include "wsys/window.h"

namespace grio::wsys {

namespace {

struct Cells {
  size_t cols, rows;
};

Cells cells_of(Rect r, Metrics m) {
  Rect t = text_rect(r);
  return {size_t(std::max(1, t.dx() / m.font_w)), size_t(std::max(1, t.dy() / m.font_h))};
}

SceneRow scene_row(std::u32string_view text, term::Row row, size_t cols, size_t q0, size_t q1) {
  SceneRow out;
  std::vector<size_t> col = term::columns(text, row, cols);
  for (size_t q = row.start; q < row.end; q++) {
    char32_t r = text[q];
    if (r == '\t') out.cells.append(size_t(col[q - row.start + 1] - col[q - row.start]), U' ');
    else if (r != '\n') out.cells.push_back(r);
  }
  if (q0 < q1 && q0 < row.end && q1 > row.start) {
    out.sel0 = int(col[std::max(q0, row.start) - row.start]);
    // A selection that takes in the row's newline runs to the right edge.
    out.sel1 = q1 >= row.end && row.end > row.start && text[row.end - 1] == '\n'
                   ? int(cols)
                   : int(col[std::min(q1, row.end) - row.start]);
  }
  return out;
}

}  // namespace

namespace {

// A VT window shows its screen, or vt_back lines up into the scrollback;
// the scroll bar spans the scrollback and the screen.
void vt_rows(SceneWindow& s, const Window& w, bool current) {
  const term::VtScreen& vt = *w.vt;
  s.vt = true;
  auto [from, to] = w.vt_sel.ordered();
  for (int r = 0; r < vt.rows(); r++) {
    term::VtRow row = vt.row(r - w.vt_back);
    SceneRow sr{std::move(row.runes), 0, 0, std::move(row.styles)};
    uint64_t n = vt.pushed() - uint64_t(w.vt_back) + uint64_t(r);
    if (w.vt_sel.on && n >= from.first && n <= to.first) {
      sr.sel0 = n == from.first ? from.second : 0;
      sr.sel1 = n == to.first ? to.second : term::max_vt_cols;
    }
    s.rows.push_back(std::move(sr));
  }
  if (current && w.vt_back == 0 && vt.cursor_visible()) {
    s.cursor_row = vt.cursor_row();
    s.cursor_col = vt.cursor_col();
  }
  s.size = vt.scrollback_lines() + size_t(vt.rows());
  s.org = vt.scrollback_lines() - size_t(w.vt_back);
  s.end = s.org + size_t(vt.rows());
}

}  // namespace

std::shared_ptr<const SceneWindow> scene_window(const Window& w, bool current, Metrics m) {
  auto s = std::make_shared<SceneWindow>();
  s->id = w.id;
  s->rect = w.rect;
  s->current = current;
  s->holding = w.text.holding();
  s->foreign = !w.peer.empty();
  s->label = w.label;
  s->version = w.view_version;
  if (w.vt) {
    vt_rows(*s, w, current);
    return s;
  }
  auto [cols, nrows] = cells_of(w.rect, m);
  std::u32string_view text = w.text.runes();
  auto rows = term::layout(text, w.text.org(), cols, nrows);
  size_t q0 = w.text.q0(), q1 = w.text.q1();
  for (size_t i = 0; i < rows.size(); i++) {
    s->rows.push_back(scene_row(text, rows[i], cols, q0, q1));
    bool last = i + 1 == rows.size();
    if (current && q0 == q1 && q0 >= rows[i].start && (q0 < rows[i].end || (last && q0 == rows[i].end))) {
      s->cursor_row = int(i);
      s->cursor_col = int(term::columns(text, rows[i], cols)[q0 - rows[i].start]);
    }
  }
  s->org = w.text.org();
  s->end = rows.empty() ? s->org : rows.back().end;
  s->size = text.size();
  return s;
}

size_t rune_at(const Window& w, Point p, Metrics m) {
  Rect t = text_rect(w.rect);
  auto [cols, nrows] = cells_of(w.rect, m);
  std::u32string_view text = w.text.runes();
  auto rows = term::layout(text, w.text.org(), cols, nrows);
  if (rows.empty()) return w.text.org();
  int ri = std::clamp((p.y - t.min.y) / m.font_h, 0, int(rows.size()) - 1);
  if (p.y >= t.min.y + int(rows.size()) * m.font_h) return rows.back().end;
  // In half cells, so a click on a rune's right half means after it.
  int half = std::max(0, (p.x - t.min.x) * 2 / m.font_w);
  return term::boundary_at(text, rows[ri], cols, size_t(half));
}

SceneMenu place_menu(std::vector<std::string> items, Point p, Rect screen, Metrics m, int last) {
  SceneMenu menu;
  size_t widest = 0;
  for (auto& s : items) widest = std::max(widest, s.size());
  menu.item_h = m.font_h + 4;
  last = std::clamp(last, 0, std::max(0, int(items.size()) - 1));
  int w = int(widest) * m.font_w + 16, h = int(items.size()) * menu.item_h + 4;
  Point at{p.x - w / 2, p.y - 2 - last * menu.item_h - menu.item_h / 2};
  at.x = std::clamp(at.x, screen.min.x, std::max(screen.min.x, screen.max.x - w));
  at.y = std::clamp(at.y, screen.min.y, std::max(screen.min.y, screen.max.y - h));
  menu.rect = Rect{at, {at.x + w, at.y + h}};
  menu.items = std::move(items);
  return menu;
}

int menu_item_at(const SceneMenu& menu, Point p) {
  if (!menu.rect.contains(p)) return -1;
  int i = (p.y - menu.rect.min.y - 2) / menu.item_h;
  return i >= 0 && i < int(menu.items.size()) ? i : -1;
}

Point menu_item_point(const SceneMenu& menu, int i, Point p) {
  if (i < 0 || i >= int(menu.items.size()) || menu_item_at(menu, p) == i) return p;
  int top = menu.rect.min.y + 2 + i * menu.item_h;
  return Point{std::clamp(p.x, menu.rect.min.x + 2, menu.rect.max.x - 3), top + menu.item_h / 2};
}

}  // namespace grio::wsys

// The scene feed's changes (scene_record.h): the encoder's diff of a scene
// against what it sent, the decoder's scene built from a record and what
// it holds, within FeedLimits.
#include <functional>
#include <string_view>
#include <unordered_map>

#include "wsys/scene_record.h"

namespace grio::wsys::feed {

namespace {

// ---- the encoder's diff ----------------------------------------------------------

bool same_row(const SceneRow& a, const SceneRow& b) {
  return a.cells == b.cells && a.sel0 == b.sel0 && a.sel1 == b.sel1 && a.styles == b.styles;
}

bool equal_menus(const SceneMenu& a, const SceneMenu& b) {
  return a.rect == b.rect && a.item_h == b.item_h && a.items == b.items && a.hilite == b.hilite;
}

}  // namespace

bool same_menu(const std::optional<SceneMenu>& a, const std::optional<SceneMenu>& b) {
  return a.has_value() == b.has_value() && (!a || equal_menus(*a, *b));
}

namespace {

// The ops that make rows `now` from `old`: runs of old rows copied where
// they are still shown (in place, or moved by a scroll), literal rows for
// the rest. Greedy: a copy run goes on while the next old row matches.
std::vector<WireRow> diff_rows(const std::vector<SceneRow>& old, const std::vector<SceneRow>& now) {
  std::unordered_multimap<size_t, uint32_t> where;  // old rows by the hash of their cells
  auto hash = [](const SceneRow& r) { return std::hash<std::u32string_view>()(r.cells); };
  for (size_t j = 0; j < old.size(); j++) where.emplace(hash(old[j]), uint32_t(j));
  std::vector<WireRow> ops;
  for (size_t i = 0; i < now.size(); i++) {
    if (!ops.empty() && ops.back().copy) {
      size_t next = size_t(ops.back().from) + ops.back().copy;
      if (next < old.size() && same_row(old[next], now[i])) {
        ops.back().copy++;
        continue;
      }
    }
    std::optional<uint32_t> from;
    if (i < old.size() && same_row(old[i], now[i])) from = uint32_t(i);
    for (auto [a, b] = where.equal_range(hash(now[i])); !from && a != b; ++a)
      if (same_row(old[a->second], now[i])) from = a->second;
    if (from) ops.push_back(WireRow{1, *from, {}});
    else ops.push_back(WireRow{0, 0, now[i]});
  }
  return ops;
}

bool rows_kept(const std::vector<WireRow>& ops, size_t old_rows) {
  if (ops.empty()) return old_rows == 0;
  return ops.size() == 1 && ops[0].copy != 0 && ops[0].copy == old_rows && ops[0].from == 0;
}

}  // namespace

unsigned window_flags(const SceneWindow& w) {
  return unsigned(w.current) * FCurrent | unsigned(w.holding) * FHolding | unsigned(w.foreign) * FForeign |
         unsigned(w.vt) * FVt;
}

namespace {

// The fields of w that differ from o's.
void diff_fields(const SceneWindow& o, const SceneWindow& w, WireWindow& out) {
  if (w.rect != o.rect) out.bits |= WRect, out.rect = w.rect;
  if (window_flags(w) != window_flags(o)) out.bits |= WFlags, out.flags = window_flags(w);
  if (w.cursor_row != o.cursor_row || w.cursor_col != o.cursor_col) {
    out.bits |= WCursor;
    out.cursor_row = w.cursor_row, out.cursor_col = w.cursor_col;
  }
  if (w.org != o.org || w.end != o.end || w.size != o.size) {
    out.bits |= WScroll;
    out.org = w.org, out.end = w.end, out.size = w.size;
  }
  if (w.label != o.label) out.bits |= WLabel, out.label = w.label;
  out.rows = diff_rows(o.rows, w.rows);
  if (!rows_kept(out.rows, o.rows.size())) out.bits |= WRows;
  else out.rows.clear();
}

// The record of w against what is held of it (old: nothing held), and
// what will be held once it is sent.
void diff_window(Level::Win* old, const std::shared_ptr<const SceneWindow>& w, WireWindow& out, Level::Win& next) {
  static const SceneWindow none;
  const SceneWindow& o = old ? *old->w : none;
  out.id = w->id;
  out.version = w->version - o.version;
  // The same version: only the sub-workspace changed (the decoder would
  // refuse anything else: the version is the server's word).
  if (!old || out.version != 0) diff_fields(o, *w, out);
  next.w = w;
  if (w->nested == o.nested) {
    if (old) next.nested = std::move(old->nested);
    return;
  }
  out.bits |= WNested;
  if (!w->nested) return;
  next.nested = old && old->nested ? std::move(old->nested) : std::make_unique<Level>();
  out.nested = std::make_unique<WireScene>();
  diff_scene(*next.nested, *w->nested, *out.nested);
}

void diff_head(const Scene& held, const Scene& s, WireScene& out) {
  out.seq = s.seq - held.seq;
  if (s.screen != held.screen) out.bits |= SScreen, out.screen = s.screen;
  if (s.metrics.font_w != held.metrics.font_w || s.metrics.font_h != held.metrics.font_h)
    out.bits |= SMetrics, out.metrics = s.metrics;
  if (!same_menu(s.menu, held.menu)) out.bits |= SMenu, out.menu = s.menu;
  if (s.outline != held.outline) out.bits |= SOutline, out.outline = s.outline;
  if (s.cursor != held.cursor || s.image != held.image) {
    out.bits |= SCursor;
    out.cursor = unsigned(s.cursor), out.image = s.image;
  }
}

}  // namespace

void diff_scene(Level& held, const Scene& s, WireScene& out) {
  diff_head(held.head, s, out);
  std::vector<int> stack;
  std::map<int, Level::Win> wins;
  for (auto& w : s.windows) {
    if (!w || wins.count(w->id)) continue;  // a window twice is the server's bug; the decoder would refuse it
    stack.push_back(w->id);
    auto it = held.wins.find(w->id);
    Level::Win* old = it == held.wins.end() ? nullptr : &it->second;
    Level::Win& next = wins[w->id];
    if (old && old->w->version == w->version && old->w->nested == w->nested) {
      next = std::move(*old);
      continue;
    }
    out.changed.emplace_back();
    diff_window(old, w, out.changed.back(), next);
  }
  if (stack != held.stack) out.bits |= SStack, out.stack = stack;
  held.head = s;
  held.head.windows.clear();
  held.stack = std::move(stack);
  held.wins = std::move(wins);
}

// ---- the decoder's apply -----------------------------------------------------------

namespace {


bool apply_rows(Apply& a, const SceneWindow& old, std::vector<WireRow>& ops, SceneWindow& w) {
  for (auto& op : ops) {
    if (op.copy == 0) {
      if (!a.charge(row_cost(op.row))) return false;
      w.rows.push_back(std::move(op.row));
    } else {
      if (uint64_t(op.from) + op.copy > old.rows.size())
        return a.fail("feed: window " + std::to_string(w.id) + ": rows " + std::to_string(op.from) + " to " +
                      std::to_string(uint64_t(op.from) + op.copy) + " not held");
      for (uint32_t k = 0; k < op.copy; k++) {
        if (w.rows.size() >= a.lim.max_rows) return a.fail("feed: window " + std::to_string(w.id) + ": too many rows");
        if (!a.charge(row_cost(old.rows[op.from + k]))) return false;
        w.rows.push_back(old.rows[op.from + k]);
      }
    }
  }
  return true;
}

bool apply_window(Apply& a, Level::Win* old, WireWindow& r, Level::Win& next) {
  static const SceneWindow none;
  const SceneWindow& o = old ? *old->w : none;
  // A window's version is the server's word that it changed (the encoder
  // trusts it, and so may a viewer's renderer): only a sub-workspace
  // changes without it.
  if (old && r.version == 0 && (r.bits & ~unsigned(WNested)))
    return a.fail("feed: window " + std::to_string(r.id) + " changed without a new version");
  auto w = std::make_shared<SceneWindow>();
  w->id = r.id;
  w->version = o.version + r.version;
  w->rect = r.bits & WRect ? r.rect : o.rect;
  unsigned f = r.bits & WFlags ? r.flags : window_flags(o);
  w->current = f & FCurrent, w->holding = f & FHolding, w->foreign = f & FForeign, w->vt = f & FVt;
  w->cursor_row = r.bits & WCursor ? r.cursor_row : o.cursor_row;
  w->cursor_col = r.bits & WCursor ? r.cursor_col : o.cursor_col;
  w->org = r.bits & WScroll ? r.org : o.org;
  w->end = r.bits & WScroll ? r.end : o.end;
  w->size = r.bits & WScroll ? r.size : o.size;
  w->label = r.bits & WLabel ? std::move(r.label) : o.label;
  size_t before = a.spent;
  if (r.bits & WRows) {
    if (!apply_rows(a, o, r.rows, *w)) return false;
  } else {
    if (!a.charge(old ? old->cost : 0)) return false;
    w->rows = o.rows;
  }
  next.cost = a.spent - before;
  if (!(r.bits & WNested)) {
    w->nested = o.nested;
    if (old) next.nested = std::move(old->nested);
    // A sub-workspace kept as it was still counts.
    if (next.nested && (!a.charge(next.nested->cost) || !a.count_windows(next.nested->windows))) return false;
  } else if (r.nested) {
    next.nested = old && old->nested ? std::move(old->nested) : std::make_unique<Level>();
    w->nested = apply_scene(a, *next.nested, *r.nested);
    if (!w->nested) return false;
  }
  next.w = std::move(w);
  return true;
}

}  // namespace

std::shared_ptr<const Scene> apply_scene(Apply& a, Level& held, WireScene& ws) {
  size_t before = a.spent, windows_before = a.windows;
  auto s = std::make_shared<Scene>(held.head);
  s->seq += ws.seq;
  if (ws.bits & SScreen) s->screen = ws.screen;
  if (ws.bits & SMetrics) s->metrics = ws.metrics;
  if (ws.bits & SMenu) s->menu = std::move(ws.menu);
  if (ws.bits & SOutline) s->outline = ws.outline;
  if (ws.bits & SCursor) s->cursor = SceneCursor(ws.cursor), s->image = ws.image;
  std::vector<int> stack = ws.bits & SStack ? std::move(ws.stack) : held.stack;
  std::map<int, WireWindow*> records;
  for (auto& r : ws.changed)
    if (!records.emplace(r.id, &r).second) return a.fail("feed: two records for window " + std::to_string(r.id)), nullptr;
  std::map<int, Level::Win> wins;
  for (int id : stack) {
    if (!a.count_windows(1)) return nullptr;
    if (wins.count(id)) return a.fail("feed: window " + std::to_string(id) + " twice in the scene"), nullptr;
    auto it = held.wins.find(id);
    Level::Win* old = it == held.wins.end() ? nullptr : &it->second;
    Level::Win& next = wins[id];
    auto rec = records.find(id);
    if (rec != records.end()) {
      if (!apply_window(a, old, *rec->second, next)) return nullptr;
      records.erase(rec);
    } else if (!old) {
      return a.fail("feed: unknown window " + std::to_string(id)), nullptr;
    } else {
      if (old->nested && (!a.charge(old->nested->cost) || !a.count_windows(old->nested->windows))) return nullptr;
      if (!a.charge(old->cost)) return nullptr;
      next = std::move(*old);
    }
    s->windows.push_back(next.w);
  }
  if (!records.empty())
    return a.fail("feed: record for window " + std::to_string(records.begin()->first) + " not in the scene"), nullptr;
  held.head = *s;
  held.head.windows.clear();
  held.stack = std::move(stack);
  held.wins = std::move(wins);
  held.cost = a.spent - before;
  held.windows = a.windows - windows_before;
  return s;
}


}  // namespace grio::wsys::feed

// Mouse, keyboard and menus as rio has them (reference §2.6), acting on the
// window system from the io thread; and scene publishing.
#include "wsys/controller.h"

#include <unistd.h>

#include <algorithm>

#include "net/errors.h"
#include "term/layout.h"
#include "term/select.h"

namespace grio::wsys {

namespace {

constexpr uint32_t DoubleClickMs = 500;
constexpr int CornerZone = 20;  // rio: a border press this near a corner drags the corner
enum Edge { Left = 1, Right = 2, Top = 4, Bottom = 8 };

const std::vector<std::string> menu2_items(bool scroll) {
  return {"cut", "paste", "snarf", "look", "send", scroll ? "noscroll" : "scroll"};
}
const std::vector<std::string> menu3_items = {"New", "VT", "Sub", "Hub", "Resize", "Move", "Delete", "Hide", "Exit"};

// Hub's window runs `grio hub io` against this desktop's own window system
// ($wsys of its programs), by the path of this very program: a window on
// the session `io`, started by the first Hub and shared by the others.
// BUG: there is no way to name another session from the menu; rio would
// have the name typed. Use `grio window --hub NAME` for that.
std::string hub_command() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::string self = n > 0 ? std::string(buf, size_t(n)) : "grio";
  std::string q = "'";
  for (char c : self) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "' hub io";
}

// Long labels are shortened in the middle, as rio's button-3 menu does.
std::string menu_label(const std::string& s) {
  if (s.size() <= 60) return s;
  return s.substr(0, 28) + "..." + s.substr(s.size() - 29);
}

Rect canon(Point a, Point b) {
  return Rect{{std::min(a.x, b.x), std::min(a.y, b.y)}, {std::max(a.x, b.x), std::max(a.y, b.y)}};
}

WctlCommand verb(WctlVerb v) {
  WctlCommand c;
  c.verb = v;
  return c;
}

}  // namespace

Controller::Controller(asio::io_context& io, WindowSystem& ws, ControllerConfig cfg)
    : io_(io), ws_(ws), cfg_(std::move(cfg)), repeat_(io) {
  observer_ = ws_.observe([this] { dirty(); });
  // rio moves no pointer while a menu, a sweep or a drag has it.
  if (cfg_.owns_pointer)
    ws_.warp = [this](Point p) {
      bool busy = menu_ || mode_ == Mode::SweepWait || mode_ == Mode::Sweeping || mode_ == Mode::Pick ||
                  mode_ == Mode::Moving || mode_ == Mode::Border;
      if (!busy && cfg_.warp) cfg_.warp(p);
    };
  clip_version_ = ws_.snarf_version;
}

Controller::~Controller() {
  ws_.unobserve(observer_);
  if (cfg_.owns_pointer) ws_.warp = nullptr;
}

// --- rights ---

bool Controller::may(net::Rights need) {
  if (cfg_.grant.has(need)) return true;
  check(err::perm);
  return false;
}

void Controller::check(const net::Error& e) {
  if (!e.empty() && cfg_.refused) cfg_.refused(e);
}

// --- scenes ---

// Many changes in one batch of io work make one scene; and a scene is only
// built when the renderer has taken the previous one, so output arriving
// faster than frames are drawn is coalesced here, never queued.
void Controller::dirty() {
  dirty_ = true;
  if (ready_ && !scheduled_) {
    scheduled_ = true;
    asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
      if (alive.lock()) publish();
    });
  }
}

void Controller::ready() {
  ready_ = true;
  if (dirty_) dirty();
}

void Controller::set_metrics(Metrics m) {
  cfg_.metrics = m;
  cache_.clear();
  for (auto& [id, n] : nested_)
    if (n.c) n.c->set_metrics(m);
  dirty();
}

void Controller::publish() {
  scheduled_ = false;
  if (ws_.snarf_version != clip_version_) {
    clip_version_ = ws_.snarf_version;
    if (cfg_.set_clipboard) cfg_.set_clipboard(ws_.snarf);
  }
  if (!ready_ || !dirty_) return;
  ready_ = dirty_ = false;
  cfg_.publish(build());
}

std::shared_ptr<const Scene> Controller::build() {
  auto s = std::make_shared<Scene>();
  s->screen = ws_.screen();
  s->metrics = cfg_.metrics;
  std::map<int, std::shared_ptr<const SceneWindow>> keep;
  for (int id : ws_.stacking()) {
    Window* w = ws_.live(id);
    if (!w || w->hidden) continue;
    auto& old = cache_[id];
    // Unchanged windows are shared with the previous scene, not laid out again.
    auto sw = old && old->version == w->view_version ? old : scene_window(*w, id == ws_.current(), cfg_.metrics);
    keep[id] = sw;
    if (nested_at(*w)) {
      if (auto& inner = nested_[id].scene) {
        auto host = std::make_shared<SceneWindow>(*sw);
        host->nested = inner;
        sw = host;
      }
    }
    s->windows.push_back(sw);
  }
  cache_ = std::move(keep);
  // Desktops of sub-workspaces whose host went are dropped.
  std::erase_if(nested_, [this](auto& kv) {
    Window* w = ws_.live(kv.first);
    return !w || w->sub != kv.second.ws || kv.second.ws->closed();
  });
  s->menu = menu_;
  s->outline = outline_;
  pick_cursor(*s);
  s->seq = ++seq_;
  return s;
}

// Sweeping and picking have their own cursors; otherwise the pointer shows
// the cursor of the window it is in (not on its border), if one was set.
void Controller::pick_cursor(Scene& s) {
  bool picking = mode_ == Mode::Pick || mode_ == Mode::SweepWait || mode_ == Mode::Sweeping;
  if (picking) {
    bool cross = sweeping(pending_) ||
                 mode_ == Mode::Sweeping;
    s.cursor = cross ? SceneCursor::Cross : SceneCursor::Sight;
    return;
  }
  Window* w = ws_.window_at(pointer_);
  if (auto it = w ? nested_.find(w->id) : nested_.end();
      !menu_ && it != nested_.end() && it->second.scene && w->rect.inset(Borderwidth).contains(pointer_)) {
    s.cursor = it->second.scene->cursor;  // the sub-workspace's, as it picks it
    s.image = it->second.scene->image;
    return;
  }
  if (menu_ || !w || !w->cursor || on_border(*w, pointer_)) return;
  s.cursor = SceneCursor::Window;
  s.image = *w->cursor;
}

// --- keyboard ---

void Controller::keys(std::u32string_view runes, unsigned mods) {
  if (Controller* c = nested_current()) return c->keys(runes, mods);
  Window* w = ws_.live(ws_.current());
  if (!w || !may(net::right::type)) return;
  if (w->vt && !w->kbd.open && mods) {  // Alt as an ESC prefix, as xterm sends it
    for (char32_t r : runes) ws_.press(*w, term::KeyPress{r, term::VtKey::None, 0, mods});
    return;
  }
  // A viewer without snarf still types over a selection, but the text it
  // replaces does not become the clipboard.
  ws_.type(w->id, runes, cfg_.grant);
  if ((w = ws_.live(w->id)) && !w->vt) show(*w, w->text.q0());
}

namespace {

std::optional<Nav> nav_of(term::VtKey k) {
  switch (k) {
    case term::VtKey::Left: return Nav::Left;
    case term::VtKey::Right: return Nav::Right;
    case term::VtKey::Up: return Nav::Up;
    case term::VtKey::Down: return Nav::Down;
    case term::VtKey::PageUp: return Nav::PageUp;
    case term::VtKey::PageDown: return Nav::PageDown;
    case term::VtKey::Home: return Nav::Home;
    case term::VtKey::End: return Nav::End;
    default: return std::nullopt;
  }
}

// What a key types in a rio window: the line discipline's runes (DEL
// interrupts); keys that type nothing there give 0.
char32_t rio_rune(const term::KeyPress& k) {
  switch (k.key) {
    case term::VtKey::None: return k.rune;
    case term::VtKey::Enter: return '\n';
    case term::VtKey::Tab: return '\t';
    case term::VtKey::Backspace: return 0x08;
    case term::VtKey::Escape: return 0x1B;
    case term::VtKey::Delete: return 0x7F;
    default: return 0;
  }
}

// Plan 9's runes for the navigation keys (keyboard.h).
char32_t nav_rune(Nav n) {
  switch (n) {
    case Nav::Left: return 0xF011;
    case Nav::Right: return 0xF012;
    case Nav::Up: return 0xF00E;
    case Nav::Down: return 0xF800;
    case Nav::PageUp: return 0xF00F;
    case Nav::PageDown: return 0xF013;
    case Nav::Home: return 0xF00D;
    case Nav::End: return 0xF018;
  }
  return 0;
}

}  // namespace

// A VT window takes the key as a terminal would; others as rio does.
void Controller::press(const term::KeyPress& k) {
  if (Controller* c = nested_current()) return c->press(k);
  Window* w = ws_.live(ws_.current());
  if (!w) return;
  if (w->vt && !w->kbd.open) return may(net::right::type) ? ws_.press(*w, k) : void();
  if (auto n = nav_of(k.key)) return nav(*n);
  if (char32_t r = rio_rune(k)) keys(std::u32string(1, r));
}

void Controller::key_state(std::string msg) {
  if (Controller* c = nested_current()) return c->key_state(std::move(msg));
  if (Window* w = ws_.live(ws_.current()); w && cfg_.grant.has(net::right::type)) ws_.key_state(*w, std::move(msg));
}

// With the mouse or kbd file open, navigation keys are keys like any
// other: the program gets their runes (rio's wkeyctl).
void Controller::nav(Nav n) {
  if (Controller* c = nested_current()) return c->nav(n);
  Window* w = ws_.live(ws_.current());
  if (!w) return;
  if (w->mouse.open || w->kbd.open) {
    if (may(net::right::type)) ws_.type(w->id, std::u32string(1, nav_rune(n)), cfg_.grant);
    return;
  }
  long page = ws_.cells(w->rect).second;
  size_t q0 = w->text.q0();
  switch (n) {
    case Nav::Left:
      if (q0 > 0) w->text.set_selection(q0 - 1, q0 - 1);
      show(*w, w->text.q0());
      break;
    case Nav::Right:
      w->text.set_selection(q0 + 1, q0 + 1);
      show(*w, w->text.q0());
      break;
    case Nav::Up: scroll_rows(*w, -std::max(1L, page / 3)); break;
    case Nav::Down: scroll_rows(*w, std::max(1L, page / 3)); break;
    case Nav::PageUp: scroll_rows(*w, -std::max(1L, page - 1)); break;
    case Nav::PageDown: scroll_rows(*w, std::max(1L, page - 1)); break;
    case Nav::Home: w->text.set_org(0); break;
    case Nav::End: show(*w, w->text.size()); break;
  }
  ws_.changed(*w);
}

// --- scrolling ---

// Moves the view by rows (negative: back). Going back lays out whole
// lines before org, since rows wrap.
void Controller::scroll_rows(Window& w, long rows) {
  if (w.vt) return ws_.scroll_vt(w, int(-rows));
  size_t cols = ws_.cells(w.rect).first;
  std::u32string_view t = w.text.runes();
  size_t org = w.text.org();
  if (rows > 0) {
    auto r = term::layout(t, org, cols, size_t(rows) + 1);
    org = r.size() > size_t(rows) ? r[rows].start : (r.empty() ? org : r.back().start);
  } else {
    org = term::rows_back(t, org, cols, size_t(-rows));
  }
  w.text.set_org(org);
  ws_.changed(w);
}

// Brings q into view if it is not, putting it near the bottom as rio does.
void Controller::show(Window& w, size_t q) {
  auto [cols, rows] = ws_.cells(w.rect);
  size_t end = term::visible_end(w.text.runes(), w.text.org(), cols, rows);
  if (q >= w.text.org() && (q < end || end == w.text.size())) return;
  w.text.set_org(term::line_start(w.text.runes(), q));
  scroll_rows(w, -long(rows) * 3 / 4);
}

// rio's scroll bar: button 1 moves the line at the top down to the
// pointer, button 3 brings the pointer's line to the top, button 2 jumps
// to the place in the text proportional to the pointer.
void Controller::scroll_bar(Window& w, int button, Point p) {
  Rect s = scroll_rect(w.rect);
  long rows = std::max(1, (p.y - s.min.y) / cfg_.metrics.font_h);
  if (button == 1) return scroll_rows(w, -rows);
  if (button == 4) return scroll_rows(w, rows);
  double f = std::clamp(double(p.y - s.min.y) / std::max(1, s.dy()), 0.0, 1.0);
  if (w.vt) {  // the scrollback line at f of it all on top
    long lines = long(w.vt->scrollback_lines());
    return ws_.scroll_vt(w, int(lines - long(f * double(lines + w.vt->rows())) - w.vt_back));
  }
  w.text.set_org(term::line_start(w.text.runes(), size_t(f * double(w.text.size()))));
  ws_.changed(w);
}

// Holding the button repeats, as rio's wscroll: buttons 1 and 3 scroll
// again after 200 ms and then every 100 ms, by where the pointer is then;
// button 2 follows the pointer.
void Controller::scroll_start(Window& w, int button, Point p) {
  target_ = w.id;
  scroll_button_ = button;
  scroll_at_ = p;
  mode_ = Mode::Scrolling;
  scroll_bar(w, button, p);
  if (button != 2) scroll_again(std::chrono::milliseconds(200));
}

void Controller::scroll_again(std::chrono::milliseconds after) {
  repeat_.expires_after(after);
  repeat_.async_wait([this](const error_code& ec) {
    if (ec) return;  // cancelled, maybe with this controller gone
    Window* w = ws_.live(target_);
    if (mode_ != Mode::Scrolling || !w) return;
    scroll_bar(*w, scroll_button_, scroll_at_);
    dirty();
    scroll_again(std::chrono::milliseconds(100));
  });
}

// As 9term's: three lines a turn, one with Shift.
void Controller::wheel(int button, Point p, unsigned mods) {
  int n = mods & term::ModShift ? 1 : 3;
  if (Window* w = ws_.window_at(p)) scroll_rows(*w, button == 8 ? -n : n);
}

// --- the mouse ---

void Controller::mouse(MouseState m) {
  pointer_ = m.at;
  if (cfg_.owns_pointer) ws_.pointer = m.at;
  if (to_nested(m)) return dirty();
  if (to_program(m)) return dirty();
  if (to_terminal(m)) return dirty();
  int pressed = m.buttons & ~buttons_, released = buttons_ & ~m.buttons;
  buttons_ = m.buttons & 7;
  for (int b : {8, 16})
    if (m.buttons & b && mode_ == Mode::Idle) wheel(b, m.at, m.mods);
  motion(m.at);
  for (int b : {1, 2, 4})
    if (pressed & b) press(b, m.at, m.msec);
  for (int b : {1, 2, 4})
    if (released & b) release(b, m.at);
  dirty();
}

// rio's mousethread: while the current window's program has its mouse file
// open, the mouse inside the window (the border excepted) is the
// program's — every button, so no selection, scroll bar or menu there —
// and stays the program's while a button pressed there is held, wherever
// the pointer goes. Button 2 or 3 pressed in another such window makes it
// current and goes to it too; button 1 there only makes it current.
bool Controller::to_program(const MouseState& m) {
  if (mode_ != Mode::Idle && mode_ != Mode::Sending) return false;
  Window* in = ws_.live(ws_.current());
  if (mode_ == Mode::Idle) {
    Window* under = ws_.window_at(m.at);
    bool press23 = (m.buttons & ~buttons_ & 6) && !(m.buttons & 1);
    auto inside = [&](Window* w) { return w && w->mouse.open && w->rect.inset(Borderwidth).contains(m.at); };
    if (under != in && press23 && inside(under)) {
      focus(*under);
      in = under;
    }
    if (!inside(in)) return false;
  }
  buttons_ = m.buttons & 7;
  mode_ = m.buttons ? Mode::Sending : Mode::Idle;
  if (in && in->mouse.open && may(net::right::type)) ws_.mouse(*in, m.at, m.buttons, m.msec);
  return true;
}

// A program in a VT window that turned mouse reporting on gets buttons
// 1 and 2 and the wheel over the window's text, and the motion while one
// is held, in cells; button 3 stays rio's (the window menu is always
// there). A press in another VT window makes it current first.
bool Controller::to_terminal(const MouseState& m) {
  if (mode_ != Mode::Idle && mode_ != Mode::Reporting) return false;
  Window* w = mode_ == Mode::Reporting ? ws_.live(target_) : ws_.window_at(m.at);
  if (!w || !w->vt || !w->vt->wants_mouse()) return false;
  int pressed = m.buttons & ~buttons_, released = buttons_ & ~m.buttons & 3;
  Rect t = text_rect(w->rect);
  if (mode_ == Mode::Idle && (!t.contains(m.at) || (pressed & 4) || !(pressed & (1 | 2 | 8 | 16)))) return false;
  if (ws_.current() != w->id) focus(*w);
  int row = std::clamp((m.at.y - t.min.y) / cfg_.metrics.font_h, 0, w->vt->rows() - 1);
  int col = std::clamp((m.at.x - t.min.x) / cfg_.metrics.font_w, 0, w->vt->cols() - 1);
  if (may(net::right::type)) ws_.vt_mouse(*w, row, col, pressed & 27, released);
  buttons_ = m.buttons & 7;
  target_ = w->id;
  mode_ = m.buttons & 3 ? Mode::Reporting : Mode::Idle;
  return true;
}

// --- sub-workspaces ---

// The desktop of the sub-workspace host shows, made when first needed.
Controller* Controller::nested_at(Window& host) {
  if (!host.sub || host.sub->closed()) return nullptr;
  auto& n = nested_[host.id];
  if (n.ws == host.sub) return n.c.get();
  n = Nested{host.sub, nullptr, nullptr};
  int id = host.id;
  ControllerConfig cfg;
  cfg.metrics = cfg_.metrics;
  cfg.grant = cfg_.grant;
  cfg.refused = cfg_.refused;
  cfg.owns_pointer = cfg_.owns_pointer;
  cfg.publish = [this, id](std::shared_ptr<const Scene> s) {
    auto it = nested_.find(id);
    if (it == nested_.end()) return;
    it->second.scene = std::move(s);
    asio::post(io_, [this, id] {  // after its publish() returns
      if (auto it = nested_.find(id); it != nested_.end()) it->second.c->ready();
    });
    dirty();
  };
  // Its Exit ends it: the host goes (after the menu's own work is done).
  cfg.exit = [this, id] {
    asio::post(io_, [this, id] {
      if (Window* w = ws_.live(id)) check(ws_.control(*w, verb(WctlVerb::Delete), cfg_.grant));
    });
  };
  cfg.warp = [this, id](Point p) {
    Window* w = ws_.live(id);
    if (w && cfg_.warp) cfg_.warp(p + sub_origin(w->rect));
  };
  // Its snarf is its own: the system clipboard is the top level's.
  n.c = std::make_unique<Controller>(io_, host.sub->ws(), std::move(cfg));
  n.c->dirty();
  return n.c.get();
}

// The keyboard goes to the sub-workspace when its host is current.
Controller* Controller::nested_current() {
  Window* w = ws_.live(ws_.current());
  return w ? nested_at(*w) : nullptr;
}

// With the pointer inside a host window (its border excepted) the mouse is
// the sub-workspace's, in its coordinates, and stays its while a button
// pressed there is held, wherever the pointer goes, as rio gives a nested
// rio its window's mouse. A press there makes the host current.
bool Controller::to_nested(const MouseState& m) {
  Window* host = nested_held_ ? ws_.live(nested_held_) : nullptr;
  if (!host) {
    nested_held_ = 0;
    if (mode_ != Mode::Idle) return false;
    host = ws_.window_at(m.at);
    if (!host || !host->rect.inset(Borderwidth).contains(m.at)) return false;
  }
  Controller* c = nested_at(*host);
  if (!c) return false;
  bool pressed = m.buttons & ~buttons_ & 7;
  if (pressed && ws_.current() != host->id) focus(*host);
  buttons_ = m.buttons & 7;
  nested_held_ = buttons_ ? host->id : 0;
  MouseState in = m;
  in.at = m.at - sub_origin(host->rect);
  c->mouse(in);
  return true;
}

// Sub's next free name: sub1, sub2, …
std::string Controller::next_sub_name() const {
  for (int i = 1;; i++) {
    std::string n = "sub" + std::to_string(i);
    if (!ws_.host_of(n)) return n;
  }
}

bool Controller::on_border(const Window& w, Point p) const {
  return w.rect.contains(p) && !w.rect.inset(Borderwidth).contains(p);
}

// A click makes a window current: whoever may type may pick where.
void Controller::focus(Window& w) {
  if (ws_.current() != w.id && may(net::right::type)) check(ws_.focus(w, cfg_.grant));
}

void Controller::press(int button, Point p, uint32_t msec) {
  switch (mode_) {
    case Mode::Idle: break;
    case Mode::Selecting: return chord(button);
    case Mode::SweepWait:
      if (button != 4) { mode_ = Mode::Consumed; pending_ = Pending::None; return; }
      start_ = p;
      outline_ = canon(p, p);
      mode_ = Mode::Sweeping;
      return;
    case Mode::Pick:
      if (button != 4) { mode_ = Mode::Consumed; pending_ = Pending::None; return; }
      if (pending_ == Pending::Move) {
        Window* w = ws_.window_at(p);
        if (!w) { mode_ = Mode::Consumed; pending_ = Pending::None; return; }
        target_ = w->id;
        start_ = p;
        outline_ = w->rect;
        mode_ = Mode::Moving;
      }
      return;
    default: return;
  }
  Window* w = ws_.window_at(p);
  if (w && on_border(*w, p)) {
    focus(*w);
    if (button == 4) {  // button 3 on a border moves the window
      target_ = w->id, start_ = p, outline_ = w->rect, mode_ = Mode::Moving;
      pending_ = Pending::Move;
    } else {
      border_start(*w, p);
    }
    return;
  }
  if (button == 1) {
    if (!w) { mode_ = Mode::Consumed; return; }
    if (ws_.current() != w->id) { focus(*w); mode_ = Mode::Consumed; return; }  // rio: the click only focuses
    if (scroll_rect(w->rect).contains(p)) return scroll_start(*w, 1, p);
    return select_start(*w, p, msec);
  }
  if (w) focus(*w);
  if (w && scroll_rect(w->rect).contains(p)) return scroll_start(*w, button, p);
  if (button == 2) {
    if (!w) { mode_ = Mode::Consumed; return; }
    target_ = w->id;
    return open_menu2(p);
  }
  open_menu3(p);
}

void Controller::release(int button, Point p) {
  switch (mode_) {
    case Mode::Selecting:
      if (button == 1) mode_ = buttons_ ? Mode::Consumed : Mode::Idle;
      return;
    case Mode::Menu2:
    case Mode::Menu3: {
      int item = menu_ ? menu_item_at(*menu_, p) : -1;
      Mode was = mode_;
      menu_.reset();
      mode_ = buttons_ ? Mode::Consumed : Mode::Idle;
      if (item >= 0) (was == Mode::Menu2 ? last2_ : last3_) = item;
      if (was == Mode::Menu2) menu2_pick(item);
      else menu3_pick(item);
      return;
    }
    case Mode::Sweeping:
      mode_ = buttons_ ? Mode::Consumed : Mode::Idle;
      finish_sweep(canon(start_, p));
      return;
    case Mode::Pick:
      return picked(ws_.window_at(p), p);
    case Mode::Moving: {
      mode_ = buttons_ ? Mode::Consumed : Mode::Idle;
      Window* w = ws_.live(target_);
      Rect r = *outline_;
      outline_.reset();
      pending_ = Pending::None;
      if (!w) return;
      WctlCommand c = verb(WctlVerb::Move);
      c.r = r;
      check(ws_.control(*w, c, cfg_.grant));
      return;
    }
    case Mode::Border: {
      mode_ = buttons_ ? Mode::Consumed : Mode::Idle;
      Rect r = *outline_;
      outline_.reset();
      if (Window* w = ws_.live(target_)) {
        WctlCommand c = verb(WctlVerb::Resize);
        c.r = r;
        check(ws_.control(*w, c, cfg_.grant));
      }
      return;
    }
    case Mode::Consumed:
      if (!buttons_) mode_ = Mode::Idle;
      return;
    case Mode::Scrolling:
      if (button != scroll_button_) return;
      repeat_.cancel();
      mode_ = buttons_ ? Mode::Consumed : Mode::Idle;
      return;
    default: return;
  }
}

void Controller::motion(Point p) {
  switch (mode_) {
    case Mode::Selecting:
      if (Window* w = ws_.live(target_); w && w->vt) {
        std::tie(w->vt_sel.line1, w->vt_sel.col1) = vt_cell(*w, p);
        w->view_version++;
        ws_.changed(*w);
      } else if (w) {
        w->text.set_selection(anchor_, rune_at(*w, p, cfg_.metrics));
        ws_.changed(*w);
      }
      return;
    case Mode::Menu2:
    case Mode::Menu3:
      if (menu_) menu_->hilite = menu_item_at(*menu_, p);
      return;
    case Mode::Sweeping: outline_ = canon(start_, p); return;
    case Mode::Moving:
      if (Window* w = ws_.live(target_)) {
        Point d{p.x - start_.x, p.y - start_.y};
        outline_ = Rect{{w->rect.min.x + d.x, w->rect.min.y + d.y}, {w->rect.max.x + d.x, w->rect.max.y + d.y}};
      }
      return;
    case Mode::Border: outline_ = border_rect(p); return;
    case Mode::Scrolling:
      scroll_at_ = p;
      if (Window* w = ws_.live(target_); w && scroll_button_ == 2) scroll_bar(*w, 2, p);
      return;
    default: return;
  }
}

// --- selection (button 1) and chording ---

// A VT window's cell at p, as (line, column): lines numbered for good.
std::pair<uint64_t, int> Controller::vt_cell(const Window& w, Point p) const {
  Rect t = text_rect(w.rect);
  int row = std::clamp((p.y - t.min.y) / cfg_.metrics.font_h, 0, w.vt->rows() - 1);
  // In half cells, so that a press on a rune's right half selects from after it.
  int col = std::clamp((std::max(0, p.x - t.min.x) * 2 / cfg_.metrics.font_w + 1) / 2, 0, w.vt->cols());
  return {w.vt->pushed() - uint64_t(w.vt_back) + uint64_t(row), col};
}

// Cells, not runes: a terminal's screen has no text order of its own. A
// second click at the same place selects what a text window's would, on
// that line.
void Controller::vt_select_start(Window& w, Point p, uint32_t msec) {
  auto [line, col] = vt_cell(w, p);
  target_ = w.id;
  mode_ = Mode::Selecting;
  VtClick at{w.id, line, col};
  if (at == last_vt_click_ && msec - last_click_ms_ < DoubleClickMs) {
    auto [a, b] = w.vt->double_click(line, col);
    w.vt_sel = {line, line, a, b, true};
    last_vt_click_ = {};
    mode_ = Mode::Consumed;  // a double click does not sweep on
  } else {
    w.vt_sel = {line, line, col, col, true};
    last_vt_click_ = at;
    last_click_ms_ = msec;
  }
  last_click_q_ = SIZE_MAX;
  w.view_version++;
  ws_.changed(w);
}

void Controller::select_start(Window& w, Point p, uint32_t msec) {
  if (!may(net::right::type)) {  // the selection is where typing goes
    mode_ = Mode::Consumed;
    return;
  }
  if (w.vt) return vt_select_start(w, p, msec);
  size_t q = rune_at(w, p, cfg_.metrics);
  target_ = w.id;
  mode_ = Mode::Selecting;
  last_vt_click_ = {};
  if (q == last_click_q_ && msec - last_click_ms_ < DoubleClickMs) {
    auto [a, b] = term::double_click(w.text.runes(), q);
    w.text.set_selection(a, b);
    last_click_q_ = SIZE_MAX;
    mode_ = Mode::Consumed;  // a double click does not sweep on
  } else {
    w.text.set_selection(q, q);
    anchor_ = q;
    last_click_q_ = q;
    last_click_ms_ = msec;
  }
  ws_.changed(w);
}

// Button 2's menu in a VT window: the screen is the program's, so cut is
// snarf; paste and send type, as a terminal's paste does; look finds
// nothing.
void Controller::vt_menu2_pick(Window& w, int item) {
  auto [from, to] = w.vt_sel.ordered();
  std::string sel = w.vt_sel.on ? w.vt->text_between(from.first, from.second, to.first, to.second) : "";
  switch (item) {
    case 0:  // cut
    case 2:  // snarf
      if (!sel.empty()) ws_.set_snarf(sel);
      break;
    case 1:  // paste
      ws_.paste(w, term::OutputDecoder().decode(ws_.snarf));
      break;
    case 4:  // send: snarf, and Return
      if (ws_.snarf.empty()) break;
      ws_.paste(w, term::OutputDecoder().decode(ws_.snarf));
      ws_.press(w, term::KeyPress{0, term::VtKey::Enter});
      break;
    case 5:
      check(ws_.control(w, verb(w.scroll ? WctlVerb::Noscroll : WctlVerb::Scroll), cfg_.grant));
      break;
    default: break;
  }
  ws_.changed(w);
}

// While button 1 holds a selection, button 2 cuts it and button 3 pastes.
void Controller::chord(int button) {
  Window* w = ws_.live(target_);
  if (!w) return;
  if (button == 2) menu2_pick(0);
  if (button == 4) menu2_pick(1);
}

// --- menus ---

void Controller::open_menu2(Point p) {
  Window* w = ws_.live(target_);
  open_menu(menu2_items(w && w->scroll), p, last2_, Mode::Menu2);
}

// As rio's: the verbs, then the hidden windows, then those that windows
// above them cover (obscured()), each under its label; as many as a
// viewer's feed takes.
void Controller::open_menu3(Point p) {
  std::vector<std::string> items = menu3_items;
  menu_windows_.clear();
  auto add = [&](const Window& w) {
    if (items.size() >= max_menu3_items) return;
    menu_windows_[int(items.size())] = w.id;
    items.push_back(menu_label(w.label));
  };
  for (int id : ws_.ids())
    if (Window* w = ws_.live(id); w && w->hidden) add(*w);
  for (int id : covered())
    if (Window* w = ws_.live(id)) add(*w);
  open_menu(std::move(items), p, last3_, Mode::Menu3);
}

// The shown windows that those above them cover whole, by id. Found again
// only when a window's place, the stacking, the screen or the font
// changed: a menu opened over and over costs a comparison.
const std::vector<int>& Controller::covered() {
  Layout now{{}, ws_.screen(), cfg_.metrics.font_h};
  const std::vector<int>& order = ws_.stacking();  // bottom to top
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (Window* w = ws_.live(*it); w && !w->hidden) now.shown.emplace_back(w->id, w->rect);
  if (now == covered_for_) return covered_;
  covered_for_ = std::move(now);
  covered_.clear();
  std::vector<Rect> tops;  // of the windows looked at so far: all above the next
  int budget = max_obscured_steps;
  const Rect& screen = covered_for_.screen;
  for (auto& [id, rect] : covered_for_.shown) {
    Rect r{{std::max(rect.min.x, screen.min.x), std::max(rect.min.y, screen.min.y)},
           {std::min(rect.max.x, screen.max.x), std::min(rect.max.y, screen.max.y)}};
    if (obscured(r, tops, covered_for_.font_h, budget)) covered_.push_back(id);
    tops.push_back(rect);
  }
  std::sort(covered_.begin(), covered_.end());  // listed by id, as rio's by creation
  return covered_;
}

// As rio's menuhit: the menu opens with the item last chosen under the
// pointer, and where the screen's edge keeps the menu from being there,
// the pointer is moved onto the item.
void Controller::open_menu(std::vector<std::string> items, Point p, int last, Mode mode) {
  menu_ = place_menu(std::move(items), p, ws_.screen(), cfg_.metrics, last);
  Point on = menu_item_point(*menu_, std::min(last, int(menu_->items.size()) - 1), p);
  if (on != p && cfg_.warp) {
    cfg_.warp(on);
    pointer_ = on;
    if (cfg_.owns_pointer) ws_.pointer = on;
  }
  menu_->hilite = menu_item_at(*menu_, on);
  mode_ = mode;
}

namespace {

// What button 2's items need, beyond what the window system checks
// itself (scroll's manage): cut, paste, snarf, look, send.
net::Rights menu2_needs(int item) {
  using namespace net::right;
  static const net::Rights need[] = {snarf | type, snarf | type, snarf, type, snarf | type};
  return item < int(std::size(need)) ? need[item] : 0;
}

}  // namespace

void Controller::menu2_pick(int item) {
  Window* w = ws_.live(target_);
  if (!w || item < 0 || !may(menu2_needs(item))) return;
  if (w->vt) return vt_menu2_pick(*w, item);
  auto& t = w->text;
  std::u32string_view sel = t.runes().substr(t.q0(), t.q1() - t.q0());
  switch (item) {
    case 0:  // cut
      ws_.cut(*w);
      break;
    case 1:  // paste
      ws_.paste(*w, term::OutputDecoder().decode(ws_.snarf));
      break;
    case 2:  // snarf
      if (!sel.empty()) ws_.set_snarf(term::to_utf8(sel));
      break;
    case 3: {  // look: the next occurrence of the selection, wrapping
      if (sel.empty()) break;
      std::u32string s(sel);
      size_t at = t.runes().find(s, t.q1());
      if (at == std::u32string_view::npos) at = t.runes().find(s);
      if (at != std::u32string_view::npos) {
        t.set_selection(at, at + s.size());
        show(*w, at);
      }
      break;
    }
    case 4: {  // send: snarf at the end, as if typed, with a newline
      std::u32string s = term::OutputDecoder().decode(ws_.snarf);
      if (s.empty()) break;
      if (s.back() != '\n' && s.back() != term::Keot) s.push_back('\n');
      t.set_selection(t.size(), t.size());
      ws_.paste(*w, s);
      t.set_selection(t.size(), t.size());
      show(*w, t.size());
      break;
    }
    case 5:
      check(ws_.control(*w, verb(w->scroll ? WctlVerb::Noscroll : WctlVerb::Scroll), cfg_.grant));
      break;
  }
  ws_.changed(*w);
}

void Controller::menu3_pick(int item) {
  if (item < 0) return;
  if (auto it = menu_windows_.find(item); it != menu_windows_.end()) {
    // A hidden one comes back; an obscured one comes to the top, current.
    if (Window* w = ws_.live(it->second))
      check(ws_.control(*w, verb(w->hidden ? WctlVerb::Unhide : WctlVerb::Current), cfg_.grant));
    return;
  }
  static const Pending what[] = {Pending::New, Pending::Vt, Pending::Sub, Pending::Hub, Pending::Resize,
                                 Pending::Move, Pending::Delete, Pending::Hide, Pending::Exit};
  if (item >= int(std::size(what))) return;
  pending_ = what[item];
  bool sweeps = sweeping(pending_);
  mode_ = sweeps ? Mode::SweepWait : Mode::Pick;
}

// The end of a pick: button 3 released over a window (or anywhere, for Exit).
void Controller::picked(Window* w, Point) {
  Pending p = std::exchange(pending_, Pending::None);
  mode_ = buttons_ ? Mode::Consumed : Mode::Idle;
  if (p == Pending::Exit) {
    if (cfg_.exit) cfg_.exit();
    return;
  }
  if (!w) return;
  switch (p) {
    case Pending::Delete: check(ws_.control(*w, verb(WctlVerb::Delete), cfg_.grant)); break;
    case Pending::Hide: check(ws_.control(*w, verb(WctlVerb::Hide), cfg_.grant)); break;
    case Pending::Resize:
      target_ = w->id;
      pending_ = Pending::Resize;
      mode_ = Mode::SweepWait;
      break;
    default: break;
  }
}

void Controller::finish_sweep(Rect r) {
  outline_.reset();
  Pending p = std::exchange(pending_, Pending::None);
  if (r.dx() < 100 || r.dy() < 2 * (Borderwidth + 1) + cfg_.metrics.font_h) return;  // too small: rio gives up
  if (sweeping(p)) {
    WctlCommand c = verb(WctlVerb::New);
    c.vt = p == Pending::Vt;
    c.r = r;
    if (p == Pending::Hub) c.cmd = hub_command();
    if (p == Pending::Sub) c.sub = next_sub_name();
    if (auto made = ws_.create(c, cfg_.grant); !made) check(made.error());
  } else if (Window* w = ws_.live(target_); w && p == Pending::Resize) {
    WctlCommand c = verb(WctlVerb::Resize);
    c.r = r;
    check(ws_.control(*w, c, cfg_.grant));
  }
}

// --- dragging a border ---

void Controller::border_start(Window& w, Point p) {
  Rect r = w.rect;
  int e = 0;
  if (p.x < r.min.x + CornerZone) e |= Left;
  else if (p.x >= r.max.x - CornerZone) e |= Right;
  if (p.y < r.min.y + CornerZone) e |= Top;
  else if (p.y >= r.max.y - CornerZone) e |= Bottom;
  // Away from the corners only the edge under the pointer moves.
  if ((e & (Left | Right)) && (e & (Top | Bottom)) == 0 && r.inset(Borderwidth).min.y <= p.y &&
      p.y < r.inset(Borderwidth).max.y && (p.x >= r.min.x + Borderwidth && p.x < r.max.x - Borderwidth))
    e &= ~(Left | Right);
  border_edges_ = e;
  target_ = w.id;
  start_ = p;
  outline_ = r;
  mode_ = Mode::Border;
}

Rect Controller::border_rect(Point p) const {
  Rect r = *outline_;
  if (border_edges_ & Left) r.min.x = p.x;
  if (border_edges_ & Right) r.max.x = p.x + 1;
  if (border_edges_ & Top) r.min.y = p.y;
  if (border_edges_ & Bottom) r.max.y = p.y + 1;
  return canon(r.min, r.max);
}

void Controller::clipboard(std::string text) {
  if (text == ws_.snarf || !may(net::right::snarf)) return;
  ws_.set_snarf(std::move(text));
  clip_version_ = ws_.snarf_version;  // it came from the clipboard: no need to put it back
}

}  // namespace grio::wsys

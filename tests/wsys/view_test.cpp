// A remote viewer through 9P (view/feed and view/input), headless: the
// feed's first state and its changes, coalescing under a flood, rio's
// mouse rules run for the viewer, and its rights.
#include <catch2/catch.hpp>

#include "net/errors.h"
#include "term/decode.h"
#include "tests/net/harness.h"
#include "tests/wsys/workspace_config.h"
#include "wsys/scene_codec.h"
#include "wsys/view_input.h"
#include "wsys/viewer.h"
#include "wsys/workspace.h"

using namespace grio;
using namespace grio::test;
using namespace grio::net::right;

namespace {

// A window system with a small limit of viewers.
struct ViewWorld {
  wsys::Workspace top;
  wsys::WindowSystem& ws;
  static wsys::WsysConfig config() {
    wsys::WsysConfig c;
    c.max_viewers = 2;
    return c;
  }
  explicit ViewWorld(asio::io_context& io) : top(io, workspace_config("tester", config())), ws(top.ws()) {}
  net::FileTree& tree() { return top.tree(); }
  void close() { top.close(); }
};
using Viewed = BasicServed<ViewWorld>;

net::Grant peer(net::Rights r) { return net::Grant{r, "ex", "fred", ""}; }

// A viewer's connection: view/feed as fid 1, view/input as fid 2.
struct Peer {
  Wire w;
  wsys::FeedDecoder dec;
  uint16_t tag = 10;
  wsys::ViewFrame last;
  explicit Peer(Wire wire, bool sized = true, const std::string& aname = "") : w(std::move(wire)) {
    w.rpc<Rversion>(NOTAG, Tversion{65536, "9P2000"});
    w.rpc<Rattach>(1, Tattach{0, NOFID, "tester", aname});
    w.rpc<Rwalk>(2, Twalk{0, 1, {"view", "feed"}});
    w.rpc<Ropen>(3, Topen{1, OREAD});
    w.rpc<Rwalk>(4, Twalk{0, 2, {"view", "input"}});
    w.rpc<Ropen>(5, Topen{2, OWRITE});
    if (sized) REQUIRE(input(wsys::ViewSize{wsys::rect(0, 0, 800, 600), wsys::Metrics{8, 16}}).empty());
  }
  // Writes events; the error, or "".
  std::string input(const wsys::ViewEvent& e) { return write(wsys::format_view_event(e)); }
  std::string write(const std::string& lines) {
    w.send(++tag, Twrite{2, 0, lines});
    auto f = w.recv();
    if (auto* e = std::get_if<Rerror>(&f.msg)) return e->ename;
    REQUIRE(std::holds_alternative<Rwrite>(f.msg));
    return "";
  }
  void click(wsys::Point p, int button) {
    REQUIRE(input(wsys::MouseState{p, button, 1000}).empty());
    REQUIRE(input(wsys::MouseState{p, 0, 1010}).empty());
  }
  // Reads until a frame is whole; returns how many frames the reads held.
  size_t frame() {
    std::vector<wsys::ViewFrame> got;
    while (got.empty()) {
      w.send(++tag, Tread{1, 0, 60000});
      auto f = w.recv();
      if (auto* e = std::get_if<Rerror>(&f.msg)) FAIL("feed: " << e->ename);
      auto err = dec.push(std::get<Rread>(f.msg).data, got);
      REQUIRE(err.empty());
    }
    for (auto& f : got) {
      if (f.scene) last.scene = f.scene;
      last.notice = f.notice;
      last.exit = f.exit;
      if (f.clipboard) last.clipboard = f.clipboard;
    }
    return got.size();
  }
  // Frames until pred holds of the last scene (each read waits for a change).
  template <class P>
  void until(P pred) {
    for (int i = 0; i < 200 && !(last.scene && pred(*last.scene)); i++) frame();
    REQUIRE(pred(*last.scene));
  }
};

std::string row(const wsys::SceneWindow& w, size_t i) {
  if (i >= w.rows.size()) return "";
  std::u32string_view v = w.rows[i].cells;
  while (!v.empty() && v.back() == U' ') v.remove_suffix(1);
  return term::to_utf8(v);
}

// Window r with no program; its id.
int make(Viewed& s, wsys::Rect r) {
  return s.on_io([&] {
    wsys::WctlCommand c;
    c.verb = wsys::WctlVerb::New;
    c.r = r;
    c.pid = 0;
    auto w = s.world().ws.create(c);
    REQUIRE(w.ok());
    return (*w)->id;
  });
}

void output(Viewed& s, int id, const std::string& bytes) {
  s.on_io([&] {
    term::OutputDecoder d;
    s.world().ws.output(*s.world().ws.live(id), d, bytes);
    return 0;
  });
}

const wsys::SceneWindow* find(const wsys::Scene& sc, int id) {
  for (auto& w : sc.windows)
    if (w->id == id) return w.get();
  return nullptr;
}

}  // namespace

TEST_CASE("view: the first frame shows the windows and then creation and output and a move and a label and a hide and a delete follow", "[view]") {
  Viewed s;
  int a = make(s, wsys::rect(10, 10, 410, 310));
  output(s, a, "hello\n");
  Peer v(s.connect());
  v.frame();
  REQUIRE(v.last.scene);
  REQUIRE(v.last.scene->windows.size() == 1);
  CHECK(v.last.scene->windows[0]->rect == wsys::rect(10, 10, 410, 310));
  CHECK(row(*v.last.scene->windows[0], 0) == "hello");
  CHECK(v.last.scene->metrics.font_w == 8);

  int b = make(s, wsys::rect(300, 200, 700, 500));
  v.until([&](const wsys::Scene& sc) { return sc.windows.size() == 2 && sc.windows[1]->id == b; });
  output(s, a, "world\n");
  v.until([&](const wsys::Scene& sc) { return find(sc, a) && row(*find(sc, a), 1) == "world"; });
  s.on_io([&] {
    wsys::WctlCommand c;
    c.verb = wsys::WctlVerb::Move;
    c.r = wsys::rect(50, 60, 450, 360);
    return s.world().ws.control(*s.world().ws.live(a), c);
  });
  v.until([&](const wsys::Scene& sc) { return find(sc, a) && find(sc, a)->rect.min == wsys::Point{50, 60}; });
  CHECK(row(*find(*v.last.scene, a), 0) == "hello");  // its text came along, unchanged
  s.on_io([&] {
    s.world().ws.set_label(*s.world().ws.live(a), "renamed");
    return 0;
  });
  v.until([&](const wsys::Scene& sc) { return find(sc, a) && find(sc, a)->label == "renamed"; });
  s.on_io([&] {
    wsys::WctlCommand c;
    c.verb = wsys::WctlVerb::Hide;
    return s.world().ws.control(*s.world().ws.live(b), c);
  });
  v.until([&](const wsys::Scene& sc) { return !find(sc, b); });
  s.on_io([&] {
    s.world().ws.remove(*s.world().ws.live(a));
    return 0;
  });
  v.until([&](const wsys::Scene& sc) { return sc.windows.empty(); });
}

TEST_CASE("view: a reader that reads late gets the latest state in one frame and not a backlog", "[view]") {
  Viewed s;
  int a = make(s, wsys::rect(0, 0, 800, 600));
  Peer v(s.connect());
  v.frame();
  for (int i = 0; i < 500; i++) output(s, a, "line " + std::to_string(i) + "\n");
  CHECK(v.frame() == 1);
  const wsys::SceneWindow* w = find(*v.last.scene, a);
  REQUIRE(w);
  std::string last;
  for (size_t i = 0; i < w->rows.size(); i++)
    if (!row(*w, i).empty()) last = row(*w, i);
  CHECK(last == "line 499");
  // Nothing was kept back: the next frame is the next change.
  output(s, a, "after\n");
  CHECK(v.frame() == 1);
  w = find(*v.last.scene, a);
  bool seen = false;
  for (size_t i = 0; i < w->rows.size(); i++) seen |= row(*w, i) == "after";
  CHECK(seen);
}

TEST_CASE("view: the mouse works rio's menu for the viewer: New sweeps a window and Exit ends the view", "[view]") {
  Viewed s;
  Peer v(s.connect());
  v.frame();
  // Button 3 on the background: the menu is in this viewer's scene only.
  REQUIRE(v.input(wsys::MouseState{{400, 300}, 4, 100}).empty());
  v.until([](const wsys::Scene& sc) { return sc.menu.has_value(); });
  wsys::SceneMenu m = *v.last.scene->menu;
  REQUIRE(m.items[0] == "New");
  auto item = [&](int i) { return wsys::Point{(m.rect.min.x + m.rect.max.x) / 2, m.rect.min.y + 2 + i * m.item_h + m.item_h / 2}; };
  REQUIRE(v.input(wsys::MouseState{item(0), 4, 110}).empty());
  REQUIRE(v.input(wsys::MouseState{item(0), 0, 120}).empty());
  REQUIRE(v.input(wsys::MouseState{{100, 100}, 4, 130}).empty());
  REQUIRE(v.input(wsys::MouseState{{500, 400}, 4, 140}).empty());
  REQUIRE(v.input(wsys::MouseState{{500, 400}, 0, 150}).empty());
  REQUIRE(s.eventually([&] { return s.world().ws.ids().size() == 1; }));
  CHECK(s.on_io([&] { return s.world().ws.live(s.world().ws.ids()[0])->rect; }) == wsys::rect(100, 100, 500, 400));
  v.until([](const wsys::Scene& sc) { return !sc.menu && sc.windows.size() == 1; });
  // Exit, the menu's last item, ends this viewer and nothing else.
  REQUIRE(v.input(wsys::MouseState{{700, 550}, 4, 200}).empty());
  v.until([](const wsys::Scene& sc) { return sc.menu.has_value(); });
  m = *v.last.scene->menu;
  int exit = int(std::find(m.items.begin(), m.items.end(), "Exit") - m.items.begin());
  REQUIRE(exit < int(m.items.size()));
  REQUIRE(v.input(wsys::MouseState{item(exit), 4, 210}).empty());
  REQUIRE(v.input(wsys::MouseState{item(exit), 0, 220}).empty());
  v.click({700, 550}, 4);  // as rio: Exit is confirmed by a click of button 3
  for (int i = 0; i < 20 && !v.last.exit; i++) v.frame();
  CHECK(v.last.exit);
  CHECK(s.on_io([&] { return s.world().ws.ids().size(); }) == 1);
}

TEST_CASE("view: keys from a view-only viewer are permission denied and its clicks are refused on the feed", "[view]") {
  Viewed s;
  int a = make(s, wsys::rect(10, 10, 410, 310));
  int b = make(s, wsys::rect(420, 10, 790, 310));
  REQUIRE(s.on_io([&] { return s.world().ws.current(); }) == b);
  Peer v(s.connect(peer(view)));
  v.frame();
  CHECK(v.input(wsys::ViewKeys{U"x", 0}) == err::perm);
  CHECK(v.input(term::KeyPress{0, term::VtKey::Enter}) == err::perm);
  CHECK(v.input(wsys::ViewClipboard{"stolen"}) == err::perm);
  v.click({200, 200}, 1);  // would make a current
  for (int i = 0; i < 20 && v.last.notice.empty(); i++) v.frame();
  CHECK(v.last.notice == err::perm);
  CHECK(s.on_io([&] { return s.world().ws.current(); }) == b);
  CHECK(s.on_io([&] { return s.world().ws.live(a)->text.size(); }) == 0);
  // Scrolling is looking: the wheel is not refused. Nor is the feed.
  CHECK(v.input(wsys::MouseState{{200, 200}, 8, 2000}).empty());
}

TEST_CASE("view: a viewer with type focuses a window by a click and types into it", "[view]") {
  Viewed s;
  int a = make(s, wsys::rect(10, 10, 410, 310));
  make(s, wsys::rect(420, 10, 790, 310));
  Peer v(s.connect(peer(view | type)));
  v.frame();
  v.click({200, 200}, 1);
  REQUIRE(s.eventually([&] { return s.world().ws.current() == a; }));
  REQUIRE(v.input(wsys::ViewKeys{U"typed", 0}).empty());
  REQUIRE(s.eventually([&] { return s.world().ws.live(a)->text.text() == "typed"; }));
  v.until([&](const wsys::Scene& sc) { return find(sc, a) && row(*find(sc, a), 0) == "typed"; });
  // Move needs manage: button 3 on the border is refused, the window stays.
  REQUIRE(v.input(wsys::MouseState{{12, 100}, 4, 3000}).empty());
  REQUIRE(v.input(wsys::MouseState{{112, 150}, 4, 3010}).empty());
  REQUIRE(v.input(wsys::MouseState{{112, 150}, 0, 3020}).empty());
  for (int i = 0; i < 20 && v.last.notice.empty(); i++) v.frame();
  CHECK(v.last.notice == err::perm);
  CHECK(s.on_io([&] { return s.world().ws.live(a)->rect; }) == wsys::rect(10, 10, 410, 310));
}

TEST_CASE("view: button 2's cut from a viewer with snarf takes the selection out of the text into snarf", "[view]") {
  Viewed s;
  int a = make(s, wsys::rect(10, 10, 410, 310));
  s.on_io([&] {
    s.world().ws.type(a, U"keep cutme keep");
    s.world().ws.live(a)->text.set_selection(5, 11);
    return 0;
  });
  // Without snarf, cut is refused and the text stays.
  Peer typist(s.connect(peer(view | type)));
  typist.frame();
  typist.click({200, 200}, 2);  // the menu opens on its first item, cut
  for (int i = 0; i < 20 && typist.last.notice.empty(); i++) typist.frame();
  CHECK(typist.last.notice == err::perm);
  CHECK(s.on_io([&] { return s.world().ws.live(a)->text.text(); }) == "keep cutme keep");
  Peer v(s.connect(peer(view | type | snarf)));
  v.frame();
  v.click({200, 200}, 2);
  REQUIRE(s.eventually([&] { return s.world().ws.live(a)->text.text() == "keep keep"; }));
  CHECK(s.on_io([&] { return s.world().ws.snarf; }) == "cutme ");
  v.until([&](const wsys::Scene& sc) { return find(sc, a) && row(*find(sc, a), 0) == "keep keep"; });
}

namespace {

// The owner's window a, current, holding "keep cutme keep" with "cutme "
// selected (its program with the mouse file open, if mouse), and the
// owner's snarf.
void owner_selection(Viewed& s, int a, bool mouse) {
  REQUIRE(s.on_io([&] {
    auto& ws = s.world().ws;
    ws.type(a, U"keep cutme keep");
    ws.live(a)->text.set_selection(5, 11);
    ws.live(a)->mouse.open = mouse;  // as a program that opened it
    ws.set_snarf("the owner's");
    return ws.focus(*ws.live(a)).empty();
  }));
}

}  // namespace

// Typing over a selection replaces it and, as rio's does, snarfs what it
// replaced: not for a viewer without snarf, whose typing would otherwise
// overwrite the owner's clipboard.
TEST_CASE("view: a viewer without snarf that types over a selection leaves the snarf as it was", "[view]") {
  Viewed s;
  int a = make(s, wsys::rect(10, 10, 410, 310));
  owner_selection(s, a, false);
  Peer typist(s.connect(peer(view | type)));
  typist.frame();
  REQUIRE(typist.input(wsys::ViewKeys{U"X", 0}).empty());
  REQUIRE(s.eventually([&] { return s.world().ws.live(a)->text.text() == "keep Xkeep"; }));
  CHECK(s.on_io([&] { return s.world().ws.snarf; }) == "the owner's");
  // With snarf, as the desktop's owner: the selection is snarfed.
  s.on_io([&] {
    s.world().ws.live(a)->text.set_selection(0, 5);
    return 0;
  });
  Peer v(s.connect(peer(view | type | snarf)));
  v.frame();
  REQUIRE(v.input(wsys::ViewKeys{U"Y", 0}).empty());
  REQUIRE(s.eventually([&] { return s.world().ws.live(a)->text.text() == "YXkeep"; }));
  CHECK(s.on_io([&] { return s.world().ws.snarf; }) == "keep ");
}

// With the mouse file open a navigation key types its rune, over the
// selection as any key: the same for it.
TEST_CASE("view: a viewer without snarf whose arrow key types over a selection leaves the snarf as it was", "[view]") {
  Viewed s;
  int a = make(s, wsys::rect(10, 10, 410, 310));
  owner_selection(s, a, true);
  Peer typist(s.connect(peer(view | type)));
  typist.frame();
  REQUIRE(typist.input(term::KeyPress{0, term::VtKey::Left}).empty());
  REQUIRE(s.eventually([&] { return s.world().ws.live(a)->text.text().find("cutme") == std::string::npos; }));
  CHECK(s.on_io([&] { return s.world().ws.snarf; }) == "the owner's");
}

TEST_CASE("view: input needs a feed open and sized first and a connection has one feed and viewers are bounded", "[view]") {
  Viewed s;
  {
    auto w = s.connect();
    w.hello();
    w.rpc<Rwalk>(2, Twalk{0, 2, {"view", "input"}});
    w.rpc<Ropen>(3, Topen{2, OWRITE});
    CHECK(w.fails(4, Twrite{2, 0, "m 1 1 0 0\n"}) == err::noview);
  }
  Peer unsized(s.connect(), false);
  CHECK(unsized.input(wsys::MouseState{{1, 1}, 0, 0}) == err::viewsize);
  CHECK(unsized.write("bogus 1 2\n").rfind("view input line 1: ", 0) == 0);
  unsized.w.rpc<Rwalk>(20, Twalk{0, 3, {"view", "feed"}});
  CHECK(unsized.w.fails(21, Topen{3, OREAD}) == err::inuse);
  Peer second(s.connect());
  auto third = s.connect();
  third.hello();
  third.rpc<Rwalk>(2, Twalk{0, 1, {"view", "feed"}});
  CHECK(third.fails(3, Topen{1, OREAD}) == err::toomanyviewers);
  // A viewer that goes makes room; the window system was untouched.
  second.w.close();
  REQUIRE(s.eventually([&] { return s.world().ws.viewers().count() < 2; }));
  third.rpc<Rwalk>(4, Twalk{0, 5, {"view", "feed"}});
  third.rpc<Ropen>(5, Topen{5, OREAD});
}

TEST_CASE("view: a window system no desktop shows takes the screen of a viewer with manage", "[view]") {
  Viewed s;
  Peer v(s.connect(), false);
  REQUIRE(v.input(wsys::ViewSize{wsys::rect(0, 0, 640, 480), wsys::Metrics{7, 14}}).empty());
  v.frame();
  CHECK(v.last.scene->screen == wsys::rect(0, 0, 640, 480));
  CHECK(s.on_io([&] { return s.world().ws.screen(); }) == wsys::rect(0, 0, 640, 480));
  CHECK(v.last.scene->metrics.font_h == 14);
  // The screen is the window system's, not a watcher's: a viewer without
  // manage is shown it as it is and lays out for its own font only.
  Peer watcher(s.connect(peer(view | type)), false);
  REQUIRE(watcher.input(wsys::ViewSize{wsys::rect(0, 0, 320, 200), wsys::Metrics{8, 16}}).empty());
  watcher.frame();
  CHECK(watcher.last.scene->screen == wsys::rect(0, 0, 640, 480));
  CHECK(watcher.last.scene->metrics.font_h == 16);
  CHECK(s.on_io([&] { return s.world().ws.screen(); }) == wsys::rect(0, 0, 640, 480));
}

TEST_CASE("view: a read of the feed sent before the first size is answered when the size comes", "[view]") {
  // grio view reads and writes from two threads: its first read may reach
  // the server before its size, on a window system where nothing changes.
  Viewed s;
  make(s, wsys::rect(10, 10, 300, 200));
  Peer v(s.connect(), false);
  v.w.send(30, Tread{1, 0, 60000});
  REQUIRE_FALSE(v.w.try_recv(100));  // parked: no controller yet
  v.w.send(31, Twrite{2, 0, wsys::format_view_event(wsys::ViewSize{wsys::rect(0, 0, 640, 480), wsys::Metrics{7, 14}})});
  std::vector<wsys::ViewFrame> got;
  for (int i = 0; i < 2; i++) {
    auto f = v.w.recv(5000);
    if (f.tag == 30) REQUIRE(v.dec.push(std::get<Rread>(f.msg).data, got).empty());
    else CHECK(std::holds_alternative<Rwrite>(f.msg));
  }
  REQUIRE(got.size() == 1);
  REQUIRE(got[0].scene);
  CHECK(got[0].scene->windows.size() == 1);
}

TEST_CASE("view: a peer without view finds no view directory", "[view]") {
  Viewed s;
  auto w = s.connect(peer(type));
  w.hello();
  CHECK(w.fails(2, Twalk{0, 1, {"view"}}) == err::nonexist);
}

TEST_CASE("view: a viewer attached as watch has view only whatever its connection may do", "[view]") {
  Viewed s;
  int a = make(s, wsys::rect(10, 10, 410, 310));
  Peer v(s.connect(), true, "watch");
  v.frame();
  CHECK(v.input(wsys::ViewKeys{U"x", 0}) == err::perm);
  v.click({200, 200}, 1);
  for (int i = 0; i < 20 && v.last.notice.empty(); i++) v.frame();
  CHECK(v.last.notice == err::perm);
  CHECK(s.on_io([&] { return s.world().ws.live(a)->text.size(); }) == 0);
}

TEST_CASE("view: two viewers and the window system agree: what one does the other sees", "[view]") {
  Viewed s;
  int a = make(s, wsys::rect(10, 10, 410, 310));
  Peer one(s.connect()), two(s.connect());
  one.frame();
  two.frame();
  one.click({200, 200}, 1);
  REQUIRE(one.input(wsys::ViewKeys{U"from one", 0}).empty());
  two.until([&](const wsys::Scene& sc) { return find(sc, a) && row(*find(sc, a), 0) == "from one"; });
  // Each has its own pointer and menus: a menu open in one is not in the other.
  REQUIRE(two.input(wsys::MouseState{{600, 500}, 4, 5000}).empty());
  two.until([](const wsys::Scene& sc) { return sc.menu.has_value(); });
  output(s, a, "\nmore\n");
  one.until([&](const wsys::Scene& sc) { return find(sc, a) && row(*find(sc, a), 1) == "more"; });
  CHECK(!one.last.scene->menu);
}

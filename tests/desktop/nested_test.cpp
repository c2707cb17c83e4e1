// A sub-workspace on the desktop, in process without SDL: the scene the
// controller publishes holds the sub-workspace's own scene in its host
// window, and the mouse and keys inside the host act on the sub-workspace.
#include <catch2/catch.hpp>

#include "tests/desktop/controller_setup.h"

using namespace grio::wsys;
using namespace grio::wsys;

using Setup = grio::test::ControllerSetup;
using grio::test::item_point;

TEST_CASE("a host window's scene holds its sub-workspace's, drawn in its own coordinates", "[desktop][sub]") {
  Setup s;
  Window& host = s.make(s.top.ws(), "new -r 100 100 700 500 -sub s1");
  auto sub = s.top.find_sub("s1");
  REQUIRE(sub);
  s.make(sub->ws(), "new -pid 1 -r 10 20 300 200");
  REQUIRE(s.last);
  const SceneWindow* h = s.shown(host.id);
  REQUIRE(h);
  REQUIRE(h->nested);
  CHECK(h->nested->screen == rect(0, 0, 592, 392));
  REQUIRE(h->nested->windows.size() == 1);
  CHECK(h->nested->windows[0]->rect == rect(10, 20, 300, 200));
  // Its windows are not the top's.
  CHECK(s.last->windows.size() == 1);
  // Hiding the host hides it all.
  WctlCommand hide;
  hide.verb = WctlVerb::Hide;
  REQUIRE(s.top.ws().control(host, hide).empty());
  s.settle();
  CHECK(!s.shown(host.id));
}

TEST_CASE("button 3 inside a host opens the sub-workspace's menu, and New sweeps a window there", "[desktop][sub]") {
  Setup s;
  Window& host = s.make(s.top.ws(), "new -r 100 100 700 500 -sub s1");
  auto sub = s.top.find_sub("s1");
  REQUIRE(sub);
  Point origin = sub_origin(host.rect);  // (104, 104)
  s.mouse(origin + Point{200, 150}, 4);
  const SceneWindow* h = s.shown(host.id);
  REQUIRE(h);
  REQUIRE(h->nested);
  REQUIRE(h->nested->menu);
  CHECK(!s.last->menu);  // the top level opened none
  SceneMenu m = *h->nested->menu;
  REQUIRE(m.items[0] == "New");
  s.mouse(origin + item_point(m, 0), 4);
  s.mouse(origin + item_point(m, 0), 0);  // New: now sweep
  s.mouse(origin + Point{50, 60}, 4);
  s.mouse(origin + Point{350, 260}, 4);
  s.mouse(origin + Point{350, 260}, 0);
  auto ids = sub->ws().ids();
  REQUIRE(ids.size() == 1);
  CHECK(ids[0] == 1);
  CHECK(sub->ws().find(1)->rect == rect(50, 60, 350, 260));
  CHECK(s.top.ws().ids().size() == 1);  // nothing made on the top level
  // The host is current, so keys go to the sub-workspace's current window.
  CHECK(s.top.ws().current() == host.id);
  CHECK(sub->ws().current() == 1);
  s.c->keys(U"typed in the sub");
  s.settle();
  // The window's shell may have printed its prompt first ("$ " or, as
  // root, "# "): the typed text is what follows it.
  std::string text = sub->ws().find(1)->text.text();
  CHECK_THAT(text, Catch::Matchers::EndsWith("typed in the sub"));
  CHECK(text.size() <= std::string("$ typed in the sub").size());
}

TEST_CASE("Sub in the top level's menu sweeps a host for the next free sub-workspace name", "[desktop][sub]") {
  Setup s;
  s.make(s.top.ws(), "new -r 0 0 200 100 -sub sub1");  // taken: the menu's is sub2
  s.mouse(Point{900, 600}, 4);
  REQUIRE(s.last->menu);
  SceneMenu m = *s.last->menu;
  REQUIRE(m.items[2] == "Sub");
  s.mouse(item_point(m, 2), 4);
  s.mouse(item_point(m, 2), 0);
  s.mouse(Point{300, 300}, 4);
  s.mouse(Point{800, 700}, 4);
  s.mouse(Point{800, 700}, 0);
  Window* host = s.top.ws().host_of("sub2");
  REQUIRE(host);
  CHECK(host->rect == rect(300, 300, 800, 700));
  CHECK(s.top.find_sub("sub2")->ws().screen() == rect(0, 0, 492, 392));
}

TEST_CASE("deleting a host drops its sub-workspace's desktop and its scene", "[desktop][sub]") {
  Setup s;
  Window& host = s.make(s.top.ws(), "new -r 100 100 700 500 -sub s1");
  int id = host.id;
  s.make(s.top.find_sub("s1")->ws(), "new -pid 1 -r 10 20 300 200");
  REQUIRE(s.shown(id));
  WctlCommand del;
  del.verb = WctlVerb::Delete;
  REQUIRE(s.top.ws().control(host, del).empty());
  s.settle();
  CHECK(!s.shown(id));
  // The pointer where the host was is over the background again: button 3
  // opens the top level's menu.
  s.mouse(Point{300, 300}, 4);
  CHECK(s.last->menu);
}

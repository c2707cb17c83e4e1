// Sub-workspaces on the real desktop under Xvfb: drawn inside their host
// window, clipped and moved with it, worked with the mouse and keys, and
// made by grio run in a window. Checked by pixels and by 9P.
#include <catch2/catch.hpp>

#include "tests/desktop/desk.h"

using namespace grio::test;

namespace {

constexpr uint32_t Focused = 0x55AAAA, Grey = 0x777777;

// grio window --sub NAME -r … on d: the sub-workspace's address.
std::string make_sub(Desk& d, const std::string& name, const std::string& r) {
  auto ran = d.sh(std::string(GRIO_BINARY) + " window -r " + r + " --sub " + name);
  INFO(ran.err);
  REQUIRE(ran.status == 0);
  REQUIRE(ran.out.rfind("wsys='", 0) == 0);
  return ran.out.substr(6, ran.out.find('\'', 6) - 6);
}

Ran p9_at(const std::string& addr, const std::string& args) {
  return run("timeout 10 " + std::string(GRIO_BINARY) + " 9p -a '" + addr + "' " + args);
}

}  // namespace

TEST_CASE("a window pushed into a sub-workspace shows inside its host, moves with it and is scaled and clipped by it",
          "[desktop][sub]") {
  Desk d;
  std::string sub = make_sub(d, "s1", "100 100 700 500");  // interior from (104, 104)
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n"; }));
  d.start({GRIO_BINARY, "window", "--wsys", sub, "-m", "-r", "20", "20", "300", "200", "sleep", "30"});
  REQUIRE(eventually([&] { return p9_at(sub, "ls /wsys").out == "1\n"; }));
  // Its left border at sub x 20..23 is screen x 124..127, in rio's focus colour;
  // the sub-workspace's grey is around it.
  CHECK(eventually([&] {
    Shot s = d.shot();
    return s.at(125, 204) == Focused && s.at(104 + 400, 104 + 300) == Grey && s.at(115, 204) == Grey;
  }));
  // Moving the host by its wctl moves what is inside.
  auto mv = d.p9("write /wsys/2/wctl", "move -minx 300 -miny 200");
  INFO(mv.err);
  REQUIRE(mv.status == 0);
  CHECK(eventually([&] {
    Shot s = d.shot();
    return s.at(325, 304) == Focused && s.at(125, 204) != Focused;
  }));
  // A smaller host (an interior of 192x142 from 592x392) scales it as rio
  // does; scaled it would be 91 wide, too narrow for a window, so it keeps
  // its size and goes to its scaled corner, which being larger than the
  // interior pins it at the interior's corner, cut to the interior.
  auto rs = d.p9("write /wsys/2/wctl", "resize -r 300 200 500 350");
  INFO(rs.err);
  REQUIRE(rs.status == 0);
  CHECK(eventually([&] { return p9_at(sub, "read /wsys/1/wctl").out.substr(0, 48) ==
                                "          0           0         192         142 "; }));
  // Its borders at screen x 304..307 and 492..495 now, what was its left
  // border inside it, nothing of it outside the host.
  CHECK(eventually([&] {
    Shot s = d.shot();
    return s.at(305, 254) == Focused && s.at(493, 254) == Focused && s.at(325, 304) != Focused &&
           s.at(601, 254) != Focused;
  }));
}

TEST_CASE("button 3 inside a host opens the sub-workspace's menu and New makes a window there", "[desktop][sub]") {
  Desk d;
  std::string sub = make_sub(d, "s1", "100 100 900 700");
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n"; }));
  // The sub's menu opens with New under the pointer; then a sweep.
  d.xdo("mousemove 400 300 mousedown 3 sleep 0.1 mouseup 3");
  d.xdo("mousemove 200 200 mousedown 3 mousemove 300 300 mousemove 600 500 sleep 0.1 mouseup 3");
  REQUIRE(eventually([&] { return p9_at(sub, "ls /wsys").out == "1\n"; }));
  CHECK(d.ids() == "1\n2\n");  // nothing new on the top level
  // Swept in the sub-workspace's coordinates: from (200, 200) - (104, 104).
  CHECK(p9_at(sub, "read /wsys/1/wctl").out.substr(0, 48) ==
        "         96          96         496         396 ");
  // Typing goes to it (the host is current, and in it window 1).
  REQUIRE(eventually([&] { return !p9_at(sub, "read /wsys/1/text").out.empty(); }));  // the prompt
  d.xdo("type --delay 20 \"echo sub-\\$((6*7))\"");  // sh wraps it in '…'; $ typed, not expanded
  d.xdo("key Return");
  CHECK(eventually([&] { return p9_at(sub, "read /wsys/1/text").out.find("sub-42") != std::string::npos; }));

  CHECK(d.text(1).find("sub-") == std::string::npos);
}

TEST_CASE("grio run in a desktop window makes a sub-workspace there, with a shell in it", "[desktop][sub]") {
  Desk d;
  d.start({GRIO_BINARY, "window", "-r", "100", "100", "700", "500", GRIO_BINARY});
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n3\n"; }));
  // Window 2 runs grio, hidden behind host 3 at its place.
  CHECK(eventually([&] { return d.wctl(2).find("hidden") != std::string::npos; }));
  CHECK(d.wctl(3).substr(0, 48) == "        100         100         700         500 ");
  std::string sub = d.addr + "!sub1";
  CHECK(eventually([&] { return p9_at(sub, "ls /wsys").out == "1\n"; }));
  // Its screen is the host's interior, a picture of what is drawn there.
  CHECK(eventually([&] {
    auto r = p9_at(sub, "read /screen");
    return r.out.substr(0, 60) == "   x8r8g8b8           0           0         592         392 " &&
           r.out.size() == 60 + 592 * 392 * 4;
  }));
  // Deleting the host ends it, and the window that ran grio shows again.
  REQUIRE(d.p9("write /wsys/3/wctl", "delete").status == 0);
  CHECK(eventually([&] { return d.ids() == "1\n"; }));  // grio saw it, showed its window and exited
}

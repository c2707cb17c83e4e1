// wctl: parsing rio's commands, the geometry rules, and the state record.
#include <catch2/catch.hpp>

#include <climits>
#include <vector>

#include "wsys/wctl.h"

using namespace grio::wsys;

namespace {

// Parses a message that must be accepted.
WctlCommand parse_ok(std::string_view msg) {
  auto r = parse_wctl(msg);
  INFO("message: " << msg);
  REQUIRE(r.ok());
  return *r;
}

// The error a message that must be refused gets.
std::string parse_err(std::string_view msg) {
  auto r = parse_wctl(msg);
  INFO("message: " << msg);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

bool same(const std::optional<Coord>& c, bool relative, int value) {
  return c && c->relative == relative && c->value == value;
}

const std::string kUnrecognized = "unrecognized wctl command";
const std::string kBadParam = "missing or bad wctl parameter";
const std::string kExtraneous = "extraneous text in wctl message";

}  // namespace

TEST_CASE("every command word is recognized", "[wsys]") {
  std::pair<const char*, WctlVerb> cases[] = {
      {"new", WctlVerb::New},         {"resize", WctlVerb::Resize}, {"move", WctlVerb::Move},
      {"scroll", WctlVerb::Scroll},   {"noscroll", WctlVerb::Noscroll}, {"set", WctlVerb::Set},
      {"top", WctlVerb::Top},         {"bottom", WctlVerb::Bottom}, {"current", WctlVerb::Current},
      {"hide", WctlVerb::Hide},       {"unhide", WctlVerb::Unhide}, {"delete", WctlVerb::Delete},
  };
  for (auto [word, verb] : cases) {
    INFO(word);
    CHECK(parse_ok(word).verb == verb);
    CHECK(parse_ok(std::string(word) + "\n").verb == verb);
    CHECK(parse_ok(std::string("  \t") + word + "  \n").verb == verb);
  }
}

TEST_CASE("a command word only has to start with the table entry", "[wsys]") {
  CHECK(parse_ok("newt").verb == WctlVerb::New);
  CHECK(parse_ok("resizeme").verb == WctlVerb::Resize);
  CHECK(parse_ok("scrolling").verb == WctlVerb::Scroll);
  CHECK(parse_ok("noscrolling").verb == WctlVerb::Noscroll);
  CHECK(parse_ok("unhideall").verb == WctlVerb::Unhide);
  CHECK(parse_ok("hideme").verb == WctlVerb::Hide);
  CHECK(parse_ok("topmost").verb == WctlVerb::Top);
  SECTION("but not the other way round: an abbreviation is nothing") {
    CHECK(parse_err("res") == kUnrecognized);
    CHECK(parse_err("n") == kUnrecognized);
    CHECK(parse_err("cur") == kUnrecognized);
    CHECK(parse_err("un") == kUnrecognized);
    CHECK(parse_err("hidden") == kUnrecognized);  // "hidd" is not "hide"
  }
  SECTION("and case matters") { CHECK(parse_err("New") == kUnrecognized); }
}

TEST_CASE("unknown, empty and blank messages are unrecognized commands", "[wsys]") {
  CHECK(parse_err("") == kUnrecognized);
  CHECK(parse_err("\n") == kUnrecognized);
  CHECK(parse_err("   ") == kUnrecognized);
  CHECK(parse_err("frob") == kUnrecognized);
  CHECK(parse_err("-dx 10") == kUnrecognized);
}

TEST_CASE("geometry options take absolute, relative and bracketed numbers", "[wsys]") {
  auto c = parse_ok("resize -minx 10 -miny +20 -maxx -30 -maxy [40]\n");
  CHECK(same(c.minx, false, 10));
  CHECK(same(c.miny, true, 20));
  CHECK(same(c.maxx, true, -30));
  CHECK(same(c.maxy, false, 40));

  c = parse_ok("move -dx [+5] -dy -7]");
  CHECK(same(c.dx, true, 5));
  CHECK(same(c.dy, true, -7));

  c = parse_ok("resize -dx 100 -dy 200");
  CHECK(same(c.dx, false, 100));
  CHECK(same(c.dy, false, 200));
  CHECK_FALSE(c.minx);
  CHECK_FALSE(c.r);
}

TEST_CASE("options too are matched by prefix", "[wsys]") {
  auto c = parse_ok("resize -rect 1 2 300 400 -dxx 10 -minxy 3");
  CHECK(same(c.dx, false, 10));
  CHECK(same(c.minx, false, 3));
  REQUIRE(c.r);
  CHECK(*c.r == rect(1, 2, 300, 400));
  CHECK(parse_ok("new -hideit").hide);
  CHECK(parse_ok("new -scrolling").scroll == true);
  CHECK(parse_ok("new -noscrollbar").scroll == false);
  CHECK(parse_ok("new -identity 4").id == 4);
  SECTION("-scroll is not taken for -r, nor -noscroll for anything else") {
    c = parse_ok("new -scroll");
    CHECK(c.scroll == true);
    CHECK_FALSE(c.r);
    CHECK(parse_ok("new -noscroll").scroll == false);
  }
  SECTION("the value is the next word: -dx100 is -dx taking the word after it") {
    CHECK(same(parse_ok("resize -dx100 50").dx, false, 50));
    CHECK(parse_err("resize -dx100") == kBadParam);
  }
  SECTION("a shorter word than an entry is not an option") {
    CHECK(parse_err("resize -d 10") == kExtraneous);
    CHECK(parse_err("resize -max 10") == kExtraneous);
    CHECK(parse_ok("new -m 10").cmd == "-m 10");
  }
}

TEST_CASE("option -r takes four absolute numbers, %R brackets allowed", "[wsys]") {
  CHECK(*parse_ok("new -r 0 0 600 400").r == rect(0, 0, 600, 400));
  CHECK(*parse_ok("new -r [10 20] [610 420]\n").r == rect(10, 20, 610, 420));
  SECTION("a sign is part of the coordinate, not a relative change") {
    CHECK(*parse_ok("new -r -10 +20 600 400").r == rect(-10, 20, 600, 400));
  }
  SECTION("-r drops the geometry given before it; what follows still applies") {
    auto c = parse_ok("resize -minx 5 -dx 50 -r 0 0 600 400 -maxy +10");
    CHECK_FALSE(c.minx);
    CHECK_FALSE(c.dx);
    CHECK(same(c.maxy, true, 10));
  }
}

TEST_CASE("option -cd takes one word, with rc quotes stripped", "[wsys]") {
  CHECK(parse_ok("new -cd /usr/glenda rc").cd == "/usr/glenda");
  CHECK(parse_ok("new -cd 'it''s' rc").cd == "it's");
  CHECK(parse_ok("new -cd '/tmp/my dir' rc").cd == "/tmp/my dir");
  CHECK(parse_ok("new -cd /tmp/'a b'/c").cd == "/tmp/a b/c");
  SECTION("the word after it is the command again") {
    auto c = parse_ok("new -cd 'a b' echo 'x  y'\n");
    CHECK(c.cd == "a b");
    CHECK(c.cmd == "echo 'x  y'");
  }
}

TEST_CASE("option -pid and -id take integers", "[wsys]") {
  auto c = parse_ok("new -pid 1234 -id 7");
  CHECK(c.pid == 1234);
  CHECK(c.id == 7);
  CHECK(parse_ok("set -pid 99\n").pid == 99);
  SECTION("rio reads a sign and drops it") { CHECK(parse_ok("set -pid -99").pid == 99); }
  CHECK_FALSE(parse_ok("set").pid);
  CHECK_FALSE(parse_ok("set").id);
}

TEST_CASE("option -hide, -scroll and -noscroll are flags, the last scroll flag wins", "[wsys]") {
  auto c = parse_ok("new");
  CHECK_FALSE(c.hide);
  CHECK_FALSE(c.scroll);
  c = parse_ok("new -hide -scroll -noscroll rc");
  CHECK(c.hide);
  CHECK(c.scroll == false);
  CHECK(c.cmd == "rc");
  CHECK(parse_ok("new -noscroll -scroll").scroll == true);
}

TEST_CASE("new takes the rest of the line, as written, as its command", "[wsys]") {
  CHECK(parse_ok("new").cmd.empty());
  CHECK(parse_ok("new\n").cmd.empty());
  CHECK(parse_ok("new -dx 100 acme -f  /lib/font  \n").cmd == "acme -f  /lib/font  ");
  CHECK(parse_ok("new   echo\t'a   b'\n").cmd == "echo\t'a   b'");
  SECTION("an unknown option ends the options and starts the command") {
    auto c = parse_ok("new -dx 300 -x rc -hide");
    CHECK(same(c.dx, false, 300));
    CHECK(c.cmd == "-x rc -hide");
    CHECK_FALSE(c.hide);
  }
  SECTION("so does text stuck to a number") { CHECK(parse_ok("new -dx 300px").cmd == "px"); }
  SECTION("a NUL ends the message, as in rio's C string") {
    CHECK(parse_ok(std::string_view("new rc\0junk", 11)).cmd == "rc");
  }
}

TEST_CASE("malformed or missing parameters", "[wsys]") {
  for (const char* msg : {"resize -dx", "resize -dx\n", "resize -dx abc", "resize -dx +",
                          "resize -dx - 5", "resize -dx +-5", "new -r 1 2 3", "new -r 1 2 3\n",
                          "new -r 1 2 3 x", "new -r", "set -pid", "set -pid x", "new -id",
                          "new -cd", "new -cd\n", "new -cd 'unterminated", "new -cd '' rc",
                          "resize -dx 99999999999"}) {
    INFO(msg);
    CHECK(parse_err(msg) == kBadParam);
  }
}

TEST_CASE("leftover text after the options of a command other than new", "[wsys]") {
  CHECK(parse_err("resize -dx 10 junk") == kExtraneous);
  CHECK(parse_err("delete now") == kExtraneous);
  CHECK(parse_err("top -dx 5 -x") == kExtraneous);
  CHECK(parse_ok("delete \n").verb == WctlVerb::Delete);
}

TEST_CASE("a repeated option acts on the result of the one before", "[wsys]") {
  CHECK(same(parse_ok("resize -dx +10 -dx +5").dx, true, 15));
  CHECK(same(parse_ok("resize -dx 100 -dx -5").dx, false, 95));
  CHECK(same(parse_ok("resize -dx +10 -dx 300").dx, false, 300));
  CHECK(same(parse_ok("resize -minx 10 -minx +1").minx, false, 11));
}

namespace {

Rect geometry(std::string_view msg, Rect start) { return apply_geometry(parse_ok(msg), start); }

const Rect kStart = rect(100, 100, 500, 400);
const Rect kScreen = rect(0, 0, 1280, 800);

}  // namespace

TEST_CASE("apply_geometry: no options keep the start rectangle", "[wsys]") {
  CHECK(geometry("resize", kStart) == kStart);
  CHECK(geometry("new -hide rc", kStart) == kStart);
}

TEST_CASE("apply_geometry: edges are set or moved", "[wsys]") {
  CHECK(geometry("resize -minx 50", kStart) == rect(50, 100, 500, 400));
  CHECK(geometry("resize -minx -50", kStart) == rect(50, 100, 500, 400));
  CHECK(geometry("resize -miny +20", kStart) == rect(100, 120, 500, 400));
  CHECK(geometry("resize -maxx 900", kStart) == rect(100, 100, 900, 400));
  CHECK(geometry("resize -maxy -100", kStart) == rect(100, 100, 500, 300));
  CHECK(geometry("move -minx +10 -miny +10 -maxx +10 -maxy +10", kStart) ==
        rect(110, 110, 510, 410));
}

TEST_CASE("apply_geometry: -dx/-dy set the size from min, or move max", "[wsys]") {
  CHECK(geometry("resize -dx 200", kStart) == rect(100, 100, 300, 400));
  CHECK(geometry("resize -dy 200", kStart) == rect(100, 100, 500, 300));
  CHECK(geometry("resize -dx +50 -dy -50", kStart) == rect(100, 100, 550, 350));
  SECTION("an edge given first, then the size, keeps the size") {
    CHECK(geometry("new -minx 10 -miny 20 -dx 800 -dy 200", kStart) == rect(10, 20, 810, 220));
  }
}

TEST_CASE("apply_geometry: -r replaces the rectangle, later options adjust it", "[wsys]") {
  CHECK(geometry("new -r 0 0 128 64", kStart) == rect(0, 0, 128, 64));
  CHECK(geometry("new -minx 7 -dx 9 -r 0 0 128 64", kStart) == rect(0, 0, 128, 64));
  CHECK(geometry("new -r 0 0 128 64 -dx 300 -maxy +6", kStart) == rect(0, 0, 300, 70));
}

TEST_CASE("apply_geometry: the later of -maxx and -dx wins, as in rio", "[wsys]") {
  CHECK(geometry("resize -maxx 900 -dx 200", kStart).max.x == 300);
  CHECK(geometry("resize -dx 200 -maxx 900", kStart).max.x == 900);
  CHECK(geometry("resize -dx 200 -maxx +5", kStart).max.x == 305);
  CHECK(geometry("resize -maxx 900 -dx +5", kStart).max.x == 905);
  CHECK(geometry("resize -dy 200 -maxy 350", kStart).max.y == 350);
}

TEST_CASE("apply_geometry saturates instead of overflowing", "[wsys]") {
  Rect r = geometry("resize -maxx +2147483647 -minx -2147483647", rect(-5, 0, 5, 10));
  CHECK(r.max.x == INT_MAX);
  CHECK(r.min.x == INT_MIN);
}

TEST_CASE("onto_screen shifts a rectangle back onto the screen", "[wsys]") {
  CHECK(onto_screen(rect(10, 10, 610, 410), kScreen) == rect(10, 10, 610, 410));
  CHECK(onto_screen(rect(-50, 10, 550, 410), kScreen) == rect(0, 10, 600, 410));   // right
  CHECK(onto_screen(rect(10, -30, 610, 370), kScreen) == rect(10, 0, 610, 400));   // down
  CHECK(onto_screen(rect(1000, 10, 1600, 410), kScreen) == rect(680, 10, 1280, 410));  // left
  CHECK(onto_screen(rect(10, 700, 610, 1100), kScreen) == rect(10, 400, 610, 800));    // up
  SECTION("to the screen's own origin") {
    Rect screen = rect(100, 50, 1100, 850);
    CHECK(onto_screen(rect(0, 0, 200, 200), screen) == rect(100, 50, 300, 250));
  }
}

TEST_CASE("onto_screen pins a too-large rectangle at the origin and clips it", "[wsys]") {
  CHECK(onto_screen(rect(-100, -100, 2000, 1000), kScreen) == kScreen);
  CHECK(onto_screen(rect(500, 100, 2500, 300), kScreen) == rect(0, 100, 1280, 300));
  CHECK(onto_screen(rect(INT_MIN, 0, INT_MAX, 10), kScreen) == rect(0, 0, 1280, 10));
}

TEST_CASE("good_rect accepts an ordinary window and the limits exactly", "[wsys]") {
  const int font = 14;
  CHECK(good_rect(rect(32, 32, 632, 432), kScreen, font));
  CHECK(good_rect(kScreen, kScreen, font));  // full screen: the border is still on it
  CHECK(good_rect(rect(0, 0, 100, 24), kScreen, font));  // 100 wide, 2*(4+1)+14 high
  SECTION("too narrow") { CHECK_FALSE(good_rect(rect(0, 0, 99, 300), kScreen, font)); }
  SECTION("too short") { CHECK_FALSE(good_rect(rect(0, 0, 300, 23), kScreen, font)); }
  SECTION("the height limit follows the font") {
    CHECK(good_rect(rect(0, 0, 300, 30), kScreen, 20));
    CHECK_FALSE(good_rect(rect(0, 0, 300, 29), kScreen, 20));
  }
  SECTION("not canonical") {
    CHECK_FALSE(good_rect(rect(600, 32, 32, 432), kScreen, font));
    CHECK_FALSE(good_rect(rect(32, 432, 632, 32), kScreen, font));
  }
}

TEST_CASE("good_rect: at most three screens each way", "[wsys]") {
  Rect screen = rect(0, 0, 1000, 500);
  CHECK(good_rect(rect(-1000, 0, 2000, 400), screen, 14));   // 3000 wide
  CHECK_FALSE(good_rect(rect(-1000, 0, 2001, 400), screen, 14));
  CHECK(good_rect(rect(0, -500, 900, 1000), screen, 14));    // 1500 high
  CHECK_FALSE(good_rect(rect(0, -500, 900, 1001), screen, 14));
}

TEST_CASE("good_rect: it must touch the screen, and leave a border on it", "[wsys]") {
  CHECK_FALSE(good_rect(rect(1280, 0, 1880, 400), kScreen, 14));  // just right of it
  CHECK_FALSE(good_rect(rect(0, -400, 600, 0), kScreen, 14));     // just above it
  CHECK(good_rect(rect(1279, 0, 1879, 400), kScreen, 14));        // one column on it
  // Covering the screen so that its interior holds all of it.
  CHECK_FALSE(good_rect(rect(-4, -4, 1284, 804), kScreen, 14));
  CHECK(good_rect(rect(-3, -4, 1284, 804), kScreen, 14));  // the left border shows
}

TEST_CASE("cascade_rect: 600x400 steps of 16 from 32, ten of them", "[wsys]") {
  CHECK(cascade_rect(0, kScreen) == rect(32, 32, 632, 432));
  CHECK(cascade_rect(1, kScreen) == rect(48, 48, 648, 448));
  CHECK(cascade_rect(9, kScreen) == rect(176, 176, 776, 576));
  CHECK(cascade_rect(10, kScreen) == cascade_rect(0, kScreen));
  CHECK(cascade_rect(23, kScreen) == cascade_rect(3, kScreen));
}

TEST_CASE("cascade_rect: small screens shrink it, other origins move it", "[wsys]") {
  CHECK(cascade_rect(0, rect(0, 0, 320, 240)) == rect(32, 32, 344, 264));
  CHECK(cascade_rect(1, rect(0, 0, 320, 240)) == rect(48, 48, 360, 280));
  CHECK(cascade_rect(0, rect(0, 0, 608, 408)) == rect(32, 32, 632, 432));
  CHECK(cascade_rect(0, rect(0, 0, 607, 407)) == rect(32, 32, 631, 431));
  CHECK(cascade_rect(2, rect(100, 200, 1380, 1000)) == rect(164, 264, 764, 664));
}

TEST_CASE("wctl_record: six 11-character fields, each followed by a blank", "[wsys]") {
  std::string s = wctl_record(rect(0, 0, 600, 400), true, true);
  CHECK(s == "          0           0         600         400     current     visible ");
  CHECK(s.size() == 72);
  CHECK(wctl_record(rect(32, 48, 632, 448), false, false) ==
        "         32          48         632         448  notcurrent      hidden ");
  CHECK(wctl_record(rect(-5, -120, 1280, 800), false, true) ==
        "         -5        -120        1280         800  notcurrent     visible ");
}

TEST_CASE("wctl_record stays 72 bytes at the extremes of int", "[wsys]") {
  std::string s = wctl_record(rect(INT_MIN, INT_MIN, INT_MAX, INT_MAX), true, false);
  CHECK(s == "-2147483648 -2147483648  2147483647  2147483647     current      hidden ");
  CHECK(s.size() == 72);
}

TEST_CASE("obscured: a window is covered when no piece of it a font high and wide shows", "[wsys]") {
  const Rect w = rect(100, 100, 500, 400);
  struct Case {
    const char* what;
    std::vector<Rect> above;
    bool covered;
  };
  const Case cases[] = {
      {"one window over it", {rect(50, 50, 600, 450)}, true},
      {"two that meet over it", {rect(50, 50, 300, 450), rect(300, 50, 600, 450)}, true},
      {"a gap a font wide between two", {rect(50, 50, 300, 450), rect(316, 50, 600, 450)}, false},
      {"a sliver thinner than the font between two", {rect(50, 50, 300, 450), rect(315, 50, 600, 450)}, true},
      {"a corner showing", {rect(50, 50, 600, 380), rect(150, 300, 600, 450)}, false},
      // Above it a sliver 10 high, left of it one 20 wide: the corner
      // (100, 100)-(120, 120) shows, as rio finds cutting whole sides.
      {"a font square at a corner between two slivers", {rect(120, 110, 900, 900), rect(0, 120, 120, 900)}, false},
      {"nothing over it", {}, false},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    int budget = 1000;
    CHECK(obscured(w, c.above, 16, budget) == c.covered);
  }
}

TEST_CASE("obscured takes one step of its budget a piece and says no once it is spent", "[wsys]") {
  // 40 strips side by side cover the window: a piece for each.
  std::vector<Rect> strips;
  for (int x = 0; x < 40; x++) strips.push_back(rect(100 + 10 * x, 0, 110 + 10 * x, 500));
  const Rect w = rect(100, 100, 500, 400);
  int plenty = 65536;
  CHECK(obscured(w, strips, 8, plenty));
  CHECK(plenty < 65536);
  int few = 10;
  CHECK_FALSE(obscured(w, strips, 8, few));
  CHECK(few >= -1);  // it stopped at the first step past the budget
}

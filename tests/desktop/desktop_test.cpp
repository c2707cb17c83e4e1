// The desktop: the real grio under Xvfb, driven by xdotool, checked by
// pixels of screenshots and by the window system's own files.
#include <algorithm>
#include <utility>

#include <catch2/catch.hpp>

#include "fonts/font.h"
#include "term/width.h"
#include "tests/desktop/desk.h"
#include "wsys/scene.h"

using namespace grio::test;
using grio::wsys::text_rect;
using grio::wsys::rect;

namespace {

constexpr uint32_t Focused = 0x55AAAA, Unfocused = 0x9EEEEE;

// The font grio uses by default on a 96-dpi display.
std::unique_ptr<grio::fonts::Font> default_font() {
  std::string err;
  auto f = grio::fonts::Font::open(grio::fonts::FontSpec{"monospace", 10, 96, grio::term::cell_width}, err);
  REQUIRE(f);
  return f;
}

// The menu item i's centre when the menu was opened at p with item last
// under the pointer (the item last chosen; see place_menu).
std::string item(int x, int y, int i, int last = 0) {
  auto f = default_font();
  return std::to_string(x) + " " + std::to_string(y + (i - last) * (f->height() + 4));
}

// Button 3 down at x y, up over item i: a menu choice.
void menu3(Desk& d, int x, int y, int i) {
  d.xdo("mousemove " + std::to_string(x) + " " + std::to_string(y) + " mousedown 3");
  d.xdo("mousemove " + item(x, y, i, std::exchange(d.menu3_last, i)) + " sleep 0.1 mouseup 3");
}

// Hub in button 3's menu and a sweep from (700, 450) to (1100, 700): window
// 2, on the session io, once its client says it is attached.
void hub_window(Desk& d) {
  menu3(d, 900, 200, 3);  // Hub
  d.xdo("mousemove 700 450 mousedown 3 mousemove 900 600 mousemove 1100 700 sleep 0.1 mouseup 3");
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n"; }));
  REQUIRE(eventually([&] { return d.text(2).find("attached to io") != std::string::npos; }));
}

// Fraction of the text cell pixels at (x, y) matching black-on-white
// rendering of s by the fonts module, and whether there was any ink.
double glyph_match(const Shot& s, int x, int y, std::u32string_view text, int& ink) {
  auto f = default_font();
  grio::fonts::Bitmap b = f->render(text);
  int good = 0;
  ink = 0;
  for (int j = 0; j < b.h; j++)
    for (int i = 0; i < b.w; i++) {
      int want = 255 - b.at(i, j);
      int got = int(s.at(x + i, y + j) & 0xFF);
      good += std::abs(want - got) <= 40;
      ink += b.at(i, j) > 128;
    }
  return double(good) / (b.w * b.h);
}

// Whether a pixel of the w×h box at (x, y) is in colour, not a grey.
bool coloured(const Shot& s, int x, int y, int w, int h) {
  for (int j = y; j < y + h; j++)
    for (int i = x; i < x + w; i++) {
      uint32_t p = s.at(i, j);
      int r = int(p >> 16), g = int(p >> 8 & 0xFF), b = int(p & 0xFF);
      if (std::max({r, g, b}) - std::min({r, g, b}) > 60) return true;
    }
  return false;
}

}  // namespace

TEST_CASE("a grio window -m window shows its text as the fonts module draws it", "[desktop]") {
  Desk d;
  // 中 takes cells 6 and 7, the acute draws over the e in cell 8, and the
  // emoji in cells 15 and 16 is in colour.
  d.start({GRIO_BINARY, "window", "-m", "-r", "100", "100", "600", "400", "sh", "-c",
           "echo 'HELLO \u4E2De\u0301 grio \U0001F600'; sleep 30"});
  REQUIRE(eventually([&] { return d.ids().find("2") != std::string::npos; }));
  auto t = text_rect(rect(100, 100, 600, 400));
  std::u32string_view text = U"HELLO \u4E2De\u0301 grio";
  int ink = 0;
  double match = 0;
  eventually([&] {
    match = glyph_match(d.shot(), t.min.x, t.min.y, text, ink);
    return match > 0.98;
  });
  CHECK(ink > 20);
  CHECK(match > 0.98);
  auto f = default_font();
  CHECK(coloured(d.shot(), t.min.x + 15 * f->width(), t.min.y, 2 * f->width(), f->height()));
  // The same comparisons one row lower, where there is no text, must fail.
  CHECK(glyph_match(d.shot(), t.min.x, t.min.y + 2 * f->height(), text, ink) < 0.9);
  CHECK_FALSE(coloured(d.shot(), t.min.x + 15 * f->width(), t.min.y + 2 * f->height(), 2 * f->width(), f->height()));
}

TEST_CASE("clicking a window moves focus and its border colour", "[desktop]") {
  Desk d;
  d.start({GRIO_BINARY, "window", "-m", "-r", "100", "450", "500", "750", "sleep", "30"});
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n"; }));  // so that the next is 3
  d.start({GRIO_BINARY, "window", "-m", "-r", "600", "450", "1000", "750", "sleep", "30"});
  REQUIRE(eventually([&] { return d.wctl(3).find(" current") != std::string::npos; }));
  uint32_t px = 0;
  eventually([&] { return (px = d.shot().at(601, 600)) == Focused; });
  REQUIRE(px == Focused);
  CHECK(d.shot().at(101, 600) == Unfocused);
  d.xdo("mousemove 300 600 click 1");
  CHECK(eventually([&] {
    Shot s = d.shot();
    return s.at(101, 600) == Focused && s.at(601, 600) == Unfocused;
  }));
  CHECK(d.wctl(2).find(" current") != std::string::npos);
  CHECK(d.wctl(3).find("notcurrent") != std::string::npos);
}

TEST_CASE("New and a sweep make a window of the swept size and Delete removes it", "[desktop]") {
  Desk d;
  menu3(d, 900, 200, 0);  // New
  d.xdo("mousemove 700 450 mousedown 3 mousemove 900 600 mousemove 1100 700 sleep 0.1 mouseup 3");
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n"; }));
  CHECK(d.wctl(2).substr(0, 48) == "        700         450        1100         700 ");
  CHECK(eventually([&] { return d.shot().at(701, 600) == Focused; }));
  menu3(d, 900, 200, 6);  // Delete, then pick the window
  d.xdo("mousemove 800 600 mousedown 3 sleep 0.1 mouseup 3");
  CHECK(eventually([&] { return d.ids() == "1\n"; }));
  CHECK(eventually([&] { return d.shot().at(701, 600) == 0x777777; }));
}

TEST_CASE("Hide puts a window in the menu under its label and choosing it brings it back", "[desktop]") {
  Desk d;
  d.start({GRIO_BINARY, "window", "-m", "-r", "600", "450", "1000", "750", "sleep", "30"});
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n"; }));
  REQUIRE(d.p9("write /wsys/2/label", "hideme").status == 0);
  menu3(d, 900, 200, 7);  // Hide, then pick the window
  d.xdo("mousemove 800 600 mousedown 3 sleep 0.1 mouseup 3");
  REQUIRE(eventually([&] { return d.wctl(2).find("hidden") != std::string::npos; }));
  CHECK(eventually([&] { return d.shot().at(601, 600) == 0x777777; }));
  menu3(d, 900, 200, 9);  // the first hidden window's entry
  CHECK(eventually([&] { return d.wctl(2).find("visible") != std::string::npos; }));
  CHECK(eventually([&] { return d.shot().at(601, 600) == Focused; }));
}

TEST_CASE("a window covered by others is in the menu under its label and choosing it brings it to the top", "[desktop]") {
  Desk d;
  d.start({GRIO_BINARY, "window", "-m", "-r", "600", "450", "1000", "750", "sleep", "30"});
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n"; }));
  d.start({GRIO_BINARY, "window", "-m", "-r", "550", "400", "1050", "800", "sleep", "30"});
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n3\n"; }));
  // Window 3 covers window 2 whole: its left border is not to be seen.
  REQUIRE(eventually([&] { return d.shot().at(601, 600) != Focused && d.shot().at(551, 600) == Focused; }));
  menu3(d, 900, 200, 9);  // the first entry after the verbs: window 2, covered
  CHECK(eventually([&] { return d.wctl(2).find(" current") != std::string::npos; }));
  CHECK(eventually([&] { return d.shot().at(601, 600) == Focused; }));
  CHECK(d.wctl(3).find("notcurrent") != std::string::npos);
}

TEST_CASE("the desktop's window resized scales the windows as rio's screen does", "[desktop]") {
  Desk d;
  d.start({GRIO_BINARY, "window", "-m", "-r", "600", "400", "1000", "700", "sleep", "30"});
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n"; }));
  REQUIRE(eventually([&] { return d.shot().at(601, 550) == Focused; }));
  // From 1280x800 to 640x400, as a window manager would do it.
  d.xdo("search --name '^grio$' windowsize --sync 640 400");
  // Each corner halved: the window's left border goes from x 600 to 300.
  CHECK(eventually([&] { return d.wctl(2).substr(0, 48) == "        300         200         500         350 "; }));
  CHECK(eventually([&] { return d.shot().at(301, 275) == Focused; }));
}

namespace {

// How far down the text of the window's interior x0..x1, y0..y1 moved from
// a to b, in pixels (0 if no shift up to 200 fits).
int moved_down(const Shot& a, const Shot& b, int x0, int x1, int y0, int y1) {
  for (int k = 1; k <= 200; k++) {
    bool same = true;
    for (int y = y0; same && y + k < y1; y++)
      for (int x = x0; same && x < x1; x++) same = a.at(x, y) == b.at(x, y + k);
    if (same) return k;
  }
  return 0;
}

}  // namespace

TEST_CASE("the wheel scrolls a window three lines a turn and one with Shift held", "[desktop]") {
  Desk d;
  d.start({GRIO_BINARY, "window", "-m", "-r", "100", "100", "700", "500", "sh", "-c", "seq 1 300; sleep 30"});
  REQUIRE(eventually([&] { return d.text(2).find("\n300\n") != std::string::npos; }));
  auto still = [&](Shot& s) {  // a shot the next one agrees with: the window has settled
    return eventually([&] {
      s = d.shot();
      Shot again = d.shot();
      return s.rgb == again.rgb;
    });
  };
  Shot a, b, c;
  REQUIRE(still(a));
  d.xdo("mousemove 400 300 keydown shift click 4 keyup shift");
  REQUIRE(eventually([&] { return d.shot().rgb != a.rgb; }));
  REQUIRE(still(b));
  d.xdo("mousemove 400 300 click 4");
  REQUIRE(eventually([&] { return d.shot().rgb != b.rgb; }));
  REQUIRE(still(c));
  // The text (from x 121, the scroll bar left of it; above its last lines,
  // where the text's tick is) moved down one line, then three.
  int one = moved_down(a, b, 125, 680, 110, 340), three = moved_down(b, c, 125, 680, 110, 340);
  CHECK(one > 0);
  CHECK(three == 3 * one);
}

namespace {

// How many pixels of row y, from x0 to x1, are the menu's highlight.
int hilited(const Shot& s, int y, int x0, int x1) {
  int n = 0;
  for (int x = x0; x < x1; x++) n += s.at(x, y) == 0x448844;
  return n;
}

size_t count(const std::string& s, const std::string& part) {
  size_t n = 0;
  for (size_t at = s.find(part); at != std::string::npos; at = s.find(part, at + 1)) n++;
  return n;
}

}  // namespace

// Issue 14 item 7: rio's menus open with the item last chosen under the
// pointer; ours opened on the first item every time.
TEST_CASE("button 3's menu opens with the pointer on the item last chosen", "[desktop]") {
  Desk d;
  d.start({GRIO_BINARY, "window", "-m", "-r", "600", "450", "1000", "750", "sleep", "30"});
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n"; }));
  d.start({GRIO_BINARY, "window", "-m", "-r", "100", "450", "500", "750", "sleep", "30"});
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n3\n"; }));
  menu3(d, 900, 200, 7);  // Hide, then pick window 2
  d.xdo("mousemove 800 600 mousedown 3 sleep 0.1 mouseup 3");
  REQUIRE(eventually([&] { return d.wctl(2).find("hidden") != std::string::npos; }));
  // Opened again, Hide is highlighted under the pointer, and releasing the
  // button where it went down chooses it.
  d.xdo("mousemove 900 200 mousedown 3");
  auto f = default_font();
  int item_h = f->height() + 4;
  CHECK(eventually([&] {
    Shot s = d.shot();
    return hilited(s, 200, 860, 940) > 20 && hilited(s, 200 - 2 * item_h, 860, 940) == 0 &&
           s.at(900, 200 - 4 * item_h - item_h / 2 + 1) == 0xEAFFEA;  // the menu goes on above: Hub is there
  }));
  d.xdo("mouseup 3");
  d.xdo("mousemove 300 600 mousedown 3 sleep 0.1 mouseup 3");
  CHECK(eventually([&] { return d.wctl(3).find("hidden") != std::string::npos; }));
  // At the top of the screen the menu cannot open above the pointer: the
  // pointer moves down onto Hide.
  d.xdo("mousemove 900 3 mousedown 3");
  int want = 2 + 7 * item_h + item_h / 2;
  int y = -1;
  CHECK(eventually([&] {
    std::string loc = d.sh("xdotool getmouselocation --shell").out;
    auto at = loc.find("Y=");
    y = at == std::string::npos ? -1 : std::atoi(loc.c_str() + at + 2);
    return y == want;
  }));
  CHECK(y == want);
  d.xdo("mouseup 3");
  d.xdo("mousemove 300 200 mousedown 3 sleep 0.1 mouseup 3");  // picks the shell's window
  CHECK(eventually([&] { return d.wctl(1).find("hidden") != std::string::npos; }));
}

TEST_CASE("button 2's menu opens with the pointer on the item last chosen", "[desktop]") {
  Desk d;
  REQUIRE(eventually([&] { return !d.text(1).empty(); }));  // the shell's prompt
  REQUIRE(d.p9("write /snarf", "echo sent-$((6*7))").status == 0);
  d.xdo("mousemove 300 200 mousedown 2");
  d.xdo("mousemove " + item(300, 200, 4, std::exchange(d.menu2_last, 4)) + " sleep 0.1 mouseup 2");  // send
  REQUIRE(eventually([&] { return count(d.text(1), "sent-42\n") == 1; }));
  d.xdo("mousemove 300 200 mousedown 2 sleep 0.1 mouseup 2");  // send again
  INFO(d.text(1));
  CHECK(eventually([&] { return count(d.text(1), "sent-42\n") == 2; }));
}

TEST_CASE("typing echo hi and Return in the shell window puts hi in its text", "[desktop]") {
  Desk d;
  REQUIRE(eventually([&] { return !d.text(1).empty(); }));  // the shell's prompt
  d.xdo("mousemove 300 200 click 1 type --delay 20 \"echo hi\"");
  d.xdo("key Return");
  INFO(d.text(1));
  CHECK(eventually([&] { return d.text(1).find("echo hi\nhi\n") != std::string::npos; }));
}

TEST_CASE("a double-clicked word and snarf reach the snarf file and the X clipboard", "[desktop]") {
  Desk d;
  d.start({GRIO_BINARY, "window", "-m", "-r", "100", "100", "600", "400", "sh", "-c", "echo one snarfme two; sleep 30"});
  REQUIRE(eventually([&] { return d.text(2).find("snarfme") != std::string::npos; }));
  auto f = default_font();
  auto t = text_rect(rect(100, 100, 600, 400));
  // Inside "snarfme", which starts at column 4 of the first row.
  std::string at = std::to_string(t.min.x + 6 * f->width()) + " " + std::to_string(t.min.y + f->height() / 2);
  d.xdo("mousemove " + at + " click --repeat 2 --delay 80 1");
  d.xdo("mousemove " + at + " mousedown 2");
  d.xdo("mousemove " + item(t.min.x + 6 * f->width(), t.min.y + f->height() / 2, 2, std::exchange(d.menu2_last, 2)) +
        " sleep 0.1 mouseup 2");
  CHECK(eventually([&] { return d.p9("read /snarf").out == "snarfme"; }));
  CHECK(eventually([&] { return d.sh("xclip -o -selection clipboard").out == "snarfme"; }));

  // And back: what another X program copies becomes snarf.
  d.start({"sh", "-c", "printf fromx | xclip -quiet -selection clipboard"});
  CHECK(eventually([&] { return d.p9("read /snarf").out == "fromx"; }));
}

TEST_CASE("the screen file's pixels equal a screenshot and window is the window's part", "[desktop]") {
  Desk d;
  d.start({GRIO_BINARY, "window", "-m", "-r", "100", "450", "500", "750", "sh", "-c", "echo still; sleep 30"});
  // Nothing may change between the two pictures: the shell's prompt too
  // must have been drawn already.
  REQUIRE(eventually([&] { return d.text(2) == "still\n" && !d.text(1).empty() && d.shot().at(101, 600) == Focused; }));
  size_t differ = 0;
  for (int attempt = 0; attempt < 3; attempt++) {  // in case something was drawn between them anyway
    std::string img = d.p9("read /screen").out;
    Shot s = d.shot();
    REQUIRE(img.size() == 60 + size_t(s.w) * s.h * 4);
    CHECK(img.substr(0, 60) == "   x8r8g8b8           0           0        1280         800 ");
    differ = 0;
    for (int y = 0; y < s.h; y++)
      for (int x = 0; x < s.w; x++) {
        auto* p = reinterpret_cast<const unsigned char*>(img.data() + 60 + (size_t(y) * s.w + x) * 4);
        differ += (uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0]) != s.at(x, y);
      }
    if (differ == 0) break;
  }
  CHECK(differ == 0);
  std::string win = d.p9("read /wsys/2/window").out;
  CHECK(win.substr(0, 60) == "   x8r8g8b8         100         450         500         750 ");
  CHECK(win.size() == 60 + 400 * 300 * 4);
}

TEST_CASE("Hub and a sweep make a window on the session io that runs what is written to its hub 0", "[desktop]") {
  Desk d;
  hub_window(d);
  CHECK(d.wctl(2).substr(0, 48) == "        700         450        1100         700 ");
  CHECK(d.p9("write hub/io/0", "echo hub-$((6*7))\n").status == 0);
  INFO(d.text(2));
  CHECK(eventually([&] { return d.text(2).find("hub-42\n") != std::string::npos; }));
  CHECK(d.p9("write hub/io/0", "exit\n").status == 0);  // the session ends, and the window with it
  CHECK(eventually([&] { return d.ids() == "1\n"; }));
}

namespace {

// Appends what fd has to say to got until pred holds of it (or 8 s pass).
bool collect(int fd, std::string& got, const std::function<bool()>& pred) {
  return eventually([&] {
    char buf[4096];
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, 0) == 1) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, size_t(n));
    }
    return pred();
  });
}

// The start of rio's mouse message for a point and buttons (msec follows).
std::string mouse_msg(int x, int y, int buttons) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "m%11d %11d %11d ", x, y, buttons);
  return buf;
}

}  // namespace

TEST_CASE("a program with a window's mouse and kbd files open gets the pointer and the keys", "[desktop]") {
  Desk d;
  int x0 = 0, y0 = 0;
  REQUIRE(std::sscanf(d.wctl(1).c_str(), "%d %d", &x0, &y0) == 2);
  int x = x0 + 150, y = y0 + 100;
  int mfd = -1, kfd = -1;
  Proc mouse({GRIO_BINARY, "9p", "-a", d.addr, "read", "/wsys/1/mouse"}, "/dev/null", &mfd);
  std::string m;
  // Moves until the reader has the file open and hears one, in screen coordinates.
  REQUIRE(collect(mfd, m, [&] {
    d.xdo("mousemove " + std::to_string(x - 1) + " " + std::to_string(y) + " mousemove " + std::to_string(x) + " " +
          std::to_string(y));
    return m.find(mouse_msg(x, y, 0)) != std::string::npos;
  }));
  d.xdo("mousedown 1");
  CHECK(collect(mfd, m, [&] { return m.find(mouse_msg(x, y, 1)) != std::string::npos; }));
  d.xdo("mouseup 1 mousedown 3");  // button 3 too is the program's: no menu
  CHECK(collect(mfd, m, [&] { return m.find(mouse_msg(x, y, 4)) != std::string::npos; }));
  d.xdo("mouseup 3");
  CHECK(collect(mfd, m, [&] { return m.rfind(mouse_msg(x, y, 0)) > m.find(mouse_msg(x, y, 4)); }));

  Proc kbd({GRIO_BINARY, "9p", "-a", d.addr, "read", "/wsys/1/kbd"}, "/dev/null", &kfd);
  std::string k;
  // Shift types nothing into cons: pressed until the reader hears it.
  REQUIRE(collect(kfd, k, [&] {
    d.xdo("key shift");
    return k.find(std::string("K\0", 2)) != std::string::npos;
  }));
  d.xdo("type xyz");
  // Each key: k with it down, c with what it types, K with it up.
  auto at = [&](const char* msg) { return k.find(std::string(msg, 3)); };
  CHECK(collect(kfd, k, [&] { return at("cz") != std::string::npos; }));
  CHECK(at("kx") < at("cx"));
  CHECK(at("cx") < at("cy"));
  CHECK(at("cy") < at("cz"));
  CHECK(d.text(1).find("xyz") == std::string::npos);  // cons had none of them
}
// Issue 14 item 1: with bash, whose readline turns tty echo off, keys
// typed after a click in the output went to bash and showed at the end,
// the cursor left where the click put it. As in rio, they go in at the
// cursor; at the end of the text they go to bash.
TEST_CASE("typing after a click in a bash window's output goes in where the cursor is", "[desktop]") {
  Desk d;
  // -cd: sh() runs in a directory of its own, gone when it returns.
  REQUIRE(d.sh(std::string(GRIO_BINARY) + " window -cd " + d.tmp_.path.string() +
               " -r 100 100 700 500 bash --norc --noprofile").status == 0);
  REQUIRE(eventually([&] { return d.text(2).find("# ") != std::string::npos || d.text(2).find("$ ") != std::string::npos; }));
  d.xdo("mousemove 300 200 click 1 type --delay 20 \"echo one\"");
  d.xdo("key Return");
  REQUIRE(eventually([&] { return d.text(2).find("one\none\n") != std::string::npos; }));
  auto f = default_font();
  auto t = text_rect(rect(100, 100, 700, 500));
  // Between the o and the ne of bash's output, on the second row.
  std::string at = std::to_string(t.min.x + f->width() + 2) + " " + std::to_string(t.min.y + f->height() * 3 / 2);
  d.xdo("mousemove " + at + " click 1");
  d.xdo("type --delay 20 XY");
  INFO(d.text(2));
  CHECK(eventually([&] { return d.text(2).find("\noXYne\n") != std::string::npos; }));
  std::string text = d.text(2);
  CHECK(text.substr(text.size() - 2) != "XY");  // bash did not get them
}

// Issue 14 item 3: pasted before any key was typed, the text showed in the
// hub window and then again as the session's echo: `echo fooecho foo`.
TEST_CASE("a paste into a hub window shows once", "[desktop]") {
  Desk d;
  hub_window(d);
  REQUIRE(eventually([&] { return d.text(2).find("# ") != std::string::npos || d.text(2).find("$ ") != std::string::npos; }));
  REQUIRE(d.p9("write /snarf", "echo pasted-$((6*7))").status == 0);
  d.xdo("mousemove 900 600 mousedown 2");
  d.xdo("mousemove " + item(900, 600, 1, std::exchange(d.menu2_last, 1)) + " sleep 0.1 mouseup 2");  // paste
  d.xdo("sleep 0.3 key Return");
  INFO(d.text(2));
  CHECK(eventually([&] { return d.text(2).find("pasted-42\n") != std::string::npos; }));
  std::string text = d.text(2);
  INFO(text);
  CHECK(count(text, "echo pasted-$((6*7))") == 1);
}

// Issue 14 item 2: in a hub window `%detach` showed only `h`, each key's
// echo erasing the line (a \r before it).
TEST_CASE("a % command typed into a hub window shows after the prompt as it is typed", "[desktop]") {
  Desk d;
  hub_window(d);
  std::string text;
  REQUIRE(eventually([&] {
    text = d.text(2);
    return text.ends_with("# ") || text.ends_with("$ ");
  }));
  std::string prompt = text.substr(text.size() - 2);
  d.xdo("mousemove 900 600 type --delay 30 %statx");
  d.xdo("key BackSpace type --delay 30 us");
  INFO(d.text(2));
  CHECK(eventually([&] { return d.text(2).ends_with("\n" + prompt + "%status"); }));
  d.xdo("key Return");
  CHECK(eventually([&] { return d.text(2).find("%status\nsession io running") != std::string::npos; }));
}

// Issue 14 item 4: SDL hears of a copy elsewhere only once grio has owned
// the clipboard; on a fresh desktop another program's copy was missed.
TEST_CASE("what another X program copies on a fresh desktop becomes snarf and is sent", "[desktop]") {
  Desk d;
  REQUIRE(eventually([&] { return !d.text(1).empty(); }));  // the shell's prompt
  d.start({"sh", "-c", "printf 'echo copied-$((6*7))' | xclip -quiet -selection clipboard"});
  CHECK(eventually([&] { return d.p9("read /snarf").out == "echo copied-$((6*7))"; }));
  d.xdo("mousemove 300 200 mousedown 2");
  // send: snarf as typed, with a newline (a paste is selected, and the
  // Return typed next would replace it, as in rio).
  d.xdo("mousemove " + item(300, 200, 4, std::exchange(d.menu2_last, 4)) + " sleep 0.1 mouseup 2");
  INFO(d.text(1));
  CHECK(eventually([&] { return d.text(1).find("copied-42\n") != std::string::npos; }));
  // And a later copy by another program too, after grio has owned the
  // clipboard (snarf went there) and lost it again.
  REQUIRE(d.p9("write /snarf", "mine").status == 0);
  CHECK(eventually([&] { return d.sh("xclip -o -selection clipboard").out == "mine"; }));
  d.start({"sh", "-c", "printf again | xclip -quiet -selection clipboard"});
  CHECK(eventually([&] { return d.p9("read /snarf").out == "again"; }));
}

// The mouse, cursor and kbd files of a window, through 9P, headless: the
// window system's own calls stand in for the desktop's events.
#include "tests/wsys/served_wsys.h"

using namespace grio;
using namespace grio::test;
using wsys::Point;

namespace {

// Tversion, then an attach of fid 0 with aname.
void hello(Wire& w, const std::string& aname) {
  w.rpc<Rversion>(NOTAG, Tversion{8192, "9P2000"});
  w.rpc<Rattach>(1, Tattach{0, NOFID, "tester", aname});
}

// Window 1's attach, and a second window's beside it.
const std::string First = "new -r 10 20 410 320", Second = "new -r 500 20 900 320";

std::string read(Wire& w, uint32_t fid, uint32_t count = 8000) { return w.rpc<Rread>(4, Tread{fid, 0, count}).data; }

// Opens fid 1 on name (ORDWR); a second open of it, on fid 2, is refused.
void open_alone(Wire& w, const std::string& name) {
  open_at(w, 1, {name}, ORDWR);
  w.rpc<Rwalk>(2, Twalk{0, 2, {name}});
  CHECK(w.fails(3, Topen{2, OREAD}) == err::inuse);
}

// rio's 49-byte mouse message.
std::string msg(char c, int x, int y, int buttons, unsigned msec) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%c%11d %11d %11d %11u ", c, x, y, buttons, msec);
  return buf;
}

// A mouse event for window id, as the desktop's controller sends it.
void mouse(Wsys& s, int id, int x, int y, int buttons, uint32_t msec) {
  s.on_io([&] {
    s.world().ws.mouse(*s.world().ws.live(id), Point{x, y}, buttons, msec);
    return 0;
  });
}

// Mouse reads parked on window id (on the io thread).
size_t parked_mouse_reads(Wsys& s, int id) { return s.world().ws.live(id)->mouse.reads.size(); }

}  // namespace

TEST_CASE("mouse: exclusive and a read waits for the window's next event and gives rio's 49 bytes", "[wsys][mouse]") {
  Wsys s;
  auto w = s.connect();
  hello(w, First);
  open_alone(w, "mouse");
  w.send(40, Tread{1, 0, 100});
  REQUIRE(s.eventually([&] { return parked_mouse_reads(s, 1) == 1; }));
  mouse(s, 1, 100, 200, 1, 1234);
  auto f = w.recv();
  CHECK(f.tag == 40);
  CHECK(std::get<Rread>(f.msg).data == msg('m', 100, 200, 1, 1234));
  CHECK(msg('m', 100, 200, 1, 1234).size() == 49);
  // Motion with the same buttons is coalesced: a read gets the latest.
  mouse(s, 1, 101, 200, 1, 1240);
  mouse(s, 1, 102, 201, 1, 1250);
  CHECK(read(w, 1) == msg('m', 102, 201, 1, 1250));
  // Button changes are queued and read in order, whatever came after.
  mouse(s, 1, 103, 202, 0, 1260);
  mouse(s, 1, 104, 203, 4, 1270);
  mouse(s, 1, 105, 204, 4, 1280);
  CHECK(read(w, 1) == msg('m', 103, 202, 0, 1260));
  CHECK(read(w, 1) == msg('m', 104, 203, 4, 1270));
  CHECK(read(w, 1) == msg('m', 105, 204, 4, 1280));
  // A short read gets the message's first bytes.
  mouse(s, 1, 106, 205, 4, 1290);
  CHECK(read(w, 1, 12) == msg('m', 106, 205, 4, 1290).substr(0, 12));
  // Closing frees it for the next program.
  w.rpc<Rclunk>(5, Tclunk{1});
  w.rpc<Ropen>(3, Topen{2, OREAD});
}

TEST_CASE("mouse: sixteen button changes unread drop the whole queue", "[wsys][mouse]") {
  Wsys s;
  auto w = s.connect();
  hello(w, First);
  open_at(w, 1, {"mouse"}, OREAD);
  for (int i = 0; i < 15; i++) mouse(s, 1, i, 0, i % 2, 100 + i);
  CHECK(read(w, 1) == msg('m', 0, 0, 0, 100));  // 15 fit: the oldest comes first
  for (int i = 0; i < 14; i++) read(w, 1);
  for (int i = 0; i < 16; i++) mouse(s, 1, i, 50, (i + 1) % 2, 200 + i);
  CHECK(read(w, 1) == msg('m', 15, 50, 0, 215));  // the 16th dropped them: the state now
}

TEST_CASE("mouse: a reshape reads as r and Tflush cancels a parked read and close gives the text back", "[wsys][mouse]") {
  Wsys s;
  auto w = s.connect();
  hello(w, First);
  open_at(w, 1, {"mouse"}, OREAD);
  open_at(w, 2, {"wctl"}, OWRITE);
  w.rpc<Rwrite>(5, Twrite{2, 0, "move -minx 30"});
  CHECK(read(w, 1).substr(0, 1) == "r");
  mouse(s, 1, 40, 50, 0, 7);
  CHECK(read(w, 1) == msg('m', 40, 50, 0, 7));  // r once only
  w.send(40, Tread{1, 0, 100});
  REQUIRE(s.eventually([&] { return parked_mouse_reads(s, 1) == 1; }));
  w.rpc<Rflush>(41, Tflush{40});
  CHECK(s.on_io([&] { return parked_mouse_reads(s, 1); }) == 0);
  mouse(s, 1, 41, 50, 0, 8);
  CHECK(read(w, 1) == msg('m', 41, 50, 0, 8));  // the flushed read took nothing
  // While open, output always scrolls (noscroll never holds a writer back).
  w.rpc<Rwrite>(5, Twrite{2, 0, "noscroll"});
  CHECK(s.on_io([&] { return s.world().ws.output_blocked(*s.world().ws.live(1)); }) == false);
  w.rpc<Rclunk>(5, Tclunk{1});
  CHECK(s.on_io([&] { return s.world().ws.live(1)->mouse.open; }) == false);
  // A reshape while closed is not news to the next opener.
  w.rpc<Rwrite>(5, Twrite{2, 0, "move -minx 40"});
  open_at(w, 1, {"mouse"}, OREAD);
  CHECK(read(w, 1) == msg('m', 41, 50, 0, 8));
}

TEST_CASE("mouse: m x y warps within the current window and anything else is a bad format", "[wsys][mouse]") {
  Wsys s;
  auto w = s.connect();
  hello(w, First);
  open_at(w, 1, {"mouse"}, ORDWR);
  CHECK(w.fails(5, Twrite{1, 0, "x 1 2"}) == "bad format on /dev/mouse");
  CHECK(w.fails(5, Twrite{1, 0, ""}) == "bad format on /dev/mouse");
  // The pointer is not in the window: nothing moves.
  w.rpc<Rwrite>(5, Twrite{1, 0, "m100 100"});
  CHECK(s.on_io([&] { return s.world().ws.pointer; }) == Point{0, 0});
  s.on_io([&] { return s.world().ws.pointer = Point{200, 200}; });
  // Numbers as strtoul reads them (0x: hex); a point outside the window is refused.
  w.rpc<Rwrite>(5, Twrite{1, 0, "m1000 100"});
  CHECK(s.on_io([&] { return s.world().ws.pointer; }) == Point{200, 200});
  CHECK(w.rpc<Rwrite>(5, Twrite{1, 0, "m0x40 100"}).count == 9);
  CHECK(read(w, 1) == msg('m', 64, 100, 0, 0));
  CHECK(s.on_io([&] { return s.world().ws.pointer; }) == Point{64, 100});
  // A window that is not current ignores writes, bad ones too.
  auto other = s.connect();
  hello(other, Second);
  CHECK(w.rpc<Rwrite>(5, Twrite{1, 0, "junk"}).count == 4);
}

TEST_CASE("cursor: 72 bytes set the window's cursor and less or closing restores the arrow", "[wsys][cursor]") {
  Wsys s;
  auto w = s.connect();
  hello(w, First);
  open_at(w, 1, {"cursor"}, ORDWR);
  CHECK(w.fails(4, Tread{1, 0, 100}) == "cursor read not implemented");
  std::string c = {'\xff', '\xff', '\xff', '\xf9', 0, 0, 0, 2};  // offset -7, 2
  for (int i = 0; i < 32; i++) c += char(i);
  for (int i = 0; i < 32; i++) c += char(0x80 | i);
  w.rpc<Rwrite>(5, Twrite{1, 0, c});
  auto k = s.on_io([&] { return s.world().ws.live(1)->cursor; });
  REQUIRE(k);
  CHECK(k->offset == Point{-7, 2});
  CHECK(k->clr[31] == 31);
  CHECK(k->set[0] == 0x80);
  CHECK(k->set[31] == (0x80 | 31));
  w.rpc<Rwrite>(5, Twrite{1, 0, c.substr(0, 71)});
  CHECK_FALSE(s.on_io([&] { return s.world().ws.live(1)->cursor.has_value(); }));
  w.rpc<Rwrite>(5, Twrite{1, 0, c});
  CHECK(s.on_io([&] { return s.world().ws.live(1)->cursor.has_value(); }));
  w.rpc<Rclunk>(5, Tclunk{1});
  CHECK_FALSE(s.on_io([&] { return s.world().ws.live(1)->cursor.has_value(); }));
}

TEST_CASE("kbd: exclusive and typed keys come as kbdfs messages instead of reaching cons", "[wsys][kbd]") {
  Wsys s;
  auto w = s.connect();
  hello(w, First);
  open_alone(w, "kbd");
  CHECK(w.fails(5, Twrite{1, 0, "k"}) == "unknown qid in write");
  w.send(40, Tread{1, 0, 100});
  REQUIRE(s.eventually([&] { return s.world().ws.live(1)->kbd.reads.size() == 1; }));
  s.on_io([&] {
    auto& ws = s.world().ws;
    ws.key_state(*ws.live(1), "k\xef\x80\x96" "a");  // Kshift and a held
    ws.type(1, U"A\u00e9\n");
    ws.key_state(*ws.live(1), "K\xef\x80\x96");
    return 0;
  });
  auto f = w.recv();
  CHECK(f.tag == 40);
  CHECK(std::get<Rread>(f.msg).data == std::string("k\xef\x80\x96" "a", 5) + '\0');
  // As many whole messages as fit; none if the first does not.
  CHECK(read(w, 1, 3) == std::string("cA\0", 3));
  CHECK(read(w, 1, 2) == "");
  CHECK(read(w, 1) == std::string("c\xc3\xa9\0c\n\0K\xef\x80\x96\0", 12));
  CHECK(s.on_io([&] { return s.world().ws.live(1)->text.text(); }) == "");
  // Losing the focus says no key is down.
  auto other = s.connect();
  hello(other, Second);
  CHECK(read(w, 1) == std::string("K\0", 2));
  // At most 32 wait; the rest are dropped.
  s.on_io([&] {
    for (int i = 0; i < 40; i++) s.world().ws.key_state(*s.world().ws.live(1), "K");
    return 0;
  });
  CHECK(read(w, 1).size() == 32 * 2);
  // Closed, the keys are cons's again.
  w.rpc<Rclunk>(5, Tclunk{1});
  s.on_io([&] {
    s.world().ws.type(1, U"hi");
    return 0;
  });
  CHECK(s.on_io([&] { return s.world().ws.live(1)->text.text(); }) == "hi");
}

TEST_CASE("crop_pixels copies what lies on the screen and makes the rest black", "[wsys]") {
  // A 3x2 screen whose pixel (x, y) is four bytes of 'a' + 3y + x.
  std::string px;
  for (int y = 0; y < 2; y++)
    for (int x = 0; x < 3; x++) px += std::string(4, char('a' + 3 * y + x));
  auto pixel = [](char c) { return std::string(4, c); };
  std::string black = pixel('\0');
  grio::wsys::Rect screen = grio::wsys::rect(0, 0, 3, 2);
  CHECK(grio::wsys::crop_pixels(px, screen, grio::wsys::rect(1, 0, 3, 2)) == pixel('b') + pixel('c') + pixel('e') + pixel('f'));
  // Hanging over the left and top edges, and past the right one.
  CHECK(grio::wsys::crop_pixels(px, screen, grio::wsys::rect(-1, -1, 4, 1)) ==
        black + black + black + black + black + black + pixel('a') + pixel('b') + pixel('c') + black);
  // Wholly off the screen, and empty.
  CHECK(grio::wsys::crop_pixels(px, screen, grio::wsys::rect(5, 0, 7, 1)) == black + black);
  CHECK(grio::wsys::crop_pixels(px, screen, grio::wsys::rect(1, 1, 1, 2)).empty());
}

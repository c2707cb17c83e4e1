// VT windows on the desktop, in process without SDL: button 3's VT item,
// keys with modifiers as xterm sends them, the wheel through the
// scrollback, mouse reports to a program that asked, styled scene rows.
#include <catch2/catch.hpp>

#include "tests/desktop/controller_setup.h"

using namespace grio::wsys;
using namespace grio::wsys;

using Setup = grio::test::ControllerSetup;
using grio::test::item_point;

namespace {

// Cell (row, col)'s left half in a window at (0, 0): the text starts 21 px in, 5 down.
Point cell(int row, int col) { return Point{21 + col * 8 + 1, 5 + row * 16 + 2}; }

// Snarf through button 2's menu, opened in window `at`; what snarf holds then.
std::string snarf(Setup& s, Point at) {
  s.mouse(at, 2);
  REQUIRE(s.last->menu);
  SceneMenu m = *s.last->menu;
  REQUIRE(m.items[2] == "snarf");
  s.mouse(item_point(m, 2), 2);
  s.mouse(item_point(m, 2), 0);
  return s.top.ws().snarf;
}

}  // namespace

TEST_CASE("VT in button 3's menu sweeps a VT window running the shell", "[desktop][vt]") {
  Setup s;
  s.mouse(Point{900, 600}, 4);
  REQUIRE(s.last);
  REQUIRE(s.last->menu);
  SceneMenu m = *s.last->menu;
  REQUIRE(m.items[0] == "New");
  REQUIRE(m.items[1] == "VT");
  s.mouse(item_point(m, 1), 4);
  s.mouse(item_point(m, 1), 0);
  s.mouse(Point{100, 100}, 4);
  s.mouse(Point{700, 500}, 4);
  s.mouse(Point{700, 500}, 0);
  REQUIRE(s.top.ws().ids().size() == 1);
  Window* w = s.top.ws().live(s.top.ws().ids()[0]);
  REQUIRE(w->vt);
  CHECK(w->rect == rect(100, 100, 700, 500));
  REQUIRE(s.until([&] { return s.shown(w->id) && s.shown(w->id)->vt; }));
}

TEST_CASE("keys reach a VT window's program as xterm sends them, Alt as an ESC prefix", "[desktop][vt]") {
  Setup s;
  Window& w = s.make("new -vt -r 0 0 666 394 sh -c 'stty -icanon -echo; echo ready; exec cat -v'");
  int id = w.id;
  REQUIRE(s.top.ws().current() == id);
  // Keys typed before stty ran would be the tty's echo, and a ^C before the
  // shell had the tty would reach no process: wait for the program.
  REQUIRE(s.until([&] { return s.rows(id).starts_with("ready\n"); }));
  s.c->press({0, grio::term::VtKey::Up});
  s.c->keys(U"x", grio::term::ModAlt);
  s.c->press({0, grio::term::VtKey::Function, 5});
  // cat -v shows what came: ESC as ^[.
  bool shown = s.until([&] { return s.rows(id).find("^[[A^[x^[[15~") != std::string::npos; });
  INFO(s.rows(id));
  CHECK(shown);
  s.c->press({0x03, grio::term::VtKey::None, 0, grio::term::ModCtrl});  // ^C: the tty's interrupt
  bool ended = s.until([&] { return !s.top.ws().live(id); });
  INFO(s.rows(id));
  CHECK(ended);
}

TEST_CASE("the wheel moves a VT window's view through its scrollback, and typing brings the live screen back", "[desktop][vt]") {
  Setup s;
  Window& w = s.make("new -vt -r 0 0 666 394 sh -c 'seq 1 100; exec cat'");
  int id = w.id;
  REQUIRE(s.until([&] { return s.rows(id).find("\n100\n") != std::string::npos; }));
  const SceneWindow* sw = s.shown(id);
  size_t org = sw->org;
  CHECK(sw->size == org + 24);
  s.mouse(Point{300, 200}, 8);  // wheel up: back 3 lines
  s.mouse(Point{300, 200}, 0);
  REQUIRE(s.until([&] { return s.shown(id)->org == org - 3; }));
  CHECK(s.rows(id).find("\n97\n") != std::string::npos);
  CHECK(s.rows(id).find("\n100\n") == std::string::npos);
  CHECK(s.shown(id)->cursor_row < 0);  // no cursor while looking back
  s.c->keys(U"z");
  // The view is live at once; the tty's echo of z comes later, and output
  // (in scroll mode) brings the live screen back too: it must be in before
  // the next turn, or it would undo it.
  REQUIRE(s.until([&] { return s.shown(id)->org == org && s.rows(id).find("\n100\nz") != std::string::npos; }));
  // With Shift, a line a turn, as 9term's.
  s.c->mouse(MouseState{Point{300, 200}, 8, s.msec += 10, grio::term::ModShift});
  s.mouse(Point{300, 200}, 0);
  REQUIRE(s.until([&] { return s.shown(id)->org == org - 1; }));
  CHECK(s.rows(id).find("\n100\n") != std::string::npos);  // still on the last row
}

TEST_CASE("a program that asked for the mouse gets button 1 as an SGR report, button 3 stays rio's", "[desktop][vt]") {
  Setup s;
  Window& w = s.make("new -vt -r 0 0 666 394 sh -c 'printf \"\\033[?1000h\\033[?1006h\"; stty -icanon -echo; cat -v'");
  int id = w.id;
  REQUIRE(s.until([&] { return s.top.ws().live(id)->vt->wants_mouse(); }));
  // The text starts 21 px in from the left, 5 down: cell (2, 3) is at 21+3*8, 5+2*16.
  Point cell{21 + 3 * 8 + 2, 5 + 2 * 16 + 2};
  s.mouse(cell, 1);
  s.mouse(cell, 0);
  REQUIRE(s.until([&] { return s.rows(id).find("^[[<0;4;3M^[[<0;4;3m") != std::string::npos; }));
  s.mouse(cell, 4);
  CHECK(s.last->menu);
  s.mouse(cell, 0);
}

TEST_CASE("a VT window's scene rows carry the program's colours and attributes", "[desktop][vt]") {
  Setup s;
  Window& w = s.make("new -vt -r 0 0 666 394 sh -c 'printf \"\\033[31mred\\033[0m \\033[1;44mbold on blue\\033[0m\"; exec cat'");
  int id = w.id;
  REQUIRE(s.until([&] { return s.rows(id).starts_with("red bold on blue"); }));
  const SceneRow& row = s.shown(id)->rows[0];
  REQUIRE(row.styles.size() >= 3);
  CHECK(row.styles[0].cells == 3);
  CHECK(row.styles[0].style.fg != grio::term::Ink);
  CHECK(row.styles[1].cells == 1);
  CHECK(row.styles[1].style == grio::term::Style{});
  CHECK(row.styles[2].cells == 12);
  CHECK(row.styles[2].style.bold);
  CHECK(row.styles[2].style.bg != grio::term::Paper);
}

TEST_CASE("button 1 sweeps a selection over a VT window's cells, button 2's snarf takes its text", "[desktop][vt]") {
  Setup s;
  Window& w = s.make("new -vt -r 0 0 666 394 sh -c 'printf \"\\n\\n\\n\\n\\nalpha beta\\ngamma delta\\n\"; exec cat'");
  int id = w.id;
  REQUIRE(s.until([&] { return s.rows(id).starts_with("\n\n\n\n\nalpha beta\ngamma delta\n"); }));
  s.mouse(cell(5, 6), 1);
  s.mouse(cell(6, 5), 1);
  s.mouse(cell(6, 5), 0);
  REQUIRE(s.until([&] { return s.shown(id)->rows[6].sel1 == 5; }));
  CHECK(s.shown(id)->rows[5].sel0 == 6);
  CHECK(s.shown(id)->rows[5].sel1 > 10);
  CHECK(s.shown(id)->rows[7].sel1 == 0);
  CHECK(snarf(s, cell(20, 20)) == "beta\ngamma");
  // Output that scrolls the screen keeps the selection on its text.
  for (int i = 0; i < 10; i++) s.c->keys(U"x\n");
  REQUIRE(s.until([&] { return s.rows(id).find("alpha beta") < s.rows(id).find("\n\n\n\n"); }));
  const SceneWindow* sw = s.shown(id);
  int at = -1;
  for (int r = 0; r < int(sw->rows.size()); r++)
    if (sw->rows[size_t(r)].cells.starts_with(U"alpha beta")) at = r;
  REQUIRE(at >= 0);
  CHECK(at < 5);
  CHECK(sw->rows[size_t(at)].sel0 == 6);
  CHECK(sw->rows[size_t(at) + 1].sel1 == 5);
}

TEST_CASE("a double click with button 1 selects a word or a bracket's contents in a VT window", "[desktop][vt]") {
  Setup s;
  Window& w = s.make("new -vt -r 0 0 666 394 sh -c 'printf \"say alpha_1+beta (in side)\\n\"; exec cat'");
  int id = w.id;
  REQUIRE(s.until([&] { return s.rows(id).starts_with("say alpha_1+beta (in side)\n"); }));
  s.click(cell(0, 6), 1);
  s.click(cell(0, 6), 1);
  REQUIRE(s.until([&] { return s.shown(id)->rows[0].sel1 == 11; }));
  CHECK(s.shown(id)->rows[0].sel0 == 4);
  CHECK(snarf(s, cell(20, 20)) == "alpha_1");
  s.click(cell(0, 18), 1);  // just after (
  s.click(cell(0, 18), 1);
  CHECK(snarf(s, cell(20, 20)) == "in side");
  // Two clicks at different cells are two single clicks.
  s.click(cell(0, 6), 1);
  s.click(cell(0, 13), 1);
  CHECK(s.shown(id)->rows[0].sel0 == s.shown(id)->rows[0].sel1);
}

// VT windows on the real desktop under Xvfb: the colours a program asks
// for show at its cells, and vi's screen shows and goes.
#include <catch2/catch.hpp>

#include <fstream>

#include "fonts/font.h"
#include "term/vt_screen.h"
#include "term/width.h"
#include "tests/desktop/desk.h"

using namespace grio::test;

namespace {

std::unique_ptr<grio::fonts::Font> default_font() {
  std::string err;
  auto f = grio::fonts::Font::open(grio::fonts::FontSpec{"monospace", 10, 96, grio::term::cell_width}, err);
  REQUIRE(f);
  return f;
}

// The window at (x0, y0): its text starts 21 px in and 5 down (rio's
// geometry); the centre of cell (row, col).
struct Cells {
  int x0, y0, fw, fh;
  int x(int col) const { return x0 + 21 + col * fw + fw / 2; }
  int y(int row) const { return y0 + 5 + row * fh + fh / 2; }
};

// What the colour script prints, as the window's pty hands it on (ONLCR).
std::string colour_bytes() {
  std::string out;
  char buf[32];
  for (int i = 0; i < 16; i++) out += (std::snprintf(buf, sizeof buf, "\x1b[48;5;%dm  ", i), buf);
  out += "\x1b[0m\r\n";
  for (int i = 16; i < 256; i++) out += (std::snprintf(buf, sizeof buf, "\x1b[48;5;%dm ", i), buf);
  out += "\x1b[0m\r\n";
  return out;
}

}  // namespace

TEST_CASE("a VT window shows the 16 basic colours and the 256-colour ramp at their cells", "[desktop][vt]") {
  Desk d;
  // Commands run elsewhere: paths are absolute.
  std::string script = (std::filesystem::current_path() / "colours.sh").string();
  std::ofstream(script) << "i=0; while [ $i -lt 16 ]; do printf '\\033[48;5;%dm  ' $i; i=$((i+1)); done; printf '\\033[0m\\n'\n"
                                 "i=16; while [ $i -lt 256 ]; do printf '\\033[48;5;%dm ' $i; i=$((i+1)); done; printf '\\033[0m\\n'\n"
                                 "exec sleep 60\n";
  REQUIRE(d.sh(std::string(GRIO_BINARY) + " window -vt -r 100 100 900 500 sh " + script).status == 0);
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n"; }));
  auto f = default_font();
  Cells at{100, 100, f->width(), f->height()};
  int cols = (800 - 26) / f->width(), rows = (400 - 10) / f->height();
  // What each cell should be: the terminal model's answer for the same bytes.
  grio::term::VtScreen model(rows, cols);
  model.write(colour_bytes());
  int coloured = 0, wrong = 0;
  std::string first_wrong;
  Shot s;
  auto check = [&] {
    s = d.shot();
    coloured = wrong = 0;
    first_wrong.clear();
    for (int r = 0; r < 6; r++) {
      int col = 0;
      for (auto& run : model.row(r).styles) {
        for (int k = 0; k < run.cells; k++, col++) {
          if (run.style.bg == grio::term::Paper) continue;
          coloured++;
          uint32_t got = s.at(at.x(col), at.y(r));
          if (got == run.style.bg) continue;
          if (wrong++ == 0) first_wrong = std::to_string(r) + "," + std::to_string(col);
        }
      }
    }
    return coloured == 16 * 2 + 240 && wrong == 0;
  };
  bool ok = eventually(check);
  if (!ok) save_ppm(s, "/tmp/grio_vt_colours_failed.ppm");
  INFO("coloured " << coloured << ", wrong " << wrong << ", first wrong cell " << first_wrong
                   << " (the screen: /tmp/grio_vt_colours_failed.ppm)");
  CHECK(ok);
}

TEST_CASE("vi in a VT window shows its screen, legible, and leaves the alternate screen when it exits", "[desktop][vt]") {
  Desk d;
  std::string note = (std::filesystem::current_path() / "note.txt").string();
  std::ofstream(note) << "hello vt\n";
  REQUIRE(d.sh(std::string(GRIO_BINARY) + " window -vt -r 100 100 900 500 sh -c \"echo before-vi; vi " + note +
               "; echo after-vi; exec sleep 60\"")
              .status == 0);
  REQUIRE(eventually([&] { return d.ids() == "1\n2\n"; }));
  REQUIRE(eventually([&] {
    auto t = d.text(2);
    return t.find("hello vt\n~") != std::string::npos && t.find("note.txt\"") != std::string::npos;
  }));
  CHECK(d.text(2).find("before-vi") == std::string::npos);  // the alternate screen hides it
  auto f = default_font();
  Cells at{100, 100, f->width(), f->height()};
  // Ink where "hello vt" is, in row 0; none right of the ~ in row 3.
  auto ink_in = [&](const Shot& s, int row, int col0, int col1) {
    int n = 0;
    for (int y = at.y(row) - at.fh / 2; y < at.y(row) + at.fh / 2; y++)
      for (int x = at.x(col0) - at.fw / 2; x < at.x(col1) - at.fw / 2; x++)
        if ((s.at(x, y) & 0xFF) < 0x80) n++;
    return n;
  };
  CHECK(eventually([&] {
    Shot s = d.shot();
    return ink_in(s, 0, 0, 8) > 20 && ink_in(s, 3, 2, 40) == 0;
  }));
  REQUIRE(d.p9("write /wsys/2/cons", ":q\r").status == 0);
  REQUIRE(eventually([&] { return d.text(2).find("after-vi") != std::string::npos; }));
  auto t = d.text(2);
  CHECK(t.find("before-vi\n") != std::string::npos);
  CHECK(t.find("hello vt") == std::string::npos);
  CHECK(t.find("~\n") == std::string::npos);
}

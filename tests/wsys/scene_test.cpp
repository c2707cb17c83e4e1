// scene_window(): what a window's scene holds.
#include <catch2/catch.hpp>

#include "term/layout.h"
#include "wsys/scene.h"
#include "wsys/window.h"

using namespace grio::wsys;

TEST_CASE("a scene of a huge text holds only its visible rows", "[wsys]") {
  Window w(1);
  w.rect = rect(0, 0, 400, 300);
  std::string big;
  for (int i = 0; i < 100000; i++) big += "line " + std::to_string(i) + "\n";
  w.text.write(w.shell_output, big);
  Metrics m;
  Rect t = text_rect(w.rect);
  size_t cols = size_t(t.dx() / m.font_w), rows = size_t(t.dy() / m.font_h);
  w.text.set_org(grio::term::org_showing_end(w.text.runes(), 0, cols, rows));
  auto s = scene_window(w, true, m);
  REQUIRE(s->rows.size() == rows);
  size_t cells = 0;
  for (auto& r : s->rows) cells += r.cells.size();
  CHECK(cells <= cols * rows);
  // The end of the text, on the rows above the cursor's empty last row.
  for (size_t i = 0; i + 1 < rows; i++) {
    std::string line = "line " + std::to_string(100000 - (rows - 1) + i);
    CHECK(std::string(s->rows[i].cells.begin(), s->rows[i].cells.end()) == line);
  }
  CHECK(s->rows.back().cells.empty());
  CHECK(s->end == w.text.size());
  CHECK(s->size == w.text.size());
}

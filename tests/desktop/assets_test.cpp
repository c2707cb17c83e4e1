// assets/: rio's colours and the cursors, read at start, and every way a
// file there can be wrong said with its file and line.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/desktop/desk.h"
#include "wsys/desktop/assets.h"

using namespace grio::test;
using namespace grio::wsys::desktop;
namespace fs = std::filesystem;

namespace {

const std::string source_assets = std::string(GRIO_SOURCE_DIR) + "/assets";

// A copy of the source tree's assets whose colours file is colours.
struct Copy {
  TempDir dir;
  explicit Copy(const std::string& colours = "") {
    fs::copy(source_assets, dir.path, fs::copy_options::recursive);
    if (!colours.empty()) std::ofstream(dir.path / "colours") << colours;
  }
  std::string error() {
    std::string why;
    CHECK_FALSE(load_assets(dir.path.string(), why));
    return why;
  }
};

bool black(const grio::wsys::Cursor& k, int x, int y) { return k.set[y * 2 + x / 8] & (0x80 >> (x % 8)); }

}  // namespace

TEST_CASE("assets: rio's colours and the cursors are read from assets/", "[desktop][assets]") {
  std::string why;
  auto a = load_assets(source_assets, why);
  INFO(why);
  REQUIRE(a);
  CHECK(a->normal.background == 0x777777);
  CHECK(a->normal.border == 0x55AAAA);
  CHECK(a->normal.border_unfocused == 0x9EEEEE);
  CHECK(a->normal.hold == 0x000099);
  CHECK(a->normal.foreign == 0xFF8C00);
  CHECK(a->reversed.text_bg == 0x000000);
  CHECK(a->reversed.border == 0x8888CC);
  CHECK(a->reversed.background == 0x777777);  // not reversed: kept
  CHECK(a->cross.offset == grio::wsys::Point{-7, -7});
  CHECK(black(a->cross, 7, 7));
  CHECK_FALSE(black(a->cross, 0, 0));
  CHECK(a->arrow.offset == grio::wsys::Point{0, 0});
  CHECK(black(a->arrow, 0, 0));
}

TEST_CASE("assets: a wrong or missing file is refused with its file and line", "[desktop][assets]") {
  CHECK(Copy("background 77777\n").error().ends_with("colours:1: bad colour 'background 77777': NAME RRGGBB"));
  CHECK(Copy("# a comment\nmauve 777777\n").error().ends_with("colours:2: unknown colour 'mauve'"));
  CHECK(Copy("background 777777\n").error().ends_with("colours: no colour border"));
  Copy bad_row;
  std::ofstream(bad_row.dir.path / "cursors" / "cross") << "hot 7 7\nXXXX\n";
  CHECK(bad_row.error().ends_with("cross:2: bad row: 16 of X o ."));
  Copy bad_hot;
  std::ofstream(bad_hot.dir.path / "cursors" / "sight") << "hot 16 0\n";
  CHECK(bad_hot.error().ends_with("sight:1: bad hot spot: hot X Y, 0 to 15"));
  Copy gone;
  fs::remove(gone.dir.path / "cursors" / "arrow");
  CHECK(gone.error().ends_with("arrow: cannot read it"));
}

TEST_CASE("assets: the desktop draws with the colours it read at start", "[desktop][assets]") {
  Copy teal;
  std::string colours;
  {
    std::ifstream in(teal.dir.path / "colours");
    for (std::string line; std::getline(in, line);)
      colours += (line.starts_with("background ") ? "background 123456" : line) + "\n";
  }
  std::ofstream(teal.dir.path / "colours") << colours;
  ::setenv("GRIO_ASSETS", teal.dir.path.c_str(), 1);
  Desk d;
  ::unsetenv("GRIO_ASSETS");
  CHECK(eventually([&] { return d.shot().at(1270, 790) == 0x123456; }));
  CHECK(d.shot().at(34, 200) == 0x55AAAA);  // the first window's border, as assets/colours has it
}

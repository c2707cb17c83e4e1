// The desktop's weight: with no GPU it draws without loading OpenGL; its
// glyph atlas starts small and the renderer follows it as it grows.
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "fonts/font.h"
#include "term/decode.h"
#include "term/width.h"
#include "tests/desktop/desk.h"
#include "wsys/scene.h"

using namespace grio::test;

namespace {

// The OpenGL libraries (libglvnd's and Mesa's) and DRI drivers mapped in
// process pid.
std::set<std::string> gl_libraries(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::set<std::string> found;
  for (std::string line; std::getline(maps, line);) {
    auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    std::string name = std::filesystem::path(path).filename().string();
    if (name.starts_with("libGL") || name.starts_with("libEGL") || name.starts_with("libLLVM") ||
        name.starts_with("libglapi") || name.find("swrast") != std::string::npos ||
        name.find("_dri.so") != std::string::npos || path.find("/dri/") != std::string::npos)
      found.insert(path);
  }
  return found;
}

bool has_render_node() {
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator("/dev/dri", ec))
    if (e.path().filename().string().starts_with("renderD")) return true;
  return std::filesystem::exists("/dev/nvidiactl", ec);
}

// Every mapping in the listing, for the failure message.
std::string join(const std::set<std::string>& s) {
  std::string out;
  for (auto& p : s) out += p + "\n";
  return out;
}

// Fraction of the pixels at (x, y) matching text drawn black on white by
// the fonts module in grio's default font.
double text_match(const Shot& s, int x, int y, std::u32string_view text) {
  std::string err;
  auto f = grio::fonts::Font::open(grio::fonts::FontSpec{"monospace", 10, 96, grio::term::cell_width}, err);
  REQUIRE(f);
  grio::fonts::Bitmap b = f->render(text);
  int good = 0;
  for (int j = 0; j < b.h; j++)
    for (int i = 0; i < b.w; i++) good += std::abs(255 - b.at(i, j) - int(s.at(x + i, y + j) & 0xFF)) <= 40;
  return double(good) / (b.w * b.h);
}

}  // namespace

TEST_CASE("text drawn after the glyph atlas grew twice is as the fonts module draws it", "[desktop]") {
  // 1500 different CJK runes need more than a 512x512 atlas: it grows from
  // 256x256 to 1024x1024, and the renderer's texture with it.
  std::u32string cjk;
  for (char32_t r = 0x4E00; r < 0x4E00 + 1500; r++) cjk += r, cjk += (r - 0x4E00) % 60 == 59 ? U"\n" : U"";
  std::string text = grio::term::to_utf8(cjk) + "HELLO after the atlas grew";
  Desk d;
  d.start({GRIO_BINARY, "window", "-m", "-r", "0", "0", "1280", "800", "sh", "-c",
           "printf '%s' '" + text + "'; sleep 30"});
  REQUIRE(eventually([&] { return d.ids().find("2") != std::string::npos; }));
  std::string err;
  auto f = grio::fonts::Font::open(grio::fonts::FontSpec{"monospace", 10, 96, grio::term::cell_width}, err);
  REQUIRE(f);
  auto t = grio::wsys::text_rect(grio::wsys::rect(0, 0, 1280, 800));
  double match = 0;
  eventually([&] {
    match = text_match(d.shot(), t.min.x, t.min.y + 25 * f->height(), U"HELLO after the atlas grew");
    return match > 0.98;
  });
  CHECK(match > 0.98);
}

TEST_CASE("with no GPU the desktop draws without loading OpenGL", "[desktop]") {
  if (has_render_node()) {
    WARN("a DRI render node is here: the desktop may try OpenGL; only SDL_RENDER_DRIVER=software is checked");
    ::setenv("SDL_RENDER_DRIVER", "software", 1);
  }
  Desk d;  // its shell window drawn
  REQUIRE(eventually([&] { return !d.text(1).empty(); }));  // the shell's prompt
  d.xdo("mousemove 300 200 click 1 type --delay 20 \"echo drawn\"");
  d.xdo("key Return");  // and a frame more
  REQUIRE(eventually([&] { return d.text(1).find("echo drawn\ndrawn\n") != std::string::npos; }));
  ::unsetenv("SDL_RENDER_DRIVER");
  auto gl = gl_libraries(d.pid());
  INFO(join(gl));
  CHECK(gl.empty());
}

TEST_CASE("SDL_RENDER_DRIVER=software loads no OpenGL either", "[desktop]") {
  ::setenv("SDL_RENDER_DRIVER", "software", 1);
  Desk d;
  ::unsetenv("SDL_RENDER_DRIVER");
  auto gl = gl_libraries(d.pid());
  INFO(join(gl));
  CHECK(gl.empty());
}

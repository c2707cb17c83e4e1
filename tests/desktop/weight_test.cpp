// The desktop's weight: with no GPU it draws without loading OpenGL.
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "tests/desktop/desk.h"

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

}  // namespace

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

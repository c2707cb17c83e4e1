// What a sub-workspace costs, in process, each against its baseline in the
// same run:
//
//   create: an empty sub-workspace (its window system, tree, server and
//   socket) made by `new -sub NAME`, against a plain window with no
//   program (`new -pid 0`): wall time per creation, and VmRSS grown per
//   creation (30 of each, so that the allocator's noise averages out).
//
//   frames: the desktop's controller and SDL's software renderer (the path
//   the desktop takes without a GPU) drawing, frame after frame, 10
//   windows that each got a line of output since the last frame, into an
//   offscreen 1280x800 window: the 10 windows on the top level, against
//   the same 10 windows inside one sub-workspace whose host covers the
//   screen. A frame is counted from the output to the pixels presented;
//   p50 of 300 frames, three rounds alternating the two. Target: the
//   nested frame under 1.3x the flat one.
#include <SDL.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fonts/font.h"
#include "term/width.h"
#include "wsys/desktop/assets.h"
#include "wsys/controller.h"
#include "wsys/desktop/renderer.h"
#include "wsys/workspace.h"

using namespace grio;
using namespace grio::wsys;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "bench_sub: FAILED: %s\n", why.c_str());
  std::exit(1);
}

size_t vm_rss_kb() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6));
  return 0;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

void create_row() {
  char tmpl[] = "/tmp/grio-bench-sub-XXXXXX";
  if (!::mkdtemp(tmpl)) die("mkdtemp");
  asio::io_context io;
  WorkspaceConfig cfg;
  cfg.max_subs = 64;
  Workspace top(io, cfg);
  if (auto a = top.listen(std::string("unix!") + tmpl + "/wsys"); !a) die(a.error());
  constexpr int n = 30;
  auto make = [&](const std::string& msg, const char* suffix, double& us, double& kb) {
    size_t rss0 = vm_rss_kb();
    auto t0 = Clock::now();
    for (int i = 0; i < n; i++) {
      auto c = parse_wctl(msg + (suffix ? suffix + std::to_string(i) : std::string()));
      if (!c) die(c.error());
      if (auto w = top.ws().create(*c); !w) die(w.error());
    }
    us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / n;
    kb = double(vm_rss_kb() - rss0) / n;
  };
  double win_us, win_kb, sub_us, sub_kb;
  make("new -pid 0 -r 0 0 600 400", nullptr, win_us, win_kb);
  make("new -r 0 0 600 400 -sub ", "s", sub_us, sub_kb);
  std::printf("%-44s %10.1f %10.1f %-4s %6.2f\n", "create: empty sub-workspace vs plain window", sub_us, win_us, "us",
              sub_us / win_us);
  std::printf("%-44s %10.1f %10.1f %-4s %6.2f\n", "create: VmRSS grown per creation", sub_kb, win_kb, "KB",
              win_kb > 0 ? sub_kb / win_kb : 0.0);
  top.close();
  io.poll();
  std::filesystem::remove_all(tmpl);
}

// One desktop drawing frames of 10 windows, flat or nested in a host.
class Frames {
 public:
  Frames(SDL_Renderer* sdl, fonts::Font& font, const desktop::Palette& pal, bool nested)
      : top_(io_, config(font)), renderer_(sdl, font, pal), sdl_(sdl) {
    ControllerConfig cfg;
    cfg.metrics = Metrics{font.width(), font.height()};
    cfg.publish = [this](std::shared_ptr<const Scene> s) { scene_ = std::move(s); };
    controller_ = std::make_unique<Controller>(io_, top_.ws(), cfg);
    WindowSystem* ws = &top_.ws();
    if (nested) {
      make(*ws, "new -r 0 0 1280 800 -sub s");
      ws = &top_.find_sub("s")->ws();
    }
    for (int i = 0; i < 10; i++) {
      int x = (i % 5) * 250, y = (i / 5) * 390;
      ids_.push_back(make(*ws, "new -pid 1 -r " + std::to_string(x) + " " + std::to_string(y) + " " +
                                   std::to_string(x + 250) + " " + std::to_string(y + 390)));
    }
    ws_ = ws;
    frame(0);
  }
  ~Frames() {
    controller_.reset();
    top_.close();
    io_.poll();
  }
  // Output into every window, then the frame that shows it: microseconds.
  double frame(int n) {
    auto t0 = Clock::now();
    for (int id : ids_)
      ws_->output(*ws_->live(id), out_, "line " + std::to_string(n) + " of window " + std::to_string(id) + ", and more\n");
    scene_.reset();
    controller_->ready();
    for (int i = 0; i < 8; i++) io_.poll();  // the scene, and a nested one's first
    if (!scene_) die("no scene");
    renderer_.draw(*scene_);
    SDL_RenderPresent(sdl_);
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  }

 private:
  static WorkspaceConfig config(fonts::Font& font) {
    WorkspaceConfig c;
    c.wsys.screen = rect(0, 0, 1280, 800);
    c.wsys.font_width = font.width();
    c.wsys.font_height = font.height();
    return c;
  }
  static int make(WindowSystem& ws, const std::string& msg) {
    auto c = parse_wctl(msg);
    if (!c) die(c.error());
    auto w = ws.create(*c);
    if (!w) die(w.error());
    return (*w)->id;
  }
  asio::io_context io_;
  Workspace top_;
  desktop::Renderer renderer_;
  SDL_Renderer* sdl_;
  std::unique_ptr<Controller> controller_;
  std::shared_ptr<const Scene> scene_;
  WindowSystem* ws_ = nullptr;
  std::vector<int> ids_;
  term::OutputDecoder out_;
};

void frames_row() {
  ::setenv("SDL_VIDEODRIVER", "offscreen", 1);
  if (SDL_Init(SDL_INIT_VIDEO) != 0) die(SDL_GetError());
  SDL_Window* win = SDL_CreateWindow("bench_sub", 0, 0, 1280, 800, 0);
  if (!win) die(SDL_GetError());
  SDL_Renderer* sdl = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
  if (!sdl) die(SDL_GetError());
  std::string why;
  auto font = fonts::Font::open(fonts::FontSpec{"monospace", 10, 96, term::cell_width}, why);
  if (!font) die(why);
  auto assets = desktop::load_assets(desktop::assets_dir(), why);
  if (!assets) die(why);
  std::vector<double> flat, nested;
  for (int round = 0; round < 3; round++) {
    for (bool n : {false, true}) {
      Frames f(sdl, *font, assets->normal, n);
      for (int i = 1; i <= 300; i++) (n ? nested : flat).push_back(f.frame(i));
    }
  }
  double a = percentile(flat, 0.5), b = percentile(nested, 0.5);
  std::printf("%-44s %10.3f %10.3f %-4s %6.2f   (target < 1.3)\n", "frame: 10 windows in a sub-workspace vs top", b / 1e3,
              a / 1e3, "ms", b / a);
  std::printf("%-44s %10.3f %10.3f %-4s %6.2f\n", "frame p99", percentile(nested, 0.99) / 1e3,
              percentile(flat, 0.99) / 1e3, "ms", percentile(nested, 0.99) / percentile(flat, 0.99));
  SDL_DestroyRenderer(sdl);
  SDL_DestroyWindow(win);
  SDL_Quit();
}

}  // namespace

int main() {
  std::string load;
  std::ifstream("/proc/loadavg") >> load;
  std::printf("sub-workspace benchmark, in process (ratio = sub-workspace / baseline, same run; load %s)\n",
              load.c_str());
  std::printf("%-44s %10s %10s %-4s %6s\n", "", "sub", "baseline", "unit", "ratio");
  create_row();
  frames_row();
  return 0;
}

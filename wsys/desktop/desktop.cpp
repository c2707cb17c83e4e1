// The SDL side of the desktop: the window, the event loop on the main
// thread, and the hand-over of scenes (to us) and input (to the io thread).
#include "wsys/desktop/desktop.h"

#include <SDL.h>
#include <SDL_opengl.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "fonts/font.h"
#include "term/decode.h"
#include "term/width.h"
#include "wsys/controller.h"
#include "wsys/desktop/assets.h"
#include "wsys/desktop/clipboard_watch.h"
#include "wsys/desktop/renderer.h"

namespace grio::wsys::desktop {

namespace {

enum UserCode { SceneReady = 1, ClipboardReady = 2, CaptureWanted = 3, WarpWanted = 4, TitleWanted = 5 };

// CPU time of the calling thread, in microseconds.
double thread_cpu_us() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e6 + double(t.tv_nsec) / 1e3;
}

// Whether r is SDL's OpenGL renderer on a GL that rasterizes on the CPU
// (Mesa's llvmpipe or softpipe, as under Xvfb). Such a GL runs a shader
// over every pixel of every window copied, and drew a full-screen window
// of text in about 13 ms of CPU a frame where SDL's own software renderer
// took about 3 (measured under Xvfb).
bool software_gl(SDL_Renderer* r) {
  SDL_RendererInfo info;
  if (SDL_GetRendererInfo(r, &info) != 0 || !std::string_view(info.name).starts_with("opengl")) return false;
  using GetString = const GLubyte* (*)(GLenum);
  auto get = reinterpret_cast<GetString>(SDL_GL_GetProcAddress("glGetString"));
  const GLubyte* name = get ? get(GL_RENDERER) : nullptr;
  if (!name) return false;
  std::string_view n(reinterpret_cast<const char*>(name));
  return n.find("llvmpipe") != n.npos || n.find("softpipe") != n.npos || n.find("Software Rasterizer") != n.npos;
}

// Whether this machine may have a GPU: a DRI render node, which every
// Mesa hardware driver opens (and NVIDIA's driver creates too), or
// NVIDIA's own device. Without one the only OpenGL rasterizes on the CPU,
// and finding that out by loading it costs about 58 MB (Mesa's libLLVM
// and swrast_dri) of a desktop that then never uses it.
bool may_have_gpu() {
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator("/dev/dri", ec))
    if (e.path().filename().string().starts_with("renderD")) return true;
  return std::filesystem::exists("/dev/nvidiactl", ec);
}

// SDL's software renderer on the window's own surface (X11's shared
// memory image): SDL would otherwise put that surface on the screen
// through an OpenGL texture, loading OpenGL all the same.
SDL_Renderer* software_renderer(SDL_Window* w) {
  SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
  return SDL_CreateRenderer(w, -1, SDL_RENDERER_SOFTWARE);
}

// The renderer for w. SDL_RENDER_DRIVER, when set, chooses ("software"
// loads no OpenGL either). Else where there may be a GPU the accelerated
// renderer is tried, and given up for the software one if its OpenGL
// turns out to rasterize on the CPU (under Xvfb on a machine with a GPU:
// BUG: that OpenGL stays loaded). Else software without trying.
SDL_Renderer* make_renderer(SDL_Window* w) {
  const char* driver = SDL_GetHint(SDL_HINT_RENDER_DRIVER);
  if (driver ? std::string_view(driver) == "software" : !may_have_gpu()) return software_renderer(w);
  SDL_Renderer* r =
      SDL_CreateRenderer(w, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC | SDL_RENDERER_TARGETTEXTURE);
  if (r && !driver && software_gl(r)) {
    SDL_DestroyRenderer(r);
    r = nullptr;
  }
  return r ? r : software_renderer(w);
}

}  // namespace

struct Desktop::Impl {
  SDL_Window* window = nullptr;
  SDL_Renderer* sdl = nullptr;
  std::unique_ptr<fonts::Font> font;
  std::unique_ptr<Renderer> renderer;
  Uint32 user_event = 0;
  Uint32 frame_ms = 16;  // one display refresh
  int buttons = 0;
  SceneCursor cursor = SceneCursor::Arrow;
  SDL_Cursor* cursors[3] = {};
  std::optional<Cursor> image;       // the window cursor shown, if one is
  SDL_Cursor* image_cursor = nullptr;
  std::u32string keys_down;          // in the order pressed, for kbd's k and K
  std::unique_ptr<ClipboardWatch> clipboard;
  std::function<void(Rect)> resized;  // the window's new size
  bool fits = false;                  // a viewer's: fit the scene's screen
  Rect fitted;                        // the screen last fitted

  // What other threads hand the main loop: only the newest of each counts.
  std::mutex m;
  std::shared_ptr<const Scene> scene;
  std::shared_ptr<const Scene> shown;  // main thread only: for exposes
  std::optional<std::string> clip;
  std::vector<std::function<void(std::string)>> captures;
  std::optional<Point> warp_to;
  std::optional<std::string> title;
  std::atomic<bool> scene_event{false};
  // $GRIO_FRAME_LOG names a file that gets one line per drawn frame: the
  // microseconds spent drawing and presenting it, then the CPU time this
  // thread spent on it (for bench_desktop: the difference is time spent
  // waiting, for the X server or for a CPU).
  FILE* frame_log = nullptr;

  ~Impl() {
    if (frame_log) std::fclose(frame_log);
    renderer.reset();
    for (auto* c : cursors)
      if (c) SDL_FreeCursor(c);
    if (image_cursor) SDL_FreeCursor(image_cursor);
    if (sdl) SDL_DestroyRenderer(sdl);
    if (window) SDL_DestroyWindow(window);
    SDL_Quit();
  }
  void push(UserCode code) {
    SDL_Event e{};
    e.type = user_event;
    e.user.code = code;
    SDL_PushEvent(&e);
  }
  void input(const SDL_Event& e, asio::io_context& io, InputSink& c, bool& quit, bool& redraw);
  void read_clipboard(asio::io_context& io, InputSink& c);
  void mouse(asio::io_context& io, InputSink& c, Point at, int buttons, uint32_t msec, unsigned mods = 0);
  void key(const SDL_KeyboardEvent& k, asio::io_context& io, InputSink& c);
  void frame(asio::io_context& io, InputSink& c, Uint64& last);
  void set_cursor(const Scene& s);
  void show_image(const Cursor& k);
  void key_state(const SDL_KeyboardEvent& k, asio::io_context& io, InputSink& c);
  void read_back();
  void fit(Rect screen);
  void log_frame(Uint64 t0, double cpu0);
};

// Pixels are read after drawing and before presenting: after a present the
// back buffer's contents are undefined.
void Desktop::Impl::read_back() {
  std::vector<std::function<void(std::string)>> todo;
  {
    std::lock_guard lock(m);
    todo.swap(captures);
  }
  if (todo.empty()) return;
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(sdl, &w, &h);
  std::string px(size_t(w) * h * 4, '\0');
  if (SDL_RenderReadPixels(sdl, nullptr, SDL_PIXELFORMAT_ARGB8888, px.data(), w * 4) != 0) px.clear();
  for (auto& done : todo) done(px);
}

namespace {

// Plan 9 draws clr in white, then set in black over it: SDL's data is
// set, its mask both. SDL wants the hot spot on the image.
SDL_Cursor* make_cursor(const Cursor& k) {
  Uint8 data[32], mask[32];
  for (int i = 0; i < 32; i++) data[i] = k.set[i], mask[i] = k.set[i] | k.clr[i];
  return SDL_CreateCursor(data, mask, 16, 16, std::clamp(-k.offset.x, 0, 15), std::clamp(-k.offset.y, 0, 15));
}

}  // namespace

Desktop::Desktop(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Desktop::~Desktop() = default;

std::unique_ptr<Desktop> Desktop::open(const DesktopOptions& opt, std::string& why) {
  if (!std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY") && !std::getenv("SDL_VIDEODRIVER")) {
    why = "no display ($DISPLAY is not set)";
    return nullptr;
  }
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");  // ours stop the io thread too
  if (SDL_Init(SDL_INIT_VIDEO) != 0) {
    why = std::string("no display: ") + SDL_GetError();
    return nullptr;
  }
  // When $DISPLAY names a display that cannot be opened (a wrong number,
  // an X server gone), SDL goes on to its next drivers, and the last of
  // them draw into memory: the window would be there for nobody to see.
  // Only SDL_VIDEODRIVER may ask for those.
  if (const char* driver = SDL_GetCurrentVideoDriver(); !std::getenv("SDL_VIDEODRIVER") && driver &&
      (std::strcmp(driver, "offscreen") == 0 || std::strcmp(driver, "dummy") == 0)) {
    SDL_Quit();
    const char* x = std::getenv("DISPLAY");
    why = x ? "no display: cannot open display " + std::string(x) : "no display: cannot open $WAYLAND_DISPLAY";
    return nullptr;
  }
  auto assets = load_assets(assets_dir(), why);
  if (!assets) return nullptr;
  auto impl = std::make_unique<Impl>();
  SDL_Rect bounds{0, 0, 1280, 800};
  SDL_GetDisplayBounds(0, &bounds);
  float ddpi = 0, hdpi = 0, vdpi = 0;
  double dpi = SDL_GetDisplayDPI(0, &ddpi, &hdpi, &vdpi) == 0 && vdpi > 10 ? std::round(vdpi) : 96;
  impl->font = fonts::Font::open(fonts::FontSpec{opt.font, opt.points, dpi, term::cell_width}, why);
  if (!impl->font) return nullptr;
  SDL_DisplayMode mode;
  if (SDL_GetCurrentDisplayMode(0, &mode) == 0 && mode.refresh_rate > 0) impl->frame_ms = 1000 / mode.refresh_rate;
  // rio takes the whole screen: a borderless window covering the display;
  // a viewer a window of its own.
  impl->resized = opt.resized;
  if (opt.window) {
    impl->fits = true;
    impl->window = SDL_CreateWindow("grio view", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                    std::min(opt.window->dx(), bounds.w), std::min(opt.window->dy(), bounds.h),
                                    SDL_WINDOW_RESIZABLE);
  } else {
    impl->window =
        SDL_CreateWindow("grio", bounds.x, bounds.y, bounds.w, bounds.h, SDL_WINDOW_BORDERLESS | SDL_WINDOW_RESIZABLE);
  }
  if (impl->window) impl->sdl = make_renderer(impl->window);
  if (!impl->sdl) {
    why = std::string("cannot open a window: ") + SDL_GetError();
    return nullptr;
  }
  if (const char* log = std::getenv("GRIO_FRAME_LOG")) impl->frame_log = std::fopen(log, "w");
  impl->user_event = SDL_RegisterEvents(1);
  impl->renderer = std::make_unique<Renderer>(impl->sdl, *impl->font, opt.reversed ? assets->reversed : assets->normal);
  impl->cursors[0] = make_cursor(assets->arrow);
  impl->cursors[1] = make_cursor(assets->cross);
  impl->cursors[2] = make_cursor(assets->sight);
  SDL_StartTextInput();
  impl->clipboard = std::make_unique<ClipboardWatch>(impl->window);
  return std::unique_ptr<Desktop>(new Desktop(std::move(impl)));
}

Rect Desktop::screen() const {
  int w = 0, h = 0;
  SDL_GetWindowSize(impl_->window, &w, &h);
  return rect(0, 0, w, h);
}

Metrics Desktop::metrics() const { return Metrics{impl_->font->width(), impl_->font->height()}; }

void Desktop::publish(std::shared_ptr<const Scene> s) {
  {
    std::lock_guard lock(impl_->m);
    impl_->scene = std::move(s);
  }
  if (!impl_->scene_event.exchange(true)) impl_->push(SceneReady);
}

void Desktop::set_clipboard(std::string text) {
  {
    std::lock_guard lock(impl_->m);
    impl_->clip = std::move(text);
  }
  impl_->push(ClipboardReady);
}

void Desktop::set_title(std::string title) {
  {
    std::lock_guard lock(impl_->m);
    impl_->title = std::move(title);
  }
  impl_->push(TitleWanted);
}

void Desktop::capture(std::function<void(std::string)> done) {
  {
    std::lock_guard lock(impl_->m);
    impl_->captures.push_back(std::move(done));
  }
  impl_->push(CaptureWanted);
}

void Desktop::warp(Point p) {
  {
    std::lock_guard lock(impl_->m);
    impl_->warp_to = p;
  }
  impl_->push(WarpWanted);
}

void Desktop::quit() {
  SDL_Event e{};
  e.type = SDL_QUIT;
  SDL_PushEvent(&e);
}

void Desktop::run(asio::io_context& io, InputSink& c, std::function<void()> stop) {
  bool quit = false;
  Uint64 last = 0;
  if (SDL_HasClipboardText()) impl_->read_clipboard(io, c);  // what was copied before we started
  while (!quit) {
    SDL_Event e;
    if (!SDL_WaitEvent(&e)) break;
    bool redraw = false;
    do impl_->input(e, io, c, quit, redraw);
    while (!quit && SDL_PollEvent(&e));
    if (redraw && !quit) impl_->frame(io, c, last);
  }
  asio::post(io, std::move(stop));
}

// One frame: no sooner than a display refresh after the last, with the
// newest scene (those published meanwhile were never drawn), then the
// controller may build the next.
void Desktop::Impl::frame(asio::io_context& io, InputSink& c, Uint64& last) {
  Uint64 now = SDL_GetTicks64();
  if (now < last + frame_ms) SDL_Delay(Uint32(last + frame_ms - now));
  std::shared_ptr<const Scene> s;
  {
    // Cleared before the scene is taken: a scene published after this
    // point pushes an event of its own and is not left unseen.
    std::lock_guard lock(m);
    scene_event = false;
    s = std::move(scene);
  }
  bool fresh = s != nullptr;
  if (!s) s = shown;  // an expose: the last scene again
  shown = s;
  if (s && fits && s->screen != fitted) fit(s->screen);
  if (s) {
    Uint64 t0 = SDL_GetPerformanceCounter();
    double cpu0 = frame_log ? thread_cpu_us() : 0;
    renderer->draw(*s);
    read_back();
    SDL_RenderPresent(sdl);
    set_cursor(*s);
    if (frame_log) log_frame(t0, cpu0);
  }
  last = SDL_GetTicks64();
  if (fresh) asio::post(io, [&c] { c.ready(); });
}

// A viewer's window takes the size of the screen it shows, as far as the
// display allows; a screen larger than that is drawn scaled down (SDL
// scales the mouse back).
void Desktop::Impl::fit(Rect screen) {
  fitted = screen;
  SDL_Rect usable{0, 0, screen.dx(), screen.dy()};
  SDL_GetDisplayUsableBounds(SDL_GetWindowDisplayIndex(window), &usable);
  int w = std::min(screen.dx(), usable.w), h = std::min(screen.dy(), usable.h);
  int ww = 0, wh = 0;
  SDL_GetWindowSize(window, &ww, &wh);
  if (ww != w || wh != h) {
    SDL_SetWindowSize(window, w, h);
    int d = SDL_GetWindowDisplayIndex(window);
    SDL_SetWindowPosition(window, SDL_WINDOWPOS_CENTERED_DISPLAY(d), SDL_WINDOWPOS_CENTERED_DISPLAY(d));
  }
  bool scaled = w < screen.dx() || h < screen.dy();
  SDL_RenderSetLogicalSize(sdl, scaled ? screen.dx() : 0, scaled ? screen.dy() : 0);
}

void Desktop::Impl::log_frame(Uint64 t0, double cpu0) {
  Uint64 us = (SDL_GetPerformanceCounter() - t0) * 1000000 / SDL_GetPerformanceFrequency();
  std::fprintf(frame_log, "%llu %.0f\n", (unsigned long long)us, thread_cpu_us() - cpu0);
  std::fflush(frame_log);  // read while we run
}

void Desktop::Impl::set_cursor(const Scene& s) {
  if (s.cursor == SceneCursor::Window) {
    if (s.image) show_image(*s.image);
    return;
  }
  if (s.cursor == cursor) return;
  cursor = s.cursor;
  SDL_SetCursor(cursors[int(s.cursor)]);
}

void Desktop::Impl::show_image(const Cursor& k) {
  if (cursor == SceneCursor::Window && image == k) return;
  SDL_Cursor* made = make_cursor(k);
  if (!made) return;
  SDL_SetCursor(made);
  if (image_cursor) SDL_FreeCursor(image_cursor);
  image_cursor = made;
  image = k;
  cursor = SceneCursor::Window;
}

void Desktop::Impl::mouse(asio::io_context& io, InputSink& c, Point at, int b, uint32_t msec, unsigned mods) {
  asio::post(io, [&c, m = MouseState{at, b, msec, mods}] { c.mouse(m); });
}

namespace {

int rio_button(Uint8 b) {
  switch (b) {
    case SDL_BUTTON_LEFT: return 1;
    case SDL_BUTTON_MIDDLE: return 2;
    case SDL_BUTTON_RIGHT: return 4;
    default: return 0;
  }
}

std::optional<Nav> nav_key(SDL_Keycode k) {
  switch (k) {
    case SDLK_LEFT: return Nav::Left;
    case SDLK_RIGHT: return Nav::Right;
    case SDLK_UP: return Nav::Up;
    case SDLK_DOWN: return Nav::Down;
    case SDLK_PAGEUP: return Nav::PageUp;
    case SDLK_PAGEDOWN: return Nav::PageDown;
    case SDLK_HOME: return Nav::Home;
    case SDLK_END: return Nav::End;
    default: return std::nullopt;
  }
}

unsigned modifiers(Uint16 mod) {
  return (mod & KMOD_SHIFT ? term::ModShift : 0) | (mod & KMOD_ALT ? term::ModAlt : 0) | (mod & KMOD_CTRL ? term::ModCtrl : 0);
}

// A key SDL sends no text for, with its modifiers, as the controller
// takes it (a VT window as xterm would, others as rio does).
std::optional<term::KeyPress> key_press(const SDL_Keysym& k) {
  using term::VtKey;
  unsigned mods = modifiers(k.mod);
  if (k.sym >= SDLK_F1 && k.sym <= SDLK_F12) return term::KeyPress{0, VtKey::Function, int(k.sym - SDLK_F1 + 1), mods};
  VtKey key = VtKey::None;
  switch (k.sym) {
    case SDLK_RETURN: case SDLK_KP_ENTER: key = VtKey::Enter; break;
    case SDLK_BACKSPACE: key = VtKey::Backspace; break;
    case SDLK_TAB: key = VtKey::Tab; break;
    case SDLK_ESCAPE: key = VtKey::Escape; break;
    case SDLK_DELETE: key = VtKey::Delete; break;
    case SDLK_INSERT: key = VtKey::Insert; break;
    case SDLK_LEFT: key = VtKey::Left; break;
    case SDLK_RIGHT: key = VtKey::Right; break;
    case SDLK_UP: key = VtKey::Up; break;
    case SDLK_DOWN: key = VtKey::Down; break;
    case SDLK_PAGEUP: key = VtKey::PageUp; break;
    case SDLK_PAGEDOWN: key = VtKey::PageDown; break;
    case SDLK_HOME: key = VtKey::Home; break;
    case SDLK_END: key = VtKey::End; break;
    default: break;
  }
  if (key != VtKey::None) return term::KeyPress{0, key, 0, mods};
  if ((k.mod & KMOD_CTRL) && k.sym >= SDLK_a && k.sym <= SDLK_z) return term::KeyPress{char32_t(k.sym - SDLK_a + 1), VtKey::None, 0, mods};
  return std::nullopt;
}

// Keys SDL sends no text for: the ones the line discipline knows.
char32_t control_key(const SDL_Keysym& k) {
  switch (k.sym) {
    case SDLK_RETURN:
    case SDLK_KP_ENTER: return '\n';
    case SDLK_BACKSPACE: return 0x08;
    case SDLK_TAB: return '\t';
    case SDLK_ESCAPE: return 0x1B;
    case SDLK_DELETE: return 0x7F;
    default: break;
  }
  if ((k.mod & KMOD_CTRL) && k.sym >= SDLK_a && k.sym <= SDLK_z) return char32_t(k.sym - SDLK_a + 1);
  return 0;
}

// A key as kbdfs names it in k and K messages: its rune unshifted, with
// Plan 9's runes (keyboard.h) for the keys that type none. 0: no name.
// BUG: keypad keys other than Enter, and keys SDL has no keycode for,
// are left out.
char32_t plan9_key(SDL_Keycode k) {
  constexpr char32_t KF = 0xF000, Spec = 0xF800;
  if (k >= SDLK_F1 && k <= SDLK_F12) return KF | char32_t(k - SDLK_F1 + 1);
  switch (k) {
    case SDLK_RETURN: case SDLK_KP_ENTER: return '\n';
    case SDLK_BACKSPACE: return 0x08;
    case SDLK_TAB: return '\t';
    case SDLK_ESCAPE: return 0x1B;
    case SDLK_DELETE: return 0x7F;
    case SDLK_HOME: return KF | 0x0D;
    case SDLK_UP: return KF | 0x0E;
    case SDLK_PAGEUP: return KF | 0x0F;
    case SDLK_PRINTSCREEN: return KF | 0x10;
    case SDLK_LEFT: return KF | 0x11;
    case SDLK_RIGHT: return KF | 0x12;
    case SDLK_PAGEDOWN: return KF | 0x13;
    case SDLK_INSERT: return KF | 0x14;
    case SDLK_LALT: return KF | 0x15;
    case SDLK_LSHIFT: case SDLK_RSHIFT: return KF | 0x16;
    case SDLK_LCTRL: case SDLK_RCTRL: return KF | 0x17;
    case SDLK_END: return KF | 0x18;
    case SDLK_SCROLLLOCK: return KF | 0x19;
    case SDLK_DOWN: return Spec | 0x00;
    case SDLK_PAUSE: return Spec | 0x61;
    case SDLK_CAPSLOCK: return Spec | 0x64;
    case SDLK_NUMLOCKCLEAR: return Spec | 0x65;
    case SDLK_RALT: return Spec | 0x67;
    case SDLK_LGUI: case SDLK_RGUI: return Spec | 0x68;
    default: break;
  }
  // Other keycodes of printable keys are the character they type unshifted.
  return (k & SDLK_SCANCODE_MASK) || k < 0x20 ? 0 : char32_t(k);
}

}  // namespace

// kbdfs's k (after a press) and K (after a release) messages with every
// key still down. Keys that type nothing through SDL — function keys,
// modifiers, Insert — also get the c message kbdfs would send; the others'
// c messages come from what they type (keys(), nav()).
void Desktop::Impl::key_state(const SDL_KeyboardEvent& k, asio::io_context& io, InputSink& c) {
  char32_t r = plan9_key(k.keysym.sym);
  if (!r) return;
  size_t at = keys_down.find(r);
  std::vector<std::string> msgs;
  if (k.type == SDL_KEYUP) {
    if (at == std::u32string::npos) return;
    keys_down.erase(at, 1);
    msgs.push_back("K" + term::to_utf8(keys_down));
  } else if (at == std::u32string::npos) {
    keys_down.push_back(r);
    msgs.push_back("k" + term::to_utf8(keys_down));
  }
  bool typed = (k.keysym.sym & SDLK_SCANCODE_MASK) == 0 || nav_key(k.keysym.sym) || control_key(k.keysym);
  if (k.type == SDL_KEYDOWN && !typed) msgs.push_back("c" + term::to_utf8(std::u32string(1, r)));
  for (auto& msg : msgs) asio::post(io, [&c, msg] { c.key_state(msg); });
}

void Desktop::Impl::key(const SDL_KeyboardEvent& k, asio::io_context& io, InputSink& c) {
  key_state(k, io, c);
  if (k.type == SDL_KEYUP) return;
  if (auto p = key_press(k.keysym)) asio::post(io, [&c, p = *p] { c.press(p); });
}

void Desktop::Impl::input(const SDL_Event& e, asio::io_context& io, InputSink& c, bool& quit, bool& redraw) {
  switch (e.type) {
    case SDL_QUIT: quit = true; return;
    case SDL_MOUSEMOTION: return mouse(io, c, {e.motion.x, e.motion.y}, buttons, e.motion.timestamp);
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
      int b = rio_button(e.button.button);
      buttons = e.type == SDL_MOUSEBUTTONDOWN ? buttons | b : buttons & ~b;
      return mouse(io, c, {e.button.x, e.button.y}, buttons, e.button.timestamp);
    }
    case SDL_MOUSEWHEEL: {
      int x, y;
      SDL_GetMouseState(&x, &y);
      if (e.wheel.y == 0) return;
      unsigned mods = modifiers(SDL_GetModState()) & term::ModShift;  // what the wheel reads
      mouse(io, c, {x, y}, buttons | (e.wheel.y > 0 ? 8 : 16), e.wheel.timestamp, mods);
      return mouse(io, c, {x, y}, buttons, e.wheel.timestamp);
    }
    case SDL_KEYDOWN:
    case SDL_KEYUP: return key(e.key, io, c);
    case SDL_TEXTINPUT: {
      std::u32string runes = term::OutputDecoder().decode(e.text.text);
      unsigned alt = modifiers(SDL_GetModState()) & term::ModAlt;
      asio::post(io, [&c, runes, alt] { c.keys(runes, alt); });
      return;
    }
    case SDL_CLIPBOARDUPDATE: return read_clipboard(io, c);
    case SDL_SYSWMEVENT:
      if (clipboard->taken(e)) read_clipboard(io, c);
      return;
    case SDL_WINDOWEVENT:
      if (e.window.event == SDL_WINDOWEVENT_EXPOSED) redraw = true;
      if (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED && resized) {
        redraw = true;
        resized(rect(0, 0, e.window.data1, e.window.data2));
      }
      return;
    default: break;
  }
  if (e.type == user_event && e.user.code == WarpWanted) {
    std::optional<Point> p;
    {
      std::lock_guard lock(m);
      p = std::exchange(warp_to, std::nullopt);
    }
    if (p) SDL_WarpMouseInWindow(window, p->x, p->y);
  }
  if (e.type == user_event && (e.user.code == SceneReady || e.user.code == CaptureWanted)) redraw = true;
  if (e.type == user_event && e.user.code == TitleWanted) {
    std::optional<std::string> t;
    {
      std::lock_guard lock(m);
      t = std::exchange(title, std::nullopt);
    }
    if (t) SDL_SetWindowTitle(window, t->c_str());
  }
  if (e.type == user_event && e.user.code == ClipboardReady) {
    std::optional<std::string> t;
    {
      std::lock_guard lock(m);
      t = std::move(clip);
      clip.reset();
    }
    if (t) {
      SDL_SetClipboardText(t->c_str());
      clipboard->took();
    }
  }
}

// Another program copied: its text is snarf now.
void Desktop::Impl::read_clipboard(asio::io_context& io, InputSink& c) {
  char* t = SDL_GetClipboardText();
  std::string text = t ? t : "";
  SDL_free(t);
  if (text.empty()) return;  // nothing, or a copy that could not be read: snarf stays
  asio::post(io, [&c, text] { c.clipboard(text); });
}

}  // namespace grio::wsys::desktop

// The screen of an X display as a benchmark reads it (XGetImage), and
// whether a row of text shows a line as the fonts module draws it.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fonts/font.h"
#include "tests/bench/bench_procs.h"
#include "wsys/geometry.h"

// Last: Xlib defines names (Status, None) as macros. Include this header
// after every other.
#include <X11/Xlib.h>
#include <X11/Xutil.h>

namespace grio::bench {

class XScreen {
 public:
  // name: a display; none: $DISPLAY.
  explicit XScreen(const char* name = nullptr) : dpy_(XOpenDisplay(name)) {
    if (!dpy_) fail("cannot open display " + std::string(name ? name : std::getenv("DISPLAY")));
  }
  explicit XScreen(const std::string& name) : XScreen(name.c_str()) {}
  ~XScreen() { XCloseDisplay(dpy_); }
  XScreen(const XScreen&) = delete;
  XScreen& operator=(const XScreen&) = delete;

  // The pixels of r, 0xRRGGBB, row by row.
  std::vector<uint32_t> grab(wsys::Rect r) {
    XImage* im = get(r);
    std::vector<uint32_t> px;
    px.reserve(size_t(r.dx()) * r.dy());
    for (int y = 0; y < r.dy(); y++)
      for (int x = 0; x < r.dx(); x++) px.push_back(uint32_t(XGetPixel(im, x, y)) & 0xFFFFFF);
    XDestroyImage(im);
    return px;
  }
  // The raw pixels of r, as the server sends them.
  std::string raw(wsys::Rect r) {
    XImage* im = get(r);
    std::string s(im->data, size_t(im->bytes_per_line) * im->height);
    XDestroyImage(im);
    return s;
  }
  // A hash of r's pixels: equal pictures, equal hashes (no copy made).
  size_t picture(wsys::Rect r) {
    XImage* im = get(r);
    size_t h = std::hash<std::string_view>{}(std::string_view(im->data, size_t(im->bytes_per_line) * im->height));
    XDestroyImage(im);
    return h;
  }

 private:
  XImage* get(wsys::Rect r) {
    XImage* im = XGetImage(dpy_, DefaultRootWindow(dpy_), r.min.x, r.min.y, unsigned(r.dx()), unsigned(r.dy()),
                           AllPlanes, ZPixmap);
    if (!im) fail("XGetImage failed");
    return im;
  }
  Display* dpy_;
};

// Whether a text row of the text area t starts with line as the fonts
// module draws it, black on white.
inline bool line_on_screen(XScreen& x, fonts::Font& font, wsys::Rect t, std::u32string_view line) {
  fonts::Bitmap want = font.render(line);
  wsys::Rect strip{t.min, {t.min.x + want.w, t.max.y}};
  std::vector<uint32_t> px = x.grab(strip);
  for (int top = 0; top + want.h <= strip.dy(); top += font.height()) {
    int good = 0;
    for (int j = 0; j < want.h; j++)
      for (int i = 0; i < want.w; i++)
        good += std::abs(255 - want.at(i, j) - int(px[size_t(top + j) * strip.dx() + i] & 0xFF)) <= 40;
    if (good > 0.98 * want.w * want.h) return true;
  }
  return false;
}

}  // namespace grio::bench

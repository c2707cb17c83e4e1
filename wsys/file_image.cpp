// screen and window: image(6) dumps of what the desktop draws, uncompressed
// (a 60-byte header, then rows of x8r8g8b8 pixels). Opening the file takes
// one picture of the screen from the desktop; reads of that fid serve it,
// waiting until it has arrived. Without a desktop there is no image.
#include <algorithm>

#include "net/errors.h"
#include "wsys/tree.h"

namespace grio::wsys {

namespace {

struct Picture {
  bool ready = false;
  std::string image;              // header and pixels, once ready
  std::string error;              // why there is none
  std::deque<net::Req> waiting;   // reads that came before it
};

std::string header(Rect r) {
  char buf[61];
  std::snprintf(buf, sizeof buf, "%11s %11d %11d %11d %11d ", "x8r8g8b8", r.min.x, r.min.y, r.max.x, r.max.y);
  return buf;
}

void answer(Picture& p, const net::Req& r) {
  if (!p.error.empty()) return r->error(p.error);
  read_string(r, p.image);
}

// window 0: the screen; else that window's rectangle.
net::Error take(Ctx& c, net::Fid& f, int window) {
  if (!c.ws.capture) return err::headless;
  if (window && c.w->hidden) return err::noimage;
  auto p = std::make_shared<Picture>();
  f.aux = p;
  Rect screen = c.ws.screen();
  c.ws.capture([p, &ws = c.ws, window, screen](std::string pixels) {
    Window* w = window ? ws.live(window) : nullptr;
    if (pixels.size() != size_t(screen.dx()) * screen.dy() * 4) p->error = err::capturefailed;
    else if (window && !w) p->error = err::deleted;
    else p->image = window ? header(w->rect) + crop_pixels(pixels, screen, w->rect) : header(screen) + pixels;
    p->ready = true;
    auto waiting = std::move(p->waiting);
    for (auto& r : waiting) answer(*p, r);
  });
  return {};
}

net::Error open_screen(Ctx& c, net::Fid& f, uint8_t) { return take(c, f, 0); }
net::Error open_window(Ctx& c, net::Fid& f, uint8_t) { return take(c, f, c.w ? c.w->id : 0); }

void read(Ctx&, const net::Req& r) {
  auto p = std::static_pointer_cast<Picture>(r->fid().aux);
  if (p->ready) return answer(*p, r);
  p->waiting.push_back(r);
  r->park([p, raw = r.get()] { std::erase_if(p->waiting, [raw](const net::Req& q) { return q.get() == raw; }); });
}

}  // namespace

// Row by row: what lies on the screen copied, the rest black.
std::string crop_pixels(const std::string& pixels, Rect screen, Rect r) {
  std::string out;
  if (r.empty()) return out;
  out.reserve(size_t(r.dx()) * r.dy() * 4);
  int x0 = std::clamp(screen.min.x, r.min.x, r.max.x), x1 = std::clamp(screen.max.x, x0, r.max.x);
  for (int y = r.min.y; y < r.max.y; y++) {
    if (y < screen.min.y || y >= screen.max.y) {
      out.append(size_t(r.dx()) * 4, '\0');
      continue;
    }
    out.append(size_t(x0 - r.min.x) * 4, '\0');
    size_t at = (size_t(y - screen.min.y) * screen.dx() + size_t(x0 - screen.min.x)) * 4;
    out.append(pixels, at, size_t(x1 - x0) * 4);
    out.append(size_t(r.max.x - x1) * 4, '\0');
  }
  return out;
}

const FileKind screen_file{"screen", Qfile::Screen, 0400, false, net::right::view, 0, open_screen, read, nullptr, nullptr};
const FileKind window_file{"window", Qfile::Winimage, 0400, true, net::right::view, 0, open_window, read, nullptr, nullptr};

}  // namespace grio::wsys

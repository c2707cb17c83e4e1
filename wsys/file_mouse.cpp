// mouse: exclusive. While open the desktop sends the window's mouse here
// instead of selecting and opening menus in it; a read waits for the next
// change and gives rio's 49-byte message, `m` (or `r` after a reshape)
// then x, y, buttons and msec in 11-character fields. A write `m<x> <y>`
// moves the pointer within the window.
#include <cstdlib>

#include "net/errors.h"
#include "wsys/tree.h"

namespace grio::wsys {

namespace {

// rio's ring of button changes has 16 slots; the 16th change makes it
// look empty, so at most 15 wait and the 16th drops them all.
constexpr size_t ClickSlots = 16;

bool ready(const MouseFile& m) { return m.open && m.counter != m.read_counter; }

// The oldest button change not yet read, else the latest state.
std::string next_message(MouseFile& m) {
  m.clicks_full = false;
  MouseEvent e = m.now;
  e.counter = m.counter;
  if (!m.clicks.empty()) {
    e = m.clicks.front();
    m.clicks.pop_front();
  }
  m.read_counter = e.counter;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%c%11d %11d %11d %11u ", m.resized ? 'r' : 'm', e.at.x, e.at.y, e.buttons,
                unsigned(e.msec));
  m.resized = false;
  return buf;
}

void answer(MouseFile& m, const net::Req& r) { r->respond(ninep::Rread{next_message(m).substr(0, r->tread().count)}); }

void answer_reads(MouseFile& m) {
  while (!m.reads.empty() && ready(m)) {
    net::Req r = m.reads.front();
    m.reads.pop_front();
    answer(m, r);
  }
}

net::Error open(Ctx& c, net::Fid&, uint8_t) {
  auto& m = c.w->mouse;
  if (m.open) return err::inuse;
  // rio: a reshape before the open is not news to the program that opens it.
  m.resized = false;
  m.open = true;
  return {};
}

void read(Ctx& c, const net::Req& r) {
  auto& m = c.w->mouse;
  if (m.reads.empty() && ready(m)) return answer(m, r);
  park_in(c, r, [](Window& win) -> auto& { return win.mouse.reads; });
}

// A warp moves the desktop's pointer, whose motion then comes back as an
// event; headless the point simply becomes the window's mouse.
void warp(WindowSystem& ws, Window& w, Point to) {
  if (ws.warp) return ws.warp(to);
  ws.pointer = to;
  ws.mouse(w, to, w.mouse.now.buttons, w.mouse.now.msec);
}

// As rio: nothing happens (and no error) unless the window is current and
// shown; the pointer moves only if it is in the window, and only to a
// point of the window.
void write(Ctx& c, const net::Req& r) {
  Window& w = *c.w;
  std::string d = r->twrite().data;  // a copy ends in NUL, for strtoul
  uint32_t count = uint32_t(d.size());
  if (c.ws.current() != w.id || w.hidden) return r->respond(ninep::Rwrite{count});
  if (d.empty() || d[0] != 'm') return r->error(err::badmouse);
  char* end = nullptr;
  Point to;
  to.x = int(std::strtoul(d.c_str() + 1, &end, 0));
  to.y = int(std::strtoul(end, nullptr, 0));
  if (c.ws.window_at(c.ws.pointer) == &w && w.rect.contains(to)) warp(c.ws, w, to);
  r->respond(ninep::Rwrite{count});
}

// The window is the text's again.
void clunk(Ctx& c, net::Fid&) {
  c.w->mouse.open = false;
  c.w->mouse.resized = false;
  if (!c.w->deleted) c.ws.changed(*c.w);
}

}  // namespace

// Button changes are queued; motion only replaces the latest state.
void send_mouse(Window& w, Point at, int buttons, uint32_t msec) {
  auto& m = w.mouse;
  if (!m.open) return;
  m.counter++;
  m.now = MouseEvent{at, buttons, msec, m.counter};
  if (!m.clicks_full && buttons != m.last_buttons) {
    m.clicks.push_back(m.now);
    m.last_buttons = buttons;
    // A full queue is dropped whole: frantic clicking during a long wait.
    if (m.clicks.size() == ClickSlots) {
      m.clicks.clear();
      m.clicks_full = true;
    }
  }
  answer_reads(m);
}

// Counted even while the file is closed, as rio does: a program that
// opens it later reads the current state at once.
void mouse_reshaped(Window& w) {
  w.mouse.resized = true;
  w.mouse.counter++;
  answer_reads(w.mouse);
}

const FileKind mouse_file{"mouse", Qfile::Mouse, 0600, true, need::input, net::right::type, open, read, write, clunk};

}  // namespace grio::wsys

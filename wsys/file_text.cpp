// text: the whole window's text as UTF-8; writes behave as cons
// writes (9front), and opening with OTRUNC clears the window. A VT
// window's text is its scrollback and screen, a row a line; writes show
// on its screen as the program's output would.
#include "wsys/tree.h"

namespace grio::wsys {

namespace {

using Decoder = term::OutputDecoder;

net::Error open(Ctx& c, net::Fid& f, uint8_t mode) {
  if ((mode & ninep::OTRUNC) && c.w->vt) {
    c.w->vt->clear();
    c.ws.changed(*c.w);
  } else if (mode & ninep::OTRUNC) {
    Window& w = *c.w;
    bool hold = w.text.holding(), raw = w.text.raw();
    w.text = term::TextBuffer(c.ws.config().text);
    w.text.set_hold(hold);
    w.text.set_raw(raw);
    c.ws.changed(w);
  }
  f.aux = std::make_shared<Decoder>();
  return {};
}

// A read costs what it returns, not an encoding of the whole history.
void read(Ctx& c, const net::Req& r) {
  auto& t = r->tread();
  if (c.w->vt) return r->respond(ninep::Rread{c.w->vt->text_bytes(t.offset, t.count)});
  r->respond(ninep::Rread{c.w->text.text_bytes(t.offset, t.count)});
}

}  // namespace

const FileKind text_file{"text", Qfile::Text, 0600, true, net::right::view, net::right::type, open, read, write_output, nullptr};

}  // namespace grio::wsys

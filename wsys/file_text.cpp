// text: the whole window, regenerated per read; writes behave as cons
// writes (9front), and opening with OTRUNC clears the window.
#include "wsys/tree.h"

namespace grio::wsys {

namespace {

using Decoder = term::OutputDecoder;

net::Error open(Ctx& c, net::Fid& f, uint8_t mode) {
  if (mode & ninep::OTRUNC) {
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

void read(Ctx& c, const net::Req& r) { read_string(r, c.w->text.text()); }

}  // namespace

const FileKind text_file{"text", Qfile::Text, 0600, true, open, read, write_output, nullptr};

}  // namespace grio::wsys

// cons: reads get the window's input a line at a time (raw: as typed),
// waiting for it; writes are output at the output point. A VT window's
// cons is the other way round: writes are its program's input.
#include "net/errors.h"
#include "wsys/tree.h"

namespace grio::wsys {

namespace {

using Decoder = term::OutputDecoder;

net::Error open(Ctx&, net::Fid& f, uint8_t) {
  f.aux = std::make_shared<Decoder>();  // a partial rune is carried per fid
  return {};
}

void read(Ctx& c, const net::Req& r) {
  Window& w = *c.w;
  if (w.vt) return r->error(err::vtcons);
  if (w.cons_reads.empty() && w.text.can_read()) return r->respond(ninep::Rread{w.text.read(r->tread().count)});
  park_in(c, r, [](Window& win) -> auto& { return win.cons_reads; });
}

// A rune left unfinished by the writer shows as U+FFFD.
void clunk(Ctx& c, net::Fid& f) {
  auto rest = std::static_pointer_cast<Decoder>(f.aux)->finish();
  if (!rest.empty() && !c.w->deleted && !c.w->vt) {
    c.w->text.write(rest);
    c.ws.changed(*c.w);
  }
}

}  // namespace

void write_output(Ctx& c, const net::Req& r) {
  Window& w = *c.w;
  auto& t = r->twrite();
  if (!w.cons_writes.empty() || c.ws.output_blocked(w)) {
    return park_in(c, r, [](Window& win) -> auto& { return win.cons_writes; });
  }
  c.ws.output(w, *std::static_pointer_cast<Decoder>(r->fid().aux), t.data);
  r->respond(ninep::Rwrite{uint32_t(t.data.size())});
}

// A VT window's cons is its program's keyboard: writes are its input.
void write(Ctx& c, const net::Req& r) {
  Window& w = *c.w;
  if (!w.vt) return write_output(c, r);
  if (auto e = c.ws.send_input(w, r->twrite().data); !e.empty()) return r->error(e);
  r->respond(ninep::Rwrite{uint32_t(r->twrite().data.size())});
}

const FileKind cons_file{"cons", Qfile::Cons, 0600, true, need::input, net::right::type, open, read, write, clunk};

}  // namespace grio::wsys

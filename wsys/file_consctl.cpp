// consctl: exclusive; holdon/holdoff/rawon/rawoff nest; closing it ends both.
#include "net/errors.h"
#include "wsys/tree.h"

namespace grio::wsys {

namespace {

net::Error open(Ctx& c, net::Fid&, uint8_t) {
  if (c.w->consctl_open) return err::inuse;
  c.w->consctl_open = true;
  return {};
}

// Puts the nesting counts into effect; rawoff replays queued raw keys.
void apply(Ctx& c) {
  Window& w = *c.w;
  w.text.set_hold(w.holds > 0 && w.raws == 0);
  if (w.text.raw() != (w.raws > 0)) {
    auto effect = w.text.set_raw(w.raws > 0);
    if (effect.interrupt && w.shell) w.shell->interrupt();
  }
  c.ws.changed(w);
}

net::Error control(Window& w, std::string_view msg) {
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.remove_suffix(1);
  if (msg.starts_with("holdon")) w.holds++;
  else if (msg.starts_with("holdoff")) {
    if (w.holds == 0) return err::holdnoton;
    w.holds--;
  } else if (msg.starts_with("rawon")) {
    w.raws++;
  } else if (msg.starts_with("rawoff")) {
    if (w.raws == 0) return err::rawnoton;
    w.raws--;
  } else {
    return err::badconsctl;
  }
  return {};
}

void write(Ctx& c, const net::Req& r) {
  auto& t = r->twrite();
  if (auto e = control(*c.w, t.data); !e.empty()) return r->error(e);
  apply(c);
  r->respond(ninep::Rwrite{uint32_t(t.data.size())});
}

void clunk(Ctx& c, net::Fid&) {
  c.w->consctl_open = false;
  c.w->holds = c.w->raws = 0;
  if (!c.w->deleted) apply(c);
}

}  // namespace

const FileKind consctl_file{"consctl", Qfile::Consctl, 0200, true, 0, net::right::type, open, nullptr, write, clunk};

}  // namespace grio::wsys

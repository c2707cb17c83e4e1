// wctl: a read gives the 72-byte state record, at once the first time and
// then only when the window changes; reading is exclusive per window.
// Writes are wctl commands.
#include "net/errors.h"
#include "wsys/tree.h"

namespace grio::wsys {

namespace {

struct Reader {
  uint64_t seen = 0;  // the window's wctl_version when this fid last read
  bool exclusive = false;
};

net::Error open(Ctx& c, net::Fid& f, uint8_t mode) {
  auto rd = std::make_shared<Reader>();
  if ((mode & 3) != ninep::OWRITE && c.w) {
    if (c.w->wctl_reader) return err::inuse;
    c.w->wctl_reader = rd->exclusive = true;
  }
  f.aux = rd;
  return {};
}

std::string record(Ctx& c, Window& w) { return wctl_record(w.rect, c.ws.current() == w.id, !w.hidden); }

void read(Ctx& c, const net::Req& r) {
  auto& t = r->tread();
  if (t.count < 48) return r->error(err::smallbuf);
  if (!c.w) {  // `none`: the screen, never blocking
    if (t.offset >= 72) return r->error(err::smallbuf);
    Rect s = c.ws.screen();
    std::string rec = wctl_record(s, false, false);
    // wctl_record spells the two states of a window; none has no window.
    rec.replace(48, 24, "   nowindow    nowindow ");
    return r->respond(ninep::Rread{rec.substr(0, t.count)});
  }
  auto& rd = *std::static_pointer_cast<Reader>(r->fid().aux);
  if (rd.seen < c.w->wctl_version) {
    rd.seen = c.w->wctl_version;
    return r->respond(ninep::Rread{record(c, *c.w).substr(0, t.count)});
  }
  park_in(c, r, [](Window& win) -> auto& { return win.wctl_reads; });
}

net::Error command(Ctx& c, std::string_view msg, const net::Session* by) {
  auto cmd = parse_wctl(msg);
  if (!cmd) return cmd.error();
  if (by) cmd->sender_uid = by->peer_uid;
  const net::Grant grant = by ? by->grant : net::Grant{};
  if (cmd->verb == WctlVerb::New) {
    auto w = c.ws.create(*cmd, grant);
    return w ? net::Error{} : w.error();
  }
  Window* target = c.w;
  if (cmd->id) {
    target = c.ws.live(*cmd->id);
    if (!target) return err::nowindowid;
  }
  if (!target) return err::needwindow;
  return c.ws.control(*target, *cmd, grant);
}

void write(Ctx& c, const net::Req& r) {
  auto& t = r->twrite();
  if (auto e = command(c, t.data, r->fid().session.get()); !e.empty()) return r->error(e);
  r->respond(ninep::Rwrite{uint32_t(t.data.size())});
}

void clunk(Ctx& c, net::Fid& f) {
  if (c.w && std::static_pointer_cast<Reader>(f.aux)->exclusive) c.w->wctl_reader = false;
}

}  // namespace

void answer_wctl_reads(WindowSystem& ws, Window& w) {
  auto waiting = std::move(w.wctl_reads);
  w.wctl_reads.clear();
  Ctx c{ws, &w};
  for (auto& r : waiting) {
    std::static_pointer_cast<Reader>(r->fid().aux)->seen = w.wctl_version;
    r->respond(ninep::Rread{record(c, w).substr(0, r->tread().count)});
  }
}

const FileKind wctl_file{"wctl", Qfile::Wctl, 0600, false, net::right::manage, need::per_write, open, read, write, clunk};

}  // namespace grio::wsys

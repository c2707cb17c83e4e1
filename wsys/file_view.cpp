// view/feed and view/input: a remote viewer's screen and its mouse and
// keys (wsys/viewer.h). feed is read as a stream of frames (offsets are
// not looked at); input takes lines of events (wsys/view_input.h).
#include "net/errors.h"
#include "wsys/tree.h"
#include "wsys/viewer.h"

namespace grio::wsys {

namespace {

// The viewer acts with the fid's rights: the connection's, narrowed by a
// `watch` attach.
net::Error open_feed(Ctx& c, net::Fid& f, uint8_t) {
  net::Grant g = f.session->grant;
  g.rights = c.rights;
  auto v = c.ws.viewers().open(f.session->id, std::move(g));
  if (!v) return v.error();
  f.aux = *v;
  return {};
}

void read_feed(Ctx&, const net::Req& r) { std::static_pointer_cast<Viewer>(r->fid().aux)->read(r); }

void clunk_feed(Ctx& c, net::Fid& f) {
  if (f.aux) c.ws.viewers().close(f.session->id);
}

void write_input(Ctx& c, const net::Req& r) {
  auto v = c.ws.viewers().of(r->fid().session->id);
  if (!v) return r->error(err::noview);
  auto& t = r->twrite();
  auto events = parse_view_events(t.data);
  if (!events) return r->error(events.error());
  if (auto e = v->input(*events); !e.empty()) return r->error(e);
  r->respond(ninep::Rwrite{uint32_t(t.data.size())});
}

}  // namespace

const FileKind view_feed_file{"feed", Qfile::ViewFeed, 0400, false, net::right::view, net::right::all, open_feed, read_feed, nullptr, clunk_feed};
const FileKind view_input_file{"input", Qfile::ViewInput, 0200, false, net::right::all, net::right::view, nullptr, nullptr, write_input, nullptr};

}  // namespace grio::wsys

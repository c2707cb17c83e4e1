// label: each write replaces it (rio keeps only the last write's bytes).
#include "net/errors.h"
#include "wsys/tree.h"

namespace grio::wsys {

namespace {

void read(Ctx& c, const net::Req& r) { read_string(r, c.w->label); }

void write(Ctx& c, const net::Req& r) {
  auto& t = r->twrite();
  if (t.data.size() > max_label) return r->error(err::labeltoolong);
  c.ws.set_label(*c.w, t.data);
  r->respond(ninep::Rwrite{uint32_t(t.data.size())});
}

}  // namespace

const FileKind label_file{"label", Qfile::Label, 0600, true, net::right::view, net::right::manage, nullptr, read, write, nullptr};

}  // namespace grio::wsys

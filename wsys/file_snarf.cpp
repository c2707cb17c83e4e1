// snarf: one buffer for every window; a writer's bytes replace it when the
// writer closes the file.
#include "net/errors.h"
#include "wsys/tree.h"

namespace grio::wsys {

namespace {

constexpr size_t max_snarf = 100 * 1024;

net::Error open(Ctx&, net::Fid& f, uint8_t mode) {
  if ((mode & 3) != ninep::OREAD) f.aux = std::make_shared<std::string>();
  return {};
}

void read(Ctx& c, const net::Req& r) { read_string(r, c.ws.snarf); }

void write(Ctx& c, const net::Req& r) {
  auto& pending = *std::static_pointer_cast<std::string>(r->fid().aux);
  auto& t = r->twrite();
  if (pending.size() + t.data.size() > max_snarf) return r->error(err::snarflong);
  pending += t.data;
  c.ws.snarf_version++;
  r->respond(ninep::Rwrite{uint32_t(t.data.size())});
}

void clunk(Ctx& c, net::Fid& f) {
  if (!f.aux) return;
  c.ws.set_snarf(std::move(*std::static_pointer_cast<std::string>(f.aux)));
}

}  // namespace

const FileKind snarf_file{"snarf", Qfile::Snarf, 0600, false, net::right::snarf, net::right::snarf, open, read, write, clunk};

}  // namespace grio::wsys

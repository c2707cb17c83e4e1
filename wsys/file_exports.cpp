// exports: the owner's table of exports (net/exports.h), at the root of the
// owner's contexts only. Write `add NAME [rights=R] [listen=ADDR]
// [for=LABEL]` then read the new export's dial string and secret, shown
// this once; write `revoke NAME`; read, without an add, lists them.
#include "net/errors.h"
#include "net/exports.h"
#include "wsys/tree.h"

namespace grio::wsys {

namespace {

// Only the owner on the private socket: an export's peer, whatever its
// rights, never reaches the table.
net::Error open(Ctx& c, net::Fid& f, uint8_t) {
  if (!f.session->local_owner || !f.session->grant.owner() || !c.ws.exports()) return err::perm;
  f.aux = std::make_shared<std::string>();  // the reply to this fid's last add
  return {};
}

void read(Ctx& c, const net::Req& r) {
  auto& reply = *std::static_pointer_cast<std::string>(r->fid().aux);
  read_string(r, reply.empty() ? c.ws.exports()->list() : reply);
}

void write(Ctx& c, const net::Req& r) {
  auto& t = r->twrite();
  std::string line(t.data.substr(0, t.data.find('\n')));
  auto& reply = *std::static_pointer_cast<std::string>(r->fid().aux);
  std::string fresh;
  if (auto e = c.ws.exports()->command(line, fresh); !e.empty()) return r->error(e);
  reply = std::move(fresh);
  r->respond(ninep::Rwrite{uint32_t(t.data.size())});
}

}  // namespace

const FileKind exports_file{"exports", Qfile::Exports, 0600, false, net::right::all, net::right::all, open, read, write, nullptr};

}  // namespace grio::wsys

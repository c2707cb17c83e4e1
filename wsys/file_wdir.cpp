// wdir: the window's working directory, kept current by shells that write
// it after cd; relative writes are taken from the current value.
#include <filesystem>

#include "net/errors.h"
#include "wsys/tree.h"

namespace grio::wsys {

namespace {

void read(Ctx& c, const net::Req& r) { read_string(r, c.w->wdir); }

// Plan 9's cleanname, on std::filesystem's lexical normal form.
std::string clean(const std::string& path) {
  std::string s = std::filesystem::path(path).lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s.empty() ? "." : s;
}

// A path longer than PATH_MAX is refused, whether written or made by a
// relative write: the next one would cost more than the last.
void write(Ctx& c, const net::Req& r) {
  std::string_view d = r->twrite().data;
  if (!d.empty() && d.back() == '\n') d.remove_suffix(1);
  if (d.size() > max_wdir) return r->error(err::nametoolong);
  if (!d.empty()) {
    std::string& wdir = c.w->wdir;
    auto to = clean(d.front() == '/' || wdir.empty() ? std::string(d) : wdir + "/" + std::string(d));
    if (to.size() > max_wdir) return r->error(err::nametoolong);
    wdir = std::move(to);
  }
  r->respond(ninep::Rwrite{uint32_t(r->twrite().data.size())});
}

}  // namespace

const FileKind wdir_file{"wdir", Qfile::Wdir, 0600, true, net::right::manage, net::right::manage, nullptr, read, write, nullptr};

}  // namespace grio::wsys

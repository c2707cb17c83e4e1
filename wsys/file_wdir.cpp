// wdir: the window's working directory, kept current by shells that write
// it after cd; relative writes are taken from the current value.
#include <filesystem>

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

void write(Ctx& c, const net::Req& r) {
  std::string_view d = r->twrite().data;
  if (!d.empty() && d.back() == '\n') d.remove_suffix(1);
  if (!d.empty()) {
    std::string& wdir = c.w->wdir;
    wdir = clean(d.front() == '/' || wdir.empty() ? std::string(d) : wdir + "/" + std::string(d));
  }
  r->respond(ninep::Rwrite{uint32_t(r->twrite().data.size())});
}

}  // namespace

const FileKind wdir_file{"wdir", Qfile::Wdir, 0600, true, nullptr, read, write, nullptr};

}  // namespace grio::wsys

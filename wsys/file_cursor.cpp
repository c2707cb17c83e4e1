// cursor: a write of at least 72 bytes sets the window's cursor (offset.x
// and offset.y as 4-byte big-endian signed numbers, then clr and set, 32
// bytes each); a shorter one, or closing the file, restores the arrow.
// The desktop shows it while the pointer is in the window.
#include "net/errors.h"
#include "wsys/tree.h"

namespace grio::wsys {

namespace {

constexpr size_t CursorBytes = 2 * 4 + 2 * 2 * 16;

int32_t big_endian(const std::string& d, size_t at) {
  auto b = [&](size_t i) { return uint32_t(uint8_t(d[at + i])); };
  return int32_t(b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3));
}

void read(Ctx&, const net::Req& r) { r->error(err::cursorread); }

void write(Ctx& c, const net::Req& r) {
  const std::string& d = r->twrite().data;
  if (d.size() < CursorBytes) {
    c.w->cursor.reset();
  } else {
    Cursor k;
    k.offset = Point{big_endian(d, 0), big_endian(d, 4)};
    std::copy_n(d.begin() + 8, 32, k.clr.begin());
    std::copy_n(d.begin() + 40, 32, k.set.begin());
    c.w->cursor = k;
  }
  c.ws.changed(*c.w);
  r->respond(ninep::Rwrite{uint32_t(d.size())});
}

void clunk(Ctx& c, net::Fid&) {
  c.w->cursor.reset();
  if (!c.w->deleted) c.ws.changed(*c.w);
}

}  // namespace

const FileKind cursor_file{"cursor", Qfile::Cursor, 0600, true, net::right::view, net::right::manage, nullptr, read, write, clunk};

}  // namespace grio::wsys

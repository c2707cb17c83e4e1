// winid and winname: who the window is, read-only.
#include <cstdio>

#include "wsys/tree.h"

namespace grio::wsys {

namespace {

void read_winid(Ctx& c, const net::Req& r) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%11d ", c.w->id);
  read_string(r, buf);
}

// rio names the window's image on the draw device, renamed on reshape.
void read_winname(Ctx& c, const net::Req& r) {
  read_string(r, "window." + std::to_string(c.w->id) + "." + std::to_string(c.w->reshapes));
}

}  // namespace

const FileKind winid_file{"winid", Qfile::Winid, 0400, true, net::right::view, 0, nullptr, read_winid, nullptr, nullptr};
const FileKind winname_file{"winname", Qfile::Winname, 0400, true, net::right::view, 0, nullptr, read_winname, nullptr, nullptr};

}  // namespace grio::wsys

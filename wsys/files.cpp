// The table of file kinds, in rio's listing order (wsys/ comes after wctl).
#include "wsys/tree.h"

namespace grio::wsys {

const std::vector<const FileKind*>& file_kinds() {
  static const std::vector<const FileKind*> table = {
      &snarf_file, &wctl_file, &cons_file, &cursor_file, &consctl_file, &winid_file, &winname_file,
      &label_file, &kbd_file, &mouse_file, &text_file, &wdir_file, &screen_file, &window_file,
  };
  return table;
}

// new makes a window (push) and, without -pid, starts a program here
// (exec); the other verbs change a window (manage).
net::Rights wctl_right(const WctlCommand& c) {
  using namespace net::right;
  if (c.verb == WctlVerb::New && c.sub) return push | manage;  // a workspace, no program
  if (c.verb == WctlVerb::New) return c.pid ? push : push | exec;
  return manage;
}

}  // namespace grio::wsys

// Defaults for the optional parts of a file tree.
#include "net/file_tree.h"

#include "net/errors.h"

namespace grio::net {

Result<NodeRef> FileTree::create(Fid&, const ninep::Tcreate&) { return Result<NodeRef>::error(err::perm); }
Error FileTree::wstat(Fid&, const Stat& d) { return is_noop_wstat(d) ? Error{} : Error{err::perm}; }
Error FileTree::remove(Fid&) { return err::perm; }

bool is_noop_wstat(const Stat& d) {
  Stat none = ninep::dont_touch();
  none.length = d.length == 0 ? 0 : none.length;
  return d == none;
}

}  // namespace grio::net

// The errno a FUSE reply gives for a 9P error string.
#pragma once

#include <string_view>

namespace grio::mount {

// Exact text, as Linux's own v9fs maps it: the Plan 9 strings of grio, the
// Plan 9 kernel, lib9p, fossil and u9fs ("file does not exist", "file not
// found", "directory entry not found" are all ENOENT), and the Unix
// strerror() texts u9fs and diod send ("No such file or directory").
// grio's "file in use" gives EBUSY, as the mount's spec asks, where v9fs
// says ETXTBSY; a lost connection is ENOTCONN; anything else is EIO and
// worth logging.
int errno_of(std::string_view plan9_error);

}  // namespace grio::mount

// The errno a FUSE reply gives for a 9P error string.
#pragma once

#include <string_view>

namespace grio::mount {

// Plan 9's table strings map as Linux's own v9fs maps them (file in use
// gives EBUSY, as the mount's spec asks, where v9fs says ETXTBSY); a lost
// connection is ENOTCONN; anything else is EIO and worth logging.
int errno_of(std::string_view plan9_error);

}  // namespace grio::mount

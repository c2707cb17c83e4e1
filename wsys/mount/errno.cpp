// Plan 9 error strings to errno, one table.
#include "wsys/mount/errno.h"

#include <cerrno>

#include "net/errors.h"

namespace grio::mount {

namespace {

struct Mapping {
  std::string_view plan9;
  int errnum;
};

constexpr Mapping table[] = {
    {err::nonexist, ENOENT},   {err::perm, EACCES},          {err::inuse, EBUSY},
    {err::notdir, ENOTDIR},    {err::isdir, EISDIR},         {err::exists, EEXIST},
    {err::notempty, ENOTEMPTY}, {err::hungup, ENOTCONN},     {err::interrupted, EINTR},
    {err::toobig, EFBIG},
};

}  // namespace

int errno_of(std::string_view plan9_error) {
  for (auto& m : table)
    if (m.plan9 == plan9_error) return m.errnum;
  return EIO;
}

}  // namespace grio::mount

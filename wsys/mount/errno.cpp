// 9P error strings to errno: the strings of Plan 9 and its servers in one
// table, and the Unix strerror() texts that u9fs and diod send.
#include "wsys/mount/errno.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <unordered_map>

#include "net/errors.h"

namespace grio::mount {

namespace {

struct Mapping {
  std::string_view text;
  int errnum;
};

// What the Plan 9 kernel, lib9p (plan9port and Plan 9), fossil, vacfs,
// u9fs's own checks and grio say, grouped by the errno Linux's v9fs gives
// them (fs/9p/error.c), except grio's "file in use" (see errno.h).
constexpr Mapping plan9_table[] = {
    // ENOENT: the one that lets the kernel go on to create.
    {err::nonexist, ENOENT},
    {"file not found", ENOENT},             // lib9p (ramfs, most plan9port servers)
    {"directory entry not found", ENOENT},  // fossil, vacfs
    {"directory entry is not allocated", ENOENT},
    {"illegal path element", ENOENT},
    {err::exists, EEXIST},
    {"file exists", EEXIST},
    {"file or directory already exists", EEXIST},
    {err::perm, EACCES},
    {"not owner", EACCES},
    {"only owner can change group in wstat", EACCES},
    {err::nowstat, EPERM},
    {"create prohibited", EPERM},  // lib9p
    {"remove prohibited", EPERM},
    {"write prohibited", EPERM},
    {"cannot remove root", EPERM},
    {"wstat can't convert between files and directories", EPERM},
    {"not a member of proposed group", EPERM},
    {err::notdir, ENOTDIR},
    {err::walknodir, ENOTDIR},
    {err::createnondir, ENOTDIR},
    {err::isdir, EISDIR},
    {"file is a directory", EISDIR},  // the Plan 9 kernel
    {err::notempty, ENOTEMPTY},
    {"directory not empty", ENOTEMPTY},
    {err::inuse, EBUSY},
    {"file already open for I/O", ETXTBSY},
    {"exclusive use file already open", EAGAIN},
    {"file is in use", EAGAIN},
    {err::toobig, EFBIG},
    {"file too big", EFBIG},
    {"file system is full", ENOSPC},
    {"read only file system", EROFS},
    {"file is read only", EROFS},
    {err::interrupted, EINTR},
    {err::hungup, ENOTCONN},
    {"i/o on hungup channel", ENOTCONN},  // the Plan 9 kernel
    {"authentication failed", ECONNREFUSED},
    {err::badfid, EBADF},
    {"fid unknown or out of range", EBADF},
    {"bad use of fid", EBADF},
    {err::dupfid, EBADF},
    {"illegal mode", EINVAL},
    {"illegal name", ENAMETOOLONG},
    {"illegal offset", EINVAL},
    {"unknown user", EINVAL},
    {"unknown group", EINVAL},
    {err::badoffset, ESPIPE},
    {"protocol botch", EPROTO},
    {"9P protocol botch", EPROTO},  // lib9p
    {"i/o error", EIO},
    // grio's own, for what a user writes wrong through a mount (a bad
    // wctl message, a hub ctl command): the closest errno, not EIO.
    {err::badrect, EINVAL},
    {err::badrectattach, EINVAL},
    {err::badwctl, EINVAL},
    {err::wctlparam, EINVAL},
    {err::wctlextra, EINVAL},
    {err::badctl, EINVAL},
    {err::badconsctl, EINVAL},
    {err::badmouse, EINVAL},
    {err::badtty, EINVAL},
    {err::nowindowid, ENOENT},
    {err::nohub, ENOENT},
    {err::labeltoolong, ENAMETOOLONG},
    {err::nametoolong, ENAMETOOLONG},
    {err::snarflong, EFBIG},
    {err::toobig, EFBIG},
    {err::hubmemory, ENOSPC},
    {err::toomanywindows, EAGAIN},
    {err::toomanysessions, EAGAIN},
    {err::toomanyhubs, EAGAIN},
    {err::hidden, EINVAL},
    {err::alreadyhidden, EINVAL},
    {err::nothidden, EINVAL},
};

// Errors that carry a part of their own after a fixed start.
constexpr Mapping prefixes[] = {
    {err::baddir, ENOENT},        // "bad directory DIR: why"
    {"cap out of range", EINVAL},
    {"lag out of range", EINVAL},
    {"wait out of range", EINVAL},
    {err::badaname, EINVAL},      // "unknown aname NAME"
};

// strerror() of every errno this libc names: u9fs and diod send those
// texts ("No such file or directory"). Built once; the table above wins
// where a text is in both.
std::unordered_map<std::string, int> build() {
  std::unordered_map<std::string, int> m;
  for (auto& e : plan9_table) m.emplace(std::string(e.text), e.errnum);
  for (int n = 1; n < 256; n++) {
    const char* s = strerrordesc_np(n);  // thread-safe; null for an unused number
    if (s) m.emplace(s, n);
  }
  return m;
}

}  // namespace

int errno_of(std::string_view plan9_error) {
  static const std::unordered_map<std::string, int> table = build();
  auto it = table.find(std::string(plan9_error));
  if (it != table.end()) return it->second;
  for (auto& p : prefixes)
    if (plan9_error.starts_with(p.text)) return p.errnum;
  return EIO;
}

}  // namespace grio::mount

// The errno table and the inode table of grio mount.
#include <catch2/catch.hpp>
#include <cerrno>

#include "net/errors.h"
#include "wsys/mount/errno.h"
#include "wsys/mount/inodes.h"

using namespace grio;
using namespace grio::mount;

TEST_CASE("Plan 9 error strings become errno", "[mount]") {
  CHECK(errno_of(err::nonexist) == ENOENT);
  CHECK(errno_of(err::perm) == EACCES);
  CHECK(errno_of(err::inuse) == EBUSY);
  CHECK(errno_of(err::hungup) == ENOTCONN);
  CHECK(errno_of(err::interrupted) == EINTR);
  CHECK(errno_of(err::deleted) == EIO);
  CHECK(errno_of("file does not exist ") == EIO);  // exact strings only
}

TEST_CASE("inodes: one number per path until the kernel forgets it", "[mount]") {
  Inodes t;
  CHECK(t.lookup("") == kRootIno);
  Ino a = t.lookup("wsys/1/cons");
  CHECK(a != kRootIno);
  CHECK(t.lookup("wsys/1/cons") == a);
  CHECK(t.lookup("cons") != a);
  CHECK(t.path(a) == "wsys/1/cons");
  t.forget(a, 1);
  CHECK(t.path(a) == "wsys/1/cons");  // looked up twice, forgotten once
  t.forget(a, 1);
  CHECK(t.path(a) == std::nullopt);
  CHECK(t.lookup("wsys/1/cons") != a);
  CHECK(t.path(kRootIno) == "");
  CHECK(child_path("", "cons") == "cons");
  CHECK(child_path("wsys", "1") == "wsys/1");
}

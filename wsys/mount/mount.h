// grio mount's engine: a 9P service mounted on a directory through FUSE,
// served until it is unmounted or we are told to stop.
#pragma once

#include <string>

namespace grio::mount {

struct MountConfig {
  std::string addr;   // dial string of the service
  std::string aname;  // attach name ("new -r 0 0 400 300" makes a window)
  std::string dir;    // the mount point
  bool daemon = false;      // -d: return once mounted and serve in the background
  bool fuse_debug = false;  // libfuse's own -d log
};

// Mounts and serves until `fusermount3 -u DIR`, SIGINT, SIGTERM or SIGHUP;
// then unmounts, clunks every fid and returns the exit status. Errors go to
// stderr prefixed "mount: ".
int run(const MountConfig& cfg);

}  // namespace grio::mount

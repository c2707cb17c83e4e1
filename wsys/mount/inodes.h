// FUSE inode numbers for paths of the 9P tree.
//
// The mount holds no fid per inode: every operation walks from the root
// fid, so the server sees fids only for what is open, and an inode the
// kernel keeps around costs the server nothing.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace grio::mount {

using Ino = uint64_t;
inline constexpr Ino kRootIno = 1;  // FUSE_ROOT_ID, path ""

class Inodes {
 public:
  // The inode of path (slash-separated, "" is the root), counting one
  // kernel lookup of it.
  Ino lookup(const std::string& path);
  // The path of ino, unless the kernel has forgotten it.
  std::optional<std::string> path(Ino ino) const;
  // The kernel dropped n lookups of ino; at zero its number is free.
  void forget(Ino ino, uint64_t n);
  size_t size() const;

 private:
  struct Node {
    std::string path;
    uint64_t lookups = 0;
  };
  mutable std::mutex mu_;  // FUSE calls come from several threads
  std::unordered_map<std::string, Ino> by_path_;
  std::unordered_map<Ino, Node> by_ino_;
  Ino next_ = kRootIno + 1;
};

// path/name, or name at the root.
std::string child_path(const std::string& dir, const std::string& name);

}  // namespace grio::mount

// FUSE inode numbers for paths of the 9P tree.
#include "wsys/mount/inodes.h"

namespace grio::mount {

Ino Inodes::lookup(const std::string& path) {
  if (path.empty()) return kRootIno;
  std::lock_guard lock(mu_);
  auto [it, fresh] = by_path_.try_emplace(path, next_);
  if (fresh) by_ino_[next_++] = Node{path, 0};
  by_ino_[it->second].lookups++;
  return it->second;
}

std::optional<std::string> Inodes::path(Ino ino) const {
  if (ino == kRootIno) return std::string();
  std::lock_guard lock(mu_);
  auto it = by_ino_.find(ino);
  if (it == by_ino_.end()) return std::nullopt;
  return it->second.path;
}

void Inodes::forget(Ino ino, uint64_t n) {
  if (ino == kRootIno) return;
  std::lock_guard lock(mu_);
  auto it = by_ino_.find(ino);
  if (it == by_ino_.end()) return;
  if (it->second.lookups > n) {
    it->second.lookups -= n;
    return;
  }
  by_path_.erase(it->second.path);
  by_ino_.erase(it);
}

size_t Inodes::size() const {
  std::lock_guard lock(mu_);
  return by_ino_.size();
}

std::string child_path(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

}  // namespace grio::mount

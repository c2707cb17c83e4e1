// An in-memory file tree, like plan9port's ramfs: files, directories,
// create, remove, wstat of name/mode/length, and pipes. Used by tests and
// by `grio ramfs`.
//
// A file named `pipe` (one exists at the root from the start; any file
// created under that name is one too) is a byte queue: reads take what is
// queued and park while it is empty; writes append and wake the readers in
// the order they came.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "net/file_tree.h"

namespace grio::net {

class RamFs : public FileTree {
 public:
  explicit RamFs(std::string owner = "none");

  Result<NodeRef> attach(const ninep::Tattach& t, const Session& s) override;
  Result<NodeRef> walk1(const NodeRef& from, std::string_view name) override;
  Error open(Fid& f, uint8_t mode) override;
  Result<NodeRef> create(Fid& dir, const ninep::Tcreate& t) override;
  void read(const Req& r) override;
  void write(const Req& r) override;
  std::vector<Stat> list(Fid& f) override;
  Result<Stat> stat(Fid& f) override;
  Error wstat(Fid& f, const Stat& d) override;
  Error remove(Fid& f) override;
  void clunk(Fid& f) override;

  static constexpr uint64_t max_file_size = uint64_t(1) << 30;

  // What tests look at: how many fids and parked reads the tree holds.
  size_t open_files() const { return opens_; }
  size_t parked_reads() const;

  struct File;

 private:
  std::shared_ptr<File> make(std::string name, uint32_t mode, const std::shared_ptr<File>& parent);
  void service_pipe(File& f);

  std::string owner_;
  uint64_t next_path_ = 0;
  std::shared_ptr<File> root_;
  size_t opens_ = 0;
};

struct RamFs::File {
  std::string name;
  uint32_t mode = 0;
  Qid qid;
  uint32_t atime = 0, mtime = 0;
  std::string uid, gid, muid;
  std::weak_ptr<File> parent;
  std::map<std::string, std::shared_ptr<File>> children;  // directories
  std::string data;                                       // files; a pipe's queue
  bool pipe = false;
  std::deque<Req> readers;                                // parked pipe reads
  int opens = 0;                                          // for DMEXCL
  bool removed = false;
  bool is_dir() const { return mode & ninep::DMDIR; }
};

}  // namespace grio::net

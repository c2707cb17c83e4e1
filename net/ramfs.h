// An in-memory file tree, like plan9port's ramfs: files, directories,
// create, remove, wstat of name/mode/length, and pipes. Used by tests and
// by `grio ramfs`.
//
// A file named `pipe` (one exists at the root from the start; any file
// created under that name is one too) is a byte queue: reads take what is
// queued and park while it is empty; writes append and wake the readers in
// the order they came. Any other file keeps its bytes as extents of shared
// buffers (ram_data.h).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "net/file_tree.h"
#include "net/ram_data.h"

namespace grio::net {

class RamFs : public FileTree {
 public:
  // What the whole tree may hold, whoever writes: the bytes of every file
  // (a removed one still open counts until its last fid goes, and so do
  // bytes a reply not yet sent still holds) and the number of files and
  // directories. Past either, "file system is full".
  struct Limits {
    uint64_t max_bytes = uint64_t(1) << 30;
    size_t max_files = 65536;
  };
  // What the tree holds now.
  using Usage = RamUsage;

  explicit RamFs(std::string owner = "none");
  RamFs(std::string owner, Limits limits);

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
  const Usage& usage() const { return *usage_; }

  struct File;

 private:
  std::shared_ptr<File> make(std::string name, uint32_t mode, const std::shared_ptr<File>& parent);
  void service_pipe(File& f);
  void write_pipe(File& f, const Req& r);
  bool fits(const File& f, uint64_t size) const;
  bool retype(File& f, bool check);

  std::string owner_;
  Limits limits_;
  std::shared_ptr<Usage> usage_ = std::make_shared<Usage>();
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
  std::string data;                                       // a pipe's queue
  bool pipe = false;
  std::deque<Req> readers;                                // parked pipe reads
  int opens = 0;                                          // for DMEXCL
  bool removed = false;
  bool is_dir() const { return mode & ninep::DMDIR; }

  // The tree's count, kept by the file: data.size() is counted while the
  // file lives, so every change of data's size goes through set_size.
  // bytes (a file's, not a pipe's) keeps its own count.
  std::shared_ptr<Usage> usage;
  RamData bytes;
  void set_size(uint64_t n) {
    usage->bytes = usage->bytes - data.size() + n;
    data.resize(n);
  }
  File(std::shared_ptr<Usage> u, uint64_t max_bytes) : usage(u), bytes(u, max_bytes) {}
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File() {
    usage->bytes -= data.size();
    usage->files--;
  }
};

}  // namespace grio::net

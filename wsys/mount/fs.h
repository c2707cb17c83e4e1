// The FUSE file system: each low-level FUSE operation answered through one
// 9P connection, with no caching, so that synthetic files (cons, wctl)
// behave for cat, echo and tee as they do on Plan 9.
#pragma once

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <memory>
#include <mutex>
#include <set>

#include "net/client.h"
#include "wsys/mount/inodes.h"

namespace grio::mount {

class Fs {
 public:
  explicit Fs(net::SyncClient& c);
  // The operations; pass `this` as the session's userdata.
  static const fuse_lowlevel_ops& ops();

  // The mount is going away: flush every read or write still waiting on
  // the server (a blocked cons read), and fail those that come later.
  void shutdown();
  // Clunks the fids of files the kernel never released (an unmount with
  // files still open). Call it after the session loop has ended.
  void clunk_all();

  // ---- the operations, called by the trampolines in fs.cpp ----
  void init(fuse_conn_info* conn);
  void lookup(fuse_req_t req, Ino parent, const char* name);
  void forget(Ino ino, uint64_t n) { inodes_.forget(ino, n); }
  void getattr(fuse_req_t req, Ino ino, fuse_file_info* fi);
  void setattr(fuse_req_t req, Ino ino, const struct stat* attr, int to_set, fuse_file_info* fi);
  void open(fuse_req_t req, Ino ino, fuse_file_info* fi);
  void create(fuse_req_t req, Ino parent, const char* name, mode_t mode, fuse_file_info* fi);
  void read(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi);
  void write(fuse_req_t req, const char* buf, size_t size, off_t off, fuse_file_info* fi);
  void release(fuse_req_t req, fuse_file_info* fi);
  void opendir(fuse_req_t req, Ino ino, fuse_file_info* fi);
  void readdir(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi);
  void releasedir(fuse_req_t req, fuse_file_info* fi);
  void mkdir(fuse_req_t req, Ino parent, const char* name, mode_t mode);
  void remove(fuse_req_t req, Ino parent, const char* name);

 private:
  struct Handle;
  struct Dir;
  class Pending;
  // A new fid walked to the path of ino, or an errno.
  net::Result<uint32_t> walk(Ino ino, const std::string& name = "");
  // Replies with the entry for path (walked, stat'ed and clunked).
  void reply_entry(fuse_req_t req, const std::string& path);
  // Replies with the errno for a 9P error, logging the ones that become EIO.
  void reply_error(fuse_req_t req, const char* op, const net::Error& e);
  bool exiting() const;
  Handle* adopt(uint32_t fid, uint32_t iounit, fuse_file_info* fi);

  net::SyncClient& c_;
  Inodes inodes_;
  mutable std::mutex mu_;
  bool exiting_ = false;
  std::set<Handle*> open_;                             // open files, by handle
  std::set<std::shared_ptr<net::Interrupt>> pending_;  // reads and writes out
};

}  // namespace grio::mount

// The FUSE file system over one 9P connection: open/release are walk+open
// and clunk, each FUSE read is exactly one Tread, and nothing is cached.
#include "wsys/mount/fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <vector>

#include "net/errors.h"
#include "wsys/mount/errno.h"

namespace grio::mount {

using net::Error;
using net::Result;
using namespace ninep;

// An open file: its fid and the most one Tread or Twrite may carry.
struct Fs::Handle {
  uint32_t fid;
  uint32_t iounit;
};

// An open directory, read whole at opendir (9P directory reads may only
// go forward, FUSE's readdir may restart anywhere); its fid is clunked then.
struct Fs::Dir {
  std::vector<Stat> entries;
};

// One read or write that may wait on the server. While it is out, a FUSE
// interrupt of its request (^C on a blocked cat) or a shutdown flushes it.
class Fs::Pending {
 public:
  Pending(Fs& fs, fuse_req_t req) : fs_(fs), req_(req), intr_(fs.c_.interruptible()) {
    {
      std::lock_guard lock(fs_.mu_);
      if (fs_.exiting_) intr_->interrupt();
      fs_.pending_.insert(intr_);
    }
    fuse_req_interrupt_func(req_, &on_interrupt, intr_.get());
  }
  // Unregistering takes the request's lock, so it waits for an on_interrupt
  // that is running: after this the Interrupt is ours alone.
  ~Pending() {
    fuse_req_interrupt_func(req_, nullptr, nullptr);
    std::lock_guard lock(fs_.mu_);
    fs_.pending_.erase(intr_);
  }
  const std::shared_ptr<net::Interrupt>& intr() const { return intr_; }

 private:
  static void on_interrupt(fuse_req_t, void* intr) { static_cast<net::Interrupt*>(intr)->interrupt(); }
  Fs& fs_;
  fuse_req_t req_;
  std::shared_ptr<net::Interrupt> intr_;
};

namespace {

// No caching anywhere: synthetic files change behind the kernel's back and
// report length 0.
constexpr double kNoCache = 0.0;
constexpr uint32_t kMaxIo = 1 << 20;  // what libfuse's buffers allow per request
// st_blksize: cat and cp size their buffers by it (128 KiB at least), and
// each buffer is one FUSE request, so one 9P message, as long as it fits
// in a message under the servers' 1 MiB msize cap.
constexpr blksize_t kIoBlock = 512 * 1024;

struct stat to_stat(const Stat& d, Ino ino) {
  struct stat st{};
  bool dir = d.mode & DMDIR;
  st.st_ino = ino;
  st.st_mode = (dir ? S_IFDIR : S_IFREG) | (d.mode & 0777);
  st.st_nlink = dir ? 2 : 1;
  // 9P names its owners; the mount belongs to whoever ran it.
  st.st_uid = ::getuid();
  st.st_gid = ::getgid();
  st.st_size = off_t(d.length);
  st.st_blksize = kIoBlock;
  st.st_blocks = off_t((d.length + 511) / 512);
  st.st_atime = d.atime;
  st.st_mtime = st.st_ctime = d.mtime;
  return st;
}

uint8_t open_mode(int flags) {
  int acc = flags & O_ACCMODE;
  uint8_t m = acc == O_WRONLY ? OWRITE : acc == O_RDWR ? ORDWR : OREAD;
  if (flags & O_TRUNC) m |= OTRUNC;
  return m;
}

// The kernel asks for more than one message may carry; each FUSE read or
// write is then one Tread or as few Twrites as fit.
void uncached(fuse_file_info* fi) {
  fi->direct_io = 1;
  fi->keep_cache = 0;
}

}  // namespace

Fs::Fs(net::SyncClient& c) : c_(c) {}

void Fs::init(fuse_conn_info* conn) {
  // O_TRUNC comes with open (as OTRUNC) instead of a separate setattr.
  if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
  conn->want &= ~(FUSE_CAP_AUTO_INVAL_DATA | FUSE_CAP_READDIRPLUS);
  conn->max_write = std::min(c_.msize() - IOHDRSZ, kMaxIo);
}

Result<uint32_t> Fs::walk(Ino ino, const std::string& name) {
  auto path = inodes_.path(ino);
  if (!path) return Result<uint32_t>::error(err::nonexist);
  return c_.walk_path(name.empty() ? *path : child_path(*path, name));
}

// A read flushed because the mount is going away says so, rather than
// EINTR, which cat would simply retry.
void Fs::reply_error(fuse_req_t req, const char* op, const Error& e) {
  int n = errno_of(e);
  if (n == EINTR && exiting()) n = ENOTCONN;
  // The server's own words, where the errno alone would leave a user
  // guessing what was wrong (a bad wctl message is only EINVAL).
  if (n == EIO || n == EINVAL || n == ENOSPC || n == EAGAIN) std::fprintf(stderr, "grio mount: %s: %s\n", op, e.c_str());
  fuse_reply_err(req, n);
}

void Fs::reply_entry(fuse_req_t req, const std::string& path) {
  auto fid = c_.walk_path(path);
  if (!fid) return reply_error(req, "walk", fid.error());
  auto d = c_.stat(*fid);
  c_.clunk(*fid);
  if (!d) return reply_error(req, "stat", d.error());
  fuse_entry_param e{};
  e.ino = inodes_.lookup(path);
  e.attr = to_stat(*d, e.ino);
  e.attr_timeout = e.entry_timeout = kNoCache;
  if (fuse_reply_entry(req, &e) != 0) inodes_.forget(e.ino, 1);  // the kernel never saw it
}

void Fs::lookup(fuse_req_t req, Ino parent, const char* name) {
  auto dir = inodes_.path(parent);
  if (!dir) return reply_error(req, "lookup", err::nonexist);
  reply_entry(req, child_path(*dir, name));
}

void Fs::getattr(fuse_req_t req, Ino ino, fuse_file_info*) {
  auto fid = walk(ino);
  if (!fid) return reply_error(req, "walk", fid.error());
  auto d = c_.stat(*fid);
  c_.clunk(*fid);
  if (!d) return reply_error(req, "stat", d.error());
  struct stat st = to_stat(*d, ino);
  fuse_reply_attr(req, &st, kNoCache);
}

// Mode, length and mtime become one Twstat; what 9P cannot set (owners,
// atime) is left alone, so `touch` and `>` ask the server for no change
// or length 0, which grio's servers accept.
void Fs::setattr(fuse_req_t req, Ino ino, const struct stat* attr, int to_set, fuse_file_info*) {
  auto fid = walk(ino);
  if (!fid) return reply_error(req, "walk", fid.error());
  auto old = c_.stat(*fid);
  Error e = old ? "" : old.error();
  if (e.empty()) {
    Stat d = dont_touch();
    if (to_set & FUSE_SET_ATTR_MODE) d.mode = (old->mode & ~0777u) | (attr->st_mode & 0777);
    if (to_set & FUSE_SET_ATTR_SIZE) d.length = uint64_t(attr->st_size);
    if (to_set & FUSE_SET_ATTR_MTIME) d.mtime = uint32_t(attr->st_mtime);
    if (to_set & FUSE_SET_ATTR_MTIME_NOW) d.mtime = uint32_t(std::time(nullptr));
    e = c_.wstat(*fid, d);
  }
  auto now = e.empty() ? c_.stat(*fid) : Result<Stat>::error(e);
  c_.clunk(*fid);
  if (!now) return reply_error(req, "wstat", now.error());
  struct stat st = to_stat(*now, ino);
  fuse_reply_attr(req, &st, kNoCache);
}

Fs::Handle* Fs::adopt(uint32_t fid, uint32_t iounit, fuse_file_info* fi) {
  uint32_t most = std::min(c_.msize() - IOHDRSZ, kMaxIo);
  auto* h = new Handle{fid, iounit > 0 ? std::min(iounit, most) : most};
  {
    std::lock_guard lock(mu_);
    open_.insert(h);
  }
  fi->fh = reinterpret_cast<uint64_t>(h);
  uncached(fi);
  return h;
}

void Fs::open(fuse_req_t req, Ino ino, fuse_file_info* fi) {
  auto fid = walk(ino);
  if (!fid) return reply_error(req, "walk", fid.error());
  auto r = c_.open(*fid, open_mode(fi->flags));
  if (!r) {
    c_.clunk(*fid);
    return reply_error(req, "open", r.error());
  }
  adopt(*fid, r->iounit, fi);
  // An interrupted open gets no release from the kernel: clunk it here.
  if (fuse_reply_open(req, fi) != 0) release(nullptr, fi);
}

void Fs::create(fuse_req_t req, Ino parent, const char* name, mode_t mode, fuse_file_info* fi) {
  auto fid = walk(parent);
  if (!fid) return reply_error(req, "walk", fid.error());
  auto r = c_.create(*fid, name, mode & 0777, open_mode(fi->flags) & ~OTRUNC);
  auto d = r ? c_.stat(*fid) : Result<Stat>::error(r.error());
  if (!d) {
    c_.clunk(*fid);
    return reply_error(req, "create", d.error());
  }
  adopt(*fid, r->iounit, fi);
  fuse_entry_param e{};
  e.ino = inodes_.lookup(child_path(*inodes_.path(parent), name));
  e.attr = to_stat(*d, e.ino);
  e.attr_timeout = e.entry_timeout = kNoCache;
  if (fuse_reply_create(req, &e, fi) != 0) {
    inodes_.forget(e.ino, 1);
    release(nullptr, fi);
  }
}

void Fs::read(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi) {
  auto* h = reinterpret_cast<Handle*>(fi->fh);
  uint32_t count = uint32_t(std::min<size_t>(size, h->iounit));
  Result<std::string> r = Result<std::string>::error(err::interrupted);
  {
    Pending p(*this, req);
    r = c_.read(h->fid, uint64_t(off), count, p.intr());
  }
  if (!r) return reply_error(req, "read", r.error());
  fuse_reply_buf(req, r->data(), r->size());
}

// A server that takes less than asked is asked again for the rest; an
// error after some bytes went reports those bytes, as write(2) does.
void Fs::write(fuse_req_t req, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
  auto* h = reinterpret_cast<Handle*>(fi->fh);
  size_t done = 0;
  Error e;
  {
    Pending p(*this, req);
    do {
      size_t n = std::min<size_t>(size - done, h->iounit);
      auto r = c_.write(h->fid, uint64_t(off) + done, std::string_view(buf + done, n), p.intr());
      if (!r) e = r.error();
      if (!r || *r == 0) break;
      done += *r;
    } while (done < size);
  }
  if (done == 0 && !e.empty()) return reply_error(req, "write", e);
  fuse_reply_write(req, done);
}

// req is null when a reply failed and the kernel will send no release.
void Fs::release(fuse_req_t req, fuse_file_info* fi) {
  auto* h = reinterpret_cast<Handle*>(fi->fh);
  {
    std::lock_guard lock(mu_);
    open_.erase(h);
  }
  c_.clunk(h->fid);
  delete h;
  if (req) fuse_reply_err(req, 0);
}

void Fs::opendir(fuse_req_t req, Ino ino, fuse_file_info* fi) {
  auto fid = walk(ino);
  if (!fid) return reply_error(req, "walk", fid.error());
  auto r = c_.open(*fid, OREAD);
  auto entries = r ? c_.read_dir(*fid) : Result<std::vector<Stat>>::error(r.error());
  c_.clunk(*fid);
  if (!entries) return reply_error(req, "opendir", entries.error());
  fi->fh = reinterpret_cast<uint64_t>(new Dir{std::move(*entries)});
  fi->cache_readdir = 0;
  if (fuse_reply_open(req, fi) != 0) releasedir(nullptr, fi);
}

// BUG: an entry's d_ino is derived from its qid, not the inode number a
// lookup of it gives; ls -i shows the lookup's.
void Fs::readdir(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi) {
  auto* d = reinterpret_cast<Dir*>(fi->fh);
  std::string buf(size, '\0');
  size_t used = 0;
  for (size_t i = size_t(off); i < d->entries.size(); i++) {
    struct stat st = to_stat(d->entries[i], d->entries[i].qid.path + 2);
    size_t n = fuse_add_direntry(req, buf.data() + used, size - used, d->entries[i].name.c_str(), &st,
                                 off_t(i + 1));
    if (n > size - used) break;
    used += n;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void Fs::releasedir(fuse_req_t req, fuse_file_info* fi) {
  delete reinterpret_cast<Dir*>(fi->fh);
  if (req) fuse_reply_err(req, 0);
}

void Fs::mkdir(fuse_req_t req, Ino parent, const char* name, mode_t mode) {
  auto fid = walk(parent);
  if (!fid) return reply_error(req, "walk", fid.error());
  auto r = c_.create(*fid, name, DMDIR | (mode & 0777), OREAD);
  c_.clunk(*fid);
  if (!r) return reply_error(req, "mkdir", r.error());
  reply_entry(req, child_path(*inodes_.path(parent), name));
}

// unlink and rmdir alike: the server knows which it is.
void Fs::remove(fuse_req_t req, Ino parent, const char* name) {
  auto fid = walk(parent, name);
  if (!fid) return reply_error(req, "walk", fid.error());
  Error e = c_.remove(*fid);
  if (!e.empty()) return reply_error(req, "remove", e);
  fuse_reply_err(req, 0);
}

void Fs::shutdown() {
  std::lock_guard lock(mu_);
  exiting_ = true;
  for (auto& i : pending_) i->interrupt();
}

void Fs::clunk_all() {
  std::set<Handle*> left;
  {
    std::lock_guard lock(mu_);
    left.swap(open_);
  }
  for (Handle* h : left) {
    c_.clunk(h->fid);
    delete h;
  }
}

bool Fs::exiting() const {
  std::lock_guard lock(mu_);
  return exiting_;
}

// ---- trampolines: libfuse calls plain functions with the Fs as userdata ----

namespace {

Fs& fs_of(fuse_req_t req) { return *static_cast<Fs*>(fuse_req_userdata(req)); }

const fuse_lowlevel_ops the_ops = [] {
  fuse_lowlevel_ops o{};
  o.init = [](void* fs, fuse_conn_info* conn) { static_cast<Fs*>(fs)->init(conn); };
  o.lookup = [](fuse_req_t r, fuse_ino_t p, const char* n) { fs_of(r).lookup(r, p, n); };
  o.forget = [](fuse_req_t r, fuse_ino_t i, uint64_t n) {
    fs_of(r).forget(i, n);
    fuse_reply_none(r);
  };
  o.forget_multi = [](fuse_req_t r, size_t count, fuse_forget_data* fs) {
    for (size_t i = 0; i < count; i++) fs_of(r).forget(fs[i].ino, fs[i].nlookup);
    fuse_reply_none(r);
  };
  o.getattr = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi) { fs_of(r).getattr(r, i, fi); };
  o.setattr = [](fuse_req_t r, fuse_ino_t i, struct stat* a, int s, fuse_file_info* fi) {
    fs_of(r).setattr(r, i, a, s, fi);
  };
  o.open = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi) { fs_of(r).open(r, i, fi); };
  o.create = [](fuse_req_t r, fuse_ino_t p, const char* n, mode_t m, fuse_file_info* fi) {
    fs_of(r).create(r, p, n, m, fi);
  };
  o.read = [](fuse_req_t r, fuse_ino_t, size_t s, off_t off, fuse_file_info* fi) {
    fs_of(r).read(r, s, off, fi);
  };
  o.write = [](fuse_req_t r, fuse_ino_t, const char* b, size_t s, off_t off, fuse_file_info* fi) {
    fs_of(r).write(r, b, s, off, fi);
  };
  o.release = [](fuse_req_t r, fuse_ino_t, fuse_file_info* fi) { fs_of(r).release(r, fi); };
  o.opendir = [](fuse_req_t r, fuse_ino_t i, fuse_file_info* fi) { fs_of(r).opendir(r, i, fi); };
  o.readdir = [](fuse_req_t r, fuse_ino_t, size_t s, off_t off, fuse_file_info* fi) {
    fs_of(r).readdir(r, s, off, fi);
  };
  o.releasedir = [](fuse_req_t r, fuse_ino_t, fuse_file_info* fi) { fs_of(r).releasedir(r, fi); };
  o.mkdir = [](fuse_req_t r, fuse_ino_t p, const char* n, mode_t m) { fs_of(r).mkdir(r, p, n, m); };
  o.unlink = [](fuse_req_t r, fuse_ino_t p, const char* n) { fs_of(r).remove(r, p, n); };
  o.rmdir = [](fuse_req_t r, fuse_ino_t p, const char* n) { fs_of(r).remove(r, p, n); };
  return o;
}();

}  // namespace

const fuse_lowlevel_ops& Fs::ops() { return the_ops; }

}  // namespace grio::mount

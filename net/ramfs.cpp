// The in-memory file tree behind `grio ramfs`.
#include "net/ramfs.h"

#include <ctime>
#include <utility>

#include "net/errors.h"
#include "net/outbox.h"

namespace grio::net {

using namespace ninep;
using File = RamFs::File;

namespace {

struct RamNode : Node {
  std::shared_ptr<File> f;
  explicit RamNode(std::shared_ptr<File> file) : f(std::move(file)) {}
  Qid qid() const override { return f->qid; }
};

File& file_of(const Fid& fid) { return *static_cast<const RamNode&>(*fid.node).f; }
std::shared_ptr<File> file_ref(const NodeRef& n) { return static_cast<const RamNode&>(*n).f; }
NodeRef node(std::shared_ptr<File> f) { return std::make_shared<RamNode>(std::move(f)); }

uint32_t now() { return uint32_t(std::time(nullptr)); }

// Plan 9 permission check: owner bits for the owner, else the others' bits.
bool allowed(const File& f, const std::string& uname, int need) {
  uint32_t bits = uname == f.uid ? f.mode >> 6 : f.mode;
  return (bits & need) == uint32_t(need);
}

int need_for(uint8_t mode) {
  int need = 0;
  switch (mode & 3) {
    case OREAD: need = 4; break;
    case OWRITE: need = 2; break;
    case ORDWR: need = 6; break;
    case OEXEC: need = 1; break;
  }
  if (mode & OTRUNC) need |= 2;
  return need;
}

void touch(File& f, const std::string& who) {
  f.qid.version++;
  f.mtime = now();
  f.muid = who;
}

}  // namespace

RamFs::RamFs(std::string owner) : RamFs(std::move(owner), Limits{}) {}

RamFs::RamFs(std::string owner, Limits limits) : owner_(std::move(owner)), limits_(limits) {
  root_ = make("/", DMDIR | 0777, nullptr);
  make("pipe", 0666, root_);
}

std::shared_ptr<File> RamFs::make(std::string name, uint32_t mode, const std::shared_ptr<File>& parent) {
  auto f = std::make_shared<File>(usage_, limits_.max_bytes);
  usage_->files++;
  f->name = std::move(name);
  f->mode = mode;
  f->qid = Qid{uint8_t(mode >> 24), 0, next_path_++};
  f->atime = f->mtime = now();
  f->uid = f->gid = f->muid = owner_;
  f->pipe = f->name == "pipe" && !f->is_dir();
  f->parent = parent;
  if (parent) parent->children[f->name] = f;
  return f;
}

// Whether the tree's budget allows f to have size bytes.
bool RamFs::fits(const File& f, uint64_t size) const {
  if (!f.pipe) return f.bytes.can_resize(size);
  return size <= f.data.size() || (usage_->bytes <= limits_.max_bytes && size - f.data.size() <= limits_.max_bytes - usage_->bytes);
}

// A file renamed to or from "pipe" changes kind, and its bytes move over.
// With check, only says whether the tree has room for the move.
bool RamFs::retype(File& f, bool check) {
  bool pipe = f.name == "pipe" && !f.is_dir();
  if (pipe == f.pipe) return true;
  uint64_t n = f.pipe ? f.data.size() : f.bytes.size();
  // To a file, the bytes take a buffer's room; the pipe's go only after.
  uint64_t need = f.pipe ? RamData::room_for(n) : n;
  if (check) return need <= limits_.max_bytes && usage_->bytes <= limits_.max_bytes - need;
  if (pipe) {
    f.data = f.bytes.copy(0, n);
    usage_->bytes += n;
    f.bytes.resize(0);
  } else {
    f.bytes.write(0, f.data);
    f.set_size(0);
  }
  f.pipe = pipe;
  return true;
}

size_t RamFs::parked_reads() const {
  size_t n = 0;
  std::vector<const File*> todo{root_.get()};
  while (!todo.empty()) {
    auto* f = todo.back();
    todo.pop_back();
    n += f->readers.size();
    for (auto& [name, c] : f->children) todo.push_back(c.get());
  }
  return n;
}

Result<NodeRef> RamFs::attach(const Tattach& t, const Session&) {
  if (!t.aname.empty() && t.aname != "/") return Result<NodeRef>::error("unknown aname " + t.aname);
  return node(root_);
}

Result<NodeRef> RamFs::walk1(const NodeRef& from, std::string_view name) {
  auto f = file_ref(from);
  if (name == "..") {
    auto p = f->parent.lock();
    return node(p ? p : f);
  }
  auto it = f->children.find(std::string(name));
  if (it == f->children.end()) return Result<NodeRef>::error(err::nonexist);
  return node(it->second);
}

Error RamFs::open(Fid& fid, uint8_t mode) {
  File& f = file_of(fid);
  if (f.removed) return err::nonexist;
  if (!allowed(f, fid.session->uname, need_for(mode))) return err::perm;
  if ((f.mode & DMEXCL) && f.opens > 0) return err::inuse;
  if ((mode & OTRUNC) && !f.pipe && !(f.mode & DMAPPEND)) {
    f.bytes.resize(0);
    touch(f, fid.session->uname);
  }
  f.opens++;
  opens_++;
  fid.aux = std::make_shared<bool>(true);  // marks "counted in opens"
  return {};
}

void RamFs::clunk(Fid& fid) {
  if (!fid.aux) return;
  file_of(fid).opens--;
  opens_--;
  fid.aux.reset();
}

Result<NodeRef> RamFs::create(Fid& dir, const Tcreate& t) {
  auto d = file_ref(dir.node);
  if (d->removed) return Result<NodeRef>::error(err::nonexist);
  if (!allowed(*d, dir.session->uname, 2)) return Result<NodeRef>::error(err::perm);
  if (d->children.count(t.name)) return Result<NodeRef>::error(err::exists);
  if (usage_->files >= limits_.max_files) return Result<NodeRef>::error(err::fsfull);
  // Plan 9: the new file's permissions are limited by the directory's.
  uint32_t mask = (t.perm & DMDIR) ? 0777 : 0666;
  uint32_t perm = (t.perm & ~0777u) | (t.perm & (~mask | (d->mode & mask)) & 0777);
  auto f = make(t.name, perm, d);
  f->uid = f->muid = dir.session->uname;
  f->gid = d->gid;
  touch(*d, dir.session->uname);
  return node(f);
}

void RamFs::read(const Req& r) {
  File& f = file_of(r->fid());
  auto& t = r->tread();
  f.atime = now();
  if (f.pipe) {
    f.readers.push_back(r);
    // The read is parked until a write; a flush or a lost connection takes
    // it out of the queue again.
    std::weak_ptr<File> weak = file_ref(r->fid().node);
    r->park([weak, raw = r.get()] {
      if (auto self = weak.lock()) std::erase_if(self->readers, [raw](const Req& q) { return q.get() == raw; });
    });
    return service_pipe(f);
  }
  if (t.offset >= f.bytes.size()) return r->respond(Rread{});
  size_t n = size_t(std::min<uint64_t>(t.count, f.bytes.size() - t.offset));
  // A large read is answered with views of the file's buffers, not a copy.
  if (n >= Outbox::gather_min)
    if (auto pieces = f.bytes.share(t.offset, n); !pieces.empty()) return r->respond_shared(std::move(pieces));
  r->respond(Rread{f.bytes.copy(t.offset, n)});
}

// Hands queued bytes to parked readers, oldest first.
void RamFs::service_pipe(File& f) {
  while (!f.data.empty() && !f.readers.empty()) {
    Req r = f.readers.front();
    f.readers.pop_front();
    size_t n = std::min<size_t>(r->tread().count, f.data.size());
    std::string chunk = f.data.substr(0, n);
    f.data.erase(0, n);
    f.usage->bytes -= n;
    r->respond(Rread{std::move(chunk)});
  }
}

// A large write's payload becomes the file's buffer as it came; a small
// one is copied.
void RamFs::write(const Req& r) {
  File& f = file_of(r->fid());
  auto& t = r->twrite();
  if (f.removed) return r->error(err::nonexist);
  if (f.pipe) return write_pipe(f, r);
  uint64_t off = (f.mode & DMAPPEND) ? f.bytes.size() : t.offset;
  size_t n = t.data.size();
  // Not off + size > max: near 2^64 the sum wraps.
  if (off > max_file_size || n > max_file_size - off) return r->error(err::toobig);
  std::string spare;
  bool ok = n >= Outbox::gather_min ? f.bytes.adopt(off, r->take_payload(), &spare) : f.bytes.write(off, t.data);
  if (spare.capacity() >= Outbox::gather_min) r->give_back(std::move(spare));
  if (!ok) return r->error(err::fsfull);
  touch(f, r->fid().session->uname);
  r->respond(Rwrite{uint32_t(n)});
}

void RamFs::write_pipe(File& f, const Req& r) {
  auto& t = r->twrite();
  uint64_t off = f.data.size();
  if (off > max_file_size || t.data.size() > max_file_size - off) return r->error(err::toobig);
  if (!fits(f, off + t.data.size())) return r->error(err::fsfull);
  f.set_size(off + t.data.size());
  f.data.replace(off, t.data.size(), t.data);
  touch(f, r->fid().session->uname);
  r->respond(Rwrite{uint32_t(t.data.size())});
  service_pipe(f);
}

namespace {
Stat stat_of(const File& f) {
  Stat d;
  d.qid = f.qid;
  d.mode = f.mode;
  d.atime = f.atime;
  d.mtime = f.mtime;
  d.length = f.is_dir() || f.pipe ? 0 : f.bytes.size();
  d.name = f.name;
  d.uid = f.uid;
  d.gid = f.gid;
  d.muid = f.muid;
  return d;
}
}  // namespace

std::vector<Stat> RamFs::list(Fid& fid) {
  std::vector<Stat> out;
  for (auto& [name, c] : file_of(fid).children) out.push_back(stat_of(*c));
  return out;
}

Result<Stat> RamFs::stat(Fid& fid) {
  File& f = file_of(fid);
  if (f.removed) return Result<Stat>::error(err::nonexist);
  return stat_of(f);
}

// All or nothing: every requested change is checked before any is made.
Error RamFs::wstat(Fid& fid, const Stat& d) {
  File& f = file_of(fid);
  const Stat keep = dont_touch();
  auto parent = f.parent.lock();
  const std::string& who = fid.session->uname;
  if (f.removed) return err::nonexist;
  if (d.type != keep.type || d.dev != keep.dev || d.qid != keep.qid || d.atime != keep.atime ||
      !d.uid.empty() || !d.muid.empty())
    return err::nowstat;
  if (!d.gid.empty() && d.gid != f.gid) return err::nowstat;
  bool rename = !d.name.empty() && d.name != f.name;
  if (rename && (!parent || !allowed(*parent, who, 2))) return err::perm;
  if (rename && parent->children.count(d.name)) return err::exists;
  if (d.mode != keep.mode && (d.mode & DMDIR) != (f.mode & DMDIR)) return "cannot change directory bit";
  if (d.mode != keep.mode && who != f.uid) return err::perm;
  if (d.length != keep.length && (f.is_dir() ? d.length != 0 : !allowed(f, who, 2))) return err::perm;
  if (d.length != keep.length && d.length > max_file_size) return err::toobig;
  if (d.length != keep.length && !f.is_dir() && !fits(f, d.length)) return err::fsfull;
  if (rename) {
    std::string old = std::exchange(f.name, d.name);
    bool room = retype(f, true);
    f.name = old;
    if (!room) return err::fsfull;
    auto self = parent->children[f.name];
    parent->children.erase(f.name);
    f.name = d.name;
    parent->children[f.name] = self;
    retype(f, false);
  }
  if (d.mode != keep.mode) f.mode = d.mode, f.qid.type = uint8_t(d.mode >> 24);
  if (d.mtime != keep.mtime) f.mtime = d.mtime;
  if (d.length != keep.length && !f.is_dir()) {
    if (f.pipe) f.set_size(d.length);
    else f.bytes.resize(d.length);
  }
  f.qid.version++;
  return {};
}

Error RamFs::remove(Fid& fid) {
  auto f = file_ref(fid.node);
  auto parent = f->parent.lock();
  if (!parent) return err::perm;  // the root
  if (f->removed) return err::nonexist;
  if (!allowed(*parent, fid.session->uname, 2)) return err::perm;
  if (!f->children.empty()) return err::notempty;
  f->removed = true;
  parent->children.erase(f->name);
  touch(*parent, fid.session->uname);
  // Readers parked on a removed pipe would wait forever.
  auto readers = std::move(f->readers);
  for (auto& r : readers) r->error(err::nonexist);
  return {};
}

}  // namespace grio::net

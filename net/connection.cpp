// Server side of one 9P connection.
#include "net/connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "net/codec.h"
#include "net/errors.h"
#include "net/fd_passing.h"
#include "net/stream.h"

namespace grio::net {

using namespace ninep;

namespace {
constexpr int max_burst = 16;  // reads of one connection before its replies leave
// A burst's replies leave early once it has taken this many request bytes
// or holds this many reply bytes (see on_read).
constexpr size_t flush_early = 64 * 1024;
constexpr uint32_t read_floor = 4096;  // what read_room() always allows
}

// ---- Request ------------------------------------------------------------------

void Request::respond(ninep::Msg r) {
  if (done_) return;
  done_ = true;
  on_cancel_ = nullptr;
  if (auto c = conn_.lock()) c->answered(*this, std::move(r));
}

void Request::respond_shared(std::vector<SharedBytes> pieces) {
  if (done_) return;
  done_ = true;
  on_cancel_ = nullptr;
  if (auto c = conn_.lock()) c->answered(*this, std::move(pieces));
}

void Request::give_back(std::string buf) {
  if (auto c = conn_.lock()) c->recycle(std::move(buf));
}

void Request::error(std::string_view ename) { respond(Rerror{std::string(ename)}); }

void Request::park(std::function<void()> on_cancel) { on_cancel_ = std::move(on_cancel); }

void Request::cancel() {
  if (done_) return;
  done_ = true;
  if (auto f = std::move(on_cancel_)) f();
}

// ---- life -----------------------------------------------------------------------

Connection::Connection(Server& srv, FileTree& tree, std::shared_ptr<Transport> t, uint64_t id, Grant grant)
    : srv_(srv),
      tree_(tree),
      stream_(std::move(t)),
      attach_timer_(stream_->executor()),
      rate_timer_(stream_->executor()),
      session_(std::make_shared<Session>()) {
  session_->id = id;
  session_->grant = std::move(grant);
  session_->msize = srv_.cfg_.limits.max_msize;
  in_.set_msize(session_->msize);
  // The owner's own programs may hand the server their terminal (hub/*/tty).
  // An export's peer is never the owner, and has no Unix socket anyway.
  Socket* unix = stream_->unix_socket();
  bool owner_socket = unix && session_->grant.owner();
  ucred peer{};
  socklen_t len = sizeof peer;
  if (owner_socket && ::getsockopt(unix->native_handle(), SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0)
    session_->peer_uid = peer.uid;
  session_->local_owner = session_->peer_uid == ::geteuid();
  if (owner_socket) session_->passed_fd = std::make_shared<PassedFd>();
}

// A connection that is not attached within the timeout is closed: idle
// sockets would otherwise hold the server's connection slots for ever.
void Connection::start() {
  attach_timer_.expires_after(srv_.cfg_.limits.attach_timeout);
  attach_timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->attached_ || self->closed_) return;
    if (self->srv_.cfg_.debug) self->srv_.log("[" + std::to_string(self->id()) + "] closing: not attached in time");
    self->close();
  });
  read_more();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  attach_timer_.cancel();
  rate_timer_.cancel();
  reset_session();
  if (session_->passed_fd) session_->passed_fd->offer(-1);
  stream_->close();
  srv_.gone(shared_from_this());
}

// Cancels every request without answering it and clunks every fid: what a
// new Tversion and a lost connection both mean.
void Connection::reset_session() {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [tag, r] : pending) {
    discharge(*r);
    r->cancel();
  }
  auto fids = std::move(fids_);
  fids_.clear();
  for (auto& [num, f] : fids) tree_.clunk(*f);
}

// ---- framing ------------------------------------------------------------------

// Every reply and parked payload is counted as it is made, and no request
// is taken while the count is over the budget: one small burst of Treads
// of a big file would otherwise queue a reply of msize each. So a
// connection holds at most the budget plus one message.
bool Connection::over_budget() const { return held() >= srv_.cfg_.limits.max_output; }

void Connection::discharge(Request& r) {
  parked_ -= r.charged_;
  reserved_ -= r.reserved_;
  r.charged_ = r.reserved_ = 0;
}

// A read that parks is answered when its file changes, where no budget
// check can hold the reply back (melting a hub wakes every read parked on
// it at once). So each outstanding read reserves its count, and once the
// reservations and the bytes held pass the budget, a read is cut to
// read_floor bytes: a short read, which 9P allows. Parked reads then add at
// most max_requests × read_floor to the budget.
uint32_t Connection::read_room() const {
  size_t used = held() + reserved_, cap = srv_.cfg_.limits.max_output;
  return uint32_t(std::max<size_t>(used < cap ? cap - used : 0, read_floor));
}

// Held bytes went down. Requests left undecoded for want of budget are
// taken up again, from a posted handler: room is often freed inside a tree
// (a hub answering parked writes), which must not see new requests while
// it is changing.
void Connection::room_freed() {
  if (stalled_ && !over_budget() && !resume_posted_ && !closed_) {
    resume_posted_ = true;
    asio::post(stream_->executor(), [self = shared_from_this()] { self->resume(); });
  }
  if (!batching_) read_more();  // a batch reads when it ends
}

void Connection::resume() {
  resume_posted_ = false;
  if (closed_) return;
  stalled_ = false;
  batching_ = true;
  take_frames();
  batching_ = false;
  flush_output();
  read_more();
}

// Not while frames wait undecoded in in_: it would only grow.
void Connection::read_more() {
  if (closed_ || reading_ || stalled_ || throttled_ || over_budget()) return;  // resumed by room_freed, or the rate timer
  reading_ = true;
  auto done = [self = shared_from_this()](const error_code& ec, ReadNow got) { self->on_read(ec, got); };
  if (session_->passed_fd) read_async_fds(*stream_->unix_socket(), in_, *session_->passed_fd, std::move(done));
  else read_async(*stream_, in_, std::move(done));
}

// While reads fill all their room, more requests are probably waiting, so
// they are read and handled first and the replies wait: a client with many
// requests in flight gets one reply write per burst rather than one per
// request. Bounded, so one busy connection cannot starve the others.
// Large requests or replies end the wait early: each is worth a write of
// its own, and a streaming client, whose window the replies reopen, then
// sends its next requests while this burst handles the rest (held to the
// end, all the replies to a window of 64 KiB writes left the client idle
// until the last was handled, then the server idle until it had refilled).
void Connection::on_read(const error_code& ec, ReadNow got) {
  reading_ = false;
  if (closed_) return;
  if (ec) return close();
  batching_ = true;
  take_frames();
  for (int i = 1; i < max_burst && got == ReadNow::More && !closed_ && !stalled_ && !throttled_ && !over_budget(); i++) {
    error_code rec;
    size_t n = 0;
    got = session_->passed_fd ? read_now_fds(*stream_->unix_socket(), in_, *session_->passed_fd, rec, n)
                               : read_now(*stream_, in_, rec);
    if (got == ReadNow::Failed) close();
    else take_frames();
  }
  batching_ = false;
  flush_output();
  read_more();
}

// Handles every complete message received; broken framing closes.
void Connection::take_frames() {
  while (!closed_ && !throttled_) {
    if (over_budget()) {
      stalled_ = true;
      return;
    }
    in_.set_msize(session_->msize);
    auto next = in_.next();
    switch (next.kind) {
      case FrameReader::Next::None: return;
      case FrameReader::Next::Bytes: frame(next.bytes); break;
      case FrameReader::Next::Message: take(std::move(next.message)); break;
      case FrameReader::Next::Broken:
        srv_.log("[" + std::to_string(id()) + "] closing: " + next.why);
        return close();
    }
    if (batching_ && (taken_ >= flush_early || out_.size() >= flush_early)) flush_output();
  }
}

// A message whose framing is intact but whose body is not gets an Rerror
// saying exactly what is wrong; the connection goes on.
void Connection::frame(std::span<const uint8_t> bytes) {
  auto d = decode(bytes, session_->msize);
  uint16_t tag = uint16_t(bytes[5] | bytes[6] << 8);
  if (!d.fcall) {
    if (srv_.cfg_.debug) srv_.log("[" + std::to_string(id()) + "] <- bad message: " + d.error);
    error(tag, d.error);
    taken_ += bytes.size();
    return throttle(srv_.charge(session_->grant.export_name, bytes.size()));
  }
  take(std::move(*d.fcall));
}

void Connection::take(Fcall f) {
  if (srv_.cfg_.debug) srv_.log("[" + std::to_string(id()) + "] <- " + to_string(f));
  size_t size = ninep::IOHDRSZ;
  if (auto* w = std::get_if<Twrite>(&f.msg)) size += w->data.size();
  dispatch(f.tag, f.msg);
  taken_ += size;
  throttle(srv_.charge(session_->grant.export_name, size));
}

// An export's peers over their rate: this connection takes no request
// until the wait is over (its replies still go). The frames already read
// wait in in_; the socket's buffer then fills and the peer slows down.
void Connection::throttle(std::chrono::microseconds wait) {
  if (wait.count() == 0 || closed_) return;
  throttled_ = true;
  rate_timer_.expires_after(wait);
  rate_timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->closed_) return;
    self->throttled_ = false;
    self->resume();
  });
}

void Connection::reply(uint16_t tag, Msg r) {
  if (closed_) return;
  Fcall f{tag, std::move(r)};
  if (srv_.cfg_.debug) srv_.log("[" + std::to_string(id()) + "] -> " + to_string(f));
  if (auto* rr = std::get_if<Rread>(&f.msg)) out_.add_rread(tag, std::move(rr->data));
  else out_.add(f);
  if (!batching_) flush_output();
}

// A write that went at once frees output room, so reading resumes if it
// had stopped for want of it.
void Connection::flush_output() {
  taken_ = 0;
  if (writing_ || out_.empty() || closed_) return;
  std::swap(out_, flight_);
  writing_ = !send_now(*stream_, flight_, [self = shared_from_this()](const error_code& ec) { self->on_written(ec); });
  if (writing_) return;
  flight_.clear();
  room_freed();
}

void Connection::on_written(const error_code& ec) {
  writing_ = false;
  flight_.clear();
  if (closed_) return;
  if (ec) return close();
  flush_output();
  room_freed();
}

// ---- requests -----------------------------------------------------------------

void Connection::error(uint16_t tag, std::string_view ename) { reply(tag, Rerror{std::string(ename)}); }

// The request leaves pending_ and gives back what it counted.
void Connection::done_with(Request& r) {
  auto it = pending_.find(r.tag());
  if (it != pending_.end() && it->second.get() == &r) pending_.erase(it);
  discharge(r);
}

void Connection::answered(Request& r, Msg msg) {
  bool freed = r.charged_ > 0;
  done_with(r);
  // A read reply never exceeds what was asked, nor what fits in msize.
  if (auto* rr = std::get_if<Rread>(&msg))
    if (auto* t = std::get_if<Tread>(&r.t()); t && rr->data.size() > t->count) rr->data.resize(t->count);
  reply(r.tag(), std::move(msg));
  if (freed) room_freed();
}

// Only a read is answered so; it is cut to its count like any other.
void Connection::answered(Request& r, std::vector<SharedBytes> pieces) {
  done_with(r);
  auto* t = std::get_if<Tread>(&r.t());
  size_t n = 0, count = t ? t->count : 0;
  for (auto& p : pieces) {
    p.bytes = p.bytes.substr(0, count - n);
    n += p.bytes.size();
  }
  if (closed_) return;
  if (srv_.cfg_.debug) srv_.log("[" + std::to_string(id()) + "] -> Rread tag " + std::to_string(r.tag()) + " count " + std::to_string(n) + " (shared)");
  out_.add_rread(r.tag(), std::move(pieces));
  if (!batching_) flush_output();
}

void Connection::dispatch(uint16_t tag, Msg& t) {
  if (!is_tmessage(type_of(t))) return error(tag, err::rmessage);
  if (auto* v = std::get_if<Tversion>(&t)) return version(tag, *v);
  if (!versioned_) return error(tag, err::noversion);
  if (pending_.count(tag)) return error(tag, err::duptag);
  if (std::holds_alternative<Tauth>(t)) return error(tag, err::noauth);
  if (auto* m = std::get_if<Tattach>(&t)) return attach(tag, *m);
  if (auto* m = std::get_if<Tflush>(&t)) return flush(tag, *m);
  if (auto* m = std::get_if<Twalk>(&t)) return walk(tag, *m);
  if (auto* m = std::get_if<Topen>(&t)) return open(tag, *m);
  if (auto* m = std::get_if<Tcreate>(&t)) return create(tag, *m);
  if (std::holds_alternative<Tread>(t)) return read(tag, t);
  if (std::holds_alternative<Twrite>(t)) return write(tag, t);
  if (auto* m = std::get_if<Tclunk>(&t)) return clunk(tag, *m);
  if (auto* m = std::get_if<Tremove>(&t)) return remove(tag, *m);
  if (auto* m = std::get_if<Tstat>(&t)) return stat(tag, *m);
  if (auto* m = std::get_if<Twstat>(&t)) return wstat(tag, *m);
}

FidRef Connection::fid(uint32_t num, uint16_t tag) {
  auto it = fids_.find(num);
  if (it != fids_.end()) return it->second;
  error(tag, err::badfid);
  return nullptr;
}

Error Connection::new_fid_ok(uint32_t num) const {
  if (num == NOFID) return err::badfid;
  if (fids_.count(num)) return err::dupfid;
  if (fids_.size() >= srv_.cfg_.limits.max_fids) return err::toomanyfids;
  return {};
}

void Connection::release(const FidRef& f) {
  fids_.erase(f->num);
  abort_on_fid(f->num);
  tree_.clunk(*f);
}

// Requests still parked on a fid that is going away are answered now, so
// their tags are freed and the tree holds no stale fid.
void Connection::abort_on_fid(uint32_t num) {
  std::vector<Req> doomed;
  for (auto& [tag, r] : pending_)
    if (r->fid().num == num) doomed.push_back(r);
  for (auto& r : doomed) {
    pending_.erase(r->tag());
    discharge(*r);
    r->cancel();
    reply(r->tag(), Rerror{err::clunked});
  }
}

// Answers msize within [4096, cap] and only ever "9P2000": 9P2000.u and .L
// offers are answered with plain 9P2000, which Linux accepts.
void Connection::version(uint16_t tag, Tversion& t) {
  reset_session();
  versioned_ = false;
  uint32_t cap = srv_.cfg_.limits.max_msize;
  if (t.version.rfind("9P", 0) != 0) {
    session_->msize = cap;
    return reply(tag, Rversion{std::min(t.msize, cap), "unknown"});
  }
  if (t.msize < 4096) return error(tag, err::msizesmall);
  session_->msize = std::min(t.msize, cap);
  versioned_ = true;
  reply(tag, Rversion{session_->msize, "9P2000"});
}

void Connection::attach(uint16_t tag, Tattach& t) {
  if (t.afid != NOFID) return error(tag, err::afid);
  if (auto e = new_fid_ok(t.fid); !e.empty()) return error(tag, e);
  if (session_->uname.empty()) session_->uname = t.uname;
  auto n = tree_.attach(t, *session_);
  if (!n) return error(tag, n.error());
  auto f = std::make_shared<Fid>();
  f->num = t.fid;
  f->node = *n;
  f->session = session_;
  fids_[t.fid] = f;
  if (!attached_) attach_timer_.cancel();
  attached_ = true;
  reply(tag, Rattach{(*n)->qid()});
}

// The flushed request is cancelled and never answered; Rflush goes out at
// once, so several flushes are answered in the order they came.
void Connection::flush(uint16_t tag, Tflush& t) {
  if (auto it = pending_.find(t.oldtag); it != pending_.end()) {
    auto r = it->second;
    pending_.erase(it);
    discharge(*r);
    r->cancel();
  }
  reply(tag, Rflush{});
}

// A partial walk answers the qids it found and leaves newfid untouched.
void Connection::walk(uint16_t tag, Twalk& t) {
  auto f = fid(t.fid, tag);
  if (!f) return;
  if (f->is_open()) return error(tag, err::fidopen);
  if (t.newfid != t.fid)
    if (auto e = new_fid_ok(t.newfid); !e.empty()) return error(tag, e);
  NodeRef n = f->node;
  Rwalk r;
  for (size_t i = 0; i < t.wname.size(); i++) {
    if (!n->is_dir()) {
      if (i == 0) return error(tag, err::walknodir);
      break;
    }
    auto next = tree_.walk1(n, t.wname[i]);
    if (!next) {
      if (i == 0) return error(tag, next.error());
      break;
    }
    n = *next;
    r.wqid.push_back(n->qid());
  }
  if (r.wqid.size() == t.wname.size()) {
    if (t.newfid == t.fid) {
      f->node = n;
    } else {
      auto nf = std::make_shared<Fid>();
      nf->num = t.newfid;
      nf->node = n;
      nf->session = session_;
      fids_[t.newfid] = nf;
    }
  }
  reply(tag, std::move(r));
}

namespace {
// Why mode cannot open a file of this kind, or empty.
Error bad_open(const Node& n, uint8_t mode) {
  if (mode & ~(3 | OTRUNC | ORCLOSE)) return err::badmode;
  bool reading_only = (mode & 3) == OREAD || (mode & 3) == OEXEC;
  if (n.is_dir() && (!reading_only || (mode & (OTRUNC | ORCLOSE)))) return err::isdir;
  return {};
}
}  // namespace

void Connection::open(uint16_t tag, Topen& t) {
  auto f = fid(t.fid, tag);
  if (!f) return;
  if (f->is_open()) return error(tag, err::fidopen);
  if (auto e = bad_open(*f->node, t.mode); !e.empty()) return error(tag, e);
  if (auto e = tree_.open(*f, t.mode); !e.empty()) return error(tag, e);
  f->omode = t.mode;
  reply(tag, Ropen{f->node->qid(), session_->msize - IOHDRSZ});
}

void Connection::create(uint16_t tag, Tcreate& t) {
  auto f = fid(t.fid, tag);
  if (!f) return;
  if (f->is_open()) return error(tag, err::fidopen);
  if (!f->node->is_dir()) return error(tag, err::createnondir);
  if (t.name == "." || t.name == "..") return error(tag, err::badname);
  if ((t.perm & DMDIR) && ((t.mode & 3) != OREAD || (t.mode & (OTRUNC | ORCLOSE))))
    return error(tag, err::isdir);
  if (t.mode & ~(3 | OTRUNC | ORCLOSE)) return error(tag, err::badmode);
  auto n = tree_.create(*f, t);
  if (!n) return error(tag, n.error());
  tree_.clunk(*f);  // the fid leaves the directory for the new file
  f->node = *n;
  if (auto e = tree_.open(*f, t.mode); !e.empty()) return error(tag, e);
  f->omode = t.mode;
  reply(tag, Rcreate{f->node->qid(), session_->msize - IOHDRSZ});
}

void Connection::read(uint16_t tag, Msg& m) {
  auto& t = std::get<Tread>(m);
  auto f = fid(t.fid, tag);
  if (!f) return;
  if (!f->readable()) return error(tag, f->is_open() ? err::notread : err::notopen);
  t.count = std::min(t.count, session_->msize - IOHDRSZ);
  if (f->node->is_dir()) return read_dir(tag, *f, t);
  if (pending_.size() >= srv_.cfg_.limits.max_requests) return error(tag, err::toomanyreqs);
  t.count = std::min(t.count, read_room());
  auto r = std::make_shared<Request>(weak_from_this(), tag, std::move(m), f);
  pending_[tag] = r;
  r->reserved_ = r->tread().count;
  reserved_ += r->reserved_;
  tree_.read(r);
}

// Directory reads return whole entries from a listing taken at offset 0;
// any other offset must continue exactly where the last read ended.
void Connection::read_dir(uint16_t tag, Fid& f, const Tread& t) {
  if (t.offset == 0) {
    f.dirbuf.clear();
    Packer p(f.dirbuf);
    for (auto& d : tree_.list(f)) pack_stat(p, d);
  } else if (t.offset != f.dir_next) {
    return error(tag, err::badoffset);
  }
  size_t start = std::min<size_t>(t.offset, f.dirbuf.size()), end = start;
  while (end + 2 <= f.dirbuf.size()) {
    size_t n = 2 + size_t(f.dirbuf[end] | f.dirbuf[end + 1] << 8);
    if (end + n - start > t.count) break;
    end += n;
  }
  if (end == start && start < f.dirbuf.size()) return error(tag, "read count too small for directory entry");
  f.dir_next = end;
  reply(tag, Rread{std::string(f.dirbuf.begin() + start, f.dirbuf.begin() + end)});
}

void Connection::write(uint16_t tag, Msg& m) {
  auto& t = std::get<Twrite>(m);
  auto f = fid(t.fid, tag);
  if (!f) return;
  if (!f->writable()) return error(tag, f->is_open() ? err::notwrite : err::notopen);
  if (pending_.size() >= srv_.cfg_.limits.max_requests) return error(tag, err::toomanyreqs);
  auto r = std::make_shared<Request>(weak_from_this(), tag, std::move(m), f);
  pending_[tag] = r;
  r->charged_ = r->twrite().data.size();  // until answered: the tree may park it
  parked_ += r->charged_;
  tree_.write(r);
  // A write the tree has finished with leaves its payload to the frame reader.
  if (r->answered() && r.use_count() == 1) recycle(std::move(std::get<Twrite>(r->t_).data));
}

// Only a buffer worth reading a payload into, and no larger than one.
void Connection::recycle(std::string buf) {
  if (buf.capacity() >= FrameReader::direct_min && buf.capacity() <= session_->msize) in_.recycle(std::move(buf));
}

void Connection::clunk(uint16_t tag, Tclunk& t) {
  auto f = fid(t.fid, tag);
  if (!f) return;
  Error e;
  if (f->is_open() && (f->omode & ORCLOSE)) e = tree_.remove(*f);
  release(f);
  if (!e.empty()) return error(tag, e);
  reply(tag, Rclunk{});
}

// The fid is gone afterwards even when the remove fails.
void Connection::remove(uint16_t tag, Tremove& t) {
  auto f = fid(t.fid, tag);
  if (!f) return;
  Error e = tree_.remove(*f);
  release(f);
  if (!e.empty()) return error(tag, e);
  reply(tag, Rremove{});
}

void Connection::stat(uint16_t tag, Tstat& t) {
  auto f = fid(t.fid, tag);
  if (!f) return;
  auto d = tree_.stat(*f);
  if (!d) return error(tag, d.error());
  reply(tag, Rstat{*d});
}

void Connection::wstat(uint16_t tag, Twstat& t) {
  auto f = fid(t.fid, tag);
  if (!f) return;
  if (auto e = tree_.wstat(*f, t.stat); !e.empty()) return error(tag, e);
  reply(tag, Rwstat{});
}

}  // namespace grio::net

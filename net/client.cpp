// The 9P2000 client: one connection, many tags in flight, and a blocking
// facade for commands.
//
// Everything in Client runs on the io thread that owns the socket. Replies
// are matched to requests through a slot table indexed by tag; freed tags
// go on a free list, so steady-state traffic allocates nothing here.
#include "net/client.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <optional>

#include "net/codec.h"
#include "net/errors.h"
#include "net/fd_passing.h"
#include "net/framing.h"
#include "net/outbox.h"
#include "net/stream.h"

namespace grio::net {

using namespace ninep;

namespace {

constexpr uint32_t kMinMsize = 256;       // below this not even a stat fits
constexpr int max_burst = 16;             // reads before the requests they caused leave
constexpr size_t recycled_max = 4;        // Rread strings kept for reuse (Client::recycle)

// One tag's state. A tag stays busy until its reply has been delivered and
// every Tflush naming it has been answered: 9P forbids reusing it earlier.
struct Slot {
  bool busy = false;
  bool answered = false;  // the callback already ran
  bool is_flush = false;  // this slot is a Tflush
  MsgType want{};         // the R-message that answers it
  uint16_t flushes = 0;   // Tflushes of this tag still unanswered
  uint16_t oldtag = NOTAG;
  Client::Reply done;
  std::function<void()> flushed;  // for a Tflush: the caller's done
};

Result<Msg> to_result(Msg&& m, MsgType want) {
  MsgType got = type_of(m);
  if (got == MsgType::Rerror) return Result<Msg>::error(std::get<Rerror>(m).ename);
  if (got != want) return Result<Msg>::error(err::rmessage);
  return Result<Msg>(std::move(m));
}

}  // namespace

struct Client::Impl {
  Impl(Client& c, std::shared_ptr<Transport> t) : self(c), stream(std::move(t)) {}
  ~Impl() {
    if (pass_fd >= 0) ::close(pass_fd);
  }

  Client& self;
  std::shared_ptr<Transport> stream;  // a plain socket, or an export's TLS
  std::vector<Slot> slots;  // indexed by tag
  std::vector<uint16_t> free_tags;

  // Writes: one async_write in flight; messages queue in pending meanwhile
  // and leave together when it completes.
  Outbox pending, writing;
  bool write_busy = false;
  int pass_fd = -1;  // a descriptor of ours to pass with the next write (write_fd)

  // Reads: received bytes, split into messages.
  FrameReader in{0, recycled_max};
  // Set while replies are delivered: requests their callbacks send wait and
  // leave together afterwards, in one write rather than one each.
  bool parsing = false;

  std::function<void(Error)> version_done;
  uint32_t version_msize = 0;

  uint32_t next_fid = 0;
  std::vector<uint32_t> free_fids;

  uint16_t alloc_tag() {
    if (!free_tags.empty()) {
      uint16_t t = free_tags.back();
      free_tags.pop_back();
      return t;
    }
    if (slots.size() >= NOTAG) return NOTAG;
    slots.emplace_back();
    return uint16_t(slots.size() - 1);
  }

  void release(uint16_t tag) {
    slots[tag] = Slot{};
    free_tags.push_back(tag);
  }

  void post_error(Reply done, std::string e) {
    asio::post(stream->executor(), [done = std::move(done), e = std::move(e)]() mutable {
      done(Result<Msg>::error(std::move(e)));
    });
  }

  // Queues f; false (and nothing queued) if it would not fit in msize.
  bool send(const Fcall& f) {
    if (chatty) std::fprintf(stderr, "<- %s\n", to_string(f).c_str());
    if (size_t n = pending.add(f); n > self.msize_) {
      pending.drop_last(n);
      return false;
    }
    if (!parsing) write_now();
    return true;
  }

  // With nothing in flight, the queue leaves at once, as far as the socket
  // takes it; the rest goes on by async_write.
  void write_now() {
    if (write_busy || pending.empty() || self.closed_) return;
    std::swap(pending, writing);
    if (pass_fd >= 0) return write_with_fd();
    write_busy = !send_now(*stream, writing, [c = self.shared_from_this()](error_code ec) { c->impl_->on_write(ec); });
    if (!write_busy) writing.clear();
  }

  // The descriptor goes with the first byte of the burst that holds its
  // Twrite, so the server has it by the time it reads that message. If
  // the socket takes nothing now, the burst waits for room, fd and all.
  void write_with_fd() {
    Socket& sock = *stream->unix_socket();  // write_fd passes on nothing else
    size_t sent = 0;
    error_code ec = send_with_fd(sock, writing, pass_fd, sent);
    write_busy = true;
    auto c = self.shared_from_this();
    if (ec == asio::error::would_block) {
      std::swap(pending, writing);  // back in front of what is queued meanwhile
      return sock.async_wait(asio::socket_base::wait_write, [c](error_code ec) { c->impl_->retry_fd(ec); });
    }
    ::close(std::exchange(pass_fd, -1));
    if (ec) return on_write(ec);
    if (sent == writing.size()) return on_write({});
    asio::async_write(sock, writing.buffers(sent), [c](error_code ec, size_t) { c->impl_->on_write(ec); });
  }

  void retry_fd(error_code ec) {
    write_busy = false;
    if (self.closed_) return;
    if (ec) return fail_all();
    write_now();
  }

  void on_write(error_code ec) {
    write_busy = false;
    writing.clear();
    if (self.closed_) return;
    if (ec) return fail_all();
    write_now();
  }

  void start_read() {
    read_async(*stream, in, [c = self.shared_from_this()](error_code ec, ReadNow got) { c->impl_->on_read(ec, got); });
  }

  // While reads fill all their room, more replies are probably waiting, so
  // read again before anything else; the requests the replies' callbacks
  // send wait and leave together afterwards.
  void on_read(error_code ec, ReadNow got) {
    if (self.closed_) return;
    if (ec) return fail_all();
    parsing = true;
    parse();
    for (int i = 1; i < max_burst && got == ReadNow::More && !self.closed_; i++) {
      got = read_now(*stream, in, ec);
      if (got == ReadNow::Failed) fail_all();
      else parse();
    }
    parsing = false;
    if (self.closed_) return;
    write_now();
    start_read();
  }

  // Delivers every whole message. Broken framing, or a message the codec
  // rejects, means we can no longer trust the stream: close.
  void parse() {
    while (!self.closed_) {
      in.set_msize(self.msize_);
      auto next = in.next();
      if (next.kind == FrameReader::Next::None) return;
      if (next.kind == FrameReader::Next::Broken) return fail_all();
      if (next.kind == FrameReader::Next::Message) {
        dispatch(std::move(next.message));
        continue;
      }
      Decoded d = decode(next.bytes, self.msize_);
      if (!d.fcall) return fail_all();
      dispatch(std::move(*d.fcall));
    }
  }

  void dispatch(Fcall&& f) {
    if (chatty) std::fprintf(stderr, "-> %s\n", to_string(f).c_str());
    if (f.tag == NOTAG) return on_version(std::move(f.msg));
    // A reply to a tag we are not waiting on (a server answering a flushed
    // request after Rflush) is dropped: its callback has already run.
    if (f.tag >= slots.size() || !slots[f.tag].busy || slots[f.tag].answered) return;
    Slot& s = slots[f.tag];
    if (s.is_flush) return on_rflush(f.tag);
    Result<Msg> r = to_result(std::move(f.msg), s.want);
    Reply done = std::move(s.done);
    if (s.flushes > 0) s.answered = true;  // the tag waits for its Rflush
    else release(f.tag);
    done(std::move(r));  // may send, so no Slot& is used after this
  }

  // The first Rflush for a tag ends its request: if no reply came, the
  // callback learns it was interrupted. The tag is free once every Tflush
  // naming it has been answered.
  void on_rflush(uint16_t tag) {
    uint16_t old = slots[tag].oldtag;
    std::function<void()> flushed = std::move(slots[tag].flushed);
    release(tag);
    Reply interrupted;
    Slot& o = slots[old];
    o.flushes--;
    if (!o.answered) {
      interrupted = std::move(o.done);
      o.answered = true;
    }
    if (o.flushes == 0) release(old);
    if (interrupted) interrupted(Result<Msg>::error(err::interrupted));
    if (flushed) flushed();
  }

  void on_version(Msg&& m) {
    auto done = std::move(version_done);
    version_done = nullptr;
    if (!done) return;
    Result<Msg> r = to_result(std::move(m), MsgType::Rversion);
    if (!r) return done(r.error());
    auto& rv = std::get<Rversion>(*r);
    if (rv.version != "9P2000")
      return done("server does not speak 9P2000 (it answered '" + rv.version + "')");
    if (rv.msize < kMinMsize) return done(err::msizesmall);
    self.msize_ = std::min(rv.msize, version_msize);
    done("");
  }

  // Ends the connection: every callback still owed runs once, with
  // "connection closed". Callbacks may call back into the client, so the
  // tables are emptied before any of them runs.
  void fail_all() {
    if (self.closed_) return;
    self.closed_ = true;
    stream->close();
    if (pass_fd >= 0) ::close(std::exchange(pass_fd, -1));
    std::vector<Reply> replies;
    std::vector<std::function<void()>> flushes;
    for (Slot& s : slots) {
      if (!s.busy) continue;
      if (s.is_flush && s.flushed) flushes.push_back(std::move(s.flushed));
      if (!s.is_flush && !s.answered && s.done) replies.push_back(std::move(s.done));
    }
    slots.clear();
    free_tags.clear();
    auto version = std::move(version_done);
    version_done = nullptr;
    if (version) version(err::hungup);
    for (auto& r : replies) r(Result<Msg>::error(err::hungup));
    for (auto& f : flushes) f();
  }
};

std::shared_ptr<Client> Client::create(Socket s) { return create(plain_transport(std::move(s))); }

std::shared_ptr<Client> Client::create(std::shared_ptr<Transport> t) {
  std::shared_ptr<Client> c(new Client(std::move(t)));
  c->impl_->start_read();
  return c;
}

Client::Client(std::shared_ptr<Transport> t) : impl_(std::make_unique<Impl>(*this, std::move(t))) {}
Client::~Client() = default;

void Client::version(uint32_t msize, std::function<void(Error)> done) {
  if (closed_) {
    asio::post(impl_->stream->executor(), [done = std::move(done)] { done(err::hungup); });
    return;
  }
  impl_->version_done = std::move(done);
  impl_->version_msize = msize;
  msize_ = msize;  // so that the reply, whatever it says, can be read
  impl_->send(Fcall{NOTAG, Tversion{msize, "9P2000"}});
}

uint16_t Client::start(MsgType want, Reply& done) {
  if (closed_) {
    impl_->post_error(std::move(done), err::hungup);
    return NOTAG;
  }
  uint16_t tag = impl_->alloc_tag();
  if (tag == NOTAG) {
    impl_->post_error(std::move(done), err::toomanyreqs);
    return NOTAG;
  }
  Slot& s = impl_->slots[tag];
  s.busy = true;
  s.want = want;
  s.done = std::move(done);
  return tag;
}

uint16_t Client::rpc(ninep::Msg t, Reply done) {
  MsgType type = type_of(t);
  if (!is_tmessage(type) || type == MsgType::Tversion || type == MsgType::Tflush) {
    impl_->post_error(std::move(done), std::string("rpc cannot send ") + name_of(type));
    return NOTAG;
  }
  uint16_t tag = start(MsgType(uint8_t(type) + 1), done);
  if (tag == NOTAG) return NOTAG;
  if (!impl_->send(Fcall{tag, std::move(t)})) {
    Reply d = std::move(impl_->slots[tag].done);
    impl_->release(tag);
    impl_->post_error(std::move(d), "message larger than msize " + std::to_string(msize_));
    return NOTAG;
  }
  return tag;
}

uint16_t Client::write(uint32_t fid, uint64_t offset, std::string_view data, Reply done) {
  if (HDRSZ + 16 + data.size() > msize_) {
    impl_->post_error(std::move(done), "message larger than msize " + std::to_string(msize_));
    return NOTAG;
  }
  uint16_t tag = start(MsgType::Rwrite, done);
  if (tag == NOTAG) return NOTAG;
  if (chatty) std::fprintf(stderr, "<- %s\n", to_string(Fcall{tag, Twrite{fid, offset, std::string(data)}}).c_str());
  impl_->pending.add_twrite(tag, fid, offset, data);
  if (!impl_->parsing) impl_->write_now();
  return tag;
}

uint16_t Client::write_fd(uint32_t fid, uint64_t offset, std::string_view data, int fd, Reply done) {
  if (!impl_->stream->unix_socket()) {
    impl_->post_error(std::move(done), "descriptors are passed only over a Unix socket");
    return NOTAG;
  }
  if (impl_->pass_fd >= 0) {
    impl_->post_error(std::move(done), "a descriptor is already being passed");
    return NOTAG;
  }
  int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0) {
    impl_->post_error(std::move(done), std::strerror(errno));
    return NOTAG;
  }
  // Queued before the Twrite, so that a write that fails at once (msize)
  // has not left the descriptor to ride on some later message.
  bool was_parsing = std::exchange(impl_->parsing, true);
  uint16_t tag = write(fid, offset, data, std::move(done));
  impl_->parsing = was_parsing;
  if (tag == NOTAG) {
    ::close(copy);
    return NOTAG;
  }
  impl_->pass_fd = copy;
  if (!impl_->parsing) impl_->write_now();
  return tag;
}

void Client::flush(uint16_t oldtag, std::function<void()> done) {
  auto& slots = impl_->slots;
  bool live = !closed_ && oldtag < slots.size() && slots[oldtag].busy &&
              !slots[oldtag].answered && !slots[oldtag].is_flush;
  uint16_t tag = live ? impl_->alloc_tag() : NOTAG;
  if (tag == NOTAG) {  // nothing to flush (or no tag to flush it with)
    if (done) asio::post(impl_->stream->executor(), std::move(done));
    return;
  }
  slots[oldtag].flushes++;
  Slot& s = slots[tag];
  s.busy = true;
  s.is_flush = true;
  s.want = MsgType::Rflush;
  s.oldtag = oldtag;
  s.flushed = std::move(done);
  impl_->send(Fcall{tag, Tflush{oldtag}});
}

void Client::close() { impl_->fail_all(); }

void Client::recycle(std::string data) { impl_->in.recycle(std::move(data)); }

uint32_t Client::alloc_fid() {
  if (!impl_->free_fids.empty()) {
    uint32_t f = impl_->free_fids.back();
    impl_->free_fids.pop_back();
    return f;
  }
  if (impl_->next_fid == NOFID) impl_->next_fid = 0;
  return impl_->next_fid++;
}

void Client::free_fid(uint32_t fid) { impl_->free_fids.push_back(fid); }

// ---- SyncClient ----

namespace {

// Runs f on io's thread and waits for its result.
template <class F>
auto on_io(asio::io_context& io, F f) -> decltype(f()) {
  using R = decltype(f());
  std::promise<R> p;
  auto fut = p.get_future();
  asio::post(io, [&] {
    if constexpr (std::is_void_v<R>) {
      f();
      p.set_value();
    } else {
      p.set_value(f());
    }
  });
  return fut.get();
}

template <class R>
Result<R> expect(Result<Msg> r) {
  if (!r) return Result<R>::error(r.error());
  return Result<R>(std::move(std::get<R>(*r)));
}

Error error_of(const Result<Msg>& r) { return r.ok() ? Error() : r.error(); }

}  // namespace

SyncClient::SyncClient() = default;

SyncClient::~SyncClient() {
  if (client_) asio::post(io_, [c = client_] { c->close(); });
  work_.reset();
  if (thread_.joinable()) thread_.join();
}

std::unique_ptr<SyncClient> SyncClient::dial(const std::string& addr, const std::string& aname,
                                             Error& err, uint32_t msize,
                                             const std::string& uname) {
  std::string why;
  auto a = parse_address(addr, why);
  if (!a) {
    err = why;
    return nullptr;
  }
  std::unique_ptr<SyncClient> c(new SyncClient());
  error_code ec;
  auto t = dial_transport(c->io_, *a, ec, why);
  if (!t) {
    err = "dial " + to_string(*a) + ": " + (why.empty() ? ec.message() : why);
    return nullptr;
  }
  c->client_ = Client::create(std::move(t));
  c->work_.emplace(c->io_.get_executor());
  c->thread_ = std::thread([io = &c->io_] { io->run(); });

  std::promise<Error> vp;
  auto vf = vp.get_future();
  asio::post(c->io_, [&] { c->client_->version(msize, [&](Error e) { vp.set_value(e); }); });
  if (err = vf.get(); !err.empty()) return nullptr;

  c->root_ = c->alloc_fid();
  // An address's service is never an attach name: on tcp it names the
  // export (its TLS identity), on a unix socket a sub-workspace (dial.h).
  auto q = c->attach(c->root_, uname.empty() ? user_name() : uname, aname);
  if (!q) {
    err = q.error();
    return nullptr;
  }
  return c;
}

void SyncClient::close() {
  on_io(io_, [this] { client_->close(); });
}

void SyncClient::run_on_io(const std::function<void()>& f) { on_io(io_, f); }

uint32_t SyncClient::msize() const { return client_->msize(); }

uint32_t SyncClient::alloc_fid() {
  return on_io(io_, [this] { return client_->alloc_fid(); });
}

void SyncClient::free_fid(uint32_t fid) {
  on_io(io_, [this, fid] { client_->free_fid(fid); });
}

Result<Msg> SyncClient::call(Msg t) {
  std::promise<Result<Msg>> p;
  auto fut = p.get_future();
  asio::post(io_, [&] {
    client_->rpc(std::move(t), [&p](Result<Msg> r) { p.set_value(std::move(r)); });
  });
  return fut.get();
}

Result<Qid> SyncClient::attach(uint32_t fid, const std::string& uname, const std::string& aname) {
  auto r = expect<Rattach>(call(Tattach{fid, NOFID, uname, aname}));
  if (!r) return Result<Qid>::error(r.error());
  return r->qid;
}

Result<std::vector<Qid>> SyncClient::walk(uint32_t fid, uint32_t newfid,
                                          const std::vector<std::string>& names) {
  if (names.size() > size_t(MAXWELEM))
    return Result<std::vector<Qid>>::error("walk of more than 16 names");
  auto r = expect<Rwalk>(call(Twalk{fid, newfid, names}));
  if (!r) return Result<std::vector<Qid>>::error(r.error());
  return std::move(r->wqid);
}

Result<Ropen> SyncClient::open(uint32_t fid, uint8_t mode) {
  return expect<Ropen>(call(Topen{fid, mode}));
}

Result<Rcreate> SyncClient::create(uint32_t fid, const std::string& name, uint32_t perm,
                                   uint8_t mode) {
  return expect<Rcreate>(call(Tcreate{fid, name, perm, mode}));
}

Result<std::string> SyncClient::read(uint32_t fid, uint64_t offset, uint32_t count,
                                     const std::shared_ptr<Interrupt>& intr) {
  auto send = [this, fid, offset, count](Client::Reply done) {
    return client_->rpc(Tread{fid, offset, count}, std::move(done));
  };
  auto r = expect<Rread>(call_interruptible(send, intr));
  if (!r) return Result<std::string>::error(r.error());
  return std::move(r->data);
}

namespace {

// The replies of read_stream's reads in flight, filled on the io thread: a
// ring of `window` slots by the reads' sequence numbers (a read is sent
// only once the one `window` before it has been taken).
struct ReadAhead {
  explicit ReadAhead(int window) : replies(size_t(window)) {}
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::optional<Result<std::string>>> replies;
};

}  // namespace

Error SyncClient::read_stream(uint32_t fid, uint64_t offset, uint32_t count, uint64_t ahead_to, int window,
                              const std::function<bool(std::string_view)>& got) {
  window = std::max(window, 1);
  auto st = std::make_shared<ReadAhead>(window);
  std::deque<uint64_t> flying;  // the offsets of the reads in flight, in order
  uint64_t sent = 0, taken = 0, next = offset;
  size_t drop = 0;  // replies still to come for reads past a short piece
  bool done = false;
  Error e;
  // The last piece's string rides along with the next read, back to the
  // io thread, to be read into again (Client::recycle).
  std::string spare;
  auto send = [&] {
    size_t slot = size_t(sent++ % uint64_t(window));
    flying.push_back(next);
    asio::post(io_, [c = client_, st, slot, fid, off = next, count, spare = std::move(spare)]() mutable {
      if (spare.size() >= FrameReader::direct_min) c->recycle(std::move(spare));
      c->rpc(Tread{fid, off, count}, [st, slot](Result<Msg> r) {
        auto rread = expect<Rread>(std::move(r));
        std::lock_guard lock(st->m);
        st->replies[slot] = rread ? Result<std::string>(std::move(rread->data)) : Result<std::string>::error(rread.error());
        st->cv.notify_one();
      });
    });
    next += count;
  };
  for (;;) {
    while (!done && (flying.empty() || (flying.size() < size_t(window) && next < ahead_to))) send();
    if (flying.empty()) return e;
    Result<std::string> r = Result<std::string>::error("");
    {
      std::unique_lock lock(st->m);
      auto& slot = st->replies[size_t(taken++ % uint64_t(window))];
      st->cv.wait(lock, [&] { return slot.has_value(); });
      r = std::move(*slot);
      slot.reset();
    }
    uint64_t off = flying.front();
    flying.pop_front();
    if (drop > 0) {
      drop--;
    } else if (done) {
      // waiting out the reads ahead after the end
    } else if (!r) {
      e = r.error();
      done = true;
    } else if (r->empty() || !got(*r)) {
      done = true;
    } else if (r->size() < count) {
      drop = flying.size();  // they read past a hole
      next = off + r->size();
    }
    if (r) spare = std::move(*r);
  }
}

// Straight from the caller's bytes (Client::write), which stay valid until
// the reply: this call waits for it.
Result<uint32_t> SyncClient::write(uint32_t fid, uint64_t offset, std::string_view data,
                                   const std::shared_ptr<Interrupt>& intr) {
  auto send = [this, fid, offset, data](Client::Reply done) {
    return client_->write(fid, offset, data, std::move(done));
  };
  auto r = expect<Rwrite>(call_interruptible(send, intr));
  if (!r) return Result<uint32_t>::error(r.error());
  return r->count;
}

Result<uint32_t> SyncClient::write_fd(uint32_t fid, uint64_t offset, std::string_view data, int fd) {
  auto send = [this, fid, offset, data, fd](Client::Reply done) {
    return client_->write_fd(fid, offset, data, fd, std::move(done));
  };
  auto r = expect<Rwrite>(call_interruptible(send, nullptr));
  if (!r) return Result<uint32_t>::error(r.error());
  return r->count;
}

std::shared_ptr<Interrupt> SyncClient::interruptible() {
  return std::make_shared<Interrupt>(io_, client_);
}

// The Interrupt's state lives on the io thread, as the client's tags do:
// a tag answered there can be reused at once, so whether it is still ours
// to flush is only known there.
Result<Msg> SyncClient::call_interruptible(std::function<uint16_t(Client::Reply)> start,
                                           const std::shared_ptr<Interrupt>& intr) {
  std::promise<Result<Msg>> p;
  auto fut = p.get_future();
  asio::post(io_, [&] {
    if (intr && intr->wanted_) return p.set_value(Result<Msg>::error(err::interrupted));
    uint16_t tag = start([&p, intr](Result<Msg> r) {
      if (intr) intr->waiting_ = false;
      p.set_value(std::move(r));
    });
    if (intr && tag != NOTAG) {
      intr->tag_ = tag;
      intr->waiting_ = true;
    }
  });
  return fut.get();
}

void Interrupt::interrupt() {
  asio::post(io_, [self = shared_from_this()] {
    self->wanted_ = true;
    if (self->waiting_) self->client_->flush(self->tag_);
  });
}

// Clunk and remove free the fid even when they fail (clunk(5), remove(5)).
Error SyncClient::clunk(uint32_t fid) {
  Error e = error_of(call(Tclunk{fid}));
  free_fid(fid);
  return e;
}

Error SyncClient::remove(uint32_t fid) {
  Error e = error_of(call(Tremove{fid}));
  free_fid(fid);
  return e;
}

Result<Stat> SyncClient::stat(uint32_t fid) {
  auto r = expect<Rstat>(call(Tstat{fid}));
  if (!r) return Result<Stat>::error(r.error());
  return std::move(r->stat);
}

Error SyncClient::wstat(uint32_t fid, const Stat& d) { return error_of(call(Twstat{fid, d})); }

// Walks from the root into a new fid, MAXWELEM names at a time. The new fid
// exists on the server only after the first step succeeds in full, so only
// then is there something to clunk.
Result<uint32_t> SyncClient::walk_path(const std::string& path) {
  std::vector<std::string> names;
  for (size_t i = 0; i <= path.size();) {
    size_t slash = std::min(path.find('/', i), path.size());
    if (slash > i) names.push_back(path.substr(i, slash - i));
    i = slash + 1;
  }
  uint32_t fid = alloc_fid();
  uint32_t from = root_;
  size_t done = 0;
  do {
    size_t n = std::min(names.size() - done, size_t(MAXWELEM));
    std::vector<std::string> step(names.begin() + done, names.begin() + done + n);
    auto r = walk(from, fid, step);
    if (!r || r->size() != n) {
      if (from == fid) clunk(fid);
      else free_fid(fid);
      return Result<uint32_t>::error(r ? err::nonexist : r.error());
    }
    from = fid;
    done += n;
  } while (done < names.size());
  return fid;
}

Result<std::vector<Stat>> SyncClient::read_dir(uint32_t fid) {
  std::vector<Stat> all;
  uint64_t offset = 0;
  for (;;) {
    auto r = read(fid, offset, msize() - IOHDRSZ);
    if (!r) return Result<std::vector<Stat>>::error(r.error());
    if (r->empty()) return all;
    offset += r->size();
    std::string why;
    auto entries = unpack_dir({reinterpret_cast<const uint8_t*>(r->data()), r->size()}, why);
    if (!entries) return Result<std::vector<Stat>>::error("bad directory entry: " + why);
    for (auto& d : *entries) all.push_back(std::move(d));
  }
}

}  // namespace grio::net

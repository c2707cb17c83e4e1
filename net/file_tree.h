// What a file tree implements to be served over 9P, and the request and fid
// objects the server hands it.
//
// The server (server.h) does every protocol rule that does not depend on the
// tree: fid and tag tables, walk bookkeeping, open modes, directory offsets,
// flush. A tree answers the questions only it can answer. Everything but
// read and write is answered at once; a read or write that must wait is
// parked by the tree (Request::park) and answered when its object changes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "net/fcall.h"
#include "net/rights.h"
#include "net/shared_bytes.h"

namespace grio::net {

using ninep::Qid;
using ninep::Stat;

// A value or a Plan 9 error string.
template <class T>
class Result {
 public:
  Result(T v) : v_(std::move(v)) {}
  static Result error(std::string e) { return Result(Err{std::move(e)}); }
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& operator*() { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const std::string& error() const { return std::get<1>(v_).e; }

 private:
  struct Err { std::string e; };
  explicit Result(Err e) : v_(std::move(e)) {}
  std::variant<T, Err> v_;
};

// An error string; empty means success.
using Error = std::string;

// What a fid points at. Trees subclass it; the server only asks its qid.
struct Node {
  virtual ~Node() = default;
  virtual Qid qid() const = 0;
  bool is_dir() const { return qid().type & ninep::QTDIR; }
};
using NodeRef = std::shared_ptr<Node>;

// Per-connection facts a tree may use (rights, per-peer state).
class PassedFd;

struct Session {
  uint64_t id = 0;       // connection number, as in -D traces
  uint32_t msize = 0;    // negotiated message size
  std::string uname;     // from the first attach
  bool local_owner = false;  // a Unix socket peer running as our user (SO_PEERCRED)
  std::optional<uint32_t> peer_uid;  // a Unix socket peer's uid (SO_PEERCRED); none over TCP
  // On a Unix socket: the descriptor the peer last passed (SCM_RIGHTS) and
  // no request has taken yet (fd_passing.h). Null on other streams.
  std::shared_ptr<PassedFd> passed_fd;
  // What this connection may do (net/rights.h): all for the owner; an
  // export's peer gets its export's, fixed when it authenticated.
  Grant grant;
};

struct Fid {
  uint32_t num = 0;
  NodeRef node;
  std::shared_ptr<const Session> session;
  int omode = -1;                 // open mode (OREAD.. | OTRUNC | ORCLOSE), -1 if not open
  std::shared_ptr<void> aux;      // the tree's per-open state
  // Directory reads: the listing taken at offset 0, served in whole entries.
  std::vector<uint8_t> dirbuf;
  uint64_t dir_next = 0;          // the only offset the next read may ask for
  bool is_open() const { return omode >= 0; }
  bool readable() const { return is_open() && (omode & 3) != ninep::OWRITE; }
  bool writable() const { return is_open() && ((omode & 3) == ninep::OWRITE || (omode & 3) == ninep::ORDWR); }
};
using FidRef = std::shared_ptr<Fid>;

class Connection;

// One T-message waiting for its answer. Every request leaves through
// respond() or error() exactly once, unless it was cancelled (flushed, its
// fid clunked, or its connection gone), after which answering is a no-op.
class Request {
 public:
  Request(std::weak_ptr<Connection> c, uint16_t tag, ninep::Msg t, FidRef fid)
      : conn_(std::move(c)), tag_(tag), t_(std::move(t)), fid_(std::move(fid)) {}

  uint16_t tag() const { return tag_; }
  const ninep::Msg& t() const { return t_; }
  const ninep::Tread& tread() const { return std::get<ninep::Tread>(t_); }
  const ninep::Twrite& twrite() const { return std::get<ninep::Twrite>(t_); }
  Fid& fid() const { return *fid_; }
  const FidRef& fid_ref() const { return fid_; }

  void respond(ninep::Msg r);
  // Answers a Tread with the pieces' bytes in order, without copying them:
  // the reply holds each piece's keep until its bytes have gone out.
  void respond_shared(std::vector<SharedBytes> pieces);
  void error(std::string_view ename);
  // Keeps the request for later; on_cancel runs if it is cancelled first and
  // must drop the tree's reference to it.
  void park(std::function<void()> on_cancel);
  bool answered() const { return done_; }
  // Moves a Twrite's payload out, for a tree that keeps it while the write
  // waits (it stays counted against the connection until the answer).
  std::string take_payload() { return std::move(std::get<ninep::Twrite>(t_).data); }
  // A buffer the tree let go, for the connection to read a later payload
  // into instead of allocating one (kept only if it is at most msize).
  void give_back(std::string buf);

 private:
  friend class Connection;
  void cancel();
  size_t charged_ = 0;   // a write's payload bytes, counted in the connection's budget
  size_t reserved_ = 0;  // a read's count, reserved there
  std::weak_ptr<Connection> conn_;
  uint16_t tag_;
  ninep::Msg t_;
  FidRef fid_;
  bool done_ = false;
  std::function<void()> on_cancel_;
};
using Req = std::shared_ptr<Request>;

class FileTree {
 public:
  virtual ~FileTree() = default;

  // The root (or context) named by aname, for a new fid.
  virtual Result<NodeRef> attach(const ninep::Tattach& t, const Session& s) = 0;
  // One step of a walk from directory `from`. ".." at the root stays there.
  virtual Result<NodeRef> walk1(const NodeRef& from, std::string_view name) = 0;
  // Permission and exclusivity checks; may set f.aux. mode is the T-message's.
  virtual Error open(Fid& f, uint8_t mode) = 0;
  // Creates name in directory f and returns it; the server then opens it.
  virtual Result<NodeRef> create(Fid& dir, const ninep::Tcreate& t);
  // Reads of files (directories are listed through list()).
  virtual void read(const Req& r) = 0;
  virtual void write(const Req& r) = 0;
  // The entries of directory f, taken when a read at offset 0 starts.
  virtual std::vector<Stat> list(Fid& f) = 0;
  virtual Result<Stat> stat(Fid& f) = 0;
  virtual Error wstat(Fid& f, const Stat& d);
  virtual Error remove(Fid& f);
  // The fid is going away (clunk, remove, version or a lost connection).
  virtual void clunk(Fid&) {}
};

// True when a Twstat asks for nothing, or only for length 0: what Linux
// sends for O_TRUNC and shell `>`; synthetic files accept it as a no-op.
bool is_noop_wstat(const Stat& d);

}  // namespace grio::net

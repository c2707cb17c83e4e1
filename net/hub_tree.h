// Hubs as a 9P tree: a root directory of plain hubs and session
// directories, each with a `ctl` file. Reads of a hub park until it has
// something (Tflush cancels them); writes park while the hub's policy
// (fear, freeze) holds them. The workspace tree mounts it as `hub/`; it can
// also be served on its own (attach name `watch` narrows the connection's
// rights to view). Rights are checked here for every request (README).
//
//   ctl            status (read); `new NAME [cmd]`, and every command below
//   NAME/          a session: hubs 0 1 2 note (stdin, stdout, stderr, notes)
//   NAME/ctl       status; fear [HUB] calm [HUB] trunc [HUB] notrunc [HUB]
//                  eof [HUB] freeze melt cap BYTES [HUB] lag BYTES [HUB]
//                  wait MS
//   HUB            a plain hub (Tcreate in the root or a session; Tremove)
//   NAME/tty       a terminal handed over (opened ORDWR): `attach
//                  [watch]` from a client on this machine running as the
//                  owner, written with the terminal itself passed along
//                  (SCM_RIGHTS, fd_passing.h); then reads give its events,
//                  writes its commands (Terminal below); clunk gives the
//                  terminal back
//
// A hub opened for reading with OTRUNC is a tail reader (hub.h): what a
// terminal asks for; without it a reader gets every byte the cap allows.
#pragma once

#include <cstdint>
#include <ctime>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "net/asio.h"
#include "net/file_tree.h"
#include "net/hub.h"

namespace grio::net {

// What a client may make of a hub tree, so that no client exhausts the
// machine: sessions (each a program on a pty) and plain hubs outlive the
// client that made them. Every hub holds at most its cap, so the sum of
// the caps bounds the memory of them all.
struct HubLimits {
  size_t sessions = 64;            // session directories, running or shared
  size_t hubs = 256;               // plain hubs (Tcreate), in the root and in sessions
  size_t max_cap = 16 << 20;       // `cap` and `lag` at most (bytes)
  size_t memory = size_t(512) << 20;  // the sum of every hub's cap
  uint32_t max_wait_ms = 60'000;   // `wait MS` at most
};

class HubTree : public FileTree {
 public:
  // A write waiting for room in its hub (fear, freeze), in arrival order.
  struct PendingWrite {
    std::string data;
    std::function<void(size_t)> done;  // the count taken
    std::unique_ptr<asio::steady_timer> timer;
    bool forced = false;               // the fear bound ran out
  };
  // A hub with its name and its queue of waiting writes.
  struct Entry {
    std::string name;
    uint64_t path = 0;
    Hub hub;
    std::deque<std::shared_ptr<PendingWrite>> writes;
    bool removed = false;
    bool plain = false;  // made by Tcreate: counts against HubLimits::hubs
  };
  // The root, or a session.
  struct Dir {
    std::string name;
    uint64_t path = 0;
    bool is_root = false;
    std::map<std::string, std::shared_ptr<Entry>> hubs;
    std::map<std::string, std::shared_ptr<Dir>> sessions;  // the root's
    std::string state;  // a session's first status line: running, shared, exited …
    bool removed = false;
    // Who is attached to a session: terminals handed over, and clients
    // reading its hub 1 as a terminal does (OTRUNC), until they go.
    struct Client {
      std::string who;  // owner, or the label of the export it came through
      bool watching = false;
      std::time_t since = 0;
      const void* conn = nullptr;  // its connection (net::Session), to know its typing
      unsigned short cols = 0, rows = 0;  // its terminal's size, once told (ctl `size`)
    };
    std::map<uint64_t, Client> clients;
    uint64_t next_client = 0;
    uint64_t add_client(std::string who, bool watching, const void* conn = nullptr) {
      clients[++next_client] = Client{std::move(who), watching, std::time(nullptr), conn};
      return next_client;
    }
    unsigned short cols = 0, rows = 0;  // the size its pty was last given
    bool vt = false;  // `new NAME -vt`: bytes go through as a terminal's, not rio's
  };

  // A client's terminal that the owner's process serves for one open
  // `tty` fid: keys from it go to the session's hubs and the hubs' output
  // is written to it, so a key and its echo pass through one process, as
  // tmux's do (its clients hand their terminal to its server too). Reads
  // of the fid give its events (they may park), writes its commands; it
  // ends, giving the terminal back, when the fid is clunked.
  struct Terminal {
    virtual ~Terminal() = default;
    virtual void read(const Req& r) = 0;
    virtual Error write(std::string_view line) = 0;
  };

  // What the owner adds: starting a session's program (`new NAME`, given
  // the directory already made), hearing that a session was removed, and
  // serving a terminal handed over (fd, which it then owns; watch: nothing
  // typed there is sent).
  struct Hooks {
    // vt: `new NAME -vt`, a session kept as a terminal's screen.
    std::function<Error(const std::string& name, const std::string& cmd, bool vt)> start;
    std::function<void(const std::string& name)> removed;
    std::function<Result<std::shared_ptr<Terminal>>(const std::string& session, int fd, bool watch)> terminal;
    std::function<void(const std::string& session, unsigned short cols, unsigned short rows)> resize;
  };

  HubTree(asio::io_context& io, std::string owner, uint64_t qid_base = 0);
  ~HubTree() override;
  void set_hooks(Hooks h) { hooks_ = std::move(h); }
  void set_limits(HubLimits l) { limits_ = l; }

  // The root node, for trees that mount this one, with the rights of the
  // fid that walks in; `..` from it leads to up. only: the one session an
  // export of hub/NAME reaches, all else there is hidden (Grant::hub).
  NodeRef root(Rights rights, NodeRef up = nullptr, std::string only = {}) const;
  // Whether n is a node of this tree: made by it, not merely of its type
  // (every workspace has a hub tree of its own).
  bool owns(const Node& n) const;
  bool is_root(const Node& n) const;
  const NodeRef& mounted_on(const Node& n) const;
  Stat stat_of(const Node& n) const;

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

  // For the owner's own programs (sessions): a session directory with hubs
  // 0 1 2 note, its hubs, its state line, and writes that follow the
  // hub's policy like a 9P write (done gets the count taken; 0 if closed).
  std::shared_ptr<Dir> make_session(const std::string& name, std::string state);
  std::shared_ptr<Dir> session(const std::string& name) const;
  std::shared_ptr<Entry> hub(const std::string& session, const std::string& name) const;
  void set_state(const std::string& session, std::string state);
  // The session's program ended: its hubs close and its name is free again.
  void end_session(const std::string& name, std::string state);
  void write(const std::shared_ptr<Entry>& e, std::string data, std::function<void(size_t)> done);
  // The size of the session's terminal, as tmux 3 sizes a session: the
  // size of the client that was active last (typed, or told its size).
  // A client's keys: if it told a size other than the pty's, its size goes
  // to the pty (the program gets SIGWINCH).
  void typed(Dir& d, const void* conn);
  void resize(Dir& d, unsigned short cols, unsigned short rows);
  // Everything parked is cancelled; every hub closes.
  void close();

  // For tests: fids open on hubs and writes waiting.
  size_t open_hubs() const { return opens_; }
  size_t waiting_writes() const;

 private:
  std::shared_ptr<Entry> make_hub(Dir& d, const std::string& name);
  std::shared_ptr<Dir> make_dir(const std::string& name);
  void serve_read(const Req& r);
  void tty_write(const Req& r);
  void service_writes(const std::shared_ptr<Entry>& e);
  Error ctl(Dir& d, std::string_view line, const void* conn = nullptr);
  Rights ctl_right(const Dir& d, std::string_view line) const;
  Error size(Dir& d, const std::vector<std::string>& w, const void* conn);
  static constexpr size_t max_side = 4096;  // columns or rows of `size`
  std::string status(const Dir& d) const;
  void drop_dir(Dir& d);
  Error room_for(size_t sessions, size_t hubs, size_t cap_bytes) const;
  size_t caps() const;
  Error size_error(const std::string& verb, const std::string& arg, const std::vector<Entry*>& targets) const;

  asio::io_context& io_;
  std::string owner_;
  uint64_t qid_base_, next_path_ = 0;
  std::shared_ptr<Dir> root_;
  Hooks hooks_;
  HubLimits limits_;
  size_t opens_ = 0;
};

}  // namespace grio::net

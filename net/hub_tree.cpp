// The hub tree: walking, parked reads and writes, ctl, create and remove.
#include "net/hub_tree.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>
#include <sstream>

#include "net/errors.h"
#include "net/names.h"
#include "net/fd_passing.h"

namespace grio::net {

using namespace ninep;
using Dir = HubTree::Dir;
using Entry = HubTree::Entry;

namespace {

// A fid's place: a directory, its ctl file, or a hub in it, with the
// rights of its connection (narrowed by its attach name).
struct HubNode : Node {
  std::shared_ptr<Dir> dir;
  std::shared_ptr<Entry> entry;  // a hub, or null
  bool ctl = false;
  bool tty = false;  // a session's tty
  Rights rights = right::all;
  NodeRef up;        // where `..` of the root leads, in a tree that mounts this one
  std::string only;  // an export of hub/NAME: the one session there is (Grant::hub)
  uint64_t base = 0;
  const HubTree* tree = nullptr;  // whose node it is: each workspace has a hub tree of its own
  Qid qid() const override {
    if (entry) return Qid{QTFILE, 0, base + entry->path};
    if (ctl) return Qid{QTFILE, 0, base + dir->path + 1};
    if (tty) return Qid{QTFILE, 0, base + dir->path + 2};
    return Qid{QTDIR, 0, base + dir->path};
  }
};

HubNode& node_of(const Fid& f) { return static_cast<HubNode&>(*f.node); }

// A hub opened for reading is a reader of it until the fid goes.
struct OpenHub {
  std::shared_ptr<Entry> e;
  std::shared_ptr<Dir> dir;  // with client: the session it is attached to
  uint64_t client = 0;
  Hub::ReaderId rid = 0;
  bool streamed = false;  // read as a stream once: freeze parks it
};

// OTRUNC on a hub is no write: a reader opening with it asks to be a tail
// reader (hub.h), as a terminal does.
bool writes(uint8_t mode, bool hub) {
  return (mode & 3) == OWRITE || (mode & 3) == ORDWR || ((mode & OTRUNC) && !hub);
}
bool reads(uint8_t mode) { return (mode & 3) == OREAD || (mode & 3) == ORDWR; }

// The rights a hub's file needs (README's table): output and plain hubs
// are read with view; a session's input (0, note) is what someone types,
// read only with exec (as a window's cons); writing any hub is input, type.
// ctl reads with view; each ctl write is checked (ctl_right). A session's
// tty is the owner's alone (checked at its write), directories anyone's.
Rights read_right(const HubNode& n) {
  if (n.entry && !n.dir->is_root && (n.entry->name == "0" || n.entry->name == "note")) return right::exec;
  return n.entry || n.ctl ? right::view : 0;
}
Rights write_right(const HubNode& n) {
  if (n.ctl) return right::per_write;
  return n.entry ? right::type : 0;
}
bool may_read(const HubNode& n) { return allows(n.rights, read_right(n)); }
bool may_write(const HubNode& n) { return (n.entry || n.ctl) && allows(n.rights, write_right(n)); }
// Within an export of one session: that session's directory and files,
// and the root only as the way to it (not its ctl, plain hubs or others).
bool in_scope(const HubNode& n) {
  if (n.only.empty()) return true;
  if (n.dir->is_root) return !n.entry && !n.ctl;
  return n.dir->name == n.only;
}
// Listed and walked: a file the fid may read or write; directories and tty.
bool visible(const HubNode& n) { return in_scope(n) && (!(n.entry || n.ctl) || may_read(n) || may_write(n)); }

// Session and hub names: plain names, but not those of a directory's own files.
bool good_name(std::string_view n) { return plain_name(n) && n != "ctl" && n != "tty"; }

// A count as ctl takes it (bytes, or ms): decimal digits only.
std::optional<size_t> bytes_of(const std::string& s) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return size_t(std::stoull(s));
}

// A hub as it starts: its cap counts against the memory budget.
constexpr size_t start_cap = std::max(HubPolicy{}.cap, Hub::min_cap);

}  // namespace

HubTree::HubTree(asio::io_context& io, std::string owner, uint64_t qid_base)
    : io_(io), owner_(std::move(owner)), qid_base_(qid_base) {
  root_ = make_dir("hub");
  root_->is_root = true;
}

HubTree::~HubTree() { close(); }

std::shared_ptr<Dir> HubTree::make_dir(const std::string& name) {
  auto d = std::make_shared<Dir>();
  d->name = name;
  d->path = next_path_;
  next_path_ += 3;  // the directory, its ctl and its tty
  return d;
}

std::shared_ptr<Entry> HubTree::make_hub(Dir& d, const std::string& name) {
  auto e = std::make_shared<Entry>();
  e->name = name;
  e->path = next_path_++;
  d.hubs[name] = e;
  return e;
}

NodeRef HubTree::root(Rights rights, NodeRef up, std::string only) const {
  auto n = std::make_shared<HubNode>();
  n->dir = root_;
  n->rights = rights;
  n->up = std::move(up);
  n->only = std::move(only);
  n->base = qid_base_;
  n->tree = this;
  return n;
}

// By the tree a node was made by, not by its type alone: another
// workspace's hub nodes are never ours to serve.
bool HubTree::owns(const Node& n) const {
  auto* h = dynamic_cast<const HubNode*>(&n);
  return h && h->tree == this;
}

bool HubTree::is_root(const Node& n) const {
  auto* h = dynamic_cast<const HubNode*>(&n);
  return h && h->dir == root_ && !h->entry && !h->ctl;
}

const NodeRef& HubTree::mounted_on(const Node& n) const { return static_cast<const HubNode&>(n).up; }

Result<NodeRef> HubTree::attach(const Tattach& t, const Session& s) {
  if (!t.aname.empty() && t.aname != "watch") return Result<NodeRef>::error(std::string(err::badaname) + " " + t.aname);
  return root(s.grant.rights & (t.aname == "watch" ? right::view : right::all), nullptr, s.grant.hub);
}

Result<NodeRef> HubTree::walk1(const NodeRef& from, std::string_view name) {
  auto& n = static_cast<HubNode&>(*from);
  auto next = std::make_shared<HubNode>(n);
  next->entry = nullptr;
  next->ctl = false;
  next->tty = false;
  if (name == "..") {
    next->dir = root_;
    return NodeRef(next);
  }
  std::string s(name);
  if (name == "ctl") {
    next->ctl = true;
  } else if (name == "tty" && !n.dir->is_root) {
    next->tty = true;
  } else if (auto h = n.dir->hubs.find(s); h != n.dir->hubs.end()) {
    next->entry = h->second;
  } else if (auto d = n.dir->sessions.find(s); d != n.dir->sessions.end()) {
    next->dir = d->second;
  } else {
    return Result<NodeRef>::error(err::nonexist);
  }
  if (!visible(*next)) return Result<NodeRef>::error(err::nonexist);
  return NodeRef(next);
}

Error HubTree::open(Fid& f, uint8_t mode) {
  auto& n = node_of(f);
  if ((mode & 3) == OEXEC || (mode & ORCLOSE)) return err::perm;
  // A watcher hands over its terminal too: what it types is not sent.
  if (n.tty) return (mode & 3) == ORDWR ? Error{} : Error{err::ttymode};
  if (writes(mode, bool(n.entry)) && !may_write(n)) return err::perm;
  if (reads(mode) && !may_read(n)) return err::perm;
  if (n.dir->removed || (n.entry && n.entry->removed)) return err::nonexist;
  if (!n.entry || !reads(mode)) return {};
  auto o = std::make_shared<OpenHub>();
  o->e = n.entry;
  o->rid = n.entry->hub.attach(mode & OTRUNC ? Hub::Tail : Hub::Every, may_write(n));
  // A session's output read as a terminal reads it: an attached client.
  if (!n.dir->is_root && n.entry->name == "1" && (mode & OTRUNC)) {
    const Grant& g = f.session->grant;
    o->dir = n.dir;
    o->client = n.dir->add_client(g.owner() ? "owner" : g.label, !allows(n.rights, right::type), f.session.get());
  }
  f.aux = o;
  opens_++;
  return {};
}

void HubTree::clunk(Fid& f) {
  auto& n = node_of(f);
  if (n.tty) return f.aux.reset();  // the terminal goes back to its client
  if (!n.entry || !f.aux) return;
  auto o = std::static_pointer_cast<OpenHub>(f.aux);
  o->e->hub.detach(o->rid);
  if (o->dir) o->dir->clients.erase(o->client);
  f.aux.reset();
  opens_--;
}

void HubTree::read(const Req& r) {
  auto& n = node_of(r->fid());
  auto& t = r->tread();
  if (n.ctl) {
    auto s = status(*n.dir);
    if (t.offset >= s.size()) return r->respond(Rread{});
    return r->respond(Rread{s.substr(t.offset, t.count)});
  }
  if (n.tty) {
    if (!r->fid().aux) return r->error(err::nottyattached);
    return std::static_pointer_cast<Terminal>(r->fid().aux)->read(r);
  }
  auto o = std::static_pointer_cast<OpenHub>(r->fid().aux);
  if (o->e->hub.frozen() && !o->streamed) return r->respond(Rread{o->e->hub.read_at(t.offset, t.count)});
  o->streamed = true;
  serve_read(r);
}

// Answers r from its hub, or parks it there until the hub wakes it. A
// flush (or clunk) takes the wake away again.
void HubTree::serve_read(const Req& r) {
  auto o = std::static_pointer_cast<OpenHub>(r->fid().aux);
  Hub& h = o->e->hub;
  auto got = h.read(o->rid, r->tread().count);
  if (got.kind == Hub::Read::Data) return r->respond(Rread{std::move(got.bytes)});
  if (got.kind == Hub::Read::Eof) return r->respond(Rread{});
  std::weak_ptr<Request> weak = r;
  h.wait(o->rid, [this, weak] {
    if (auto q = weak.lock(); q && !q->answered()) serve_read(q);
  });
  std::weak_ptr<Entry> we = o->e;
  r->park([we, rid = o->rid] {
    if (auto e = we.lock()) e->hub.unwait(rid);
  });
}

void HubTree::write(const Req& r) {
  auto& n = node_of(r->fid());
  auto& t = r->twrite();
  if (n.ctl) {
    auto e = allows(n.rights, ctl_right(*n.dir, t.data)) ? ctl(*n.dir, t.data, r->fid().session.get()) : Error{err::perm};
    if (!e.empty()) return r->error(e);
    return r->respond(Rwrite{uint32_t(t.data.size())});
  }
  if (n.tty) return tty_write(r);
  if (n.entry->removed) return r->error(err::nonexist);
  if (!n.dir->is_root && n.entry->name == "0") typed(*n.dir, r->fid().session.get());
  std::weak_ptr<Request> weak = r;
  auto e = n.entry;
  bool empty = t.data.empty();
  write(e, r->take_payload(), [weak, empty](size_t got) {  // taken, not copied: one copy is counted
    auto q = weak.lock();
    if (!q) return;
    if (got == 0 && !empty) return q->error(err::hubclosed);
    q->respond(Rwrite{uint32_t(got)});
  });
  if (r->answered() || e->writes.empty()) return;
  // Parked: a flush drops the write from the queue without an answer.
  std::weak_ptr<Entry> we = e;
  auto pw = e->writes.back();
  r->park([this, we, pw] {
    auto e = we.lock();
    if (!e) return;
    std::erase(e->writes, pw);
    service_writes(e);
  });
}

// The first write hands a terminal over; the later ones are its commands.
// Only a client on this machine running as the owner may, and only a
// terminal it holds: the descriptor passed with the write (never a path,
// which would name anyone's terminal).
void HubTree::tty_write(const Req& r) {
  auto& f = r->fid();
  auto& n = node_of(f);
  std::string_view line = r->twrite().data;
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
  Error e;
  if (f.aux) {
    e = std::static_pointer_cast<Terminal>(f.aux)->write(line);
  } else {
    auto w = words(line);
    bool watch = w.size() == 2 && w[1] == "watch";
    if (w.empty() || w[0] != "attach" || (w.size() == 2 && !watch) || w.size() > 2) e = err::badtty;
    else if (!f.session || !f.session->local_owner) e = err::ttyowner;
    else if (int fd = f.session->passed_fd ? f.session->passed_fd->take() : -1; fd < 0)
      e = err::nottypassed;
    else if (n.dir->removed || !hooks_.terminal) {
      ::close(fd);
      e = n.dir->removed ? err::nonexist : err::nottyhere;
    } else if (auto t = hooks_.terminal(n.dir->name, fd, watch || !allows(n.rights, right::type)); !t) e = t.error();
    else f.aux = *t;
  }
  if (!e.empty()) return r->error(e);
  r->respond(Rwrite{uint32_t(r->twrite().data.size())});
}

// Queued behind any earlier waiting write, so one writer's writes stay in
// order; under fear a timer bounds the wait.
void HubTree::write(const std::shared_ptr<Entry>& e, std::string data, std::function<void(size_t)> done) {
  auto pw = std::make_shared<PendingWrite>();
  pw->data = std::move(data);
  pw->done = std::move(done);
  e->writes.push_back(pw);
  service_writes(e);
  if (std::find(e->writes.begin(), e->writes.end(), pw) == e->writes.end()) return;
  if (!e->hub.policy().fear || e->hub.frozen()) return;
  pw->timer = std::make_unique<asio::steady_timer>(io_, std::chrono::milliseconds(e->hub.policy().fear_wait_ms));
  std::weak_ptr<Entry> we = e;
  std::weak_ptr<PendingWrite> wp = pw;
  pw->timer->async_wait([this, we, wp](const error_code& ec) {
    auto e = we.lock();
    auto p = wp.lock();
    if (ec || !e || !p) return;
    p->forced = true;
    service_writes(e);
  });
}

void HubTree::service_writes(const std::shared_ptr<Entry>& e) {
  Hub& h = e->hub;
  while (!e->writes.empty()) {
    auto pw = e->writes.front();
    size_t want = std::min(pw->data.size(), Hub::atomic_max);
    bool fits = h.room() >= want || h.closed() || (pw->forced && !h.frozen()) || (!h.policy().fear && !h.frozen());
    if (!fits) {
      std::weak_ptr<Entry> we = e;
      if (h.room_waiters() == 0)
        h.wait_room([this, we] {
          if (auto e = we.lock()) service_writes(e);
        });
      return;
    }
    e->writes.pop_front();
    if (pw->timer) pw->timer->cancel();
    size_t got = h.write(pw->data);
    pw->done(got);
  }
}

size_t HubTree::waiting_writes() const {
  size_t n = 0;
  auto count = [&n](const Dir& d) {
    for (auto& [name, e] : d.hubs) n += e->writes.size();
  };
  count(*root_);
  for (auto& [name, d] : root_->sessions) count(*d);
  return n;
}

// The right a ctl command needs: `new` starts a program here (exec), `eof`
// is input (type); the rest change how hubs hold and pace bytes (manage).
Rights HubTree::ctl_right(const Dir& d, std::string_view line) const {
  auto w = words(line);
  if (!w.empty() && w[0] == "new" && d.is_root) return right::exec;
  if (!w.empty() && (w[0] == "eof" || w[0] == "size")) return right::type;
  return right::manage;
}

// ctl commands apply to every hub of the directory, or to the one named.
Error HubTree::ctl(Dir& d, std::string_view line, const void* conn) {
  auto w = words(line);
  if (w.empty()) return err::badctl;
  auto& verb = w[0];
  if (verb == "new" && d.is_root) {
    if (w.size() < 2 || !good_name(w[1])) return err::badname;
    if (d.sessions.count(w[1]) || d.hubs.count(w[1])) return err::exists;
    if (!hooks_.start) return err::nosessions;
    if (auto e = room_for(1, 0, 4 * start_cap); !e.empty()) return e;
    auto cmd = line.substr(line.find(w[1], line.find(verb) + verb.size()) + w[1].size());
    cmd = cmd.substr(0, cmd.find('\n'));
    bool vt = w.size() > 2 && w[2] == "-vt";
    if (vt) cmd = cmd.substr(cmd.find("-vt") + 3);
    make_session(w[1], "starting")->vt = vt;
    auto e = hooks_.start(w[1], std::string(cmd), vt);
    if (!e.empty()) end_session(w[1], "failed " + e);
    return e;
  }
  if (verb == "size") return size(d, w, conn);
  if (verb == "wait") {
    if (w.size() != 2) return err::badctl;
    auto ms = bytes_of(w[1]);
    if (!ms || *ms < 1 || *ms > limits_.max_wait_ms)
      return verb + " " + err::outofrange + ": 1 to " + std::to_string(limits_.max_wait_ms) + " ms";
    for (auto& [name, e] : d.hubs) e->hub.set_fear(e->hub.policy().fear, uint32_t(*ms));
    return {};
  }
  bool sized = verb == "cap" || verb == "lag";
  size_t arg = sized ? 2 : 1;
  if (sized && w.size() < 2) return err::badctl;
  if (w.size() > arg + 1) return err::badctl;
  std::vector<Entry*> targets;
  if (w.size() == arg + 1) {
    auto it = d.hubs.find(w[arg]);
    if (it == d.hubs.end()) return err::nohub;
    targets.push_back(it->second.get());
  } else {
    for (auto& [name, e] : d.hubs) targets.push_back(e.get());
  }
  if (sized)
    if (auto e = size_error(verb, w[1], targets); !e.empty()) return e;
  for (auto* e : targets) {
    Hub& h = e->hub;
    if (verb == "fear") h.set_fear(true);
    else if (verb == "calm") h.set_fear(false);
    else if (verb == "trunc") h.set_trunc(true);
    else if (verb == "notrunc") h.set_trunc(false);
    else if (verb == "eof") h.eof();
    else if (verb == "freeze") h.freeze(true);
    else if (verb == "melt") h.freeze(false);
    else if (verb == "cap") h.set_cap(*bytes_of(w[1]));
    else if (verb == "lag") h.set_lag(*bytes_of(w[1]));
    else return err::badctl;
  }
  // Writes waiting on a policy that changed may go now.
  for (auto& [name, e] : d.hubs) service_writes(e);
  return {};
}

// `size COLS ROWS`: the writer's terminal, now the session's size (telling
// it is activity); remembered for its clients, whose keys bring it back.
Error HubTree::size(Dir& d, const std::vector<std::string>& w, const void* conn) {
  if (d.is_root || w.size() != 3) return err::badctl;
  auto cols = bytes_of(w[1]), rows = bytes_of(w[2]);
  if (!cols || !rows || *cols < 1 || *rows < 1 || *cols > max_side || *rows > max_side)
    return std::string(err::badsize) + ": 1 to " + std::to_string(max_side) + " columns and rows";
  for (auto& [id, c] : d.clients)
    if (conn && c.conn == conn) c.cols = uint16_t(*cols), c.rows = uint16_t(*rows);
  resize(d, uint16_t(*cols), uint16_t(*rows));
  return {};
}

void HubTree::typed(Dir& d, const void* conn) {
  for (auto& [id, c] : d.clients)
    if (conn && c.conn == conn && c.cols) return resize(d, c.cols, c.rows);
}

void HubTree::resize(Dir& d, unsigned short cols, unsigned short rows) {
  if (d.cols == cols && d.rows == rows) return;
  d.cols = cols;
  d.rows = rows;
  if (hooks_.resize) hooks_.resize(d.name, cols, rows);
}

// The sum of every hub's cap: what the hubs may hold, all together.
size_t HubTree::caps() const {
  size_t sum = 0;
  auto add = [&sum](const Dir& d) {
    for (auto& [name, e] : d.hubs) sum += e->hub.policy().cap;
  };
  add(*root_);
  for (auto& [name, d] : root_->sessions) add(*d);
  return sum;
}

// Whether `sessions` more sessions, `hubs` more plain hubs and `bytes` more
// of caps fit the limits.
Error HubTree::room_for(size_t sessions, size_t hubs, size_t bytes) const {
  if (root_->sessions.size() + sessions > limits_.sessions) return err::toomanysessions;
  size_t plain = 0;
  auto count = [&plain](const Dir& d) {
    for (auto& [name, e] : d.hubs) plain += e->plain;
  };
  count(*root_);
  for (auto& [name, d] : root_->sessions) count(*d);
  if (plain + hubs > limits_.hubs) return err::toomanyhubs;
  if (caps() + bytes > limits_.memory) return err::hubmemory;
  return {};
}

// `cap` and `lag` take a byte count within the limits; a cap must also
// leave the hubs' sum within the memory budget.
Error HubTree::size_error(const std::string& verb, const std::string& arg, const std::vector<Entry*>& targets) const {
  auto n = bytes_of(arg);
  size_t least = verb == "cap" ? Hub::min_cap : 1;
  if (!n || *n < least || *n > limits_.max_cap)
    return verb + " " + err::outofrange + ": " + std::to_string(least) + " to " + std::to_string(limits_.max_cap) + " bytes";
  if (verb != "cap") return {};
  size_t now = 0;
  for (auto* e : targets) now += e->hub.policy().cap;
  if (caps() - now + *n * targets.size() > limits_.memory) return err::hubmemory;
  return {};
}

namespace {

// "2 clients 1 watching", "1 client", or nothing.
std::string client_count(const Dir& d) {
  size_t watching = 0;
  for (auto& [id, c] : d.clients) watching += c.watching;
  std::string s;
  if (d.clients.empty()) return s;
  s = " " + std::to_string(d.clients.size()) + (d.clients.size() == 1 ? " client" : " clients");
  if (watching) s += " " + std::to_string(watching) + " watching";
  return s;
}

// The first few clients, one a line: who, typing or watching, since when.
constexpr size_t clients_shown = 32;
std::string client_lines(const Dir& d) {
  std::string s;
  size_t n = 0;
  for (auto& [id, c] : d.clients) {
    if (n++ == clients_shown) {
      s += "client … and " + std::to_string(d.clients.size() - clients_shown) + " more\n";
      break;
    }
    char when[16];
    std::tm tm{};
    ::localtime_r(&c.since, &tm);
    std::strftime(when, sizeof when, "%H:%M:%S", &tm);
    s += "client " + c.who + (c.watching ? " watching" : " typing") + " since " + when + "\n";
  }
  return s;
}

}  // namespace

std::string HubTree::status(const Dir& d) const {
  std::string s = d.is_root ? "hubs\n" : "session " + d.name + " " + d.state + client_count(d) + "\n";
  for (auto& [name, e] : d.hubs) s += name + " " + e->hub.status() + "\n";
  for (auto& [name, sd] : d.sessions) s += name + "/ " + sd->state + client_count(*sd) + "\n";
  return s + client_lines(d);
}

Result<NodeRef> HubTree::create(Fid& dir, const Tcreate& t) {
  auto& n = node_of(dir);
  // Hubs and shared sessions made by a peer hold what it sends: push.
  if (!allows(n.rights, right::push) || (!n.only.empty() && n.dir->is_root)) return Result<NodeRef>::error(err::perm);
  if (!good_name(t.name)) return Result<NodeRef>::error(err::badname);
  if (n.dir->removed) return Result<NodeRef>::error(err::nonexist);
  if (n.dir->hubs.count(t.name) || n.dir->sessions.count(t.name)) return Result<NodeRef>::error(err::exists);
  auto next = std::make_shared<HubNode>(n);
  bool session = t.perm & DMDIR;
  if (session && !n.dir->is_root) return Result<NodeRef>::error(err::sessiondirs);
  if (auto e = session ? room_for(1, 0, 4 * start_cap) : room_for(0, 1, start_cap); !e.empty())
    return Result<NodeRef>::error(e);
  if (session) {
    next->dir = make_session(t.name, "shared");
  } else {
    next->entry = make_hub(*n.dir, t.name);
    next->entry->plain = true;
  }
  return NodeRef(next);
}

std::shared_ptr<Dir> HubTree::make_session(const std::string& name, std::string state) {
  auto d = make_dir(name);
  d->state = std::move(state);
  for (auto* h : {"0", "1", "2", "note"}) make_hub(*d, h);
  root_->sessions[name] = d;
  return d;
}

std::shared_ptr<Dir> HubTree::session(const std::string& name) const {
  auto it = root_->sessions.find(name);
  return it == root_->sessions.end() ? nullptr : it->second;
}

std::shared_ptr<Entry> HubTree::hub(const std::string& s, const std::string& name) const {
  auto d = s.empty() ? root_ : session(s);
  if (!d) return nullptr;
  auto it = d->hubs.find(name);
  return it == d->hubs.end() ? nullptr : it->second;
}

void HubTree::set_state(const std::string& s, std::string state) {
  if (auto d = session(s)) d->state = std::move(state);
}

// Closing a hub lets its readers drain what is left and then see end of
// file; its waiting writes are answered with what they got (nothing).
void HubTree::drop_dir(Dir& d) {
  d.removed = true;
  for (auto& [name, e] : d.hubs) {
    e->removed = true;
    e->hub.close();
    service_writes(e);
  }
}

void HubTree::end_session(const std::string& name, std::string state) {
  auto d = session(name);
  if (!d) return;
  d->state = std::move(state);
  root_->sessions.erase(name);
  drop_dir(*d);
}

Error HubTree::remove(Fid& f) {
  auto& n = node_of(f);
  if (!allows(n.rights, right::manage) || n.ctl || n.tty || (n.dir->is_root && !n.entry)) return err::perm;
  if (n.entry) {
    if (n.entry->removed) return err::nonexist;
    n.dir->hubs.erase(n.entry->name);
    n.entry->removed = true;
    n.entry->hub.close();
    service_writes(n.entry);
    return {};
  }
  if (n.dir->removed) return err::nonexist;
  std::string name = n.dir->name;
  end_session(name, "removed");
  if (hooks_.removed) hooks_.removed(name);
  return {};
}

Error HubTree::wstat(Fid& f, const Stat& d) {
  if (!may_write(node_of(f))) return err::perm;
  return is_noop_wstat(d) ? Error{} : Error{err::nowstat};
}

Stat HubTree::stat_of(const Node& node) const {
  auto& n = static_cast<const HubNode&>(node);
  Stat d;
  d.qid = n.qid();
  uint32_t rw = (may_read(n) ? 0444 : 0) | (may_write(n) ? 0222 : 0);
  bool makes = allows(n.rights, right::push);
  d.mode = n.tty ? 0666 : n.entry || n.ctl ? rw : (DMDIR | (makes ? 0777 : 0555));  // a watcher's tty too
  d.atime = d.mtime = uint32_t(std::time(nullptr));
  d.name = n.entry ? n.entry->name : n.ctl ? "ctl" : n.tty ? "tty" : n.dir->name;
  d.uid = d.gid = d.muid = owner_;
  return d;
}

std::vector<Stat> HubTree::list(Fid& f) {
  auto& n = node_of(f);
  std::vector<Stat> out;
  HubNode c(n);
  c.entry = nullptr;
  c.ctl = true;
  if (visible(c)) out.push_back(stat_of(c));
  c.ctl = false;
  if (!n.dir->is_root) {
    c.tty = true;
    out.push_back(stat_of(c));
    c.tty = false;
  }
  for (auto& [name, e] : n.dir->hubs) {
    c.entry = e;
    if (visible(c)) out.push_back(stat_of(c));
  }
  c.entry = nullptr;
  for (auto& [name, d] : n.dir->sessions) {
    c.dir = d;
    if (in_scope(c)) out.push_back(stat_of(c));
  }
  return out;
}

Result<Stat> HubTree::stat(Fid& f) {
  auto& n = node_of(f);
  if (n.dir->removed || (n.entry && n.entry->removed)) return Result<Stat>::error(err::nonexist);
  return stat_of(n);
}

void HubTree::close() {
  for (auto& [name, d] : root_->sessions) drop_dir(*d);
  drop_dir(*root_);
  root_->sessions.clear();
}

}  // namespace grio::net

// Attach, walk, list and stat of the window system's tree; per-file
// behaviour is dispatched through the table of file kinds.
#include "wsys/tree.h"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "net/errors.h"

namespace grio::wsys {

using namespace ninep;
using net::Fid;
using net::NodeRef;
using net::Req;
using net::Result;

namespace {

bool is_dir(Qfile q) { return q == Qfile::Root || q == Qfile::Wsysdir || q == Qfile::Windir || q == Qfile::Viewdir; }

const FileKind* view_kinds[] = {&view_feed_file, &view_input_file};

// rio's qids: the path holds the window id and the file; only snarf has a
// version, bumped on every change.
Qid qid_of(const WindowSystem& ws, int win, Qfile q) {
  uint32_t vers = q == Qfile::Snarf ? ws.snarf_version : 0;
  return Qid{uint8_t(is_dir(q) ? QTDIR : QTFILE), vers, uint64_t(win) << 8 | uint8_t(q)};
}

// What a fid may do, fixed at attach and carried from node to node: the
// connection's rights, what the attach name narrowed them to, and which
// export's peer it is (its pushed windows are its own).
struct Access {
  net::Rights grant = net::right::all;
  net::Rights mask = net::right::all;  // `watch`: view
  std::string peer;                    // Grant::export_name; empty: the owner
  bool owner = false;                  // the owner on the private socket (SO_PEERCRED)
  std::string hub;                     // an export of hub/NAME: only hub/NAME is there
};

// A node names a file of one window (win), reached from the context the
// fid attached to (root_win; 0 is the `none` context). While it exists it
// keeps its window alive.
struct WNode : net::Node {
  WindowSystem& ws;
  int root_win, win;
  Qfile q;
  const FileKind* kind;  // null for directories
  Access access;
  WNode(WindowSystem& s, int root, int w, Qfile f, const FileKind* k)
      : ws(s), root_win(root), win(w), q(f), kind(k) {
    if (win) ws.ref(win);
  }
  ~WNode() override {
    if (win) ws.unref(win);
  }
  Qid qid() const override { return qid_of(ws, win, q); }
};

WNode& node_of(const Fid& f) { return static_cast<WNode&>(*f.node); }

NodeRef make(WindowSystem& ws, int root, int win, Qfile q, const FileKind* k = nullptr) {
  return std::make_shared<WNode>(ws, root, win, q, k);
}

std::optional<int> parse_id(std::string_view s) {
  int id = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || p != s.data() + s.size() || id <= 0) return std::nullopt;
  return id;
}

uint32_t now() { return uint32_t(std::time(nullptr)); }

// The rights a fid has on window win's files (0: the global ones): its
// grant, and everything on the windows its export pushed; then narrowed.
net::Rights rights_on(WindowSystem& ws, const Access& a, int win) {
  net::Rights r = a.grant;
  if (Window* w = win ? ws.find(win) : nullptr; w && !a.peer.empty() && w->peer == a.peer) r |= need::own_window;
  return r & a.mask;
}

bool has(net::Rights have, net::Rights need) { return net::allows(have, need); }

// A file that is the window's own (and wctl, which acts on it) goes with
// the window's rights; global files (snarf, screen) with the context's.
bool of_window(const FileKind& k) { return k.per_window || k.q == Qfile::Wctl; }

// The rights a fid has on the file it names (n.kind set).
net::Rights file_rights(const WNode& n) { return rights_on(n.ws, n.access, of_window(*n.kind) ? n.win : 0); }

// The stat says what the fid may do: the table's bits it has the rights for.
uint32_t perm_of(const FileKind& k, net::Rights r) {
  return (has(r, k.reads) ? k.perm & 0444 : 0) | (has(r, k.writes) ? k.perm & 0222 : 0);
}

// A name the fid may neither read nor write is not there for it.
bool visible(const FileKind& k, net::Rights r) { return perm_of(k, r) != 0; }

Access access_of(const net::Session& s, std::string_view aname) {
  Access a{s.grant.rights, net::right::all, s.grant.export_name, s.local_owner && s.grant.owner(), s.grant.hub};
  if (aname == "watch") a.mask = net::right::view;
  return a;
}

}  // namespace

// aname: `new [wctl options]` makes a window (and starts nothing), `<id>`
// binds an existing one, `none` or empty is the windowless context.
// No attach name widens the connection's rights; `watch` narrows them.
Result<NodeRef> WsysTree::attach(const Tattach& t, const net::Session& s) {
  auto n = attach_node(t, s);
  if (n) static_cast<WNode&>(**n).access = access_of(s, t.aname);
  return n;
}

Result<NodeRef> WsysTree::attach_node(const Tattach& t, const net::Session& s) {
  std::string_view a = t.aname;
  if (a.empty() || a == "none" || a == "watch") return make(ws_, 0, 0, Qfile::Root);
  // An export of one hub session reaches no window, and makes none.
  if (!s.grant.hub.empty()) return Result<NodeRef>::error(err::perm);
  if (auto id = parse_id(a)) {
    if (!ws_.live(*id)) return Result<NodeRef>::error(err::unknownid);
    return make(ws_, *id, *id, Qfile::Root);
  }
  auto c = parse_wctl(a);
  if (!c) return Result<NodeRef>::error(c.error());
  if (c->verb != WctlVerb::New) return Result<NodeRef>::error(err::unknownid);
  if (!c->pid) c->pid = 0;  // attach never starts a program
  c->sender_uid = s.peer_uid;
  auto w = ws_.create(*c, s.grant);
  // rio names where a bad rectangle came from; other errors pass as they are.
  if (!w) return Result<NodeRef>::error(w.error() == err::badrect ? err::badrectattach : w.error());
  auto n = make(ws_, (*w)->id, (*w)->id, Qfile::Root);
  return n;
}

NodeRef WsysTree::root_node(const net::Node& like) {
  auto n = make(ws_, 0, 0, Qfile::Root);
  static_cast<WNode&>(*n).access = static_cast<const WNode&>(like).access;
  return n;
}

// hub/ is the hub tree's; its `..` comes back to the windowless root.
Result<NodeRef> WsysTree::walk1(const NodeRef& from, std::string_view name) {
  auto& hubs = ws_.hubs();
  if (hubs.owns(*from)) {
    if (name == ".." && hubs.is_root(*from)) return root_node(*hubs.mounted_on(*from));
    return hubs.walk1(from, name);
  }
  auto& n = static_cast<WNode&>(*from);
  if (name == "hub" && (n.q == Qfile::Root)) return hubs.root(rights_on(ws_, n.access, 0), root_node(n), n.access.hub);
  if (!n.access.hub.empty() && name != "..") return Result<NodeRef>::error(err::nonexist);
  // The owner's exports table: not there for anyone else (file_exports.cpp).
  if (name == "exports" && n.q == Qfile::Root && ws_.exports() && n.access.owner && n.access.mask == net::right::all) {
    auto e = make(ws_, n.root_win, 0, Qfile::Exports, &exports_file);
    static_cast<WNode&>(*e).access = n.access;
    return e;
  }
  auto next = walk_wsys(n, name);
  if (!next) return next;
  auto& to = static_cast<WNode&>(**next);
  to.access = n.access;
  if (to.kind && !visible(*to.kind, file_rights(to))) return Result<NodeRef>::error(err::nonexist);
  if ((to.q == Qfile::Wsysdir || to.q == Qfile::Viewdir) && !has(rights_on(ws_, to.access, 0), net::right::view) &&
      name != "..")
    return Result<NodeRef>::error(err::nonexist);
  return next;
}

Result<NodeRef> WsysTree::walk_wsys(const net::Node& from, std::string_view name) {
  auto& n = static_cast<const WNode&>(from);
  if (name == "..") {
    if (n.q == Qfile::Windir) return make(ws_, n.root_win, 0, Qfile::Wsysdir);
    return make(ws_, n.root_win, n.root_win, Qfile::Root);
  }
  if (n.q == Qfile::Viewdir) {
    for (auto* k : view_kinds)
      if (name == k->name) return make(ws_, n.root_win, 0, k->q, k);
    return Result<NodeRef>::error(err::nonexist);
  }
  if (name == "view" && n.q == Qfile::Root) return make(ws_, n.root_win, 0, Qfile::Viewdir);
  if (n.q == Qfile::Wsysdir) {
    auto id = parse_id(name);
    if (!id || !ws_.live(*id)) return Result<NodeRef>::error(err::nonexist);
    return make(ws_, n.root_win, *id, Qfile::Windir);
  }
  if (name == "wsys") return make(ws_, n.root_win, 0, Qfile::Wsysdir);
  for (auto* k : file_kinds())
    if (name == k->name) {
      if (k->per_window && n.win == 0) break;
      bool global = !k->per_window;
      return make(ws_, n.root_win, global && n.win == 0 ? 0 : n.win, k->q, k);
    }
  return Result<NodeRef>::error(err::nonexist);
}

// rio's rules: access by the owner bits of the table, OEXEC and ORCLOSE
// refused, and nothing on a deleted window.
net::Error WsysTree::open(Fid& f, uint8_t mode) {
  if (ws_.hubs().owns(*f.node)) return ws_.hubs().open(f, mode);
  auto& n = node_of(f);
  bool r = (mode & 3) == OREAD || (mode & 3) == ORDWR;
  bool w = (mode & 3) == OWRITE || (mode & 3) == ORDWR || (mode & OTRUNC);
  if (!n.kind) return w ? err::perm : net::Error{};
  if ((mode & 3) == OEXEC || (mode & ORCLOSE)) return err::perm;
  net::Rights have = file_rights(n);
  if ((r && !has(have, n.kind->reads)) || (w && !has(have, n.kind->writes))) return err::perm;
  if ((r && !(n.kind->perm & 0400)) || (w && !(n.kind->perm & 0200))) return err::perm;
  Window* win = n.win ? ws_.find(n.win) : nullptr;
  if (n.win && (!win || win->deleted)) return err::deleted;
  Ctx ctx{ws_, win, have};
  return n.kind->open ? n.kind->open(ctx, f, mode) : net::Error{};
}

// Reads and writes go to the file's kind, with its window if it still is
// listed: after `delete`, everything fails with `window deleted`.
void WsysTree::io(const Req& r, void (*op)(Ctx&, const Req&)) {
  auto& n = node_of(r->fid());
  Window* win = n.win ? ws_.live(n.win) : nullptr;
  if (n.win && !win) return r->error(err::deleted);
  Ctx ctx{ws_, win};
  op(ctx, r);
}

void WsysTree::read(const Req& r) {
  if (ws_.hubs().owns(*r->fid().node)) return ws_.hubs().read(r);
  io(r, node_of(r->fid()).kind->read);
}

void WsysTree::write(const Req& r) {
  if (ws_.hubs().owns(*r->fid().node)) return ws_.hubs().write(r);
  io(r, node_of(r->fid()).kind->write);
}

Result<NodeRef> WsysTree::create(Fid& dir, const Tcreate& t) {
  if (ws_.hubs().owns(*dir.node)) return ws_.hubs().create(dir, t);
  return FileTree::create(dir, t);
}

net::Error WsysTree::remove(Fid& f) {
  if (ws_.hubs().owns(*f.node)) return ws_.hubs().remove(f);
  return FileTree::remove(f);
}

net::Error WsysTree::wstat(Fid& f, const Stat& d) {
  if (ws_.hubs().owns(*f.node)) return ws_.hubs().wstat(f, d);
  return FileTree::wstat(f, d);
}

void WsysTree::clunk(Fid& f) {
  if (ws_.hubs().owns(*f.node)) return ws_.hubs().clunk(f);
  auto& n = node_of(f);
  if (!f.is_open() || !n.kind || !n.kind->clunk) return;
  Window* win = n.win ? ws_.find(n.win) : nullptr;
  if (n.win && !win) return;
  Ctx ctx{ws_, win};
  n.kind->clunk(ctx, f);
}

Stat WsysTree::stat_of(int win, Qfile q, const char* name, uint32_t perm) const {
  Stat d;
  d.qid = qid_of(ws_, win, q);
  d.mode = perm | (is_dir(q) ? DMDIR : 0);
  d.atime = d.mtime = now();
  d.name = name;
  d.uid = d.gid = d.muid = owner_;
  return d;
}

std::vector<Stat> WsysTree::list(Fid& f) {
  if (ws_.hubs().owns(*f.node)) return ws_.hubs().list(f);
  auto& n = node_of(f);
  std::vector<Stat> out;
  if (!n.access.hub.empty()) return {hub_stat(n)};
  if (n.q == Qfile::Wsysdir) {
    for (int id : ws_.ids()) out.push_back(stat_of(id, Qfile::Windir, std::to_string(id).c_str(), 0700));
    return out;
  }
  net::Rights global = rights_on(ws_, n.access, 0), mine = rights_on(ws_, n.access, n.win);
  if (n.q == Qfile::Viewdir) {
    for (auto* k : view_kinds)
      if (visible(*k, global)) out.push_back(stat_of(0, k->q, k->name, perm_of(*k, global)));
    return out;
  }
  for (auto* k : file_kinds()) {
    if (k->per_window && n.win == 0) continue;
    net::Rights r = of_window(*k) ? mine : global;
    if (visible(*k, r)) out.push_back(stat_of(n.win, k->q, k->name, perm_of(*k, r)));  // the qid walk gives
    if (k->q == Qfile::Wctl && has(global, net::right::view)) out.push_back(stat_of(0, Qfile::Wsysdir, "wsys", 0500));
  }
  // hub/ hangs off a context's root only: its `..` leads back there.
  if (n.q != Qfile::Root) return out;
  out.push_back(hub_stat(n));
  if (has(global, net::right::view)) out.push_back(stat_of(0, Qfile::Viewdir, "view", 0500));
  if (ws_.exports() && n.access.owner && n.access.mask == net::right::all)
    out.push_back(stat_of(0, Qfile::Exports, exports_file.name, exports_file.perm));
  return out;
}

Stat WsysTree::hub_stat(const net::Node& from) const {
  auto& n = static_cast<const WNode&>(from);
  Stat hub = ws_.hubs().stat_of(*ws_.hubs().root(rights_on(ws_, n.access, 0)));
  hub.name = "hub";
  return hub;
}

Result<Stat> WsysTree::stat(Fid& f) {
  if (ws_.hubs().owns(*f.node)) return ws_.hubs().stat(f);
  auto& n = node_of(f);
  switch (n.q) {
    case Qfile::Root: return stat_of(n.win, n.q, ".", 0500);
    case Qfile::Wsysdir: return stat_of(0, n.q, "wsys", 0500);
    case Qfile::Windir: return stat_of(n.win, n.q, std::to_string(n.win).c_str(), 0700);
    case Qfile::Viewdir: return stat_of(0, n.q, "view", 0500);
    default: return stat_of(n.win, n.q, n.kind->name, perm_of(*n.kind, file_rights(n)));
  }
}

void read_string(const Req& r, std::string_view s) {
  auto& t = r->tread();
  if (t.offset >= s.size()) return r->respond(Rread{});
  r->respond(Rread{std::string(s.substr(t.offset, t.count))});
}

}  // namespace grio::wsys

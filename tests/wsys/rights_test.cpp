// The six rights of an export, through 9P: each allowed and denied on every
// file and wctl verb it governs, exec out of reach without it, and the
// windows a peer pushes (its own, foreign, limited in number).
#include "net/rights.h"
#include "tests/net/tls_wire.h"
#include "tests/wsys/served_wsys.h"
#include "wsys/scene.h"

using namespace grio;
using namespace grio::test;
using namespace grio::net::right;

namespace {

constexpr net::Rights input = wsys::need::input;

// A connection through export "ex" with rights r; its windows say "fred".
net::Grant peer(net::Rights r, std::string name = "ex", std::string hub = "") {
  return net::Grant{r, std::move(name), "fred", std::move(hub)};
}

void hello(Wire& w, const std::string& aname) {
  w.rpc<Rversion>(NOTAG, Tversion{8192, "9P2000"});
  w.rpc<Rattach>(1, Tattach{0, NOFID, "tester", aname});
}

// The owner's window 1 (no program: attach new starts none), and a shared
// session `s` with hubs 0 1 2 note.
Wire owner_setup(Wsys& s) {
  auto o = s.connect();
  hello(o, "new");
  o.rpc<Rwalk>(2, Twalk{0, 1, {"hub"}});
  o.rpc<Rcreate>(3, Tcreate{1, "s", DMDIR | 0777, OREAD});
  return o;
}

// The error of walking to path and opening it with mode; "" if it opened.
// An image without a desktop fails, but not for want of a right.
std::string try_open(Wire& w, const std::vector<std::string>& path, uint8_t mode) {
  w.send(2, Twalk{0, 7, path});
  auto f = w.recv();
  if (auto* e = std::get_if<Rerror>(&f.msg)) return e->ename;
  auto& walked = std::get<Rwalk>(f.msg);
  if (walked.wqid.size() != path.size()) return err::nonexist;
  w.send(3, Topen{7, mode});
  auto g = w.recv();
  w.rpc<Rclunk>(4, Tclunk{7});
  if (auto* e = std::get_if<Rerror>(&g.msg)) return e->ename;
  return "";
}

struct FileCase {
  std::vector<std::string> path;  // from the owner's window 1
  uint8_t mode;
  net::Rights need;
};

// README's table of files, as requests.
const std::vector<FileCase> file_cases = {
    {{"text"}, OREAD, view},         {{"text"}, OWRITE, type},
    {{"label"}, OREAD, view},        {{"label"}, OWRITE, manage},
    {{"winid"}, OREAD, view},        {{"winname"}, OREAD, view},
    {{"window"}, OREAD, view},       {{"screen"}, OREAD, view},
    {{"cursor"}, OREAD, view},       {{"cursor"}, OWRITE, manage},
    {{"wsys"}, OREAD, view},         {{"wsys", "1", "text"}, OREAD, view},
    {{"cons"}, OREAD, input},        {{"cons"}, OWRITE, type},
    {{"kbd"}, OREAD, input},         {{"kbd"}, OWRITE, type},
    {{"mouse"}, OREAD, input},       {{"mouse"}, OWRITE, type},
    {{"consctl"}, OWRITE, type},
    {{"wdir"}, OREAD, manage},       {{"wdir"}, OWRITE, manage},
    {{"wctl"}, OREAD, manage},
    {{"snarf"}, OREAD, snarf},       {{"snarf"}, OWRITE, snarf},
    {{"hub", "ctl"}, OREAD, view},
    {{"hub", "s", "1"}, OREAD, view}, {{"hub", "s", "2"}, OREAD, view},
    {{"hub", "s", "0"}, OREAD, input}, {{"hub", "s", "note"}, OREAD, input},
    {{"hub", "s", "0"}, OWRITE, type}, {{"hub", "s", "note"}, OWRITE, type},
    {{"hub", "s", "1"}, OWRITE, type},
};

std::string shown(const std::vector<std::string>& path, uint8_t mode) {
  std::string s;
  for (auto& p : path) s += "/" + p;
  return s + (mode == OREAD ? " read" : " write");
}

}  // namespace

TEST_CASE("rights: each file opens with the right it needs, and is refused without it", "[wsys][rights]") {
  for (auto& c : file_cases) {
    INFO(shown(c.path, c.mode) << " needs " << net::rights_string(c.need));
    Wsys s;
    auto o = owner_setup(s);
    auto with = s.connect(peer(c.need));
    hello(with, "1");
    auto e = try_open(with, c.path, c.mode);
    CHECK(e != err::perm);
    CHECK(e != err::nonexist);
    // Every other right, and still not this one.
    auto without = s.connect(peer(all & net::Rights(~c.need)));
    hello(without, "1");
    e = try_open(without, c.path, c.mode);
    CHECK((e == err::perm || e == err::nonexist));
    // The refusal closed nothing: the same connection goes on.
    without.rpc<Rstat>(5, Tstat{0});
    // The owner keeps everything.
    CHECK(try_open(o, c.path, c.mode) != err::perm);
  }
}

// The same table through real exports: TLS from a secret on 127.0.0.1, the
// rights those of the export the peer proved the secret of.
TEST_CASE("rights: over TLS each file opens with the export's right, and is refused without it", "[wsys][rights]") {
  for (auto& c : file_cases) {
    INFO(shown(c.path, c.mode) << " needs " << net::rights_string(c.need));
    Wsys s;
    ExportsOn<Wsys> x(s);
    auto o = owner_setup(s);
    auto [with_dial, with_secret] = x.add("with", c.need);
    auto [without_dial, without_secret] = x.add("without", all & net::Rights(~c.need));
    TlsWire with(with_dial, with_secret), without(without_dial, without_secret);
    hello(with.wire(), "1");
    auto e = try_open(with.wire(), c.path, c.mode);
    CHECK(e != err::perm);
    CHECK(e != err::nonexist);
    hello(without.wire(), "1");
    e = try_open(without.wire(), c.path, c.mode);
    CHECK((e == err::perm || e == err::nonexist));
    without.wire().rpc<Rstat>(5, Tstat{0});
    // The server took the peer for the export whose secret it proved.
    CHECK(s.on_io([&] { return s.server().connections_of("with"); }) == 1);
  }
}

TEST_CASE("rights: a name a peer can neither read nor write is neither listed nor walked", "[wsys][rights]") {
  Wsys s;
  auto o = owner_setup(s);
  auto v = s.connect(peer(view));
  hello(v, "1");
  CHECK(try_open(v, {"snarf"}, OREAD) == err::nonexist);
  CHECK(try_open(v, {"cons"}, OREAD) == err::nonexist);
  CHECK(try_open(v, {"hub", "s", "0"}, OREAD) == err::nonexist);
  auto n = s.connect(peer(push));
  hello(n, "1");
  CHECK(try_open(n, {"wsys"}, OREAD) == err::nonexist);
  CHECK(try_open(n, {"text"}, OREAD) == err::nonexist);
}

TEST_CASE("rights: each wctl verb on another's window needs manage", "[wsys][rights]") {
  for (std::string verb : {"move -minx 50", "resize -dx 300", "hide", "delete", "current", "top", "bottom",
                           "scroll", "noscroll", "set -pid 0"}) {
    INFO(verb);
    Wsys s;
    auto o = owner_setup(s);
    auto without = s.connect(peer(all & net::Rights(~manage)));
    hello(without, "1");
    open_at(without, 1, {"wctl"}, OWRITE);
    CHECK(without.fails(5, Twrite{1, 0, verb}) == err::perm);
    CHECK(without.fails(5, Twrite{1, 0, "bottom -id 1"}) == err::perm);
    CHECK(s.on_io([&] { return s.world().ws.live(1) && !s.world().ws.live(1)->hidden; }));
    auto with = s.connect(peer(manage));
    hello(with, "1");
    open_at(with, 1, {"wctl"}, OWRITE);
    with.rpc<Rwrite>(5, Twrite{1, 0, verb});
  }
  Wsys s;
  auto o = owner_setup(s);
  auto v = s.connect(peer(view | snarf));
  hello(v, "1");
  // Nothing a view peer may write there: wctl does not open for writing.
  CHECK(try_open(v, {"wctl"}, OWRITE) == err::nonexist);
}

TEST_CASE("rights: hub ctl commands, create and remove need exec, type, manage or push", "[wsys][rights]") {
  struct Cmd {
    std::string line;
    net::Rights need;
  };
  for (auto& c : std::vector<Cmd>{{"eof", type}, {"fear", manage}, {"cap 65536", manage}, {"freeze", manage}}) {
    INFO(c.line);
    Wsys s;
    auto o = owner_setup(s);
    auto without = s.connect(peer(all & net::Rights(~c.need)));
    hello(without, "none");
    open_at(without, 1, {"hub", "s", "ctl"}, OWRITE);
    CHECK(without.fails(5, Twrite{1, 0, c.line}) == err::perm);
    auto with = s.connect(peer(c.need));
    hello(with, "none");
    open_at(with, 1, {"hub", "s", "ctl"}, OWRITE);
    with.rpc<Rwrite>(5, Twrite{1, 0, c.line});
  }
  Wsys s;
  auto o = owner_setup(s);
  auto no_push = s.connect(peer(all & net::Rights(~push)));
  hello(no_push, "none");
  no_push.rpc<Rwalk>(2, Twalk{0, 1, {"hub"}});
  CHECK(no_push.fails(3, Tcreate{1, "h", 0666, OREAD}) == err::perm);
  auto pusher = s.connect(peer(push | view));  // the create opens it too: for reading, view
  hello(pusher, "none");
  pusher.rpc<Rwalk>(2, Twalk{0, 1, {"hub"}});
  pusher.rpc<Rcreate>(3, Tcreate{1, "h", 0666, OREAD});
  auto no_manage = s.connect(peer(all & net::Rights(~manage)));
  hello(no_manage, "none");
  no_manage.rpc<Rwalk>(2, Twalk{0, 2, {"hub", "h"}});
  CHECK(no_manage.fails(3, Tremove{2}) == err::perm);
  auto manager = s.connect(peer(manage | view));
  hello(manager, "none");
  manager.rpc<Rwalk>(2, Twalk{0, 2, {"hub", "h"}});
  manager.rpc<Rremove>(3, Tremove{2});
}

TEST_CASE("rights: without exec no path starts a program here", "[wsys][rights]") {
  Wsys s;
  auto o = owner_setup(s);
  auto counts = [&] {
    return s.on_io([&] {
      int shells = 0;
      for (int id : s.world().ws.ids()) shells += s.world().ws.live(id)->shell != nullptr;
      return std::pair{shells, s.world().ws.session_count()};
    });
  };
  auto p = s.connect(peer(all & net::Rights(~exec)));
  hello(p, "none");
  open_at(p, 1, {"wctl"}, OWRITE);
  CHECK(p.fails(5, Twrite{1, 0, "new sleep 100"}) == err::perm);
  CHECK(p.fails(5, Twrite{1, 0, "new"}) == err::perm);
  p.rpc<Rwrite>(5, Twrite{1, 0, "new -pid 0"});  // a window, no program: push
  open_at(p, 2, {"hub", "ctl"}, OWRITE);
  CHECK(p.fails(5, Twrite{2, 0, "new s2 sleep 100"}) == err::perm);
  // An attach or a create makes windows and sessions, never programs.
  auto a = s.connect(peer(all & net::Rights(~exec)));
  hello(a, "new sleep 100");
  a.rpc<Rwalk>(2, Twalk{0, 3, {"hub"}});
  a.rpc<Rcreate>(3, Tcreate{3, "s3", DMDIR | 0777, OREAD});
  CHECK(counts() == std::pair{0, size_t(0)});
  CHECK(s.on_io([&] { return s.world().ws.window_count(); }) == 3);
  // With exec (and push for the window) the same requests start programs.
  auto x = s.connect(peer(push | exec));
  hello(x, "none");
  open_at(x, 1, {"wctl"}, OWRITE);
  x.rpc<Rwrite>(5, Twrite{1, 0, "new sleep 100"});
  CHECK(counts().first == 1);
  // Without push not even an empty window is made.
  auto v = s.connect(peer(view));
  v.rpc<Rversion>(NOTAG, Tversion{8192, "9P2000"});
  CHECK(v.fails(1, Tattach{0, NOFID, "tester", "new"}) == err::perm);
}

TEST_CASE("rights: a pushed window is foreign, named, unfocused, and the peer's own", "[wsys][rights]") {
  Wsys s;
  auto o = owner_setup(s);
  REQUIRE(s.on_io([&] { return s.world().ws.current(); }) == 1);
  auto p = s.connect(peer(push));
  hello(p, "new -pid 0");
  auto [current, label, foreign] = s.on_io([&] {
    auto* w = s.world().ws.live(2);
    return std::tuple{s.world().ws.current(), w->label, wsys::scene_window(*w, false, {})->foreign};
  });
  CHECK(current == 1);  // the owner still types into window 1
  CHECK(label.starts_with("fred: "));
  CHECK(foreign);
  CHECK_FALSE(s.on_io([&] { return wsys::scene_window(*s.world().ws.live(1), true, {})->foreign; }));
  // The label prefix stays, whatever the peer writes.
  open_at(p, 1, {"label"}, OWRITE);
  p.rpc<Rwrite>(5, Twrite{1, 0, "password:"});
  CHECK(s.on_io([&] { return s.world().ws.live(2)->label; }) == "fred: password:");
  // All of its own window's files and verbs, none of the owner's window's.
  open_at(p, 2, {"wctl"}, OWRITE);
  p.rpc<Rwrite>(5, Twrite{2, 0, "move -minx 300"});
  p.rpc<Rwrite>(5, Twrite{2, 0, "current"});  // on top, but the keyboard stays the owner's
  CHECK(s.on_io([&] { return s.world().ws.current(); }) == 1);
  CHECK(s.on_io([&] { return s.world().ws.stacking().back(); }) == 2);
  CHECK(p.fails(5, Twrite{2, 0, "hide -id 1"}) == err::perm);
  CHECK(try_open(p, {"cons"}, ORDWR) == "");
  CHECK(try_open(p, {"wsys", "1", "label"}, OWRITE) == err::nonexist);  // no view: no wsys/
  // Another export's peer with manage can manage it; one without cannot.
  auto m = s.connect(peer(manage, "other"));
  hello(m, "2");
  open_at(m, 1, {"wctl"}, OWRITE);
  CHECK(m.fails(5, Twrite{1, 0, "new -pid 0"}) == err::perm);
  m.rpc<Rwrite>(5, Twrite{1, 0, "hide"});
  CHECK(s.on_io([&] { return s.world().ws.live(2)->hidden; }));
}

namespace {
struct SmallWorld {
  wsys::WindowSystem ws;
  wsys::WsysTree tree_;
  static wsys::WsysConfig config() {
    wsys::WsysConfig c;
    c.max_peer_windows = 2;
    return c;
  }
  explicit SmallWorld(asio::io_context& io) : ws(io, config()), tree_(ws, "tester") {}
  net::FileTree& tree() { return tree_; }
  void close() { ws.close(); }
};
}  // namespace

TEST_CASE("rights: an export's peers together push at most max_peer_windows", "[wsys][rights]") {
  BasicServed<SmallWorld> s;
  auto a = s.connect(peer(push)), b = s.connect(peer(push)), c = s.connect(peer(push));
  hello(a, "new");
  hello(b, "new");
  c.rpc<Rversion>(NOTAG, Tversion{8192, "9P2000"});
  CHECK(c.fails(1, Tattach{0, NOFID, "tester", "new"}) == err::toomanywindows);
  c.rpc<Rattach>(1, Tattach{0, NOFID, "tester", "none"});  // still usable
  open_at(c, 1, {"wctl"}, OWRITE);
  CHECK(c.fails(5, Twrite{1, 0, "new -pid 0"}) == err::toomanywindows);
  // Another export's peers, and the owner, are not counted with them.
  auto d = s.connect(peer(push, "other")), o = s.connect();
  hello(d, "new");
  auto o2 = s.connect();
  hello(o, "new");
  hello(o2, "new");
  CHECK(s.on_io([&] { return s.world().ws.window_count(); }) == 5);
}

namespace {
// The names a directory lists (fid opened for reading).
std::vector<std::string> names_in(Wire& w, std::vector<std::string> path) {
  w.rpc<Rwalk>(2, Twalk{0, 8, std::move(path)});
  w.rpc<Ropen>(3, Topen{8, OREAD});
  auto d = w.rpc<Rread>(4, Tread{8, 0, 8000}).data;
  w.rpc<Rclunk>(4, Tclunk{8});
  std::string why;
  auto entries = unpack_dir(std::span(reinterpret_cast<const uint8_t*>(d.data()), d.size()), why);
  REQUIRE(entries);
  std::vector<std::string> out;
  for (auto& e : *entries) out.push_back(e.name);
  return out;
}
}  // namespace

TEST_CASE("rights: an export of hub/NAME reaches that session and nothing else", "[wsys][rights]") {
  Wsys s;
  auto o = owner_setup(s);  // window 1 and session s
  o.rpc<Rwalk>(2, Twalk{0, 2, {"hub"}});
  o.rpc<Rcreate>(3, Tcreate{2, "t", DMDIR | 0777, OREAD});
  o.rpc<Rwalk>(2, Twalk{0, 3, {"hub"}});
  o.rpc<Rcreate>(3, Tcreate{3, "plain", 0666, OREAD});
  auto p = s.connect(peer(all, "ex", "s"));
  p.rpc<Rversion>(NOTAG, Tversion{8192, "9P2000"});
  // No window: not by id, and none made.
  CHECK(p.fails(1, Tattach{0, NOFID, "tester", "1"}) == err::perm);
  CHECK(p.fails(1, Tattach{0, NOFID, "tester", "new"}) == err::perm);
  p.rpc<Rattach>(1, Tattach{0, NOFID, "tester", ""});
  CHECK(names_in(p, {}) == std::vector<std::string>{"hub"});
  CHECK(names_in(p, {"hub"}) == std::vector<std::string>{"s"});
  for (auto path : std::vector<std::vector<std::string>>{
           {"wsys"}, {"snarf"}, {"screen"}, {"exports"}, {"hub", "ctl"}, {"hub", "t"}, {"hub", "plain"},
           {"hub", "..", "wsys"}, {"hub", "s", "..", "t"}}) {
    INFO(shown(path, OREAD));
    CHECK(try_open(p, path, OREAD) == err::nonexist);
  }
  // Nothing made beside the session; in it, what its rights allow.
  p.rpc<Rwalk>(2, Twalk{0, 4, {"hub"}});
  CHECK(p.fails(3, Tcreate{4, "mine", 0666, OREAD}) == err::perm);
  CHECK(p.fails(3, Tcreate{4, "u", DMDIR | 0777, OREAD}) == err::perm);
  CHECK(try_open(p, {"hub", "s", "1"}, OREAD) == "");
  CHECK(try_open(p, {"hub", "s", "0"}, OWRITE) == "");
  CHECK(try_open(p, {"hub", "s", "ctl"}, OREAD) == "");
  // The rights still hold inside it: a view-only export of the session.
  auto v = s.connect(peer(view, "ex", "s"));
  hello(v, "");
  CHECK(names_in(v, {"hub", "s"}) == std::vector<std::string>{"ctl", "tty", "1", "2"});
  CHECK(try_open(v, {"hub", "s", "0"}, OWRITE) == err::nonexist);
  // The owner still sees everything.
  CHECK(names_in(o, {"hub"}) == std::vector<std::string>{"ctl", "plain", "s", "t"});
}

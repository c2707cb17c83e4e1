// What a hostile client may make of the window system is bounded: windows,
// sessions, hubs and their memory, and the sizes it may set. Each bound is
// made small here so that reaching it takes a moment.
#include "tests/wsys/served_wsys.h"

using namespace grio;
using namespace grio::test;

namespace {

wsys::WsysConfig small() {
  wsys::WsysConfig c;
  c.max_windows = 4;
  c.hubs.sessions = 2;
  c.hubs.hubs = 3;
  c.hubs.memory = 13 << 20;  // two sessions (4 hubs each) and three hubs at 1 MiB, and 2 MiB more
  return c;
}

struct SmallWorld {
  wsys::WindowSystem ws;
  wsys::WsysTree tree_;
  explicit SmallWorld(asio::io_context& io) : ws(io, small()), tree_(ws, "tester") {}
  net::FileTree& tree() { return tree_; }
  void close() { ws.close(); }
};
using Small = BasicServed<SmallWorld>;

void hello(Wire& w, const std::string& aname = "none") {
  w.rpc<Rversion>(NOTAG, Tversion{65536, "9P2000"});
  w.rpc<Rattach>(1, Tattach{0, NOFID, "tester", aname});
}

// Tcreate of name in hub/ (a session directory if dir) on fid.
void make(Wire& w, uint32_t fid, const std::string& name, bool dir) {
  w.rpc<Rwalk>(2, Twalk{0, fid, {"hub"}});
  w.rpc<Rcreate>(3, Tcreate{fid, name, dir ? DMDIR | 0777 : 0666, OREAD});
}
std::string cannot_make(Wire& w, uint32_t fid, const std::string& name, bool dir) {
  w.rpc<Rwalk>(2, Twalk{0, fid, {"hub"}});
  return w.fails(3, Tcreate{fid, name, dir ? DMDIR | 0777 : 0666, OREAD});
}

}  // namespace

TEST_CASE("limits: windows at once, by attach and by wctl new", "[wsys][limits]") {
  Small s;
  auto w = s.connect();
  hello(w);
  for (uint32_t fid = 1; fid <= 4; fid++) w.rpc<Rattach>(1, Tattach{fid, NOFID, "u", "new -pid 0"});
  CHECK(w.fails(1, Tattach{5, NOFID, "u", "new -pid 0"}) == err::toomanywindows);
  w.rpc<Rwalk>(2, Twalk{0, 6, {"wctl"}});
  w.rpc<Ropen>(3, Topen{6, OWRITE});
  CHECK(w.fails(4, Twrite{6, 0, "new -pid 0"}) == err::toomanywindows);
  w.rpc<Rclunk>(5, Tclunk{1});  // window 1 goes with its last fid
  w.rpc<Rwrite>(4, Twrite{6, 0, "new -pid 0"});
  CHECK(s.on_io([&] { return s.world().ws.window_count(); }) == 4);
}

TEST_CASE("limits: sessions, plain hubs, and their memory", "[wsys][limits][hub]") {
  Small s;
  auto w = s.connect();
  hello(w);
  make(w, 1, "a", true);
  make(w, 2, "b", true);
  CHECK(cannot_make(w, 3, "c", true) == err::toomanysessions);
  w.rpc<Rwalk>(2, Twalk{0, 4, {"hub", "ctl"}});
  w.rpc<Ropen>(3, Topen{4, OWRITE});
  CHECK(w.fails(5, Twrite{4, 0, "new c"}) == err::toomanysessions);  // refused before a program starts
  CHECK(s.on_io([&] { return s.world().ws.session_count(); }) == 0);

  make(w, 5, "h1", false);
  make(w, 6, "h2", false);
  w.rpc<Rwalk>(2, Twalk{0, 7, {"hub", "a"}});
  w.rpc<Rcreate>(3, Tcreate{7, "h3", 0666, OREAD});  // a plain hub in a session counts too
  CHECK(cannot_make(w, 8, "h4", false) == err::toomanyhubs);
  w.rpc<Rremove>(9, Tremove{5});
  make(w, 12, "h4", false);

  // 8 + 3 MiB of caps now, of 13.
  CHECK(w.fails(10, Twrite{4, 0, "cap 4194304 h2"}) == err::hubmemory);
  w.rpc<Rwrite>(10, Twrite{4, 0, "cap 3145728 h4"});  // the budget exactly
  CHECK(w.fails(10, Twrite{4, 0, "cap 2097152 h2"}) == err::hubmemory);
  w.rpc<Rwrite>(10, Twrite{4, 0, "cap 65536"});  // every root hub smaller: room again
  w.rpc<Rwrite>(10, Twrite{4, 0, "cap 2097152 h2"});
}

TEST_CASE("limits: cap, lag and wait take counts within bounds, precisely refused", "[wsys][limits][hub]") {
  Wsys s;
  auto w = s.connect();
  hello(w);
  make(w, 1, "h", false);
  w.rpc<Rwalk>(2, Twalk{0, 2, {"hub", "ctl"}});
  w.rpc<Ropen>(3, Topen{2, OWRITE});
  std::string cap_range = "cap out of range: 65536 to 16777216 bytes";
  CHECK(w.fails(4, Twrite{2, 0, "cap 400000000"}) == cap_range);
  CHECK(w.fails(4, Twrite{2, 0, "cap 16777217 h"}) == cap_range);
  CHECK(w.fails(4, Twrite{2, 0, "cap 1000"}) == cap_range);
  CHECK(w.fails(4, Twrite{2, 0, "cap 12abc"}) == cap_range);
  CHECK(w.fails(4, Twrite{2, 0, "cap -5"}) == cap_range);
  CHECK(w.fails(4, Twrite{2, 0, "lag 0"}) == "lag out of range: 1 to 16777216 bytes");
  CHECK(w.fails(4, Twrite{2, 0, "lag 99999999999999999999999"}) == "lag out of range: 1 to 16777216 bytes");
  CHECK(w.fails(4, Twrite{2, 0, "cap"}) == "bad ctl message");
  std::string wait_range = "wait out of range: 1 to 60000 ms";
  CHECK(w.fails(4, Twrite{2, 0, "wait 0"}) == wait_range);
  CHECK(w.fails(4, Twrite{2, 0, "wait 60001"}) == wait_range);
  CHECK(w.fails(4, Twrite{2, 0, "wait 4294967297"}) == wait_range);  // 1 past 2^32 once cut to 32 bits
  CHECK(w.fails(4, Twrite{2, 0, "wait 10abc"}) == wait_range);
  CHECK(w.fails(4, Twrite{2, 0, "wait"}) == "bad ctl message");
  w.rpc<Rwrite>(4, Twrite{2, 0, "wait 60000"});
  CHECK(s.on_io([&] { return s.world().ws.hubs().hub("", "h")->hub.policy().fear_wait_ms; }) == 60000);
  w.rpc<Rwrite>(4, Twrite{2, 0, "cap 16777216 h"});
  w.rpc<Rwrite>(4, Twrite{2, 0, "lag 1000 h"});
  CHECK(s.on_io([&] { return s.world().ws.hubs().hub("", "h")->hub.policy().cap; }) == 16777216);
}

TEST_CASE("limits: label and wdir lengths, whether written whole or grown by relative writes", "[wsys][limits]") {
  Wsys s;
  auto w = s.connect();
  hello(w, "new -cd /tmp");
  w.rpc<Rwalk>(2, Twalk{0, 1, {"label"}});
  w.rpc<Ropen>(3, Topen{1, OWRITE});
  w.rpc<Rwrite>(4, Twrite{1, 0, std::string(1024, 'l')});
  CHECK(w.fails(4, Twrite{1, 0, std::string(1025, 'l')}) == err::labeltoolong);
  CHECK(s.on_io([&] { return s.world().ws.live(1)->label.size(); }) == 1024);

  w.rpc<Rwalk>(2, Twalk{0, 2, {"wdir"}});
  w.rpc<Ropen>(3, Topen{2, ORDWR});
  CHECK(w.fails(4, Twrite{2, 0, "/" + std::string(4096, 'd')}) == err::nametoolong);
  std::string part(1000, 'a');
  for (int i = 0; i < 4; i++) w.rpc<Rwrite>(4, Twrite{2, 0, part});  // /tmp and 4 × 1001 bytes
  CHECK(w.fails(4, Twrite{2, 0, part}) == err::nametoolong);
  auto wdir = s.on_io([&] { return s.world().ws.live(1)->wdir; });
  CHECK(wdir.size() == 4 + 4 * 1001);
  w.rpc<Rwrite>(4, Twrite{2, 0, "/" + std::string(4095, 'd')});  // PATH_MAX exactly

  w.rpc<Rwalk>(2, Twalk{0, 3, {"wctl"}});
  w.rpc<Ropen>(3, Topen{3, OWRITE});
  CHECK(w.fails(4, Twrite{3, 0, "new -pid 0 -cd /" + std::string(4096, 'd')}) == err::nametoolong);
}

// hub/ in the workspace tree, through 9P: plain hubs, parked reads and
// flush, concurrent writers, watchers, fear's bound, and shell sessions.

#include "net/hub.h"
#include "tests/wsys/served_wsys.h"

using namespace grio;
using namespace grio::test;

namespace {

void hello(Wire& w, const std::string& aname = "none") {
  w.rpc<Rversion>(NOTAG, Tversion{65536, "9P2000"});
  w.rpc<Rattach>(1, Tattach{0, NOFID, "tester", aname});
}

void write(Wire& w, uint32_t fid, const std::string& s) { w.rpc<Rwrite>(5, Twrite{fid, 0, s}); }
std::string read(Wire& w, uint32_t fid, uint32_t n = 8000) { return w.rpc<Rread>(4, Tread{fid, 0, n}).data; }

// A plain hub made with Tcreate in hub/.
void create_hub(Wire& w, uint32_t fid, const std::string& name) {
  w.rpc<Rwalk>(2, Twalk{0, fid, {"hub"}});
  w.rpc<Rcreate>(3, Tcreate{fid, name, 0666, ORDWR});
}

size_t hub_readers(Wsys& s, const std::string& name) {
  return s.on_io([&] {
    auto e = s.world().ws.hubs().hub("", name);
    return e ? e->hub.readers() : size_t(999);
  });
}

}  // namespace

TEST_CASE("hub/: create a hub, a parked read is answered by another peer's write", "[wsys][hub]") {
  Wsys s;
  auto a = s.connect(), b = s.connect();
  hello(a);
  hello(b);
  create_hub(a, 1, "chat");
  write(a, 1, "before\n");
  open_at(b, 1, {"hub", "chat"}, OREAD);
  CHECK(read(b, 1) == "before\n");  // the scrollback
  b.send(40, Tread{1, 0, 100});
  CHECK_FALSE(b.try_recv(100).has_value());
  write(a, 1, "after\n");
  auto f = b.recv();
  CHECK(f.tag == 40);
  CHECK(std::get<Rread>(f.msg).data == "after\n");
  // The writer reads its own hub too (ORDWR).
  CHECK(read(a, 1) == "before\nafter\n");
  a.rpc<Rwalk>(2, Twalk{0, 9, {"hub"}});
  CHECK(a.fails(3, Tcreate{9, "chat", 0666, ORDWR}) == err::exists);
}

TEST_CASE("hub/: Tflush cancels a parked read, clunk and hang-up detach readers", "[wsys][hub]") {
  Wsys s;
  auto a = s.connect();
  hello(a);
  create_hub(a, 1, "h");
  {
    auto b = s.connect();
    hello(b);
    open_at(b, 1, {"hub", "h"}, OREAD);
    b.send(40, Tread{1, 0, 100});
    b.rpc<Rflush>(41, Tflush{40});
    write(a, 1, "x");
    CHECK_FALSE(b.try_recv(100).has_value());  // the flushed read is never answered
    CHECK(read(b, 1) == "x");
    b.send(42, Tread{1, 0, 100});  // parked when the peer goes away
    CHECK(hub_readers(s, "h") == 2);
  }
  CHECK(s.eventually([&] { return s.world().ws.hubs().hub("", "h")->hub.readers() == 1; }));
  CHECK(s.on_io([&] { return s.world().ws.hubs().hub("", "h")->hub.waiting(); }) == 0);
  a.rpc<Rclunk>(6, Tclunk{1});
  CHECK(hub_readers(s, "h") == 0);
  CHECK(s.on_io([&] { return s.world().ws.hubs().open_hubs(); }) == 0);
}

TEST_CASE("hub/: remove a hub, its readers get end of file", "[wsys][hub]") {
  Wsys s;
  auto a = s.connect();
  hello(a);
  create_hub(a, 1, "gone");
  open_at(a, 2, {"hub", "gone"}, OREAD);
  a.send(40, Tread{2, 0, 100});
  a.send(6, Tremove{1});
  auto f = a.recv(), g = a.recv();
  if (f.tag != 40) std::swap(f, g);
  CHECK(f.tag == 40);
  CHECK(std::get<Rread>(f.msg).data.empty());
  CHECK(std::holds_alternative<Rremove>(g.msg));
  CHECK(a.rpc<Rwalk>(7, Twalk{0, 3, {"hub", "gone"}}).wqid.size() == 1);
}

TEST_CASE("hub/: four peers writing at once interleave only at write boundaries", "[wsys][hub]") {
  Wsys s;
  auto r = s.connect();
  hello(r);
  create_hub(r, 1, "mix");
  open_at(r, 2, {"hub", "ctl"}, OWRITE);
  write(r, 2, "cap 16777216 mix");  // room for all of it: every record must arrive
  // Four connections with all their writes in flight at once (Catch2 is
  // not thread-safe, so one thread sends them all without waiting); the
  // server takes them from the four sockets as they come.
  std::vector<Wire> ws;
  for (int k = 0; k < 4; k++) {
    ws.push_back(s.connect());
    hello(ws.back());
    open_at(ws.back(), 1, {"hub", "mix"}, OWRITE);
  }
  auto len = [](int k, int i) { return 1 + size_t(i * 7919 + k * 104729) % 20000; };
  for (int i = 0; i < 200; i++)
    for (int k = 0; k < 4; k++) ws[k].send(uint16_t(100 + i), Twrite{1, 0, std::string(len(k, i), char('a' + k)) + "\n"});
  for (auto& w : ws)
    for (int i = 0; i < 200; i++) CHECK(std::get<Rwrite>(w.recv().msg).count > 0);
  std::string got;
  for (std::string d; !(d = read(r, 1, 60000)).empty();) {
    got += d;
    if (s.on_io([&] { return s.world().ws.hubs().hub("", "mix")->hub.end(); }) == got.size()) break;
  }
  // Each writer's records arrive whole and in its order.
  std::vector<int> next(4, 0);
  for (size_t at = 0; at < got.size();) {
    size_t nl = got.find('\n', at);
    REQUIRE(nl != std::string::npos);
    auto rec = std::string_view(got).substr(at, nl - at);
    REQUIRE(!rec.empty());
    int k = rec[0] - 'a';
    REQUIRE((k >= 0 && k < 4));
    CHECK(rec.find_first_not_of(rec[0]) == std::string_view::npos);
    CHECK(rec.size() == len(k, next[k]));
    next[k]++;
    at = nl + 1;
  }
  CHECK(next == std::vector<int>{200, 200, 200, 200});
}

TEST_CASE("hub/: a watch attach reads but cannot write, create, remove or control", "[wsys][hub]") {
  Wsys s;
  auto a = s.connect(), w = s.connect();
  hello(a);
  create_hub(a, 1, "shown");
  write(a, 1, "look\n");
  hello(w, "watch");
  open_at(w, 1, {"hub", "shown"}, OREAD);
  CHECK(read(w, 1) == "look\n");
  w.rpc<Rwalk>(2, Twalk{0, 2, {"hub", "shown"}});
  CHECK(w.fails(3, Topen{2, OWRITE}) == err::perm);
  CHECK(w.fails(3, Topen{2, ORDWR}) == err::perm);
  w.rpc<Rwalk>(2, Twalk{0, 3, {"hub", "ctl"}});
  CHECK(w.fails(3, Topen{3, OWRITE}) == err::perm);
  w.rpc<Rwalk>(2, Twalk{0, 4, {"hub"}});
  CHECK(w.fails(3, Tcreate{4, "mine", 0666, ORDWR}) == err::perm);
  CHECK(w.fails(3, Tremove{2}) == err::perm);
  // Back up from hub/, the watcher still has only view: no snarf there.
  CHECK(w.rpc<Rwalk>(2, Twalk{0, 5, {"hub", "..", "snarf"}}).wqid.size() == 2);
  w.rpc<Rwalk>(2, Twalk{0, 5, {"hub", "..", "screen"}});
  CHECK(w.fails(3, Topen{5, OWRITE}) == err::perm);
}

TEST_CASE("hub/: fear parks a writer behind a slow reader, for at most its bound", "[wsys][hub]") {
  Wsys s;
  auto a = s.connect(), slow = s.connect();
  hello(a);
  hello(slow);
  create_hub(a, 1, "f");
  open_at(slow, 1, {"hub", "f"}, OREAD);
  open_at(a, 2, {"hub", "ctl"}, ORDWR);
  write(a, 2, "cap 65536 f");
  write(a, 2, "fear f");
  write(a, 2, "wait 300");
  CHECK(read(a, 2).find("f cap 65536 held 0 start 0 end 0 readers 2 fear 300") != std::string::npos);
  std::string block(30000, 'z');
  write(a, 1, block);
  write(a, 1, block);
  auto t0 = std::chrono::steady_clock::now();
  a.send(50, Twrite{1, 0, block});
  CHECK_FALSE(a.try_recv(100).has_value());  // waits for the slow reader
  CHECK(read(slow, 1, 30000) == block);       // who catches up a little: room
  auto f = a.recv();
  CHECK(std::get<Rwrite>(f.msg).count == 30000);
  a.send(51, Twrite{1, 0, block});  // nobody reads now: the bound runs out
  f = a.recv();
  CHECK(std::get<Rwrite>(f.msg).count == 30000);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(300));
  auto got = read(slow, 1, 60000);
  // The write forced past it, announced on a line of its own.
  CHECK(got == "\n" + net::Hub::marker(30000));
}

TEST_CASE("hub/: a shell session outlives its clients, notes signal it, its end is told", "[wsys][hub]") {
  Wsys s;
  {
    auto a = s.connect();
    hello(a);
    open_at(a, 1, {"hub", "ctl"}, OWRITE);
    write(a, 1, "new sess cat");
    CHECK(s.eventually([&] { return s.world().ws.session_count() == 1; }));
  }
  auto b = s.connect();
  hello(b);
  open_at(b, 1, {"hub", "sess", "0"}, OWRITE);
  open_at(b, 2, {"hub", "sess", "1"}, OREAD);
  write(b, 1, "hello\n");
  std::string out;
  while (out.find("hello\nhello\n") == std::string::npos) out += read(b, 2);  // echo, then cat
  open_at(b, 3, {"hub", "sess", "ctl"}, ORDWR);
  CHECK(read(b, 3).rfind("session sess running ", 0) == 0);
  open_at(b, 4, {"hub", "sess", "note"}, OWRITE);
  write(b, 4, "interrupt\n");
  while (!read(b, 2).empty()) {
  }  // end of file once the program is gone
  CHECK(read(b, 3).rfind("session sess exited", 0) == 0);
  CHECK(s.eventually([&] { return s.world().ws.session_count() == 0; }));
  CHECK(b.rpc<Rwalk>(7, Twalk{0, 9, {"hub", "sess"}}).wqid.size() == 1);  // hub/ is there, sess is not
}

TEST_CASE("hub/: eof on a session's hub 0 is end of file for its program", "[wsys][hub]") {
  Wsys s;
  auto a = s.connect();
  hello(a);
  open_at(a, 1, {"hub", "ctl"}, OWRITE);
  write(a, 1, "new wc sh -c 'wc -c; echo done'");
  CHECK(s.eventually([&] { return s.world().ws.session_count() == 1; }));
  open_at(a, 2, {"hub", "wc", "0"}, OWRITE);
  open_at(a, 3, {"hub", "wc", "1"}, OREAD);
  open_at(a, 4, {"hub", "wc", "ctl"}, OWRITE);
  write(a, 2, "12345\n");
  write(a, 4, "eof 0");
  std::string out;
  for (std::string d; !(d = read(a, 3)).empty();) out += d;
  CHECK(out.find("6\ndone\n") != std::string::npos);
}

TEST_CASE("hub/: OTRUNC opens a tail reader (a watcher's too) and lag bounds it", "[wsys][hub]") {
  Wsys s;
  auto a = s.connect(), w = s.connect();
  hello(a);
  hello(w, "watch");
  create_hub(a, 1, "t");
  open_at(a, 2, {"hub", "ctl"}, ORDWR);
  write(a, 2, "lag 12000 t");
  CHECK(read(a, 2).find("t cap 1048576 held 0 start 0 end 0 readers 1 calm notrunc lag 12000 ") != std::string::npos);
  open_at(w, 1, {"hub", "t"}, OREAD | OTRUNC);
  open_at(a, 3, {"hub", "t"}, OREAD);
  std::string all;
  for (int i = 0; i < 10; i++) {
    all += std::string(4999, char('a' + i)) + "\n";
    write(a, 1, all.substr(all.size() - 5000));
  }
  // 50 000 bytes, writes starting every 5 000: the tail starts at 40 000.
  CHECK(read(w, 1, 60000) == net::Hub::marker(40000));
  CHECK(read(w, 1, 60000) == all.substr(40000));
  CHECK(read(a, 3, 60000) == all);
  CHECK(a.fails(4, Twrite{2, 0, "lag 0"}) == "lag out of range: 1 to 16777216 bytes");
}

TEST_CASE("hub/: a session's ctl and hub/ctl say who is attached, watching or typing, and since when", "[wsys][hub]") {
  Wsys s;
  auto a = s.connect(), w = s.connect(), peer = s.connect(net::Grant{net::right::view, "ex", "fred", ""});
  hello(a);
  hello(w, "watch");
  hello(peer);
  a.rpc<Rwalk>(2, Twalk{0, 1, {"hub"}});
  a.rpc<Rcreate>(3, Tcreate{1, "s", DMDIR | 0777, OREAD});
  open_at(a, 2, {"hub", "s", "ctl"}, OREAD);
  CHECK(read(a, 2) .find("client") == std::string::npos);
  // Reading hub 1 as a terminal does (OTRUNC) is being attached; without, not.
  open_at(a, 3, {"hub", "s", "1"}, OREAD | OTRUNC);
  open_at(w, 3, {"hub", "s", "1"}, OREAD | OTRUNC);
  open_at(peer, 3, {"hub", "s", "1"}, OREAD | OTRUNC);
  open_at(a, 4, {"hub", "s", "2"}, OREAD | OTRUNC);
  open_at(a, 5, {"hub", "s", "1"}, OREAD);
  auto st = read(a, 2);
  INFO(st);
  CHECK(st.rfind("session s shared 3 clients 2 watching\n", 0) == 0);
  CHECK(st.find("client owner typing since ") != std::string::npos);
  CHECK(st.find("client owner watching since ") != std::string::npos);
  CHECK(st.find("client fred watching since ") != std::string::npos);
  open_at(a, 6, {"hub", "ctl"}, OREAD);
  CHECK(read(a, 6).find("s/ shared 3 clients 2 watching\n") != std::string::npos);
  // Gone when they go.
  w.rpc<Rclunk>(4, Tclunk{3});
  peer.close();
  CHECK(s.eventually([&] { return s.world().ws.hubs().session("s")->clients.size() == 1; }));
  st = read(a, 2);
  CHECK(st.rfind("session s shared 1 client\n", 0) == 0);
  CHECK(st.find("watching") == std::string::npos);
}

namespace {
// Reads fid (a hub) until what has come holds want; a wait is bounded by the wire.
bool read_until(Wire& w, uint32_t fid, const std::string& want) {
  std::string got;
  for (int i = 0; i < 200 && got.find(want) == std::string::npos; i++) got += read(w, fid);
  return got.find(want) != std::string::npos;
}
}  // namespace

TEST_CASE("hub/: a session takes the terminal size of the client that typed last, as tmux sizes one", "[wsys][hub]") {
  Wsys s;
  auto a = s.connect(), b = s.connect(), watcher = s.connect();
  hello(a);
  hello(b);
  hello(watcher, "watch");
  open_at(a, 1, {"hub", "ctl"}, OWRITE);
  write(a, 1, "new sz sh");
  // Each client reads the output as a terminal does, and has the ctl.
  open_at(a, 2, {"hub", "sz", "1"}, OREAD | OTRUNC);
  open_at(a, 3, {"hub", "sz", "0"}, OWRITE);
  open_at(a, 4, {"hub", "sz", "ctl"}, ORDWR);
  open_at(b, 2, {"hub", "sz", "1"}, OREAD | OTRUNC);
  open_at(b, 3, {"hub", "sz", "0"}, OWRITE);
  open_at(b, 4, {"hub", "sz", "ctl"}, ORDWR);
  write(a, 4, "size 100 30");
  write(a, 3, "stty size\n");
  CHECK(read_until(a, 2, "30 100"));
  // b tells its size: the session takes it at once.
  write(b, 4, "size 120 40");
  write(b, 3, "stty size\n");
  CHECK(read_until(b, 2, "40 120"));
  // a types again: its size comes back.
  write(a, 3, "stty size\n");
  CHECK(read_until(a, 2, "30 100"));
  // Bad sizes are refused precisely, and change nothing.
  CHECK(a.fails(5, Twrite{4, 0, "size 0 30"}) == std::string(err::badsize) + ": 1 to 4096 columns and rows");
  CHECK(a.fails(5, Twrite{4, 0, "size 5000 30"}) == std::string(err::badsize) + ": 1 to 4096 columns and rows");
  CHECK(a.fails(5, Twrite{4, 0, "size 80"}) == err::badctl);
  CHECK(s.on_io([&] { return s.world().ws.hubs().session("sz")->cols; }) == 100);
  // A watcher may not size it.
  watcher.rpc<Rwalk>(2, Twalk{0, 4, {"hub", "sz", "ctl"}});
  CHECK(watcher.fails(3, Topen{4, ORDWR}) == err::perm);
  // And the root has no size.
  CHECK(a.fails(5, Twrite{1, 0, "size 80 24"}) == err::badctl);
}

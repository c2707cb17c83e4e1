// The 9P server's protocol rules, driven through raw 9P over a socketpair.
#include "tests/net/harness.h"

using namespace grio;
using namespace grio::test;

namespace {

// Walks fid 0 to name into newfid and opens it.
void open_file(Wire& w, uint32_t newfid, const std::string& name, uint8_t mode) {
  w.rpc<Rwalk>(10, Twalk{0, newfid, {name}});
  w.rpc<Ropen>(11, Topen{newfid, mode});
}

void make_file(Wire& w, uint32_t fid, const std::string& name, const std::string& data) {
  w.rpc<Rwalk>(10, Twalk{0, fid, {}});
  w.rpc<Rcreate>(11, Tcreate{fid, name, 0664, ORDWR});
  if (!data.empty()) w.rpc<Rwrite>(12, Twrite{fid, 0, data});
  w.rpc<Rclunk>(13, Tclunk{fid});
}

// A new connection with fid 1 open ORDWR on a new file holding data.
Wire with_file(Served& s, uint32_t msize, const std::string& name, const std::string& data) {
  auto w = s.connect();
  w.hello(msize);
  make_file(w, 1, name, data);
  open_file(w, 1, name, ORDWR);
  return w;
}

}  // namespace

TEST_CASE("version negotiates msize and the 9P2000 dialect", "[net]") {
  Served s;
  auto w = s.connect();
  auto v = w.rpc<Rversion>(NOTAG, Tversion{8192, "9P2000"});
  CHECK(v.msize == 8192);
  CHECK(v.version == "9P2000");
  v = w.rpc<Rversion>(NOTAG, Tversion{64 << 20, "9P2000.L"});
  CHECK(v.msize == 1 << 20);  // the cap
  CHECK(v.version == "9P2000");
  v = w.rpc<Rversion>(NOTAG, Tversion{8192, "9P2000.u"});
  CHECK(v.version == "9P2000");
  v = w.rpc<Rversion>(NOTAG, Tversion{8192, "NinePee"});
  CHECK(v.version == "unknown");
  CHECK(w.fails(1, Tattach{0, NOFID, "u", ""}) == err::noversion);
  CHECK(w.fails(NOTAG, Tversion{1024, "9P2000"}) == err::msizesmall);
}

TEST_CASE("requests before version, auth and R-messages are refused", "[net]") {
  Served s;
  auto w = s.connect();
  CHECK(w.fails(1, Tstat{0}) == err::noversion);
  w.hello();
  CHECK(w.fails(2, Tauth{5, "u", ""}) == err::noauth);
  CHECK(w.fails(3, Rclunk{}) == err::rmessage);
  CHECK(w.fails(4, Tattach{0, NOFID, "u", ""}) == err::dupfid);
  CHECK(w.fails(5, Tattach{1, 7, "u", ""}) == err::afid);
  CHECK(w.fails(6, Tattach{1, NOFID, "u", "elsewhere"}) == "unknown aname elsewhere");
}

TEST_CASE("walk: clone, partial walks, newfid rules", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello();
  w.rpc<Rwalk>(2, Twalk{0, 1, {}});
  w.rpc<Rcreate>(3, Tcreate{1, "d", DMDIR | 0775, OREAD});
  w.rpc<Rclunk>(4, Tclunk{1});

  SECTION("clone with nwname 0 gives a fid on the same file") {
    auto r = w.rpc<Rwalk>(5, Twalk{0, 1, {}});
    CHECK(r.wqid.empty());
    auto a = w.rpc<Rstat>(6, Tstat{0}), b = w.rpc<Rstat>(7, Tstat{1});
    CHECK(a.stat.qid == b.stat.qid);
  }
  SECTION("a partial walk answers the qids found and leaves newfid untouched") {
    auto r = w.rpc<Rwalk>(5, Twalk{0, 1, {"d", "missing", "x"}});
    CHECK(r.wqid.size() == 1);
    CHECK((r.wqid[0].type & QTDIR));
    CHECK(w.fails(6, Tstat{1}) == err::badfid);
  }
  SECTION("failure on the first element is an error") {
    CHECK(w.fails(5, Twalk{0, 1, {"missing"}}) == err::nonexist);
    CHECK(w.fails(6, Tstat{1}) == err::badfid);
  }
  SECTION("fid == newfid moves the fid") {
    w.rpc<Rwalk>(5, Twalk{0, 1, {}});
    auto r = w.rpc<Rwalk>(6, Twalk{1, 1, {"d"}});
    auto st = w.rpc<Rstat>(7, Tstat{1});
    CHECK(st.stat.name == "d");
    CHECK(st.stat.qid == r.wqid[0]);
  }
  SECTION(".. at the root stays at the root") {
    auto root = w.rpc<Rstat>(5, Tstat{0});
    auto r = w.rpc<Rwalk>(6, Twalk{0, 1, {"d", "..", ".."}});
    REQUIRE(r.wqid.size() == 3);
    CHECK(r.wqid[2] == root.stat.qid);
  }
  SECTION("walking through a file stops there") {
    make_file(w, 1, "f", "x");
    w.rpc<Rwalk>(6, Twalk{0, 2, {"f"}});
    CHECK(w.fails(7, Twalk{2, 3, {"g"}}) == err::walknodir);
    auto r = w.rpc<Rwalk>(8, Twalk{0, 3, {"f", "g"}});
    CHECK(r.wqid.size() == 1);
  }
  SECTION("newfid in use, unknown fid, open fid") {
    w.rpc<Rwalk>(5, Twalk{0, 1, {}});
    CHECK(w.fails(6, Twalk{0, 1, {"d"}}) == err::dupfid);
    CHECK(w.fails(7, Twalk{42, 2, {}}) == err::badfid);
    w.rpc<Ropen>(8, Topen{1, OREAD});
    CHECK(w.fails(9, Twalk{1, 2, {"d"}}) == err::fidopen);
  }
}

TEST_CASE("open modes", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello();
  make_file(w, 1, "f", "hello");
  SECTION("an open fid cannot be opened again") {
    open_file(w, 1, "f", OREAD);
    CHECK(w.fails(5, Topen{1, OREAD}) == err::fidopen);
  }
  SECTION("directories open for reading only") {
    w.rpc<Rwalk>(5, Twalk{0, 1, {}});
    CHECK(w.fails(6, Topen{1, OWRITE}) == err::isdir);
    CHECK(w.fails(7, Topen{1, OREAD | OTRUNC}) == err::isdir);
    CHECK(w.fails(8, Topen{1, OREAD | ORCLOSE}) == err::isdir);
    w.rpc<Ropen>(9, Topen{1, OREAD});
  }
  SECTION("unknown mode bits") {
    w.rpc<Rwalk>(5, Twalk{0, 1, {"f"}});
    CHECK(w.fails(6, Topen{1, 0x80}) == err::badmode);
  }
  SECTION("OTRUNC empties the file") {
    open_file(w, 1, "f", OWRITE | OTRUNC);
    CHECK(w.rpc<Rstat>(5, Tstat{1}).stat.length == 0);
  }
  SECTION("ORCLOSE removes the file at clunk") {
    open_file(w, 1, "f", OREAD | ORCLOSE);
    w.rpc<Rclunk>(5, Tclunk{1});
    CHECK(w.fails(6, Twalk{0, 2, {"f"}}) == err::nonexist);
  }
  SECTION("read and write need the matching mode") {
    open_file(w, 1, "f", OREAD);
    CHECK(w.fails(5, Twrite{1, 0, "x"}) == err::notwrite);
    w.rpc<Rwalk>(6, Twalk{0, 2, {"f"}});
    CHECK(w.fails(7, Tread{2, 0, 10}) == err::notopen);
    w.rpc<Ropen>(8, Topen{2, OWRITE});
    CHECK(w.fails(9, Tread{2, 0, 10}) == err::notread);
  }
  SECTION("exclusive files open once") {
    w.rpc<Rwalk>(5, Twalk{0, 1, {"f"}});
    Stat d = dont_touch();
    d.mode = DMEXCL | 0664;
    w.rpc<Rwstat>(6, Twstat{1, d});
    w.rpc<Ropen>(7, Topen{1, OREAD});
    w.rpc<Rwalk>(8, Twalk{0, 2, {"f"}});
    CHECK(w.fails(9, Topen{2, OREAD}) == err::inuse);
    w.rpc<Rclunk>(10, Tclunk{1});
    w.rpc<Ropen>(11, Topen{2, OREAD});
  }
}

TEST_CASE("create", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello();
  w.rpc<Rwalk>(2, Twalk{0, 1, {}});
  auto r = w.rpc<Rcreate>(3, Tcreate{1, "new", 0644, ORDWR});
  CHECK(r.qid.type == QTFILE);
  CHECK(r.iounit == 8192 - IOHDRSZ);
  w.rpc<Rwrite>(4, Twrite{1, 0, "data"});  // the fid is the new, open file
  CHECK(w.rpc<Rread>(5, Tread{1, 0, 100}).data == "data");
  CHECK(w.fails(6, Tcreate{1, "x", 0644, OREAD}) == err::fidopen);
  w.rpc<Rwalk>(7, Twalk{0, 2, {"new"}});
  CHECK(w.fails(8, Tcreate{2, "x", 0644, OREAD}) == err::createnondir);
  w.rpc<Rwalk>(9, Twalk{0, 3, {}});
  CHECK(w.fails(10, Tcreate{3, "new", 0644, OREAD}) == err::exists);
  CHECK(w.fails(11, Tcreate{3, "..", 0644, OREAD}) == err::badname);
  CHECK(w.fails(12, Tcreate{3, "dir", DMDIR | 0755, OWRITE}) == err::isdir);
  auto d = w.rpc<Rcreate>(13, Tcreate{3, "dir", DMDIR | 0755, OREAD});
  CHECK((d.qid.type & QTDIR));
}

TEST_CASE("read and write: offsets, end of file, count capped by msize", "[net]") {
  Served s;
  auto w = with_file(s, 4096, "f", "0123456789");
  CHECK(w.rpc<Rread>(2, Tread{1, 3, 4}).data == "3456");
  CHECK(w.rpc<Rread>(3, Tread{1, 10, 4}).data.empty());
  CHECK(w.rpc<Rread>(4, Tread{1, 1000, 4}).data.empty());
  CHECK(w.rpc<Rwrite>(5, Twrite{1, 12, "ab"}).count == 2);
  CHECK(w.rpc<Rread>(6, Tread{1, 8, 100}) .data == std::string("89\0\0ab", 6));
  std::string big(10000, 'x');
  for (size_t off = 0; off < big.size(); off += 4000)
    w.rpc<Rwrite>(7, Twrite{1, off, big.substr(off, 4000)});
  auto r = w.rpc<Rread>(8, Tread{1, 0, 1 << 20});
  CHECK(r.data.size() == 4096 - IOHDRSZ);
}

TEST_CASE("directory reads return whole entries and refuse seeks", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello();
  for (int i = 0; i < 50; i++) make_file(w, 1, "file" + std::to_string(i), "x");
  w.rpc<Rwalk>(2, Twalk{0, 1, {}});
  w.rpc<Ropen>(3, Topen{1, OREAD});
  std::vector<Stat> all;
  uint64_t off = 0;
  int reads = 0;
  while (true) {
    auto r = w.rpc<Rread>(4, Tread{1, off, 300});
    if (r.data.empty()) break;
    CHECK(r.data.size() <= 300);
    std::string why;
    auto part = unpack_dir(std::span(reinterpret_cast<const uint8_t*>(r.data.data()), r.data.size()), why);
    INFO(why);
    REQUIRE(part);  // only whole entries
    all.insert(all.end(), part->begin(), part->end());
    off += r.data.size();
    reads++;
  }
  CHECK(reads > 5);
  CHECK(all.size() == 51);  // 50 files and the pipe
  CHECK(w.fails(5, Tread{1, 17, 300}) == err::badoffset);
  CHECK(w.fails(6, Tread{1, 0, 10}) == "read count too small for directory entry");
  // Offset 0 starts over with a fresh listing.
  CHECK(!w.rpc<Rread>(7, Tread{1, 0, 300}).data.empty());
}

TEST_CASE("clunk and remove free the fid even when they fail", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello();
  w.rpc<Rwalk>(2, Twalk{0, 1, {}});
  CHECK(w.fails(3, Tremove{1}) == err::perm);  // the root cannot go
  CHECK(w.fails(4, Tstat{1}) == err::badfid);
  w.rpc<Rwalk>(5, Twalk{0, 1, {}});
  w.rpc<Rcreate>(6, Tcreate{1, "d", DMDIR | 0777, OREAD});
  make_file(w, 2, "x", "");
  w.rpc<Rclunk>(7, Tclunk{1});
  w.rpc<Rwalk>(8, Twalk{0, 1, {"d"}});
  w.rpc<Rcreate>(9, Tcreate{1, "inner", 0666, OREAD});
  w.rpc<Rclunk>(10, Tclunk{1});
  w.rpc<Rwalk>(11, Twalk{0, 1, {"d"}});
  CHECK(w.fails(12, Tremove{1}) == err::notempty);
  CHECK(w.fails(13, Tclunk{1}) == err::badfid);
  CHECK(s.on_io([&] { return s.fs().open_files(); }) == 0);
}

TEST_CASE("stat and wstat: all or nothing, Linux's truncating wstat", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello();
  make_file(w, 1, "a", "hello");
  make_file(w, 1, "b", "");
  w.rpc<Rwalk>(2, Twalk{0, 1, {"a"}});
  auto st = w.rpc<Rstat>(3, Tstat{1}).stat;
  CHECK(st.name == "a");
  CHECK(st.length == 5);
  CHECK(st.uid == "tester");

  Stat d = dont_touch();
  d.name = "b";
  d.length = 1;
  CHECK(w.fails(4, Twstat{1, d}) == err::exists);
  st = w.rpc<Rstat>(5, Tstat{1}).stat;
  CHECK(st.name == "a");
  CHECK(st.length == 5);  // nothing changed

  d = dont_touch();
  d.name = "c";
  d.length = 2;
  w.rpc<Rwstat>(6, Twstat{1, d});
  st = w.rpc<Rstat>(7, Tstat{1}).stat;
  CHECK(st.name == "c");
  CHECK(st.length == 2);

  d = dont_touch();
  d.uid = "mallory";
  CHECK(w.fails(8, Twstat{1, d}) == err::nowstat);
  w.rpc<Rwstat>(9, Twstat{1, dont_touch()});  // sync
}

TEST_CASE("a parked read is flushed and never answered", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello();
  open_file(w, 1, "pipe", OREAD);
  w.send(20, Tread{1, 0, 100});
  CHECK_FALSE(w.try_recv(100).has_value());  // parked
  CHECK(s.on_io([&] { return s.fs().parked_reads(); }) == 1);
  w.rpc<Rflush>(21, Tflush{20});
  CHECK(s.on_io([&] { return s.fs().parked_reads(); }) == 0);
  // Data written now goes to the next reader, not to the flushed one.
  w.rpc<Rwalk>(22, Twalk{0, 2, {"pipe"}});
  w.rpc<Ropen>(23, Topen{2, OWRITE});
  w.rpc<Rwrite>(24, Twrite{2, 0, "after"});
  CHECK(w.rpc<Rread>(25, Tread{1, 0, 100}).data == "after");
  CHECK_FALSE(w.try_recv(100).has_value());
}

TEST_CASE("flushes are answered in order, a flush of an answered tag still gets Rflush", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello();
  open_file(w, 1, "pipe", OREAD);
  w.send(30, Tread{1, 0, 10});
  w.send(31, Tread{1, 0, 10});
  w.send(40, Tflush{31});
  w.send(41, Tflush{30});
  w.send(42, Tflush{30});
  w.send(43, Tflush{999});
  for (uint16_t tag : {40, 41, 42, 43}) {
    auto f = w.recv();
    CHECK(f.tag == tag);
    CHECK(std::holds_alternative<Rflush>(f.msg));
  }
  CHECK_FALSE(w.try_recv(100).has_value());
}

TEST_CASE("a pipe read parks until a write, and waiters are served in order", "[net]") {
  Served s;
  auto a = s.connect(), b = s.connect();
  a.hello();
  b.hello();
  open_file(a, 1, "pipe", OREAD);
  a.send(50, Tread{1, 0, 3});
  a.send(51, Tread{1, 0, 100});
  CHECK_FALSE(a.try_recv(100).has_value());
  open_file(b, 1, "pipe", OWRITE);
  b.rpc<Rwrite>(2, Twrite{1, 0, "hello"});
  auto f1 = a.recv(), f2 = a.recv();
  CHECK(f1.tag == 50);
  CHECK(std::get<Rread>(f1.msg).data == "hel");
  CHECK(f2.tag == 51);
  CHECK(std::get<Rread>(f2.msg).data == "lo");
}

TEST_CASE("duplicate tags and clunking under a parked read", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello();
  open_file(w, 1, "pipe", OREAD);
  w.send(60, Tread{1, 0, 10});
  CHECK(w.fails(60, Tstat{0}) == err::duptag);
  w.send(61, Tclunk{1});
  auto a = w.recv(), b = w.recv();
  CHECK(a.tag == 60);
  CHECK(std::get<Rerror>(a.msg).ename == err::clunked);
  CHECK(b.tag == 61);
  CHECK(std::holds_alternative<Rclunk>(b.msg));
  CHECK(s.on_io([&] { return s.fs().parked_reads(); }) == 0);
}

TEST_CASE("a new Tversion aborts parked requests and clunks every fid", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello();
  open_file(w, 1, "pipe", OREAD);
  w.send(70, Tread{1, 0, 10});
  auto v = w.rpc<Rversion>(NOTAG, Tversion{8192, "9P2000"});
  CHECK(v.version == "9P2000");
  CHECK(w.fails(71, Tstat{0}) == err::badfid);
  CHECK(s.on_io([&] { return s.fs().parked_reads() + s.fs().open_files(); }) == 0);
  CHECK_FALSE(w.try_recv(100).has_value());  // tag 70 is never answered
}

TEST_CASE("a malformed body gets a precise Rerror and the connection goes on", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello();
  auto bytes = encode(Fcall{7, Twalk{0, 1, {"ok", "bad/name"}}});
  w.send_raw(bytes);
  auto f = w.recv();
  CHECK(f.tag == 7);
  CHECK(std::get<Rerror>(f.msg).ename == "Twalk: '/' in file name");
  bytes = encode(Fcall{8, Tclunk{0}});
  bytes[4] = 99;  // unknown type
  w.send_raw(bytes);
  CHECK(std::get<Rerror>(w.recv().msg).ename == "unknown message type 99");
  bytes = encode(Fcall{9, Tstat{0}});
  bytes.push_back(0);  // trailing byte inside the frame
  bytes[0]++;
  w.send_raw(bytes);
  CHECK(std::get<Rerror>(w.recv().msg).ename == "Tstat: trailing bytes in Tstat");
  w.rpc<Rstat>(10, Tstat{0});
}

TEST_CASE("broken framing closes the connection and nothing else", "[net]") {
  Served s;
  auto good = s.connect();
  good.hello();
  SECTION("size smaller than a header") {
    auto w = s.connect();
    w.send_raw({3, 0, 0, 0, 100, 0, 0});
    CHECK(w.closed_by_peer());
  }
  SECTION("size larger than msize") {
    auto w = s.connect();
    w.hello(4096);
    auto bytes = encode(Fcall{5, Twrite{0, 0, std::string(5000, 'x')}});
    w.send_raw(bytes);
    CHECK(w.closed_by_peer());
  }
  CHECK(s.eventually([&] { return s.server().connections() == 1; }));
  good.rpc<Rstat>(2, Tstat{0});
}

TEST_CASE("a peer vanishing mid-message or with reads parked leaks nothing", "[net]") {
  Served s;
  {
    auto w = s.connect();
    w.hello();
    open_file(w, 1, "pipe", OREAD);
    w.rpc<Rwalk>(2, Twalk{0, 2, {}});
    w.send(3, Tread{1, 0, 10});
    w.send(4, Tread{1, 0, 10});
    w.send(5, Tflush{4});
    CHECK(w.recv().tag == 5);
    auto half = encode(Fcall{6, Twrite{2, 0, std::string(100, 'y')}});
    half.resize(half.size() / 2);
    w.send_raw(half);
    CHECK(s.eventually([&] { return s.fs().parked_reads() == 1; }));
  }  // the peer closes its end here
  CHECK(s.eventually([&] { return s.server().connections() == 0; }));
  CHECK(s.on_io([&] { return s.fs().parked_reads() + s.fs().open_files(); }) == 0);
}

TEST_CASE("limits: fids, outstanding requests, connections", "[net]") {
  net::ServerConfig cfg;
  cfg.limits.max_fids = 8;
  cfg.limits.max_requests = 4;
  cfg.limits.max_connections = 3;
  Served s(cfg);
  auto w = s.connect();
  w.hello();
  for (uint32_t f = 1; f < 8; f++) w.rpc<Rwalk>(2, Twalk{0, f, {}});
  CHECK(w.fails(3, Twalk{0, 8, {}}) == err::toomanyfids);
  CHECK(w.fails(4, Tattach{9, NOFID, "u", ""}) == err::toomanyfids);
  w.rpc<Rclunk>(5, Tclunk{7});
  w.rpc<Rwalk>(6, Twalk{0, 7, {"pipe"}});
  w.rpc<Ropen>(7, Topen{7, OREAD});
  for (uint16_t t = 100; t < 104; t++) w.send(t, Tread{7, 0, 1});
  CHECK(w.fails(104, Tread{7, 0, 1}) == err::toomanyreqs);
  w.rpc<Rflush>(105, Tflush{100});
  w.send(106, Tread{7, 0, 1});  // room again
  CHECK_FALSE(w.try_recv(100).has_value());

  auto b = s.connect(), c = s.connect(), d = s.connect();
  CHECK(d.closed_by_peer());
  b.hello();
  c.hello();
  CHECK(s.server().connections() == 3);
}

TEST_CASE("100 raw clients with 50 requests in flight each", "[net]") {
  Served s;
  std::vector<Wire> ws;
  for (int i = 0; i < 100; i++) {
    ws.push_back(s.connect());
    ws.back().hello();
    make_file(ws.back(), 1, "f" + std::to_string(i), "client " + std::to_string(i));
    open_file(ws.back(), 1, "f" + std::to_string(i), OREAD);
  }
  for (auto& w : ws)
    for (uint16_t t = 0; t < 50; t++) w.send(t, Tread{1, uint64_t(t % 7), 100});
  for (int i = 0; i < 100; i++) {
    std::string want = "client " + std::to_string(i);
    for (uint16_t t = 0; t < 50; t++) {
      auto f = ws[i].recv();
      CHECK(f.tag == t);
      CHECK(std::get<Rread>(f.msg).data == want.substr(t % 7));
    }
  }
}

TEST_CASE("the -D trace logs every T and R message with its connection", "[net]") {
  std::vector<std::string> lines;
  net::ServerConfig cfg;
  cfg.debug = true;
  cfg.log = [&](const std::string& l) { lines.push_back(l); };
  Served s(cfg);
  auto w = s.connect();
  w.hello();
  s.on_io([] { return 0; });
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "[1] <- Tversion tag 65535 msize 8192 version '9P2000'");
  CHECK(lines[1] == "[1] -> Rversion tag 65535 msize 8192 version '9P2000'");
  CHECK(lines[2] == "[1] <- Tattach tag 1 fid 0 afid -1 uname tester aname ");
  CHECK(lines[3].rfind("[1] -> Rattach tag 1 qid (0000000000000000 0 'd')", 0) == 0);
}

// Large writes and then large reads, each sent in one burst with a flush at
// its end: the server takes the whole burst before answering, and still
// answers every request in order, the flush of an answered tag last.
TEST_CASE("pipelined large writes and reads sent in one burst are answered in order", "[net]") {
  Served s;
  auto w = with_file(s, 65536, "big", "");
  constexpr int N = 40;  // 2.5 MiB of payload, more than a socket holds
  const uint32_t chunk = 65536 - IOHDRSZ;
  auto body = [&](int i) {
    std::string b(chunk, char('a' + i % 26));
    for (size_t k = 0; k < b.size(); k += 4096) b[k] = char(i);
    return b;
  };
  std::vector<uint8_t> writes, reads;
  for (int i = 0; i < N; i++) {
    encode(Fcall{uint16_t(100 + i), Twrite{1, uint64_t(i) * chunk, body(i)}}, writes);
    encode(Fcall{uint16_t(300 + i), Tread{1, uint64_t(i) * chunk, chunk}}, reads);
  }
  encode(Fcall{200, Tflush{100 + N - 1}}, writes);
  encode(Fcall{400, Tflush{300 + N - 1}}, reads);

  w.send_raw(writes);
  for (int i = 0; i < N; i++) {
    auto f = w.recv();
    REQUIRE(f.tag == 100 + i);
    REQUIRE(std::holds_alternative<Rwrite>(f.msg));
    CHECK(std::get<Rwrite>(f.msg).count == chunk);
  }
  CHECK(w.recv().tag == 200);

  w.send_raw(reads);
  for (int i = 0; i < N; i++) {
    auto f = w.recv();
    REQUIRE(f.tag == 300 + i);
    REQUIRE(std::holds_alternative<Rread>(f.msg));
    CHECK(std::get<Rread>(f.msg).data == body(i));
  }
  CHECK(w.recv().tag == 400);
}

// ramfs files as extents of shared buffers (net/ram_data.h), through 9P:
// the bytes agree with a plain string, a queued reply keeps its bytes, and
// the extents and memory stay bounded.
#include <random>

#include "tests/net/harness.h"

using namespace grio;
using namespace grio::test;
using net::RamData;

namespace {

constexpr uint32_t big_msize = 256 * 1024;
constexpr uint32_t iounit = big_msize - IOHDRSZ;

// fid 1 open ORDWR on a new file of the root, and a model of its bytes.
struct ModelFile {
  Wire& w;
  std::string model;
  uint16_t tag = 10;
  ModelFile(Wire& wire, const std::string& name) : w(wire) {
    w.rpc<Rwalk>(2, Twalk{0, 1, {}});
    w.rpc<Rcreate>(3, Tcreate{1, name, 0666, ORDWR});
  }
  void write(uint64_t off, const std::string& data) {
    CHECK(w.rpc<Rwrite>(tag, Twrite{1, off, data}).count == data.size());
    apply(model, off, data);
  }
  static void apply(std::string& m, uint64_t off, const std::string& data) {
    if (m.size() < off + data.size()) m.resize(off + data.size());
    m.replace(off, data.size(), data);
  }
  void truncate(uint64_t n) {
    Stat d = dont_touch();
    d.length = n;
    w.rpc<Rwstat>(tag, Twstat{1, d});
    model.resize(n);
  }
  std::string read(uint64_t off, uint32_t n) { return w.rpc<Rread>(tag, Tread{1, off, n}).data; }
  std::string expect(uint64_t off, uint32_t n) const { return off >= model.size() ? "" : model.substr(off, n); }
  // The whole file, read back, and its length as stat says.
  void check_all() {
    std::string all;
    for (uint64_t off = 0;; off += iounit) {
      std::string got = read(off, iounit);
      all += got;
      if (got.size() < iounit) break;
    }
    REQUIRE(all.size() == model.size());
    CHECK(all == model);
    CHECK(w.rpc<Rstat>(tag, Tstat{1}).stat.length == model.size());
  }
};

std::string fill(std::mt19937& rng, size_t n) {
  std::string s(n, 0);
  char c = char('a' + rng() % 26);
  for (size_t i = 0; i < n; i++) s[i] = i % 97 == 0 ? char('A' + rng() % 26) : c;
  return s;
}

// 1 byte to 100 KiB, small ones as likely as large.
size_t random_size(std::mt19937& rng) {
  switch (rng() % 3) {
    case 0: return 1 + rng() % 64;
    case 1: return 65 + rng() % (8 * 1024);
    default: return 1 + rng() % (100 * 1024);
  }
}

uint64_t random_offset(std::mt19937& rng, uint64_t size) {
  switch (rng() % 4) {
    case 0: return size + rng() % (100 * 1024);  // past the end
    case 1: return size > 100 ? size - rng() % 100 : 0;
    default: return rng() % (size + 1);
  }
}

// What the tree may hold for n bytes of files in e extents: a buffer is at
// most 4 times one of its extents, or the room of a short string.
uint64_t held_bound(uint64_t n, size_t e) { return RamData::keep_ratio * n + 32 * e; }

// A 100 000-byte file whose first 3 000 bytes are pieces of one buffer:
// bytes written into a buffer a reply holds (held, the first 30 000)
// split it. What the file holds then.
std::string split_while_held(RamData& d, std::vector<net::SharedBytes>& held) {
  REQUIRE(d.adopt(0, std::string(100000, 'a')));
  std::string want(100000, 'a');
  held = d.share(0, 30000);
  REQUIRE(!held.empty());
  for (uint64_t off = 300; off < 3000; off += 300) {
    REQUIRE(d.write(off, "x"));
    want[off] = 'x';
  }
  return want;
}

}  // namespace

TEST_CASE("ramfs: random writes, truncates and reads agree byte for byte with a string", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello(big_msize);
  for (uint32_t seed = 1; seed <= 24; seed++) {
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    ModelFile f(w, "m" + std::to_string(seed));
    for (int op = 0; op < 150; op++) {
      INFO("op " << op << ", size " << f.model.size());
      uint32_t kind = rng() % 20;
      if (kind < 9) {
        f.write(random_offset(rng, f.model.size()), fill(rng, random_size(rng)));
      } else if (kind < 11) {
        f.truncate(rng() % (f.model.size() + 50 * 1024));
      } else if (kind < 17) {
        uint64_t off = rng() % (f.model.size() + 10);
        uint32_t n = 1 + rng() % iounit;
        CHECK(f.read(off, n) == f.expect(off, n));
      } else {
        // A read answered before a write that changes its bytes, both in
        // one burst: the reply is queued when the write comes.
        uint64_t off = rng() % (f.model.size() + 1), woff = off + rng() % 100;
        uint32_t n = 1 + rng() % iounit;
        std::string before = f.expect(off, n), data = fill(rng, random_size(rng) % 200 + 1);
        std::vector<uint8_t> burst = encode(Fcall{20, Tread{1, off, n}});
        encode(Fcall{21, Twrite{1, woff, data}}, burst);
        w.send_raw(burst);
        auto r = w.recv();
        REQUIRE(r.tag == 20);
        CHECK(std::get<Rread>(r.msg).data == before);
        REQUIRE(w.recv().tag == 21);
        ModelFile::apply(f.model, woff, data);
      }
      if (op % 25 == 24) f.check_all();
    }
    f.check_all();
    // Every reply has gone, so the buffers left are the file's.
    uint64_t n = f.model.size();
    CHECK(s.eventually([&] {
      auto u = s.fs().usage();
      return u.extents <= RamData::max_extents(n) + 1 && u.bytes <= held_bound(n, u.extents);
    }));
    w.rpc<Rremove>(f.tag, Tremove{1});
    CHECK(s.eventually([&] { return s.fs().usage().bytes == 0 && s.fs().usage().extents == 0; }));
  }
}

TEST_CASE("ramfs: a reply queued before a write keeps the bytes it was made with", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello(big_msize);
  ModelFile f(w, "f");
  const std::string old(60000, 'a');
  f.write(0, old);
  // Many reads of the whole extent, more than the socket takes at once,
  // so some replies wait in the server while the writes change the file:
  // past the end (the buffer would grow), in place, then over it all.
  std::vector<uint8_t> burst;
  const int reads = 64;
  for (int i = 0; i < reads; i++) encode(Fcall{uint16_t(100 + i), Tread{1, 0, 60000}}, burst);
  encode(Fcall{200, Twrite{1, 60000, "cc"}}, burst);
  encode(Fcall{201, Twrite{1, 10, "bbbb"}}, burst);
  encode(Fcall{202, Twrite{1, 0, std::string(50000, 'd')}}, burst);
  encode(Fcall{203, Tread{1, 0, 60002}}, burst);
  w.send_raw(burst);
  for (int i = 0; i < reads; i++) {
    auto r = w.recv();
    CHECK(r.tag == 100 + i);
    CHECK(std::get<Rread>(r.msg).data == old);
  }
  for (uint16_t tag : {200, 201, 202}) CHECK(w.recv().tag == tag);
  auto now = w.recv();
  CHECK(std::get<Rread>(now.msg).data == std::string(50000, 'd') + std::string(10000, 'a') + "cc");
}

TEST_CASE("ramfs: a small piece of a large buffer does not keep the buffer", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello(big_msize);
  ModelFile f(w, "f");
  f.write(0, std::string(65536, 'a'));
  // The first buffer's first 100 bytes are all that is left of it.
  f.write(100, std::string(65436, 'b'));
  f.check_all();
  CHECK(s.eventually([&] { return s.fs().usage().bytes <= 65536 + 128; }));
  // Nor does a truncate leave a small view of it.
  f.write(0, std::string(80000, 'c'));
  f.truncate(1000);
  f.check_all();
  CHECK(s.eventually([&] { return s.fs().usage().bytes <= 1000; }));
}

TEST_CASE("ramfs: a file's extents are bounded, and a byte-at-a-time writer makes few", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello(big_msize);
  {
    ModelFile f(w, "appended");
    for (int i = 0; i < 3000; i++) f.write(f.model.size(), std::string(1, char('a' + i % 26)));
    f.check_all();
    CHECK(s.on_io([&] { return s.fs().usage().extents; }) == 1);
    w.rpc<Rremove>(f.tag, Tremove{1});
  }
  // A byte every third: a hole and a byte each time, many small extents.
  ModelFile f(w, "sparse");
  for (int i = 0; i < 3000; i++) {
    f.write(f.model.size() + 2, "x");
    if (i % 100 == 0) {
      size_t n = s.on_io([&] { return s.fs().usage().extents; });
      CHECK(n <= RamData::max_extents(f.model.size()));
    }
  }
  // Small writes across the boundaries of large extents.
  for (int i = 0; i < 4; i++) f.write(f.model.size(), std::string(60000, char('p' + i)));
  for (uint64_t off = 9000; off + 2 < f.model.size(); off += 997) f.write(off, "yz");
  f.check_all();
  size_t n = s.on_io([&] { return s.fs().usage().extents; });
  CHECK(n <= RamData::max_extents(f.model.size()));
}

TEST_CASE("ramfs: a write over bytes nobody else holds fits a full budget, and new bytes do not", "[net]") {
  BasicServed<LimitedRamWorld<200 * 1024, 16>> s;  // 200 KiB in all
  auto w = s.connect();
  w.hello(big_msize);
  ModelFile f(w, "f");
  for (int i = 0; i < 3; i++) f.write(i * 65536, std::string(65536, char('a' + i)));
  // 192 KiB held: each overwrite needs 64 KiB before the old goes.
  for (int i = 0; i < 10; i++) f.write(65536, std::string(65536, char('k' + i)));
  CHECK(w.fails(f.tag, Twrite{1, 3 * 65536, std::string(65536, 'z')}) == err::fsfull);
  CHECK(w.fails(f.tag, Twrite{1, 0, std::string(65536 + 16 * 1024, 'z')}) == err::fsfull);
  f.check_all();
  CHECK(s.on_io([&] { return s.fs().usage().bytes; }) <= 200 * 1024);
}

TEST_CASE("ramfs: a large write over a buffer nobody else holds hands that buffer back to be read into", "[net]") {
  auto usage = std::make_shared<net::RamUsage>();
  {
    RamData d(usage, 1 << 20);
    std::string spare;
    REQUIRE(d.adopt(0, std::string(65536, 'a'), &spare));
    CHECK(spare.capacity() < 1000);
    std::string b(65536, 'b');
    const char* kept = b.data();
    REQUIRE(d.adopt(0, std::move(b), &spare));
    CHECK(spare.capacity() >= 65536);
    CHECK(usage->bytes == 65536);
    CHECK(d.copy(0, 65536) == std::string(65536, 'b'));
    // The payload itself became the file's: its bytes were not copied.
    auto pieces = d.share(0, 65536);
    REQUIRE(pieces.size() == 1);
    CHECK(pieces[0].bytes.data() == kept);
    // A buffer a reply still holds is not handed back.
    std::string other;
    REQUIRE(d.adopt(0, std::string(65536, 'c'), &other));
    CHECK(other.capacity() < 1000);
    CHECK(usage->bytes == 2 * 65536);
  }
  CHECK(usage->bytes == 0);
  CHECK(usage->extents == 0);
}

// Found by tests/fuzz/fuzz_ram_data: a short payload was checked against
// the budget by its length, but a string holds at least its inline room.
TEST_CASE("ramfs: a short adopted payload counts the room its string takes", "[net]") {
  auto usage = std::make_shared<net::RamUsage>();
  {
    RamData d(usage, 10);
    CHECK_FALSE(d.adopt(0, std::string("x")));
    CHECK(usage->bytes <= 10);
    CHECK(d.size() == 0);
  }
  CHECK(usage->bytes == 0);
}

// Found by tests/fuzz/fuzz_ram_data: merging a file's small extents was
// refused when the budget could not hold the merged bytes on top of the
// pieces, though the pieces (holes, buffers nobody else holds) go with it.
TEST_CASE("ramfs: a file's small extents merge under a nearly full budget, the pieces they free counted", "[net]") {
  auto usage = std::make_shared<net::RamUsage>();
  {
    RamData d(usage, 30000);
    REQUIRE(d.resize(20000));
    // A byte every 100 in the hole: 11 extents, and 12 is the most 20000
    // bytes may have.
    for (uint64_t off = 100; off <= 500; off += 100) REQUIRE(d.write(off, "x"));
    REQUIRE(d.extents() == 11);
    // One more takes a merge of the 20000 bytes first, which frees more
    // than it takes.
    CHECK(d.write(19999, "y"));
    CHECK(d.extents() <= RamData::max_extents(d.size()));
    CHECK(d.resize(20001));
    CHECK(usage->bytes <= 30000);
    std::string want(20001, '\0');
    for (uint64_t off = 100; off <= 500; off += 100) want[off] = 'x';
    want[19999] = 'y';
    CHECK(d.copy(0, d.size()) == want);
  }
  CHECK(usage->bytes == 0);
  CHECK(usage->extents == 0);
}

// Found by tests/fuzz/fuzz_ram_data: a buffer held by several extents of
// the merged run (the pieces a split leaves) was not counted as freed, so
// a truncated file kept more extents than its bound.
TEST_CASE("ramfs: a truncated file's pieces of one buffer merge under a nearly full budget", "[net]") {
  auto usage = std::make_shared<net::RamUsage>();
  {
    RamData d(usage, 102000);
    std::string want;
    {
      std::vector<net::SharedBytes> held;
      want = split_while_held(d, held);
    }
    REQUIRE(d.extents() > RamData::max_extents(3000));
    REQUIRE(d.resize(3000));
    CHECK(d.extents() <= RamData::max_extents(3000));
    CHECK(d.copy(0, 3000) == want.substr(0, 3000));
    CHECK(usage->bytes <= 102000);
  }
  CHECK(usage->bytes == 0);
  CHECK(usage->extents == 0);
}

// Found by tests/fuzz/fuzz_ram_data: a truncate whose extents had to be
// merged while a reply held their buffer and the budget was nearly full
// left the file with more extents than its bound.
TEST_CASE("ramfs: a truncate that cannot merge what it leaves is refused, and changes nothing", "[net]") {
  auto usage = std::make_shared<net::RamUsage>();
  {
    RamData d(usage, 102000);
    std::vector<net::SharedBytes> held;
    std::string want = split_while_held(d, held);
    size_t extents = d.extents();
    REQUIRE(extents > RamData::max_extents(3000));
    CHECK_FALSE(d.can_resize(3000));
    CHECK_FALSE(d.resize(3000));
    CHECK(d.size() == 100000);
    CHECK(d.extents() == extents);
    CHECK(d.copy(0, d.size()) == want);
    CHECK(usage->bytes <= 102000);
    // Once the reply has gone, the truncate is allowed and keeps the bound.
    held.clear();
    CHECK(d.can_resize(3000));
    REQUIRE(d.resize(3000));
    CHECK(d.extents() <= RamData::max_extents(3000));
    CHECK(d.copy(0, 3000) == want.substr(0, 3000));
    // A truncate that needs no merge is never refused.
    CHECK(d.resize(2000));
  }
  CHECK(usage->bytes == 0);
  CHECK(usage->extents == 0);
}

namespace {
// A file of n buffers of len bytes, each after a 1-byte hole, and a reply
// holding each buffer: 2n extents that only a merge of new room joins.
std::vector<std::vector<net::SharedBytes>> held_pieces(RamData& d, int n, size_t len) {
  std::vector<std::vector<net::SharedBytes>> held;
  for (int i = 0; i < n; i++) {
    uint64_t off = d.size() + 1;
    REQUIRE(d.write(off, std::string(len, char('a' + i))));
    held.push_back(d.share(off, len));
    REQUIRE(!held.back().empty());
  }
  return held;
}
}  // namespace

// Found reading compact() for the bugs the fuzzer found: a wstat growing a
// file at its extent bound merged its extents with all the budget left,
// then added the new hole's bytes on top.
TEST_CASE("ramfs: a file grown at its extent bound keeps the budget for its hole", "[net]") {
  auto usage = std::make_shared<net::RamUsage>();
  {
    RamData d(usage, 8004);
    auto held = held_pieces(d, 4, 1000);
    REQUIRE(d.extents() == RamData::max_extents(4004));
    REQUIRE(usage->bytes == 4004);
    // A merge of the 4004 bytes would take 4004 more; the hole 1 more.
    REQUIRE(d.can_resize(4005));
    REQUIRE(d.resize(4005));
    CHECK(usage->bytes <= 8004);
    CHECK(d.extents() <= RamData::max_extents(4005) + 1);
  }
  CHECK(usage->bytes == 0);
}

// Found the same way: a merge of 16 to 29 bytes reserved a
// string that took 30 bytes, twice a short string's room, where the
// budget had been asked for its length.
TEST_CASE("ramfs: a short merge takes no more than the budget was asked for", "[net]") {
  auto usage = std::make_shared<net::RamUsage>();
  {
    RamData d(usage, 85);
    auto held = held_pieces(d, 4, 5);
    REQUIRE(d.extents() == RamData::max_extents(24));
    REQUIRE(usage->bytes == 4 * 15 + 4);
    REQUIRE(d.resize(25));
    CHECK(usage->bytes <= 85);
    CHECK(d.copy(0, 25) == std::string("\0aaaaa\0bbbbb\0ccccc\0ddddd\0", 25));
  }
  CHECK(usage->bytes == 0);
}

TEST_CASE("ramfs: a file renamed to pipe queues its bytes, and back keeps what is queued", "[net]") {
  Served s;
  auto w = s.connect();
  w.hello(big_msize);
  w.rpc<Rwalk>(2, Twalk{0, 3, {"pipe"}});
  w.rpc<Rremove>(3, Tremove{3});
  ModelFile f(w, "f");
  f.write(0, std::string(20000, 'q') + "end");
  Stat d = dont_touch();
  d.name = "pipe";
  w.rpc<Rwstat>(4, Twstat{1, d});
  CHECK(w.rpc<Rread>(5, Tread{1, 0, 10}).data == std::string(10, 'q'));
  d.name = "g";
  w.rpc<Rwstat>(6, Twstat{1, d});
  CHECK(w.rpc<Rstat>(7, Tstat{1}).stat.length == 19993);
  CHECK(w.rpc<Rread>(8, Tread{1, 19990, 10}).data == "end");
  w.rpc<Rremove>(9, Tremove{1});
  CHECK(s.eventually([&] { return s.fs().usage().bytes == 0; }));
}

// Found reading retype() for the fuzzer's bugs: a pipe of a few bytes
// renamed to a file under a nearly full budget passed the check for its
// length, but a file's buffer takes at least a short string's room, so the
// write failed unseen and the bytes were lost.
TEST_CASE("ramfs: a short pipe renamed to a file under a nearly full budget keeps its bytes or is refused", "[net]") {
  BasicServed<LimitedRamWorld<1000, 16>> s;
  auto w = s.connect();
  w.hello(big_msize);
  w.rpc<Rwalk>(2, Twalk{0, 3, {"pipe"}});
  w.rpc<Rremove>(3, Tremove{3});
  ModelFile f(w, "f");
  f.write(0, "hello");
  Stat d = dont_touch();
  d.name = "pipe";
  w.rpc<Rwstat>(4, Twstat{1, d});
  REQUIRE(s.on_io([&] { return s.fs().usage().bytes; }) == 5);
  // Another file leaves the budget 5 bytes: the pipe's length, not a
  // short string's room.
  w.rpc<Rwalk>(5, Twalk{0, 5, {}});
  w.rpc<Rcreate>(6, Tcreate{5, "big", 0666, ORDWR});
  w.rpc<Rwrite>(7, Twrite{5, 0, std::string(990, 'b')});
  REQUIRE(s.on_io([&] { return s.fs().usage().bytes; }) == 995);
  d.name = "g";
  w.send(8, Twstat{1, d});
  auto r = w.recv();
  if (auto* e = std::get_if<Rerror>(&r.msg)) {
    CHECK(e->ename == err::fsfull);
    CHECK(w.rpc<Rstat>(9, Tstat{1}).stat.name == "pipe");
  } else {
    CHECK(w.rpc<Rstat>(9, Tstat{1}).stat.length == 5);
    CHECK(w.rpc<Rread>(10, Tread{1, 0, 10}).data == "hello");
  }
  CHECK(s.on_io([&] { return s.fs().usage().bytes; }) <= 1000);
}

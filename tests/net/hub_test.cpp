// The hub's log on its own: fan-out, scrollback, loss markers, fear, eof.
#include "net/hub.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <random>

using grio::net::Hub;
using grio::net::HubPolicy;

namespace {

// Deterministic printable bytes, different at every offset.
std::string bytes(size_t n, uint32_t seed) {
  std::mt19937 g(seed);
  std::string s(n, ' ');
  for (auto& c : s) c = char('!' + g() % 90);
  return s;
}

uint64_t fnv(std::string_view s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Everything r can read now.
std::string drain(Hub& h, Hub::ReaderId r, size_t count = 8192) {
  std::string out;
  for (auto got = h.read(r, count); got.kind == Hub::Read::Data; got = h.read(r, count)) out += got.bytes;
  return out;
}

}  // namespace

TEST_CASE("hub: one writer, 64 readers: every reader gets every byte in order", "[net][hub]") {
  Hub h;
  std::vector<Hub::ReaderId> rs;
  for (int i = 0; i < 64; i++) rs.push_back(h.attach());
  std::vector<uint64_t> sums(64, fnv(""));
  uint64_t want = fnv("");
  std::mt19937 g(7);
  size_t total = 0;
  for (int w = 0; w < 400; w++) {
    auto data = bytes(1 + g() % 9000, w);
    REQUIRE(h.write(data) == data.size());
    want = fnv(data, want);
    total += data.size();
    // Readers take odd-sized bites, so reads cut across writes.
    for (size_t i = 0; i < rs.size(); i++) sums[i] = fnv(drain(h, rs[i], 1 + (i * 37) % 5000), sums[i]);
  }
  for (auto s : sums) CHECK(s == want);
  CHECK(total > 1'000'000);
  CHECK(h.lost() == 0);
}

TEST_CASE("hub: a late joiner gets the tail held, from a write boundary", "[net][hub]") {
  Hub h(HubPolicy{.cap = 100'000});
  std::string all;
  for (int w = 0; w < 1000; w++) {
    auto rec = "record " + std::to_string(w) + " " + bytes(991 - std::to_string(w).size(), w) + "\n";
    REQUIRE(rec.size() == 1000);
    h.write(rec);
    all += rec;
  }
  auto late = h.attach();
  auto tail = drain(h, late);
  CHECK(tail.size() == h.held());
  CHECK(tail.size() <= 100'000);
  CHECK(tail.size() > 90'000);
  CHECK(tail == all.substr(all.size() - tail.size()));
  CHECK(tail.rfind("record ", 0) == 0);  // starts at a write, not inside one
  CHECK(h.lost() == 0);
}

TEST_CASE("hub: trunc makes new readers start at the end", "[net][hub]") {
  Hub h;
  h.write("old\n");
  h.set_trunc(true);
  auto r = h.attach();
  CHECK(h.read(r, 100).kind == Hub::Read::Wait);
  h.write("new\n");
  CHECK(drain(h, r) == "new\n");
}

TEST_CASE("hub: an overtaken reader gets one marker with the exact count, then intact data", "[net][hub]") {
  std::string all;
  for (int w = 0; w < 300; w++) all += bytes(100 + w * 7, w);
  Hub h(HubPolicy{.cap = 65536});
  auto r = h.attach();
  h.write(all.substr(0, 500));
  CHECK(h.read(r, 10).bytes == all.substr(0, 10));
  for (size_t off = 500; off < all.size(); off += 1000) h.write(all.substr(off, 1000));
  uint64_t missed = h.start() - 10;
  auto got = drain(h, r);
  auto m = "\n" + Hub::marker(missed);  // the reader was inside a line
  REQUIRE(got.rfind(m, 0) == 0);
  CHECK(got.substr(m.size()) == all.substr(h.start()));
  CHECK(10 + missed + (got.size() - m.size()) == all.size());
  CHECK(h.lost() == missed);
  CHECK(m == "\n[grio hub: " + std::to_string(missed) + " bytes lost]\n");
}

TEST_CASE("hub: a terminal shows markers in a row as one, with their sum, before the data they skipped to", "[net][hub]") {
  grio::net::TailShow show;
  CHECK(show.take("hello\n") == std::string());  // data, no marker before it
  CHECK_FALSE(show.flooded());
  CHECK_FALSE(show.take("\n" + Hub::marker(100)));  // held: nothing shown yet
  CHECK(show.skipping());
  CHECK_FALSE(show.take(Hub::marker(23)));
  // The sum, opening a line as the first marker did, then the data.
  CHECK(show.take("tail\n") == "\n" + Hub::marker(123));
  CHECK(show.flooded());
  CHECK_FALSE(show.skipping());
  CHECK(show.take("more\n") == std::string());
  CHECK_FALSE(show.flooded());
  // A marker with no data after it is shown at end of file, once.
  CHECK_FALSE(show.take(Hub::marker(7)));
  CHECK(show.flush() == Hub::marker(7));
  CHECK(show.flush().empty());
  CHECK(show.take("x") == std::string());
}

TEST_CASE("hub: lost_in reads the count of a loss marker and tells it from data", "[net][hub]") {
  CHECK(Hub::lost_in(Hub::marker(12)) == 12u);
  CHECK(Hub::lost_in("\n" + Hub::marker(123456789)) == 123456789u);
  CHECK_FALSE(Hub::lost_in(""));
  CHECK_FALSE(Hub::lost_in("abc" + Hub::marker(12)));
  CHECK_FALSE(Hub::lost_in(Hub::marker(12) + "def"));
  CHECK_FALSE(Hub::lost_in("[grio hub:  bytes lost]\n"));
  CHECK_FALSE(Hub::lost_in("[grio hub: 12x bytes lost]\n"));
  CHECK_FALSE(Hub::lost_in("[grio hub: 99999999999999999999999 bytes lost]\n"));  // no uint64_t
  CHECK_FALSE(Hub::lost_in("[grio hub: 12 bytes lost]"));  // a marker ends its line
  // What an overtaken reader reads first is one, with the exact count.
  Hub h(HubPolicy{.cap = 65536});
  auto r = h.attach();
  h.write("abc");
  for (int i = 0; i < 40; i++) h.write(bytes(4000, i));
  CHECK(Hub::lost_in(h.read(r, 8192).bytes) == h.start());
  CHECK_FALSE(Hub::lost_in(h.read(r, 8192).bytes));
}

TEST_CASE("hub: after a write the readers marked first are woken before the others", "[net][hub]") {
  Hub h;
  // First readers attached before and after the others: whatever order the
  // hub keeps its readers in, both must come before all of the rest.
  std::vector<Hub::ReaderId> rs{h.attach(Hub::Tail, true)};
  for (int i = 0; i < 8; i++) rs.push_back(h.attach(Hub::Tail));
  rs.push_back(h.attach(Hub::Tail, true));
  std::vector<Hub::ReaderId> woken;
  for (auto r : rs) h.wait(r, [&woken, r] { woken.push_back(r); });
  h.write("x");
  REQUIRE(woken.size() == rs.size());
  std::vector<Hub::ReaderId> firsts(woken.begin(), woken.begin() + 2);
  std::sort(firsts.begin(), firsts.end());
  CHECK(firsts == std::vector<Hub::ReaderId>{rs.front(), rs.back()});
}

TEST_CASE("hub: a marker longer than the read is handed out in pieces", "[net][hub]") {
  Hub h(HubPolicy{.cap = 65536});
  auto r = h.attach();
  for (int i = 0; i < 40; i++) h.write(bytes(4000, i));
  auto m = Hub::marker(h.start());
  std::string got;
  while (got.size() < m.size()) got += h.read(r, 5).bytes;
  CHECK(got == m);
}

TEST_CASE("hub: fear makes room wait for the slowest reader", "[net][hub]") {
  Hub h(HubPolicy{.cap = 65536, .fear = true});
  auto fast = h.attach(), slow = h.attach();
  size_t written = 0;
  while (size_t room = h.room()) written += h.write(bytes(std::min<size_t>(room, 3000), int(written)));
  CHECK(written <= 65536);
  CHECK(written > 65536 - 3000);
  drain(h, fast);
  CHECK(h.room() == 0);  // the slow one still holds everything
  int woken = 0;
  h.wait_room([&] { woken++; });
  CHECK(h.read(slow, 8192).bytes.size() == 8192);
  CHECK(woken == 1);
  CHECK(h.room() > 0);
  drain(h, slow);
  CHECK(h.room() == Hub::atomic_max);
  CHECK(h.lost() == 0);
  // calm: writers never wait.
  h.set_fear(false);
  for (int i = 0; i < 100; i++) CHECK(h.write(bytes(3000, i)) == 3000);
  CHECK(h.room() == Hub::atomic_max);
}

TEST_CASE("hub: at most max_eofs ends of file are held, the oldest dropped first", "[net][hub]") {
  Hub h;
  auto r = h.attach();
  h.write("a");
  for (size_t i = 0; i < Hub::max_eofs + 500; i++) h.eof();
  CHECK(h.eofs_held() == Hub::max_eofs);
  CHECK(h.read(r, 100).bytes == "a");
  size_t eofs = 0;
  while (h.read(r, 100).kind == Hub::Read::Eof) eofs++;
  CHECK(eofs == Hub::max_eofs);
  h.write("b");
  CHECK(drain(h, r) == "b");
}

TEST_CASE("hub: eof reaches each reader where it was written", "[net][hub]") {
  Hub h;
  auto caught_up = h.attach(), behind = h.attach();
  h.write("abc");
  CHECK(drain(h, caught_up) == "abc");
  int woken = 0;
  h.wait(caught_up, [&] { woken++; });
  h.eof();
  CHECK(woken == 1);
  CHECK(h.read(caught_up, 100).kind == Hub::Read::Eof);
  CHECK(h.read(caught_up, 100).kind == Hub::Read::Wait);  // once only
  h.write("def");
  CHECK(h.read(behind, 100).bytes == "abc");  // stops at the eof
  CHECK(h.read(behind, 100).kind == Hub::Read::Eof);
  CHECK(h.read(behind, 100).bytes == "def");
  CHECK(drain(h, caught_up) == "def");
  auto later = h.attach();  // an eof written before it attached is not its
  CHECK(drain(h, later) == "abcdef");
  h.close();
  CHECK(h.read(later, 100).kind == Hub::Read::Eof);
  CHECK(h.read(later, 100).kind == Hub::Read::Eof);
  CHECK(h.write("x") == 0);
}

TEST_CASE("hub: writes are atomic up to 64 KiB and never split by another", "[net][hub]") {
  Hub h(HubPolicy{.cap = 1 << 20});
  auto r = h.attach();
  std::string big(100'000, 'x');
  CHECK(h.write(big) == Hub::atomic_max);
  // Two writers alternating records of many sizes: each record is whole.
  std::mt19937 g(3);
  drain(h, r);
  std::string want, got;
  for (int i = 0; i < 2000; i++) {
    std::string rec = std::string(1, char('A' + i % 2)) + std::string(g() % 6000, char('a' + i % 2)) + "\n";
    h.write(rec);
    want += rec;
    if (i % 100 == 99) got += drain(h, r, 777);
  }
  got += drain(h, r, 777);
  CHECK(got.size() == want.size());
  CHECK(got == want);
}

TEST_CASE("hub: freeze makes a static file and holds writers, melt resumes", "[net][hub]") {
  Hub h;
  auto r = h.attach();
  h.write("hello world");
  h.freeze(true);
  CHECK(h.room() == 0);
  CHECK(h.read(r, 100).kind == Hub::Read::Wait);
  CHECK(h.read_at(6, 100) == "world");
  CHECK(h.read_at(11, 100) == "");
  int woken = 0;
  h.wait(r, [&] { woken++; });
  h.freeze(false);
  CHECK(woken == 1);
  CHECK(drain(h, r) == "hello world");
}

TEST_CASE("hub: 1000 readers attach, wait and detach, nothing is left", "[net][hub]") {
  Hub h(HubPolicy{.fear = true});
  auto token = std::make_shared<int>(0);
  std::vector<Hub::ReaderId> rs;
  for (int i = 0; i < 1000; i++) {
    rs.push_back(h.attach());
    h.wait(rs.back(), [token] {});
    h.wait_room([token] {});
  }
  CHECK(h.readers() == 1000);
  CHECK(h.waiting() == 1000);
  CHECK(token.use_count() == 2001);
  for (auto r : rs) h.detach(r);  // detaching wakes waiting writers too
  CHECK(h.readers() == 0);
  CHECK(h.waiting() == 0);
  CHECK(h.room_waiters() == 0);
  CHECK(token.use_count() == 1);
}

namespace {

// A hub with a tail reader that read 10 bytes of a first 500-byte write,
// then fell behind by 30 writes of 5000 bytes (each a chunk of its own).
struct Behind {
  Hub h{HubPolicy{.lag = 22'000}};
  Hub::ReaderId tail = h.attach(Hub::Tail), every = h.attach();
  std::string all = bytes(500, 99);
  std::vector<uint64_t> starts;  // where each write began
  Behind() {
    h.write(all);
    REQUIRE(h.read(tail, 10).bytes == all.substr(0, 10));
    for (int w = 0; w < 30; w++) write(bytes(5000, w));
  }
  void write(const std::string& s) {
    starts.push_back(h.end());
    REQUIRE(h.write(s) == s.size());
    all += s;
  }
  // The first write starting within lag of the end.
  uint64_t skip_to() const {
    return *std::lower_bound(starts.begin(), starts.end(), h.end() - h.policy().lag);
  }
};

}  // namespace

TEST_CASE("hub: a tail reader far behind gets one marker with the exact count then data from a write", "[net][hub]") {
  Behind b;
  uint64_t to = b.skip_to();
  REQUIRE(b.h.end() - to <= 22'000);
  auto got = drain(b.h, b.tail);
  auto m = "\n" + Hub::marker(to - 10);  // the reader was inside a line
  REQUIRE(got.rfind(m, 0) == 0);
  CHECK(got.substr(m.size()) == b.all.substr(to));
  CHECK(b.h.lost() == to - 10);
  // Caught up, it loses nothing while it keeps within the bound.
  b.write(bytes(5000, 77));
  CHECK(drain(b.h, b.tail) == b.all.substr(b.all.size() - 5000));
  // A reader that did not ask for the tail got every byte.
  CHECK(drain(b.h, b.every) == b.all);
}

TEST_CASE("hub: under fear a tail reader gets every byte", "[net][hub]") {
  Behind b;
  b.h.set_fear(true);
  CHECK(drain(b.h, b.tail) == b.all.substr(10));
  CHECK(b.h.lost() == 0);
}

TEST_CASE("hub: a tail reader never skips past an end of file", "[net][hub]") {
  Behind b;
  uint64_t at = b.h.end();
  b.h.eof();
  for (int w = 0; w < 10; w++) b.write(bytes(5000, 50 + w));
  CHECK(b.h.read(b.tail, 8192).bytes == "\n" + Hub::marker(at - 10));
  CHECK(b.h.read(b.tail, 100).kind == Hub::Read::Eof);
  // After the end of file it is behind again, and skips again.
  uint64_t to = b.skip_to();
  CHECK(drain(b.h, b.tail) == Hub::marker(to - at) + b.all.substr(to));
}

TEST_CASE("hub: with a screen, a late joiner gets it instead of a replay, then the live bytes", "[net][hub]") {
  Hub h;
  std::string shown;  // what the screen has been fed
  h.set_screen([&] { return std::make_shared<const std::string>("<screen:" + shown + ">"); });
  auto early = h.attach();
  CHECK(drain(h, early) == "<screen:>");
  shown += "abc";
  h.write("abc");
  auto late = h.attach();
  CHECK(drain(h, late) == "<screen:abc>");
  shown += "def";
  h.write("def");
  CHECK(drain(h, late) == "def");
  CHECK(drain(h, early) == "abcdef");
  CHECK(h.lost() == 0);
}

TEST_CASE("hub: with a screen, readers that do not read hold no repaint, those partway hold theirs within the cap", "[net][hub]") {
  HubPolicy p;
  p.cap = Hub::min_cap;
  Hub h(p);
  int made = 0;  // version k of the screen: 20 000 times 'a' + k
  h.set_screen([&] { return std::make_shared<const std::string>(std::string(20000, char('a' + ++made))); });
  for (int i = 0; i < 1000; i++) h.attach();
  CHECK(made == 0);
  CHECK(h.screens_held() == 0);
  // Ten readers read a byte each of a version of their own: the three
  // read last keep theirs.
  std::vector<Hub::ReaderId> partway;
  for (int i = 0; i < 10; i++) {
    partway.push_back(h.attach());
    CHECK(h.read(partway.back(), 1).bytes == std::string(1, char('a' + i + 1)));
    CHECK(h.screens_held() <= p.cap);
  }
  CHECK(h.screens_held() == 3 * 20000);
  // The first let its go: a CAN, then a fresh repaint from its start.
  CHECK(h.read(partway[0], 100).bytes == "\x18" + std::string(99, char('a' + 11)));
  CHECK(h.screens_held() == 3 * 20000);
  // The last goes on where it was, and the live bytes follow its repaint.
  CHECK(h.read(partway[9], 100).bytes == std::string(100, char('a' + 10)));
  h.write("live");
  CHECK(drain(h, partway[9], 65536) == std::string(20000 - 101, char('a' + 10)) + "live");
  // One repaint alone may be larger than the cap.
  Hub one(p);
  one.set_screen([] { return std::make_shared<const std::string>(std::string(100000, 's')); });
  auto r = one.attach();
  CHECK(one.read(r, 10).bytes == "ssssssssss");
  CHECK(one.screens_held() == 100000);
}

TEST_CASE("hub: with a screen, a tail reader skipped ahead gets the screen, not a marker", "[net][hub]") {
  HubPolicy p;
  p.lag = Hub::min_cap;
  Hub h(p);
  h.set_screen([] { return std::make_shared<const std::string>("<now>"); });
  auto r = h.attach(Hub::Tail);
  CHECK(drain(h, r) == "<now>");
  for (int i = 0; i < 4; i++) h.write(bytes(Hub::atomic_max, uint32_t(i)));
  CHECK(drain(h, r, Hub::atomic_max) == "<now>");
  CHECK(h.lost() == 0);
  h.write("tail");
  CHECK(drain(h, r) == "tail");
  // Without a screen, the same skip is a marker.
  Hub plain(p);
  auto q = plain.attach(Hub::Tail);
  for (int i = 0; i < 4; i++) plain.write(bytes(Hub::atomic_max, uint32_t(i)));
  CHECK(Hub::lost_in(plain.read(q, Hub::atomic_max).bytes).has_value());
}

// A flood's output reaches the hub in batches longer than the lag: a tail
// reader that has kept up is repainted as soon as one comes, instead of
// being sent the batch whole (and falling further behind); a write within
// the lag still goes as written.
TEST_CASE("hub: a write longer than the lag repaints a tail reader of a screen that had kept up", "[net][hub]") {
  HubPolicy p;
  p.lag = 1024;
  Hub h(p);
  h.set_screen([] { return std::make_shared<const std::string>("<now>"); });
  auto r = h.attach(Hub::Tail);
  CHECK(drain(h, r) == "<now>");
  h.write(std::string(1000, 'x'));
  CHECK(drain(h, r, Hub::atomic_max) == std::string(1000, 'x'));
  h.write(bytes(8000, 1));
  CHECK(drain(h, r, Hub::atomic_max) == "<now>");
  CHECK(h.lost() == 0);
  h.write("tail");
  CHECK(drain(h, r) == "tail");
  // A reader of every byte is not skipped.
  auto every = h.attach(Hub::Every);
  CHECK(drain(h, every) == "<now>");
  h.write(bytes(8000, 2));
  CHECK(drain(h, every, Hub::atomic_max) == bytes(8000, 2));
}

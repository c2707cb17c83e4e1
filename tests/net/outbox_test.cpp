// The outbox: whatever is queued goes out as the same bytes the codec
// would write, large payloads beside the byte buffer, and a write cut short
// goes on from exactly where it stopped.
#include <catch2/catch.hpp>

#include "net/codec.h"
#include "net/outbox.h"

using namespace grio;
using namespace grio::net;
using namespace grio::ninep;

namespace {

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) s[i] = char(i * 7 + i / 251);
  return s;
}

std::vector<uint8_t> joined(const std::vector<asio::const_buffer>& bs) {
  std::vector<uint8_t> out;
  for (auto& b : bs) out.insert(out.end(), (const uint8_t*)b.data(), (const uint8_t*)b.data() + b.size());
  return out;
}

}  // namespace

TEST_CASE("outbox: messages go out in order with large payloads beside the byte buffer", "[net]") {
  const std::string big = pattern(20000), caller = pattern(30000);
  Outbox o;
  std::vector<uint8_t> want;
  o.add(Fcall{1, Tclunk{5}});
  encode(Fcall{1, Tclunk{5}}, want);
  o.add_rread(2, big);
  encode(Fcall{2, Rread{big}}, want);
  o.add(Fcall{3, Rwrite{7}});
  encode(Fcall{3, Rwrite{7}}, want);
  o.add_twrite(4, 9, 1ull << 40, caller);
  encode(Fcall{4, Twrite{9, 1ull << 40, caller}}, want);
  o.add_twrite(5, 9, 0, "tiny");
  encode(Fcall{5, Twrite{9, 0, "tiny"}}, want);
  o.add_rread(6, "small");
  encode(Fcall{6, Rread{"small"}}, want);

  CHECK(o.size() == want.size());
  CHECK(joined(o.buffers()) == want);
  // The caller's bytes are sent from where they are, not copied.
  bool borrowed = false;
  for (auto& b : o.buffers()) borrowed |= b.data() == caller.data();
  CHECK(borrowed);
  // Skipping what a write already took, at and around every boundary.
  std::vector<size_t> skips = {want.size() - 1, want.size()};
  for (size_t s = 0; s < want.size(); s += 997) skips.push_back(s);
  for (size_t s = 0; s < 40; s++) skips.push_back(s);
  size_t at = 0;
  for (auto& b : o.buffers()) {
    at += b.size();
    for (size_t s : {at - 1, at, at + 1})
      if (s <= want.size()) skips.push_back(s);
  }
  for (size_t s : skips) {
    INFO("skip " << s);
    CHECK(joined(o.buffers(s)) == std::vector<uint8_t>(want.begin() + long(s), want.end()));
  }
}

TEST_CASE("outbox: drop_last takes back the last message and clear empties it", "[net]") {
  Outbox o;
  o.add(Fcall{1, Tclunk{5}});
  size_t n = o.add(Fcall{2, Twalk{1, 2, {"a", "b"}}});
  CHECK(n == encode(Fcall{2, Twalk{1, 2, {"a", "b"}}}).size());
  o.drop_last(n);
  CHECK(joined(o.buffers()) == encode(Fcall{1, Tclunk{5}}));
  o.add_rread(3, pattern(10000));
  o.clear();
  CHECK(o.empty());
  CHECK(o.buffers().empty());
}

TEST_CASE("outbox: a shared Rread goes out from the tree's bytes and holds them until cleared", "[net]") {
  auto a = std::make_shared<std::string>(pattern(20000));
  auto b = std::make_shared<std::string>(pattern(9000));
  Outbox o;
  std::vector<uint8_t> want;
  o.add(Fcall{1, Rwrite{3}});
  encode(Fcall{1, Rwrite{3}}, want);
  o.add_rread(2, {{a, std::string_view(*a).substr(100, 15000)}, {b, *b}});
  encode(Fcall{2, Rread{a->substr(100, 15000) + *b}}, want);
  // A small one is copied and lets its bytes go at once.
  auto c = std::make_shared<std::string>("tiny");
  o.add_rread(3, {{c, *c}});
  encode(Fcall{3, Rread{"tiny"}}, want);
  CHECK(c.use_count() == 1);
  CHECK(o.size() == want.size());
  CHECK(joined(o.buffers()) == want);
  CHECK(joined(o.buffers(20)) == std::vector<uint8_t>(want.begin() + 20, want.end()));
  bool shared = false;
  for (auto& buf : o.buffers()) shared |= buf.data() == a->data() + 100;
  CHECK(shared);
  CHECK(a.use_count() == 2);
  CHECK(b.use_count() == 2);
  o.clear();
  CHECK(a.use_count() == 1);
  CHECK(b.use_count() == 1);
}

// The scene feed's codec: scenes through an encoder and a decoder come out
// equal, frame after frame and byte by byte; golden records; what typical
// changes cost; every refusal of a hostile feed.
#include <catch2/catch.hpp>
#include <zlib.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "term/layout.h"
#include "wsys/scene_codec.h"
#include "wsys/window.h"

using namespace grio::wsys;

namespace {

SceneRow row(std::string_view text) {
  SceneRow r;
  r.cells.assign(text.begin(), text.end());
  return r;
}

std::shared_ptr<SceneWindow> window(int id, Rect r, std::vector<std::string> lines, uint64_t version = 1) {
  auto w = std::make_shared<SceneWindow>();
  w->id = id;
  w->rect = r;
  for (auto& l : lines) w->rows.push_back(row(l));
  w->version = version;
  w->end = w->size = 10 * lines.size();
  return w;
}

// A changed copy of w: its version one more.
std::shared_ptr<SceneWindow> changed(const std::shared_ptr<const SceneWindow>& w) {
  auto c = std::make_shared<SceneWindow>(*w);
  c->version++;
  return c;
}

std::shared_ptr<Scene> next_scene(const Scene& s) {
  auto n = std::make_shared<Scene>(s);
  n->seq++;
  return n;
}

// One feed, encoder to decoder; send() checks the frame came out equal.
struct Feed {
  FeedEncoder enc;
  FeedDecoder dec;
  size_t bytes = 0;  // of the last frame on the wire
  std::shared_ptr<const Scene> last;

  explicit Feed(FeedLimits l = {}) : dec(l) {}
  ViewFrame send(const ViewFrame& f) {
    std::string wire;
    enc.encode(f, wire);
    bytes = wire.size();
    std::vector<ViewFrame> got;
    REQUIRE(dec.push(wire, got) == "");
    REQUIRE(got.size() == 1);
    if (f.scene) {
      REQUIRE(got[0].scene);
      CHECK(scene_diff(*f.scene, *got[0].scene) == "");
      last = got[0].scene;
    }
    return got[0];
  }
  std::shared_ptr<const Scene> send(std::shared_ptr<const Scene> s) { return send(ViewFrame{s, {}, {}, false}).scene; }
};

Scene empty_scene() {
  Scene s;
  s.screen = rect(0, 0, 1600, 1000);
  return s;
}

}  // namespace

TEST_CASE("scene feed: a workspace's changes come out of the decoder as they went in", "[wsys]") {
  Feed feed;
  auto s = std::make_shared<Scene>(empty_scene());
  feed.send(s);
  CHECK(feed.last->windows.empty());

  // A window is made; output appears in it.
  auto a = window(1, rect(10, 10, 400, 300), {"% "});
  s = next_scene(*s);
  s->windows = {a};
  feed.send(s);
  auto a2 = changed(a);
  a2->rows = {row("% ls"), row("bin lib"), row("% ")};
  a2->cursor_row = 2, a2->cursor_col = 2, a2->current = true;
  s = next_scene(*s);
  s->windows = {a2};
  auto got = feed.send(s);
  auto a_seen = got->windows[0];

  // A second window on top; the first, unchanged, is the decoder's same one.
  auto b = window(2, rect(200, 200, 700, 500), {"hello", "", "world"});
  b->holding = true, b->foreign = true;
  b->rows[0].sel0 = 1, b->rows[0].sel1 = 9;
  s = next_scene(*s);
  s->windows = {a2, b};
  got = feed.send(s);
  CHECK(got->windows[0] == a_seen);

  // Moved, then the menu, a sweep's outline and a program's cursor.
  auto b2 = changed(b);
  b2->rect = rect(300, 250, 800, 550);
  s = next_scene(*s);
  s->windows = {a2, b2};
  s->menu = place_menu({"New", "Resize", "Move", "Delete", "Hide", "label"}, {500, 400}, s->screen, s->metrics, 2);
  s->menu->hilite = 3;
  feed.send(s);
  s = next_scene(*s);
  s->menu.reset();
  s->outline = rect(5, 6, 70, 80);
  s->cursor = SceneCursor::Window;
  Cursor c;
  c.offset = {-3, -4};
  for (int i = 0; i < 32; i++) c.set[size_t(i)] = uint8_t(i * 7), c.clr[size_t(i)] = uint8_t(255 - i);
  s->image = c;
  feed.send(s);

  // Hidden (gone from the stack), shown again, deleted.
  s = next_scene(*s);
  s->outline.reset();
  s->cursor = SceneCursor::Sight;
  s->image.reset();
  s->windows = {b2};
  feed.send(s);
  s = next_scene(*s);
  s->windows = {b2, a2};
  feed.send(s);
  s = next_scene(*s);
  s->windows = {a2};
  s->metrics = {9, 18};
  s->screen = rect(0, 0, 800, 600);
  feed.send(s);
  CHECK(feed.last->windows.size() == 1);
}

TEST_CASE("scene feed: VT rows keep their styles, and a host window its sub-workspace", "[wsys]") {
  Feed feed;
  auto s = std::make_shared<Scene>(empty_scene());
  auto vt = window(3, rect(0, 0, 640, 480), {"top - 10:00", "  PID USER", "    1 root"});
  vt->vt = true;
  grio::term::Style red{0xFF0000, grio::term::Paper, true, false, true};
  grio::term::Style inv{grio::term::Paper, grio::term::Ink, false, true, false};
  vt->rows[0].styles = {{3, red}, {8, inv}};
  vt->rows[1].styles = {{10, inv}};
  vt->rows[1].cells += U"\u4e16\u754c\U0001F600";  // wide runes and a non-BMP one
  vt->cursor_row = 2, vt->cursor_col = 7;

  auto inner = std::make_shared<Scene>();
  inner->screen = rect(0, 0, 300, 200);
  inner->windows = {window(1, rect(0, 0, 100, 100), {"inner"})};
  auto host = window(4, rect(700, 0, 1000, 300), {});
  host->nested = inner;
  s->windows = {vt, host};
  auto got = feed.send(s);
  auto vt_seen = got->windows[0];
  auto inner_win_seen = got->windows[1]->nested->windows[0];

  // The sub-workspace changes, its host window's version does not: a new
  // host window, its unchanged inner window still the decoder's same one.
  auto inner2 = next_scene(*inner);
  inner2->windows.push_back(window(2, rect(50, 50, 150, 150), {"second"}));
  auto host2 = std::make_shared<SceneWindow>(*host);
  host2->nested = inner2;
  s = next_scene(*s);
  s->windows = {vt, host2};
  got = feed.send(s);
  CHECK(got->windows[0] == vt_seen);
  CHECK(got->windows[1]->nested->windows[0] == inner_win_seen);

  // Nested two deep, then the sub-workspace gone.
  auto inner3 = next_scene(*inner2);
  auto deep = window(5, rect(0, 0, 90, 90), {});
  deep->nested = std::make_shared<Scene>(*inner);
  inner3->windows.push_back(deep);
  auto host3 = std::make_shared<SceneWindow>(*host);
  host3->nested = inner3;
  s = next_scene(*s);
  s->windows = {vt, host3};
  feed.send(s);
  auto host4 = changed(host);
  host4->nested = nullptr;
  s = next_scene(*s);
  s->windows = {vt, host4};
  got = feed.send(s);
  CHECK(!got->windows[1]->nested);
}

TEST_CASE("scene feed: a host window of the same version sends only its sub-workspace", "[wsys]") {
  FeedEncoder enc;
  FeedDecoder dec;
  auto host = window(4, rect(0, 0, 300, 300), {});
  host->nested = std::make_shared<Scene>();
  auto s = std::make_shared<Scene>(empty_scene());
  s->windows = {host};
  std::string wire;
  enc.encode(ViewFrame{s, {}, {}, false}, wire);
  // The server's copy with a new sub-workspace, and (its bug) a new rect
  // under the old version: the version is its word, the feed goes on.
  auto copy = std::make_shared<SceneWindow>(*host);
  copy->rect = rect(5, 5, 300, 300);
  auto inner = std::make_shared<Scene>();
  inner->seq = 7;
  copy->nested = inner;
  auto s2 = next_scene(*s);
  s2->windows = {copy};
  enc.encode(ViewFrame{s2, {}, {}, false}, wire);
  std::vector<ViewFrame> got;
  REQUIRE(dec.push(wire, got) == "");
  REQUIRE(got.size() == 2);
  CHECK(got[1].scene->windows[0]->rect == host->rect);
  CHECK(got[1].scene->windows[0]->nested->seq == 7);
}

TEST_CASE("scene feed: the model's own windows, text and VT, come through as it lays them out", "[wsys]") {
  Metrics m;
  Window text(1), vt(2);
  text.rect = rect(0, 0, 21 + 5 + 80 * m.font_w, 10 + 24 * m.font_h);
  vt.rect = rect(700, 0, 700 + 21 + 5 + 80 * m.font_w, 10 + 24 * m.font_h);
  vt.vt = std::make_unique<grio::term::VtScreen>(24, 80);
  Feed feed;
  auto frame = [&](std::string_view to_text, std::string_view to_vt) {
    text.text.write(text.shell_output, to_text);
    Rect t = text_rect(text.rect);
    text.text.set_org(grio::term::org_showing_end(text.text.runes(), text.text.org(), size_t(t.dx() / m.font_w),
                                                  size_t(t.dy() / m.font_h)));
    vt.vt->write(to_vt);
    text.view_version++, vt.view_version++;
    auto s = std::make_shared<Scene>(feed.last ? *feed.last : empty_scene());
    s->seq++;
    s->windows = {scene_window(text, false, m), scene_window(vt, true, m)};
    feed.send(s);
    return feed.bytes;
  };
  frame("tab\there, wide \u4e16\u754c and a combining e\u0301\n% ", "\x1b[31mred\x1b[0m \x1b[1;44mbold on blue\x1b[0m\r\n");
  CHECK(!feed.last->windows[1]->rows[0].styles.empty());
  std::string lines, vt_lines;
  for (int i = 0; i < 40; i++) {
    lines += "output line " + std::to_string(i) + "\n";
    vt_lines += "\x1b[32mvt line " + std::to_string(i) + "\x1b[0m\r\n";
  }
  frame(lines, vt_lines);
  // One more line in each: each window scrolled by a row.
  size_t scrolled = frame("one more line\n", "\x1b[33mone more vt line\x1b[0m\r\n");
  INFO("two windows scrolled: " << scrolled << " bytes");
  CHECK(scrolled < 80);
}

TEST_CASE("scene feed: a frame carries a clipboard, a notice, an exit, or no scene", "[wsys]") {
  Feed feed;
  ViewFrame f;
  f.clipboard = std::string("snarf\0\xff bytes", 13);
  f.notice = "you may not type here";
  auto got = feed.send(f);
  CHECK(!got.scene);
  CHECK(got.clipboard == f.clipboard);
  CHECK(got.notice == f.notice);
  CHECK(!got.exit);
  got = feed.send(ViewFrame{nullptr, std::string(), "", true});
  CHECK(got.clipboard == std::string());
  CHECK(got.notice.empty());
  CHECK(got.exit);
}

TEST_CASE("scene feed: the encoder sends labels and rows that are not valid text as U+FFFD", "[wsys]") {
  FeedEncoder enc;
  FeedDecoder dec;
  auto s = std::make_shared<Scene>(empty_scene());
  auto w = window(1, rect(0, 0, 100, 100), {"ok"});
  w->rows[0].cells += char32_t(0xD800);
  w->rows[0].cells += char32_t(0x110000);
  s->windows = {w};
  s->menu = SceneMenu{rect(0, 0, 10, 10), 16, {"bad \xff label"}, -1};
  std::string wire;
  enc.encode(ViewFrame{s, {}, "\xc0\x80", false}, wire);
  std::vector<ViewFrame> got;
  REQUIRE(dec.push(wire, got) == "");
  CHECK(got[0].scene->windows[0]->rows[0].cells == U"ok\uFFFD\uFFFD");
  CHECK(got[0].scene->menu->items[0] == "bad \uFFFD label");
  CHECK(got[0].notice == "\uFFFD\uFFFD");
}

// ---- random scenes ---------------------------------------------------------------

namespace {

struct Rng {
  uint32_t x;
  uint32_t operator()(uint32_t n) {
    x = x * 1103515245 + 12345;
    return (x >> 8) % n;
  }
};

SceneRow random_row(Rng& r) {
  static const char32_t alphabet[] = U"abc xyz 0123\u00e9\u4e16\U0001F600\t";
  SceneRow row;
  for (uint32_t n = r(30); n > 0; n--) row.cells += alphabet[r(sizeof alphabet / sizeof alphabet[0] - 1)];
  if (r(4) == 0) row.sel0 = int(r(10)), row.sel1 = row.sel0 + int(r(100));
  if (r(4) == 0)
    for (uint32_t n = r(4); n > 0; n--)
      row.styles.push_back({int(r(20)), {r(0x1000000), grio::term::Paper, r(2) == 0, r(2) == 0, r(2) == 0}});
  return row;
}

// w with a random change: rows scrolled, one row retyped, moved, flags.
std::shared_ptr<SceneWindow> mutate(const SceneWindow& w, Rng& r) {
  auto c = std::make_shared<SceneWindow>(w);
  c->version += 1 + r(3);
  switch (r(6)) {
    case 0:
      if (!c->rows.empty()) c->rows.erase(c->rows.begin());
      c->rows.push_back(random_row(r));
      break;
    case 1:
      if (!c->rows.empty()) c->rows[r(uint32_t(c->rows.size()))] = random_row(r);
      break;
    case 2: c->rect = rect(int(r(900)), int(r(900)), int(1000 + r(500)), int(1000 + r(500))); break;
    case 3: c->current = !c->current, c->vt = r(2), c->cursor_row = int(r(20)) - 1; break;
    case 4: c->rows.resize(r(40)); break;
    default: c->org = r(1000), c->end = c->org + r(1000), c->size = c->end + r(10); break;
  }
  return c;
}

std::shared_ptr<Scene> mutate(const Scene& s, Rng& r, int depth) {
  auto n = next_scene(s);
  for (auto& w : n->windows)
    if (r(3) == 0) w = mutate(*w, r);
  if (r(5) == 0 && n->windows.size() < 12) {
    auto w = window(int(100 + r(1000)), rect(0, 0, 100, 100), {});
    for (uint32_t k = r(30); k > 0; k--) w->rows.push_back(random_row(r));
    bool taken = false;
    for (auto& o : n->windows) taken |= o->id == w->id;
    if (depth < 2 && r(4) == 0) w->nested = mutate(Scene{}, r, depth + 1);
    if (!taken) n->windows.insert(n->windows.begin() + r(uint32_t(n->windows.size() + 1)), w);
  }
  if (r(8) == 0 && !n->windows.empty()) n->windows.erase(n->windows.begin() + r(uint32_t(n->windows.size())));
  if (r(8) == 0 && n->windows.size() > 1) std::swap(n->windows.front(), n->windows.back());
  for (auto& w : n->windows)
    if (w->nested && r(3) == 0) {
      auto h = std::make_shared<SceneWindow>(*w);
      h->nested = mutate(*w->nested, r, depth + 1);
      w = h;
    }
  if (r(6) == 0) n->menu = SceneMenu{rect(1, 2, 3, 4), 16, {"a", "b"}, int(r(3)) - 1};
  else if (r(4) == 0) n->menu.reset();
  if (r(6) == 0) n->outline = rect(int(r(9)), 0, 20, 30);
  if (r(6) == 0) n->cursor = SceneCursor(r(4));
  return n;
}

}  // namespace

TEST_CASE("scene feed: random scene changes agree frame after frame, whole, byte by byte or several at once", "[wsys]") {
  for (uint32_t seed = 1; seed <= 20; seed++) {
    INFO("seed " << seed);
    Rng r{seed};
    FeedEncoder enc;
    FeedDecoder whole, bytewise, batched;
    std::string batch;
    std::vector<std::shared_ptr<const Scene>> sent;
    std::shared_ptr<const Scene> s = std::make_shared<Scene>(empty_scene());
    for (int i = 0; i < 60; i++) {
      s = mutate(*s, r, 0);
      std::string wire;
      enc.encode(ViewFrame{s, {}, {}, false}, wire);
      std::vector<ViewFrame> a, b;
      REQUIRE(whole.push(wire, a) == "");
      REQUIRE(a.size() == 1);
      REQUIRE(scene_diff(*s, *a[0].scene) == "");
      for (char c : wire) REQUIRE(bytewise.push(std::string_view(&c, 1), b) == "");
      REQUIRE(b.size() == 1);
      REQUIRE(scene_diff(*s, *b[0].scene) == "");
      batch += wire;
      sent.push_back(s);
    }
    // All the frames in one read but the last one's last byte, then it.
    std::vector<ViewFrame> c;
    REQUIRE(batched.push(std::string_view(batch).substr(0, batch.size() - 1), c) == "");
    REQUIRE(c.size() == sent.size() - 1);
    REQUIRE(batched.push(std::string_view(batch).substr(batch.size() - 1), c) == "");
    REQUIRE(c.size() == sent.size());
    for (size_t i = 0; i < sent.size(); i++) REQUIRE(scene_diff(*sent[i], *c[i].scene) == "");
  }
}

// ---- golden records --------------------------------------------------------------

namespace {

std::string from_hex(std::string_view text) {
  std::string out, digits;
  for (char c : text)
    if (!std::isspace(uint8_t(c))) digits += c;
  REQUIRE(digits.size() % 2 == 0);
  for (size_t i = 0; i < digits.size(); i += 2) out.push_back(char(std::stoul(digits.substr(i, 2), nullptr, 16)));
  return out;
}

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(GRIO_FIXTURES) + "/scene_feed/" + name + ".hex");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return from_hex(ss.str());
}

std::string to_hex(std::string_view b) {
  std::string s;
  char buf[4];
  for (unsigned char c : b) std::snprintf(buf, sizeof buf, "%02x", c), s += buf;
  return s;
}

}  // namespace

// tests/fixtures/scene_feed/*.hex hold the records, inflated, a line a
// field or row (docs/design.md, "The scene feed", reads them).
TEST_CASE("scene feed: records are the golden bytes", "[wsys]") {
  FeedEncoder enc;
  std::string wire;
  Scene s0;
  s0.screen = rect(0, 0, 640, 480);
  s0.seq = 1;
  auto w = window(1, rect(0, 0, 100, 50), {"hi", "%"}, 3);
  w->end = 3, w->size = 3;
  w->rows[0].styles = {{2, {0xFF0000, grio::term::Paper, true, false, false}}};
  s0.windows = {w};
  auto s = std::make_shared<Scene>(s0);
  enc.encode(ViewFrame{s, {}, {}, false}, wire);
  CHECK(to_hex(enc.last_record()) == to_hex(fixture("first")));

  auto w2 = changed(w);
  w2->rows[1] = row("%l");
  w2->cursor_row = 1, w2->cursor_col = 2;
  auto s2 = next_scene(*s);
  s2->windows = {w2};
  enc.encode(ViewFrame{s2, {}, {}, false}, wire);
  CHECK(to_hex(enc.last_record()) == to_hex(fixture("echo")));
}

// ---- sizes -------------------------------------------------------------------------

namespace {

// 60 rows of 80 to 200 columns of words, the same every run.
std::vector<std::string> screen_text(int first_line, int rows) {
  static const char* words[] = {"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing",
                                "elit", "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore"};
  std::vector<std::string> lines;
  for (int n = first_line; n < first_line + rows; n++) {
    uint32_t x = uint32_t(n) * 2654435761u;
    std::string s = "line " + std::to_string(n) + ":";
    size_t len = 80 + (x >> 8) % 121;
    while (s.size() < len) {
      x = x * 1103515245 + 12345;
      s += ' ';
      s += words[(x >> 16) % 15];
    }
    s.resize(len);
    lines.push_back(s);
  }
  return lines;
}

}  // namespace

TEST_CASE("scene feed: a screen of text costs less than its text, a scroll and a typed key a few bytes", "[wsys]") {
  Feed feed;
  auto lines = screen_text(0, 60);
  size_t text = 0;
  for (auto& l : lines) text += l.size() + 1;
  auto s = std::make_shared<Scene>(empty_scene());
  auto w = window(1, rect(0, 0, 1600, 1000), lines);
  s->windows = {w};
  feed.send(s);
  INFO("full screen: " << feed.bytes << " bytes for " << text << " bytes of text");
  CHECK(feed.bytes < text / 2);

  // Scrolled by one line: the new last row, and one copy of the others.
  auto scrolled = changed(w);
  scrolled->rows.erase(scrolled->rows.begin());
  scrolled->rows.push_back(row(screen_text(60, 1)[0]));
  scrolled->org += 50, scrolled->end += 50, scrolled->size += 50;
  s = next_scene(*s);
  s->windows = {scrolled};
  feed.send(s);
  size_t one_row = scrolled->rows.back().cells.size();
  INFO("scroll: " << feed.bytes << " bytes, a row " << one_row);
  CHECK(feed.bytes < one_row);

  // A typed key's echo: one row one rune longer, the cursor a cell on.
  auto typed = changed(scrolled);
  typed->rows[30].cells += U'x';
  typed->cursor_row = 30, typed->cursor_col = int(typed->rows[30].cells.size());
  typed->end++, typed->size++;
  s = next_scene(*s);
  s->windows = {typed};
  feed.send(s);
  INFO("echo: " << feed.bytes << " bytes");
  CHECK(feed.bytes < 36);

  // Nothing changed but the seq: a handful of bytes.
  s = next_scene(*s);
  feed.send(s);
  CHECK(feed.bytes < 16);
}

// ---- hostile feeds -------------------------------------------------------------------

namespace {

// Records written by hand, as a hostile server would, each deflated as
// a frame of one stream.
struct Rec {
  std::string b;
  Rec& u(uint64_t v) {
    for (; v >= 0x80; v >>= 7) b.push_back(char(v | 0x80));
    b.push_back(char(v));
    return *this;
  }
  Rec& i(int64_t v) { return u((uint64_t(v) << 1) ^ uint64_t(v >> 63)); }
  Rec& s(std::string_view t) {
    u(t.size());
    b += t;
    return *this;
  }
  Rec& raw(std::string_view t) {
    b += t;
    return *this;
  }
};

// Bits as scene_codec.cpp numbers them.
enum : unsigned { KScene = 1, KClipboard = 2, KNotice = 4, KExit = 8 };
enum : unsigned { SScreen = 1, SMetrics = 2, SMenu = 4, SOutline = 8, SCursor = 16, SStack = 32 };
enum : unsigned { WRect = 1, WFlags = 2, WCursor = 4, WScroll = 8, WRows = 16, WNested = 32 };

struct Hostile {
  z_stream z{};
  FeedDecoder dec;
  std::vector<ViewFrame> got;

  explicit Hostile(FeedLimits l = {}) : dec(l) { REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK); }
  ~Hostile() { deflateEnd(&z); }
  std::string deflated(std::string_view raw, int flush = Z_SYNC_FLUSH) {
    std::string out(raw.size() * 2 + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
    z.avail_in = uInt(raw.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = uInt(out.size());
    REQUIRE(deflate(&z, flush) != Z_STREAM_ERROR);
    out.resize(out.size() - z.avail_out);
    if (flush == Z_SYNC_FLUSH) {  // left off the wire, as the encoder does
      REQUIRE(out.substr(out.size() - 4) == std::string("\0\0\xff\xff", 4));
      out.resize(out.size() - 4);
    }
    return out;
  }
  static std::string framed(std::string_view body) {
    uint32_t n = uint32_t(body.size());
    std::string f{char(n), char(n >> 8), char(n >> 16), char(n >> 24)};
    return f + std::string(body);
  }
  std::string push(const Rec& r, int flush = Z_SYNC_FLUSH) { return dec.push(framed(deflated(r.b, flush)), got); }
};

// A scene of window 1 with rows "a" and "b".
Rec one_window() {
  return Rec().u(KScene).u(SStack).u(0).u(1).i(1).u(1).i(1).u(WRows).u(1).u(2).u(0).u(0).s("a").u(0).u(0).s("b");
}

// A frame whose scene changes window 1 with these row ops.
Rec rows_of_1(Rec ops, uint64_t n) { return Rec().u(KScene).u(0).u(1).u(1).i(1).u(WRows).u(1).u(n).raw(ops.b); }

}  // namespace

TEST_CASE("scene feed: hand-made records decode as the layout says", "[wsys]") {
  Hostile h;
  REQUIRE(h.push(one_window()) == "");
  REQUIRE(h.got.size() == 1);
  auto& w = *h.got[0].scene->windows.at(0);
  CHECK(w.id == 1);
  CHECK(w.version == 1);
  REQUIRE(w.rows.size() == 2);
  CHECK(w.rows[1].cells == U"b");
  // Copy row 1, then a literal, then rows 0–1.
  REQUIRE(h.push(rows_of_1(Rec().u(1).u(1).u(0).u(0).s("c").u(2).u(0), 3)) == "");
  auto& w2 = *h.got[1].scene->windows.at(0);
  REQUIRE(w2.rows.size() == 4);
  CHECK(w2.rows[0].cells == U"b");
  CHECK(w2.rows[1].cells == U"c");
  CHECK(w2.rows[3].cells == U"b");
  CHECK(w2.version == 2);
  CHECK(h.got[1].scene->seq == 1);
}

TEST_CASE("scene feed: framing and deflate errors are final", "[wsys]") {
  SECTION("a length over what max_frame allows") {
    FeedLimits l;
    l.max_frame = 1000;
    FeedDecoder d(l);
    std::vector<ViewFrame> got;
    uint32_t n = uint32_t(l.max_deflated() + 1);
    std::string len{char(n), char(n >> 8), char(n >> 16), char(n >> 24)};
    CHECK(d.push(len, got) == "feed: frame too large");
    CHECK(d.push(Hostile::framed("x"), got) == "feed: frame too large");
  }
  SECTION("a zip bomb") {
    FeedLimits l;
    l.max_frame = 1 << 16;
    Hostile h(l);
    Rec r = Rec().u(KNotice).s(std::string(1 << 20, 'a'));
    CHECK(h.push(r) == "feed: frame too large");
  }
  SECTION("bad deflate data") {
    FeedDecoder d;
    std::vector<ViewFrame> got;
    CHECK(d.push(Hostile::framed("\xff\xff\xff\xff"), got) == "feed: bad deflate data");
    Hostile h;
    CHECK(h.push(one_window()) == "");
    CHECK(h.dec.push(Hostile::framed("\x07\xff"), h.got) == "feed: bad deflate data");
    // Final: a good frame after it is refused the same.
    CHECK(h.push(one_window()) == "feed: bad deflate data");
  }
  SECTION("a stream that ends") {
    Hostile h;
    CHECK(h.push(one_window(), Z_FINISH) == "feed: deflate stream ended");
  }
  SECTION("a record cut short, or with bytes after it") {
    Hostile h;
    Rec r = one_window();
    r.b.pop_back();
    CHECK(h.push(r) == "feed: truncated frame");
    Hostile h2;
    CHECK(h2.push(one_window().u(0)) == "feed: bytes after the frame's record");
    Hostile h3;
    CHECK(h3.push(Rec()) == "feed: truncated frame");
  }
}

TEST_CASE("scene feed: references to what the decoder does not hold are refused", "[wsys]") {
  Hostile h;
  REQUIRE(h.push(one_window()) == "");
  SECTION("an unknown window in the stack") {
    CHECK(h.push(Rec().u(KScene).u(SStack).u(0).u(2).i(1).i(7).u(0)) == "feed: unknown window 7");
  }
  SECTION("rows past the held ones") {
    CHECK(h.push(rows_of_1(Rec().u(3).u(1), 1)) == "feed: window 1: rows 1 to 4 not held");
  }
  SECTION("rows of a window first sent") {
    CHECK(h.push(Rec().u(KScene).u(SStack).u(0).u(2).i(1).i(2).u(1).i(2).u(WRows).u(1).u(1).u(1).u(0)) ==
          "feed: window 2: rows 0 to 1 not held");
  }
  SECTION("a record for a window not in the scene") {
    CHECK(h.push(Rec().u(KScene).u(0).u(0).u(1).i(5).u(0).u(1)) == "feed: record for window 5 not in the scene");
  }
  SECTION("a window twice in the stack") {
    CHECK(h.push(Rec().u(KScene).u(SStack).u(0).u(2).i(1).i(1).u(0)) == "feed: window 1 twice in the scene");
  }
  SECTION("a window changed with its version kept") {
    // Window 1's rows, version delta 0.
    CHECK(h.push(Rec().u(KScene).u(0).u(0).u(1).i(1).u(WRows).u(0).u(1).u(0).u(0).s("z")) ==
          "feed: window 1 changed without a new version");
  }
    SECTION("two records for one window") {
    CHECK(h.push(Rec().u(KScene).u(0).u(0).u(2).i(1).u(0).u(1).i(1).u(0).u(1)) == "feed: two records for window 1");
  }
}

TEST_CASE("scene feed: counts and sizes past FeedLimits are refused", "[wsys]") {
  FeedLimits l;
  l.max_windows = 3;
  l.max_rows = 4;
  l.max_depth = 1;
  l.max_row_cells = 8;
  l.max_menu_items = 2;
  l.max_scene_bytes = 4096;
  Hostile h(l);
  SECTION("windows in a stack") {
    CHECK(h.push(Rec().u(KScene).u(SStack).u(0).u(4).i(1).i(2).i(3).i(4).u(0)) == "feed: too many windows");
  }
  SECTION("windows with nested ones") {
    // Window 1 hosting windows 2, 3 and 4.
    Rec inner = Rec().u(SStack).u(0).u(3).i(2).i(3).i(4).u(3).i(2).u(0).u(1).i(3).u(0).u(1).i(4).u(0).u(1);
    Rec r = Rec().u(KScene).u(SStack).u(0).u(1).i(1).u(1).i(1).u(WNested).u(1).u(1).raw(inner.b);
    CHECK(h.push(r) == "feed: too many windows");
  }
  SECTION("windows with nested ones kept from the frame before") {
    // Window 1 hosting windows 2 and 3: three; then window 4 beside it: four.
    Rec inner = Rec().u(SStack).u(0).u(2).i(2).i(3).u(2).i(2).u(0).u(1).i(3).u(0).u(1);
    REQUIRE(h.push(Rec().u(KScene).u(SStack).u(0).u(1).i(1).u(1).i(1).u(WNested).u(1).u(1).raw(inner.b)) == "");
    CHECK(h.push(Rec().u(KScene).u(SStack).u(0).u(2).i(1).i(4).u(1).i(4).u(0).u(1)) == "feed: too many windows");
  }
    SECTION("rows of a window") {
    CHECK(h.push(Rec().u(KScene).u(SStack).u(0).u(1).i(1).u(1).i(1).u(WRows).u(1).u(5)) == "feed: too many rows");
    Hostile h2(l);
    REQUIRE(h2.push(one_window()) == "");
    CHECK(h2.push(rows_of_1(Rec().u(2).u(0).u(2).u(0).u(1).u(0), 3)) == "feed: window 1: too many rows");
  }
  SECTION("sub-workspaces too deep") {
    Rec deepest = Rec().u(SStack).u(0).u(1).i(3).u(1).i(3).u(0).u(1);
    Rec inner = Rec().u(SStack).u(0).u(1).i(2).u(1).i(2).u(WNested).u(1).u(1).raw(deepest.b);
    Rec r = Rec().u(KScene).u(SStack).u(0).u(1).i(1).u(1).i(1).u(WNested).u(1).u(1).raw(inner.b);
    CHECK(h.push(r) == "feed: sub-workspaces nested too deep");
  }
  SECTION("a row too long") {
    CHECK(h.push(rows_of_1(Rec().u(0).u(0).s("123456789"), 1)) == "feed: row too long");
  }
  SECTION("style runs") {
    CHECK(h.push(rows_of_1(Rec().u(0).u(2).s("").u(9), 1)) == "feed: too many style runs");
  }
  SECTION("menu items") {
    CHECK(h.push(Rec().u(KScene).u(SMenu).u(0).u(1).i(0).i(0).i(1).i(1).i(16).u(3)) == "feed: too many menu items");
  }
  SECTION("rows copied over and over past max_scene_bytes") {
    // Four rows pass max_rows; their bytes do not pass a small max_scene_bytes.
    Rec ops;
    for (int k = 0; k < 4; k++) ops.u(1).u(0);
    l.max_scene_bytes = 300;
    Hostile h2(l);
    REQUIRE(h2.push(Rec().u(KScene).u(SStack).u(0).u(1).i(1).u(1).i(1).u(WRows).u(1).u(1).u(0).u(0).s("12345678")) ==
            "");
    CHECK(h2.push(rows_of_1(ops, 4)) == "feed: scene too large");
  }
}

TEST_CASE("scene feed: bad text, numbers and fields are refused", "[wsys]") {
  Hostile h;
  REQUIRE(h.push(one_window()) == "");
  SECTION("invalid UTF-8 in a row") { CHECK(h.push(rows_of_1(Rec().u(0).u(0).s("a\xff"), 1)) == "feed: invalid UTF-8 in row"); }
  SECTION("a surrogate in a row") {
    CHECK(h.push(rows_of_1(Rec().u(0).u(0).s("\xed\xa0\x80"), 1)) == "feed: invalid UTF-8 in row");
  }
  SECTION("invalid UTF-8 in a notice") { CHECK(h.push(Rec().u(KNotice).s("\xc0\x80")) == "feed: invalid UTF-8 in string"); }
  SECTION("invalid UTF-8 in a menu item") {
    CHECK(h.push(Rec().u(KScene).u(SMenu).u(0).u(1).i(0).i(0).i(1).i(1).i(16).u(1).s("\xfe").i(0)) ==
          "feed: invalid UTF-8 in string");
  }
  SECTION("a clipboard is bytes") {
    CHECK(h.push(Rec().u(KClipboard).s("\xff\xfe")) == "");
    CHECK(h.got.back().clipboard == "\xff\xfe");
  }
  SECTION("a varint past 64 bits") { CHECK(h.push(Rec().raw("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f")) == "feed: number out of range"); }
  SECTION("a number past its field") {
    CHECK(h.push(Rec().u(KScene).u(SScreen).u(0).i(int64_t(1) << 40).i(0).i(1).i(1).u(0)) == "feed: number out of range");
  }
  SECTION("unknown bits") {
    CHECK(h.push(Rec().u(16)) == "feed: bad frame record");
    CHECK(Hostile().push(Rec().u(KScene).u(64)) == "feed: bad scene record");
    CHECK(Hostile().push(Rec().u(KScene).u(SStack).u(0).u(1).i(1).u(1).i(1).u(128)) == "feed: bad window record");
    CHECK(Hostile().push(Rec().u(KScene).u(SStack).u(0).u(1).i(1).u(1).i(1).u(WFlags).u(0).u(16)) ==
          "feed: bad window flags");
    CHECK(Hostile().push(rows_of_1(Rec().u(0).u(4), 1)) == "feed: bad row");
    CHECK(Hostile().push(Rec().u(KScene).u(SOutline).u(0).u(2)) == "feed: bad flag");
  }
  SECTION("bad metrics, cursor, colour, menu item") {
    CHECK(h.push(Rec().u(KScene).u(SMetrics).u(0).i(0).i(16).u(0)) == "feed: bad metrics");
    CHECK(Hostile().push(Rec().u(KScene).u(SCursor).u(0).u(4).u(0).u(0)) == "feed: bad cursor");
    CHECK(Hostile().push(Rec().u(KScene).u(SMenu).u(0).u(1).i(0).i(0).i(1).i(1).i(16).u(1).s("a").i(1)) ==
          "feed: menu item out of range");
    Hostile h2;
    REQUIRE(h2.push(one_window()) == "");
    CHECK(h2.push(rows_of_1(Rec().u(0).u(2).s("ab").u(1).u(2).u(0x3000000).u(0).u(0), 1)) == "feed: bad colour");
  }
}

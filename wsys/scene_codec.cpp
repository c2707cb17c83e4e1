// The scene feed's codec (scene_codec.h): scenes as changes from the one
// sent before, one record a frame, deflated with one stream a feed.
//
// A frame is made in two steps each way. The encoder diffs the scene
// against what it sent (scene_delta.cpp) into a Wire* record, which io()
// here packs; the decoder unpacks a record with the same io() and applies
// it to what it holds. io() knows nothing of the diff, the diff nothing
// of bytes.
#include "wsys/scene_codec.h"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <new>
#include <type_traits>

#include "net/codec.h"
#include "term/decode.h"
#include "wsys/scene_record.h"

namespace grio::wsys {

struct FeedEncoder::Sent : feed::Level {};
struct FeedDecoder::Held : feed::Level {};

namespace {

using namespace feed;

// ---- the two coders -----------------------------------------------------------
//
// Numbers are LEB128 varints, signed ones zigzagged; strings a length and
// their bytes. Enc never fails; Dec stops at the first error it finds.

uint64_t zigzag(int64_t v) { return (uint64_t(v) << 1) ^ uint64_t(v >> 63); }
int64_t unzigzag(uint64_t z) { return int64_t(z >> 1) ^ -int64_t(z & 1); }

// UTF-8 with anything that is not valid replaced by U+FFFD, so that a
// label a client set to bad bytes cannot make the feed undecodable.
std::string clean_utf8(std::string_view s) {
  if (ninep::valid_utf8(s)) return std::string(s);
  std::u32string runes;
  term::Utf8Decoder d;
  d.decode(s, runes);
  d.finish(runes);
  return term::to_utf8(runes);
}

// Valid UTF-8 to runes; false when it is not.
bool from_utf8(std::string_view s, std::u32string& out) {
  if (!ninep::valid_utf8(s)) return false;
  out.clear();
  for (size_t i = 0; i < s.size();) {
    uint8_t c = uint8_t(s[i]);
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t r = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (int k = 1; k < len; k++) r = r << 6 | (uint8_t(s[i + k]) & 0x3F);
    out.push_back(r);
    i += size_t(len);
  }
  return true;
}

struct Enc {
  std::string& out;
  static constexpr bool decoding = false;
  bool ok() const { return true; }
  void check(bool, const char*) {}
  void charge(size_t) {}
  bool enter() { return true; }
  void leave() {}
  size_t limit(size_t FeedLimits::*) const { return SIZE_MAX; }
  void varint(uint64_t v) {
    for (; v >= 0x80; v >>= 7) out.push_back(char(v | 0x80));
    out.push_back(char(v));
  }
  template <class T>
  void num(T& v) {
    if constexpr (std::is_signed_v<T>) varint(zigzag(int64_t(v)));
    else varint(uint64_t(v));
  }
  void flag(bool& b) { out.push_back(b ? 1 : 0); }
  bool count(size_t& n, size_t, const char*) {
    varint(n);
    return true;
  }
  void raw(uint8_t* p, size_t n) { out.append(reinterpret_cast<const char*>(p), n); }
  void bytes(std::string& s) {
    varint(s.size());
    out += s;
  }
  void str(std::string& s) {
    if (ninep::valid_utf8(s)) return bytes(s);
    std::string c = clean_utf8(s);
    bytes(c);
  }
  void cells(std::u32string& s) {
    std::string u = term::to_utf8(s);  // a rune that is none becomes U+FFFD
    bytes(u);
  }
};

struct Dec {
  Dec(std::string_view in, const FeedLimits& lim) : in(in), lim(lim) {}
  std::string_view in;
  const FeedLimits& lim;
  size_t pos = 0;
  std::string error;
  size_t spent = 0;    // bytes the record's rows take unpacked
  size_t windows = 0;  // window records in the frame, nested ones included
  size_t depth = 0;
  static constexpr bool decoding = true;

  bool ok() const { return error.empty(); }
  void fail(std::string why) {
    if (error.empty()) error = std::move(why);
  }
  void check(bool good, const char* why) {
    if (!good) fail(why);
  }
  void charge(size_t n) {
    spent += n;
    if (spent > lim.max_scene_bytes) fail("feed: scene too large");
  }
  size_t limit(size_t FeedLimits::*m) const { return lim.*m; }
  bool enter() {
    if (++depth > lim.max_depth) fail("feed: sub-workspaces nested too deep");
    return ok();
  }
  void leave() { depth--; }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; ok(); shift += 7) {
      if (pos == in.size()) return fail("feed: truncated frame"), 0;
      uint8_t b = uint8_t(in[pos++]);
      if (shift == 63 && b > 1) return fail("feed: number out of range"), 0;
      v |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    return 0;
  }
  template <class T>
  void num(T& v) {
    uint64_t z = varint();
    if (!ok()) return;
    if constexpr (std::is_signed_v<T>) {
      int64_t x = unzigzag(z);
      if (x < std::numeric_limits<T>::min() || x > std::numeric_limits<T>::max()) return fail("feed: number out of range");
      v = T(x);
    } else {
      if (z > std::numeric_limits<T>::max()) return fail("feed: number out of range");
      v = T(z);
    }
  }
  void flag(bool& b) {
    uint8_t v = 0;
    num(v);
    check(v < 2, "feed: bad flag");
    b = v == 1;
  }
  bool count(size_t& n, size_t limit, const char* what) {
    uint64_t v = varint();
    if (ok() && v > limit) fail(std::string("feed: too many ") + what);
    n = ok() ? size_t(v) : 0;
    return ok();
  }
  void raw(uint8_t* p, size_t n) {
    if (ok() && in.size() - pos < n) fail("feed: truncated frame");
    if (!ok()) return;
    std::copy_n(in.data() + pos, n, p);
    pos += n;
  }
  void bytes(std::string& s) {
    uint64_t n = varint();
    if (ok() && in.size() - pos < n) fail("feed: truncated frame");
    if (!ok()) return;
    s.assign(in.substr(pos, size_t(n)));
    pos += size_t(n);
  }
  void str(std::string& s) {
    bytes(s);
    if (ok() && !ninep::valid_utf8(s)) fail("feed: invalid UTF-8 in string");
  }
  void cells(std::u32string& s) {
    std::string u;
    bytes(u);
    if (!ok()) return;
    if (u.size() > lim.max_row_cells * 4) return fail("feed: row too long");
    if (!from_utf8(u, s)) return fail("feed: invalid UTF-8 in row");
    if (s.size() > lim.max_row_cells) fail("feed: row too long");
  }
};

// ---- io: each record's layout, once ----------------------------------------

template <class C>
void io(C& c, Rect& r) {
  c.num(r.min.x);
  c.num(r.min.y);
  c.num(r.max.x);
  c.num(r.max.y);
}

bool valid_colour(uint32_t v) { return v <= 0xFFFFFF || v == term::Ink || v == term::Paper; }

template <class C>
void io(C& c, term::StyleRun& s) {
  c.num(s.cells);
  c.check(s.cells >= 0, "feed: bad style run");
  c.num(s.style.fg);
  c.num(s.style.bg);
  c.check(valid_colour(s.style.fg) && valid_colour(s.style.bg), "feed: bad colour");
  unsigned a = unsigned(s.style.bold) | unsigned(s.style.italic) << 1 | unsigned(s.style.underline) << 2;
  c.num(a);
  c.check(a < 8, "feed: bad style run");
  s.style.bold = a & 1, s.style.italic = a & 2, s.style.underline = a & 4;
}

// A literal row: which optional parts follow, then its cells in UTF-8.
template <class C>
void io(C& c, SceneRow& r) {
  unsigned parts = unsigned(r.sel0 != 0 || r.sel1 != 0) | unsigned(!r.styles.empty()) << 1;
  c.num(parts);
  c.check(parts < 4, "feed: bad row");
  c.cells(r.cells);
  if (parts & 1) {
    c.num(r.sel0);
    c.num(r.sel1);
  }
  if (!(parts & 2)) return;
  size_t n = r.styles.size();
  if (!c.count(n, c.limit(&FeedLimits::max_row_cells), "style runs")) return;
  if constexpr (C::decoding) r.styles.resize(n);
  for (auto& s : r.styles) io(c, s);
}

template <class C>
void io(C& c, WireRow& op) {
  c.num(op.copy);
  if (op.copy) c.num(op.from);
  else io(c, op.row);
  if constexpr (C::decoding) c.charge(sizeof(WireRow) + row_cost(op.row));
}

template <class C>
void io(C& c, Cursor& k) {
  c.num(k.offset.x);
  c.num(k.offset.y);
  c.raw(k.clr.data(), k.clr.size());
  c.raw(k.set.data(), k.set.size());
}

template <class C>
void io(C& c, SceneMenu& m) {
  io(c, m.rect);
  c.num(m.item_h);
  size_t n = m.items.size();
  if (!c.count(n, c.limit(&FeedLimits::max_menu_items), "menu items")) return;
  if constexpr (C::decoding) m.items.resize(n);
  for (auto& s : m.items) c.str(s);
  c.num(m.hilite);
  c.check(m.hilite >= -1 && m.hilite < int(m.items.size()), "feed: menu item out of range");
}

// An optional value: a flag, then the value when there is one.
template <class C, class T, class F>
void opt(C& c, std::optional<T>& o, F&& f) {
  bool has = o.has_value();
  c.flag(has);
  if (!c.ok() || !has) return;
  if constexpr (C::decoding) o.emplace();
  f(*o);
}

template <class C>
void io(C& c, WireScene& s);

template <class C>
void io(C& c, WireWindow& w) {
  c.num(w.id);
  c.num(w.bits);
  c.check(w.bits <= WAll, "feed: bad window record");
  c.num(w.version);
  if (w.bits & WRect) io(c, w.rect);
  if (w.bits & WFlags) {
    c.num(w.flags);
    c.check(w.flags <= FAllFlags, "feed: bad window flags");
  }
  if (w.bits & WCursor) {
    c.num(w.cursor_row);
    c.num(w.cursor_col);
  }
  if (w.bits & WScroll) {
    c.num(w.org);
    c.num(w.end);
    c.num(w.size);
  }
  if (w.bits & WRows) {
    size_t n = w.rows.size();
    if (!c.count(n, c.limit(&FeedLimits::max_rows), "rows")) return;
    if constexpr (C::decoding) w.rows.resize(n);
    for (auto& r : w.rows) {
      if (!c.ok()) return;
      io(c, r);
    }
  }
  if (w.bits & WLabel) {
    c.str(w.label);
    c.check(w.label.size() <= max_label, "feed: label too long");
  }
  if (w.bits & WNested) {
    bool has = w.nested != nullptr;
    c.flag(has);
    if (!has || !c.ok() || !c.enter()) return;
    if constexpr (C::decoding) w.nested = std::make_unique<WireScene>();
    io(c, *w.nested);
    c.leave();
  }
}

template <class C>
void io(C& c, WireScene& s) {
  c.num(s.bits);
  c.check(s.bits <= SAll, "feed: bad scene record");
  c.num(s.seq);
  if (s.bits & SScreen) io(c, s.screen);
  if (s.bits & SMetrics) {
    c.num(s.metrics.font_w);
    c.num(s.metrics.font_h);
    c.check(s.metrics.font_w > 0 && s.metrics.font_h > 0 && s.metrics.font_w <= 1024 && s.metrics.font_h <= 1024,
            "feed: bad metrics");
  }
  if (s.bits & SMenu) opt(c, s.menu, [&](SceneMenu& m) { io(c, m); });
  if (s.bits & SOutline) opt(c, s.outline, [&](Rect& r) { io(c, r); });
  if (s.bits & SCursor) {
    c.num(s.cursor);
    c.check(s.cursor <= unsigned(SceneCursor::Window), "feed: bad cursor");
    opt(c, s.image, [&](Cursor& k) { io(c, k); });
  }
  size_t n = s.stack.size();
  if (s.bits & SStack) {
    if (!c.count(n, c.limit(&FeedLimits::max_windows), "windows")) return;
    if constexpr (C::decoding) s.stack.resize(n);
    for (int& id : s.stack) c.num(id);
  }
  n = s.changed.size();
  if (!c.count(n, c.limit(&FeedLimits::max_windows), "windows")) return;
  for (size_t i = 0; i < n && c.ok(); i++) {
    if constexpr (C::decoding) {
      if (++c.windows > c.lim.max_windows) return c.fail("feed: too many windows");
      s.changed.emplace_back();
    }
    io(c, s.changed[i]);
  }
}

template <class C>
void io(C& c, WireFrame& f) {
  c.num(f.bits);
  c.check(f.bits <= KAll, "feed: bad frame record");
  if (f.bits & KNotice) c.str(f.notice);
  if (f.bits & KClipboard) c.bytes(f.clipboard);  // the snarf's bytes, whatever they are
  if (f.bits & KScene) io(c, f.scene);
}

}  // namespace

// ---- the encoder -------------------------------------------------------------

namespace {
constexpr std::string_view sync_tail("\0\0\xff\xff", 4);
}

// Raw deflate (no zlib header: the feed is one stream, its framing ours),
// a 32 KiB window, memLevel 8: about 256 KiB a feed.
FeedEncoder::FeedEncoder() : sent_(std::make_unique<Sent>()), z_(new z_stream_s{}) {
  if (deflateInit2(z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    delete z_;
    throw std::bad_alloc();
  }
}

FeedEncoder::~FeedEncoder() {
  deflateEnd(z_);
  delete z_;
}

void FeedEncoder::encode(const ViewFrame& f, std::string& out) {
  WireFrame w;
  w.bits = (f.scene ? unsigned(KScene) : 0u) | (f.clipboard ? unsigned(KClipboard) : 0u) |
           (f.notice.empty() ? 0u : unsigned(KNotice)) | (f.exit ? unsigned(KExit) : 0u);
  w.notice = f.notice;
  if (f.clipboard) w.clipboard = *f.clipboard;
  if (f.scene) diff_scene(*sent_, *f.scene, w.scene);
  raw_.clear();
  Enc c{raw_};
  io(c, w);
  size_t at = out.size();
  out.append(4, '\0');
  z_->next_in = reinterpret_cast<Bytef*>(raw_.data());
  z_->avail_in = uInt(raw_.size());
  do {
    size_t have = out.size();
    out.resize(have + raw_.size() / 2 + 64);
    z_->next_out = reinterpret_cast<Bytef*>(out.data() + have);
    z_->avail_out = uInt(out.size() - have);
    deflate(z_, Z_SYNC_FLUSH);  // cannot fail: the stream is ours and intact
    out.resize(out.size() - z_->avail_out);
  } while (z_->avail_out == 0 || z_->avail_in > 0);
  // Every sync flush ends in the same 4 bytes: they are left off the wire
  // and the decoder puts them back (as WebSocket's permessage-deflate does).
  out.resize(out.size() - sync_tail.size());
  uint32_t n = uint32_t(out.size() - at - 4);
  for (int i = 0; i < 4; i++) out[at + size_t(i)] = char(n >> (8 * i));
}

// ---- the decoder -------------------------------------------------------------

FeedDecoder::FeedDecoder(FeedLimits limits) : limits_(limits), held_(std::make_unique<Held>()), z_(new z_stream_s{}) {
  if (inflateInit2(z_, -15) != Z_OK) {
    delete z_;
    throw std::bad_alloc();
  }
}

FeedDecoder::~FeedDecoder() {
  inflateEnd(z_);
  delete z_;
}

net::Error FeedDecoder::push(std::string_view bytes, std::vector<ViewFrame>& out) {
  if (!error_.empty()) return error_;
  pending_.append(bytes);
  size_t at = 0;
  while (error_.empty() && pending_.size() - at >= 4) {
    uint32_t n = 0;
    for (int i = 3; i >= 0; i--) n = n << 8 | uint8_t(pending_[at + size_t(i)]);
    if (n > limits_.max_deflated()) error_ = "feed: frame too large";
    else if (pending_.size() - at - 4 < n) break;
    else error_ = frame(std::string_view(pending_).substr(at + 4, n), out);
    at += 4 + size_t(n);
  }
  if (!error_.empty()) pending_.clear();
  else pending_.erase(0, at);
  if (raw_.capacity() > (1 << 20)) std::string().swap(raw_);  // one large frame keeps no large buffer
  return error_;
}

net::Error FeedDecoder::frame(std::string_view deflated, std::vector<ViewFrame>& out) {
  if (auto e = inflate(deflated); !e.empty()) return e;
  WireFrame w;
  Dec c{raw_, limits_};
  io(c, w);
  if (c.ok() && c.pos != raw_.size()) c.fail("feed: bytes after the frame's record");
  if (!c.ok()) return c.error;
  ViewFrame f;
  f.exit = w.bits & KExit;
  f.notice = std::move(w.notice);
  if (w.bits & KClipboard) f.clipboard = std::move(w.clipboard);
  if (w.bits & KScene) {
    Apply a{limits_};
    f.scene = apply_scene(a, *held_, w.scene);
    if (!f.scene) return a.error;
  }
  out.push_back(std::move(f));
  return {};
}

// One frame's bytes of the stream, and the sync flush's tail the encoder
// left off, inflated into raw_; at most max_frame.
net::Error FeedDecoder::inflate(std::string_view deflated) {
  raw_.clear();
  for (std::string_view in : {deflated, sync_tail})
    if (auto e = inflate_some(in); !e.empty()) return e;
  return {};
}

net::Error FeedDecoder::inflate_some(std::string_view in) {
  z_->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z_->avail_in = uInt(in.size());
  for (;;) {
    size_t have = raw_.size();
    if (have > limits_.max_frame) return "feed: frame too large";
    raw_.resize(std::min(std::max(have * 2, size_t(4096)), limits_.max_frame + 1));
    z_->next_out = reinterpret_cast<Bytef*>(raw_.data() + have);
    z_->avail_out = uInt(raw_.size() - have);
    int r = ::inflate(z_, Z_SYNC_FLUSH);
    raw_.resize(raw_.size() - z_->avail_out);
    if (r == Z_STREAM_END) return "feed: deflate stream ended";
    if (r != Z_OK && r != Z_BUF_ERROR) return "feed: bad deflate data";
    if (z_->avail_in == 0 && z_->avail_out != 0) break;
    if (r == Z_BUF_ERROR && z_->avail_out != 0) break;
  }
  if (raw_.size() > limits_.max_frame) return "feed: frame too large";
  return {};
}

// ---- comparing scenes ------------------------------------------------------------

namespace {

using feed::same_menu;
using feed::window_flags;

std::string row_diff(const SceneRow& a, const SceneRow& b) {
  if (a.cells != b.cells) return ".cells";
  if (a.sel0 != b.sel0 || a.sel1 != b.sel1) return ".sel";
  if (a.styles != b.styles) return ".styles";
  return {};
}

std::string window_diff(const SceneWindow& a, const SceneWindow& b) {
  if (a.id != b.id) return ".id";
  if (a.rect != b.rect) return ".rect";
  if (window_flags(a) != window_flags(b)) return ".flags";
  if (a.cursor_row != b.cursor_row || a.cursor_col != b.cursor_col) return ".cursor";
  if (a.label != b.label) return ".label";
  if (a.org != b.org || a.end != b.end || a.size != b.size) return ".org";
  if (a.version != b.version) return ".version";
  if (a.rows.size() != b.rows.size()) return ".rows.size";
  for (size_t i = 0; i < a.rows.size(); i++)
    if (auto d = row_diff(a.rows[i], b.rows[i]); !d.empty()) return ".rows[" + std::to_string(i) + "]" + d;
  if (bool(a.nested) != bool(b.nested)) return ".nested";
  if (a.nested)
    if (auto d = scene_diff(*a.nested, *b.nested); !d.empty()) return ".nested." + d;
  return {};
}

}  // namespace

std::string scene_diff(const Scene& a, const Scene& b) {
  if (a.screen != b.screen) return "screen";
  if (a.metrics.font_w != b.metrics.font_w || a.metrics.font_h != b.metrics.font_h) return "metrics";
  if (!same_menu(a.menu, b.menu)) return "menu";
  if (a.outline != b.outline) return "outline";
  if (a.cursor != b.cursor) return "cursor";
  if (a.image != b.image) return "image";
  if (a.seq != b.seq) return "seq";
  if (a.windows.size() != b.windows.size()) return "windows.size";
  for (size_t i = 0; i < a.windows.size(); i++) {
    if (!a.windows[i] || !b.windows[i]) return "windows[" + std::to_string(i) + "] null";
    if (auto d = window_diff(*a.windows[i], *b.windows[i]); !d.empty()) return "windows[" + std::to_string(i) + "]" + d;
  }
  return {};
}

}  // namespace grio::wsys
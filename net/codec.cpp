// The 9P2000 codec: one symmetric io() per message drives both directions.
#include "net/codec.h"

#include <type_traits>

namespace grio::ninep {

// ---- Packer / Unpacker ----------------------------------------------------

void Packer::u16(uint16_t v) {
  out_.push_back(uint8_t(v));
  out_.push_back(uint8_t(v >> 8));
}

void Packer::u32(uint32_t v) {
  for (int i = 0; i < 4; i++) out_.push_back(uint8_t(v >> (8 * i)));
}

void Packer::u64(uint64_t v) {
  for (int i = 0; i < 8; i++) out_.push_back(uint8_t(v >> (8 * i)));
}

void Packer::patch_u16(size_t at, uint16_t v) {
  out_[at] = uint8_t(v);
  out_[at + 1] = uint8_t(v >> 8);
}

void Packer::patch_u32(size_t at, uint32_t v) {
  for (int i = 0; i < 4; i++) out_[at + i] = uint8_t(v >> (8 * i));
}

void Unpacker::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
}

bool Unpacker::need(size_t n, const char* what) {
  if (!ok()) return false;
  if (in_.size() - pos_ < n) {
    fail(std::string("truncated ") + what);
    return false;
  }
  return true;
}

uint8_t Unpacker::u8() {
  if (!need(1, "field")) return 0;
  return in_[pos_++];
}

uint16_t Unpacker::u16() {
  if (!need(2, "field")) return 0;
  uint16_t v = uint16_t(in_[pos_] | in_[pos_ + 1] << 8);
  pos_ += 2;
  return v;
}

uint32_t Unpacker::u32() {
  if (!need(4, "field")) return 0;
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--) v = v << 8 | in_[pos_ + i];
  pos_ += 4;
  return v;
}

uint64_t Unpacker::u64() {
  if (!need(8, "field")) return 0;
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | in_[pos_ + i];
  pos_ += 8;
  return v;
}

std::string Unpacker::bytes(size_t n, const char* what) {
  if (!need(n, what)) return {};
  std::string s(reinterpret_cast<const char*>(in_.data() + pos_), n);
  pos_ += n;
  return s;
}

// ---- names ------------------------------------------------------------------

bool valid_utf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    uint8_t c = uint8_t(s[i]);
    if (c < 0x80) {
      i++;
      continue;
    }
    int len;
    uint32_t r, min;
    if ((c & 0xE0) == 0xC0) len = 2, r = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) len = 3, r = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0) len = 4, r = c & 0x07, min = 0x10000;
    else return false;
    if (n - i < size_t(len)) return false;
    for (int k = 1; k < len; k++) {
      uint8_t cc = uint8_t(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      r = r << 6 | (cc & 0x3F);
    }
    if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

std::string bad_name(std::string_view name) {
  if (name.empty()) return "empty file name";
  if (name.find('\0') != name.npos) return "NUL in file name";
  if (name.find('/') != name.npos) return "'/' in file name";
  if (!valid_utf8(name)) return "invalid UTF-8 in file name";
  return {};
}

// ---- the two coders -----------------------------------------------------------
//
// A coder offers one operation per field kind. Enc reads the struct and
// writes bytes; Dec reads bytes and fills the struct. Message io() functions
// below are templates over the coder, so each layout is written exactly once.

namespace {

struct Enc {
  Packer& p;
  static constexpr bool decoding = false;
  void u8(uint8_t& v) { p.u8(v); }
  void u16(uint16_t& v) { p.u16(v); }
  void u32(uint32_t& v) { p.u32(v); }
  void u64(uint64_t& v) { p.u64(v); }
  // Strings longer than a 16-bit count can say are cut, on a rune boundary.
  void str(std::string& s) {
    size_t n = s.size();
    if (n > 0xFFFF) {
      n = 0xFFFF;
      while (n > 0 && (uint8_t(s[n]) & 0xC0) == 0x80) n--;
    }
    p.u16(uint16_t(n));
    p.bytes(std::string_view(s).substr(0, n));
  }
  void name(std::string& s) { str(s); }
  void data(std::string& s) {
    p.u32(uint32_t(s.size()));
    p.bytes(s);
  }
};

struct Dec {
  Unpacker& u;
  static constexpr bool decoding = true;
  void u8(uint8_t& v) { v = u.u8(); }
  void u16(uint16_t& v) { v = u.u16(); }
  void u32(uint32_t& v) { v = u.u32(); }
  void u64(uint64_t& v) { v = u.u64(); }
  void str(std::string& s) {
    uint16_t n = u.u16();
    s = u.bytes(n, "string");
    if (!u.ok()) return;
    if (s.find('\0') != s.npos) u.fail("NUL in string");
    else if (!valid_utf8(s)) u.fail("invalid UTF-8 in string");
  }
  // A file name on the wire: a string that also is a valid path element.
  void name(std::string& s) {
    str(s);
    if (!u.ok()) return;
    if (auto why = bad_name(s); !why.empty()) u.fail(why);
  }
  void data(std::string& s) {
    uint32_t n = u.u32();
    s = u.bytes(n, "data");
  }
};

template <class C>
void io(C& c, Qid& q) {
  c.u8(q.type);
  c.u32(q.version);
  c.u64(q.path);
}

// The fields of a stat entry after its own size[2]. A Twstat may leave the
// name empty ("don't touch"), so the name is checked by the callers.
template <class C>
void io_stat_body(C& c, Stat& d) {
  c.u16(d.type);
  c.u32(d.dev);
  io(c, d.qid);
  c.u32(d.mode);
  c.u32(d.atime);
  c.u32(d.mtime);
  c.u64(d.length);
  c.str(d.name);
  c.str(d.uid);
  c.str(d.gid);
  c.str(d.muid);
}

void io_stat(Enc& c, Stat& d) {
  size_t at = c.p.size();
  c.p.u16(0);
  io_stat_body(c, d);
  c.p.patch_u16(at, uint16_t(c.p.size() - at - 2));
}

void io_stat(Dec& c, Stat& d) {
  uint16_t n = c.u.u16();
  if (!c.u.ok()) return;
  if (n < STATFIXLEN - 2) return c.u.fail("stat entry too short");
  if (n > c.u.remaining()) return c.u.fail("truncated stat entry");
  size_t before = c.u.remaining();
  io_stat_body(c, d);
  if (c.u.ok() && before - c.u.remaining() != n) c.u.fail("stat entry size mismatch");
  if (c.u.ok() && !d.name.empty() && d.name.find('/') != d.name.npos && d.name != "/")
    c.u.fail("'/' in file name");
}

// stat[n] in Rstat and Twstat: n[2], then the entry with its own size[2].
template <class C>
void io_statn(C& c, Stat& d) {
  if constexpr (C::decoding) {
    uint16_t n = c.u.u16();
    size_t before = c.u.remaining();
    io_stat(c, d);
    if (c.u.ok() && before - c.u.remaining() != n) c.u.fail("stat[n] size mismatch");
  } else {
    size_t at = c.p.size();
    c.p.u16(0);
    io_stat(c, d);
    c.p.patch_u16(at, uint16_t(c.p.size() - at - 2));
  }
}

template <class C, class T, class F>
void io_list(C& c, std::vector<T>& v, const char* what, F each) {
  uint16_t n = uint16_t(v.size());
  c.u16(n);
  if constexpr (C::decoding) {
    if (n > MAXWELEM) return c.u.fail(std::string(what) + " over 16");
    v.resize(n);
  }
  for (auto& e : v) each(e);
}

template <class C> void io(C& c, Tversion& m) { c.u32(m.msize); c.str(m.version); }
template <class C> void io(C& c, Rversion& m) { c.u32(m.msize); c.str(m.version); }
template <class C> void io(C& c, Tauth& m) { c.u32(m.afid); c.str(m.uname); c.str(m.aname); }
template <class C> void io(C& c, Rauth& m) { io(c, m.aqid); }
template <class C> void io(C& c, Tattach& m) {
  c.u32(m.fid); c.u32(m.afid); c.str(m.uname); c.str(m.aname);
}
template <class C> void io(C& c, Rattach& m) { io(c, m.qid); }
template <class C> void io(C& c, Rerror& m) { c.str(m.ename); }
template <class C> void io(C& c, Tflush& m) { c.u16(m.oldtag); }
template <class C> void io(C&, Rflush&) {}
template <class C> void io(C& c, Twalk& m) {
  c.u32(m.fid);
  c.u32(m.newfid);
  io_list(c, m.wname, "nwname", [&](std::string& s) { c.name(s); });
}
template <class C> void io(C& c, Rwalk& m) {
  io_list(c, m.wqid, "nwqid", [&](Qid& q) { io(c, q); });
}
template <class C> void io(C& c, Topen& m) { c.u32(m.fid); c.u8(m.mode); }
template <class C> void io(C& c, Ropen& m) { io(c, m.qid); c.u32(m.iounit); }
template <class C> void io(C& c, Tcreate& m) {
  c.u32(m.fid); c.name(m.name); c.u32(m.perm); c.u8(m.mode);
}
template <class C> void io(C& c, Rcreate& m) { io(c, m.qid); c.u32(m.iounit); }
template <class C> void io(C& c, Tread& m) { c.u32(m.fid); c.u64(m.offset); c.u32(m.count); }
template <class C> void io(C& c, Rread& m) { c.data(m.data); }
template <class C> void io(C& c, Twrite& m) { c.u32(m.fid); c.u64(m.offset); c.data(m.data); }
template <class C> void io(C& c, Rwrite& m) { c.u32(m.count); }
template <class C> void io(C& c, Tclunk& m) { c.u32(m.fid); }
template <class C> void io(C&, Rclunk&) {}
template <class C> void io(C& c, Tremove& m) { c.u32(m.fid); }
template <class C> void io(C&, Rremove&) {}
template <class C> void io(C& c, Tstat& m) { c.u32(m.fid); }
template <class C> void io(C& c, Rstat& m) { io_statn(c, m.stat); }
template <class C> void io(C& c, Twstat& m) {
  c.u32(m.fid);
  io_statn(c, m.stat);
  if constexpr (C::decoding)
    if (c.u.ok() && !m.stat.name.empty())
      if (auto why = bad_name(m.stat.name); !why.empty()) c.u.fail(why);
}
template <class C> void io(C&, Rwstat&) {}

// The variant index of a wire type, or -1 for Terror and unknown numbers.
int index_of(uint8_t type) {
  constexpr int first = int(MsgType::Tversion), terror = int(MsgType::Terror);
  if (type < first || type > int(MsgType::Rwstat) || type == terror) return -1;
  return type < terror ? type - first : type - first - 1;
}

template <size_t I = 0>
Msg make_msg(size_t index) {
  if constexpr (I + 1 < std::variant_size_v<Msg>)
    if (index != I) return make_msg<I + 1>(index);
  return Msg(std::in_place_index<I>);
}

}  // namespace

Stat dont_touch() {
  Stat d;
  d.type = 0xFFFF;
  d.dev = 0xFFFFFFFF;
  d.qid = Qid{0xFF, 0xFFFFFFFF, ~uint64_t(0)};
  d.mode = d.atime = d.mtime = 0xFFFFFFFF;
  d.length = ~uint64_t(0);
  return d;
}

MsgType type_of(const Msg& m) {
  int i = int(m.index());
  int t = int(MsgType::Tversion) + i;
  return MsgType(t >= int(MsgType::Terror) ? t + 1 : t);
}

bool is_tmessage(MsgType t) { return (int(t) & 1) == 0; }

void encode(const Fcall& f, std::vector<uint8_t>& out) {
  Packer p(out);
  size_t start = p.size();
  p.u32(0);
  p.u8(uint8_t(type_of(f.msg)));
  p.u16(f.tag);
  Enc enc{p};
  // Packing only reads the message; io() takes it by reference so that the
  // same function can fill it when decoding.
  std::visit([&](auto& m) { io(enc, m); }, const_cast<Msg&>(f.msg));
  p.patch_u32(start, uint32_t(p.size() - start));
}

std::vector<uint8_t> encode(const Fcall& f) {
  std::vector<uint8_t> out;
  encode(f, out);
  return out;
}

void pack_rread_header(Packer& p, uint16_t tag, uint32_t count) {
  p.u32(HDRSZ + 4 + count);
  p.u8(uint8_t(MsgType::Rread));
  p.u16(tag);
  p.u32(count);
}

void pack_twrite_header(Packer& p, uint16_t tag, uint32_t fid, uint64_t offset, uint32_t count) {
  p.u32(HDRSZ + 16 + count);
  p.u8(uint8_t(MsgType::Twrite));
  p.u16(tag);
  p.u32(fid);
  p.u64(offset);
  p.u32(count);
}

uint32_t frame_size(std::span<const uint8_t> head, uint32_t msize, std::string& why) {
  if (head.size() < 4) return 0;
  uint32_t n = uint32_t(head[0]) | uint32_t(head[1]) << 8 | uint32_t(head[2]) << 16 |
               uint32_t(head[3]) << 24;
  if (n < HDRSZ) why = "message size " + std::to_string(n) + " smaller than header";
  else if (n > msize) why = "message size " + std::to_string(n) + " exceeds msize " + std::to_string(msize);
  else return n;
  return 0;
}

Decoded decode(std::span<const uint8_t> frame, uint32_t msize) {
  Decoded d;
  if (frame.size() < 4) {
    d.error = "truncated message size";
    return d;
  }
  uint32_t n = frame_size(frame, msize, d.error);
  if (n == 0) return d;
  if (n > frame.size()) {
    d.error = "truncated message: size " + std::to_string(n) + ", have " + std::to_string(frame.size());
    return d;
  }
  if (n < frame.size()) {
    d.error = "trailing bytes after message";
    return d;
  }
  Unpacker u(frame.subspan(4));
  uint8_t type = u.u8();
  uint16_t tag = u.u16();
  int index = index_of(type);
  if (index < 0) {
    d.error = "unknown message type " + std::to_string(type);
    return d;
  }
  Fcall f{tag, make_msg(size_t(index))};
  Dec dec{u};
  std::visit([&](auto& m) { io(dec, m); }, f.msg);
  if (u.ok() && u.remaining() != 0)
    u.fail("trailing bytes in " + std::string(name_of(MsgType(type))));
  if (!u.ok()) {
    d.error = std::string(name_of(MsgType(type))) + ": " + u.error();
    return d;
  }
  d.fcall = std::move(f);
  return d;
}

void pack_stat(Packer& p, const Stat& d) {
  Enc enc{p};
  io_stat(enc, const_cast<Stat&>(d));
}

std::vector<uint8_t> pack_stat(const Stat& d) {
  std::vector<uint8_t> out;
  Packer p(out);
  pack_stat(p, d);
  return out;
}

std::optional<Stat> unpack_stat(std::span<const uint8_t>& in, std::string& why) {
  Unpacker u(in);
  Dec dec{u};
  Stat d;
  io_stat(dec, d);
  if (!u.ok()) {
    why = u.error();
    return std::nullopt;
  }
  in = in.subspan(in.size() - u.remaining());
  return d;
}

std::optional<std::vector<Stat>> unpack_dir(std::span<const uint8_t> in, std::string& why) {
  std::vector<Stat> out;
  while (!in.empty()) {
    auto d = unpack_stat(in, why);
    if (!d) return std::nullopt;
    out.push_back(std::move(*d));
  }
  return out;
}

}  // namespace grio::ninep

// A viewer's input lines (view_input.h): written by the viewer, parsed by
// the server, which trusts nothing in them.
#include "wsys/view_input.h"

#include <charconv>
#include <cstdio>
#include <optional>

#include "net/codec.h"
#include "term/decode.h"

namespace grio::wsys {

namespace {

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%x", v);
  return buf;
}

std::string runes_hex(std::u32string_view runes) {
  std::string s;
  for (char32_t r : runes) s += " " + hex(uint32_t(r));
  return s;
}

struct Formatter {
  std::string operator()(const ViewSize& v) const {
    return "size " + std::to_string(v.screen.dx()) + " " + std::to_string(v.screen.dy()) + " " +
           std::to_string(v.metrics.font_w) + " " + std::to_string(v.metrics.font_h);
  }
  std::string operator()(const MouseState& m) const {
    return "m " + std::to_string(m.at.x) + " " + std::to_string(m.at.y) + " " + std::to_string(m.buttons) + " " +
           std::to_string(m.msec) + (m.mods ? " " + std::to_string(m.mods) : "");
  }
  std::string operator()(const ViewKeys& k) const { return "k " + std::to_string(k.mods) + runes_hex(k.runes); }
  std::string operator()(const term::KeyPress& k) const {
    return "p " + std::to_string(int(k.key)) + " " + std::to_string(k.function) + " " + std::to_string(k.mods) + " " +
           hex(uint32_t(k.rune));
  }
  std::string operator()(const ViewKeyState& s) const {
    std::u32string runes;
    term::Utf8Decoder d;
    d.decode(std::string_view(s.msg).substr(s.msg.empty() ? 0 : 1), runes);
    d.finish(runes);
    return "s " + (s.msg.empty() ? std::string("?") : s.msg.substr(0, 1)) + runes_hex(runes);
  }
  std::string operator()(const ViewClipboard& c) const {
    static const char digits[] = "0123456789abcdef";
    std::string s = c.text.empty() ? "c" : "c ";
    for (unsigned char b : c.text) s += {digits[b >> 4], digits[b & 15]};
    return s;
  }
};

// A line or field as an error shows it: printable ASCII, cut.
std::string shown(std::string_view text, size_t most) {
  std::string s;
  for (char c : text.substr(0, most)) s += c >= ' ' && c < 0x7F ? c : '?';
  if (text.size() > most) s += "...";
  return s;
}

// The fields of one line, and the first thing wrong with them.
struct Line {
  std::vector<std::string_view> f;
  size_t next = 1;  // the field to read
  std::string error;

  bool fail(std::string why) {
    if (error.empty()) error = std::move(why);
    return false;
  }
  std::string_view field() {
    if (next >= f.size()) return fail("missing field"), std::string_view();
    return f[next++];
  }
  template <class T>
  T number(int64_t lo, int64_t hi, int base = 10) {
    std::string_view s = field();
    if (!error.empty()) return T{};
    int64_t v = 0;
    if (!s.empty() && s[0] == '-' && base == 16) return fail("bad hex: " + shown(s, 20)), T{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && end == s.data() + s.size() && (v < lo || v > hi)))
      return fail("number out of range: " + shown(s, 20)), T{};
    if (ec != std::errc() || end != s.data() + s.size())
      return fail(std::string(base == 16 ? "bad hex: " : "bad number: ") + shown(s, 20)), T{};
    return T(v);
  }
  char32_t rune(bool zero_ok) {
    char32_t r = number<char32_t>(0, 0x10FFFF, 16);
    if (error.empty() && ((r >= 0xD800 && r <= 0xDFFF) || (r == 0 && !zero_ok))) fail("bad rune: " + hex(uint32_t(r)));
    return r;
  }
  std::u32string runes(size_t at_least) {
    std::u32string out;
    while (error.empty() && next < f.size()) out.push_back(rune(false));
    if (error.empty() && out.size() < at_least) fail("missing field");
    return out;
  }
  bool done() { return next == f.size() || fail("extra field"); }
};

std::optional<ViewEvent> parse_size(Line& l) {
  int w = l.number<int>(1, 32768), h = l.number<int>(1, 32768);
  int fw = l.number<int>(1, 256), fh = l.number<int>(1, 256);
  return ViewSize{rect(0, 0, w, h), Metrics{fw, fh}};
}

std::optional<ViewEvent> parse_mouse(Line& l) {
  MouseState m;
  m.at.x = l.number<int>(-32768, 32767);
  m.at.y = l.number<int>(-32768, 32767);
  m.buttons = l.number<int>(0, 31);
  m.msec = l.number<uint32_t>(0, UINT32_MAX);
  if (l.next < l.f.size()) m.mods = l.number<unsigned>(0, 7);  // (none from a viewer before it was there)
  return m;
}

std::optional<ViewEvent> parse_keys(Line& l) {
  ViewKeys k;
  k.mods = l.number<unsigned>(0, 7);
  k.runes = l.runes(1);
  return k;
}

std::optional<ViewEvent> parse_press(Line& l) {
  term::KeyPress k;
  k.key = term::VtKey(l.number<int>(0, int(term::VtKey::Function)));
  k.function = l.number<int>(0, 24);
  k.mods = l.number<unsigned>(0, 7);
  k.rune = l.rune(true);
  return k;
}

std::optional<ViewEvent> parse_key_state(Line& l) {
  std::string_view v = l.field();
  if (l.error.empty() && v != "k" && v != "K" && v != "c") l.fail("bad kbd message: " + shown(v, 20));
  std::u32string runes = l.runes(0);
  return ViewKeyState{std::string(v) + term::to_utf8(runes)};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<ViewEvent> parse_clipboard(Line& l) {
  std::string_view h = l.next < l.f.size() ? l.field() : "";  // "c" alone: an empty clipboard
  ViewClipboard c;
  if (h.size() % 2) l.fail("bad hex: odd length");
  for (size_t i = 0; l.error.empty() && i < h.size(); i += 2) {
    int a = hex_digit(h[i]), b = hex_digit(h[i + 1]);
    if (a < 0 || b < 0) l.fail("bad hex at byte " + std::to_string(i));
    c.text.push_back(char(a << 4 | b));
  }
  return c;
}

std::optional<ViewEvent> parse_line(Line& l) {
  std::string_view verb = l.f[0];
  std::optional<ViewEvent> e;
  if (verb == "size") e = parse_size(l);
  else if (verb == "m") e = parse_mouse(l);
  else if (verb == "k") e = parse_keys(l);
  else if (verb == "p") e = parse_press(l);
  else if (verb == "s") e = parse_key_state(l);
  else if (verb == "c") e = parse_clipboard(l);
  else l.fail("unknown verb");
  if (!l.error.empty() || !l.done()) return std::nullopt;
  return e;
}

Line split(std::string_view text) {
  Line l;
  size_t at = 0;
  for (;;) {
    size_t sp = text.find(' ', at);
    l.f.push_back(text.substr(at, sp == text.npos ? text.npos : sp - at));
    if (l.f.back().empty()) l.fail("empty field");
    if (sp == text.npos) break;
    at = sp + 1;
  }
  return l;
}

}  // namespace

std::string format_view_event(const ViewEvent& e) { return std::visit(Formatter{}, e) + "\n"; }

net::Result<std::vector<ViewEvent>> parse_view_events(std::string_view text) {
  using R = net::Result<std::vector<ViewEvent>>;
  if (text.size() > max_view_write) return R::error("view input: write too long");
  std::vector<ViewEvent> out;
  size_t n = 0;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    std::string_view line = text.substr(at, nl == text.npos ? text.npos : nl - at);
    at = nl == text.npos ? text.size() : nl + 1;
    n++;
    if (out.size() == max_view_events) return R::error("view input: too many events");
    Line l = split(line);
    if (l.error.empty() && !ninep::valid_utf8(line)) l.fail("invalid UTF-8");
    std::optional<ViewEvent> e;
    if (l.error.empty()) e = parse_line(l);
    if (!e) return R::error("view input line " + std::to_string(n) + ": " + l.error + ": " + shown(line, 40));
    out.push_back(std::move(*e));
  }
  return out;
}

}  // namespace grio::wsys

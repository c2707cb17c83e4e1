// wctl messages and the geometry rules around them, after 9front's wctl.c
// (parsewctl, riostrtol, newrect, rectonscreen, goodrect).
#include "wsys/wctl.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstdio>
#include <utility>

#include "net/errors.h"

namespace grio::wsys {
namespace {

using Long = long long;

constexpr int kBorderwidth = 4;  // rio's Borderwidth: the drawn border
constexpr int kBig = 3;          // rio's BIG: a window spans at most 3 screens

// rio's tables in rio's order. A word names an entry when the word starts
// with it (rio: strncmp(entry, word, strlen(entry))), so "newt" is new and
// "-rect" is -r, but "res" is nothing. No entry is a prefix of another, so
// the order never decides; we keep rio's anyway.
constexpr std::array<std::pair<std::string_view, WctlVerb>, 12> kVerbs{{
    {"new", WctlVerb::New},       {"resize", WctlVerb::Resize}, {"move", WctlVerb::Move},
    {"scroll", WctlVerb::Scroll}, {"noscroll", WctlVerb::Noscroll}, {"set", WctlVerb::Set},
    {"top", WctlVerb::Top},       {"bottom", WctlVerb::Bottom}, {"current", WctlVerb::Current},
    {"hide", WctlVerb::Hide},     {"unhide", WctlVerb::Unhide}, {"delete", WctlVerb::Delete},
}};

enum class Opt { Cd, Dx, Dy, Hide, Id, Maxx, Maxy, Minx, Miny, Pid, R, Scroll, Noscroll, Sub, Sandbox, Net, Vt };

constexpr std::array<std::pair<std::string_view, Opt>, 17> kOpts{{
    {"-cd", Opt::Cd},     {"-dx", Opt::Dx},     {"-dy", Opt::Dy},     {"-hide", Opt::Hide},
    {"-id", Opt::Id},     {"-maxx", Opt::Maxx}, {"-maxy", Opt::Maxy}, {"-minx", Opt::Minx},
    {"-miny", Opt::Miny}, {"-pid", Opt::Pid},   {"-r", Opt::R},       {"-scroll", Opt::Scroll},
    {"-noscroll", Opt::Noscroll}, {"-sub", Opt::Sub}, {"-sandbox", Opt::Sandbox}, {"-net", Opt::Net},
    {"-vt", Opt::Vt},
}};

// rio splits on isspace in the C locale: blank, tab, newline, \v, \f, \r.
bool is_blank(char c) { return std::isspace(static_cast<unsigned char>(c)); }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }

// Clamps to int: repeated relative options and huge rectangles must not
// overflow (rio would wrap; we saturate).
int sat(Long v) { return static_cast<int>(std::clamp<Long>(v, INT_MIN, INT_MAX)); }

// A number as written: its sign (-1, 0 for none, +1) and its digits.
struct Number {
  int sign = 0;
  int magnitude = 0;
  int value() const { return sign < 0 ? -magnitude : magnitude; }
};

// A cursor over one message, reading it the way parsewctl walks its string.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  // If the next word starts with a name in tab, consumes the whole word.
  template <class T, size_t N>
  std::optional<T> word(const std::array<std::pair<std::string_view, T>, N>& tab) {
    skip_blanks();
    size_t end = pos_;
    while (end < s_.size() && !is_blank(s_[end])) end++;
    std::string_view w = s_.substr(pos_, end - pos_);
    for (const auto& [name, value] : tab) {
      if (w.starts_with(name)) {
        pos_ = end;
        return value;
      }
    }
    return std::nullopt;
  }

  // riostrtol: blanks and '[' may come first (a %R rectangle reads
  // "[0 0] [600 400]"), then an optional sign, digits, and any ']'.
  std::optional<Number> number() {
    while (is_blank(peek()) || peek() == '[') pos_++;
    Number n;
    if (peek() == '+' || peek() == '-') n.sign = s_[pos_++] == '-' ? -1 : 1;
    if (!is_digit(peek())) return std::nullopt;
    Long v = 0;
    for (; is_digit(peek()); pos_++) {
      v = v * 10 + (s_[pos_] - '0');
      if (v > INT_MAX) return std::nullopt;
    }
    while (peek() == ']') pos_++;
    n.magnitude = static_cast<int>(v);
    return n;
  }

  // One rc word: text up to a blank, in which '...' quotes blanks and ''
  // inside quotes is one quote. Empty or unterminated is no word at all.
  std::optional<std::string> rc_word() {
    skip_blanks();
    std::string out;
    while (pos_ < s_.size() && !is_blank(s_[pos_])) {
      if (s_[pos_] != '\'') {
        out += s_[pos_++];
      } else if (!quoted(out)) {
        return std::nullopt;
      }
    }
    if (out.empty()) return std::nullopt;
    return out;
  }

  // What is left after the blanks that follow the last option.
  std::string_view rest() {
    skip_blanks();
    return s_.substr(pos_);
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_blanks() {
    while (pos_ < s_.size() && is_blank(s_[pos_])) pos_++;
  }
  // Appends a quoted part, the cursor on its opening quote.
  bool quoted(std::string& out) {
    for (pos_++; pos_ < s_.size(); pos_++) {
      if (s_[pos_] != '\'') {
        out += s_[pos_];
      } else if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '\'') {
        out += '\'';
        pos_++;
      } else {
        pos_++;
        return true;
      }
    }
    return false;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// In rio a repeated option acts on the result of the one before: an
// absolute value replaces it, a relative one adds to it.
void fold(std::optional<Coord>& slot, Coord c) {
  if (slot && c.relative) {
    slot->value = sat(Long{slot->value} + c.value);
  } else {
    slot = c;
  }
}

// -maxx and -dx both move max.x, and apply_geometry does sizes last. So a
// -maxx that follows a -dx must replace it (absolute) or add to it
// (relative) for the result to be rio's, where the later one acts last.
void fold_max(std::optional<Coord>& max, std::optional<Coord>& size, Coord c) {
  if (size && c.relative) {
    fold(size, c);
    return;
  }
  if (!c.relative) size.reset();
  fold(max, c);
}

// -r x0 y0 x1 y1 sets all four edges, so the geometry before it is moot.
bool parse_r(Scanner& s, WctlCommand& c) {
  int v[4];
  for (int& x : v) {
    auto n = s.number();
    if (!n) return false;
    x = n->value();
  }
  c.r = rect(v[0], v[1], v[2], v[3]);
  c.minx = c.miny = c.maxx = c.maxy = c.dx = c.dy = std::nullopt;
  return true;
}

// Options that take a number: geometry, and -pid/-id, whose sign rio reads
// and then ignores.
bool parse_numeric(Scanner& s, Opt opt, WctlCommand& c) {
  auto n = s.number();
  if (!n) return false;
  Coord v{n->sign != 0, n->value()};
  switch (opt) {
    case Opt::Minx: fold(c.minx, v); break;
    case Opt::Miny: fold(c.miny, v); break;
    case Opt::Maxx: fold_max(c.maxx, c.dx, v); break;
    case Opt::Maxy: fold_max(c.maxy, c.dy, v); break;
    case Opt::Dx: fold(c.dx, v); break;
    case Opt::Dy: fold(c.dy, v); break;
    case Opt::Pid: c.pid = n->magnitude; break;
    case Opt::Id: c.id = n->magnitude; break;
    default: return false;
  }
  return true;
}

bool parse_option(Scanner& s, Opt opt, WctlCommand& c) {
  switch (opt) {
    case Opt::Hide: c.hide = true; return true;
    case Opt::Sandbox: c.sandbox = true; return true;
    case Opt::Net: c.net = true; return true;
    case Opt::Vt: c.vt = true; return true;
    case Opt::Scroll: c.scroll = true; return true;
    case Opt::Noscroll: c.scroll = false; return true;
    case Opt::R: return parse_r(s, c);
    case Opt::Cd: return (c.cd = s.rc_word()).has_value();
    case Opt::Sub: return (c.sub = s.rc_word()).has_value();
    default: return parse_numeric(s, opt, c);
  }
}

void set_edge(int& edge, const std::optional<Coord>& c) {
  if (c) edge = c->relative ? sat(Long{edge} + c->value) : c->value;
}

void set_size(int& max, int min, const std::optional<Coord>& c) {
  if (c) max = sat((c->relative ? Long{max} : Long{min}) + c->value);
}

// rio's shift: slide [lo, hi) back inside [smin, smax); what still sticks
// out is pinned at smin and clipped at smax.
void shift(int& lo, int& hi, int smin, int smax) {
  if (hi > smax) {
    lo = sat(Long{lo} + smax - hi);
    hi = smax;
  }
  if (lo < smin) {
    hi = sat(std::min<Long>(Long{hi} + smin - lo, smax));
    lo = smin;
  }
}

// rio's rectinrect: r lies wholly within s.
bool inside(Rect r, Rect s) {
  return s.min.x <= r.min.x && r.max.x <= s.max.x && s.min.y <= r.min.y && r.max.y <= s.max.y;
}

}  // namespace

// Where this differs from 9front's parsewctl, on purpose: '[' may precede
// every number, not just -r's (rio checks for a digit before riostrtol skips
// the bracket); a missing -r number is always an error (rio takes a blank
// at the end of the message as 0); -cd with no word, or '', is an error
// (rio passes an empty dir on); numbers beyond int are errors, not wrapped.
net::Result<WctlCommand> parse_wctl(std::string_view msg) {
  using R = net::Result<WctlCommand>;
  // rio parses a C string: anything after a NUL is not seen.
  msg = msg.substr(0, msg.find('\0'));
  Scanner s(msg);
  WctlCommand c;
  auto verb = s.word(kVerbs);
  if (!verb) return R::error(err::badwctl);
  c.verb = *verb;
  // Options end at the first word that is not one; for new that word
  // starts the command, for the rest it is an error.
  while (auto opt = s.word(kOpts)) {
    if (!parse_option(s, *opt, c)) return R::error(err::wctlparam);
  }
  std::string_view rest = s.rest();
  while (rest.ends_with('\n')) rest.remove_suffix(1);
  if ((c.verb != WctlVerb::New || c.sub) && !rest.empty()) return R::error(err::wctlextra);
  // A sandbox is a sub-workspace's, and -net opens one to the network.
  if ((c.sandbox && (!c.sub || c.verb != WctlVerb::New)) || (c.net && !c.sandbox)) return R::error(err::sandboxopts);
  // A VT window's screen is its program's: no -pid client draws in it.
  if (c.vt && (c.verb != WctlVerb::New || c.sub || c.pid)) return R::error(err::vtopts);
  c.cmd = rest;
  return c;
}

// rio changes the rectangle option by option, in the order they are
// written. We keep one value per option and apply -r, then the edges, then
// the sizes: rio's result for messages written in that order (window(1)'s
// usual -r, or -minx... then -dx...). parse_wctl folds repeats and drops
// what a later -r or -maxx overrides so most other orders agree too; the
// one that does not is an edge after an absolute size ("-dx 100 -minx 5":
// rio sets max.x from the old min.x, we keep the width 100).
Rect apply_geometry(const WctlCommand& c, Rect start) {
  Rect r = c.r.value_or(start);
  set_edge(r.min.x, c.minx);
  set_edge(r.min.y, c.miny);
  set_edge(r.max.x, c.maxx);
  set_edge(r.max.y, c.maxy);
  set_size(r.max.x, r.min.x, c.dx);
  set_size(r.max.y, r.min.y, c.dy);
  return r;
}

Rect onto_screen(Rect r, Rect screen) {
  shift(r.min.x, r.max.x, screen.min.x, screen.max.x);
  shift(r.min.y, r.max.y, screen.min.y, screen.max.y);
  return r;
}

bool good_rect(Rect r, Rect screen, int font_height) {
  if (r.min.x > r.max.x || r.min.y > r.max.y) return false;  // not canonical
  Long w = Long{r.max.x} - r.min.x, h = Long{r.max.y} - r.min.y;
  if (w < 100 || h < 2 * (kBorderwidth + 1) + font_height) return false;
  if (w > kBig * Long{screen.dx()} || h > kBig * Long{screen.dy()}) return false;
  if (!r.overlaps(screen)) return false;
  // Some border must stay on screen, or the window could not be grabbed.
  return !inside(screen, r.inset(kBorderwidth));
}

// The parts of r outside the first rect above, as rio cuts them: over it,
// left of it, under it and right of it, each as wide or as high as r (so
// they overlap, and a corner is in two), each asked of the rest.
bool obscured(Rect r, std::span<const Rect> above, int min, int& budget) {
  if (r.dx() < min || r.dy() < min) return true;
  if (above.empty() || --budget < 0) return false;
  const Rect& t = above.front();
  auto rest = above.subspan(1);
  if (!r.overlaps(t)) return obscured(r, rest, min, budget);
  return (r.min.y >= t.min.y || obscured(Rect{r.min, {r.max.x, t.min.y}}, rest, min, budget)) &&
         (r.min.x >= t.min.x || obscured(Rect{r.min, {t.min.x, r.max.y}}, rest, min, budget)) &&
         (r.max.y <= t.max.y || obscured(Rect{{r.min.x, t.max.y}, r.max}, rest, min, budget)) &&
         (r.max.x <= t.max.x || obscured(Rect{{t.max.x, r.min.y}, r.max}, rest, min, budget));
}

Rect cascade_rect(int i, Rect screen) {
  int step = 32 + 16 * (((i % 10) + 10) % 10);
  Point o{screen.min.x + step, screen.min.y + step};
  int w = std::min(600, screen.dx() - 2 * kBorderwidth);
  int h = std::min(400, screen.dy() - 2 * kBorderwidth);
  return Rect{o, {o.x + w, o.y + h}};
}

// Scripts cut the record into 12-byte fields, so every field is exactly 11
// characters and a blank: an int needs at most 11, "notcurrent" 10.
std::string wctl_record(Rect r, bool current, bool visible) {
  char buf[6 * 12 + 1];
  int n = std::snprintf(buf, sizeof buf, "%11d %11d %11d %11d %11s %11s ", r.min.x, r.min.y,
                        r.max.x, r.max.y, current ? "current" : "notcurrent",
                        visible ? "visible" : "hidden");
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace grio::wsys

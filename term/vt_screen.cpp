// The terminal model over libvterm 0.1.4's state layer (Debian 12: read its
// header, not newer docs — the string properties are plain C strings
// here). libvterm parses and keeps the terminal's state (cursor, modes,
// pen, scroll region); the cells are ours, in a ring of rows.
#include "term/vt_screen.h"

#include <vterm.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <utility>

#include "term/decode.h"
#include "term/select.h"
#include "term/width.h"

namespace grio::term {

namespace {

constexpr size_t max_title = 1024;  // bytes of an OSC title kept

VTermModifier vterm_mods(unsigned mods) {
  int m = 0;
  if (mods & ModShift) m |= VTERM_MOD_SHIFT;
  if (mods & ModAlt) m |= VTERM_MOD_ALT;
  if (mods & ModCtrl) m |= VTERM_MOD_CTRL;
  return VTermModifier(m);
}

VTermKey vterm_key(const KeyPress& k) {
  switch (k.key) {
    case VtKey::Enter: return VTERM_KEY_ENTER;
    case VtKey::Tab: return VTERM_KEY_TAB;
    case VtKey::Backspace: return VTERM_KEY_BACKSPACE;
    case VtKey::Escape: return VTERM_KEY_ESCAPE;
    case VtKey::Up: return VTERM_KEY_UP;
    case VtKey::Down: return VTERM_KEY_DOWN;
    case VtKey::Left: return VTERM_KEY_LEFT;
    case VtKey::Right: return VTERM_KEY_RIGHT;
    case VtKey::Insert: return VTERM_KEY_INS;
    case VtKey::Delete: return VTERM_KEY_DEL;
    case VtKey::Home: return VTERM_KEY_HOME;
    case VtKey::End: return VTERM_KEY_END;
    case VtKey::PageUp: return VTERM_KEY_PAGEUP;
    case VtKey::PageDown: return VTERM_KEY_PAGEDOWN;
    case VtKey::Function: return k.function >= 1 && k.function <= 24 ? VTermKey(VTERM_KEY_FUNCTION(k.function)) : VTERM_KEY_NONE;
    case VtKey::None: break;
  }
  return VTERM_KEY_NONE;
}

uint32_t rgb(const VTermState* state, VTermColor c, uint32_t dflt, uint8_t dflt_flag) {
  if (c.type & dflt_flag) return dflt;
  vterm_state_convert_color_to_rgb(state, &c);
  return uint32_t(c.rgb.red) << 16 | uint32_t(c.rgb.green) << 8 | c.rgb.blue;
}

}  // namespace

// libvterm's state calls back with `user` = the VtScreen.
struct VtScreen::Callbacks {
  static VtScreen& self(void* user) { return *static_cast<VtScreen*>(user); }
  // Every callback that may read or move cells, or change the pen or the
  // screen that glyphs of the run go to, writes the run first.
  static VtScreen& flushed(void* user) {
    self(user).flush_run();
    self(user).flushes_++;
    return self(user);
  }

  // A glyph that follows the run on its row, alone in its cell, is kept
  // in the run (a flood's glyph costs a third of what it costs written
  // out); any other is written as it comes, after the run.
  static int putglyph(VTermGlyphInfo* info, VTermPos pos, void* user) {
    auto& s = self(user);
    s.glyphs_++;
    Run& run = s.run_;
    // (A double-width line's glyph is not: libvterm wraps that line at
    // half the width, which put_plain does not know.)
    bool single = info->width == 1 && info->chars[0] && !info->chars[1] && !info->dwl && !info->dhl;
    if (single && pos.row == run.row && pos.col == run.col + run.len && pos.col < s.cols_) {
      run.runes[size_t(run.len++)] = char32_t(info->chars[0]);
      return 1;
    }
    return put(s, info, pos, single && !s.cfg_.eager);
  }
  // Out of line, so that the run's glyph above costs a few instructions.
  [[gnu::noinline]] static int put(VtScreen& s, VTermGlyphInfo* info, VTermPos pos, bool single) {
    Run& run = s.run_;
    s.flush_run();
    if (pos.row < 0 || pos.row >= s.rows_ || pos.col < 0 || pos.col >= s.cols_) return 1;
    if (single) {
      run.row = pos.row, run.col = pos.col, run.len = 1;
      run.runes[0] = char32_t(info->chars[0]);
      return 1;
    }
    Grid& g = *s.grid_;
    Cell* line = g.written_to(pos.row, pos.col);
    int& used = g.used[g.at(pos.row)];
    Cell& c = line[pos.col];
    c.pen = s.pen_;
    c.runes[0] = info->chars[0] ? char32_t(info->chars[0]) : U' ';
    c.runes[1] = c.runes[2] = 0;
    for (int i = 1; i < 3 && info->chars[i - 1] && info->chars[i]; i++) c.runes[i] = char32_t(info->chars[i]);
    c.width = uint8_t(info->width == 2 && pos.col + 1 < s.cols_ ? 2 : 1);
    if (c.width == 2) {
      line[pos.col + 1] = c;
      line[pos.col + 1].width = 0;
    }
    used = std::max(used, pos.col + c.width);
    if (s.cfg_.eager) g.line(pos.row);
    s.changed();
    return 1;
  }
  static int movecursor(VTermPos pos, VTermPos, int visible, void* user) {
    auto& s = self(user);
    s.cursor_row_ = pos.row;
    s.cursor_col_ = pos.col;
    s.cursor_visible_ = visible;
    s.changed();
    return 1;
  }
  // The whole screen scrolling up (output at its bottom): the ring turns,
  // the lines leaving the primary screen go to the scrollback. Anything
  // else is moved cell by cell through moverect and erase.
  static int scrollrect(VTermRect rect, int downward, int rightward, void* user) {
    auto& s = flushed(user);
    Grid& g = *s.grid_;
    bool whole = rect.start_row == 0 && rect.end_row == s.rows_ && rect.start_col == 0 && rect.end_col == s.cols_;
    if (!whole || rightward != 0 || downward <= 0 || downward >= s.rows_) return 0;
    Cell b = s.blank();
    for (int i = 0; i < downward; i++) {
      if (s.grid_ == &s.primary_) s.push_line(g, 0);
      g.clear_from(0, 0, b);
      if (s.cfg_.eager) g.line(0);
      g.top = (g.top + 1) % g.rows;
    }
    s.changed();
    return 1;
  }
  // libvterm 0.1.4 may name cells past the edge (insert mode moving a
  // row from column -1): those are none of ours, and come in blank.
  static void copycell(VTermPos dest, VTermPos src, void* user) {
    auto& s = self(user);
    auto inside = [&s](VTermPos p) { return p.row >= 0 && p.row < s.rows_ && p.col >= 0 && p.col < s.cols_; };
    if (!inside(dest)) return;
    Cell c = inside(src) ? s.grid_->line(src.row)[src.col] : s.blank();
    s.grid_->line(dest.row)[dest.col] = c;
  }
  // Lines moved up off the top of the primary screen, full width, go to
  // the scrollback (as libvterm's screen does), then the cells move.
  static int moverect(VTermRect dest, VTermRect src, void* user) {
    auto& s = flushed(user);
    if (s.grid_ == &s.primary_ && dest.start_row == 0 && dest.start_col == 0 && dest.end_col == s.cols_)
      for (int r = 0; r < std::min(src.start_row, s.rows_); r++) s.push_line(*s.grid_, r);
    vterm_copy_cells(dest, src, copycell, user);
    s.changed();
    return 1;
  }
  static int erase(VTermRect rect, int, void* user) {
    auto& s = flushed(user);
    Cell b = s.blank();
    for (int r = std::max(0, rect.start_row); r < std::min(rect.end_row, s.rows_); r++) {
      if (rect.end_col >= s.cols_) {  // to the end of the row: the row's tail
        s.grid_->clear_from(r, std::clamp(rect.start_col, 0, s.cols_), b);  // (libvterm may name a column past the edge)
        if (s.cfg_.eager) s.grid_->line(r);
        continue;
      }
      Cell* line = s.grid_->line(r);
      for (int c = std::max(0, rect.start_col); c < std::min(rect.end_col, s.cols_); c++) line[c] = b;
    }
    s.changed();
    return 1;
  }
  static int initpen(void* user) {
    flushed(user).pen_ = Pen{};
    return 1;
  }
  static int setpenattr(VTermAttr attr, VTermValue* val, void* user) {
    auto& s = flushed(user);
    Pen& p = s.pen_;
    switch (attr) {
      case VTERM_ATTR_BOLD: p.bold = val->boolean; break;
      case VTERM_ATTR_UNDERLINE: p.underline = val->number != 0; break;
      case VTERM_ATTR_ITALIC: p.italic = val->boolean; break;
      case VTERM_ATTR_REVERSE: p.reverse = val->boolean; break;
      case VTERM_ATTR_FOREGROUND: p.fg = rgb(s.state_, val->color, Ink, VTERM_COLOR_DEFAULT_FG); break;
      case VTERM_ATTR_BACKGROUND: p.bg = rgb(s.state_, val->color, Paper, VTERM_COLOR_DEFAULT_BG); break;
      default: break;
    }
    return 1;
  }
  static int settermprop(VTermProp prop, VTermValue* val, void* user) {
    auto& s = flushed(user);
    switch (prop) {
      case VTERM_PROP_CURSORVISIBLE: s.cursor_visible_ = val->boolean; break;
      case VTERM_PROP_ALTSCREEN:  // libvterm erases the alternate screen as it enters it
        s.altscreen_ = val->boolean;
        s.grid_ = s.altscreen_ ? &s.alternate_ : &s.primary_;
        break;
      case VTERM_PROP_MOUSE: s.mouse_ = val->number; break;
      case VTERM_PROP_TITLE:
        s.title_ = val->string ? std::string(val->string).substr(0, max_title) : "";
        break;
      default: break;
    }
    s.changed();
    return 1;
  }
  static int bell(void*) { return 1; }
  // The primary screen keeps its bottom rows (where the cursor is) when it
  // shrinks, the lines above going to the scrollback, and takes lines back
  // from the scrollback when it grows, as libvterm's screen does.
  static int resize(int rows, int cols, VTermPos* delta, void* user) {
    auto& s = flushed(user);
    int old = s.primary_.rows;
    int cursor = s.altscreen_ ? old - 1 : s.cursor_row_;
    int drop = rows < old ? std::max(0, std::min(old - rows, cursor + 1 - rows)) : 0;
    int pull = rows > old ? int(std::min<size_t>(size_t(rows - old), s.scrollback_.size())) : 0;
    s.resize_grid(s.primary_, rows, cols, drop, pull);
    s.resize_grid(s.alternate_, rows, cols, 0, 0);
    if (!s.altscreen_) delta->row += pull - drop;
    s.rows_ = rows;
    s.cols_ = cols;
    s.changed();
    return 1;
  }
  static const VTermStateCallbacks* table() {
    static const VTermStateCallbacks t = {putglyph,   movecursor, scrollrect, moverect, erase, initpen,
                                          setpenattr, settermprop, bell,      resize,   nullptr};
    return &t;
  }
};

namespace {

void collect_output(const char* s, size_t len, void* user) { static_cast<std::string*>(user)->append(s, len); }

}  // namespace

VtScreen::VtScreen(int rows, int cols, VtConfig cfg)
    : cfg_(cfg), rows_(std::clamp(rows, 1, max_vt_rows)), cols_(std::clamp(cols, 1, max_vt_cols)) {
  primary_.reset(rows_, cols_);
  alternate_.reset(rows_, cols_);
  vt_ = vterm_new(rows_, cols_);
  vterm_set_utf8(vt_, 1);
  vterm_output_set_callback(vt_, collect_output, &input_);
  state_ = vterm_obtain_state(vt_);
  vterm_state_set_callbacks(state_, Callbacks::table(), this);
  vterm_state_reset(state_, 1);
}

VtScreen::~VtScreen() { vterm_free(vt_); }

// Where sequences end: CAN and SUB cancel one, a CSI ends at its final
// byte, a string (OSC, DCS) at BEL or ESC \. Between them, the runs of
// printable ASCII; and the shifts and designations of character sets.
std::string_view VtScreen::Sequences::feed(std::string_view bytes, Runs* runs, std::string& cut, int cols) {
  auto printable = [](unsigned char c) { return c >= 0x20 && c < 0x7f; };
  // Until something is cut, libvterm gets the bytes as they are.
  bool cutting = false;
  auto keep = [&](size_t from, size_t to) {
    if (cutting) cut.append(bytes.data() + from, to - from);
  };
  auto out = [&](size_t i) { return cutting ? cut.size() : i; };
  auto start_cut = [&](size_t i) {  // what came before byte i goes as it came
    if (!cutting) cut.assign(bytes.data(), i), cutting = true;
  };
  auto begin_csi = [&] { at = At::Csi, csi.clear(), csi_long = false, csi_seps = 0; };
  size_t repeated = 0;  // bytes REPs made of this write
  for (size_t i = 0; i < bytes.size(); i++) {
    unsigned char c = bytes[i];
    if (at == At::Ground) {
      if (c >= 0x80) {
        // libvterm 0.1.4 puts a C1 control written in UTF-8 (U+0080 to
        // U+009F) as a glyph of width -1: the cursor steps left, past
        // column 0, and a tab stop or an erase there writes outside its
        // tables. Its second byte never reaches libvterm: the lead left
        // waiting there is read as any rune cut short (U+FFFD, or with a
        // byte A0-BF after it the rune those two make).
        if (c <= 0x9f && utf8_need == 1 && utf8_rune == "\xc2") {
          start_cut(i);
          utf8_broken = true;
          continue;
        }
        utf8(c);
        keep(i, i + 1);
        continue;
      }
      if (utf8_need) utf8_broken = true;  // a rune cut short
      if (printable(c)) {
        size_t end = i + 1;
        while (end < bytes.size() && printable(bytes[end])) end++;
        if (runs && end - i >= min_run && plain()) runs->emplace_back(out(i), out(i) + (end - i));
        keep(i, end);
        last_glyph.assign(1, bytes[end - 1]);
        i = end - 1;
        continue;
      }
      if (c == 0x1b) at = At::Esc;
      else if (c == 0x0e || c == 0x0f) gl = c == 0x0e;  // SO, SI
      keep(i, i + 1);
      continue;  // other controls are done at once
    }
    if (c == 0x18 || c == 0x1a) {
      at = At::Ground;
      csi_dropped = false;
      keep(i, i + 1);
      continue;
    }
    // libvterm does a C0 control wherever it comes, inside a sequence or
    // a string too.
    if (c == 0x0e || c == 0x0f) gl = c == 0x0e;
    if (at == At::StrEsc && c != '\\') at = At::Esc;  // a new sequence; c read as its first byte
    // libvterm abandons a CSI at a byte past ASCII, which it swallows.
    if (at == At::Csi && c >= 0x80) {
      if (csi_dropped) start_cut(i);  // libvterm was told to cancel it already
      else keep(i, i + 1);
      at = At::Ground, csi_dropped = false;
      continue;
    }
    // libvterm 0.1.4's REP repeats the last glyph it put by stepping the
    // cursor by that glyph's width: none yet, or one of no width, and it
    // never ends. So libvterm is told to cancel every REP, and gets the
    // glyph it repeats that many times as text instead (as xterm, which
    // wraps them; at most a row of them, and max_repeated bytes of them
    // in one write, so that 3 bytes cannot make 2 KiB for libvterm).
    if (at == At::Csi && c == 'b' && !csi_dropped &&
        (csi_long || csi.find_first_not_of("0123456789;:") == std::string::npos)) {
      start_cut(i);
      cut += '\x18';
      at = At::Ground;
      int n = csi_long ? cols : 0;
      for (size_t k = 0; !csi_long && k < csi.size() && csi[k] != ';' && csi[k] != ':'; k++)
        n = std::min(n * 10 + (csi[k] - '0'), cols);
      for (int k = 0; k < std::clamp(n, 1, cols) && repeated + last_glyph.size() <= max_repeated; k++)
        cut += last_glyph, repeated += last_glyph.size();
      continue;
    }
    // A CSI of more than max_csi_params parameters overruns libvterm
    // 0.1.4's table of them (a crash): libvterm is told to cancel it
    // (CAN), and the rest of it never reaches libvterm.
    if (at == At::Csi && c >= 0x20 && c < 0x7f) {
      bool cancel = !csi_dropped && (c == ';' || c == ':') && ++csi_seps >= max_csi_params;
      if (cancel || csi_dropped) {
        start_cut(i);
        if (cancel) cut += '\x18', csi_dropped = true;
        if (c >= 0x40 && c <= 0x7e) at = At::Ground, csi_dropped = false;  // its final
        continue;
      }
    }
    keep(i, i + 1);
    switch (at) {
      case At::Ground: break;
      case At::Esc:
        if (c == '[') begin_csi();
        else if (c == ']' || c == 'P') at = At::Str;  // OSC, DCS (libvterm 0.1.4 prints what follows SOS, PM, APC)
        else if (c >= 0x20 && c <= 0x2f) at = At::Inter, inter = c, inters = 1;
        else if (c >= 0x30 && c <= 0x7e) {  // a final (DEL and bytes past ASCII are ignored within)
          if (c == 'c') {  // RIS
            region.clear(), origin = false;
            ascii.fill(true), gl = 0, insert = margins = false;
          }
          if (c == 'n' || c == 'o') gl = c == 'n' ? 2 : 3;  // LS2, LS3
          at = At::Ground;
        }
        break;  // ESC again, or a control executed within
      case At::Inter:  // (after which libvterm still begins a CSI, an OSC or a DCS)
        if (c == 0x1b) at = At::Esc;
        else if (c == '[') begin_csi();
        else if (c == ']' || c == 'P') at = At::Str;
        else if (c >= 0x20 && c <= 0x2f) inters++;
        else if (c >= 0x30 && c <= 0x7e) {
          if (inter >= '(' && inter <= '+') ascii[size_t(inter - '(')] = c == 'B' && inters == 1;  // SCS
          at = At::Ground;
        }
        break;
      case At::Csi:
        if (c == 0x1b) at = At::Esc, csi_dropped = false;
        else if (c >= 0x40 && c <= 0x7e) ended(c);
        else if (c >= 0x20 && c <= 0x3f) {
          if (csi.size() < 16) csi += char(c);
          else csi_long = true;
        }
        break;
      case At::Str:
        if (c == 0x07) at = At::Ground;
        else if (c == 0x1b) at = At::StrEsc;
        break;
      case At::StrEsc: at = At::Ground; break;  // ESC \ ends the string
    }
  }
  return cutting ? std::string_view(cut) : bytes;
}

// A byte past ASCII in text, as UTF-8: anything but well-formed UTF-8
// (a stray continuation, a lead byte that cannot start a rune, an
// overlong form, a surrogate, past U+10FFFF) breaks it for good.
void VtScreen::Sequences::utf8(unsigned char c) {
  if (c < 0xc0) {  // a continuation
    bool fits = utf8_need > 0;
    if (fits && utf8_lead) {  // the second byte of a rune whose lead limits it
      unsigned char lo = utf8_lead == 0xe0 ? 0xa0 : utf8_lead == 0xf0 ? 0x90 : 0x80;
      unsigned char hi = utf8_lead == 0xed ? 0x9f : utf8_lead == 0xf4 ? 0x8f : 0xbf;
      fits = c >= lo && c <= hi;
    }
    if (!fits) utf8_broken = true;
    utf8_need = fits ? utf8_need - 1 : 0;
    utf8_lead = 0;
    utf8_rune += char(c);
    if (fits && utf8_need == 0) last_glyph = utf8_rune;
    return;
  }
  if (utf8_need) utf8_broken = true;
  utf8_need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
  if (!utf8_need) utf8_broken = true;
  utf8_lead = c == 0xe0 || c == 0xed || c == 0xf0 || c == 0xf4 ? c : 0;
  utf8_rune.assign(1, char(c));
}

void VtScreen::Sequences::ended(unsigned char final) {
  at = At::Ground;
  bool set = final == 'h', reset = final == 'l';
  bool dec = csi.starts_with('?');
  std::string_view params = std::string_view(csi).substr(dec ? 1 : 0);
  bool plain = params.find_first_not_of("0123456789;") == std::string_view::npos;
  if (csi_long || !plain) {
    if (set) insert = margins = true;  // a mode we cannot read may be either
    return;
  }
  if (final == 'r' && !dec) region = csi.find_first_not_of(';') == std::string::npos ? "" : csi;  // DECSTBM
  if (!set && !reset) return;
  // The modes set or reset. libvterm 0.1.4 reads only the first of a
  // DECSET or DECRST, and does nothing on a soft reset (DECSTR). The
  // modes plain runs depend on count, where in doubt, as set: a set
  // wherever it is among the parameters.
  int first = -1;
  bool has4 = false, has69 = false;
  for (size_t at = 0; at <= params.size();) {
    size_t semi = std::min(params.find(';', at), params.size());
    int m = 0;
    for (size_t k = at; k < semi; k++) m = std::min(m * 10 + (params[k] - '0'), 100000);
    if (first < 0) first = m;
    has4 |= m == 4, has69 |= m == 69;
    at = semi + 1;
  }
  if (dec && first == 6) origin = set;                   // DECOM, as libvterm reads it (the repaint repeats it)
  if (dec && (set ? has69 : first == 69)) margins = set;  // DECLRMM
  if (!dec && (set ? has4 : first == 4)) insert = set;    // IRM
}

// The region's top row, 0 for the first, as a terminal reads the DECSTBM
// we repeat: a top below its bottom is refused, so the top is the first.
int VtScreen::Sequences::top(int rows) const {
  int t = 0, b = 0;
  if (std::sscanf(region.c_str(), "%d", &t) != 1) t = 1;
  size_t semi = region.find(';');
  if (semi == std::string::npos || std::sscanf(region.c_str() + semi + 1, "%d", &b) != 1 || b == 0) b = rows;
  t = std::max(t, 1);
  b = std::min(b, rows);
  return t < b ? t - 1 : 0;
}

// A flood's text is mostly runs of printable ASCII, and libvterm works on
// each glyph of a run as on any rune (its width, combining, wrapping,
// the callback). So the middle of each long run goes straight into the
// run of glyphs, and libvterm's cursor is moved past it; its first and
// last bytes still go through libvterm (put_plain). The eager model
// takes none of this path, and the tests compare the two.
void VtScreen::write(std::string_view bytes) {
  if (bytes.empty()) return;
  runs_.clear();
  bytes = seq_.feed(bytes, cfg_.eager || plain_off_ ? nullptr : &runs_, cut_, cols_);
  if (bytes.empty()) return;  // all of it was a sequence cut out
  // libvterm 0.1.4 copies a string sequence with strncpy past the bytes
  // it was given, up to a NUL: they go from a string of ours, which ends
  // in one.
  if (bytes.data() != cut_.data()) bytes = in_.assign(bytes);
  size_t from = 0;
  for (auto [begin, end] : runs_) {
    // A run right after bytes past ASCII is read by libvterm's UTF-8
    // decoder with them, which may hold a rune cut short or bytes it did
    // not take yet: cut there, the run could come out otherwise. It goes
    // as it came.
    if (begin > 0 ? static_cast<unsigned char>(bytes[begin - 1]) >= 0x80 : after_utf8_) continue;
    if (begin > from) vterm_input_write(vt_, bytes.data() + from, begin - from);
    from = begin + 1 + put_plain(bytes.substr(begin, end - begin));
  }
  if (from < bytes.size()) vterm_input_write(vt_, bytes.data() + from, bytes.size() - from);
  after_utf8_ = static_cast<unsigned char>(bytes.back()) >= 0x80;
  flush_run();
}

// Gives run's first byte to libvterm. If libvterm put it as a glyph of the
// run where the cursor was, and did nothing else (insert mode would have
// moved cells; a wrap, moved the cursor elsewhere), the bytes after it up
// to its last go into the run, as far as the column before the last, and
// libvterm's cursor moves past them. How many bytes after the first were
// taken.
size_t VtScreen::put_plain(std::string_view run) {
  const int row = cursor_row_, col = cursor_col_;
  const uint64_t glyphs = glyphs_, flushes = flushes_;
  vterm_input_write(vt_, run.data(), 1);
  bool put = glyphs_ == glyphs + 1 && flushes_ == flushes && cursor_row_ == row && cursor_col_ == col + 1 &&
             run_.len > 0 && run_.row == row && run_.col + run_.len == cursor_col_ &&
             run_.runes[size_t(run_.len - 1)] == char32_t(run[0]);
  int n = std::min(int(run.size()) - 2, cols_ - 1 - cursor_col_);
  if (!put || n <= 0) return 0;
  for (int i = 1; i <= n; i++) run_.runes[size_t(run_.len++)] = char32_t(run[size_t(i)]);
  char cuf[16] = "\x1b[";
  char* end = std::to_chars(cuf + 2, cuf + sizeof cuf - 1, n).ptr;  // not snprintf: a tenth of a flood's time
  *end++ = 'C';
  vterm_input_write(vt_, cuf, size_t(end - cuf));
  // Should libvterm ever move it elsewhere, the screen goes on without
  // this path rather than drift further from libvterm's.
  if (cursor_col_ != col + 1 + n || cursor_row_ != row) plain_off_ = true;
  assert(!plain_off_);
  return size_t(n);
}

// The run's glyphs into their cells, in the pen they were put with (a
// change of pen writes the run first).
void VtScreen::flush_run() {
  if (run_.len == 0) return;
  Grid& g = *grid_;
  Cell* line = g.written_to(run_.row, run_.col);
  Cell c;
  c.pen = pen_;
  for (int i = 0; i < run_.len; i++) {
    c.runes[0] = run_.runes[size_t(i)];
    line[run_.col + i] = c;
  }
  int& used = g.used[g.at(run_.row)];
  used = std::max(used, run_.col + run_.len);
  run_.row = -1, run_.len = 0;
  changed();
}

void VtScreen::clear() {
  write("\x1b[H\x1b[2J");
  scrollback_.clear();
  changed();
}

void VtScreen::resize(int rows, int cols) {
  rows = std::clamp(rows, 1, max_vt_rows);
  cols = std::clamp(cols, 1, max_vt_cols);
  if (rows == rows_ && cols == cols_) return;
  // As xterm does, a resize gives the whole screen back as the scroll
  // region, with origin mode off: libvterm 0.1.4 keeps a region below
  // the new last row and then reads and writes past its line table.
  int row = cursor_row_, col = cursor_col_;
  saved_rows_ = std::max(saved_rows_, rows_);  // a save the program made lies within the size it had
  saved_cols_ = std::max(saved_cols_, cols_);
  if (seq_.at != Sequences::At::Ground) write("\x18");  // a sequence split across reads is lost, not merged with ours
  write("\x1b[?6l\x1b[r");                // both home the cursor
  vterm_set_size(vt_, rows, cols);  // the state calls resize() back
  write("\x1b[" + std::to_string(std::min(row, rows - 1) + 1) + ";" + std::to_string(std::min(col, cols - 1) + 1) + "H");
  // libvterm restores a saved cursor as it was, past the new edge if the
  // screen shrank: one that may lie outside is replaced by the cursor.
  if (rows < saved_rows_ || cols < saved_cols_) {
    write("\x1b" "7");
    saved_rows_ = rows, saved_cols_ = cols;
  }
  changed();
}

VtScreen::Cell VtScreen::blank() const {
  Cell b;
  b.runes[0] = U' ';
  b.pen.fg = pen_.fg;
  b.pen.bg = pen_.bg;
  return b;
}

// The oldest line's buffers are reused for the newest once the scrollback is full.
void VtScreen::push_line(const Grid& g, int r) {
  if (cfg_.scrollback == 0) return;
  VtRow row;
  if (scrollback_.size() >= cfg_.scrollback) {
    row = std::move(scrollback_.front());
    scrollback_.pop_front();
  }
  convert(g, r, row);
  // A reused row keeps no more room than about twice what it holds, so
  // that the scrollback costs what it shows, as when each row was new.
  if (row.runes.capacity() > 2 * row.runes.size() + 32) row.runes.shrink_to_fit();
  if (row.styles.capacity() > 2 * row.styles.size() + 4) row.styles.shrink_to_fit();
  scrollback_.push_back(std::move(row));
  pushed_++;
  while (scrollback_.size() > cfg_.scrollback) scrollback_.pop_front();
}

// g at its new size: its rows from drop_top on, below `pull` lines taken
// back from the scrollback; each row cut or padded to the new width.
void VtScreen::resize_grid(Grid& g, int rows, int cols, int drop_top, int pull) {
  Grid n;
  n.reset(rows, cols);
  Cell b;
  b.runes[0] = U' ';
  std::fill(n.cells.begin(), n.cells.end(), b);
  for (int r = 0; r < drop_top; r++)
    if (&g == &primary_) push_line(g, r);
  for (int r = pull - 1; r >= 0; r--) {
    restore(scrollback_.back(), n.line(r), cols);
    scrollback_.pop_back();
    pushed_--;
  }
  for (int r = drop_top, to = pull; r < g.rows && to < rows; r++, to++) {
    std::copy_n(g.line(r), std::min(cols, g.cols), n.line(to));
    if (cols < g.cols && n.line(to)[cols - 1].width == 2) n.line(to)[cols - 1] = b;  // half a wide rune
  }
  g = std::move(n);
}

void VtScreen::key(const KeyPress& k) {
  if (k.key != VtKey::None) {
    if (VTermKey key = vterm_key(k); key != VTERM_KEY_NONE) vterm_keyboard_key(vt_, key, vterm_mods(k.mods));
    return;
  }
  if (!k.rune) return;
  // A control rune is already what Ctrl made of its key.
  unsigned mods = k.rune < 0x20 || k.rune == 0x7F ? k.mods & ~(ModCtrl | ModShift) : k.mods;
  vterm_keyboard_unichar(vt_, k.rune, vterm_mods(mods));
}

void VtScreen::paste(std::string_view utf8) {
  vterm_keyboard_start_paste(vt_);
  input_.append(utf8);
  vterm_keyboard_end_paste(vt_);
}

void VtScreen::mouse(int row, int col, int button, bool pressed, unsigned mods) {
  vterm_mouse_move(vt_, row, col, vterm_mods(mods));
  vterm_mouse_button(vt_, button, pressed, vterm_mods(mods));
}

void VtScreen::mouse_move(int row, int col, unsigned mods) { vterm_mouse_move(vt_, row, col, vterm_mods(mods)); }

std::string VtScreen::take_input() { return std::exchange(input_, {}); }

namespace {

void add_style(std::vector<StyleRun>& runs, const Style& s) {
  if (!runs.empty() && runs.back().style == s) runs.back().cells++;
  else runs.push_back({1, s});
}

}  // namespace

// Printable ASCII alone in its cell takes one column, its rune as it is.
bool VtScreen::plain(const Cell& c) { return c.runes[0] >= 0x20 && c.runes[0] < 0x7F && c.width == 1 && !c.runes[1]; }

// The first cells of a row that are plain and share the first one's pen,
// of its first n: their runes and their style run, into an empty row.
// How many they are.
int VtScreen::plain_start(const Cell* cells, int n, VtRow& row) {
  if (n == 0 || !plain(cells[0])) return 0;
  const Pen pen = cells[0].pen;
  row.runes.resize(size_t(n));
  int end = 0;
  // Pens compared as bytes (two loads, not six): they have no padding.
  static_assert(std::has_unique_object_representations_v<Pen>);
  auto same_pen = [&pen](const Cell& c) { return std::memcmp(&c.pen, &pen, sizeof pen) == 0; };
  for (; end < n && plain(cells[end]) && same_pen(cells[end]); end++) row.runes[size_t(end)] = cells[end].runes[0];
  row.runes.resize(size_t(end));
  row.styles.push_back({end, pen.style()});
  return end;
}

// Blanks that show nothing at the end of the row are left out: they are
// what a row past its runes is (most rows are short; a scrolled-off line is
// converted as it goes). Into `row`, whose buffers are reused.
void VtScreen::convert(const Grid& g, int r, VtRow& row) const {
  auto invisible = [](const Cell& c) {
    return (c.runes[0] == 0 || c.runes[0] == U' ') && !c.runes[1] && c.width == 1 && !c.pen.underline &&
           c.pen.style().bg == Paper;
  };
  const Cell* cells = g.raw(r);
  int used = g.used[g.at(r)];
  const Cell& tail = g.tail[g.at(r)];
  auto cell = [&](int col) -> const Cell& { return col < used ? cells[col] : tail; };
  int count = used < g.cols && invisible(tail) ? used : g.cols;
  while (count > 0 && invisible(cell(count - 1))) count--;
  row.runes.clear();
  row.styles.clear();
  row.runes.reserve(size_t(count));
  // The row's plain start (most of a flood's line) in one step; the loop
  // below takes what follows as if it had made that start itself.
  int col = cfg_.eager ? 0 : plain_start(cells, std::min(count, used), row);
  const Cell* last = col ? &cells[col - 1] : nullptr;  // the cell whose style the last run has
  for (; col < count; col++) {
    const Cell& c = cell(col);
    if (last && c.pen == last->pen) row.styles.back().cells++;
    else add_style(row.styles, c.pen.style());
    last = &c;
    if (plain(c)) {
      row.runes.push_back(c.runes[0]);
      continue;
    }
    if (c.width == 0) continue;  // the right half of a wide rune
    char32_t r = c.runes[0] ? c.runes[0] : U' ';
    int want = c.width == 2 ? 2 : 1;
    // Our layout must take the columns libvterm gave the rune.
    if (cell_width(r) != want && want == 1) r = U'\uFFFD';
    row.runes.push_back(r);
    if (cell_width(r) == 1 && want == 2) row.runes.push_back(U' ');
    for (int i = 1; i < 3 && c.runes[i]; i++)
      if (cell_width(c.runes[i]) == 0) row.runes.push_back(c.runes[i]);
  }
  // Trailing default cells are implied.
  while (!row.styles.empty() && row.styles.back().style == Style{}) row.styles.pop_back();
}

// A scrolled-off row back into cells (the screen grew taller).
void VtScreen::restore(const VtRow& row, Cell* cells, int count) const {
  size_t run = 0;
  int run_left = row.styles.empty() ? count : row.styles[0].cells;
  size_t i = 0;
  auto next_style = [&] {
    if (--run_left == 0 && ++run < row.styles.size()) run_left = row.styles[run].cells;
  };
  for (int col = 0; col < count; col++) {
    Cell& c = cells[col];
    c = Cell{};
    Style s = run < row.styles.size() ? row.styles[run].style : Style{};
    c.pen = Pen{s.fg, s.bg, s.bold, s.italic, s.underline, false};
    next_style();
    c.runes[0] = U' ';
    if (i >= row.runes.size()) continue;
    c.runes[0] = row.runes[i++];
    for (int n = 1; i < row.runes.size() && cell_width(row.runes[i]) == 0; i++)
      if (n < 3) c.runes[n++] = row.runes[i];
    if (cell_width(c.runes[0]) == 2 && col + 1 < count) {
      c.width = 2;
      cells[++col] = c;
      cells[col].width = 0;
      next_style();
    }
  }
}

VtRow VtScreen::row(int r) const {
  if (r < 0) {
    size_t back = size_t(-r);
    return back <= scrollback_.size() ? scrollback_[scrollback_.size() - back] : VtRow{};
  }
  if (r >= rows_) return {};
  VtRow out;
  convert(*grid_, r, out);
  return out;
}

VtRow VtScreen::line(uint64_t n) const {
  if (n >= pushed_) return n - pushed_ < uint64_t(rows_) ? row(int(n - pushed_)) : VtRow{};
  uint64_t back = pushed_ - n;
  return back <= scrollback_.size() ? row(-int(back)) : VtRow{};
}

std::string VtScreen::text_between(uint64_t line0, int col0, uint64_t line1, int col1) const {
  std::string out;
  for (uint64_t n = line0; n <= line1 && n < pushed_ + uint64_t(rows_); n++) {
    VtRow r = line(n);
    int from = n == line0 ? col0 : 0, to = n == line1 ? col1 : max_vt_cols;
    std::u32string picked;
    int col = 0;
    for (char32_t c : r.runes) {
      if (col >= from && col < to) picked.push_back(c);
      else if (cell_width(c) == 0 && col > from && col <= to && !picked.empty()) picked.push_back(c);  // a mark on a picked rune
      col += cell_width(c);
    }
    if (n != line1) {
      while (!picked.empty() && picked.back() == U' ') picked.pop_back();
      picked.push_back(U'\n');
    }
    out += to_utf8(picked);
  }
  return out;
}

namespace {

// The column each rune of a row starts at, and after the last one where it ends.
std::vector<int> columns(std::u32string_view runes) {
  std::vector<int> col_of(runes.size() + 1, 0);
  for (size_t i = 0; i < runes.size(); i++) col_of[i + 1] = col_of[i] + cell_width(runes[i]);
  return col_of;
}

}  // namespace

std::pair<int, int> VtScreen::double_click(uint64_t n, int col) const {
  std::u32string runes = line(n).runes;
  std::vector<int> col_of = columns(runes);
  // The boundary at or after col (a click inside a wide rune is after it),
  // past the marks of the rune before it.
  size_t q = 0;
  while (q < runes.size() && col_of[q] < col) q++;
  while (q < runes.size() && cell_width(runes[q]) == 0) q++;
  auto [a, b] = term::double_click(runes, q);
  return {col_of[a], col_of[b]};
}

namespace {

void append_plain(std::string& out, const VtRow& row) {
  std::u32string_view r = row.runes;
  while (!r.empty() && r.back() == U' ') r.remove_suffix(1);
  out += to_utf8(r);
  out += '\n';
}

}  // namespace

std::string VtScreen::text() const {
  std::string out;
  for (auto& row : scrollback_) append_plain(out, row);
  for (int r = 0; r < rows_; r++) append_plain(out, row(r));
  return out;
}

std::shared_ptr<const std::string> VtScreen::shared_repaint() {
  if (!repaint_ || repaint_version_ != version_) {
    repaint_ = std::make_shared<const std::string>(repaint());
    repaint_version_ = version_;
  }
  return repaint_;
}

std::string VtScreen::text_bytes(uint64_t offset, size_t count) {
  if (text_version_ != version_) {
    text_ = text();
    text_version_ = version_;
  }
  return offset >= text_.size() ? "" : text_.substr(size_t(offset), count);
}

std::string sgr(const Style& s) {
  std::string out = "\x1b[0";
  if (s.bold) out += ";1";
  if (s.italic) out += ";3";
  if (s.underline) out += ";4";
  auto colour = [&](uint32_t c, const char* base, uint32_t dflt) {
    if (c == dflt) return;
    if (c == Ink || c == Paper) {  // the other default: reverse video
      out += ";7";
      return;
    }
    out += ";" + std::string(base) + ";2;" + std::to_string(c >> 16 & 0xFF) + ";" + std::to_string(c >> 8 & 0xFF) + ";" +
           std::to_string(c & 0xFF);
  };
  colour(s.fg, "38", Ink);
  if (!(s.fg == Paper && s.bg == Ink)) colour(s.bg, "48", Paper);
  return out + "m";
}

// What libvterm's encoders send for f, into a scratch buffer: libvterm
// 0.1.4 keeps the modes that decide it (DECCKM, the keypad, bracketed
// paste, the mouse protocol, focus reports) but has no getter for them.
template <class F>
std::string VtScreen::ask(F f) {
  std::string got;
  vterm_output_set_callback(vt_, collect_output, &got);
  f();
  vterm_output_set_callback(vt_, collect_output, &input_);
  return got;
}

// Every mode the program's input depends on, set or reset, so that a
// terminal that was in other modes (a reader skipped past the program
// leaving them) ends in these. One mode per sequence: libvterm reads only
// a DECSET's first parameter.
std::string VtScreen::modes() {
  std::string set, reset;
  auto mode = [&](const char* n, bool on) { (on ? set : reset) += "\x1b[?" + std::string(n) + (on ? "h" : "l"); };
  mode("1", ask([&] { vterm_keyboard_key(vt_, VTERM_KEY_UP, VTERM_MOD_NONE); }) != "\x1b[A");
  mode("2004", !ask([&] { vterm_keyboard_start_paste(vt_); }).empty());
  mode("1004", !ask([&] { vterm_state_focus_in(state_); }).empty());
  // The wheel reports in the program's protocol whether or not it asked for the mouse.
  std::string wheel = ask([&] { vterm_mouse_button(vt_, 4, true, VTERM_MOD_NONE); });
  // The protocol and the tracking are one setting each in xterm and
  // libvterm: setting one mode replaces another, and one reset of the
  // tracking turns off all three.
  bool sgr = wheel.starts_with("\x1b[<"), rxvt = wheel.size() > 2 && wheel[2] >= '0' && wheel[2] <= '9';
  if (sgr || !rxvt) mode("1006", sgr);
  if (rxvt || !sgr) mode("1015", rxvt);
  if (mouse_ == VTERM_PROP_MOUSE_CLICK) mode("1000", true);
  else if (mouse_ == VTERM_PROP_MOUSE_DRAG) mode("1002", true);
  else if (mouse_ == VTERM_PROP_MOUSE_MOVE) mode("1003", true);
  else mode("1000", false);
  mode("25", cursor_visible_);
  bool keypad = ask([&] { vterm_keyboard_key(vt_, VTERM_KEY_KP_0, VTERM_MOD_NONE); }) != "0";
  return reset + set + (keypad ? "\x1b=" : "\x1b>");
}

// The alternate screen entered or left first (leaving restores a saved
// cursor and pen: the pen is reset after it), then each row drawn below
// the last (line feeds, or a cursor move when that is shorter) with styles
// only where they change (blanks at the end of a row are left to the
// clear), the program's scroll region, the cursor, the modes (resets
// first), and the program's pen for what it writes next.
std::string VtScreen::repaint() {
  std::string out = altscreen_ ? "\x1b[?1049h" : "\x1b[?1049l";
  // The whole screen as the region, so that a line feed moves down
  // wherever the reader's terminal had one.
  out += "\x1b[r\x1b[0m\x1b[H\x1b[2J";
  Style pen;
  int at = 0;  // the row the cursor is on
  auto go_to_row = [&](int r) {
    std::string cup = "\x1b[" + std::to_string(r + 1) + ";1H";
    // A carriage return ends a pending wrap (a full row) in place.
    if (size_t(r - at) + 1 < cup.size()) out += "\r" + std::string(size_t(r - at), '\n');
    else out += cup;
    at = r;
  };
  for (int r = 0; r < rows_; r++) {
    VtRow row = this->row(r);
    std::vector<int> col_of = columns(row.runes);
    int shown = 0;  // columns up to the last whose blank shows (a colour behind it, a line under it)
    for (int col = 0; auto& run : row.styles) {
      col += run.cells;
      if (run.style.bg != Paper || run.style.underline) shown = col;
    }
    size_t end = row.runes.size();
    while (end > 0 && row.runes[end - 1] == U' ' && col_of[end - 1] >= shown) end--;
    if (end == 0) continue;
    if (r > 0) go_to_row(r);
    size_t run = 0;
    int run_end = row.styles.empty() ? cols_ : row.styles[0].cells;
    for (size_t i = 0; i < end; i++) {
      while (col_of[i] >= run_end && run < row.styles.size()) {
        run++;
        run_end += run < row.styles.size() ? row.styles[run].cells : cols_;
      }
      Style s = run < row.styles.size() ? row.styles[run].style : Style{};
      if (!(s == pen)) {
        out += sgr(s);
        pen = s;
      }
      out += to_utf8(std::u32string(1, row.runes[i]));
    }
  }
  if (!seq_.region.empty()) out += "\x1b[" + seq_.region + "r";  // the program's scroll region (it homes the cursor)
  // In origin mode the program's cursor moves count from the region's
  // top, and so does ours.
  int row = cursor_row_;
  if (seq_.origin) {
    out += "\x1b[?6h";
    row = std::max(row - seq_.top(rows_), 0);
  }
  out += "\x1b[" + std::to_string(row + 1) + ";" + std::to_string(cursor_col_ + 1) + "H";
  out += modes();
  std::string program_pen = sgr(Style{pen_.fg, pen_.bg, pen_.bold, pen_.italic, pen_.underline});
  if (pen_.reverse) program_pen.insert(program_pen.size() - 1, ";7");
  if (program_pen != sgr(pen)) out += program_pen;
  return out;
}

}  // namespace grio::term

// The terminal model over libvterm 0.1.4 (Debian 12: read its header, not
// newer docs — the string properties are plain C strings here).
#include "term/vt_screen.h"

#include <vterm.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "term/decode.h"
#include "term/width.h"

namespace grio::term {

namespace {

constexpr size_t max_title = 1024;  // bytes of an OSC title kept
constexpr uint32_t continuation = 0xFFFFFFFF;  // libvterm's right half of a wide rune

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

}  // namespace

// libvterm calls back with `user` = the VtScreen.
struct VtScreen::Callbacks {
  static VtScreen& self(void* user) { return *static_cast<VtScreen*>(user); }

  static int damage(VTermRect, void* user) {
    self(user).changed();
    return 1;
  }
  static int moverect(VTermRect, VTermRect, void* user) {
    self(user).changed();
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
  static int settermprop(VTermProp prop, VTermValue* val, void* user) {
    auto& s = self(user);
    switch (prop) {
      case VTERM_PROP_CURSORVISIBLE: s.cursor_visible_ = val->boolean; break;
      case VTERM_PROP_ALTSCREEN: s.altscreen_ = val->boolean; break;
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
  static int resize(int, int, void*) { return 1; }
  // A line scrolled off the top of the primary screen.
  static int sb_pushline(int cols, const VTermScreenCell* cells, void* user) {
    auto& s = self(user);
    s.scrollback_.push_back(s.convert(cells, cols));
    while (s.scrollback_.size() > s.cfg_.scrollback) s.scrollback_.pop_front();
    return 1;
  }
  // The screen grew taller: its newest scrolled-off line comes back.
  static int sb_popline(int cols, VTermScreenCell* cells, void* user) {
    auto& s = self(user);
    if (s.scrollback_.empty()) return 0;
    VtRow row = std::move(s.scrollback_.back());
    s.scrollback_.pop_back();
    s.restore(row, cells, cols);
    return 1;
  }
  // Without a scrollback, libvterm need not gather each line scrolled off.
  static const VTermScreenCallbacks* table(bool scrollback) {
    static const VTermScreenCallbacks with = {damage, moverect, movecursor, settermprop, bell, resize, sb_pushline, sb_popline};
    static const VTermScreenCallbacks without = {damage, moverect, movecursor, settermprop, bell, resize, nullptr, nullptr};
    return scrollback ? &with : &without;
  }
};

namespace {

void collect_output(const char* s, size_t len, void* user) { static_cast<std::string*>(user)->append(s, len); }

}  // namespace

VtScreen::VtScreen(int rows, int cols, VtConfig cfg)
    : cfg_(cfg), rows_(std::clamp(rows, 1, max_vt_rows)), cols_(std::clamp(cols, 1, max_vt_cols)) {
  vt_ = vterm_new(rows_, cols_);
  vterm_set_utf8(vt_, 1);
  vterm_output_set_callback(vt_, collect_output, &input_);
  screen_ = vterm_obtain_screen(vt_);
  vterm_screen_set_callbacks(screen_, Callbacks::table(cfg_.scrollback > 0), this);
  vterm_screen_enable_altscreen(screen_, 1);
  vterm_screen_set_damage_merge(screen_, VTERM_DAMAGE_SCROLL);
  vterm_screen_reset(screen_, 1);
}

VtScreen::~VtScreen() { vterm_free(vt_); }

void VtScreen::write(std::string_view bytes) {
  if (bytes.empty()) return;
  vterm_input_write(vt_, bytes.data(), bytes.size());
  vterm_screen_flush_damage(screen_);
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
  rows_ = rows;
  cols_ = cols;
  vterm_set_size(vt_, rows, cols);
  vterm_screen_flush_damage(screen_);
  changed();
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

uint32_t rgb(const VTermScreen* screen, VTermColor c, uint32_t dflt, uint8_t dflt_flag) {
  if (c.type & dflt_flag) return dflt;
  vterm_screen_convert_color_to_rgb(screen, &c);
  return uint32_t(c.rgb.red) << 16 | uint32_t(c.rgb.green) << 8 | c.rgb.blue;
}

Style style_of(const VTermScreen* screen, const VTermScreenCell& c) {
  Style s;
  s.fg = rgb(screen, c.fg, Ink, VTERM_COLOR_DEFAULT_FG);
  s.bg = rgb(screen, c.bg, Paper, VTERM_COLOR_DEFAULT_BG);
  if (c.attrs.reverse) std::swap(s.fg, s.bg);
  s.bold = c.attrs.bold;
  s.italic = c.attrs.italic;
  s.underline = c.attrs.underline != 0;
  return s;
}

void add_style(std::vector<StyleRun>& runs, const Style& s) {
  if (!runs.empty() && runs.back().style == s) runs.back().cells++;
  else runs.push_back({1, s});
}

}  // namespace

VtRow VtScreen::convert(const void* cells_v, int count) const {
  auto* cells = static_cast<const VTermScreenCell*>(cells_v);
  VtRow row;
  for (int col = 0; col < count; col++) {
    const VTermScreenCell& c = cells[col];
    add_style(row.styles, style_of(screen_, c));
    if (c.chars[0] == continuation) continue;
    char32_t r = c.chars[0] ? char32_t(c.chars[0]) : U' ';
    int want = c.width == 2 ? 2 : 1;
    // Our layout must take the columns libvterm gave the rune.
    if (cell_width(r) != want && want == 1) r = U'\uFFFD';
    row.runes.push_back(r);
    if (cell_width(r) == 1 && want == 2) row.runes.push_back(U' ');
    for (int i = 1; i < VTERM_MAX_CHARS_PER_CELL && c.chars[i]; i++)
      if (cell_width(char32_t(c.chars[i])) == 0) row.runes.push_back(char32_t(c.chars[i]));
  }
  // Trailing default cells are implied.
  while (!row.styles.empty() && row.styles.back().style == Style{}) row.styles.pop_back();
  return row;
}

// A scrolled-off row back into libvterm's cells (the screen grew taller).
void VtScreen::restore(const VtRow& row, void* cells_v, int count) const {
  auto* cells = static_cast<VTermScreenCell*>(cells_v);
  VTermColor dfg, dbg;
  vterm_state_get_default_colors(vterm_obtain_state(vt_), &dfg, &dbg);
  auto color = [](uint32_t c, VTermColor dflt) {
    if (c == Ink || c == Paper) return dflt;
    VTermColor v;
    vterm_color_rgb(&v, uint8_t(c >> 16), uint8_t(c >> 8), uint8_t(c));
    return v;
  };
  size_t run = 0;
  int run_left = row.styles.empty() ? count : row.styles[0].cells;
  size_t i = 0;
  for (int col = 0; col < count; col++) {
    VTermScreenCell& c = cells[col];
    std::memset(&c, 0, sizeof c);
    Style s = run < row.styles.size() ? row.styles[run].style : Style{};
    c.fg = s.fg == Paper ? dbg : color(s.fg, dfg);
    c.bg = s.bg == Ink ? dfg : color(s.bg, dbg);
    c.attrs.bold = s.bold;
    c.attrs.italic = s.italic;
    c.attrs.underline = s.underline;
    c.width = 1;
    if (--run_left == 0 && ++run < row.styles.size()) run_left = row.styles[run].cells;
    if (i >= row.runes.size()) continue;
    char32_t r = row.runes[i++];
    c.chars[0] = r == U' ' ? 0 : r;
    int n = 1;
    while (i < row.runes.size() && cell_width(row.runes[i]) == 0 && n < VTERM_MAX_CHARS_PER_CELL) c.chars[n++] = row.runes[i++];
    if (cell_width(r) == 2 && col + 1 < count) {
      c.width = 2;
      cells[++col] = c;
      cells[col].chars[0] = continuation;
      if (--run_left == 0 && ++run < row.styles.size()) run_left = row.styles[run].cells;
    }
  }
}

VtRow VtScreen::row(int r) const {
  if (r < 0) {
    size_t back = size_t(-r);
    return back <= scrollback_.size() ? scrollback_[scrollback_.size() - back] : VtRow{};
  }
  if (r >= rows_) return {};
  std::vector<VTermScreenCell> cells(static_cast<size_t>(cols_));
  for (int col = 0; col < cols_; col++) vterm_screen_get_cell(screen_, VTermPos{r, col}, &cells[size_t(col)]);
  return convert(cells.data(), cols_);
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

// Each row drawn at its own position with styles only where they change;
// blanks at the end of a row are left to the clear.
std::string VtScreen::repaint() const {
  std::string out = "\x1b[0m";
  if (altscreen_) out += "\x1b[?1049h";
  out += "\x1b[H\x1b[2J";
  Style pen;
  for (int r = 0; r < rows_; r++) {
    VtRow row = this->row(r);
    std::vector<int> col_of(row.runes.size() + 1, 0);
    for (size_t i = 0; i < row.runes.size(); i++) col_of[i + 1] = col_of[i] + cell_width(row.runes[i]);
    int shown = 0;  // columns up to the last whose blank shows (a colour behind it, a line under it)
    for (int col = 0; auto& run : row.styles) {
      col += run.cells;
      if (run.style.bg != Paper || run.style.underline) shown = col;
    }
    size_t end = row.runes.size();
    while (end > 0 && row.runes[end - 1] == U' ' && col_of[end - 1] >= shown) end--;
    if (end == 0) continue;
    out += "\x1b[" + std::to_string(r + 1) + ";1H";
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
  if (!(pen == Style{})) out += "\x1b[0m";
  out += "\x1b[" + std::to_string(cursor_row_ + 1) + ";" + std::to_string(cursor_col_ + 1) + "H";
  out += cursor_visible_ ? "\x1b[?25h" : "\x1b[?25l";
  return out;
}

}  // namespace grio::term

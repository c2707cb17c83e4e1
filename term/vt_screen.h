// A terminal's screen, as xterm keeps it, without pixels: libvterm parses
// what a full-screen program writes (cursor moves, colours, the alternate
// screen, scroll regions) into cells; we keep the scrollback it pushes
// out, encode keys and mouse the way xterm sends them, and give the screen
// back as rows of runes with styles, as plain text, or as bytes that
// repaint it on another terminal (a late joiner of a VT session).
// Owned by one thread; no locking.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct VTerm;
struct VTermState;

namespace grio::term {

// A colour: 0xRRGGBB, or the window's own ink or paper (the terminal's
// default foreground and background, which reverse video swaps).
inline constexpr uint32_t Ink = 0x1000000;
inline constexpr uint32_t Paper = 0x2000000;

struct Style {
  uint32_t fg = Ink, bg = Paper;  // reverse video already applied
  bool bold = false, italic = false, underline = false;
  bool operator==(const Style&) const = default;
};

// `cells` columns of one style, from where the run before it ended.
struct StyleRun {
  int cells = 0;
  Style style;
  bool operator==(const StyleRun&) const = default;
};

// One row: its runes as the scene lays them out (a wide rune takes two
// cells, a combining mark none, a blank cell is a space), and its styles
// from column 0; columns past the runs are the default style.
struct VtRow {
  std::u32string runes;
  std::vector<StyleRun> styles;
};

// Keys that send escape sequences (xterm's), and modifiers.
enum class VtKey { None, Enter, Tab, Backspace, Escape, Up, Down, Left, Right, Insert, Delete, Home, End, PageUp, PageDown, Function };
inline constexpr unsigned ModShift = 1, ModAlt = 2, ModCtrl = 4;

struct KeyPress {
  char32_t rune = 0;   // a typed rune, when key is None
  VtKey key = VtKey::None;
  int function = 0;    // F1..F12, when key is Function
  unsigned mods = 0;
};

// The largest terminal kept: libvterm holds every cell of the primary and
// the alternate screen (36 bytes each), so one screen is at most 9 MiB.
// A larger window or session size is cut to this, its pty's size too.
inline constexpr int max_vt_cols = 512, max_vt_rows = 256;

struct VtConfig {
  size_t scrollback = 2000;  // lines the primary screen keeps above it (tmux's history-limit)
  // Every row's cells written out as soon as it changes, not kept up to
  // where it was written, every glyph put in its cell as it comes, and
  // every row read cell by cell: slower, the same screen (tests compare
  // the two).
  bool eager = false;
};

class VtScreen {
 public:
  VtScreen(int rows, int cols, VtConfig cfg = {});
  ~VtScreen();
  VtScreen(const VtScreen&) = delete;
  VtScreen& operator=(const VtScreen&) = delete;

  // What the program wrote.
  void write(std::string_view bytes);
  // Clears the screen and the scrollback (the text file opened OTRUNC).
  void clear();
  // The terminal's new size (the program gets SIGWINCH from the pty).
  void resize(int rows, int cols);
  int rows() const { return rows_; }
  int cols() const { return cols_; }

  // --- input: bytes for the program, collected until taken ---
  void key(const KeyPress& k);
  // Pasted text, bracketed (ESC[200~ … ESC[201~) when the program asked.
  void paste(std::string_view utf8);
  // Whether the program turned mouse reporting on, and a mouse event in
  // cells (button 1–3, 4/5 the wheel), encoded as it asked (SGR 1006 or X10).
  bool wants_mouse() const { return mouse_ != 0; }
  void mouse(int row, int col, int button, bool pressed, unsigned mods);
  void mouse_move(int row, int col, unsigned mods);
  // Bytes for the program: encoded keys, and the terminal's answers to
  // the program's queries (device attributes, cursor position).
  std::string take_input();

  // --- the screen ---
  // Row r of the screen from the top, 0 <= r < rows(); or a line of the
  // scrollback, -scrollback_lines() <= r < 0 (-1 is the newest).
  VtRow row(int r) const;
  size_t scrollback_lines() const { return scrollback_.size(); }
  // Lines numbered for good, so that a selection stays on its text while
  // output scrolls: the screen's row r is line pushed() + r, and the
  // scrollback holds lines pushed() - scrollback_lines() to pushed() - 1.
  uint64_t pushed() const { return pushed_; }
  VtRow line(uint64_t n) const;
  // The text from (line0, col0) up to (line1, col1), cells [col0, col1)
  // of a single line; rows joined by newlines, their trailing blanks dropped.
  std::string text_between(uint64_t line0, int col0, uint64_t line1, int col1) const;
  // The cells [col0, col1) of line n that a double click at the boundary
  // before column col selects, as a text window's (term::double_click on
  // the line): a bracket's or quote's contents, a word, or at either end
  // of the line the whole line.
  std::pair<int, int> double_click(uint64_t n, int col) const;
  int cursor_row() const { return cursor_row_; }
  int cursor_col() const { return cursor_col_; }
  bool cursor_visible() const { return cursor_visible_; }
  bool altscreen() const { return altscreen_; }
  // The title the program set (OSC 0 or 2), bounded.
  const std::string& title() const { return title_; }
  // One more after every change to what is shown.
  uint64_t version() const { return version_; }

  // The scrollback and the screen as plain text, each row ending in a
  // newline, trailing blanks dropped (the `text` file).
  std::string text() const;
  // Bytes [offset, offset+count) of text(), made once per version.
  std::string text_bytes(uint64_t offset, size_t count);
  // Bytes that draw this screen on an xterm-like terminal of the same
  // size: the alternate screen if it is on, every row with its styles,
  // the cursor where it is, the modes the program set for its input
  // (application cursor keys and keypad, bracketed paste, mouse reports
  // and their protocol, focus reports) and the cursor's visibility, and
  // the pen it writes with, and the scroll region and origin mode it
  // set (read from its bytes: libvterm does not tell them). Sent to a
  // late joiner instead of a replay. BUG: left and right margins (DECSLRM) are not sent;
  // libvterm 0.1.4 keeps them only in part (its autowrap ignores them).
  std::string repaint();
  // repaint(), made once per version and shared by whoever asks for it.
  std::shared_ptr<const std::string> shared_repaint();

 private:
  struct Callbacks;
  // What a glyph is drawn with: reverse video not yet applied.
  struct Pen {
    uint32_t fg = Ink, bg = Paper;
    bool bold = false, italic = false, underline = false, reverse = false;
    bool operator==(const Pen&) const = default;
    Style style() const { return {reverse ? bg : fg, reverse ? fg : bg, bold, italic, underline}; }
  };
  // A cell as kept: its rune and up to two combining marks, its width
  // (2: a wide rune, whose right half is the next cell, of width 0), and
  // the pen it was drawn with.
  struct Cell {
    char32_t runes[3] = {0, 0, 0};
    uint8_t width = 1;
    Pen pen;
  };
  // A screen's cells, its rows in a ring: scrolling the whole screen moves
  // the ring's top, not the cells (libvterm's own screen moves them all,
  // for every line). A row is kept up to where it was written: its cells
  // from `used` on are its `tail` cell, so a line scrolled in costs nothing
  // and a short one is converted up to its text (a flood's lines are
  // short). line() fills the row in for whoever reads or writes any cell.
  struct Grid {
    std::vector<Cell> cells;
    std::vector<int> used;   // by physical row
    std::vector<Cell> tail;  // by physical row
    int rows = 0, cols = 0, top = 0;
    size_t at(int r) const { return size_t(top + r < rows ? top + r : top + r - rows); }  // 0 <= r < rows
    Cell* raw(int r) { return &cells[at(r) * size_t(cols)]; }
    const Cell* raw(int r) const { return &cells[at(r) * size_t(cols)]; }
    // Row r with its cells written out at least up to column col.
    Cell* written_to(int r, int col) {
      size_t p = at(r);
      Cell* l = &cells[p * size_t(cols)];
      if (col > used[p]) std::fill(l + used[p], l + col, tail[p]), used[p] = col;
      return l;
    }
    Cell* line(int r) { return written_to(r, cols); }
    // Row r is all c from column `from` on.
    void clear_from(int r, int from, const Cell& c) {
      written_to(r, from);
      used[at(r)] = from, tail[at(r)] = c;
    }
    void reset(int r, int c) {
      cells.assign(size_t(r) * size_t(c), Cell{}), rows = r, cols = c, top = 0;
      used.assign(size_t(r), c), tail.assign(size_t(r), Cell{});
    }
  };
  template <class F>
  std::string ask(F f);
  std::string modes();
  void convert(const Grid& g, int r, VtRow& row) const;
  static bool plain(const Cell& c);
  static int plain_start(const Cell* cells, int n, VtRow& row);
  void restore(const VtRow& row, Cell* cells, int count) const;
  void push_line(const Grid& g, int r);
  Cell blank() const;
  void resize_grid(Grid& g, int rows, int cols, int drop_top, int pull);
  void changed() { version_++; }

  ::VTerm* vt_ = nullptr;
  ::VTermState* state_ = nullptr;
  VtConfig cfg_;
  int rows_, cols_;
  Grid primary_, alternate_;
  Grid* grid_ = &primary_;
  Pen pen_;  // what putglyph draws with
  // Glyphs libvterm put one after another on a row, each alone in its
  // cell, not yet in the cells: written by flush_run before any other
  // callback and at the end of each write.
  struct Run {
    int row = -1, col = 0, len = 0;
    std::array<char32_t, max_vt_cols> runes;
  } run_;
  void flush_run();
  std::deque<VtRow> scrollback_;
  std::string input_;
  std::string title_;
  std::shared_ptr<const std::string> repaint_;  // as of repaint_version_
  uint64_t repaint_version_ = 0;
  std::string text_;           // text() as of text_version_
  uint64_t text_version_ = 0;
  int cursor_row_ = 0, cursor_col_ = 0;
  bool cursor_visible_ = true;
  bool altscreen_ = false;
  int mouse_ = 0;
  // What libvterm 0.1.4 does not tell, read beside it from the program's
  // bytes: whether they stopped inside an escape sequence or a string
  // (a resize cancels it before writing its own), and the scroll region
  // they set last and whether origin mode is on (a repaint sets both
  // again); and whether a printable ASCII byte is that rune, put where
  // the cursor is (write()'s plain runs).
  struct Sequences {
    enum class At : uint8_t { Ground, Esc, Inter, Csi, Str, StrEsc } at = At::Ground;
    std::string csi;       // the parameters of the CSI being read, up to 16 bytes
    bool csi_long = false;  // … and it had more
    std::string region;    // the last DECSTBM's parameters; "" for the whole screen
    bool origin = false;   // origin mode (DECOM): cursor moves count from the region's top
    // The character sets G0–G3 (ASCII, or another that maps some of its
    // bytes: DEC's line drawing, UK), which of them GL is (SO, SI, LS2,
    // LS3), insert mode (IRM) and left and right margins (DECLRMM). Where
    // the bytes leave a doubt, they count as not plain.
    std::array<bool, 4> ascii{true, true, true, true};
    uint8_t gl = 0;
    bool insert = false, margins = false;
    unsigned char inter = 0;  // the first intermediate of the escape being read
    int inters = 0;           // … and how many it has
    // (In origin mode libvterm keeps the cursor in the scroll region
    // after every CSI, so put_plain's cursor move would not be one.)
    bool plain() const { return ascii[gl] && !insert && !margins && !origin && !utf8_broken; }
    // UTF-8 in the text: how many more bytes the rune being read needs,
    // the lead byte when it limits the next, and whether the text ever
    // held anything but well-formed UTF-8. libvterm's decoder may then
    // hold bytes across sequences and writes, and a run cut out of its
    // text could come out otherwise: plain runs end there for good.
    int utf8_need = 0;
    unsigned char utf8_lead = 0;
    std::string utf8_rune;   // the bytes of the rune being read
    std::string last_glyph;  // the last rune of the text, as the bytes it came in (what REP repeats)
    bool utf8_broken = false;
    void utf8(unsigned char c);
    // Runs of printable ASCII, [begin, end) in the bytes fed, at least
    // min_run long, each begun in the ground state while plain() held.
    using Runs = std::vector<std::pair<size_t, size_t>>;
    static constexpr size_t min_run = 8;
    // What libvterm is to read of bytes: they, or what is left in cut
    // once a sequence libvterm cannot take is cut out of them.
    std::string_view feed(std::string_view bytes, Runs* runs, std::string& cut, int cols);
    static constexpr int max_csi_params = 16;  // libvterm 0.1.4's CSI_ARGS_MAX
    static constexpr size_t max_repeated = 16 * 1024;  // bytes REPs make of one write, at most
    int csi_seps = 0;          // the separators (; and :) of the CSI being read
    bool csi_dropped = false;  // … and it had too many: the rest of it is dropped
    void ended(unsigned char final);
    int top(int rows) const;
  } seq_;
  Sequences::Runs runs_;  // write()'s, kept for their room
  std::string cut_;       // … and the bytes it gives libvterm when a sequence is cut out
  std::string in_;        // … or the bytes as they came, copied to end in a NUL
  size_t put_plain(std::string_view run);
  bool plain_off_ = false;  // put_plain saw libvterm disagree: no more of it
  bool after_utf8_ = false;  // the last byte written was past ASCII
  // Callbacks counted, for put_plain to see what libvterm did with a byte.
  uint64_t glyphs_ = 0;   // putglyph
  uint64_t flushes_ = 0;  // every callback but putglyph, movecursor and bell
  // The largest size since the saved cursor (DECSC, the alternate screen)
  // was last set by us: a save the program made lies within it.
  int saved_rows_ = 0, saved_cols_ = 0;
  uint64_t version_ = 1;
  uint64_t pushed_ = 0;  // lines ever scrolled into the scrollback, less those taken back
};

// The style's SGR sequence (ESC[0;…m), from a reset.
std::string sgr(const Style& s);

}  // namespace grio::term

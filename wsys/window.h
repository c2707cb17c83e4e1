// A window of the window system: the data, as rio's dat.h has it. The
// window system (window_system.h) owns windows by id and changes them; the
// 9P tree and, later, the desktop look them up by id.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "net/file_tree.h"
#include "term/text.h"
#include "term/vt_screen.h"
#include "wsys/cursor.h"
#include "wsys/geometry.h"
#include "wsys/shell.h"

namespace grio::wsys {

// A mouse event as the mouse file tells it: rio's Mouse, and the count of
// events the window had when it happened.
struct MouseEvent {
  Point at;              // screen coordinates, as rio's windows have them
  int buttons = 0;       // 1, 2, 4: buttons 1 to 3; 8, 16: the wheel
  uint32_t msec = 0;
  uint64_t counter = 0;
};

// The mouse file (rio's Mousestate): while a program has it open, the
// desktop sends the window's mouse here instead of editing its text.
struct MouseFile {
  bool open = false;                // exclusive
  bool resized = false;             // reshaped since the last read: that read says `r`
  MouseEvent now;                   // the latest event
  uint64_t counter = 0;             // events (and reshapes) so far …
  uint64_t read_counter = 0;        // … as of the last read: a read waits until they differ
  std::deque<MouseEvent> clicks;    // button changes not yet read
  bool clicks_full = false;         // they overflowed: none are queued until the next read
  int last_buttons = -1;            // of the last queued click
  std::deque<net::Req> reads;       // parked until the counter moves
};

// The kbd file (9front): while open, keys go to its reader as kbdfs
// messages (k, K, c and their runes) instead of to cons.
struct KbdFile {
  bool open = false;                // exclusive
  std::deque<std::string> queue;    // messages without their NUL, at most 32
  std::deque<net::Req> reads;       // parked until a message comes
};

// Bounds on what a client may set: rio has none, but a label or wdir that
// grows with every write would hold the server's memory and time.
inline constexpr size_t max_label = 1024;  // bytes
inline constexpr size_t max_wdir = 4096;   // bytes: PATH_MAX

class Workspace;

struct Window {
  int id = 0;                        // from 1, never reused
  Rect rect;                         // on screen, border included
  std::string label = "<unnamed>";    // as shown: label_prefix and what was written
  // Who pushed it: the export its peer came through (net::Grant's
  // export_name; empty: the owner's own), and the label prefix naming
  // them ("fred: "), which no label write changes. A pushed window is
  // drawn foreign and never takes the focus by itself.
  std::string peer;
  std::string label_prefix;
  std::string wdir;                  // working directory, as `wdir` says it
  bool hidden = false;
  bool deleted = false;              // by `delete`: unlisted, every request fails
  bool scroll = true;                // output moves the view (rio -s; 9term)
  int holds = 0, raws = 0;           // consctl holdon/rawon nesting
  bool consctl_open = false;         // consctl is exclusive
  bool wctl_reader = false;          // so is reading wctl
  uint64_t wctl_version = 1;         // bumped on reshape, (un)hide, focus change
  int reshapes = 0;                  // for winname: window.<id>.<n>
  uint64_t view_version = 1;         // bumped on every change a desktop would draw
  pid_t note_pid = 0;                // -pid: whom DEL and delete signal
  std::optional<uint32_t> note_uid;  // the uid note_pid must run as; none: never signalled
  term::TextBuffer text;
  // A VT window's (new -vt) screen, which takes the place of text: the
  // program's output goes here, keys and cons writes go to the program.
  std::unique_ptr<term::VtScreen> vt;
  int vt_back = 0;                   // lines of its scrollback shown: 0, the live screen
  // A VT window's selection, by line (VtScreen::pushed numbering) and
  // cell: from the anchor where button 1 went down to where it is now.
  struct VtSelection {
    uint64_t line0 = 0, line1 = 0;
    int col0 = 0, col1 = 0;
    bool on = false;
    // Its ends in order: (line, col) of the first cell and after the last.
    std::pair<std::pair<uint64_t, int>, std::pair<uint64_t, int>> ordered() const {
      auto a = std::pair{line0, col0}, b = std::pair{line1, col1};
      return a <= b ? std::pair{a, b} : std::pair{b, a};
    }
  } vt_sel;
  term::OutputDecoder shell_output;  // decoder of what our program writes
  std::unique_ptr<Shell> shell;      // the program we started in it, if any
  int refs = 0;                      // 9P nodes bound to the window
  MouseFile mouse;
  KbdFile kbd;
  std::optional<Cursor> cursor;      // set through the cursor file; else the arrow
  // The sub-workspace this window hosts (`new -sub NAME`): drawn inside
  // it, ended when it is deleted. Shared with the desktops drawing it.
  std::shared_ptr<Workspace> sub;

  // Requests waiting for this window to change.
  std::deque<net::Req> cons_reads;   // for a complete line (or raw input)
  std::deque<net::Req> wctl_reads;   // for the next reshape or focus change
  std::deque<net::Req> cons_writes;  // noscroll: output waiting for the view to move

  explicit Window(int id_) : id(id_) {}
  ~Window();
};

}  // namespace grio::wsys

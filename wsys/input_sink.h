// Where the desktop's SDL loop sends input: the controller of a local
// workspace, or a remote one's (grio view sends it to view/input). All
// calls come on the io thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "term/vt_screen.h"
#include "wsys/geometry.h"

namespace grio::wsys {

// Buttons as rio numbers them: 1, 2, 4; the wheel as 8 (up) and 16 (down).
// mods (term::ModShift…): held as the wheel turned (Shift scrolls a line).
struct MouseState {
  Point at;
  int buttons = 0;
  uint32_t msec = 0;
  unsigned mods = 0;
};

class InputSink {
 public:
  virtual ~InputSink() = default;
  virtual void mouse(MouseState m) = 0;
  // Typed runes; with mods (Alt), a VT window gets them as xterm sends them.
  virtual void keys(std::u32string_view runes, unsigned mods = 0) = 0;
  // A key that types no text (Enter, arrows, F1…, Ctrl-letter) with its
  // modifiers.
  virtual void press(const term::KeyPress& k) = 0;
  // A kbdfs `k` or `K` message: the keys held down after a press or a release.
  virtual void key_state(std::string msg) = 0;
  // The renderer has drawn the last scene and can take the next.
  virtual void ready() = 0;
  // The system clipboard changed (another program copied).
  virtual void clipboard(std::string text) = 0;
};

}  // namespace grio::wsys

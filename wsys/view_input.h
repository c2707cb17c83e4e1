// A viewer's input, as written to view/input: one event per line, fields
// separated by single blanks, numbers in decimal; several lines may go in
// one write. The server runs rio's mouse and key rules on them with the
// connection's rights (wsys/viewer.h). Both ends use these functions.
//
//   size W H FW FH            the viewer's screen in pixels, its cell in pixels
//   m X Y BUTTONS MSEC        the mouse: buttons 1, 2, 4; wheel 8 and 16
//   k MODS R…                 typed runes as hex code points, with modifiers
//   p KEY FUNCTION MODS RUNE  a key that types no text (term::VtKey number)
//   s MSG                     a kbdfs `k`/`K` message (keys held down)
//   c HEX                     the viewer's clipboard changed: its bytes in hex
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "net/file_tree.h"
#include "term/vt_screen.h"
#include "wsys/input_sink.h"
#include "wsys/scene.h"

namespace grio::wsys {

struct ViewSize {
  Rect screen;       // from (0,0)
  Metrics metrics;
};
struct ViewKeys {
  std::u32string runes;
  unsigned mods = 0;
};
struct ViewKeyState {
  std::string msg;
};
struct ViewClipboard {
  std::string text;
};

using ViewEvent = std::variant<ViewSize, MouseState, ViewKeys, term::KeyPress, ViewKeyState, ViewClipboard>;

// The line for e, newline included.
std::string format_view_event(const ViewEvent& e);
// The events of one write; an error names the first bad line (nothing of
// a write with a bad line is applied).
net::Result<std::vector<ViewEvent>> parse_view_events(std::string_view text);

}  // namespace grio::wsys

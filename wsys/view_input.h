// A viewer's input, as written to view/input: one event per line, fields
// separated by single blanks, numbers in decimal; several lines may go in
// one write. The server runs rio's mouse and key rules on them with the
// connection's rights (wsys/viewer.h). Both ends use these functions.
//
//   size W H FW FH            the viewer's screen in pixels, its cell in pixels
//   m X Y BUTTONS MSEC [MODS] the mouse: buttons 1, 2, 4; wheel 8 and 16;
//                             MODS as k's (Shift: the wheel scrolls a line)
//   k MODS R…                 typed runes as hex code points, with modifiers
//   p KEY FUNCTION MODS RUNE  a key that types no text (term::VtKey number),
//                             RUNE in hex as k's (0: none)
//   s V R…                    a kbdfs message: its verb (k, K or c), then
//                             its runes (the keys held) in hex, maybe none
//   c HEX                     the viewer's clipboard changed: its bytes in hex
//                             (none: it is empty)
//
// Bounds: W and H 1…32768, FW and FH 1…256, X and Y −32768…32767,
// BUTTONS 0…31, MSEC 32 bits, MODS 0…7, KEY a VtKey, FUNCTION 0…24, a
// rune a Unicode scalar value; a write at most max_view_write bytes and
// max_view_events lines.
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

inline constexpr size_t max_view_write = 1 << 20;  // bytes of one write to view/input
inline constexpr size_t max_view_events = 4096;    // lines of one write

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

// wctl: the text commands of rio's window control file, and the 72-byte
// state record a read returns. Pure parsing and geometry, no windows here:
// the window system applies a parsed command (see window_system.h).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "net/file_tree.h"
#include "wsys/geometry.h"

namespace grio::wsys {

enum class WctlVerb { New, Resize, Move, Scroll, Noscroll, Set, Top, Bottom, Current, Hide, Unhide, Delete };

// A number given to a geometry option: absolute, or +n/-n relative to the
// current value.
struct Coord {
  bool relative = false;
  int value = 0;
};

struct WctlCommand {
  WctlVerb verb = WctlVerb::New;
  // Geometry options, applied in the order rio applies them by apply_geometry.
  std::optional<Coord> minx, miny, maxx, maxy, dx, dy;
  std::optional<Rect> r;            // -r x0 y0 x1 y1 (absolute)
  std::optional<std::string> cd;    // -cd dir (rc quotes stripped)
  std::optional<int> pid;           // -pid n
  std::optional<int> id;            // -id n: act on window n
  bool hide = false;                // -hide
  std::optional<bool> scroll;       // -scroll / -noscroll
  std::optional<std::string> sub;   // new -sub NAME: the window hosts a sub-workspace NAME (grio)
  bool sandbox = false;             // new -sub NAME -sandbox: its programs run under bwrap (grio)
  bool net = false;                 // -sandbox -net: with the network (grio)
  bool vt = false;                  // new -vt: a terminal's screen (libvterm) instead of rio's text (grio)
  std::string cmd;                  // new: the rest of the line, the command to run
  // Not parsed: who sent it, if a Unix socket peer (SO_PEERCRED's uid).
  // Only such a peer's -pid is ever signalled, and only while that process
  // runs as this uid (window_system.cpp).
  std::optional<uint32_t> sender_uid;
};

// Parses one message written to wctl (a trailing newline is allowed).
// Errors are rio's: "unrecognized wctl command", "missing or bad wctl
// parameter", "extraneous text in wctl message".
net::Result<WctlCommand> parse_wctl(std::string_view msg);

// The rectangle c asks for, starting from `start` (the window's rect, or
// cascade_rect for new), before it is moved onto the screen.
Rect apply_geometry(const WctlCommand& c, Rect start);
// Shifts r so that it lies on screen, clipping it if it is too large.
Rect onto_screen(Rect r, Rect screen);
// rio's goodrect: canonical, at least 100 wide and 2*(4+1)+font_height
// high, at most 3x the screen each way, on the screen, and not so big that
// the screen fits inside its interior.
bool good_rect(Rect r, Rect screen, int font_height);
// rio's obscured(): whether the rects of `above` cover r, leaving no
// piece of it as wide and as tall as min (a sliver cannot be clicked).
// Each piece looked at takes one step of budget; once it is spent the
// answer is no, so that no layout makes the question cost more.
bool obscured(Rect r, std::span<const Rect> above, int min, int& budget);
// The default rectangle of the i-th new window (rio's cascade).
Rect cascade_rect(int i, Rect screen);

// The 72-byte record: min.x min.y max.x max.y current|notcurrent
// visible|hidden, each right-justified in 11 characters and followed by a
// space (9front).
std::string wctl_record(Rect r, bool current, bool visible);

}  // namespace grio::wsys

// The scene: what the desktop shows, as a plain immutable value. The model
// builds one after a batch of changes (on the io thread) and hands it to
// whoever draws it — the SDL renderer now, remote viewers later — so it
// holds no pointers into the model and nothing of SDL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "term/vt_screen.h"
#include "wsys/cursor.h"
#include "wsys/geometry.h"

namespace grio::wsys {

class WindowSystem;
struct Window;

// The size of a character cell: a rune takes term::cell_width() of them.
struct Metrics {
  int font_w = 8, font_h = 16;
};

// rio's window geometry (reference §2.8): a 4-px border, the frame inset 5
// px, a 12-px scroll bar and a 4-px gap, so text starts 21 px in.
inline constexpr int Borderwidth = 4;
inline Rect frame_rect(Rect r) { return r.inset(Borderwidth + 1); }
inline Rect scroll_rect(Rect r) {
  Rect f = frame_rect(r);
  return Rect{f.min, {f.min.x + 12, f.max.y}};
}
inline Rect text_rect(Rect r) {
  Rect f = frame_rect(r);
  return Rect{{f.min.x + 16, f.min.y}, f.max};
}

// One row of a window's text: its runes with tabs expanded to blanks and
// the newline dropped, each taking term::cell_width() cells from where the
// one before it ended (a wide rune two, a combining mark none: it draws in
// the cells of the rune before it). Cells [sel0, sel1) are selected; sel1
// may exceed the row's length when the selection runs on past its end.
// A VT window's row also has styles (colours and attributes by cells);
// none: the window's own colours.
struct SceneRow {
  std::u32string cells;
  int sel0 = 0, sel1 = 0;
  std::vector<term::StyleRun> styles;
};

struct Scene;

struct SceneWindow {
  int id = 0;
  Rect rect;                      // border included
  bool current = false;           // focus colours
  bool holding = false;           // hold colours
  bool foreign = false;           // pushed by an export's peer: its own border colour
  std::vector<SceneRow> rows;     // what is visible, from the top
  int cursor_row = -1;            // the tick, when nothing is selected …
  int cursor_col = 0;             // … and the window is current
  bool vt = false;                // a terminal's screen: a block cursor, styled rows
  std::string label;              // not drawn by rio; a viewer may show it
  size_t org = 0, end = 0, size = 0;  // shown runes [org, end) of size: the scroll bar
  uint64_t version = 0;           // changes whenever anything above does
  // A host window's sub-workspace, drawn inside its border in its own
  // coordinates (0,0 at the interior's corner), instead of text and scroll
  // bar. Not counted in version: it has its own windows' versions.
  std::shared_ptr<const Scene> nested;
};

// A menu on screen: items stacked in one column, one highlighted.
struct SceneMenu {
  Rect rect;                      // the whole menu
  int item_h = 0;
  std::vector<std::string> items;
  int hilite = -1;
};

// Window: the image a program wrote to the cursor file of the window the
// pointer is in (Scene::image).
enum class SceneCursor { Arrow, Cross, Sight, Window };

struct Scene {
  Rect screen;
  Metrics metrics;
  std::vector<std::shared_ptr<const SceneWindow>> windows;  // visible ones, bottom to top
  std::optional<SceneMenu> menu;
  std::optional<Rect> outline;    // a rectangle being swept or moved
  SceneCursor cursor = SceneCursor::Arrow;
  std::optional<Cursor> image;    // for SceneCursor::Window
  uint64_t seq = 0;               // one more per scene published
};

// A visible window as the scene shows it.
std::shared_ptr<const SceneWindow> scene_window(const Window& w, bool current, Metrics m);

// The rune of w's text nearest to p (for the mouse): rows past the text
// give its end, a point left of the text the row's start.
size_t rune_at(const Window& w, Point p, Metrics m);

// Where a menu with these items opens when the button goes down at p:
// centred on p horizontally with item `last` (the last one chosen, as
// rio's menuhit remembers it) under p, then kept on screen.
SceneMenu place_menu(std::vector<std::string> items, Point p, Rect screen, Metrics m, int last = 0);
// The item of a menu under p, or -1.
int menu_item_at(const SceneMenu& menu, Point p);
// Where the pointer goes so that it is on item i, from p: p itself when it
// is already there, else p moved as little as that needs (rio moves the
// pointer with a menu the screen's edge pushed from under it).
Point menu_item_point(const SceneMenu& menu, int i, Point p);

}  // namespace grio::wsys

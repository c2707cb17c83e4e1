// Inside the scene feed's codec (scene_codec.h), shared by its two files:
// the record a frame carries (Wire*), and what each end holds (Level).
// scene_codec.cpp packs and unpacks records and frames them; scene_delta.cpp
// makes a record from a scene (the encoder) and a scene from a record (the
// decoder). Nothing outside the codec includes this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wsys/scene.h"
#include "wsys/scene_codec.h"

namespace grio::wsys::feed {

// What one end holds of one scene: the top one, or a host window's
// sub-workspace. The encoder's windows are the ones it last sent (shared
// with the server's scene), the decoder's the ones it built.
struct Level {
  struct Win {
    std::shared_ptr<const SceneWindow> w;
    std::unique_ptr<Level> nested;  // what is held of w->nested
    size_t cost = 0;                // decoder: bytes of w's rows
  };
  Scene head;                       // the scene's own fields; windows unused
  std::vector<int> stack;
  std::map<int, Win> wins;
  size_t cost = 0;                  // decoder: bytes of its windows' rows, nested ones included
  size_t windows = 0;               // decoder: its windows, nested ones included
};


// ---- the record ---------------------------------------------------------------

// One step in building a window's rows: `copy` rows of the ones the
// decoder holds, from row `from`; or, when copy is 0, `row` itself.
struct WireRow {
  uint32_t copy = 0, from = 0;
  SceneRow row;
};

// Which of a window's fields a record carries (the others are as held).
enum : unsigned { WRect = 1, WFlags = 2, WCursor = 4, WScroll = 8, WRows = 16, WNested = 32, WLabel = 64, WAll = 127 };
inline constexpr size_t max_label = 4096;  // bytes of a window's label in a feed (the server's bound is 1 KiB)
enum : unsigned { FCurrent = 1, FHolding = 2, FForeign = 4, FVt = 8, FAllFlags = 15 };

struct WireScene;

struct WireWindow {
  int id = 0;
  unsigned bits = 0;
  uint64_t version = 0;  // added to the held version (mod 2^64)
  Rect rect;
  unsigned flags = 0;
  int cursor_row = -1, cursor_col = 0;
  uint64_t org = 0, end = 0, size = 0;
  std::vector<WireRow> rows;
  std::unique_ptr<WireScene> nested;  // with WNested; null: no sub-workspace
  std::string label;                  // with WLabel
};

// Which of a scene's fields a record carries.
enum : unsigned { SScreen = 1, SMetrics = 2, SMenu = 4, SOutline = 8, SCursor = 16, SStack = 32, SAll = 63 };

struct WireScene {
  unsigned bits = 0;
  uint64_t seq = 0;  // added to the held seq
  Rect screen;
  Metrics metrics;
  std::optional<SceneMenu> menu;
  std::optional<Rect> outline;
  unsigned cursor = 0;
  std::optional<Cursor> image;
  std::vector<int> stack;           // window ids, bottom to top
  std::vector<WireWindow> changed;  // records of windows new or changed
};

enum : unsigned { KScene = 1, KClipboard = 2, KNotice = 4, KExit = 8, KAll = 15 };

struct WireFrame {
  unsigned bits = 0;
  std::string notice, clipboard;
  WireScene scene;
};

inline size_t row_cost(const SceneRow& r) {
  return sizeof(SceneRow) + r.cells.size() * sizeof(char32_t) + r.styles.size() * sizeof(term::StyleRun);
}

unsigned window_flags(const SceneWindow& w);
bool same_menu(const std::optional<SceneMenu>& a, const std::optional<SceneMenu>& b);

// The record that brings the other end from what it holds to s; held
// becomes s.
void diff_scene(Level& held, const Scene& s, WireScene& out);

// The decoder's tally while it builds a scene from a record.
struct Apply {
  explicit Apply(const FeedLimits& lim) : lim(lim) {}
  const FeedLimits& lim;
  std::string error;
  size_t spent = 0;    // bytes of rows in the scene built
  size_t windows = 0;  // in it, nested ones included

  bool fail(std::string why) {
    if (error.empty()) error = std::move(why);
    return false;
  }
  bool charge(size_t n) { return (spent += n) <= lim.max_scene_bytes || fail("feed: scene too large"); }
  bool count_windows(size_t n) { return (windows += n) <= lim.max_windows || fail("feed: too many windows"); }
};

// The scene ws makes of what held holds, or null (a.error says why);
// held becomes it.
std::shared_ptr<const Scene> apply_scene(Apply& a, Level& held, WireScene& ws);

}  // namespace grio::wsys::feed

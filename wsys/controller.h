// rio's behaviour, on the io thread: mouse and keyboard (already turned
// into plain values by the SDL side of a desktop, or read from a remote
// viewer's input file) acting on the window system as rio does — focus,
// selection, menus, sweeping, scrolling — and the scenes it publishes for
// the renderer, at most one in flight at a time. No SDL here: the desktop
// and each remote viewer (wsys/viewer.h) run one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/asio.h"
#include "net/rights.h"
#include "wsys/input_sink.h"
#include "wsys/scene.h"
#include "wsys/scene_codec.h"
#include "wsys/window_system.h"
#include "wsys/workspace.h"

namespace grio::wsys {

// Keys that move rather than type.
enum class Nav { Left, Right, Up, Down, PageUp, PageDown, Home, End };

struct ControllerConfig {
  Metrics metrics;
  // Hands a scene to the renderer (and wakes it); called on the io thread.
  std::function<void(std::shared_ptr<const Scene>)> publish;
  // Puts snarf on the system clipboard (called when snarf changes).
  std::function<void(std::string)> set_clipboard;
  // The Exit menu item.
  std::function<void()> exit;
  // Moves the pointer (a mouse file's warp).
  std::function<void(Point)> warp;
  // What the one at the keyboard and mouse may do: the owner at a desktop
  // everything, a remote viewer its connection's rights. What is refused
  // is not done, and said through refused (once per error in a row).
  net::Grant grant;
  std::function<void(const std::string&)> refused;
  // The workspace's own pointer is this controller's (a desktop's, not a
  // viewer's): it takes the window system's warp and moves ws.pointer.
  bool owns_pointer = true;
};

class Controller : public InputSink {
 public:
  Controller(asio::io_context& io, WindowSystem& ws, ControllerConfig cfg);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Button 3's menu looks at most this many pieces of windows for being
  // covered (obscured()) when the windows' places have changed since it
  // last looked; a window not settled by then is not listed.
  static constexpr int max_obscured_steps = 16384;
  // Items of button 3's menu at most: what a viewer's feed takes.
  static constexpr size_t max_menu3_items = FeedLimits{}.max_menu_items;

  void mouse(MouseState m) override;
  // Typed runes; with mods (Alt), a VT window gets them as xterm sends them.
  void keys(std::u32string_view runes, unsigned mods = 0) override;
  // A key that types no text (Enter, arrows, F1…, Ctrl-letter) with its
  // modifiers: a VT window's, or rio's meaning of it elsewhere.
  void press(const term::KeyPress& k) override;
  void nav(Nav n);
  // A kbdfs `k` or `K` message: the keys held down after a press or a
  // release, for the current window's kbd file.
  void key_state(std::string msg) override;
  // The renderer has drawn the last scene and can take the next.
  void ready() override;
  // The cell size text is laid out with (a viewer's font).
  void set_metrics(Metrics m);
  // The system clipboard changed (another program copied): that is snarf now.
  void clipboard(std::string text) override;

 private:
  enum class Mode { Idle, Consumed, Selecting, Menu2, Menu3, SweepWait, Sweeping, Pick, Moving, Border, Sending, Scrolling, Reporting };
  enum class Pending { None, New, Vt, Sub, Hub, Resize, Move, Delete, Hide, Exit };
  static bool sweeping(Pending p) { return p == Pending::New || p == Pending::Vt || p == Pending::Sub || p == Pending::Hub; }
  // The desktop of a sub-workspace shown in a host window: a controller of
  // its own, publishing to this one, and the last scene it published.
  struct Nested {
    std::shared_ptr<Workspace> ws;  // kept while drawn, even after its host went
    std::unique_ptr<Controller> c;
    std::shared_ptr<const Scene> scene;
  };

  // Whether the grant has need; if not, says so and gives false.
  bool may(net::Rights need);
  // An error from the window system (a refused request): said, not done.
  void check(const net::Error& e);
  bool to_program(const MouseState& m);
  bool to_terminal(const MouseState& m);
  std::pair<uint64_t, int> vt_cell(const Window& w, Point p) const;
  void vt_select_start(Window& w, Point p, uint32_t msec);
  void vt_menu2_pick(Window& w, int item);
  bool to_nested(const MouseState& m);
  Controller* nested_at(Window& host);
  Controller* nested_current();
  std::string next_sub_name() const;
  void press(int button, Point p, uint32_t msec);
  void release(int button, Point p);
  void motion(Point p);
  void wheel(int button, Point p, unsigned mods);
  bool on_border(const Window& w, Point p) const;
  void focus(Window& w);
  void select_start(Window& w, Point p, uint32_t msec);
  void scroll_bar(Window& w, int button, Point p);
  void scroll_start(Window& w, int button, Point p);
  void scroll_again(std::chrono::milliseconds after);
  void scroll_rows(Window& w, long rows);
  void show(Window& w, size_t q);
  void open_menu2(Point p);
  void open_menu3(Point p);
  void open_menu(std::vector<std::string> items, Point p, int last, Mode mode);
  void menu2_pick(int item);
  void menu3_pick(int item);
  void picked(Window* w, Point p);
  void finish_sweep(Rect r);
  void chord(int button);
  void border_start(Window& w, Point p);
  Rect border_rect(Point p) const;
  void dirty();
  void publish();
  std::shared_ptr<const Scene> build();
  void pick_cursor(Scene& s);

  asio::io_context& io_;
  WindowSystem& ws_;
  ControllerConfig cfg_;
  size_t observer_ = 0;
  Point pointer_;                  // where this controller's pointer is
  // Work posted to io checks it: a sub-workspace's controller goes while
  // the io_context runs on.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  Mode mode_ = Mode::Idle;
  Pending pending_ = Pending::None;
  int buttons_ = 0;
  int target_ = 0;                 // the window a menu, pick, move or drag acts on
  Point start_;                    // where a sweep, move or drag began
  size_t anchor_ = 0;              // where a selection began
  size_t last_click_q_ = SIZE_MAX; // for double clicks
  uint32_t last_click_ms_ = 0;
  struct VtClick {                 // for double clicks in a VT window: where (window, line, column)
    int win = 0;
    uint64_t line = 0;
    int col = -1;
    bool operator==(const VtClick&) const = default;
  } last_vt_click_;
  int border_edges_ = 0;           // which edges a border drag moves
  std::optional<SceneMenu> menu_;
  std::map<int, int> menu_windows_;  // menu3 item → a hidden or obscured window's id
  // The shown windows' places (top first), the screen and the font height
  // the covered windows were last found for, and those windows by id.
  struct Layout {
    std::vector<std::pair<int, Rect>> shown;
    Rect screen;
    int font_h = 0;
    bool operator==(const Layout&) const = default;
  } covered_for_;
  std::vector<int> covered_;
  const std::vector<int>& covered();
  int last2_ = 0, last3_ = 0;      // the item last chosen from each menu
  std::optional<Rect> outline_;
  uint32_t clip_version_ = 0;      // snarf_version last put on the clipboard
  bool dirty_ = true, ready_ = true, scheduled_ = false;
  uint64_t seq_ = 0;
  std::map<int, std::shared_ptr<const SceneWindow>> cache_;
  std::map<int, Nested> nested_;   // by host window id
  int nested_held_ = 0;            // the host a button was pressed in, while it is held
  asio::steady_timer repeat_;      // a held scroll-bar button scrolls again
  int scroll_button_ = 0;
  Point scroll_at_;                // where the pointer is while it is held
};

}  // namespace grio::wsys

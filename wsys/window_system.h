// The window system: windows by id, stacking order, the current window,
// snarf, and the screen. It runs on the io thread and takes no locks.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/asio.h"
#include "net/file_tree.h"
#include "net/hub_tree.h"
#include "term/pty.h"
#include "wsys/window.h"
#include "wsys/wctl.h"

namespace grio::net {
class Exports;
}

namespace grio::wsys {

struct WsysConfig {
  Rect screen = rect(0, 0, 1280, 800);  // the real one once a desktop exists
  int font_height = 16;                 // until a desktop measures its font
  int font_width = 8;                   // columns for the pty size
  std::string address;                  // $wsys for programs we start
  term::TextConfig text;                // history limits
  term::VtConfig vt;                    // a VT window's scrollback
  size_t max_windows = 256;             // windows at once, deleted ones still in use included
  size_t max_peer_windows = 16;         // windows the peers of one export may have pushed
  size_t max_viewers = 16;              // remote viewers at once (view/feed opens)
  net::HubLimits hubs;                  // sessions, hubs and their memory
};

class HubSessions;
class Viewers;
class Workspace;

class WindowSystem {
 public:
  WindowSystem(asio::io_context& io, WsysConfig cfg);
  ~WindowSystem();
  // Hangs up every program and stops waiting for children, so that the
  // io_context can run out of work.
  void close();
  WindowSystem(const WindowSystem&) = delete;
  WindowSystem& operator=(const WindowSystem&) = delete;

  // `new`: a window, and unless -pid was given, c.cmd (or the user's shell)
  // running in it on a pty. by: who asks (wctl_right says what it needs);
  // a peer's window is its own (Window::peer).
  net::Result<Window*> create(const WctlCommand& c, const net::Grant& by = {});
  // Every other wctl verb, applied to w (or to -id's window): manage, or
  // the window is by's own.
  net::Error control(Window& w, const WctlCommand& c, const net::Grant& by = {});
  // A label write: the prefix of a pushed window stays.
  void set_label(Window& w, std::string_view label);
  // Whether w is a window by's export pushed.
  static bool owns(const net::Grant& by, const Window& w) { return !by.owner() && w.peer == by.export_name; }
  // `current`: w on top and, unless it is another peer's pushed window
  // and by is a peer, the window keys go to.
  net::Error focus(Window& w, const net::Grant& by = {});
  // `delete`: unlisted at once, parked requests fail, SIGHUP to its program.
  void remove(Window& w);

  Window* find(int id);  // deleted windows included, until their last reference goes
  Window* live(int id);  // listed windows only
  std::vector<int> ids() const;  // listed windows, by id
  int current() const { return current_; }
  const std::vector<int>& stacking() const { return order_; }  // bottom to top
  Rect screen() const { return cfg_.screen; }
  const WsysConfig& config() const { return cfg_; }
  // $wsys for programs started from now on.
  void set_address(std::string a) { cfg_.address = std::move(a); }

  // 9P nodes bound to a window keep it alive, as does our program in it.
  void ref(int id);
  void unref(int id);

  // Keys typed into window id (the keyboard, and tests). While its kbd
  // file is open they go there as kbdfs `c` messages instead. Typing over
  // a selection snarfs it, as rio's does, when the typist (by) may snarf.
  void type(int id, std::u32string_view keys, const net::Grant& by = {});
  // Button 2's paste and send into w: as typing, it follows the program's
  // tty modes as they are now.
  void paste(Window& w, std::u32string_view runes);
  // Button 2's cut in a text window: its selection to the snarf buffer,
  // and out of the text. As after paste, the caller says changed(w).
  void cut(Window& w);
  // A key with its modifiers, for a VT window's program as xterm sends it
  // (other windows take its rune through type(); keys that move are the
  // desktop's there).
  void press(Window& w, const term::KeyPress& k);
  // Bytes for a VT window's program as they are (cons writes): an error
  // when its program is gone or has not read what it was sent before.
  net::Error send_input(Window& w, std::string_view bytes);
  // Mouse buttons (1, 2; 8, 16 the wheel) pressed and released at a cell
  // of a VT window whose program asked for the mouse: reported to it.
  void vt_mouse(Window& w, int row, int col, int pressed, int released);
  // Moves a VT window's view n lines into its scrollback (negative: back
  // towards the live screen), within what it has.
  void scroll_vt(Window& w, int n);
  // A kbdfs `k` or `K` message (the keys held down, after a press or a
  // release) for w's kbd file; dropped unless it is open.
  void key_state(Window& w, std::string msg);

  // The desktop's pointer where it last reported it: a mouse file warp
  // is refused unless it is in the warping window.
  Point pointer;
  // Set by a desktop: moves its pointer to p. Unset when headless, where
  // a warp is a mouse event at p instead.
  std::function<void(Point)> warp;
  // A sub-workspace's: its screen is its host window's interior, which no
  // viewer of it may change.
  bool hosted = false;
  // A mouse event for w's program, when it has w's mouse file open.
  void mouse(Window& w, Point at, int buttons, uint32_t msec);
  // The topmost visible window at p, border included; null over the background.
  Window* window_at(Point p);
  // Output written into w (cons, text, and our program's pty).
  void output(Window& w, term::OutputDecoder& from, std::string_view bytes);
  // Answers what the change to w made answerable: cons reads and writes.
  void changed(Window& w);
  // noscroll: output waits while the output point is below the view.
  bool output_blocked(const Window& w) const;
  void wctl_changed(Window& w);
  // w's rectangle changed or it was hidden or shown: its mouse file says `r`.
  void reshaped(Window& w);

  std::string snarf;
  uint32_t snarf_version = 0;
  // Sets snarf, as the desktop's cut and snarf do.
  void set_snarf(std::string s);

  // Observers of anything a desktop draws (text, selection, geometry,
  // focus, stacking, windows coming and going, the screen) and of snarf:
  // a desktop, the desktop of a host window, a viewer. Each should only
  // note the change: many may come in one batch. observe returns the
  // handle unobserve takes.
  size_t observe(std::function<void()> f);
  void unobserve(size_t handle);
  // The screen is r: a viewer's display took the place of a headless
  // one's. The windows stay where they are.
  void set_screen(Rect r);
  // The screen shown was resized (a sub-workspace's host window): the
  // windows are scaled with it, as rio's are.
  void resize_screen(Rect r);
  // Set by the Workspace that owns this window system: makes the
  // sub-workspace c.sub that host (a new window) holds, sandboxed as c
  // says (-sandbox, -net). Unset: `new -sub` is refused.
  std::function<net::Result<std::shared_ptr<Workspace>>(Window& host, const WctlCommand& c)> nest;
  // Set by a sandboxed Workspace: rewrites how every program started here
  // from now on (windows' and hub sessions') is run; an error stops it.
  std::function<net::Error(term::PtyConfig&)> fence;
  // The live window hosting the sub-workspace NAME, if any.
  Window* host_of(std::string_view name);
  // The sub-workspace at path: NAME, or NAME/NAME… through nested ones.
  std::shared_ptr<Workspace> sub_at(std::string_view path);
  // Text columns and rows of a window's frame.
  std::pair<unsigned short, unsigned short> cells(Rect r) const;
  // The columns and rows its program's pty is given: a VT window's cut
  // to term::max_vt_cols and max_vt_rows.
  std::pair<unsigned short, unsigned short> pty_size(const Window& w) const;
  // Set by a desktop: asks it for the pixels of the screen as it is drawn
  // now (x8r8g8b8, row by row); the answer comes on the io thread. Unset
  // when headless.
  std::function<void(std::function<void(std::string)>)> capture;

  // hub/: hubs and shell sessions, shared by every context of the tree.
  net::HubTree& hubs() { return *hubs_; }
  // The owner's exports (the root's `exports` file), when this window
  // system is served by a process that can export; null in tests.
  net::Exports* exports() const { return exports_; }
  void set_exports(net::Exports* e);  // and checks that what it exports is here
  size_t session_count() const;
  // Remote viewers (view/feed), by connection.
  Viewers& viewers() { return *viewers_; }
  // An exited program of ours that was not reaped yet.
  void reap_later(pid_t pid) { dying_.push_back(pid); }
  // Those not reaped yet, for the window system that goes on after this
  // one closed (a sub-workspace's parent).
  std::vector<pid_t> take_dying() { return std::exchange(dying_, {}); }

  size_t window_count() const { return windows_.size(); }

 private:
  void start_program(Window& w, const WctlCommand& c);
  void insert_output(Window& w, term::OutputDecoder& from, std::string_view bytes);
  void retire(std::unique_ptr<Shell> s);
  void reap_children();
  void program_exited(int id);
  void feed_program(Window& w);
  void follow_tty(Window& w);
  void flush_vt_input(Window& w);
  void set_current(int id);
  net::Error may_create(const WctlCommand& c, const net::Grant& by);
  net::Error host(Window& w, const WctlCommand& c);
  bool may_focus(const Window& w, const net::Grant& by) const;
  void raise(int id);
  void lower(int id);
  void collect(int id);
  net::Error reshape(Window& w, Rect r);
  void touched();
  // Scroll mode: the view follows output so that its end is on screen.
  void show_end(Window& w);

  asio::io_context& io_;
  WsysConfig cfg_;
  std::map<int, std::unique_ptr<Window>> windows_;
  std::vector<int> order_;
  int next_id_ = 1;
  int current_ = 0;
  int cascade_ = 0;
  std::vector<pid_t> dying_;       // programs hung up but not yet reaped
  asio::signal_set sigchld_;
  bool closed_ = false;            // close() ran: stop waiting for children
  std::unique_ptr<net::HubTree> hubs_;
  std::unique_ptr<HubSessions> sessions_;
  std::unique_ptr<Viewers> viewers_;
  net::Exports* exports_ = nullptr;
  std::map<size_t, std::function<void()>> observers_;
  size_t next_observer_ = 1;
};

}  // namespace grio::wsys

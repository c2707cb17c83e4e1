// The window system as a 9P tree, like rio's: one table of file kinds
// (files.cpp), one small file per kind (file_*.cpp), and the walking,
// listing and stat rules here. `hub/` in every context is the window
// system's hub tree (net/hub_tree.h), walked into and served by it; the
// attach name `watch` is a windowless context with the connection's rights
// narrowed to view (`grio hub --watch`). `view/` in every context holds a
// remote viewer's feed and input (file_view.cpp).
//
// Rights (net/rights.h) are checked here and nowhere else in the tree: a
// kind of file names the right that opening it for reading, and for
// writing, needs; wctl verbs name theirs in wctl_right. A name the
// connection may neither read nor write is neither listed nor walked.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "net/file_tree.h"
#include "wsys/window_system.h"

namespace grio::wsys {

// The low 8 bits of a qid path; the window id is above them, as in rio.
enum class Qfile : uint8_t {
  Root, Wsysdir, Windir, Cons, Consctl, Label, Wctl, Winid, Winname, Text, Wdir, Snarf, Screen, Winimage,
  Cursor, Kbd, Mouse, Exports, Viewdir, ViewFeed, ViewInput,
};

// What a file operation works on: the window system, and the window the
// file belongs to (nullptr for the windowless `none` context).
struct Ctx {
  WindowSystem& ws;
  Window* w;
  // The fid's rights on the file, narrowed by its attach (`watch`): set
  // for open, where a file that acts later with them (view/feed) takes them.
  net::Rights rights = net::right::all;
};

namespace need {
using namespace net::right;
// Reading a window's cons, kbd or mouse takes its input from whoever types
// there: a peer that can read what the owner types can do what running a
// program here does, so it needs exec (the owner and the window's own
// pusher keep it).
inline constexpr net::Rights input = exec;
// Some right a write may need: each write is checked (wctl verbs).
inline constexpr net::Rights per_write = net::right::per_write;
// What a peer has on the windows it pushed, whatever its export grants:
// every file of theirs (not snarf, which is the workspace's, nor exec).
inline constexpr net::Rights own_window = view | type | manage | exec;
}  // namespace need

// The right a wctl verb needs. `new` needs push, and exec as well when it
// starts a program (no -pid), or manage when it makes a sub-workspace
// (-sub); every other verb needs manage, unless the
// window is the caller's own (checked by WindowSystem::control).
net::Rights wctl_right(const WctlCommand& c);

// One kind of file: its name, permissions and behaviour. A null operation
// means the generic one (nothing to check on open or clunk; read and write
// refused by the permissions).
struct FileKind {
  const char* name;
  Qfile q;
  uint32_t perm;
  bool per_window;  // absent from the `none` context
  net::Rights reads;   // the rights opening it for reading needs
  net::Rights writes;  // … and for writing
  net::Error (*open)(Ctx&, net::Fid&, uint8_t mode);
  void (*read)(Ctx&, const net::Req&);
  void (*write)(Ctx&, const net::Req&);
  void (*clunk)(Ctx&, net::Fid&);
};

// The table, in rio's listing order.
const std::vector<const FileKind*>& file_kinds();

// The kinds, one per file_*.cpp.
extern const FileKind cons_file, consctl_file, label_file, wctl_file, winid_file, winname_file, text_file,
    wdir_file, snarf_file, screen_file, window_file, cursor_file, kbd_file, mouse_file;
// Not in the table: the owner's `exports`, at a root only (file_exports.cpp);
// a remote viewer's files, in view/ at a root (file_view.cpp).
extern const FileKind exports_file, view_feed_file, view_input_file;

// The part inside r of a capture of the whole screen (x8r8g8b8 pixels,
// row by row, screen-sized), row by row; what lies off the screen black.
std::string crop_pixels(const std::string& pixels, Rect screen, Rect r);

// Answers a read of a file whose contents are the string s.
void read_string(const net::Req& r, std::string_view s);
// Parks r at the end of the queue of c.w that queue_of(window) names; a
// flush or a lost connection takes it out again, if the window is still
// there.
template <class QueueOf>
void park_in(Ctx& c, const net::Req& r, QueueOf queue_of) {
  queue_of(*c.w).push_back(r);
  r->park([&ws = c.ws, id = c.w->id, raw = r.get(), queue_of] {
    if (Window* w = ws.find(id)) std::erase_if(queue_of(*w), [raw](const net::Req& q) { return q.get() == raw; });
  });
}
// A cons or text write: output at once, or in noscroll mode parked until
// the view moves. The fid's aux is its OutputDecoder.
void write_output(Ctx& c, const net::Req& r);
// Answers wctl reads parked on w (called when w changes).
void answer_wctl_reads(WindowSystem& ws, Window& w);
// The mouse file's side of WindowSystem::mouse and reshaped (file_mouse.cpp).
void send_mouse(Window& w, Point at, int buttons, uint32_t msec);
void mouse_reshaped(Window& w);
// The kbd file's side of WindowSystem::key_state (file_kbd.cpp).
void queue_key(Window& w, std::string msg);

class WsysTree : public net::FileTree {
 public:
  WsysTree(WindowSystem& ws, std::string owner) : ws_(ws), owner_(std::move(owner)) {}

  net::Result<net::NodeRef> attach(const ninep::Tattach& t, const net::Session& s) override;
  net::Result<net::NodeRef> walk1(const net::NodeRef& from, std::string_view name) override;
  net::Error open(net::Fid& f, uint8_t mode) override;
  void read(const net::Req& r) override;
  void write(const net::Req& r) override;
  net::Result<net::NodeRef> create(net::Fid& dir, const ninep::Tcreate& t) override;
  net::Error remove(net::Fid& f) override;
  net::Error wstat(net::Fid& f, const net::Stat& d) override;
  std::vector<net::Stat> list(net::Fid& f) override;
  net::Result<net::Stat> stat(net::Fid& f) override;
  void clunk(net::Fid& f) override;

 private:
  net::Stat stat_of(int win, Qfile q, const char* name, uint32_t perm) const;
  net::Stat hub_stat(const net::Node& from) const;  // hub/, as a context's root lists it
  net::Result<net::NodeRef> walk_wsys(const net::Node& from, std::string_view name);
  net::Result<net::NodeRef> attach_node(const ninep::Tattach& t, const net::Session& s);
  net::NodeRef root_node(const net::Node& like);
  void io(const net::Req& r, void (*op)(Ctx&, const net::Req&));
  WindowSystem& ws_;
  std::string owner_;
};

}  // namespace grio::wsys

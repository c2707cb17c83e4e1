// libFuzzer target for the window system's tree (wsys/tree) as the peer
// of an export reaches it: the rights come from the input's first byte,
// any of them but exec, so nothing is ever started here. The owner has a
// window with text, a label and a place, and a snarf; the rest of the
// input is 9P requests over the tree's names, writes mostly wctl, cons
// and consctl commands and a viewer's input (a double click, a menu,
// keys). Besides the sanitizers, a right not granted must have left what
// it guards as it was: without type the owner's text, without manage its
// label, place and visibility, without snarf the snarf. And no peer may
// hold more windows than its export allows.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "net/rights.h"
#include "tests/fuzz/drive_9p.h"
#include "wsys/wctl.h"
#include "wsys/workspace.h"

using namespace grio;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_wsys: %s\n", what);
  std::abort();
}

wsys::WorkspaceConfig config() {
  wsys::WorkspaceConfig c;
  c.owner = "glenda";
  c.wsys.max_windows = 12;
  c.wsys.max_peer_windows = 4;
  c.wsys.text.hiwater = 4096;
  c.wsys.text.lowater = 2048;
  c.max_subs = 2;
  return c;
}

// What the owner has before the peer comes.
struct Owned {
  std::string text, label, snarf;
  wsys::Rect rect;
  bool hidden;
  static Owned of(wsys::WindowSystem& ws, wsys::Window& w) { return {w.text.text(), w.label, ws.snarf, w.rect, w.hidden}; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const net::Rights rights = data[0] & ~net::right::exec & net::right::all;
  asio::io_context io;
  {
    wsys::Workspace top(io, config());
    auto& ws = top.ws();
    auto cmd = wsys::parse_wctl("new -r 10 10 400 300");
    cmd->pid = 0;  // a window with no program, as attach new makes
    auto made = ws.create(*cmd);
    if (!made) fail("the owner's window was not made");
    wsys::Window& mine = **made;
    int mine_id = mine.id;
    ws.ref(mine_id);  // held, as a client of the owner would
    ws.set_label(mine, "owner");
    ws.type(mine_id, U"owner's line\n");
    ws.set_snarf("owner's snarf");
    Owned before = Owned::of(ws, mine);
    {
      fuzz::ServeBytes s(io, top.tree(), net::Grant{rights, "ex", "fred", ""});
      fuzz::Input in({data + 1, size - 1});
      // Attach names a peer would use: the windowless root, a new window,
      // the owner's window by its id.
      static const char* anames[] = {"", "new", "new -r 0 0 200 200", "new -hide", "1", "watch", "new -sub s"};
      fuzz::hello(s, anames[in.small(std::size(anames))]);
      fuzz::Driver d(s, in,
                     {"cons", "consctl", "label", "wctl", "winid", "winname", "text", "wdir", "snarf", "mouse", "cursor",
                      "kbd", "screen", "window", "wsys", "1", "2", "hub", "ctl", "s", "0", "..", "view", "feed",
                      "input"},
                     {"new -pid 1 -r 0 0 100 100", "new -sub t", "resize -r 0 0 300 300", "move -minx 50 -miny 50",
                      "hide", "unhide", "current", "top", "bottom", "delete", "scroll", "noscroll", "set -label x",
                      "holdon", "holdoff", "rawon", "rawoff", "hello\n", "m 10 10 1 0", "new s", "1",
                      // A viewer's input (view/input, once view/feed is open): its size, then
                      // clicks of each button, typing, the clipboard.
                      "size 1280 800 8 16\n", "m 40 20 1 0\nm 40 20 0 10\nm 40 20 1 20\nm 40 20 0 30\n",
                      "m 100 100 2 40\nm 100 100 0 50\n", "m 100 100 4 60\nm 100 100 0 70\n", "k 0 41 42\n",
                      "c 6869\n"});
      d.run_all();
      size_t theirs = 0;
      for (int id : ws.ids())
        if (auto* w = ws.live(id); w && w->peer == "ex") theirs++;
      if (theirs > config().wsys.max_peer_windows) fail("a peer holds more windows than its export allows");
      s.hang_up();
    }
    wsys::Window* now = ws.find(mine_id);
    if (!now) fail("the owner's window is gone while the owner holds it");
    Owned after = Owned::of(ws, *now);
    if (!(rights & net::right::type) && after.text != before.text) fail("the owner's text changed without type");
    if (!(rights & net::right::manage) &&
        (after.label != before.label || after.rect != before.rect || after.hidden != before.hidden || now->deleted))
      fail("the owner's window changed without manage");
    if (!(rights & net::right::snarf) && after.snarf != before.snarf) fail("the snarf changed without snarf");
    ws.unref(mine_id);
    top.close();
    io.poll();
  }
  io.poll();
  return 0;
}

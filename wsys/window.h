// A window of the window system: the data, as rio's dat.h has it. The
// window system (window_system.h) owns windows by id and changes them; the
// 9P tree and, later, the desktop look them up by id.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "net/file_tree.h"
#include "term/text.h"
#include "wsys/shell.h"
#include "wsys/geometry.h"

namespace grio::wsys {



struct Window {
  int id = 0;                        // from 1, never reused
  Rect rect;                         // on screen, border included
  std::string label = "<unnamed>";
  std::string wdir;                  // working directory, as `wdir` says it
  bool hidden = false;
  bool deleted = false;              // by `delete`: unlisted, every request fails
  bool scroll = true;                // output moves the view (rio -s; 9term)
  int holds = 0, raws = 0;           // consctl holdon/rawon nesting
  bool consctl_open = false;         // consctl is exclusive
  bool wctl_reader = false;          // so is reading wctl
  uint64_t wctl_version = 1;         // bumped on reshape, (un)hide, focus change
  int reshapes = 0;                  // for winname: window.<id>.<n>
  uint64_t view_version = 1;         // bumped on every change a desktop would draw
  pid_t note_pid = 0;                // -pid: whom DEL and delete signal
  term::TextBuffer text;
  term::OutputDecoder shell_output;  // decoder of what our program writes
  std::unique_ptr<Shell> shell;      // the program we started in it, if any
  int refs = 0;                      // 9P nodes bound to the window

  // Requests waiting for this window to change.
  std::deque<net::Req> cons_reads;   // for a complete line (or raw input)
  std::deque<net::Req> wctl_reads;   // for the next reshape or focus change
  std::deque<net::Req> cons_writes;  // noscroll: output waiting for the view to move

  explicit Window(int id_) : id(id_) {}
  ~Window();
};

}  // namespace grio::wsys

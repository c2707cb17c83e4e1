// Hears of every change of the system clipboard's owner. SDL 2 reports a
// clipboard update on X11 only when it loses the clipboard it owned, so a
// copy in another program, on a desktop where grio never copied, went
// unnoticed; on X11 this asks XFixes to say when anyone takes it.
#pragma once

#include <SDL.h>

namespace grio::wsys::desktop {

class ClipboardWatch {
 public:
  // Starts watching for window's display; does nothing where the video
  // driver is not X11 or the X server lacks XFixes (SDL's own updates are
  // all there is then).
  explicit ClipboardWatch(SDL_Window* window);
  // Whether e, an SDL_SYSWMEVENT, says another client took the clipboard
  // (its text is then SDL_GetClipboardText's).
  bool taken(const SDL_Event& e) const;
  // Call after SDL_SetClipboardText: the owner now is SDL's clipboard
  // window, whose news is not another's copy.
  void took();

 private:
  void* display_ = nullptr;       // the X display; null: not watching
  int event_base_ = -1;           // XFixes' first event number
  unsigned long clipboard_ = 0;   // the CLIPBOARD atom
  unsigned long ours_ = 0;        // the window SDL owns the clipboard with
};

}  // namespace grio::wsys::desktop

// ClipboardWatch: XFixes selection notifications through SDL's window
// manager events. Everything here runs on the SDL (main) thread.
#include "wsys/desktop/clipboard_watch.h"

#include <SDL_syswm.h>

#if GRIO_XFIXES && defined(SDL_VIDEO_DRIVER_X11)
#include <X11/extensions/Xfixes.h>
#define GRIO_WATCH_X11 1
#endif

namespace grio::wsys::desktop {

ClipboardWatch::ClipboardWatch([[maybe_unused]] SDL_Window* window) {
#if GRIO_WATCH_X11
  SDL_SysWMinfo info;
  SDL_VERSION(&info.version);
  if (!window || !SDL_GetWindowWMInfo(window, &info) || info.subsystem != SDL_SYSWM_X11) return;
  Display* d = info.info.x11.display;
  int base = 0, errors = 0;
  if (!XFixesQueryExtension(d, &base, &errors)) return;
  clipboard_ = XInternAtom(d, "CLIPBOARD", False);
  XFixesSelectSelectionInput(d, info.info.x11.window, clipboard_, XFixesSetSelectionOwnerNotifyMask);
  SDL_EventState(SDL_SYSWMEVENT, SDL_ENABLE);
  event_base_ = base;
  display_ = d;
#endif
}

void ClipboardWatch::took() {
#if GRIO_WATCH_X11
  if (display_) ours_ = XGetSelectionOwner(static_cast<Display*>(display_), clipboard_);
#endif
}

bool ClipboardWatch::taken([[maybe_unused]] const SDL_Event& e) const {
#if GRIO_WATCH_X11
  if (!display_ || e.type != SDL_SYSWMEVENT || e.syswm.msg->subsystem != SDL_SYSWM_X11) return false;
  const XEvent& x = e.syswm.msg->msg.x11.event;
  if (x.type != event_base_ + XFixesSelectionNotify) return false;
  auto& n = reinterpret_cast<const XFixesSelectionNotifyEvent&>(x);
  // No owner (it went away): what snarf holds stays.
  return n.selection == clipboard_ && n.owner != None && n.owner != ours_;
#else
  return false;
#endif
}

}  // namespace grio::wsys::desktop

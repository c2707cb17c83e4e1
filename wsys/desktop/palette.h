// The desktop's colours, apart from the SDL code that draws with them.
#pragma once

#include <cstdint>

namespace grio::wsys::desktop {

// rio's colours, or -b's reversed ones, as assets/colours gives them
// (assets.h). foreign: a window an export's peer pushed, a border no local
// window has, so it cannot pass for a local prompt.
struct Palette {
  uint32_t background = 0, text_bg = 0, text = 0, text_unfocused = 0, selection = 0, scroll_bg = 0, thumb = 0;
  uint32_t border = 0, border_unfocused = 0, hold = 0, hold_border_unfocused = 0, hold_text_unfocused = 0;
  uint32_t outline = 0, menu_bg = 0, menu_hilite = 0, menu_border = 0;
  uint32_t foreign = 0, foreign_unfocused = 0;
};

}  // namespace grio::wsys::desktop

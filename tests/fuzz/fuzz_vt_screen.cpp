// libFuzzer target for the VT model's plain runs (term/vt_screen.h,
// VtScreen::put_plain): whatever bytes a program writes, cut into writes
// anywhere and with a resize between them, the screen that skips
// libvterm's per-glyph work for runs of ASCII must be the eager one, which
// puts every glyph through libvterm: the same text, scrollback, cursor and
// repaint. How the input is read is tests/fuzz/vt_input.h's.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "tests/fuzz/vt_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  auto [lazy, eager] = grio::test::play_vt_input(std::string_view(reinterpret_cast<const char*>(data), size));
  if (lazy->text() != eager->text() || lazy->repaint() != eager->repaint() || lazy->cursor_row() != eager->cursor_row() ||
      lazy->cursor_col() != eager->cursor_col() || lazy->scrollback_lines() != eager->scrollback_lines()) {
    std::fprintf(stderr, "fuzz_vt_screen: the plain runs left another screen than glyph by glyph\n");
    std::abort();
  }
  return 0;
}

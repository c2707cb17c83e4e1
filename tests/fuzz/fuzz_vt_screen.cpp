// libFuzzer target for the VT model's plain runs (term/vt_screen.h,
// VtScreen::put_plain): whatever bytes a program writes, cut into writes
// anywhere and with a resize between them, the screen that skips
// libvterm's per-glyph work for runs of ASCII must be the eager one, which
// puts every glyph through libvterm: the same text, scrollback, cursor and
// repaint. The first two bytes choose the size, the cut and the resize.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "term/vt_screen.h"

using namespace grio::term;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  int rows = 2 + data[0] % 14, cols = 2 + data[1] % 60;
  size_t piece = 1 + size_t(data[0] >> 4) * 5;
  VtScreen lazy(rows, cols, VtConfig{20}), eager(rows, cols, VtConfig{20, true});
  std::string_view bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
  for (size_t at = 0; at < bytes.size(); at += piece) {
    auto p = bytes.substr(at, piece);
    lazy.write(p);
    eager.write(p);
    if ((data[1] & 0x80) && at < bytes.size() / 2 && at + piece >= bytes.size() / 2) {
      lazy.resize(rows + 3, cols - 1 > 1 ? cols - 1 : 2);
      eager.resize(rows + 3, cols - 1 > 1 ? cols - 1 : 2);
    }
  }
  if (lazy.text() != eager.text() || lazy.repaint() != eager.repaint() || lazy.cursor_row() != eager.cursor_row() ||
      lazy.cursor_col() != eager.cursor_col() || lazy.scrollback_lines() != eager.scrollback_lines()) {
    std::fprintf(stderr, "fuzz_vt_screen: the plain runs left another screen than glyph by glyph\n");
    std::abort();
  }
  return 0;
}

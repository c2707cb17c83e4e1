// libFuzzer target for the wctl parser and its geometry (wsys/wctl): what
// a client writes to wctl, parsed, applied to a window's rectangle, moved
// onto the screen and checked as rio checks it. Signed overflow in the
// arithmetic is what UBSan looks for here; an error must be one of rio's.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "wsys/wctl.h"

using namespace grio::wsys;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view msg(reinterpret_cast<const char*>(data), size);
  auto c = parse_wctl(msg);
  if (!c) {
    const std::string& e = c.error();
    if (e != "unrecognized wctl command" && e != "missing or bad wctl parameter" &&
        e != "extraneous text in wctl message" && e.rfind("bad ", 0) != 0) {
      std::fprintf(stderr, "fuzz_wctl: unexpected error '%s'\n", e.c_str());
      std::abort();
    }
    return 0;
  }
  Rect screen = rect(0, 0, 1024, 768);
  for (Rect start : {cascade_rect(int(size % 7), screen), rect(-5000, -5000, 90000, 90000)}) {
    Rect r = apply_geometry(*c, start);
    Rect on = onto_screen(r, screen);
    (void)good_rect(on, screen, 16);
    if (wctl_record(on, true, true).size() != 72) {
      std::fprintf(stderr, "fuzz_wctl: record not 72 bytes\n");
      std::abort();
    }
  }
  return 0;
}

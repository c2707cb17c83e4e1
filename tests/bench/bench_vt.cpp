// The VT model alone, without a pty or a screen: what a program writes,
// in 4 KiB pieces as a pty hands them out, into a 46x156 VtScreen (a VT
// window's size in bench_desktop), against libvterm's own screen layer fed
// the same bytes in the same run. Two streams: `seq 1 400000` (short lines:
// scrolling dominates) and the 10 MB text bench_desktop cats (longer
// lines: glyphs dominate), each line ended as the pty's ONLCR ends it.
// With a 2 000-line scrollback (a VT window's) and none (a hub session's
// screen). Best of 3 runs each; MB/s.
#include <unistd.h>
#include <vterm.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "tests/bench/bench_util.h"
#include "term/vt_screen.h"

using namespace grio;
using grio::bench::since;
namespace fs = std::filesystem;

namespace {

constexpr int rows = 46, cols = 156;
constexpr size_t piece = 4096;

template <class F>
double best_mbs(const std::string& bytes, F feed_all) {
  double best = 1e9;
  for (int i = 0; i < 3; i++) {
    auto t0 = std::chrono::steady_clock::now();
    feed_all();
    best = std::min(best, since(t0));
  }
  return double(bytes.size()) / best / 1e6;
}

double vtscreen(const std::string& bytes, size_t scrollback) {
  return best_mbs(bytes, [&] {
    term::VtScreen s(rows, cols, term::VtConfig{scrollback});
    for (size_t o = 0; o < bytes.size(); o += piece) s.write(std::string_view(bytes).substr(o, piece));
  });
}

// libvterm's screen layer, its scrollback taken as VTermScreenCells when
// we keep one (as a terminal using it would).
int keep_line(int ncols, const VTermScreenCell* cells, void* user) {
  static_cast<std::vector<VTermScreenCell>*>(user)->assign(cells, cells + ncols);
  return 1;
}

double libvterm_screen(const std::string& bytes, bool scrollback) {
  return best_mbs(bytes, [&] {
    VTerm* vt = vterm_new(rows, cols);
    vterm_set_utf8(vt, 1);
    VTermScreen* screen = vterm_obtain_screen(vt);
    static VTermScreenCallbacks cb{};
    cb.sb_pushline = keep_line;
    std::vector<VTermScreenCell> last;
    if (scrollback) vterm_screen_set_callbacks(screen, &cb, &last);
    vterm_screen_reset(screen, 1);
    for (size_t o = 0; o < bytes.size(); o += piece) vterm_input_write(vt, bytes.data() + o, std::min(piece, bytes.size() - o));
    vterm_free(vt);
  });
}

std::string crlf(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace

int main() {
  std::string seq;
  for (int i = 1; i <= 400000; i++) seq += std::to_string(i) + "\n";
  fs::path file = fs::temp_directory_path() / ("bench_vt_" + std::to_string(::getpid()) + ".txt");
  bench::make_text(file, 10'000'000);
  std::string text = bench::slurp(file);
  fs::remove(file);
  std::printf("VT model, %dx%d, 4 KiB writes, best of 3 (MB/s; ratio = VtScreen / libvterm's screen layer)\n", rows, cols);
  for (auto& [name, bytes] : {std::pair{"seq 1 400000", crlf(seq)}, std::pair{"10 MB text", crlf(text)}}) {
    for (size_t sb : {size_t(2000), size_t(0)}) {
      double ours = vtscreen(bytes, sb), theirs = libvterm_screen(bytes, sb != 0);
      std::printf("  %-13s scrollback %4zu: VtScreen %6.1f  libvterm screen %6.1f  ratio %.2f\n", name, sb, ours, theirs,
                  ours / theirs);
    }
  }
  return 0;
}

// The scene feed (grio view): what a screen of text, a one-line scroll and
// a typed key's echo cost on the wire, beside the bytes of the text itself
// (the baseline: what a viewer would be sent as plain text, and what it
// shows), and how long encoding and decoding take.
//
//   A window of 200 columns by 60 rows laid out by the model itself
//   (scene_window of a Window with bench_util's text written to it, the
//   end shown), alone on a 1626×970 screen. Frames go through one
//   FeedEncoder and one FeedDecoder, as a feed does:
//     full:   the first frame (nothing held yet);
//     scroll: one more line of output, the window scrolled by one row;
//     echo:   one rune typed at the end of the last row;
//     steady: 200 lines of output one at a time, bytes a frame on average.
//   Ratios are frame bytes over the text's bytes (the full screen's, or
//   the one new line's). Times are the mean of 200 frames (reported only).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "term/layout.h"
#include "tests/bench/bench_util.h"
#include "wsys/scene_codec.h"
#include "wsys/window.h"

using namespace grio;
using namespace grio::wsys;

namespace {

constexpr int Cols = 200, Rows = 60;
const Metrics metrics;

struct Bench {
  Window w{1};
  FeedEncoder enc;
  FeedDecoder dec;
  Scene scene;
  double encode_s = 0, decode_s = 0;

  Bench() {
    w.rect = rect(0, 0, 21 + 5 + Cols * metrics.font_w, 10 + Rows * metrics.font_h);
    scene.screen = w.rect;
  }
  void write(std::string_view text) {
    w.text.write(w.shell_output, text);
    Rect t = text_rect(w.rect);
    size_t cols = size_t(t.dx() / metrics.font_w), rows = size_t(t.dy() / metrics.font_h);
    w.text.set_org(term::org_showing_end(w.text.runes(), w.text.org(), cols, rows));
    w.view_version++;
  }
  // The frame of the window as it is now: its bytes on the wire.
  size_t frame() {
    auto s = std::make_shared<Scene>(scene);
    s->seq++;
    s->windows = {scene_window(w, true, metrics)};
    scene = *s;
    std::string wire;
    auto t0 = std::chrono::steady_clock::now();
    enc.encode(ViewFrame{s, {}, {}, false}, wire);
    encode_s += bench::since(t0);
    std::vector<ViewFrame> got;
    t0 = std::chrono::steady_clock::now();
    if (auto e = dec.push(wire, got); !e.empty() || got.size() != 1 || scene_diff(*s, *got[0].scene) != "") {
      std::fprintf(stderr, "bench_view: the frame did not come back: %s\n", e.c_str());
      std::exit(1);
    }
    decode_s += bench::since(t0);
    return wire.size();
  }
};

size_t shown_bytes(const SceneWindow& w) {
  size_t n = 0;
  for (auto& r : w.rows) n += term::to_utf8(r.cells).size() + 1;
  return n;
}

}  // namespace

int main() {
  auto dir = std::filesystem::temp_directory_path() / ("bench_view." + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  bench::make_text(dir / "text", 1 << 20);
  std::string text = bench::slurp(dir / "text");
  std::filesystem::remove_all(dir);
  std::vector<std::string> lines;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    std::string l = text.substr(at, nl - at);
    // Lines of 80 to 200 columns: bench_util's, doubled and cut.
    l = (l + " " + l).substr(0, 80 + lines.size() * 37 % 121);
    lines.push_back(l + "\n");
    at = nl + 1;
  }

  Bench b;
  size_t next = 0;
  std::string screen;
  for (; next < Rows - 1; next++) screen += lines[next];
  b.write(screen);
  size_t full = b.frame();
  size_t full_text = shown_bytes(*b.scene.windows[0]);

  b.write(lines[next++]);
  size_t scroll = b.frame();
  size_t line = lines[next - 1].size();

  b.write("x");
  size_t echo = b.frame();

  size_t steady = 0, steady_text = 0;
  b.encode_s = b.decode_s = 0;
  for (int i = 0; i < 200; i++, next++) {
    b.write(lines[next]);
    steady += b.frame();
    steady_text += lines[next].size();
  }
  std::printf("scene feed, a %dx%d window of text:\n", Cols, Rows);
  std::printf("  full screen  %6zu bytes  (its text %zu bytes: %.2fx)\n", full, full_text, double(full) / double(full_text));
  std::printf("  scroll 1     %6zu bytes  (the new line %zu bytes: %.2fx)\n", scroll, line, double(scroll) / double(line));
  std::printf("  key echo     %6zu bytes\n", echo);
  std::printf("  200 lines    %6.1f bytes a frame (a line %.1f bytes: %.2fx)\n", double(steady) / 200,
              double(steady_text) / 200, double(steady) / double(steady_text));
  std::printf("  encode %.1f us, decode %.1f us a frame (mean of 200 scrolls)\n", b.encode_s / 200 * 1e6,
              b.decode_s / 200 * 1e6);
  return 0;
}

// Rune widths: a table of runs taken once from glibc's wcwidth.
//
// glibc generates its width table from the Unicode data files (Debian 12's
// glibc 2.36: Unicode 14), and the shells and editors in our windows count
// cells with the same wcwidth, so asking it keeps their cursor where we
// draw it. Asked through a locale object of our own: the process's locale
// is never changed. C.UTF-8 is built into glibc since 2.35.
#include "term/width.h"

#include <locale.h>
#include <wchar.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace grio::term {

namespace {

// Every rune below this is one cell wide (Latin, Greek up to the
// combining marks at U+0300): no table look-up for them.
constexpr char32_t FirstNotNarrow = 0x300;
constexpr char32_t RuneMax = 0x10FFFF;

struct Run {
  char32_t first;  // runs from here up to the next run's first
  int width;
};

int glibc_width(char32_t r) {
  int w = ::wcwidth(wchar_t(r));
  return w < 0 ? 1 : w;
}

// The code points as runs of equal width, in order. Without a UTF-8 locale
// (glibc older than 2.35) every rune is narrow, as before widths existed.
std::vector<Run> make_runs() {
  std::vector<Run> runs{{0, 1}};
  locale_t utf8 = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(0));
  if (!utf8) return runs;
  locale_t old = ::uselocale(utf8);
  for (char32_t r = FirstNotNarrow; r <= RuneMax; r++)
    if (int w = glibc_width(r); w != runs.back().width) runs.push_back({r, w});
  ::uselocale(old);
  ::freelocale(utf8);
  return runs;
}

}  // namespace

int cell_width(char32_t r) {
  if (r < FirstNotNarrow) return 1;
  static const std::vector<Run> runs = make_runs();
  auto after = std::upper_bound(runs.begin(), runs.end(), r, [](char32_t q, const Run& run) { return q < run.first; });
  return std::prev(after)->width;
}

}  // namespace grio::term

// cell_width(): wide, narrow and zero-width runes, as glibc's wcwidth.
#include <locale.h>
#include <wchar.h>

#include <catch2/catch.hpp>

#include "term/width.h"

using grio::term::cell_width;

TEST_CASE("CJK and emoji take two cells and combining marks none", "[term]") {
  CHECK(cell_width(U'a') == 1);
  CHECK(cell_width(U'\u00E9') == 1);      // é, precomposed
  CHECK(cell_width(U'\u4E2D') == 2);      // 中
  CHECK(cell_width(U'\u3000') == 2);      // ideographic space
  CHECK(cell_width(U'\uFF21') == 2);      // fullwidth A
  CHECK(cell_width(U'\uAC00') == 2);      // Hangul syllable
  CHECK(cell_width(U'\U0001F600') == 2);  // 😀
  CHECK(cell_width(U'\U00020000') == 2);  // CJK extension B
  CHECK(cell_width(U'\u0301') == 0);      // combining acute
  CHECK(cell_width(U'\u200B') == 0);      // zero width space
  CHECK(cell_width(U'\uFE0F') == 0);      // emoji variation selector
  CHECK(cell_width(U'\u2603') == 1);      // ☃: text presentation
  CHECK(cell_width(U'\u0378') == 1);      // unassigned: one box
  CHECK(cell_width(U'\x7F') == 1);
}

// The table is glibc's, taken into runs: every code point must agree.
TEST_CASE("cell_width agrees with glibc's wcwidth for every code point", "[term]") {
  locale_t utf8 = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(0));
  REQUIRE(utf8);
  locale_t old = ::uselocale(utf8);
  char32_t first_bad = 0;
  int bad = 0;
  for (char32_t r = 0x20; r <= 0x10FFFF; r++) {
    int w = ::wcwidth(wchar_t(r));
    if (cell_width(r) != (w < 0 ? 1 : w) && bad++ == 0) first_bad = r;
  }
  ::uselocale(old);
  ::freelocale(utf8);
  INFO("first disagreement at U+" << std::hex << uint32_t(first_bad));
  CHECK(bad == 0);
}

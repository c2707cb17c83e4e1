// term: what a double click selects.
#include <catch2/catch.hpp>

#include "term/select.h"

using grio::term::double_click;

namespace {
std::u32string picked(std::u32string_view t, size_t q) {
  auto [a, b] = double_click(t, q);
  return std::u32string(t.substr(a, b - a));
}
}  // namespace

TEST_CASE("double click selects bracket contents with nesting", "[term]") {
  std::u32string t = U"f(a, (b), c) x";
  CHECK(picked(t, 2) == U"a, (b), c");   // just after the '('
  CHECK(picked(t, 11) == U"a, (b), c");  // just before the ')'
  CHECK(picked(U"say \"hi there\" now", 5) == U"hi there");
}

TEST_CASE("double click at a line's start or end selects the line", "[term]") {
  std::u32string t = U"one\ntwo three\nfour";
  CHECK(picked(t, 4) == U"two three\n");
  CHECK(picked(t, 13) == U"two three");
  CHECK(picked(t, 0) == U"one\n");
}

TEST_CASE("double click in a word selects the word", "[term]") {
  std::u32string t = U"echo hello_world42 now";
  CHECK(picked(t, 8) == U"hello_world42");
  CHECK(picked(t, 2) == U"echo");
}

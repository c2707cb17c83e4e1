// layout(): rows of cells from org, wrapping, tabs, wide and combining
// runes, visible_end, and clicks from cells back to runes.
#include <catch2/catch.hpp>

#include "term/layout.h"

using namespace grio::term;

namespace {

std::vector<std::pair<size_t, size_t>> spans(const std::vector<Row>& rows) {
  std::vector<std::pair<size_t, size_t>> s;
  for (const Row& r : rows)
    s.emplace_back(r.start, r.end);
  return s;
}

using Spans = std::vector<std::pair<size_t, size_t>>;

}  // namespace

TEST_CASE("lines become rows, the newline part of its row", "[term]") {
  CHECK(spans(layout(U"ab\ncd", 0, 10, 10)) == Spans{{0, 3}, {3, 5}});
  CHECK(spans(layout(U"ab\n", 0, 10, 10)) == Spans{{0, 3}, {3, 3}});
  CHECK(spans(layout(U"", 0, 10, 10)) == Spans{{0, 0}});
}

TEST_CASE("long lines wrap at the width", "[term]") {
  CHECK(spans(layout(U"abcdefg", 0, 3, 10)) == Spans{{0, 3}, {3, 6}, {6, 7}});
  // A newline exactly at the end of a full row adds no empty row.
  CHECK(spans(layout(U"abc\nd", 0, 3, 10)) == Spans{{0, 4}, {4, 5}});
}

TEST_CASE("tabs run to the next stop of 8 columns", "[term]") {
  // "a\tb": a at 0, tab 1..8, b at 8: fits in 9 columns, wraps in 8.
  CHECK(spans(layout(U"a\tb", 0, 9, 10)) == Spans{{0, 3}});
  CHECK(spans(layout(U"a\tb", 0, 8, 10)) == Spans{{0, 2}, {2, 3}});
  // A tab is clipped at the row's end rather than wrapped.
  CHECK(spans(layout(U"abcd\tx", 0, 6, 10)) == Spans{{0, 5}, {5, 6}});
  CHECK(spans(layout(U"\t\tx", 0, 20, 10)) == Spans{{0, 3}});
  CHECK(spans(layout(U"\t\t\tx", 0, 20, 10)) == Spans{{0, 3}, {3, 4}});
}

// a 中 e+acute 😀 b: cells a | 中中 | é | 😀😀 | b
TEST_CASE("wide runes take two cells and combining marks none", "[term]") {
  std::u32string t = U"a\u4E2De\u0301\U0001F600b";
  CHECK(spans(layout(t, 0, 7, 10)) == Spans{{0, 6}});
  CHECK(columns(t, Row{0, 6}, 7) == std::vector<size_t>{0, 1, 3, 4, 4, 6, 7});
  CHECK(visible_end(t, 0, 7, 1) == t.size());
}

TEST_CASE("a wide rune that does not fit at the row end goes to the next row", "[term]") {
  CHECK(spans(layout(U"ab\u4E2D", 0, 3, 10)) == Spans{{0, 2}, {2, 3}});
  CHECK(spans(layout(U"abc\u4E2D", 0, 4, 10)) == Spans{{0, 3}, {3, 4}});
  CHECK(spans(layout(U"\u4E2D\u4E2D\u4E2D", 0, 5, 10)) == Spans{{0, 2}, {2, 3}});
  CHECK(spans(layout(U"\U0001F600\U0001F600", 0, 3, 10)) == Spans{{0, 1}, {1, 2}});
  // One cell: each wide rune alone on its row, clipped.
  CHECK(spans(layout(U"\u4E2D\u4E2D", 0, 1, 10)) == Spans{{0, 1}, {1, 2}});
  // A combining mark stays with its rune on a full row.
  CHECK(spans(layout(U"abe\u0301x", 0, 3, 10)) == Spans{{0, 4}, {4, 5}});
}

TEST_CASE("a click on either half of a rune picks the nearer side of it", "[term]") {
  std::u32string t = U"a\u4E2Db\n";  // cells a | 中中 | b
  Row row{0, 4};
  std::vector<size_t> at;
  for (size_t half = 0; half < 10; half++) at.push_back(boundary_at(t, row, 20, half));
  // a: before, after; 中's first cell: before it; its second: after; b; past the end: before \n.
  CHECK(at == std::vector<size_t>{0, 1, 1, 1, 2, 2, 2, 3, 3, 3});
  // Never between a rune and its combining marks.
  std::u32string m = U"e\u0301\u0308x";
  CHECK(boundary_at(m, Row{0, 4}, 20, 0) == 0);
  CHECK(boundary_at(m, Row{0, 4}, 20, 1) == 3);
  CHECK(boundary_at(m, Row{0, 4}, 20, 3) == 4);
}

TEST_CASE("layout starts at org and stops at max_rows", "[term]") {
  std::u32string text = U"l1\nl2\nl3\nl4\n";
  CHECK(spans(layout(text, 3, 10, 2)) == Spans{{3, 6}, {6, 9}});
  CHECK(visible_end(text, 3, 10, 2) == 9);
  CHECK(visible_end(text, 0, 10, 100) == text.size());
  CHECK(layout(text, 0, 10, 0).empty());
}

TEST_CASE("visible_end tells no-scroll mode when to stop output", "[term]") {
  std::u32string text = U"aaaa\nbbbb\ncccc";
  size_t end = visible_end(text, 0, 4, 2);
  CHECK(end == 10);   // rows "aaaa\n" and "bbbb\n"
  CHECK(5 <= end);    // qh on the second row: write allowed
  CHECK(11 > end);    // qh in "cccc": blocked until the user scrolls
}

TEST_CASE("rows_back steps back over wrapped rows", "[term]") {
  std::u32string t = U"abcdefghij\nxy\n";  // 4 cols: abcd efgh ij | xy | (empty)
  CHECK(grio::term::rows_back(t, 11, 4, 1) == 8);   // from "xy" to "ij"
  CHECK(grio::term::rows_back(t, 11, 4, 3) == 0);
  CHECK(grio::term::rows_back(t, 11, 4, 9) == 0);   // stops at the start
}

TEST_CASE("org_showing_end keeps the end on the last row", "[term]") {
  std::u32string t;
  for (int i = 0; i < 10; i++) t += U"line\n";
  size_t org = grio::term::org_showing_end(t, 0, 80, 3);
  CHECK(grio::term::visible_end(t, org, 80, 3) == t.size());
  CHECK(org == 8 * 5);  // rows: line 9, line 10, and the empty last row
  CHECK(grio::term::org_showing_end(U"short\n", 0, 80, 3) == 0);
}

TEST_CASE("rows_back agrees with a layout of the whole text from its start", "[term]") {
  // Lines of many lengths, with tabs, 6 columns wide: rows wrap, some
  // exactly at the row's end, and every line start is a row start.
  std::u32string t;
  uint32_t x = 7;
  for (int line = 0; line < 60; line++) {
    x = x * 1103515245 + 12345;
    for (size_t i = 0, len = (x >> 16) % 23; i < len; i++) t += i % 7 == 3 ? U'\t' : char32_t(U'a' + i);
    t += U'\n';
  }
  std::vector<size_t> starts;
  for (const Row& r : layout(t, 0, 6, SIZE_MAX)) starts.push_back(r.start);
  for (size_t i = 0; i < starts.size(); i++)
    for (size_t n : {1, 2, 5, 40}) CHECK(rows_back(t, starts[i], 6, n) == starts[i >= n ? i - n : 0]);
}

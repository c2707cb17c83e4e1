// Text laid out into rows of character cells: what a window of a given
// width shows from its origin. No pixels; the renderer maps cells to glyphs.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "term/width.h"

namespace grio::term {

inline constexpr size_t Tabstop = 8;  // columns between tab stops

// Runes [start, end) of the text are drawn on one row; a row ended by a
// newline includes it (it takes no cell). The next row starts at end.
struct Row {
  size_t start = 0;
  size_t end = 0;
};

// Rows of text from org, at most max_rows of them, cols cells wide (0 is
// taken as 1). Runes take cell_width() cells. A rune that does not fit
// wraps to the next row, so a wide rune is never split (one alone on a row
// of one cell is clipped); a zero-width rune stays on the row of the rune
// it draws over. A tab runs to the next multiple of Tabstop or the end of
// the row, whichever is first; a newline that lands exactly at the end of a
// full row does not add an empty row. After a final newline (or from org ==
// size) there is one empty row {size, size}: where the cursor sits.
std::vector<Row> layout(std::u32string_view text, size_t org, size_t cols,
                        size_t max_rows);

// The cell each rune of row starts in, and one more entry for the row's
// end: a zero-width rune starts where the rune after it does, and so
// takes no cell.
std::vector<size_t> columns(std::u32string_view text, Row row, size_t cols);

// The rune boundary nearest to a click in half-cell half of row (2 × the
// cell, plus one in its right half): before or after the rune whose cells
// hold it, whichever is nearer. So a narrow rune's left half is before it
// and its right half after it, and a wide rune's first cell is before it
// and its second after it. A boundary never falls between a rune and the
// zero-width runes that draw over it. Past the row's runes: the row's end,
// before its newline if it has one.
size_t boundary_at(std::u32string_view text, Row row, size_t cols, size_t half);

// The first rune not visible in a window of rows×cols showing text from
// org: rio's org+nchars. In no-scroll mode output is accepted only while
// qh <= visible_end(...) (reference §2.4).
size_t visible_end(std::u32string_view text, size_t org, size_t cols, size_t rows);

// The start of the row n rows above the row that starts at q (q should
// start a row: a line start or a place layout() broke at). Rows wrap, so
// whole lines before q are laid out; stops at 0.
// BUG: a single line of megabytes is laid out whole each time.
size_t rows_back(std::u32string_view text, size_t q, size_t cols, size_t n);

// The origin that shows the text's end on the last of rows rows, or the
// current org if the end is already visible from it (scrolling output).
size_t org_showing_end(std::u32string_view text, size_t org, size_t cols, size_t rows);

}  // namespace grio::term

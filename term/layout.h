// Text laid out into rows of character cells: what a window of a given
// width shows from its origin. No pixels; the renderer maps cells to glyphs.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace grio::term {

inline constexpr size_t Tabstop = 8;  // columns between tab stops

// Runes [start, end) of the text are drawn on one row; a row ended by a
// newline includes it (it takes no cell). The next row starts at end.
struct Row {
  size_t start = 0;
  size_t end = 0;
};

// Cells a rune takes outside tabs.
// BUG: every rune counts as one cell; East Asian wide runes and combining
// marks are laid out as if narrow (wcwidth-like widths come with fonts/).
size_t cell_width(char32_t r);

// Rows of text from org, at most max_rows of them, cols cells wide (0 is
// taken as 1). A rune that does not fit wraps to the next row; a tab runs
// to the next multiple of Tabstop or the end of the row, whichever is
// first; a newline that lands exactly at the end of a full row does not add
// an empty row. After a final newline (or from org == size) there is one
// empty row {size, size}: where the cursor sits.
std::vector<Row> layout(std::u32string_view text, size_t org, size_t cols,
                        size_t max_rows);

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

// Laying text out into rows of cells.
#include "term/layout.h"

#include <algorithm>

namespace grio::term {

namespace {

// Cells the rune at column col takes on a row of cols cells; col < cols,
// or col == cols for a zero-width rune.
size_t width_at(char32_t r, size_t col, size_t cols) {
  if (r == '\t')
    return std::min(col / Tabstop * Tabstop + Tabstop, cols) - col;
  return std::min(size_t(cell_width(r)), cols - col);
}

// Whether r, not a newline, must start a new row at column col: it does
// not fit, and the row has something in it already.
bool wraps(char32_t r, size_t col, size_t cols) {
  size_t need = r == '\t' ? 1 : size_t(cell_width(r));
  return need > 0 && col > 0 && col + need > cols;
}

}  // namespace

std::vector<Row> layout(std::u32string_view text, size_t org, size_t cols,
                        size_t max_rows) {
  std::vector<Row> rows;
  cols = std::max<size_t>(cols, 1);
  org = std::min(org, text.size());
  Row row{org, org};
  size_t col = 0;
  bool ended_by_newline = org == text.size();  // so an empty text has a row
  for (size_t q = org; q < text.size() && rows.size() < max_rows; q++) {
    char32_t r = text[q];
    if (r != '\n' && wraps(r, col, cols)) {
      rows.push_back(row);
      if (rows.size() == max_rows)
        return rows;
      row = Row{q, q};
      col = 0;
    }
    row.end = q + 1;
    ended_by_newline = r == '\n';
    if (ended_by_newline) {
      rows.push_back(row);
      row = Row{q + 1, q + 1};
      col = 0;
    } else {
      col += width_at(r, col, cols);
    }
  }
  if (rows.size() < max_rows && (row.end > row.start || ended_by_newline))
    rows.push_back(row);
  return rows;
}

std::vector<size_t> columns(std::u32string_view text, Row row, size_t cols) {
  std::vector<size_t> col;
  size_t c = 0;
  for (size_t q = row.start; q < row.end; q++) {
    col.push_back(c);
    if (text[q] != '\n') c += width_at(text[q], c, cols);
  }
  col.push_back(c);
  return col;
}

size_t boundary_at(std::u32string_view text, Row row, size_t cols, size_t half) {
  std::vector<size_t> col = columns(text, row, cols);
  for (size_t i = 0; i < row.end - row.start; i++) {
    if (text[row.start + i] == '\n') return row.start + i;
    if (half >= 2 * col[i + 1]) continue;  // left of half; zero-width runes always are
    if (half - 2 * col[i] < col[i + 1] - col[i]) return row.start + i;
    size_t after = i + 1;
    while (after < row.end - row.start && text[row.start + after] != '\n' && col[after] == col[after + 1]) after++;
    return row.start + after;
  }
  return row.end;
}

size_t visible_end(std::u32string_view text, size_t org, size_t cols, size_t rows) {
  std::vector<Row> shown = layout(text, org, cols, rows);
  return shown.empty() ? std::min(org, text.size()) : shown.back().end;
}

size_t rows_back(std::u32string_view text, size_t q, size_t cols, size_t n) {
  q = std::min(q, text.size());
  while (n > 0 && q > 0) {
    size_t ls = q - 1;
    while (ls > 0 && text[ls - 1] != '\n') ls--;
    std::vector<size_t> starts;
    // Cut at q: rows starting before q do not depend on what follows it,
    // and laying out on to the end of the text, for each line back, made
    // scrolling output cost the square of the rows shown.
    for (auto& r : layout(text.substr(0, q), ls, cols, SIZE_MAX)) {
      if (r.start >= q) break;
      starts.push_back(r.start);
    }
    if (starts.size() >= n) return starts[starts.size() - n];
    n -= starts.size();
    q = ls;
  }
  return q;
}

size_t org_showing_end(std::u32string_view text, size_t org, size_t cols, size_t rows) {
  if (visible_end(text, org, cols, rows) >= text.size() && org <= text.size()) return org;
  // The row the end is on, then rows-1 above it.
  size_t ls = text.size();
  while (ls > 0 && text[ls - 1] != '\n') ls--;
  auto tail = layout(text, ls, cols, SIZE_MAX);
  size_t last = tail.empty() ? ls : tail.back().start;
  return rows_back(text, last, cols, rows > 0 ? rows - 1 : 0);
}

}  // namespace grio::term

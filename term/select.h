// What a double click selects in text (rio's wselect/wdoubleclick):
// bracket and quote contents, a whole line, or a word.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

namespace grio::term {

// The range [q0, q1) a double click at q selects: after an opening bracket
// or quote (or before a closing one), what lies between it and its match;
// at the start or end of a line, the line (its newline included); else the
// run of word runes (letters, digits, '_', non-ASCII) around q.
std::pair<size_t, size_t> double_click(std::u32string_view text, size_t q);

// The first rune of the row-ish unit before q: the start of q's line.
size_t line_start(std::u32string_view text, size_t q);

}  // namespace grio::term

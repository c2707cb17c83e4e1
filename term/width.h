// How many character cells a rune takes: glibc's wcwidth under C.UTF-8,
// so the layout agrees with what programs in a window count.
#pragma once

namespace grio::term {

// 2 for East Asian wide and fullwidth runes (CJK, most emoji), 0 for
// combining marks and other zero-width runes (drawn over the rune before
// them), 1 for the rest, including controls and unassigned code points
// (which draw as one replacement box). Tabs and newlines are layout's.
int cell_width(char32_t r);

}  // namespace grio::term

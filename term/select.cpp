// Double-click selection, after 9front rio's wdoubleclick.
#include "term/select.h"

namespace grio::term {

namespace {

constexpr std::u32string_view opens = U"{[(<«'\"`";
constexpr std::u32string_view closes = U"}])>»'\"`";

bool word_rune(char32_t r) {
  return r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r >= 0x80;
}

// Index of the rune that closes open at q (searching forward from q) or
// opens close (searching back from q-1), honouring nesting; npos if none.
size_t match_forward(std::u32string_view t, size_t q, char32_t open, char32_t close) {
  int depth = 1;
  for (; q < t.size(); q++) {
    if (t[q] == close && open != close && --depth == 0) return q;
    if (t[q] == close && open == close) return q;
    if (t[q] == open && open != close) depth++;
  }
  return std::u32string_view::npos;
}

size_t match_back(std::u32string_view t, size_t q, char32_t open, char32_t close) {
  int depth = 1;
  while (q-- > 0) {
    if (t[q] == open && (open == close || --depth == 0)) return q + 1;
    if (t[q] == close && open != close) depth++;
  }
  return std::u32string_view::npos;
}

}  // namespace

size_t line_start(std::u32string_view t, size_t q) {
  while (q > 0 && t[q - 1] != '\n') q--;
  return q;
}

std::pair<size_t, size_t> double_click(std::u32string_view t, size_t q) {
  if (q > t.size()) q = t.size();
  if (q > 0) {
    if (size_t i = opens.find(t[q - 1]); i != opens.npos) {
      size_t e = match_forward(t, q, opens[i], closes[i]);
      if (e != t.npos) return {q, e};
    }
  }
  if (q < t.size()) {
    if (size_t i = closes.find(t[q]); i != closes.npos) {
      size_t b = match_back(t, q, opens[i], closes[i]);
      if (b != t.npos) return {b, q};
    }
  }
  if (q == 0 || t[q - 1] == '\n') {  // line start: the line, newline included
    size_t e = q;
    while (e < t.size() && t[e] != '\n') e++;
    return {q, e < t.size() ? e + 1 : e};
  }
  if (q == t.size() || t[q] == '\n') return {line_start(t, q), q};  // line end
  size_t b = q, e = q;
  while (b > 0 && word_rune(t[b - 1])) b--;
  while (e < t.size() && word_rune(t[e])) e++;
  return {b, e};
}

}  // namespace grio::term

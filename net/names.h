// Names and words as text commands carry them: a session, hub or export
// name, and a ctl line split into words.
#pragma once

#include <cctype>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace grio::net {

// What a shell word and a file name can both carry: 1 to 64 bytes of
// letters, digits, `.`, `_` and `-`, and never `.` or `..`.
inline bool plain_name(std::string_view n) {
  if (n.empty() || n.size() > 64 || n == "." || n == "..") return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

// A command line's words, split at white space.
inline std::vector<std::string> words(std::string_view s) {
  std::istringstream in{std::string(s)};
  std::vector<std::string> w;
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

}  // namespace grio::net

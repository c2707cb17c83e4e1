// Rights by name.
#include "net/rights.h"

#include <algorithm>
#include <array>
#include <utility>

namespace grio::net {

namespace {
constexpr std::array<std::pair<std::string_view, Rights>, 6> names{{
    {"view", right::view},
    {"type", right::type},
    {"push", right::push},
    {"manage", right::manage},
    {"snarf", right::snarf},
    {"exec", right::exec},
}};
}  // namespace

std::optional<Rights> parse_rights(std::string_view list, std::string& why) {
  const std::string_view whole = list;
  Rights out = 0;
  while (true) {
    auto comma = list.find(',');
    auto word = list.substr(0, comma);
    if (word == "all") {
      out |= right::all;
    } else {
      auto it = std::find_if(names.begin(), names.end(), [&](auto& n) { return n.first == word; });
      if (it == names.end()) {
        why = word.empty() ? "empty right in '" + std::string(whole) + "'"
                           : "unknown right '" + std::string(word) + "' (view, type, push, manage, snarf, exec)";
        return std::nullopt;
      }
      out |= it->second;
    }
    if (comma == std::string_view::npos) return out;
    list.remove_prefix(comma + 1);
  }
}

std::string rights_string(Rights r) {
  std::string out;
  for (auto& [name, bit] : names)
    if (r & bit) out += (out.empty() ? "" : ",") + std::string(name);
  return out.empty() ? "none" : out;
}

}  // namespace grio::net

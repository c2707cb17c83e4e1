// rc quoting, shared by the commands that print or send rc words.
#include "wsys/cmd/quote.h"

namespace grio::cmd {

std::string rc_quote(const std::string& s) {
  bool plain = !s.empty() && s.find_first_of(" \t\n\r\v\f'`^#*[]=|\\?${}()\"<>&;") == std::string::npos;
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

}  // namespace grio::cmd

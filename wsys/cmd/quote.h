// Quoting for rc, Plan 9's shell, whose rules wctl's -cd also follows.
#pragma once

#include <string>

namespace grio::cmd {

// Plan 9's %q: s as one rc word, quoted only if an rc user would have to
// quote it ('' stands for a quote inside quotes).
std::string rc_quote(const std::string& s);

}  // namespace grio::cmd

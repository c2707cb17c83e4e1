// grio serve run as a program on a Unix socket in a directory of its
// own, for the tests that drive grio's commands against it.
#pragma once

#include <string>
#include <vector>

#include "tests/net/process.h"

namespace grio::test {

// grio serve on a socket of its own, and shell text that runs grio there.
// Sessions run /bin/sh: a shell without line editing of its own, so typed
// ahead input and ^D mean the same whatever the user's shell is.
// With log_9p, every 9P message goes to the file `log` (grio serve -D).
struct GrioServe {
  bool shell_set = ::setenv("SHELL", "/bin/sh", 1) == 0;
  TempDir dir;
  std::string addr = "unix!" + (dir.path / "s").string();
  std::string log = (dir.path / "9p.log").string();
  Background serve;
  explicit GrioServe(bool log_9p = false)
      : serve(log_9p ? std::vector<std::string>{"/bin/sh", "-c",
                                                "exec " + grio("serve -D --listen " + addr) + " 2> " + log}
                     : std::vector<std::string>{GRIO_BINARY, "serve", "--listen", addr}) {
    REQUIRE(serve.first_line() == "wsys='" + addr + "'");
  }
  std::string grio(const std::string& args) const { return std::string(GRIO_BINARY) + " " + args; }
  std::string hub(const std::string& args) const { return grio("hub --wsys " + addr + " " + args); }
};

}  // namespace grio::test

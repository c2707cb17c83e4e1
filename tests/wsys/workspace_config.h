// A workspace's configuration for a test: its owner and its window
// system's limits, the rest as a workspace has them by default.
#pragma once

#include <string>

#include "wsys/workspace.h"

namespace grio::test {

// Set field by field: g++ 12 at -O3 (`make bench`) takes the server's
// std::function in a braced WorkspaceConfig{…, {}, …} for uninitialized
// (a false -Wmaybe-uninitialized).
inline wsys::WorkspaceConfig workspace_config(std::string owner, wsys::WsysConfig w = {}) {
  wsys::WorkspaceConfig c;
  c.wsys = std::move(w);
  c.owner = std::move(owner);
  return c;
}

}  // namespace grio::test

// The window system's tree served in process (tests/net/harness.h): the
// world of the tree, mouse, kbd and hub tests.
#pragma once

#include "tests/net/harness.h"
#include "tests/wsys/workspace_config.h"
#include "wsys/workspace.h"

namespace grio::test {

// The harness serves the workspace's tree itself; the workspace's own
// server serves nothing, but those of its sub-workspaces serve them.
struct WsysWorld {
  wsys::Workspace top;
  wsys::WindowSystem& ws;
  explicit WsysWorld(asio::io_context& io) : top(io, workspace_config("tester")), ws(top.ws()) {}
  net::FileTree& tree() { return top.tree(); }
  void close() { top.close(); }
};
using Wsys = BasicServed<WsysWorld>;

// Walks fid 0 along path into fid and opens it.
inline void open_at(Wire& w, uint32_t fid, std::vector<std::string> path, uint8_t mode) {
  w.rpc<Rwalk>(2, Twalk{0, fid, std::move(path)});
  w.rpc<Ropen>(3, Topen{fid, mode});
}

}  // namespace grio::test

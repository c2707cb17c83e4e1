// The window system's tree served in process (tests/net/harness.h): the
// world of the tree, mouse, kbd and hub tests.
#pragma once

#include "tests/net/harness.h"
#include "wsys/tree.h"

namespace grio::test {

struct WsysWorld {
  wsys::WindowSystem ws;
  wsys::WsysTree tree_;
  explicit WsysWorld(asio::io_context& io) : ws(io, wsys::WsysConfig{}), tree_(ws, "tester") {}
  net::FileTree& tree() { return tree_; }
  void close() { ws.close(); }
};
using Wsys = BasicServed<WsysWorld>;

// Walks fid 0 along path into fid and opens it.
inline void open_at(Wire& w, uint32_t fid, std::vector<std::string> path, uint8_t mode) {
  w.rpc<Rwalk>(2, Twalk{0, fid, std::move(path)});
  w.rpc<Ropen>(3, Topen{fid, mode});
}

}  // namespace grio::test

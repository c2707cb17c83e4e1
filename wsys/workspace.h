// A window system as a whole, made in one place: the model, its 9P tree,
// the server that serves it, and the sub-workspaces its windows host.
// grio serve and the desktop make one; a window made with `new -sub NAME`
// owns another, nested, which is a window system of its own: windows
// numbered from 1, its own snarf, hub/, screen and socket, and no name
// that leads out of it (it is served by a server and tree of its own).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/server.h"
#include "wsys/sandbox.h"
#include "wsys/tree.h"
#include "wsys/window_system.h"

namespace grio::wsys {

struct WorkspaceConfig {
  WsysConfig wsys;
  net::ServerConfig server;
  std::string owner = "none";  // who owns the files, in stats
  int max_depth = 4;           // sub-workspaces nest at most this deep
  size_t max_subs = 32;        // sub-workspaces at once, every depth together
  SandboxConfig sandbox{};     // for sandboxed sub-workspaces (-sandbox, or exported with exec)
};

// "" when name may name a sub-workspace, else why not.
net::Error check_sub_name(std::string_view name);
// A sub-workspace's screen: its host window's interior (inside the
// border), in coordinates of its own.
Rect sub_screen(Rect host);
// Where the interior of a host window at r starts on its parent's screen.
Point sub_origin(Rect host);

class Workspace {
 public:
  Workspace(asio::io_context& io, WorkspaceConfig cfg);
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  WindowSystem& ws() { return ws_; }
  WsysTree& tree() { return tree_; }
  net::Server& server() { return server_; }
  const std::string& name() const { return name_; }  // empty at the top
  int depth() const { return depth_; }               // 0 at the top

  // Listens on a dial string (net::Server::listen). The first address
  // bound is $wsys for the programs started here; the first Unix socket
  // is the one a sub-workspace's socket is named after.
  net::Result<std::string> listen(const std::string& dialstring, net::Server::Handoff handoff = nullptr);
  const std::string& address() const { return address_; }
  // Stops serving and hangs up every program, nested workspaces' too.
  void close();
  bool closed() const { return closed_; }
  // The sub-workspace at path (NAME, or NAME/NAME… through nested ones)
  // hosted by a live window; null if there is none.
  std::shared_ptr<Workspace> find_sub(std::string_view path);
  // Fences this sub-workspace from now on: every program it starts, and
  // every sub-workspace nested in it, runs under bwrap without network.
  // An error says why it cannot (bwrap missing): nothing changed then.
  net::Error sandbox();
  // Its sandbox, if it has one.
  const std::optional<Sandbox>& sandboxed() const { return sandbox_; }

 private:
  struct Count;  // sub-workspaces alive, shared by a whole tree of them
  Workspace(asio::io_context& io, WorkspaceConfig cfg, std::string name, int depth, std::shared_ptr<Count> count);
  net::Result<std::shared_ptr<Workspace>> nest(Window& host, const WctlCommand& c);
  net::Error fence(const std::string& dir, bool net);
  net::Error wrap(term::PtyConfig& pc);
  net::Error link(const Workspace& parent);
  std::function<void(std::function<void(std::string)>)> capture_of(int host);

  asio::io_context& io_;
  WorkspaceConfig cfg_;
  std::string name_;
  int depth_;
  std::shared_ptr<Count> count_;
  std::string address_, unix_path_;
  bool closed_ = false;
  std::optional<Sandbox> sandbox_;
  std::string bwrap_;  // the program that runs its programs, when sandboxed
  std::vector<std::string> links_;  // a sandboxed one's: symlinks to its socket named as a classic one's (P.NAME)
  WindowSystem ws_;
  WsysTree tree_;
  net::Server server_;  // last: its connections let go of the tree's nodes first
};

}  // namespace grio::wsys

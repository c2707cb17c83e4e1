// grio serve: the window system without a screen.
#include <CLI/CLI.hpp>

#include "net/exports.h"
#include "net/server.h"
#include "wsys/cmd/commands.h"
#include "wsys/cmd/serve_util.h"
#include "wsys/tree.h"
#include "wsys/window_system.h"

namespace grio::cmd {

int serve(int argc, char** argv) {
  CLI::App app{"the window system without a screen", "grio serve"};
  ServeOptions opt;
  opt.add_to(app);
  CLI11_PARSE(app, argc, argv);
  return serve_headless(opt);
}

int serve_headless(const ServeOptions& opt) {
  asio::io_context io;
  wsys::WindowSystem ws(io, wsys::WsysConfig{});
  wsys::WsysTree tree(ws, user_name());
  net::Server server(io, tree, opt.config());
  net::Exports exports(io, server);
  ws.set_exports(&exports);
  StopOnSignal stop(io, server);
  auto addr = listen_all(server, opt, "wsys", "wsys");
  if (!addr) return 1;
  ws.set_address(*addr);
  io.run();
  return 0;
}

}  // namespace grio::cmd

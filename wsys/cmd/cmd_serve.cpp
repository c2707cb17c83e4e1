// grio serve: the window system without a screen.
#include <CLI/CLI.hpp>

#include "net/server.h"
#include "wsys/cmd/commands.h"
#include "wsys/cmd/serve_util.h"
#include "wsys/tree.h"
#include "wsys/window_system.h"

namespace grio::cmd {

int serve(int argc, char** argv) {
  CLI::App app{"the window system without a screen", "grio serve"};
  std::vector<std::string> listen;
  bool debug = false;
  app.add_option("--listen,-l", listen, "dial string to listen on (unix!/path, tcp!127.0.0.1!port); repeatable");
  app.add_flag("-D", debug, "log every 9P message");
  CLI11_PARSE(app, argc, argv);

  asio::io_context io;
  wsys::WindowSystem ws(io, wsys::WsysConfig{});
  wsys::WsysTree tree(ws, user_name());
  net::ServerConfig cfg;
  cfg.debug = debug;
  net::Server server(io, tree, cfg);
  StopOnSignal stop(io, server);
  auto addr = listen_all(server, listen, "wsys", "wsys");
  if (!addr) return 1;
  ws.set_address(*addr);
  io.run();
  return 0;
}

}  // namespace grio::cmd

// grio ramfs: an in-memory 9P file server, like plan9port's ramfs.
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "net/asio.h"
#include "net/ramfs.h"
#include "net/server.h"
#include "wsys/cmd/commands.h"
#include "wsys/cmd/serve_util.h"

namespace grio::cmd {

int ramfs(int argc, char** argv) {
  CLI::App app{"an in-memory 9P2000 file server", "grio ramfs"};
  std::vector<std::string> listen;
  bool debug = false;
  app.add_option("--listen,-l", listen, "dial string to listen on (unix!/path, tcp!127.0.0.1!port); repeatable");
  app.add_flag("-D", debug, "log every 9P message");
  CLI11_PARSE(app, argc, argv);

  asio::io_context io;
  net::RamFs tree(user_name());
  net::ServerConfig cfg;
  cfg.debug = debug;
  net::Server server(io, tree, cfg);
  StopOnSignal stop(io, server);
  if (!listen_all(server, listen, "ramfs", "ramfs")) return 1;
  io.run();
  return 0;
}

}  // namespace grio::cmd

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
  ServeOptions opt;
  opt.add_to(app);
  CLI11_PARSE(app, argc, argv);

  asio::io_context io;
  net::RamFs tree(user_name());
  net::Server server(io, tree, opt.config());
  StopOnSignal stop(io, server);
  if (!listen_all(server, opt, "ramfs", "ramfs")) return 1;
  io.run();
  return 0;
}

}  // namespace grio::cmd

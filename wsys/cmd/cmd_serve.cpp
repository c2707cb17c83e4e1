// grio serve: the window system without a screen.
#include <CLI/CLI.hpp>

#include "net/exports.h"
#include "net/server.h"
#include "wsys/cmd/commands.h"
#include "wsys/cmd/serve_util.h"
#include "wsys/workspace.h"

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
  wsys::Workspace top(io, {wsys::WsysConfig{}, opt.config(), user_name()});
  net::Exports exports(io, top.server());
  top.ws().set_exports(&exports);
  StopOnSignal stop(io, top);
  if (!listen_all(top, opt, "wsys", "wsys")) return 1;
  io.run();
  return 0;
}

}  // namespace grio::cmd

// grio with no command: the desktop, with the window system served on the
// private socket and one shell window; headless (as grio serve) when there
// is no display.
#include <cstdio>
#include <thread>

#include <CLI/CLI.hpp>

#include "net/exports.h"
#include "net/server.h"
#include "wsys/cmd/commands.h"
#include "wsys/cmd/serve_util.h"
#include "wsys/desktop/controller.h"
#include "wsys/desktop/desktop.h"
#include "wsys/workspace.h"

namespace grio::cmd {

namespace {

int run_desktop(wsys::desktop::Desktop& d, const ServeOptions& opt) {
  asio::io_context io;
  wsys::WsysConfig cfg;
  cfg.screen = d.screen();
  wsys::Metrics m = d.metrics();
  cfg.font_width = m.font_w;
  cfg.font_height = m.font_h;
  wsys::Workspace top(io, {cfg, opt.config(), user_name()});
  wsys::WindowSystem& ws = top.ws();
  net::Exports exports(io, top.server());
  ws.set_exports(&exports);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&d](const error_code& ec, int) {
    if (!ec) d.quit();
  });
  if (!listen_all(top, opt, "wsys", "wsys")) return 1;
  wsys::desktop::Controller c(io, ws, {m, [&d](auto s) { d.publish(std::move(s)); },
                                       [&d](std::string t) { d.set_clipboard(std::move(t)); }, [&d] { d.quit(); },
                                       [&d](wsys::Point p) { d.warp(p); }});
  ws.capture = [&d, &io](std::function<void(std::string)> done) {
    d.capture([&io, done](std::string px) { asio::post(io, [done, px = std::move(px)] { done(px); }); });
  };
  ws.create(wsys::WctlCommand{});  // one shell window, as rio's -i would start
  std::thread io_thread([&io] { io.run(); });
  d.run(io, c, [&] {
    error_code ec;
    signals.cancel(ec);
    top.close();
    io.stop();
  });
  io_thread.join();
  return 0;
}

}  // namespace

int desktop(int argc, char** argv) {
  CLI::App app{"the desktop: rio on an SDL window", "grio"};
  ServeOptions opt;
  opt.add_to(app);
  wsys::desktop::DesktopOptions dopt;
  app.add_option("-f,--font", dopt.font, "font: a fontconfig name or a font file (default monospace)");
  app.add_option("-s,--size", dopt.points, "font size in points (default 10)");
  app.add_flag("-b", dopt.reversed, "reversed colours: white text on black");
  CLI11_PARSE(app, argc, argv);

  std::string why;
  auto d = wsys::desktop::Desktop::open(dopt, why);
  if (!d) {
    std::fprintf(stderr, "grio: %s: running the window system headless (as grio serve)\n", why.c_str());
    return serve_headless(opt);
  }
  return run_desktop(*d, opt);
}

}  // namespace grio::cmd

// grio with no command: the desktop, with the window system served on the
// private socket and one shell window; headless (as grio serve) when there
// is no display. Inside a grio window, a sub-workspace in that window.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

#include <CLI/CLI.hpp>

#include "net/client.h"
#include "net/errors.h"
#include "net/exports.h"
#include "net/server.h"
#include "wsys/cmd/commands.h"
#include "wsys/cmd/quote.h"
#include "wsys/cmd/serve_util.h"
#include "wsys/controller.h"
#include "wsys/desktop/desktop.h"
#include "wsys/workspace.h"

namespace grio::cmd {

namespace {

// resized: what the desktop's resizes go to, set here once the window
// system exists (before the desktop runs, on its thread).
int run_desktop(wsys::desktop::Desktop& d, const ServeOptions& opt, std::function<void(wsys::Rect)>& resized) {
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
  wsys::ControllerConfig cc;
  cc.metrics = m;
  cc.publish = [&d](auto s) { d.publish(std::move(s)); };
  cc.set_clipboard = [&d](std::string t) { d.set_clipboard(std::move(t)); };
  cc.exit = [&d] { d.quit(); };
  cc.warp = [&d](wsys::Point p) { d.warp(p); };
  wsys::Controller c(io, ws, std::move(cc));
  ws.capture = [&d, &io](std::function<void(std::string)> done) {
    d.capture([&io, done](std::string px) { asio::post(io, [done, px = std::move(px)] { done(px); }); });
  };
  ws.create(wsys::WctlCommand{});  // one shell window, as rio's -i would start
  // The desktop's window resized: the windows are scaled with it, as rio's.
  resized = [&io, &ws](wsys::Rect r) { asio::post(io, [&ws, r] { ws.resize_screen(r); }); };
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

// grio in a grio window, as rio run in a rio window: a window system
// nested there instead of a second SDL window. A sub-workspace (the next
// free subN) is made over the window, which is hidden meanwhile, with one
// shell in it. It ends when its host window is deleted (its Exit, or
// Delete in the window system around it), or when grio is interrupted;
// then the window shows again.
int run_nested(const std::string& wsys, const std::string& winid) {
  // The signals are taken by sigwait below, in every thread.
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  net::Error err;
  auto mine = net::SyncClient::dial(wsys, winid, err);  // our window: it stays while we run
  if (!mine) {
    std::fprintf(stderr, "grio: %s: %s\n", wsys.c_str(), err.c_str());
    return 1;
  }
  auto read_all = [](net::SyncClient& c, const std::string& path) -> net::Result<std::string> {
    auto fid = c.walk_path(path);
    if (!fid) return net::Result<std::string>::error(fid.error());
    auto o = c.open(*fid, ninep::OREAD);
    auto r = o ? c.read(*fid, 0, 4096) : net::Result<std::string>::error(o.error());
    c.clunk(*fid);
    return r;
  };
  auto write = [](net::SyncClient& c, const std::string& path, const std::string& msg) -> net::Error {
    auto fid = c.walk_path(path);
    if (!fid) return fid.error();
    auto o = c.open(*fid, ninep::OWRITE);
    auto w = o ? c.write(*fid, 0, msg) : net::Result<uint32_t>::error(o.error());
    c.clunk(*fid);
    return w ? net::Error{} : w.error();
  };
  auto rec = read_all(*mine, "wctl");
  int x0, y0, x1, y1;
  if (!rec || std::sscanf(rec->c_str(), "%d %d %d %d", &x0, &y0, &x1, &y1) != 4) {
    std::fprintf(stderr, "grio: cannot read this window's place: %s\n", rec ? "bad wctl" : rec.error().c_str());
    return 1;
  }
  // The host: made by attaching to it, so that this connection holds it.
  std::unique_ptr<net::SyncClient> host;
  std::string name;
  for (int i = 1; !host && i <= 1000; i++) {
    name = "sub" + std::to_string(i);
    host = net::SyncClient::dial(wsys, "new -r " + std::to_string(x0) + " " + std::to_string(y0) + " " +
                                           std::to_string(x1) + " " + std::to_string(y1) + " -sub " + name,
                                 err);
    if (!host && err.find(err::subexists) == std::string::npos) break;
  }
  if (!host) {
    std::fprintf(stderr, "grio: cannot make a sub-workspace: %s\n", err.c_str());
    return 1;
  }
  std::string why;
  auto a = net::parse_address(wsys, why);
  if (!a || a->kind != net::Address::Unix) {
    std::fprintf(stderr, "grio: a sub-workspace in a window of %s is reached there only\n", wsys.c_str());
    write(*host, "wctl", "delete");
    return 1;
  }
  if (!a->service.empty()) a->path = net::sub_socket(a->path, a->service);
  a->service = name;
  std::string addr = net::to_string(*a);
  write(*mine, "wctl", "hide");
  std::printf("wsys='%s'\n", addr.c_str());
  std::fflush(stdout);
  if (auto sub = net::SyncClient::dial(addr, "none", err)) {
    std::error_code ec;
    auto cwd = std::filesystem::current_path(ec);
    write(*sub, "wctl", "new" + (ec ? std::string() : " -cd " + rc_quote(cwd.string())));
  }
  // The host's cons is read by nobody else and never typed into (keys go
  // to the workspace inside): the read ends when the host is deleted.
  std::thread watch([&host] {
    auto fid = host->walk_path("cons");
    if (fid && host->open(*fid, ninep::OREAD)) host->read(*fid, 0, 1);
    ::kill(::getpid(), SIGUSR1);
  });
  int sig = 0;
  sigwait(&set, &sig);
  if (sig != SIGUSR1) write(*host, "wctl", "delete");
  host->close();
  watch.join();
  write(*mine, "wctl", "unhide");
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

  // In a grio window: nested there, unless told where to listen.
  const char* in_wsys = std::getenv("wsys");
  const char* in_win = std::getenv("winid");
  if (in_wsys && *in_wsys && in_win && *in_win && opt.listen.empty()) return run_nested(in_wsys, in_win);

  std::function<void(wsys::Rect)> resized;
  dopt.resized = [&resized](wsys::Rect r) {
    if (resized) resized(r);
  };
  std::string why;
  auto d = wsys::desktop::Desktop::open(dopt, why);
  if (!d) {
    std::fprintf(stderr, "grio: %s: running the window system headless (as grio serve)\n", why.c_str());
    return serve_headless(opt);
  }
  return run_desktop(*d, opt, resized);
}

}  // namespace grio::cmd

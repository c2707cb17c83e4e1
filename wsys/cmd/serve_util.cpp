// Shared plumbing of the serving subcommands.
#include "wsys/cmd/serve_util.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <functional>

#include <CLI/CLI.hpp>

#include "wsys/workspace.h"

namespace grio::cmd {

void ServeOptions::add_to(CLI::App& app) {
  app.add_option("--listen,-l", listen, "dial string to listen on (unix!/path, tcp!127.0.0.1!port); repeatable");
  app.add_flag("--insecure", insecure, "allow plain tcp on 127.0.0.1 (tests): no authentication, no encryption");
  app.add_flag("-D", debug, "log every 9P message");
}

net::ServerConfig ServeOptions::config() const {
  net::ServerConfig cfg;
  cfg.debug = debug;
  return cfg;
}

std::string user_name() { return net::user_name(); }

namespace {

using Listen = std::function<net::Result<std::string>(const std::string&)>;

std::optional<std::string> listen_each(const Listen& listen, const ServeOptions& opt, const char* dflt, const char* var) {
  std::vector<std::string> todo = opt.listen;
  if (todo.empty()) {
    std::string why;
    std::string dir = net::private_dir(why);
    if (dir.empty()) {
      std::fprintf(stderr, "grio: %s\n", why.c_str());
      return std::nullopt;
    }
    todo.push_back("unix!" + dir + "/" + dflt);
  }
  std::string first;
  for (size_t i = 0; i < todo.size(); i++) {
    if (todo[i].rfind("tcp!", 0) == 0 && !opt.insecure) {
      std::fprintf(stderr,
                   "grio: listen %s: plain tcp has no authentication: add --insecure for a loopback test, "
                   "or reach this machine from elsewhere through an export (grio export)\n",
                   todo[i].c_str());
      return std::nullopt;
    }
    auto bound = listen(todo[i]);
    if (!bound) {
      std::fprintf(stderr, "grio: listen %s: %s\n", todo[i].c_str(), bound.error().c_str());
      return std::nullopt;
    }
    if (bound->rfind("tcp!", 0) == 0)
      std::fprintf(stderr, "grio: warning: %s has no authentication or encryption; every local user can reach it\n",
                   bound->c_str());
    if (i == 0) first = *bound;
  }
  // Quoted, so that the line pasted into bash (where ! is history
  // expansion) or given to eval sets the variable.
  std::printf("%s='%s'\n", var, first.c_str());
  std::fflush(stdout);
  return first;
}

}  // namespace

std::optional<std::string> listen_all(net::Server& srv, const ServeOptions& opt, const char* dflt, const char* var) {
  return listen_each([&srv](const std::string& a) { return srv.listen(a); }, opt, dflt, var);
}

std::optional<std::string> listen_all(wsys::Workspace& ws, const ServeOptions& opt, const char* dflt, const char* var) {
  return listen_each([&ws](const std::string& a) { return ws.listen(a); }, opt, dflt, var);
}

StopOnSignal::StopOnSignal(asio::io_context& io, wsys::Workspace& ws) : signals_(io, SIGINT, SIGTERM) {
  signals_.async_wait([&io, &ws](const error_code&, int) {
    ws.close();
    io.stop();
  });
}

StopOnSignal::StopOnSignal(asio::io_context& io, net::Server& srv) : signals_(io, SIGINT, SIGTERM) {
  signals_.async_wait([&io, &srv](const error_code&, int) {
    srv.close();
    io.stop();
  });
}

}  // namespace grio::cmd

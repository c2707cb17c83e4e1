// What every serving subcommand does the same way: where it listens, what it
// prints, and how it stops.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "net/asio.h"
#include "net/server.h"

namespace CLI {
class App;
}

namespace grio::wsys {
class Workspace;
}

namespace grio::cmd {

// The options every serving subcommand takes.
struct ServeOptions {
  std::vector<std::string> listen;  // --listen ADDR, repeatable
  bool debug = false;               // -D
  bool insecure = false;            // --insecure: plain tcp on loopback, for tests
  void add_to(CLI::App& app);
  net::ServerConfig config() const;
};

// The login name, for file ownership and unames.
std::string user_name();

// Listens on every --listen dial string, or on unix!<private dir>/<dflt>
// when none is given, and prints `var=ADDR` for the first, which it
// returns. Plain tcp needs --insecure and stays on loopback, with a
// warning: it is open to every local user (a friend elsewhere comes through
// an export, `grio export`).
std::optional<std::string> listen_all(net::Server& srv, const ServeOptions& opt, const char* dflt, const char* var);
// The same for a window system, whose first address is $wsys inside it.
std::optional<std::string> listen_all(wsys::Workspace& ws, const ServeOptions& opt, const char* dflt, const char* var);

// Closes the server and stops io on SIGINT or SIGTERM. Made before the
// server announces its address, so that a signal sent as soon as the
// address is seen is not lost.
class StopOnSignal {
 public:
  StopOnSignal(asio::io_context& io, net::Server& srv);
  StopOnSignal(asio::io_context& io, wsys::Workspace& ws);

 private:
  asio::signal_set signals_;
};

}  // namespace grio::cmd

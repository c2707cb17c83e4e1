// The owner's exports: what a friend on another machine may reach, with
// which rights, by which secret. Each export has a name (its TLS PSK
// identity, the `!NAME` of its dial string), rights, and the key derived
// from a secret made here, shown once and never kept: the table holds the
// key alone. Exports listen on TCP through the server, authenticate every
// connection with TLS 1.3 (net/tls.h) before a byte of 9P, and hand the
// server the TLS stream with the export's Grant.
//
// Reached by the owner only, through the window system's `exports` file,
// whose text commands command() takes. Exports end with the server.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "net/asio.h"
#include "net/rights.h"
#include "net/server.h"
#include "net/tls.h"

namespace grio::net {

struct ExportLimits {
  size_t max_exports = 64;
  size_t max_pending = 64;                      // handshakes under way, all addresses
  std::chrono::milliseconds handshake_timeout{5000};
  // Failed handshakes from one address: from slow_after on, each next
  // handshake waits slow_step, doubled per failure (at most 5 s); at
  // refuse_after the address is refused for refuse_for. A success clears
  // the count; connections already up are never touched.
  size_t slow_after = 3;
  std::chrono::milliseconds slow_step{100};
  size_t refuse_after = 10;
  std::chrono::milliseconds refuse_for{60000};
  size_t max_addresses = 4096;                  // remembered failing addresses
};

struct ExportSpec {
  std::string name;                 // a plain name (net/names.h)
  Rights rights = right::view;
  std::string listen = "tcp!*!5640";  // port 5640 taken: the next free one, up to 5739
  std::string label;                // whom its windows name (--for); the name if empty
  std::string what;                 // "" (the whole workspace), hub/NAME or sub/NAME
  // The session an export of hub/NAME reaches (NAME); empty for the workspace.
  std::string hub() const { return what.starts_with("hub/") ? what.substr(4) : std::string(); }
  // The sub-workspace an export of sub/NAME reaches (NAME, or NAME/NAME…
  // nested); empty otherwise.
  std::string sub() const { return what.starts_with("sub/") ? what.substr(4) : std::string(); }
};

class Exports {
 public:
  Exports(asio::io_context& io, Server& server, ExportLimits limits = {});
  ~Exports();

  // Creates an export: its reply is "dial=ADDR\nsecret=SECRET\n", the only
  // time the secret is shown.
  Result<std::string> add(ExportSpec spec);
  // Removes an export and closes its peers' connections at once.
  Error revoke(std::string_view name);
  // One line per export: name, rights, what, dial string, live peers.
  std::string list() const;

  // The `exports` file's commands:
  //   add NAME [rights=LIST] [listen=ADDR] [for=LABEL] [what=WHAT]
  //   revoke NAME
  // reply gets what a following read of the file returns.
  Error command(std::string_view line, std::string& reply);

  // Asked by add() whether WHAT exists (hub/NAME: the session is there);
  // an error says why not. The window system sets it.
  void set_check(std::function<Error(const ExportSpec&)> check) { check_ = std::move(check); }
  // Which server serves an export's peers: the one given to the
  // constructor unless route says otherwise (a sub-workspace's own); null
  // when what it exports is gone, and the peer is hung up.
  void set_route(std::function<Server*(const ExportSpec&)> route) { route_ = std::move(route); }

  Server& server() const { return server_; }
  // For tests: failed handshakes counted, and addresses being refused.
  size_t failures() const { return failures_; }
  size_t pending() const { return pending_; }

 private:
  struct Export {
    ExportSpec spec;
    tls::Key key;
    std::string dial;
  };
  struct Failing {
    size_t count = 0;
    std::chrono::steady_clock::time_point refused_until{};
    std::chrono::steady_clock::time_point last{};
  };
  Result<std::string> listener(const std::string& listen);
  size_t peers(const ExportSpec& spec) const;
  void accepted(Socket s, const std::string& peer);
  void handshake(Socket s, const std::string& peer);
  void failed(const std::string& peer);
  std::chrono::milliseconds delay_for(const std::string& peer, bool& refuse);

  asio::io_context& io_;
  Server& server_;
  ExportLimits limits_;
  std::function<Error(const ExportSpec&)> check_;
  std::function<Server*(const ExportSpec&)> route_;
  Server* server_of(const ExportSpec& spec) const { return route_ ? route_(spec) : &server_; }
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // before tls_, whose find uses it
  tls::ServerContext tls_;
  std::map<std::string, Export, std::less<>> exports_;
  std::map<std::string, std::string> listeners_;  // requested address -> bound dial string
  std::map<std::string, Failing> failing_;       // by peer address
  size_t pending_ = 0;
  size_t failures_ = 0;
};

}  // namespace grio::net

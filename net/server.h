// A 9P2000 server: listeners, connections and every protocol rule that does
// not depend on the tree being served. All of it runs on one io_context
// thread; nothing here takes a lock.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "net/asio.h"
#include "net/dial.h"
#include "net/file_tree.h"

namespace grio::net {

struct Limits {
  uint32_t max_msize = 1 << 20;           // cap on the negotiated msize
  size_t max_fids = 4096;                 // per connection
  size_t max_requests = 1024;             // outstanding tags per connection
  size_t max_connections = 512;           // per server; more are refused
  // Per peer address (TCP; a Unix socket's peers are all the owner, held
  // by max_connections alone); more are refused.
  size_t max_per_peer = 64;
  // A connection that has not attached (Tversion, Tattach) by then is closed.
  std::chrono::milliseconds attach_timeout{10000};
  // When accept finds no descriptor left (EMFILE, ENFILE), it waits this
  // long before trying again, instead of spinning on the pending connection.
  std::chrono::milliseconds accept_backoff{100};
  // Per connection: bytes held for the client (replies not yet sent, the
  // payloads of parked writes), counted as they are made; while they are
  // over this no further request is taken from what the client sent.
  size_t max_output = 8 << 20;
  // Per export, all its peers' connections together: messages and bytes
  // a second, with a quarter second's worth as a burst. Past that their
  // requests are read more slowly; nobody else is slowed. The owner's
  // connections are never counted.
  double peer_messages_per_s = 20000;
  double peer_bytes_per_s = 64 << 20;
};

struct ServerConfig {
  Limits limits;
  bool debug = false;                     // -D: log every T and R message
  std::function<void(const std::string&)> log;  // where -D lines go; stderr if empty
};

class Server {
 public:
  Server(asio::io_context& io, FileTree& tree, ServerConfig cfg = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // What becomes of a connection accepted on a listener: handed to a
  // function (an export's TLS handshake, which serves it once the peer is
  // known) instead of being served at once.
  using Handoff = std::function<void(Socket s, const std::string& peer)>;

  // Starts listening on a dial string. Unix: a stale socket left by a dead
  // server is replaced, a live one is not stolen. Tcp: loopback only,
  // unless handoff authenticates what it accepts (`*` is every address).
  // Returns the dial string actually bound (a tcp port 0 becomes the port
  // the kernel chose), or an error.
  Result<std::string> listen(const std::string& dialstring, Handoff handoff = nullptr);
  // Serves an already connected stream (a socketpair in tests); peer is
  // the address counted against max_per_peer, or empty; grant is what the
  // connection may do (an export's peer: its export's rights).
  void serve(Socket s, const std::string& peer = "", Grant grant = {});
  // The same for any transport: an export's TLS stream.
  void serve(std::shared_ptr<Transport> t, const std::string& peer = "", Grant grant = {});
  // Stops listening and closes every connection, cancelling parked requests.
  void close();

  size_t connections() const { return conns_.size(); }
  // The connections of an export's peers: how many there are; closing
  // them all at once (a revoked export), their parked requests cancelled.
  size_t connections_of(std::string_view export_name) const;
  // Counts one message of n bytes from a peer of export_name; how long its
  // connections must wait before the next (zero: no wait).
  std::chrono::microseconds charge(const std::string& export_name, size_t n);
  void close_export(std::string_view export_name);
  // Bytes all connections hold for their clients (Connection::held).
  size_t held() const;
  // accept(2) calls made so far, failed ones included (for tests).
  size_t accept_attempts() const { return accept_attempts_; }
  // Unix socket paths we created, removed again by close().
  const std::vector<std::string>& socket_paths() const { return paths_; }

 private:
  friend class Connection;
  Result<std::string> listen_unix(const Address& a);
  Result<std::string> listen_tcp(const Address& a, Handoff handoff);
  template <class Acceptor>
  void accept(const std::shared_ptr<Acceptor>& a, const Handoff& handoff);
  template <class Acceptor>
  void accept_one(const std::shared_ptr<Acceptor>& a, const Handoff& handoff);
  template <class Acceptor>
  void back_off(const std::shared_ptr<Acceptor>& a, const Handoff& handoff);
  void gone(const std::shared_ptr<Connection>& c);
  void log(const std::string& line) const;

  asio::io_context& io_;
  FileTree& tree_;
  ServerConfig cfg_;
  uint64_t next_id_ = 1;
  std::map<std::shared_ptr<Connection>, std::string> conns_;  // with their peer address (TCP)
  std::map<std::string, size_t> per_peer_;                   // connections by peer address
  std::set<std::shared_ptr<asio::steady_timer>> backoffs_;
  struct Rate {
    double messages = 0, bytes = 0;  // tokens left; negative: owed
    std::chrono::steady_clock::time_point at;
  };
  std::map<std::string, Rate, std::less<>> rates_;  // by export, while it has peers
  size_t accept_attempts_ = 0;
  std::vector<std::shared_ptr<asio::local::stream_protocol::acceptor>> unix_;
  std::vector<std::shared_ptr<asio::ip::tcp::acceptor>> tcp_;
  std::vector<std::string> paths_;
};

}  // namespace grio::net

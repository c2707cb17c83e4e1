// A 9P2000 server: listeners, connections and every protocol rule that does
// not depend on the tree being served. All of it runs on one io_context
// thread; nothing here takes a lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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
  size_t max_output = 8 << 20;            // queued reply bytes before we stop reading
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

  // Starts listening on a dial string. Unix: a stale socket left by a dead
  // server is replaced, a live one is not stolen. Tcp: 127.0.0.1 only.
  // Returns the dial string actually bound (a tcp port 0 becomes the port
  // the kernel chose), or an error.
  Result<std::string> listen(const std::string& dialstring);
  // Serves an already connected stream (a socketpair in tests).
  void serve(Socket s);
  // Stops listening and closes every connection, cancelling parked requests.
  void close();

  size_t connections() const { return conns_.size(); }
  // Unix socket paths we created, removed again by close().
  const std::vector<std::string>& socket_paths() const { return paths_; }

 private:
  friend class Connection;
  Result<std::string> listen_unix(const Address& a);
  Result<std::string> listen_tcp(const Address& a);
  template <class Acceptor>
  void accept(const std::shared_ptr<Acceptor>& a);
  void gone(const std::shared_ptr<Connection>& c);
  void log(const std::string& line) const;

  asio::io_context& io_;
  FileTree& tree_;
  ServerConfig cfg_;
  uint64_t next_id_ = 1;
  std::set<std::shared_ptr<Connection>> conns_;
  std::vector<std::shared_ptr<asio::local::stream_protocol::acceptor>> unix_;
  std::vector<std::shared_ptr<asio::ip::tcp::acceptor>> tcp_;
  std::vector<std::string> paths_;
};

}  // namespace grio::net

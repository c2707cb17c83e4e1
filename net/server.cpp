// Listeners and the set of live connections.
#include "net/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "net/connection.h"

namespace grio::net {

Server::Server(asio::io_context& io, FileTree& tree, ServerConfig cfg)
    : io_(io), tree_(tree), cfg_(std::move(cfg)) {}

Server::~Server() { close(); }

void Server::log(const std::string& line) const {
  if (cfg_.log) cfg_.log(line);
  else std::fprintf(stderr, "%s\n", line.c_str());
}

Result<std::string> Server::listen(const std::string& dialstring) {
  std::string why;
  auto a = parse_address(dialstring, why);
  if (!a) return Result<std::string>::error(why);
  return a->kind == Address::Unix ? listen_unix(*a) : listen_tcp(*a);
}

// A socket file that still answers belongs to a live server and is left
// alone; one that refuses connections is a leftover and is replaced.
Result<std::string> Server::listen_unix(const Address& a) {
  using asio::local::stream_protocol;
  struct stat st;
  if (::lstat(a.path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return Result<std::string>::error(a.path + " exists and is not a socket");
    stream_protocol::socket probe(io_);
    error_code ec;
    probe.connect(stream_protocol::endpoint(a.path), ec);
    if (!ec) return Result<std::string>::error("a live server is already listening on " + a.path);
    ::unlink(a.path.c_str());
  }
  auto acc = std::make_shared<stream_protocol::acceptor>(io_);
  error_code ec;
  acc->open(stream_protocol(), ec);
  if (!ec) acc->bind(stream_protocol::endpoint(a.path), ec);
  if (!ec) ::chmod(a.path.c_str(), 0600);
  if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Result<std::string>::error(a.path + ": " + ec.message());
  unix_.push_back(acc);
  paths_.push_back(a.path);
  accept(acc);
  return "unix!" + a.path;
}

// Until authentication exists, TCP is loopback only.
Result<std::string> Server::listen_tcp(const Address& a) {
  using asio::ip::tcp;
  if (a.host != "127.0.0.1" && a.host != "localhost")
    return Result<std::string>::error("tcp listens on 127.0.0.1 only (no authentication yet), not " + a.host);
  auto acc = std::make_shared<tcp::acceptor>(io_);
  tcp::endpoint ep(asio::ip::address_v4::loopback(), a.port);
  error_code ec;
  acc->open(ep.protocol(), ec);
  if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc->bind(ep, ec);
  if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Result<std::string>::error("tcp!127.0.0.1!" + std::to_string(a.port) + ": " + ec.message());
  tcp_.push_back(acc);
  accept(acc);
  return "tcp!127.0.0.1!" + std::to_string(acc->local_endpoint().port());
}

template <class Acceptor>
void Server::accept(const std::shared_ptr<Acceptor>& a) {
  a->async_accept([this, a](const error_code& ec, typename Acceptor::protocol_type::socket s) {
    if (ec == asio::error::operation_aborted || !a->is_open()) return;
    if (!ec) {
      auto fd = s.release();
      serve(Socket(io_, asio::generic::stream_protocol(a->local_endpoint().protocol()), fd));
    }
    accept(a);
  });
}

// Over the connection limit the socket is closed at once: the peer sees a
// refused connection, and nothing here grows.
void Server::serve(Socket s) {
  if (conns_.size() >= cfg_.limits.max_connections) {
    if (cfg_.debug) log("refusing connection: limit of " + std::to_string(cfg_.limits.max_connections) + " reached");
    error_code ec;
    s.close(ec);
    return;
  }
  auto c = std::make_shared<Connection>(*this, tree_, std::move(s), next_id_++);
  conns_.insert(c);
  c->start();
}

void Server::gone(const std::shared_ptr<Connection>& c) { conns_.erase(c); }

void Server::close() {
  error_code ec;
  for (auto& a : unix_) a->close(ec);
  for (auto& a : tcp_) a->close(ec);
  unix_.clear();
  tcp_.clear();
  for (auto& p : paths_) ::unlink(p.c_str());
  paths_.clear();
  auto conns = conns_;
  for (auto& c : conns) c->close();
}

}  // namespace grio::net

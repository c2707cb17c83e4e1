// Listeners and the set of live connections.
#include "net/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

Result<std::string> Server::listen(const std::string& dialstring, Handoff handoff) {
  std::string why;
  auto a = parse_address(dialstring, why);
  if (!a) return Result<std::string>::error(why);
  return a->kind == Address::Unix ? listen_unix(*a) : listen_tcp(*a, std::move(handoff));
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
  if (int fd = cloexec_socket(AF_UNIX, ec); fd >= 0) acc->assign(stream_protocol(), fd, ec);
  if (!ec) acc->non_blocking(true, ec);
  if (!ec) acc->bind(stream_protocol::endpoint(a.path), ec);
  if (!ec) ::chmod(a.path.c_str(), 0600);
  if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Result<std::string>::error(a.path + ": " + ec.message());
  unix_.push_back(acc);
  paths_.push_back(a.path);
  accept(acc, nullptr);
  return "unix!" + a.path;
}

// Plain TCP is for tests on loopback; anything that listens beyond it
// authenticates what it accepts (an export).
Result<std::string> Server::listen_tcp(const Address& a, Handoff handoff) {
  using asio::ip::tcp;
  bool loopback = a.host == "127.0.0.1" || a.host == "localhost";
  if (!loopback && !handoff)
    return Result<std::string>::error("plain tcp listens on 127.0.0.1 only, not " + a.host +
                                      ": to be reached from elsewhere, export (grio export)");
  tcp::endpoint ep(asio::ip::address_v4::loopback(), a.port);
  if (!loopback) {
    error_code ec;
    auto host = a.host == "*" ? asio::ip::address(asio::ip::address_v4::any()) : asio::ip::make_address(a.host, ec);
    if (ec) return Result<std::string>::error("tcp!" + a.host + ": not a numeric address or *");
    ep = tcp::endpoint(host, a.port);
  }
  auto acc = std::make_shared<tcp::acceptor>(io_);
  error_code ec;
  if (int fd = cloexec_socket(ep.protocol().family(), ec); fd >= 0) acc->assign(ep.protocol(), fd, ec);
  if (!ec) acc->non_blocking(true, ec);
  if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc->bind(ep, ec);
  if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
  std::string host = loopback ? "127.0.0.1" : a.host;
  if (ec) return Result<std::string>::error("tcp!" + host + "!" + std::to_string(a.port) + ": " + ec.message());
  tcp_.push_back(acc);
  accept(acc, handoff);
  return "tcp!" + host + "!" + std::to_string(acc->local_endpoint().port());
}

namespace {
// The peer's address, for max_per_peer: empty for a Unix socket.
std::string peer_of(const sockaddr_storage& sa) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (sa.ss_family == AF_INET)
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(sa).sin_addr, buf, sizeof buf);
  if (sa.ss_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(sa).sin6_addr, buf, sizeof buf);
  return buf;
}
}  // namespace

// Asio's accept leaves out SOCK_CLOEXEC, so every program the server
// started would inherit every connection; the server waits for a
// connection and takes it with accept4 itself.
template <class Acceptor>
void Server::accept(const std::shared_ptr<Acceptor>& a, const Handoff& handoff) {
  a->async_wait(asio::socket_base::wait_read, [this, a, handoff](const error_code& ec) {
    if (ec == asio::error::operation_aborted || !a->is_open()) return;
    accept_one(a, handoff);
  });
}

// Out of descriptors, the connection stays pending and the listener
// readable: trying again at once would spin, so it waits a while.
template <class Acceptor>
void Server::accept_one(const std::shared_ptr<Acceptor>& a, const Handoff& handoff) {
  accept_attempts_++;
  sockaddr_storage sa{};
  socklen_t len = sizeof sa;
  int fd = ::accept4(a->native_handle(), reinterpret_cast<sockaddr*>(&sa), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)) return back_off(a, handoff);
  if (fd >= 0) {
    error_code ec;
    auto proto = a->local_endpoint(ec).protocol();
    Socket s(io_, asio::generic::stream_protocol(proto.family(), proto.protocol()), fd);
    if (handoff) handoff(std::move(s), peer_of(sa));
    else serve(std::move(s), peer_of(sa));
  }
  accept(a, handoff);
}

template <class Acceptor>
void Server::back_off(const std::shared_ptr<Acceptor>& a, const Handoff& handoff) {
  if (cfg_.debug)
    log("accept: no file descriptors left; waiting " + std::to_string(cfg_.limits.accept_backoff.count()) + " ms");
  auto t = std::make_shared<asio::steady_timer>(io_, cfg_.limits.accept_backoff);
  backoffs_.insert(t);
  t->async_wait([this, a, t, handoff](const error_code& ec) {
    if (ec == asio::error::operation_aborted) return;
    backoffs_.erase(t);
    if (a->is_open()) accept(a, handoff);
  });
}

// Over a connection limit the socket is closed at once: the peer sees a
// refused connection, and nothing here grows.
void Server::serve(Socket s, const std::string& peer, Grant grant) {
  serve(plain_transport(std::move(s)), peer, std::move(grant));
}

void Server::serve(std::shared_ptr<Transport> t, const std::string& peer, Grant grant) {
  std::string full;
  if (conns_.size() >= cfg_.limits.max_connections)
    full = "limit of " + std::to_string(cfg_.limits.max_connections) + " reached";
  else if (!peer.empty() && per_peer_[peer] >= cfg_.limits.max_per_peer)
    full = "limit of " + std::to_string(cfg_.limits.max_per_peer) + " from " + peer + " reached";
  if (!full.empty()) {
    if (cfg_.debug) log("refusing connection: " + full);
    t->close();
    return;
  }
  auto c = std::make_shared<Connection>(*this, tree_, std::move(t), next_id_++, std::move(grant));
  conns_[c] = peer;
  if (!peer.empty()) per_peer_[peer]++;
  c->start();
}

void Server::gone(const std::shared_ptr<Connection>& c) {
  auto it = conns_.find(c);
  if (it == conns_.end()) return;
  if (!it->second.empty() && --per_peer_[it->second] == 0) per_peer_.erase(it->second);
  conns_.erase(it);
  // An export's bucket lives while it has peers (so the table stays
  // bounded by the connections; reconnecting does not refill it sooner
  // than time would).
  const auto& name = c->grant().export_name;
  if (!name.empty() && connections_of(name) == 0) rates_.erase(name);
}

size_t Server::connections_of(std::string_view export_name) const {
  size_t n = 0;
  for (auto& [c, peer] : conns_) n += !export_name.empty() && c->grant().export_name == export_name;
  return n;
}

void Server::close_export(std::string_view export_name) {
  if (export_name.empty()) return;  // never the owner's
  std::vector<std::shared_ptr<Connection>> doomed;
  for (auto& [c, peer] : conns_)
    if (c->grant().export_name == export_name) doomed.push_back(c);
  for (auto& c : doomed) c->close();
}

// A token bucket per export: refilled at the rates, holding at most a
// quarter second's worth; a message spends one token and its bytes.
std::chrono::microseconds Server::charge(const std::string& export_name, size_t n) {
  if (export_name.empty()) return {};
  auto now = std::chrono::steady_clock::now();
  const auto& l = cfg_.limits;
  auto [it, fresh] = rates_.try_emplace(export_name);
  Rate& r = it->second;
  if (fresh) r = Rate{l.peer_messages_per_s / 4, l.peer_bytes_per_s / 4, now};
  double dt = std::chrono::duration<double>(now - r.at).count();
  r.at = now;
  r.messages = std::min(r.messages + dt * l.peer_messages_per_s, l.peer_messages_per_s / 4) - 1;
  r.bytes = std::min(r.bytes + dt * l.peer_bytes_per_s, l.peer_bytes_per_s / 4) - double(n);
  double wait = std::max({0.0, -r.messages / l.peer_messages_per_s, -r.bytes / l.peer_bytes_per_s});
  return std::chrono::microseconds(int64_t(wait * 1e6));
}

size_t Server::held() const {
  size_t n = 0;
  for (auto& [c, peer] : conns_) n += c->held();
  return n;
}

void Server::close() {
  error_code ec;
  for (auto& a : unix_) a->close(ec);
  for (auto& a : tcp_) a->close(ec);
  unix_.clear();
  tcp_.clear();
  for (auto& p : paths_) ::unlink(p.c_str());
  paths_.clear();
  for (auto& t : backoffs_) t->cancel();
  backoffs_.clear();
  auto conns = conns_;
  for (auto& [c, peer] : conns) c->close();
}

}  // namespace grio::net

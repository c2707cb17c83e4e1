// Plan 9 dial strings (unix!/path, tcp!host!port, each with an optional
// !service) and the private directory where local sockets live.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/asio.h"

namespace grio::net {

using Socket = asio::generic::stream_protocol::socket;
class Transport;  // net/transport.h

struct Address {
  enum Kind { Unix, Tcp } kind = Unix;
  std::string path;     // Unix: the socket's path
  std::string host;     // Tcp: name or numeric address
  uint16_t port = 0;    // Tcp
  std::string service;  // optional trailing !service: names an exported service
};

// Parses a dial string. A string without '!' is taken as a Unix socket path.
std::optional<Address> parse_address(std::string_view s, std::string& why);
std::string to_string(const Address& a);

// Who we are to a 9P server: $USER, else the login name of our uid (as
// plan9port's getuser), else "none".
std::string user_name();

// $XDG_RUNTIME_DIR/grio, else /tmp/grio.$USER: created 0700 if missing;
// refused (empty result, why set) if it belongs to someone else or others
// can enter it.
std::string private_dir(std::string& why);

// The socket of the sub-workspace NAME of the window system listening at
// the Unix socket path: beside it, path.NAME. unix!PATH!NAME dials it.
std::string sub_socket(const std::string& path, std::string_view name);

// Connects to a as a byte stream. tcp!HOST!PORT!NAME is an export: the
// connection is TLS, authenticated by the export's secret (net/secret.h),
// and the stream returned is its plain side. On failure ec is set, and why
// too where there is more to say (a secret file with a bad mode).
Socket dial(asio::io_context& io, const Address& a, error_code& ec);
Socket dial(asio::io_context& io, const Address& a, error_code& ec, std::string& why);
// The same connection as the transport 9P runs over: an export's TLS
// stream itself, without the local socket and pump dial() puts in front
// of it. Null on failure.
std::shared_ptr<Transport> dial_transport(asio::io_context& io, const Address& a, error_code& ec, std::string& why);

// A new stream socket of family (AF_UNIX, AF_INET…), close-on-exec from
// its first instant: Asio opens its sockets without SOCK_CLOEXEC, and a
// program started meanwhile on another thread would inherit them. -1 with
// ec set on failure.
int cloexec_socket(int family, error_code& ec);

}  // namespace grio::net

// TLS 1.3 from a shared secret, as 9front's rcpu and drawterm run over TLS
// with a key agreed beforehand: no certificates. The secret of an export
// becomes an external PSK (HKDF-SHA256, the export's name as identity);
// the handshake is psk_dhe_ke only, so every connection has keys of its own
// (forward secrecy), and both ends prove they know the secret.
//
// The TLS stream is a Transport (net/transport.h) that the server's
// Connection and the Client drive directly: records are opened from the
// TCP socket into the 9P frame reader's space, and an outbox is sealed
// into records sent by us, a short send's tail finished asynchronously
// before anything more is sealed (a synchronous write_some of Asio's TLS
// stream on a non-blocking socket would tear records). OpenSSL stays in
// tls.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/asio.h"
#include "net/dial.h"
#include "net/transport.h"

namespace grio::net::tls {

// What both ends derive from a secret and an export's name.
using Key = std::array<uint8_t, 32>;

// 128 bits from OpenSSL's RNG, as 32 lowercase hex digits (nothing a
// terminal or a mail client mangles).
std::string new_secret();
// A secret as typed or pasted: surrounding white space goes; it must be at
// least 32 hex digits. Empty if it is not a secret.
std::string clean_secret(std::string_view s);
Key derive_key(std::string_view secret, std::string_view name);

// Why a TLS connection did not come up.
enum class Errc {
  no_secret = 1,  // nothing to authenticate with
  refused,        // the handshake failed: wrong secret, no such export, or not TLS
  timed_out,      // the other end did not finish the handshake in time
};
const boost::system::error_category& category();
inline error_code make_error(Errc e) { return {int(e), category()}; }

// The server's side. find(name) gives the key of a live export, or none;
// it is asked during each handshake, so a revoked export is refused at
// once. One context serves every listener.
class ServerContext {
 public:
  using Find = std::function<std::optional<Key>(std::string_view name)>;
  explicit ServerContext(Find find);
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  // Runs the handshake on an accepted TCP stream, for at most timeout;
  // done(ec, name, t) with the name of the export the peer proved and the
  // TLS stream to serve 9P on (null on failure).
  using Done = std::function<void(const error_code& ec, const std::string& name, std::shared_ptr<Transport> t)>;
  void accept(Socket tcp, std::chrono::milliseconds timeout, Done done);
  // Whether OpenSSL's context is made yet: on the first accept.
  bool started() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// The client's side: a TCP stream on io already connected to an export,
// made a TLS stream (null on failure). Runs io itself until the handshake
// is over (at most timeout): call it before io runs anywhere else, from
// the thread that will run it.
std::shared_ptr<Transport> connect(asio::io_context& io, Socket tcp, const std::string& name, const Key& key,
                                   std::chrono::milliseconds timeout, error_code& ec);

}  // namespace grio::net::tls

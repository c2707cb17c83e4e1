// TLS 1.3 with an external PSK, and the pump between a TLS stream and a
// plain local one. The only OpenSSL code of grio.
#include "net/tls.h"

#include <sys/socket.h>

#include <boost/asio/ssl.hpp>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

namespace grio::net::tls {

namespace ssl = asio::ssl;
using Stream = ssl::stream<Socket>;

// ---- secrets and keys --------------------------------------------------------------

std::string new_secret() {
  std::array<unsigned char, 16> bits{};
  if (RAND_bytes(bits.data(), int(bits.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (auto b : bits) out += {hex[b >> 4], hex[b & 15]};
  return out;
}

std::string clean_secret(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  s = s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
  if (s.size() < 32 || s.find_first_not_of("0123456789abcdef") != std::string_view::npos) return {};
  return std::string(s);
}

// HKDF-SHA256: the secret as input keying material, a fixed salt naming
// the scheme, the export's name as info, so one secret gives unrelated keys
// for two names.
Key derive_key(std::string_view secret, std::string_view name) {
  Key key{};
  static constexpr std::string_view salt = "grio export psk v1";
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr),
                                                                  EVP_PKEY_CTX_free);
  size_t len = key.size();
  bool ok = ctx && EVP_PKEY_derive_init(ctx.get()) > 0 && EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) > 0 &&
            EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), reinterpret_cast<const unsigned char*>(salt.data()), int(salt.size())) > 0 &&
            EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), reinterpret_cast<const unsigned char*>(secret.data()), int(secret.size())) > 0 &&
            EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), reinterpret_cast<const unsigned char*>(name.data()), int(name.size())) > 0 &&
            EVP_PKEY_derive(ctx.get(), key.data(), &len) > 0 && len == key.size();
  if (!ok) throw std::runtime_error("HKDF failed");
  return key;
}

// ---- errors --------------------------------------------------------------------------

namespace {

struct Category : boost::system::error_category {
  const char* name() const noexcept override { return "grio.tls"; }
  std::string message(int e) const override {
    switch (Errc(e)) {
      case Errc::no_secret: return "no secret for this export: set $GRIO_SECRET, --secret-file or ~/.config/grio/secrets";
      case Errc::refused: return "authentication failed: wrong secret, unknown export, or not a grio export";
      case Errc::timed_out: return "authentication timed out";
    }
    return "tls error";
  }
};

}  // namespace

const boost::system::error_category& category() {
  static const Category c;
  return c;
}

// ---- the handshake's key ----------------------------------------------------------

namespace {

// TLS_AES_128_GCM_SHA256, the one suite both ends use: its hash is the
// PSK's, so the session made for the PSK always matches.
constexpr unsigned char suite_id[] = {0x13, 0x01};
constexpr char suite_name[] = "TLS_AES_128_GCM_SHA256";

SSL_SESSION* psk_session(SSL* ssl, const Key& key) {
  const SSL_CIPHER* cipher = SSL_CIPHER_find(ssl, suite_id);
  if (!cipher) return nullptr;
  SSL_SESSION* s = SSL_SESSION_new();
  if (s && SSL_SESSION_set1_master_key(s, key.data(), key.size()) == 1 && SSL_SESSION_set_cipher(s, cipher) == 1 &&
      SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION) == 1)
    return s;
  SSL_SESSION_free(s);
  return nullptr;
}

// TLS 1.3 only, the one suite, no tickets or resumption: every connection
// proves the secret again and agrees fresh keys by (EC)DHE (OpenSSL refuses
// psk_ke unless SSL_OP_ALLOW_NO_DHE_KEX is set, and it is not).
void common(SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_ciphersuites(ctx, suite_name);
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_clear_options(ctx, SSL_OP_ALLOW_NO_DHE_KEX);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
}

// Our pointers on OpenSSL objects, in ex_data slots of our own: Asio keeps
// its verify callback in the app_data slots and deletes what it finds there.
int ctx_slot() {
  static const int slot = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return slot;
}
int ssl_slot() {
  static const int slot = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return slot;
}

// The socketpair that stands for a TLS connection: [0] for the pump, [1]
// for whoever speaks 9P.
bool local_pair(int sv[2], error_code& ec) {
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) return true;
  ec = error_code(errno, asio::error::get_system_category());
  return false;
}

// Copies bytes both ways between a TLS stream and a plain one, one read
// and one write in flight each way, until either end closes; then closes
// both. Owns the context the stream uses.
class Pump : public std::enable_shared_from_this<Pump> {
 public:
  Pump(std::shared_ptr<ssl::context> ctx, std::shared_ptr<Stream> tls, Socket plain)
      : ctx_(std::move(ctx)), tls_(std::move(tls)), plain_(std::move(plain)) {}
  void start() {
    from_tls();
    from_plain();
  }

 private:
  void from_tls() {
    tls_->async_read_some(asio::buffer(down_), [self = shared_from_this()](const error_code& ec, size_t n) {
      if (ec) return self->stop();
      asio::async_write(self->plain_, asio::buffer(self->down_, n), [self](const error_code& ec, size_t) {
        if (ec) return self->stop();
        self->from_tls();
      });
    });
  }
  void from_plain() {
    plain_.async_read_some(asio::buffer(up_), [self = shared_from_this()](const error_code& ec, size_t n) {
      if (ec) return self->stop();
      asio::async_write(*self->tls_, asio::buffer(self->up_, n), [self](const error_code& ec, size_t) {
        if (ec) return self->stop();
        self->from_plain();
      });
    });
  }
  // Either end gone: the other learns it as an end of file. (No
  // close_notify: waiting for the peer's would let it hold us.)
  void stop() {
    error_code ec;
    plain_.close(ec);
    tls_->lowest_layer().close(ec);
  }

  std::shared_ptr<ssl::context> ctx_;
  std::shared_ptr<Stream> tls_;
  Socket plain_;
  std::array<char, 64 * 1024> up_{}, down_{};
};

// Starts a pump for tls on its executor; returns the plain end for 9P,
// opened on io.
Socket start_pump(asio::io_context& io, std::shared_ptr<ssl::context> ctx, std::shared_ptr<Stream> tls,
                  error_code& ec) {
  Socket mine(io);
  int sv[2];
  if (!local_pair(sv, ec)) return mine;
  auto ex = tls->get_executor();
  Socket theirs(ex);
  theirs.assign(asio::generic::stream_protocol(AF_UNIX, 0), sv[0], ec);
  if (!ec) mine.assign(asio::generic::stream_protocol(AF_UNIX, 0), sv[1], ec);
  if (ec) {
    ::close(sv[0]);
    ::close(sv[1]);
    return mine;
  }
  std::make_shared<Pump>(std::move(ctx), std::move(tls), std::move(theirs))->start();
  return mine;
}

}  // namespace

// ---- the server's side ----------------------------------------------------------------

struct ServerContext::Impl {
  std::shared_ptr<ssl::context> ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  Find find;
};

namespace {

// The export the peer names (its PSK identity): its key, or no session, and
// then the handshake fails for want of any other way to authenticate.
int find_psk(SSL* ssl, const unsigned char* id, size_t len, SSL_SESSION** sess) {
  *sess = nullptr;
  auto* impl = static_cast<ServerContext::Impl*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_slot()));
  auto* name = static_cast<std::string*>(SSL_get_ex_data(ssl, ssl_slot()));
  std::string_view who(reinterpret_cast<const char*>(id), len);
  if (!impl || !name || len == 0 || len > 64) return 1;
  if (auto key = impl->find(who)) {
    *sess = psk_session(ssl, *key);
    if (*sess) *name = std::string(who);
  }
  return 1;
}

}  // namespace

ServerContext::ServerContext(Find find) : impl_(std::make_shared<Impl>()) {
  impl_->find = std::move(find);
  SSL_CTX* ctx = impl_->ctx->native_handle();
  common(ctx);
  SSL_CTX_set_ex_data(ctx, ctx_slot(), impl_.get());
  SSL_CTX_set_psk_find_session_callback(ctx, find_psk);
}

ServerContext::~ServerContext() = default;

void ServerContext::accept(Socket tcp, std::chrono::milliseconds timeout, Done done) {
  struct State {
    std::shared_ptr<Stream> tls;
    asio::steady_timer timer;
    std::string name;
    bool timed_out = false;
  };
  // Small records go at once: Nagle's wait for an ACK the peer delays
  // would hold every reply that follows a partial record.
  error_code nec;
  tcp.set_option(asio::ip::tcp::no_delay(true), nec);
  auto ex = tcp.get_executor();
  auto st = std::make_shared<State>(State{std::make_shared<Stream>(std::move(tcp), *impl_->ctx), asio::steady_timer(ex), {}});
  SSL_set_ex_data(st->tls->native_handle(), ssl_slot(), &st->name);
  st->timer.expires_after(timeout);
  st->timer.async_wait([st](const error_code& ec) {
    if (ec) return;
    st->timed_out = true;
    error_code ignored;
    st->tls->lowest_layer().close(ignored);
  });
  // The handshake holds the context: it may end after this object.
  st->tls->async_handshake(ssl::stream_base::server, [impl = impl_, st, done = std::move(done)](const error_code& ec) {
    st->timer.cancel();
    SSL_set_ex_data(st->tls->native_handle(), ssl_slot(), nullptr);
    auto& io = static_cast<asio::io_context&>(st->tls->get_executor().context());
    if (ec || st->name.empty())
      return done(make_error(st->timed_out ? Errc::timed_out : Errc::refused), "", Socket(io));
    error_code pec;
    Socket plain = start_pump(io, impl->ctx, st->tls, pec);
    done(pec, pec ? "" : st->name, std::move(plain));
  });
}

// ---- the client's side -----------------------------------------------------------------

namespace {

struct Identity {
  std::string name;
  Key key;
};

int use_psk(SSL* ssl, const EVP_MD* md, const unsigned char** id, size_t* len, SSL_SESSION** sess) {
  *sess = nullptr;
  auto* who = static_cast<Identity*>(SSL_get_ex_data(ssl, ssl_slot()));
  if (!who) return 1;
  SSL_SESSION* s = psk_session(ssl, who->key);
  if (!s) return 1;
  if (md && md != SSL_CIPHER_get_handshake_digest(SSL_SESSION_get0_cipher(s))) {
    SSL_SESSION_free(s);
    return 1;
  }
  *id = reinterpret_cast<const unsigned char*>(who->name.data());
  *len = who->name.size();
  *sess = s;
  return 1;
}

}  // namespace

Socket connect(asio::io_context& io, Socket tcp, const std::string& name, const Key& key,
               std::chrono::milliseconds timeout, error_code& ec) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  common(ctx->native_handle());
  SSL_CTX_set_psk_use_session_callback(ctx->native_handle(), use_psk);
  auto tls = std::make_shared<Stream>(std::move(tcp), *ctx);
  auto who = std::make_shared<Identity>(Identity{name, key});
  SSL_set_ex_data(tls->native_handle(), ssl_slot(), who.get());

  // The pump shares io with the client (one thread for both: no hop
  // between threads per message), so the handshake runs here on io too.
  bool done = false, timed_out = false;
  error_code result;
  asio::steady_timer timer(io, timeout);
  timer.async_wait([&](const error_code& e) {
    if (e) return;
    timed_out = true;
    error_code ignored;
    tls->lowest_layer().close(ignored);
  });
  tls->async_handshake(ssl::stream_base::client, [&](const error_code& e) {
    done = true;
    result = e;
    timer.cancel();
  });
  while (!done && io.run_one() > 0) {
  }
  SSL_set_ex_data(tls->native_handle(), ssl_slot(), nullptr);
  // The cancelled wait's handler uses this frame: it runs before we leave.
  timer.cancel();
  io.poll();
  if (io.stopped()) io.restart();
  if (!done || result) {
    ec = make_error(timed_out ? Errc::timed_out : Errc::refused);
    return Socket(io);
  }
  return start_pump(io, ctx, tls, ec);
}

}  // namespace grio::net::tls

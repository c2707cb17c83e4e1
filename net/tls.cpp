// TLS 1.3 with an external PSK, and the pump between a TLS stream and a
// plain local one. The only OpenSSL code of grio.
#include "net/tls.h"

#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include <openssl/err.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

namespace grio::net::tls {

namespace ssl = asio::ssl;

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

// One TLS connection driven by hand through memory BIOs: OpenSSL reads the
// bytes we give it and writes its records where we take them from, so each
// way moves all there is in one system call (a 64 KiB 9P message is one
// send of four records, not four sends; what arrived is decrypted and
// handed on in one write). First the handshake, then the pump between the
// TCP stream and a plain local one, until either end closes. Every step
// runs on the TCP stream's executor; it owns the context its SSL came from.
class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(std::shared_ptr<ssl::context> ctx, Socket tcp) : ctx_(std::move(ctx)), tcp_(std::move(tcp)) {
    ssl_ = SSL_new(ctx_->native_handle());
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    if (!ssl_ || !in || !out) {
      BIO_free(in);
      BIO_free(out);
      SSL_free(ssl_);
      throw std::runtime_error("out of memory for TLS");
    }
    SSL_set_bio(ssl_, in, out);  // the SSL owns them now
    in_ = in;
    out_ = out;
  }
  ~Conn() { SSL_free(ssl_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  SSL* ssl() const { return ssl_; }
  Socket& tcp() { return tcp_; }

  // The handshake as server or client; done(true) once it is over and what
  // it wrote has gone out.
  void handshake(bool server, std::function<void(bool)> done) {
    server ? SSL_set_accept_state(ssl_) : SSL_set_connect_state(ssl_);
    hs_done_ = std::move(done);
    step();
  }

  // The pump, once the handshake is over: returns the plain end for 9P,
  // opened on io.
  Socket start_pump(asio::io_context& io, error_code& ec) {
    Socket mine(io);
    int sv[2];
    if (!local_pair(sv, ec)) return mine;
    plain_.emplace(tcp_.get_executor());
    plain_->assign(asio::generic::stream_protocol(AF_UNIX, 0), sv[0], ec);
    if (!ec) mine.assign(asio::generic::stream_protocol(AF_UNIX, 0), sv[1], ec);
    if (ec) {
      ::close(sv[0]);
      ::close(sv[1]);
      return mine;
    }
    up_.resize(buffer_size);
    down_.resize(buffer_size);
    deliver();  // what came with the handshake's last flight (a Tversion)
    from_plain();
    return mine;
  }

  // Either end gone: the other learns it as an end of file. (No
  // close_notify: waiting for the peer's would let it hold us.)
  void stop() {
    error_code ec;
    tcp_.close(ec);
    if (plain_) plain_->close(ec);
  }

 private:
  // Room for a whole 9P message of msize 64 KiB and its header.
  static constexpr size_t buffer_size = 80 * 1024;
  static constexpr size_t record_size = 16 * 1024;  // TLS's largest record

  void step() {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_);
    if (r != 1 && SSL_get_error(ssl_, r) != SSL_ERROR_WANT_READ) return finish(false);
    send([self = shared_from_this(), r](bool ok) {
      if (!ok) return self->finish(false);
      if (r == 1) return self->finish(true);
      self->read_tcp([self](bool ok) { ok ? self->step() : self->finish(false); });
    });
  }
  void finish(bool ok) {
    if (auto done = std::exchange(hs_done_, nullptr)) done(ok);
  }

  // Bytes from the network into OpenSSL.
  void read_tcp(std::function<void(bool)> then) {
    if (rbuf_.empty()) rbuf_.resize(buffer_size);
    tcp_.async_read_some(asio::buffer(rbuf_), [self = shared_from_this(), then = std::move(then)](const error_code& ec, size_t n) {
      if (!ec && BIO_write(self->in_, self->rbuf_.data(), int(n)) != int(n)) return then(false);
      then(!ec);
    });
  }
  // What OpenSSL wrote, to the network (the handshake: one flight at a time).
  void send(std::function<void(bool)> then) {
    size_t n = BIO_ctrl_pending(out_);
    if (n == 0) return then(true);
    wbuf_.resize(n);
    BIO_read(out_, wbuf_.data(), int(n));
    asio::async_write(tcp_, asio::buffer(wbuf_), [self = shared_from_this(), then = std::move(then)](const error_code& ec, size_t) {
      self->wbuf_.clear();
      then(!ec);
    });
  }

  // Plain to TLS: one read, sealed a record at a time, each record sent
  // as soon as it is sealed if the socket takes it (the peer opens the
  // first while this end seals the next); the next read waits until all
  // is gone, so at most a buffer's worth is held.
  void from_plain() {
    plain_->async_read_some(asio::buffer(up_), [self = shared_from_this()](const error_code& ec, size_t n) {
      if (ec) return self->stop();
      for (size_t off = 0; off < n;) {
        size_t k = std::min(n - off, record_size);
        ERR_clear_error();
        if (SSL_write(self->ssl_, self->up_.data() + off, int(k)) != int(k)) return self->stop();
        off += k;
        if (!self->push()) return self->stop();
      }
      self->up_waits_ = true;
      self->flush();
    });
  }
  // Takes what OpenSSL wrote into wbuf_ and sends what the socket takes
  // now, without waiting. We hold the records' bytes, so a short send
  // leaves the rest here for flush(); false if the connection broke.
  bool push() {
    if (writing_) return true;  // wbuf_ is being written: the rest waits in the BIO
    if (size_t n = BIO_ctrl_pending(out_)) {
      size_t at = wbuf_.size();
      wbuf_.resize(at + n);
      BIO_read(out_, wbuf_.data() + at, int(n));
    }
    if (wbuf_.empty()) return true;
    ssize_t sent = ::send(tcp_.native_handle(), wbuf_.data(), wbuf_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    wbuf_.erase(wbuf_.begin(), wbuf_.begin() + sent);
    return true;
  }
  // Sends the rest, waiting for the socket; one write in flight. With
  // nothing left, the plain side is read again.
  void flush() {
    if (writing_) return;
    if (!push()) return stop();
    if (wbuf_.empty()) {
      if (std::exchange(up_waits_, false)) from_plain();
      return;
    }
    writing_ = true;
    asio::async_write(tcp_, asio::buffer(wbuf_), [self = shared_from_this()](const error_code& ec, size_t) {
      self->writing_ = false;
      if (ec) return self->stop();
      self->wbuf_.clear();
      self->flush();
    });
  }
  // TLS to plain: decrypts all OpenSSL has, hands it on in one write, and
  // reads the network again only when nothing is left.
  void deliver() {
    size_t got = 0;
    bool end = false;
    while (got < down_.size()) {
      ERR_clear_error();
      int r = SSL_read(ssl_, down_.data() + got, int(down_.size() - got));
      if (r > 0) {
        got += size_t(r);
        continue;
      }
      end = SSL_get_error(ssl_, r) != SSL_ERROR_WANT_READ;  // close_notify, or bytes that are not TLS
      break;
    }
    flush();
    if (got == 0) {
      if (end) return stop();
      return read_tcp([self = shared_from_this()](bool ok) { ok ? self->deliver() : self->stop(); });
    }
    asio::async_write(*plain_, asio::buffer(down_.data(), got), [self = shared_from_this(), end](const error_code& ec, size_t) {
      if (ec || end) return self->stop();
      self->deliver();
    });
  }

  std::shared_ptr<ssl::context> ctx_;
  Socket tcp_;
  std::optional<Socket> plain_;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // the network's bytes, for OpenSSL to read
  BIO* out_ = nullptr;  // OpenSSL's records, for the network
  std::function<void(bool)> hs_done_;
  std::vector<char> rbuf_, wbuf_, up_, down_;
  bool writing_ = false, up_waits_ = false;
};

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
  // Small records go at once: Nagle's wait for an ACK the peer delays
  // would hold every reply that follows a partial record.
  error_code nec;
  tcp.set_option(asio::ip::tcp::no_delay(true), nec);
  struct State {
    std::shared_ptr<Conn> conn;
    asio::steady_timer timer;
    std::string name;
    bool timed_out = false;
  };
  auto ex = tcp.get_executor();
  auto st = std::make_shared<State>(State{std::make_shared<Conn>(impl_->ctx, std::move(tcp)), asio::steady_timer(ex), {}});
  SSL_set_ex_data(st->conn->ssl(), ssl_slot(), &st->name);
  st->timer.expires_after(timeout);
  st->timer.async_wait([st](const error_code& ec) {
    if (ec) return;
    st->timed_out = true;
    st->conn->stop();
  });
  // The handshake holds the context: it may end after this object.
  st->conn->handshake(true, [impl = impl_, st, done = std::move(done)](bool ok) {
    st->timer.cancel();
    SSL_set_ex_data(st->conn->ssl(), ssl_slot(), nullptr);
    auto& io = static_cast<asio::io_context&>(st->conn->tcp().get_executor().context());
    if (!ok || st->name.empty()) {
      st->conn->stop();
      return done(make_error(st->timed_out ? Errc::timed_out : Errc::refused), "", Socket(io));
    }
    error_code pec;
    Socket plain = st->conn->start_pump(io, pec);
    if (pec) st->conn->stop();
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
  error_code nec;
  tcp.set_option(asio::ip::tcp::no_delay(true), nec);
  auto conn = std::make_shared<Conn>(ctx, std::move(tcp));
  auto who = std::make_shared<Identity>(Identity{name, key});
  SSL_set_ex_data(conn->ssl(), ssl_slot(), who.get());

  // The pump shares io with the client (one thread for both: no hop
  // between threads per message), so the handshake runs here on io too.
  bool done = false, ok = false, timed_out = false;
  asio::steady_timer timer(io, timeout);
  timer.async_wait([&](const error_code& e) {
    if (e) return;
    timed_out = true;
    conn->stop();
  });
  conn->handshake(false, [&](bool good) {
    done = true;
    ok = good;
    timer.cancel();
  });
  while (!done && io.run_one() > 0) {
  }
  SSL_set_ex_data(conn->ssl(), ssl_slot(), nullptr);
  // The cancelled wait's handler uses this frame: it runs before we leave.
  timer.cancel();
  io.poll();
  if (io.stopped()) io.restart();
  if (!done || !ok) {
    conn->stop();
    ec = make_error(timed_out ? Errc::timed_out : Errc::refused);
    return Socket(io);
  }
  auto plain = conn->start_pump(io, ec);
  if (ec) conn->stop();
  return plain;
}

}  // namespace grio::net::tls

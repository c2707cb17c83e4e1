// TLS 1.3 with an external PSK, and the transport 9P runs over on an
// export's connections. The only OpenSSL code of grio.
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

constexpr size_t read_buffer = 80 * 1024;

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
  // Read ahead into this much: the four records of a 64 KiB message and
  // the next one's header come in one read, not one or two per record.
  SSL_CTX_set_default_read_buffer_len(ctx, read_buffer);
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

// Where OpenSSL writes its records: a BIO that appends them to the vector
// its data points at, which always takes all (so SSL_write never waits,
// and whatever it sealed is ours to send whole). A memory BIO would cost
// one more copy of every byte to take them out again.
int sink_write(BIO* b, const char* data, int n) {
  auto* v = static_cast<std::vector<char>*>(BIO_get_data(b));
  v->insert(v->end(), data, data + n);
  return n;
}
long sink_ctrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }
int sink_create(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}
BIO* new_sink(std::vector<char>* v) {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "grio records");
    if (m) {
      BIO_meth_set_write(m, sink_write);
      BIO_meth_set_ctrl(m, sink_ctrl);
      BIO_meth_set_create(m, sink_create);
    }
    return m;
  }();
  BIO* b = method ? BIO_new(method) : nullptr;
  if (b) BIO_set_data(b, v);
  return b;
}

// One TLS connection driven by hand, as the transport 9P runs over
// (net/transport.h): no socketpair, no pump, no hop between the 9P code
// and the network. OpenSSL reads the TCP socket itself (a socket BIO, read
// ahead into a buffer of read_buffer bytes), so one wake-up opens every
// record that arrived, straight into the caller's space. Its records go
// to a sink we own and leave by our own sends: a short send leaves a tail
// that is finished asynchronously before anything more is sealed, so a
// record is never torn nor interleaved. Every step runs on the TCP
// stream's executor; it owns the context its SSL came from.
class TlsTransport : public Transport, public std::enable_shared_from_this<TlsTransport> {
 public:
  TlsTransport(std::shared_ptr<ssl::context> ctx, Socket tcp) : ctx_(std::move(ctx)), tcp_(std::move(tcp)) {
    error_code ec;
    tcp_.non_blocking(true, ec);
    ssl_ = SSL_new(ctx_->native_handle());
    BIO* in = BIO_new_socket(tcp_.native_handle(), BIO_NOCLOSE);
    BIO* out = new_sink(&sealed_);
    if (!ssl_ || !in || !out) {
      BIO_free(in);
      BIO_free(out);
      SSL_free(ssl_);
      throw std::runtime_error("out of memory for TLS");
    }
    SSL_set_bio(ssl_, in, out);  // the SSL owns them now
    SSL_set_read_ahead(ssl_, 1);
    sealed_.reserve(seal_chunk + record_size);
    flight_.reserve(seal_chunk + record_size);
  }
  ~TlsTransport() override { SSL_free(ssl_); }
  TlsTransport(const TlsTransport&) = delete;
  TlsTransport& operator=(const TlsTransport&) = delete;

  SSL* ssl() const { return ssl_; }
  Socket& tcp() { return tcp_; }

  // The handshake as server or client; done(true) once it is over and what
  // it wrote has gone out.
  void handshake(bool server, std::function<void(bool)> done) {
    server ? SSL_set_accept_state(ssl_) : SSL_set_connect_state(ssl_);
    hs_done_ = std::move(done);
    step();
  }

  Socket::executor_type executor() override { return tcp_.get_executor(); }

  // Opens records into to until it is full or OpenSSL has read all the
  // socket had. An end of the stream after some bytes is told next time.
  size_t read_some(const Space& to, error_code& ec) override {
    size_t got = 0;
    for (auto& b : to)
      for (size_t at = 0; at < b.size();) {
        size_t n = 0;
        if (int why = open(static_cast<char*>(b.data()) + at, b.size() - at, n)) {
          if (got == 0) ec = why == SSL_ERROR_WANT_READ ? error_code(asio::error::would_block) : error_code(asio::error::eof);
          return got;
        }
        at += n;
        got += n;
      }
    return got;
  }

  // A read that just found the socket empty is not tried again first: the
  // wait re-arms the socket's readiness anyway (an epoll_ctl), so that
  // try would only cost one more read(2) per wake-up.
  void async_read_some(const Space& to, ReadDone done) override {
    if (std::exchange(starved_, false) && !SSL_has_pending(ssl_) && !closed_) return wait_read(to, std::move(done));
    error_code ec;
    size_t n = read_some(to, ec);
    if (ec != asio::error::would_block)
      return asio::post(tcp_.get_executor(), [done = std::move(done), ec, n] { done(ec, n); });
    wait_read(to, std::move(done));
  }

  bool send(const std::vector<asio::const_buffer>& bufs, SendDone done) override {
    plain_ = bufs;
    next_ = 0;
    at_ = 0;
    error_code ec;
    if (write_now(ec)) return true;
    if (ec) {
      asio::post(tcp_.get_executor(), [done = std::move(done), ec] { done(ec); });
      return false;
    }
    finish(std::move(done));
    return false;
  }

  // No close_notify: waiting for the peer's would let it hold us.
  void close() override {
    closed_ = true;
    error_code ec;
    tcp_.close(ec);
  }

 private:
  static constexpr size_t record_size = 16 * 1024;  // TLS's largest record
  // Sealed before a send: two records. A 64 KiB message goes in two sends,
  // so the peer opens the first half while we seal the second; one send
  // of four records took 15 % longer end to end with one read in flight
  // (bench_export stream), and one send per record more system calls.
  static constexpr size_t seal_chunk = 32 * 1024;

  // 0 and n bytes opened, or why not: SSL_ERROR_WANT_READ when OpenSSL
  // needs more than the socket has, else the stream's end (close_notify,
  // the peer gone, bytes that are not TLS) or our own close.
  int open(char* to, size_t room, size_t& n) {
    if (closed_) return SSL_ERROR_ZERO_RETURN;  // the socket's number may be someone else's now
    if (ended_) return SSL_ERROR_ZERO_RETURN;
    ERR_clear_error();
    if (SSL_read_ex(ssl_, to, room, &n) == 1) return 0;
    int why = SSL_get_error(ssl_, 0);
    if (why != SSL_ERROR_WANT_READ) ended_ = true;
    starved_ = why == SSL_ERROR_WANT_READ;
    return why;
  }

  void wait_read(const Space& to, ReadDone done) {
    tcp_.async_wait(asio::socket_base::wait_read, [self = shared_from_this(), to, done = std::move(done)](const error_code& ec) mutable {
      if (ec) return done(ec, 0);
      error_code rec;
      size_t n = self->read_some(to, rec);
      if (rec == asio::error::would_block) return self->wait_read(to, std::move(done));
      done(rec, n);
    });
  }

  // Seals plain_ from (next_, at_) into sealed_, a chunk at a time: whole
  // records straight from a large buffer, and small buffers (headers,
  // small messages) gathered into records of up to record_size first, so
  // a burst of small messages is a few records, not one each.
  bool seal() {
    while (sealed_.size() < seal_chunk && (next_ < plain_.size() || !stage_.empty())) {
      if (next_ == plain_.size()) {
        if (!seal_bytes(stage_.data(), stage_.size())) return false;
        stage_.clear();
        continue;
      }
      auto b = plain_[next_] + at_;
      const char* p = static_cast<const char*>(b.data());
      size_t n = 0;
      if (stage_.empty() && b.size() >= record_size) {
        size_t room = std::max(record_size, (seal_chunk - sealed_.size()) / record_size * record_size);
        n = std::min(b.size() / record_size * record_size, room);
        if (!seal_bytes(p, n)) return false;
      } else {
        n = std::min(record_size - stage_.size(), b.size());
        stage_.insert(stage_.end(), p, p + n);
        if (stage_.size() == record_size) {
          if (!seal_bytes(stage_.data(), stage_.size())) return false;
          stage_.clear();
        }
      }
      at_ += n;
      if (at_ == plain_[next_].size()) next_++, at_ = 0;
    }
    return true;
  }
  bool seal_bytes(const char* p, size_t n) {
    size_t w = 0;
    ERR_clear_error();
    return n == 0 || (SSL_write_ex(ssl_, p, n, &w) == 1 && w == n);
  }

  // Seals and sends without waiting while the socket takes it all: true
  // once every byte went. Else the unsent tail waits in flight_ (and ec
  // says if the connection broke).
  bool write_now(error_code& ec) {
    for (;;) {
      if (closed_) {
        ec = asio::error::operation_aborted;
        return false;
      }
      if (flight_.empty()) {
        if (!seal()) {
          ec = make_error(Errc::refused);
          return false;
        }
        if (sealed_.empty()) return true;
        std::swap(sealed_, flight_);
      }
      ssize_t n = ::send(tcp_.native_handle(), flight_.data() + flown_, flight_.size() - flown_, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ec = error_code(errno, asio::error::get_system_category());
        return false;
      }
      flown_ += size_t(n);
      if (flown_ < flight_.size()) return false;
      flight_.clear();
      flown_ = 0;
    }
  }
  // The tail, waiting for the socket; then the rest of plain_. done rides
  // in the handler, not in a member: it holds our owner, which holds us.
  void finish(SendDone done) {
    auto tail = asio::buffer(flight_.data() + flown_, flight_.size() - flown_);
    asio::async_write(tcp_, tail, [self = shared_from_this(), done = std::move(done)](const error_code& ec, size_t) mutable {
      self->flight_.clear();
      self->flown_ = 0;
      error_code wec = ec;
      if (!wec && !self->write_now(wec) && !wec) return self->finish(std::move(done));
      self->plain_.clear();
      done(wec);
    });
  }

  // The handshake: one flight out whole, then wait for the peer's.
  void step() {
    if (closed_) return end_handshake(false);
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_);
    if (r != 1 && SSL_get_error(ssl_, r) != SSL_ERROR_WANT_READ) return end_handshake(false);
    std::swap(sealed_, flight_);
    asio::async_write(tcp_, asio::buffer(flight_), [self = shared_from_this(), r](const error_code& ec, size_t) {
      self->flight_.clear();
      if (ec) return self->end_handshake(false);
      if (r == 1) return self->end_handshake(true);
      self->tcp_.async_wait(asio::socket_base::wait_read, [self](const error_code& ec) {
        ec ? self->end_handshake(false) : self->step();
      });
    });
  }
  void end_handshake(bool ok) {
    if (auto done = std::exchange(hs_done_, nullptr)) done(ok);
  }

  std::shared_ptr<ssl::context> ctx_;
  Socket tcp_;
  SSL* ssl_ = nullptr;
  std::function<void(bool)> hs_done_;
  bool closed_ = false, ended_ = false;
  bool starved_ = false;  // the last read ended at an empty socket
  // Sending: the caller's buffers, sealed from buffer next_, byte at_;
  // small pieces gathered in stage_; records in sealed_ (the sink's) until
  // they go, then in flight_, of which flown_ bytes went.
  std::vector<asio::const_buffer> plain_;
  size_t next_ = 0, at_ = 0;
  std::vector<char> stage_, sealed_, flight_;
  size_t flown_ = 0;
};

}  // namespace

// ---- the server's side ----------------------------------------------------------------

// The SSL context is made on the first connection: OpenSSL's start (its
// configuration, providers and tables) cost the desktop about 2.5 MB and
// some milliseconds of its start, most often for no export at all.
struct ServerContext::Impl {
  std::shared_ptr<ssl::context> ctx;
  Find find;
  const std::shared_ptr<ssl::context>& context();
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

ServerContext::ServerContext(Find find) : impl_(std::make_shared<Impl>()) { impl_->find = std::move(find); }

const std::shared_ptr<ssl::context>& ServerContext::Impl::context() {
  if (ctx) return ctx;
  ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* c = ctx->native_handle();
  common(c);
  SSL_CTX_set_ex_data(c, ctx_slot(), this);
  SSL_CTX_set_psk_find_session_callback(c, find_psk);
  return ctx;
}

ServerContext::~ServerContext() = default;

bool ServerContext::started() const { return impl_->ctx != nullptr; }

void ServerContext::accept(Socket tcp, std::chrono::milliseconds timeout, Done done) {
  // Small records go at once: Nagle's wait for an ACK the peer delays
  // would hold every reply that follows a partial record.
  error_code nec;
  tcp.set_option(asio::ip::tcp::no_delay(true), nec);
  struct State {
    std::shared_ptr<TlsTransport> conn;
    asio::steady_timer timer;
    std::string name;
    bool timed_out = false;
  };
  auto ex = tcp.get_executor();
  auto st = std::make_shared<State>(State{std::make_shared<TlsTransport>(impl_->context(), std::move(tcp)), asio::steady_timer(ex), {}});
  SSL_set_ex_data(st->conn->ssl(), ssl_slot(), &st->name);
  st->timer.expires_after(timeout);
  st->timer.async_wait([st](const error_code& ec) {
    if (ec) return;
    st->timed_out = true;
    st->conn->close();
  });
  // The handshake holds the context: it may end after this object.
  st->conn->handshake(true, [impl = impl_, st, done = std::move(done)](bool ok) {
    st->timer.cancel();
    SSL_set_ex_data(st->conn->ssl(), ssl_slot(), nullptr);
    if (!ok || st->name.empty()) {
      st->conn->close();
      return done(make_error(st->timed_out ? Errc::timed_out : Errc::refused), "", nullptr);
    }
    done({}, st->name, st->conn);
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

std::shared_ptr<Transport> connect(asio::io_context& io, Socket tcp, const std::string& name, const Key& key,
                                   std::chrono::milliseconds timeout, error_code& ec) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  common(ctx->native_handle());
  SSL_CTX_set_psk_use_session_callback(ctx->native_handle(), use_psk);
  error_code nec;
  tcp.set_option(asio::ip::tcp::no_delay(true), nec);
  auto conn = std::make_shared<TlsTransport>(ctx, std::move(tcp));
  auto who = std::make_shared<Identity>(Identity{name, key});
  SSL_set_ex_data(conn->ssl(), ssl_slot(), who.get());

  // The transport runs on the client's io (one thread for both: no hop
  // between threads per message), so the handshake runs here on io too.
  bool done = false, ok = false, timed_out = false;
  asio::steady_timer timer(io, timeout);
  timer.async_wait([&](const error_code& e) {
    if (e) return;
    timed_out = true;
    conn->close();
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
    conn->close();
    ec = make_error(timed_out ? Errc::timed_out : Errc::refused);
    return nullptr;
  }
  return conn;
}

}  // namespace grio::net::tls

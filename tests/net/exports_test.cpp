// Exports: TLS 1.3 from a secret in front of the server, on 127.0.0.1.
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <future>

#include "net/client.h"
#include "net/exports.h"
#include "net/tls.h"
#include "tests/net/harness.h"

using namespace grio;
using namespace grio::test;

namespace {

// A ramfs server with an export table on its io thread.
struct Exported {
  Served s;
  std::unique_ptr<net::Exports> exports;
  explicit Exported(net::ExportLimits limits = {}) {
    s.on_io([&] {
      exports = std::make_unique<net::Exports>(s.io(), s.server(), limits);
      return 0;
    });
  }
  ~Exported() {
    s.on_io([&] {
      exports.reset();
      return 0;
    });
  }
  // add NAME …: the dial string and the secret.
  std::pair<std::string, std::string> add(const std::string& line) {
    std::string reply;
    auto e = s.on_io([&] { return exports->command(line, reply); });
    REQUIRE(e.empty());
    auto dial = reply.substr(5, reply.find('\n') - 5);
    auto secret = reply.substr(reply.find("secret=") + 7);
    secret.pop_back();
    return {dial, secret};
  }
};

// Dials with secret in $GRIO_SECRET; the error, or "" with the client.
std::unique_ptr<net::SyncClient> dial_with(const std::string& addr, const std::string& secret, std::string& err) {
  ::setenv("GRIO_SECRET", secret.c_str(), 1);
  auto c = net::SyncClient::dial(addr, "", err);
  ::unsetenv("GRIO_SECRET");
  return c;
}

net::ExportLimits quick() {
  net::ExportLimits l;
  l.handshake_timeout = std::chrono::milliseconds(300);
  return l;
}

}  // namespace

TEST_CASE("exports: secrets are 128 random bits in hex, and a key depends on secret and name", "[net][exports]") {
  auto a = net::tls::new_secret(), b = net::tls::new_secret();
  CHECK(a.size() == 32);
  CHECK(a != b);
  CHECK(net::tls::clean_secret("  " + a + "\n") == a);
  CHECK(net::tls::clean_secret("xyz").empty());
  CHECK(net::tls::derive_key(a, "fred") != net::tls::derive_key(b, "fred"));
  CHECK(net::tls::derive_key(a, "fred") != net::tls::derive_key(a, "jim"));
  CHECK(net::tls::derive_key(a, "fred") == net::tls::derive_key(a, "fred"));
}

TEST_CASE("exports: OpenSSL's context is made on the first connection, not before", "[net][exports]") {
  net::tls::ServerContext ctx([](std::string_view) { return std::nullopt; });
  CHECK_FALSE(ctx.started());  // a desktop with no export never starts OpenSSL
  asio::io_context io;
  asio::ip::tcp::acceptor acc(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket out(io);
  out.connect(acc.local_endpoint());
  asio::ip::tcp::socket in = acc.accept();
  bool done = false;
  ctx.accept(net::Socket(std::move(in)), std::chrono::milliseconds(100),
             [&](const error_code&, const std::string&, std::shared_ptr<net::Transport>) { done = true; });
  CHECK(ctx.started());
  out.close();
  io.run_for(std::chrono::seconds(5));
  CHECK(done);
}

TEST_CASE("exports: the right secret reaches the tree over TLS, with the export's rights", "[net][exports]") {
  Exported x(quick());
  auto [dial, secret] = x.add("add fred rights=view,type listen=tcp!127.0.0.1!0");
  CHECK(dial.rfind("tcp!127.0.0.1!", 0) == 0);
  CHECK(dial.ends_with("!fred"));
  std::string err;
  auto c = dial_with(dial, secret, err);
  REQUIRE(c);
  CHECK(err.empty());
  // 9P works through it: a file made, written and read back.
  auto f = c->alloc_fid();
  REQUIRE(c->walk(c->root(), f, {}));
  REQUIRE(c->create(f, "hello", 0666, ninep::ORDWR));
  // Writes and reads of a whole message, so TLS records split and join.
  std::string body(c->msize() - ninep::IOHDRSZ, 'x');
  auto wrote = c->write(f, 0, body);
  INFO((wrote ? "" : wrote.error()));
  REQUIRE(wrote);
  CHECK(*wrote == body.size());
  auto back = c->read(f, 0, uint32_t(body.size()));
  REQUIRE(back);
  CHECK(*back == body);
  CHECK(x.s.on_io([&] { return x.s.server().connections_of("fred"); }) == 1);
  auto listing = x.s.on_io([&] { return x.exports->list(); });
  CHECK(listing.find("fred rights=view,type for=fred what=workspace dial=" + dial + " peers=1") == 0);
  CHECK(listing.find(secret) == std::string::npos);
}

namespace {

// Issues start(i, done) for i in [0, n) on c's io thread, all at once
// (they leave in bursts larger than the socket takes), and waits until
// every done has run: whether all of them succeeded.
bool burst(net::SyncClient& c, size_t n, const std::function<void(size_t, net::Client::Reply)>& start) {
  std::promise<bool> all;
  size_t left = n;
  bool ok = true;
  c.run_on_io([&] {
    for (size_t i = 0; i < n; i++)
      start(i, [&](net::Result<ninep::Msg> r) {
        ok = ok && r.ok();
        if (--left == 0) all.set_value(ok);
      });
  });
  auto done = all.get_future();
  REQUIRE(done.wait_for(std::chrono::seconds(60)) == std::future_status::ready);  // a hang guard only
  return done.get();
}

}  // namespace

// The TLS stream seals a burst into records and finishes a short send's
// tail before sealing more: a torn or reordered record would end the
// connection or change the bytes.
TEST_CASE("exports: bursts of large and small messages cross TLS byte for byte", "[net][exports]") {
  Exported x(quick());
  auto [dial, secret] = x.add("add fred listen=tcp!127.0.0.1!0");
  std::string err;
  auto c = dial_with(dial, secret, err);
  REQUIRE(c);
  auto f = c->alloc_fid();
  REQUIRE(c->walk(c->root(), f, {}));
  REQUIRE(c->create(f, "data", 0666, ninep::ORDWR));
  // Pieces: a whole message's worth, then 40 of 1 to 97 bytes, 100 times:
  // 6.5 MB, more than loopback's socket buffers hold.
  uint32_t iounit = c->msize() - ninep::IOHDRSZ;
  std::vector<std::pair<uint64_t, uint32_t>> pieces;
  uint64_t end = 0;
  for (int round = 0; round < 100; round++) {
    pieces.push_back({end, iounit});
    end += iounit;
    for (uint32_t k = 0; k < 40; k++) {
      pieces.push_back({end, 1 + (k * 37 + uint32_t(round)) % 97});
      end += pieces.back().second;
    }
  }
  std::string data(end, 0);
  for (size_t i = 0; i < data.size(); i++) data[i] = char(i * 7 + i / 251);
  CHECK(burst(*c, pieces.size(), [&](size_t i, net::Client::Reply done) {
    auto [at, n] = pieces[i];
    c->async().write(f, at, std::string_view(data).substr(at, n), std::move(done));
  }));
  // Read back in the same pieces, every reply put where it belongs. The
  // first reply holds the client up until the server's socket is full and
  // its replies wait (a short send's tail on the way, the rest unsealed).
  std::string back(end, '?');
  bool held_up = false, server_full = false;
  auto server_holds = [&] { return x.s.on_io([&] { return x.s.server().held(); }); };
  CHECK(burst(*c, pieces.size(), [&](size_t i, net::Client::Reply done) {
    auto [at, n] = pieces[i];
    c->async().rpc(ninep::Tread{f, at, n}, [&, at = at, done = std::move(done)](net::Result<ninep::Msg> r) {
      if (!std::exchange(held_up, true))
        for (int k = 0; k < 1000 && !(server_full = server_holds() >= (1u << 20)); k++)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (r) {
        auto& d = std::get<ninep::Rread>(*r).data;
        back.replace(at, d.size(), d);
      }
      done(std::move(r));
    });
  }));
  size_t first_wrong = size_t(std::mismatch(back.begin(), back.end(), data.begin()).first - back.begin());
  CHECK(first_wrong == data.size());
  CHECK(server_full);
  CHECK(x.s.on_io([&] { return x.s.server().connections_of("fred"); }) == 1);
}

TEST_CASE("exports: a wrong secret, an unknown name, no secret and plain bytes reach nothing", "[net][exports]") {
  Exported x(quick());
  auto [dial, secret] = x.add("add fred listen=tcp!127.0.0.1!0");
  std::string err;
  auto wrong = net::tls::new_secret();
  CHECK_FALSE(dial_with(dial, wrong, err));
  CHECK(err.find("authentication failed") != std::string::npos);
  CHECK(err.find(wrong) == std::string::npos);
  auto other = dial.substr(0, dial.rfind('!')) + "!jim";
  CHECK_FALSE(dial_with(other, secret, err));
  CHECK(err.find("authentication failed") != std::string::npos);
  CHECK(err.find(secret) == std::string::npos);
  ::unsetenv("GRIO_SECRET");
  ::setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
  CHECK_FALSE(net::SyncClient::dial(dial, "", err));
  ::unsetenv("XDG_CONFIG_HOME");
  CHECK(err.find("no secret for " + dial) != std::string::npos);
  // Plain 9P at the port: closed, never answered.
  auto plain = dial_wire(dial.substr(0, dial.rfind('!')));
  plain.send(NOTAG, Tversion{8192, "9P2000"});
  CHECK(plain.closed_by_peer());
  CHECK(x.s.eventually([&] { return x.exports->failures() == 3; }));
  CHECK(x.s.on_io([&] { return x.s.server().connections(); }) == 0);
}

TEST_CASE("exports: a stalled handshake is dropped and leaves nothing behind", "[net][exports]") {
  Exported x(quick());
  auto [dial, secret] = x.add("add fred listen=tcp!127.0.0.1!0");
  std::vector<Wire> stalled;
  for (int i = 0; i < 20; i++) stalled.push_back(dial_wire(dial.substr(0, dial.rfind('!'))));
  CHECK(x.s.eventually([&] { return x.exports->pending() == 20; }));
  for (auto& w : stalled) CHECK(w.closed_by_peer());
  CHECK(x.s.eventually([&] { return x.exports->pending() == 0; }));
  CHECK(x.s.on_io([&] { return x.s.server().connections(); }) == 0);
}

TEST_CASE("exports: revoke closes the export's live connections at once, and the name is refused", "[net][exports]") {
  Exported x(quick());
  auto [dial, secret] = x.add("add fred listen=tcp!127.0.0.1!0");
  auto [dial2, secret2] = x.add("add jim listen=tcp!127.0.0.1!0");
  std::string err;
  auto fred = dial_with(dial, secret, err);
  auto jim = dial_with(dial2, secret2, err);
  REQUIRE(fred);
  REQUIRE(jim);
  CHECK(dial.substr(0, dial.rfind('!')) == dial2.substr(0, dial2.rfind('!')));  // one listener
  std::string reply;
  CHECK(x.s.on_io([&] { return x.exports->command("revoke fred", reply); }).empty());
  CHECK(x.s.eventually([&] { return x.s.server().connections_of("fred") == 0; }));
  auto f = fred->alloc_fid();
  CHECK_FALSE(fred->walk(fred->root(), f, {}));
  CHECK_FALSE(dial_with(dial, secret, err));
  // The other export's peer carries on.
  auto g = jim->alloc_fid();
  CHECK(jim->walk(jim->root(), g, {}));
  CHECK(x.s.on_io([&] { return x.exports->command("revoke fred", reply); }) == "no export fred");
}

TEST_CASE("exports: failed handshakes from one address slow it, then refuse it, and a connected peer is never slowed",
          "[net][exports]") {
  auto limits = quick();
  limits.slow_after = 1;
  limits.slow_step = std::chrono::milliseconds(1);
  limits.refuse_after = 3;
  Exported x(limits);
  auto [dial, secret] = x.add("add fred listen=tcp!127.0.0.1!0");
  std::string err;
  auto good = dial_with(dial, secret, err);
  REQUIRE(good);
  for (int i = 0; i < 3; i++) CHECK_FALSE(dial_with(dial, net::tls::new_secret(), err));
  // Refused now, even with the right secret …
  CHECK_FALSE(dial_with(dial, secret, err));
  CHECK(x.s.on_io([&] { return x.exports->failures(); }) == 3);
  // … while the peer already in is answered as before.
  auto f = good->alloc_fid();
  CHECK(good->walk(good->root(), f, {}));
}

TEST_CASE("exports: bad commands and names are refused precisely", "[net][exports]") {
  Exported x(quick());
  std::string reply;
  auto cmd = [&](const std::string& line) { return x.s.on_io([&] { return x.exports->command(line, reply); }); };
  CHECK(cmd("add") .rfind("bad exports command", 0) == 0);
  CHECK(cmd("add fr/ed listen=tcp!127.0.0.1!0").rfind("bad export name 'fr/ed'", 0) == 0);
  CHECK(cmd("add .. listen=tcp!127.0.0.1!0").rfind("bad export name '..'", 0) == 0);
  CHECK(cmd("add fred rights=view,root") == "unknown right 'root' (view, type, push, manage, snarf, exec)");
  CHECK(cmd("add fred colour=red") == "bad exports option 'colour=red'");
  CHECK(cmd("add fred listen=unix!/tmp/x") == "an export listens on tcp!HOST!PORT, not unix!/tmp/x");
  CHECK(cmd("add fred listen=tcp!127.0.0.1!0") == "");
  CHECK(cmd("add fred listen=tcp!127.0.0.1!0") == "export fred exists");
  CHECK(cmd("revoke nobody") == "no export nobody");
}

TEST_CASE("exports: 200 peers connecting at once are bounded, and a friend gets in once they are gone",
          "[net][exports]") {
  auto limits = quick();
  limits.max_pending = 64;
  Exported x(limits);
  auto [dial, secret] = x.add("add fred listen=tcp!127.0.0.1!0");
  // The crowd comes from 127.0.0.2 (loopback too), the friend from 127.0.0.1.
  uint16_t port = uint16_t(std::stoi(dial.substr(dial.rfind('!', dial.rfind('!') - 1) + 1)));
  std::vector<Wire> crowd;
  for (int i = 0; i < 200; i++) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{}, to{};
    from.sin_family = to.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl(0x7f000002);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
    crowd.emplace_back(fd);
  }
  // At most max_pending handshakes wait; the rest are closed at once.
  CHECK(x.s.eventually([&] { return x.exports->pending() == 64; }));
  CHECK(x.s.on_io([&] { return x.exports->pending(); }) <= 64);
  int closed = 0;
  for (auto& w : crowd) closed += w.closed_by_peer();
  CHECK(closed == 200);  // the waiting ones too, at their timeout
  CHECK(x.s.eventually([&] { return x.exports->pending() == 0; }));
  CHECK(x.s.on_io([&] { return x.s.server().connections(); }) == 0);
  // The stalled ones count as failures of their address: it is refused
  // now, another is not.
  CHECK(x.s.on_io([&] { return x.exports->failures(); }) == 64);
  std::string err;
  auto c = dial_with(dial, secret, err);
  INFO(err);
  CHECK(c);
}

TEST_CASE("exports: a -D trace never shows a secret", "[net][exports]") {
  std::string secret = net::tls::new_secret();
  std::string reply = "dial=tcp!h!5640!fred\nsecret=" + secret + "\n";
  auto traced = ninep::to_string(ninep::Fcall{3, ninep::Rread{reply}});
  CHECK(traced.find(secret.substr(0, 8)) == std::string::npos);
  CHECK(traced.find("secret=****") != std::string::npos);
  CHECK(traced.find("dial=tcp!h!5640!fred") != std::string::npos);  // the rest is shown
}

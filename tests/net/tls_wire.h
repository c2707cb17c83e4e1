// A raw 9P peer through a real export: TLS 1.3 from a secret on
// 127.0.0.1, as a friend's connection reaches the server, for tests that
// must hold over the export's transport and not only over a socketpair
// with a grant.
#pragma once

#include <cstdlib>
#include <optional>

#include "net/exports.h"
#include "tests/net/harness.h"

namespace grio::test {

// An export table on a served world's io thread; gone before the server.
template <class Served>
class ExportsOn {
 public:
  explicit ExportsOn(Served& s) : s_(s) {
    s_.on_io([&] {
      exports_ = std::make_unique<net::Exports>(s_.io(), s_.server());
      return 0;
    });
  }
  ~ExportsOn() {
    s_.on_io([&] {
      exports_.reset();
      return 0;
    });
  }
  // A new export on 127.0.0.1: its dial string and secret.
  std::pair<std::string, std::string> add(const std::string& name, net::Rights rights) {
    net::ExportSpec spec{name, rights, "tcp!127.0.0.1!0", "fred", ""};
    auto reply = s_.on_io([&] { return exports_->add(spec); });
    REQUIRE(reply);
    auto nl = reply->find('\n');
    return {reply->substr(5, nl - 5), reply->substr(nl + 8, 32)};
  }

 private:
  Served& s_;
  std::unique_ptr<net::Exports> exports_;
};

// The friend's end: the TLS handshake and pump run on a thread of its own;
// the test speaks plain 9P to wire().
class TlsWire {
 public:
  TlsWire(const std::string& dial, const std::string& secret) {
    std::string why;
    auto a = net::parse_address(dial, why);
    REQUIRE(a);
    ::setenv("GRIO_SECRET", secret.c_str(), 1);
    error_code ec;
    auto s = net::dial(io_, *a, ec, why);
    ::unsetenv("GRIO_SECRET");
    INFO(ec.message() << " " << why);
    REQUIRE_FALSE(ec);
    wire_.emplace(s.release());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TlsWire() {
    wire_.reset();  // the pump sees the end and stops
    io_.stop();
    thread_.join();
  }
  Wire& wire() { return *wire_; }

 private:
  asio::io_context io_;
  std::optional<Wire> wire_;
  std::thread thread_;
};

}  // namespace grio::test

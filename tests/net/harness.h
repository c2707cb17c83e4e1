// In-process end-to-end harness: the real server on its own io thread, and
// raw blocking peers that speak 9P through the codec over a socketpair, so
// tests can send exactly the bytes they mean (malformed ones included).
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "net/asio.h"
#include "net/codec.h"
#include "net/dial.h"
#include "net/errors.h"
#include "net/ramfs.h"
#include "net/server.h"

namespace grio::test {

using namespace grio::ninep;

// A blocking 9P peer on one end of a socketpair. Every wait is bounded.
class Wire {
 public:
  explicit Wire(int fd) : fd_(fd) {}
  Wire(Wire&& o) noexcept : fd_(std::exchange(o.fd_, -1)), in_(std::move(o.in_)) {}
  ~Wire() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }

  void send_raw(const std::vector<uint8_t>& b) {
    size_t off = 0;
    while (off < b.size()) {
      ssize_t n = ::send(fd_, b.data() + off, b.size() - off, MSG_NOSIGNAL);
      REQUIRE(n > 0);
      off += size_t(n);
    }
  }
  void send(uint16_t tag, Msg m) { send_raw(encode(Fcall{tag, std::move(m)})); }

  // The next message; fails the test if none arrives within the timeout
  // (generous: a loaded CI machine running ASan builds can be slow).
  Fcall recv(int timeout_ms = 20000) {
    auto f = try_recv(timeout_ms);
    REQUIRE(f.has_value());
    return *f;
  }
  std::optional<Fcall> try_recv(int timeout_ms) {
    while (true) {
      std::string why;
      uint32_t n = frame_size(in_, 1 << 24, why);
      REQUIRE(why.empty());
      if (n && in_.size() >= n) {
        auto d = decode(std::span(in_).first(n), 1 << 24);
        INFO(d.error);
        REQUIRE(d.fcall.has_value());
        in_.erase(in_.begin(), in_.begin() + n);
        return d.fcall;
      }
      if (!fill(timeout_ms)) return std::nullopt;
    }
  }
  // True when the server closed its end (within the timeout).
  bool closed_by_peer(int timeout_ms = 5000) {
    while (fill(timeout_ms)) {
    }
    return eof_;
  }

  template <class R>
  R rpc(uint16_t tag, Msg m) {
    send(tag, std::move(m));
    auto f = recv();
    CHECK(f.tag == tag);
    if (auto* e = std::get_if<Rerror>(&f.msg)) FAIL("Rerror: " << e->ename);
    REQUIRE(std::holds_alternative<R>(f.msg));
    return std::get<R>(f.msg);
  }
  // The error string of a request expected to fail.
  std::string fails(uint16_t tag, Msg m) {
    send(tag, std::move(m));
    auto f = recv();
    CHECK(f.tag == tag);
    auto* e = std::get_if<Rerror>(&f.msg);
    if (!e) FAIL("expected Rerror, got " << to_string(f));
    return e->ename;
  }

  // Tversion + Tattach of fid 0.
  void hello(uint32_t msize = 8192) {
    auto v = rpc<Rversion>(NOTAG, Tversion{msize, "9P2000"});
    REQUIRE(v.version == "9P2000");
    rpc<Rattach>(1, Tattach{0, NOFID, "tester", ""});
  }

 private:
  bool fill(int timeout_ms) {
    if (fd_ < 0 || eof_) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    uint8_t buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    in_.insert(in_.end(), buf, buf + n);
    return true;
  }
  int fd_;
  std::vector<uint8_t> in_;
  bool eof_ = false;
};

// A raw peer on a listening address (unix!PATH or tcp!127.0.0.1!PORT).
inline Wire dial_wire(const std::string& addr) {
  std::string why;
  auto a = net::parse_address(addr, why);
  REQUIRE(a);
  asio::io_context io;
  error_code ec;
  auto s = net::dial(io, *a, ec);
  REQUIRE_FALSE(ec);
  return Wire(s.release());
}

// The real server on its own io thread, serving the tree of a World: a
// struct built from the io_context that offers tree().
template <class World>
class BasicServed {
 public:
  explicit BasicServed(net::ServerConfig cfg = {}) : world_(io_), srv_(io_, world_.tree(), std::move(cfg)) {
    thread_ = std::thread([this] { io_.run(); });
  }
  ~BasicServed() {
    asio::post(io_, [this] {
      srv_.close();
      if constexpr (requires { world_.close(); }) world_.close();
    });
    work_.reset();
    thread_.join();  // returns once the closed connections have drained
  }

  // Runs f on the io thread and waits for its result.
  template <class F>
  auto on_io(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    asio::post(io_, [&task] { task(); });
    REQUIRE(fut.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    return fut.get();
  }

  // A socketpair whose one end the server serves; returns the other end.
  // grant: what the connection may do, as if it came through an export.
  int connect_fd(net::Grant grant = {}) {
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    on_io([this, fd = sv[0], &grant] {
      srv_.serve(net::Socket(io_, asio::generic::stream_protocol(AF_UNIX, 0), fd), "", std::move(grant));
    });
    return sv[1];
  }
  Wire connect(net::Grant grant = {}) { return Wire(connect_fd(std::move(grant))); }

  // A peer over TCP on 127.0.0.1, through a listener of its own.
  Wire connect_tcp() {
    auto bound = on_io([this] { return srv_.listen("tcp!127.0.0.1!0"); });
    REQUIRE(bound.ok());
    return dial_wire(*bound);
  }

  // Polls an io-thread condition until it holds or 20 s pass.
  template <class P>
  bool eventually(P pred) {
    for (int i = 0; i < 2000; i++) {  // 20 s, for a loaded machine
      if (on_io(pred)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  asio::io_context& io() { return io_; }
  World& world() { return world_; }
  auto& fs() { return world_.fs; }
  net::Server& server() { return srv_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  World world_;
  net::Server srv_;
  std::thread thread_;
};

struct RamWorld {
  net::RamFs fs{"tester"};
  explicit RamWorld(asio::io_context&) {}
  net::FileTree& tree() { return fs; }
};

// A RamFs that may hold Bytes and Files files and directories in all (the
// root and its pipe are two of them), for tests of its bounds.
template <uint64_t Bytes, size_t Files>
struct LimitedRamWorld {
  net::RamFs fs{"tester", {.max_bytes = Bytes, .max_files = Files}};
  explicit LimitedRamWorld(asio::io_context&) {}
  net::FileTree& tree() { return fs; }
};

// The real server over a RamFs.
using Served = BasicServed<RamWorld>;

}  // namespace grio::test

// The real client against the real server, in process.
#include <atomic>
#include <functional>

#include "net/client.h"
#include "tests/net/harness.h"
#include "tests/net/process.h"

using namespace grio;
using namespace grio::test;

namespace {

using Reply = net::Result<Msg>;

// Runs io until done() holds or 10 s pass.
template <class P>
bool run_until(asio::io_context& io, P done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(20));
  return done();
}

}  // namespace

TEST_CASE("100 clients with 50 requests in flight each", "[net]") {
  Served s;
  asio::io_context io;
  constexpr int clients = 100, inflight = 50;
  std::vector<std::shared_ptr<net::Client>> cs;
  int ready = 0;
  for (int i = 0; i < clients; i++) {
    auto c = net::Client::create(net::Socket(io, asio::generic::stream_protocol(AF_UNIX, 0), s.connect_fd()));
    cs.push_back(c);
    std::string name = "f" + std::to_string(i), body = "client " + std::to_string(i);
    c->version(8192, [&, c, name, body](net::Error e) {
      REQUIRE(e.empty());
      c->rpc(Tattach{0, NOFID, "u", ""}, [&, c, name, body](Reply r) {
        REQUIRE(r);
        c->rpc(Twalk{0, 1, {}}, [&, c, name, body](Reply) {
          c->rpc(Tcreate{1, name, 0666, ORDWR}, [&, c, body](Reply r) {
            REQUIRE(r);
            c->rpc(Twrite{1, 0, body}, [&](Reply r) {
              REQUIRE(r);
              ready++;
            });
          });
        });
      });
    });
  }
  REQUIRE(run_until(io, [&] { return ready == clients; }));

  int answered = 0, wrong = 0;
  for (int i = 0; i < clients; i++) {
    std::string body = "client " + std::to_string(i);
    for (int k = 0; k < inflight; k++)
      cs[i]->rpc(Tread{1, uint64_t(k % 8), 100}, [&, body, k](Reply r) {
        if (!r || std::get<Rread>(*r).data != body.substr(k % 8)) wrong++;
        answered++;
      });
  }
  REQUIRE(run_until(io, [&] { return answered == clients * inflight; }));
  CHECK(wrong == 0);
  CHECK(s.on_io([&] { return s.server().connections(); }) == size_t(clients));
  for (auto& c : cs) c->close();
  CHECK(s.eventually([&] { return s.server().connections() == 0; }));
  CHECK(s.on_io([&] { return s.fs().open_files(); }) == 0);
}

TEST_CASE("the client flushes a parked read: it ends once, as interrupted", "[net]") {
  Served s;
  asio::io_context io;
  auto c = net::Client::create(net::Socket(io, asio::generic::stream_protocol(AF_UNIX, 0), s.connect_fd()));
  int steps = 0;
  c->version(8192, [&](net::Error) {
    c->rpc(Tattach{0, NOFID, "u", ""}, [&](Reply) {
      c->rpc(Twalk{0, 1, {"pipe"}}, [&](Reply) {
        c->rpc(Topen{1, OREAD}, [&](Reply r) {
          REQUIRE(r);
          steps++;
        });
      });
    });
  });
  REQUIRE(run_until(io, [&] { return steps == 1; }));
  std::vector<std::string> results;
  uint16_t tag = c->rpc(Tread{1, 0, 10}, [&](Reply r) { results.push_back(r ? "data" : r.error()); });
  io.run_for(std::chrono::milliseconds(50));
  CHECK(results.empty());
  REQUIRE(s.eventually([&] { return s.fs().parked_reads() == 1; }));
  bool flushed = false;
  c->flush(tag, [&] { flushed = true; });
  REQUIRE(run_until(io, [&] { return flushed; }));
  CHECK(results == std::vector<std::string>{"interrupted"});
  CHECK(s.on_io([&] { return s.fs().parked_reads(); }) == 0);
  c->close();
}

TEST_CASE("SyncClient: an Interrupt flushes a parked read, and one before the call fails it at once", "[net]") {
  TempDir dir;
  Served s;
  auto bound = s.on_io([&] { return s.server().listen("unix!" + (dir.path / "srv").string()); });
  REQUIRE(bound);
  net::Error err;
  auto c = net::SyncClient::dial(*bound, "", err, 8192, "tester");
  REQUIRE(c);
  auto pipe = c->walk_path("pipe");
  REQUIRE(pipe);
  REQUIRE(c->open(*pipe, OREAD));
  auto intr = c->interruptible();
  auto parked = std::async(std::launch::async, [&] { return c->read(*pipe, 0, 100, intr); });
  REQUIRE(s.eventually([&] { return s.fs().parked_reads() == 1; }));
  intr->interrupt();
  REQUIRE(parked.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  auto r = parked.get();
  REQUIRE_FALSE(r);
  CHECK(r.error() == err::interrupted);
  CHECK(s.on_io([&] { return s.fs().parked_reads(); }) == 0);

  auto early = c->interruptible();
  early->interrupt();
  auto e = c->read(*pipe, 0, 100, early);
  REQUIRE_FALSE(e);
  CHECK(e.error() == err::interrupted);
  CHECK(s.on_io([&] { return s.fs().parked_reads(); }) == 0);
  // The connection carries on.
  CHECK(c->clunk(*pipe).empty());
}

TEST_CASE("SyncClient over a unix listener: files, directories, errors", "[net]") {
  TempDir dir;
  Served s;
  auto bound = s.on_io([&] { return s.server().listen("unix!" + (dir.path / "srv").string()); });
  REQUIRE(bound);
  net::Error err;
  auto c = net::SyncClient::dial(*bound, "", err, 8192, "tester");
  INFO(err);
  REQUIRE(c);
  auto d = c->walk_path("");
  REQUIRE(d);
  REQUIRE(c->create(*d, "notes", 0644, ORDWR));
  REQUIRE(c->write(*d, 0, "line one\n"));
  CHECK(*c->read(*d, 5, 100) == "one\n");
  CHECK(c->clunk(*d).empty());

  auto root = c->walk_path("/");
  REQUIRE(root);
  REQUIRE(c->open(*root, OREAD));
  auto entries = c->read_dir(*root);
  REQUIRE(entries);
  std::vector<std::string> names;
  for (auto& e : *entries) names.push_back(e.name);
  CHECK(names == std::vector<std::string>{"notes", "pipe"});

  auto missing = c->walk_path("nope/deeper");
  REQUIRE_FALSE(missing);
  CHECK(missing.error() == err::nonexist);
  auto f = c->walk_path("notes");
  REQUIRE(f);
  auto w = c->write(*f, 0, "x");
  REQUIRE_FALSE(w);
  CHECK(w.error() == err::notopen);
}

// Many large requests in flight both ways: each end reads a burst of
// messages before it answers or sends again, and every reply still reaches
// its callback, in order, with its bytes.
TEST_CASE("the client streams large writes and reads with 40 in flight, in order", "[net]") {
  Served s;
  asio::io_context io;
  auto c = net::Client::create(net::Socket(io, asio::generic::stream_protocol(AF_UNIX, 0), s.connect_fd()));
  bool ready = false;
  c->version(65536, [&](net::Error e) {
    REQUIRE(e.empty());
    c->rpc(Tattach{0, NOFID, "u", ""}, [&](Reply r) {
      REQUIRE(r);
      c->rpc(Twalk{0, 1, {}}, [&](Reply r) {
        REQUIRE(r);
        c->rpc(Tcreate{1, "big", 0666, ORDWR}, [&](Reply r) { ready = r.ok(); });
      });
    });
  });
  REQUIRE(run_until(io, [&] { return ready; }));
  REQUIRE(c->msize() == 65536);
  constexpr int N = 40;
  const uint32_t chunk = c->msize() - IOHDRSZ;
  std::vector<std::string> bodies;
  for (int i = 0; i < N; i++) {
    bodies.push_back(std::string(chunk, char('A' + i % 26)));
    bodies.back()[chunk / 2] = char(i);
  }
  std::vector<int> order;
  int wrong = 0;
  for (int i = 0; i < N; i++)
    c->write(1, uint64_t(i) * chunk, bodies[i], [&, i](Reply r) {
      if (!r || std::get<Rwrite>(*r).count != chunk) wrong++;
      order.push_back(i);
    });
  REQUIRE(run_until(io, [&] { return order.size() == N; }));
  for (int i = 0; i < N; i++)
    c->rpc(Tread{1, uint64_t(i) * chunk, chunk}, [&, i](Reply r) {
      if (!r || std::get<Rread>(*r).data != bodies[i]) wrong++;
      order.push_back(N + i);
    });
  REQUIRE(run_until(io, [&] { return order.size() == 2 * N; }));
  CHECK(wrong == 0);
  for (int i = 0; i < 2 * N; i++) CHECK(order[i] == i);
  c->close();
}

namespace {

// A RamFs whose stat first runs a hook on the server's thread: there it can
// wait to see what the server has sent meanwhile.
struct HookedRamFs : net::RamFs {
  using RamFs::RamFs;
  std::function<void()> before_stat;
  net::Result<net::Stat> stat(net::Fid& f) override {
    if (before_stat) before_stat();
    return RamFs::stat(f);
  }
};

struct HookedWorld {
  HookedRamFs fs{"tester"};
  explicit HookedWorld(asio::io_context&) {}
  net::FileTree& tree() { return fs; }
};

}  // namespace

// A server holds the replies of a burst of requests for one write at its
// end, but a large request or reply sends them at once: a streaming client
// then refills its window while the server handles the rest. Here the burst
// is a 64 KiB write or read, then a stat that waits (on the server's
// thread, for up to 5 s) until the client has the first reply. The whole
// burst is in the socket before the server is given it, so it is read as
// one; held to the burst's end, the first reply would come after the stat.
TEST_CASE("the reply to a large request leaves before the rest of its burst is handled", "[net]") {
  BasicServed<HookedWorld> s;
  const uint32_t size = 128 * 1024, count = 64 * 1024;
  const bool writing = GENERATE(true, false);
  CAPTURE(writing);
  std::vector<uint8_t> burst;
  auto add = [&](uint16_t tag, Msg m) { encode(Fcall{tag, std::move(m)}, burst); };
  add(NOTAG, Tversion{size, "9P2000"});
  add(1, Tattach{0, NOFID, "u", ""});
  add(2, Twalk{0, 1, {}});
  add(3, Tcreate{1, "big", 0666, ORDWR});
  add(4, Twrite{1, 0, std::string(count, 'w')});
  if (!writing) add(5, Tread{1, 0, count});
  add(6, Tstat{1});

  std::atomic<bool> client_has_it{false};
  bool stat_saw_it = false;
  s.on_io([&] {
    s.world().fs.before_stat = [&] {
      for (int i = 0; i < 500 && !client_has_it; i++) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      stat_saw_it = client_has_it;
    };
    return 0;
  });
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  Wire a(sv[1]);
  a.send_raw(burst);
  s.on_io([&, fd = sv[0]] {
    s.server().serve(net::Socket(s.io(), asio::generic::stream_protocol(AF_UNIX, 0), fd), "", {});
    return 0;
  });
  const uint16_t large = writing ? 4 : 5;
  for (;;) {
    auto f = a.recv();
    if (auto* e = std::get_if<Rerror>(&f.msg)) FAIL("Rerror: " << e->ename);
    if (f.tag != large) continue;
    if (writing) CHECK(std::get<Rwrite>(f.msg).count == count);
    else CHECK(std::get<Rread>(f.msg).data == std::string(count, 'w'));
    client_has_it = true;
    break;
  }
  auto st = a.recv();
  CHECK(st.tag == 6);
  CHECK(std::holds_alternative<Rstat>(st.msg));
  CHECK(s.on_io([&] { return stat_saw_it; }));
}

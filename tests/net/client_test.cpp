// The 9P client against a scripted fake server on a socketpair: the fake
// reads T-messages with the codec on its own thread and answers as each
// test says.
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <future>
#include <set>
#include <thread>

#include "net/client.h"
#include "net/codec.h"
#include "net/errors.h"

using namespace grio;
using namespace grio::net;
using namespace grio::ninep;
using namespace std::chrono_literals;

namespace {

// The server's end: blocking whole-message reads and writes. A receive
// timeout keeps a broken test from hanging.
class FakeServer {
 public:
  explicit FakeServer(int fd) : fd_(fd) {
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~FakeServer() { ::close(fd_); }

  // The next message, or nothing at EOF, timeout or a bad frame.
  std::optional<Fcall> next() {
    std::vector<uint8_t> b(4);
    if (!read_full(b.data(), 4)) return std::nullopt;
    uint32_t n = b[0] | b[1] << 8 | b[2] << 16 | uint32_t(b[3]) << 24;
    if (n < HDRSZ || n > (1u << 20)) return std::nullopt;
    b.resize(n);
    if (!read_full(b.data() + 4, n - 4)) return std::nullopt;
    return decode(b, 1u << 20).fcall;
  }
  void reply(uint16_t tag, Msg m) { raw(encode(Fcall{tag, std::move(m)})); }
  void raw(const std::vector<uint8_t>& b) {
    for (size_t off = 0; off < b.size();) {
      ssize_t n = ::send(fd_, b.data() + off, b.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += size_t(n);
    }
  }
  // True once the client has closed its end.
  bool sees_eof() {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }
  void hang_up() { ::shutdown(fd_, SHUT_RDWR); }

  // Answers the Tversion every test starts with.
  bool handshake(uint32_t msize = 8192) {
    auto f = next();
    if (!f || f->tag != NOTAG || !std::holds_alternative<Tversion>(f->msg)) return false;
    reply(NOTAG, Rversion{msize, "9P2000"});
    return true;
  }

 private:
  bool read_full(uint8_t* p, size_t n) {
    while (n) {
      ssize_t r = ::recv(fd_, p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= size_t(r);
    }
    return true;
  }
  int fd_;
};

// A one-shot signal between the test and the script, with a timeout.
struct Gate {
  std::promise<void> p;
  std::shared_future<void> f = p.get_future().share();
  void open() { p.set_value(); }
  bool wait() { return f.wait_for(5s) == std::future_status::ready; }
};

struct Harness {
  asio::io_context io;
  std::shared_ptr<Client> client;
  std::unique_ptr<FakeServer> server;
  std::thread script;

  Harness() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    client = Client::create(Socket(io, asio::generic::stream_protocol(AF_UNIX, 0), fds[0]));
    server = std::make_unique<FakeServer>(fds[1]);
  }
  ~Harness() {
    client->close();
    join();
    io.restart();
    io.poll();
  }
  template <class F>
  void serve(F f) {
    script = std::thread([this, f]() mutable { f(*server); });
  }
  void join() {
    if (script.joinable()) script.join();
  }
  // Runs the client's io until pred holds; false after 5 s without.
  bool run_until(const std::function<bool()>& pred) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!pred() && std::chrono::steady_clock::now() < deadline) {
      if (io.stopped()) {
        io.restart();
        std::this_thread::sleep_for(1ms);
      }
      io.run_one_for(10ms);
    }
    return pred();
  }
  void version(uint32_t msize = 8192) {
    bool done = false;
    Error e = "no answer";
    client->version(msize, [&](Error err) {
      e = err;
      done = true;
    });
    REQUIRE(run_until([&] { return done; }));
    REQUIRE(e == "");
  }
};

std::string pattern(size_t n, int seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) s[i] = char(i * 7 + i / 251 + size_t(seed));
  return s;
}

// What a callback saw: how often it ran and with what.
struct Seen {
  int calls = 0;
  std::optional<Msg> reply;
  std::string error;
  Client::Reply cb() {
    return [this](Result<Msg> r) {
      calls++;
      if (r) reply = std::move(*r);
      else error = r.error();
    };
  }
};

}  // namespace

TEST_CASE("client: version negotiation", "[net]") {
  Harness h;
  Tversion sent;
  uint16_t sent_tag = 0;
  Msg answer = Rversion{8192, "9P2000"};
  uint32_t want_msize = 8192;
  std::string want_error;
  SECTION("the server lowers msize") {}
  SECTION("the server may not raise msize") {
    answer = Rversion{1 << 20, "9P2000"};
    want_msize = 65536;
  }
  SECTION("unknown version") {
    answer = Rversion{8192, "unknown"};
    want_error = "server does not speak 9P2000 (it answered 'unknown')";
  }
  SECTION("Rerror") {
    answer = Rerror{"go away"};
    want_error = "go away";
  }
  SECTION("msize too small") {
    answer = Rversion{64, "9P2000"};
    want_error = err::msizesmall;
  }
  h.serve([&](FakeServer& s) {
    auto f = s.next();
    if (!f) return;
    sent_tag = f->tag;
    if (auto* t = std::get_if<Tversion>(&f->msg)) sent = *t;
    s.reply(NOTAG, answer);
  });
  int calls = 0;
  Error e = "no answer";
  h.client->version(65536, [&](Error err) {
    calls++;
    e = err;
  });
  REQUIRE(h.run_until([&] { return calls > 0; }));
  h.join();
  CHECK(sent_tag == NOTAG);
  CHECK(sent.msize == 65536);
  CHECK(sent.version == "9P2000");
  CHECK(calls == 1);
  CHECK(e == want_error);
  if (want_error.empty()) CHECK(h.client->msize() == want_msize);
}

TEST_CASE("client: replies out of order reach their callbacks", "[net]") {
  Harness h;
  constexpr int N = 100;
  h.serve([](FakeServer& s) {
    if (!s.handshake()) return;
    std::vector<Fcall> got;
    for (int i = 0; i < N; i++) {
      auto f = s.next();
      if (!f) return;
      got.push_back(std::move(*f));
    }
    for (auto it = got.rbegin(); it != got.rend(); ++it)
      if (auto* t = std::get_if<Tread>(&it->msg))
        s.reply(it->tag, Rread{"fid " + std::to_string(t->fid)});
  });
  h.version();
  std::vector<Seen> seen(N);
  std::set<uint16_t> tags;
  for (int i = 0; i < N; i++) tags.insert(h.client->rpc(Tread{uint32_t(i), 0, 64}, seen[i].cb()));
  CHECK(tags.size() == size_t(N));
  CHECK(tags.count(NOTAG) == 0);
  auto all = [&] {
    for (auto& s : seen)
      if (s.calls == 0) return false;
    return true;
  };
  REQUIRE(h.run_until(all));
  for (int i = 0; i < N; i++) {
    INFO("request " << i);
    CHECK(seen[i].calls == 1);
    REQUIRE(seen[i].reply);
    CHECK(std::get<Rread>(*seen[i].reply).data == "fid " + std::to_string(i));
  }
}

TEST_CASE("client: Rerror and mistyped replies become errors", "[net]") {
  Harness h;
  h.serve([](FakeServer& s) {
    if (!s.handshake()) return;
    auto a = s.next(), b = s.next(), c = s.next();
    if (!a || !b || !c) return;
    s.reply(a->tag, Rerror{"file does not exist"});
    s.reply(b->tag, Rwalk{});  // the answer to a Tstat must be Rstat
    s.reply(c->tag, Rclunk{});
  });
  h.version();
  Seen a, b, c;
  h.client->rpc(Tstat{1}, a.cb());
  h.client->rpc(Tstat{2}, b.cb());
  h.client->rpc(Tclunk{3}, c.cb());
  REQUIRE(h.run_until([&] { return a.calls && b.calls && c.calls; }));
  CHECK(a.error == "file does not exist");
  CHECK_FALSE(a.reply);
  CHECK(b.error == err::rmessage);
  CHECK(c.error == "");
  CHECK(c.reply);
  CHECK_FALSE(h.client->closed());
}

TEST_CASE("client: a reply before Rflush stands, and the tag waits for Rflush", "[net]") {
  Harness h;
  Gate reply_seen;
  uint16_t read_tag = NOTAG, flushed_tag = 0;
  std::vector<uint16_t> later_tags;
  h.serve([&](FakeServer& s) {
    if (!s.handshake()) return;
    auto r = s.next(), f = s.next();
    if (!r || !f || !std::holds_alternative<Tflush>(f->msg)) return;
    read_tag = r->tag;
    flushed_tag = std::get<Tflush>(f->msg).oldtag;
    s.reply(r->tag, Rread{"late but here"});
    if (!reply_seen.wait()) return;
    std::vector<Fcall> clunks;
    for (int i = 0; i < 5; i++) {
      auto c = s.next();
      if (!c) return;
      later_tags.push_back(c->tag);
      clunks.push_back(*c);
    }
    s.reply(f->tag, Rflush{});
    for (auto& c : clunks) s.reply(c.tag, Rclunk{});
  });
  h.version();
  Seen read;
  int flush_done = 0;
  uint16_t tag = h.client->rpc(Tread{1, 0, 10}, read.cb());
  h.client->flush(tag, [&] { flush_done++; });
  REQUIRE(h.run_until([&] { return read.calls > 0; }));
  // The reply arrived, but Rflush has not: tag must not be handed out yet.
  std::vector<Seen> clunks(5);
  for (auto& c : clunks) CHECK(h.client->rpc(Tclunk{7}, c.cb()) != tag);
  reply_seen.open();
  auto all = [&] {
    for (auto& c : clunks)
      if (!c.calls) return false;
    return flush_done > 0;
  };
  REQUIRE(h.run_until(all));
  h.join();
  CHECK(read_tag == tag);
  CHECK(flushed_tag == tag);
  CHECK(read.calls == 1);
  REQUIRE(read.reply);
  CHECK(std::get<Rread>(*read.reply).data == "late but here");
  CHECK(flush_done == 1);
  CHECK(later_tags.size() == 5);
  for (auto t : later_tags) CHECK(t != tag);
}

TEST_CASE("client: a request flushed before its reply is interrupted once", "[net]") {
  Harness h;
  h.serve([&](FakeServer& s) {
    if (!s.handshake()) return;
    auto r = s.next(), f = s.next();
    if (!r || !f) return;
    // Rflush, then a reply the server should never have sent, in one write.
    auto bytes = encode(Fcall{f->tag, Rflush{}});
    encode(Fcall{r->tag, Rread{"too late"}}, bytes);
    s.raw(bytes);
    auto c = s.next();
    if (c) s.reply(c->tag, Rclunk{});
  });
  h.version();
  Seen read, clunk;
  int flush_done = 0;
  uint16_t tag = h.client->rpc(Tread{1, 0, 10}, read.cb());
  h.client->flush(tag, [&] { flush_done++; });
  REQUIRE(h.run_until([&] { return flush_done > 0; }));
  CHECK(read.calls == 1);
  CHECK(read.error == err::interrupted);
  h.client->rpc(Tclunk{1}, clunk.cb());
  REQUIRE(h.run_until([&] { return clunk.calls > 0; }));
  CHECK(clunk.error == "");
  CHECK(read.calls == 1);
  CHECK(flush_done == 1);
  CHECK_FALSE(h.client->closed());
}

TEST_CASE("client: the server hanging up mid-message fails every request", "[net]") {
  Harness h;
  std::string data = "cut short";
  // A large payload is read straight into its own string.
  SECTION("a large payload") { data = std::string(30000, 'p'); }
  SECTION("a small message") {}
  h.serve([&](FakeServer& s) {
    if (!s.handshake(65536)) return;
    auto a = s.next(), b = s.next(), c = s.next();
    if (!a || !b || !c) return;
    auto half = encode(Fcall{a->tag, Rread{data}});
    half.resize(half.size() / 2);
    s.raw(half);
    s.hang_up();
  });
  h.version(65536);
  std::vector<Seen> seen(3);
  for (auto& s : seen) h.client->rpc(Tread{1, 0, 10}, s.cb());
  REQUIRE(h.run_until([&] { return seen[0].calls && seen[1].calls && seen[2].calls; }));
  for (auto& s : seen) {
    CHECK(s.calls == 1);
    CHECK(s.error == err::hungup);
  }
  CHECK(h.client->closed());
  Seen after;
  CHECK(h.client->rpc(Tclunk{1}, after.cb()) == NOTAG);
  REQUIRE(h.run_until([&] { return after.calls > 0; }));
  CHECK(after.error == err::hungup);
}

TEST_CASE("client: a malformed frame closes the connection", "[net]") {
  Harness h;
  std::vector<uint8_t> bad;
  SECTION("size smaller than a header") { bad = {3, 0, 0, 0, 117, 0, 0}; }
  SECTION("unknown message type") { bad = {7, 0, 0, 0, 99, 0, 0}; }
  SECTION("size beyond msize") { bad = {0, 0, 1, 0, 117, 0, 0}; }
  SECTION("truncated body") { bad = {9, 0, 0, 0, 117, 0, 0, 1, 0}; }
  bool eof = false;
  h.serve([&](FakeServer& s) {
    if (!s.handshake()) return;
    auto a = s.next(), b = s.next();
    if (!a || !b) return;
    s.raw(bad);
    eof = s.sees_eof();
  });
  h.version();
  Seen a, b;
  h.client->rpc(Tread{1, 0, 10}, a.cb());
  h.client->rpc(Tread{2, 0, 10}, b.cb());
  REQUIRE(h.run_until([&] { return a.calls && b.calls; }));
  h.join();
  CHECK(h.client->closed());
  CHECK(a.error == err::hungup);
  CHECK(b.error == err::hungup);
  CHECK(eof);
}

TEST_CASE("client: tags are never NOTAG nor reused while outstanding", "[net]") {
  Harness h;
  Gate more_sent;
  h.serve([&](FakeServer& s) {
    if (!s.handshake()) return;
    std::vector<Fcall> got;
    for (int i = 0; i < 300; i++)
      if (auto f = s.next()) got.push_back(*f);
    for (int i = 0; i < 150; i++) s.reply(got[i].tag, Rclunk{});
    if (!more_sent.wait()) return;
    for (int i = 0; i < 150; i++)
      if (auto f = s.next()) got.push_back(*f);
    for (size_t i = 150; i < got.size(); i++) s.reply(got[i].tag, Rclunk{});
  });
  h.version();
  std::vector<Seen> seen(450);
  std::vector<uint16_t> tags;
  for (int i = 0; i < 300; i++) tags.push_back(h.client->rpc(Tclunk{uint32_t(i)}, seen[i].cb()));
  CHECK(std::set<uint16_t>(tags.begin(), tags.end()).size() == 300);
  auto answered = [&](int from, int to) {
    for (int i = from; i < to; i++)
      if (!seen[i].calls) return false;
    return true;
  };
  REQUIRE(h.run_until([&] { return answered(0, 150); }));
  std::set<uint16_t> outstanding(tags.begin() + 150, tags.end());
  for (int i = 300; i < 450; i++) {
    uint16_t t = h.client->rpc(Tclunk{uint32_t(i)}, seen[i].cb());
    CHECK(t != NOTAG);
    CHECK(outstanding.insert(t).second);
  }
  more_sent.open();
  REQUIRE(h.run_until([&] { return answered(0, 450); }));
  for (auto& s : seen) CHECK(s.error == "");
}

TEST_CASE("client: all 65535 tags in use, then close fails them all", "[net]") {
  Harness h;
  h.serve([](FakeServer& s) { s.handshake(); });
  h.version();
  std::vector<bool> used(65536);
  int failed = 0, calls = 0;
  auto cb = [&](Result<Msg> r) {
    calls++;
    if (!r && r.error() == err::hungup) failed++;
  };
  bool distinct = true;
  for (int i = 0; i < 65535; i++) {
    uint16_t t = h.client->rpc(Tclunk{uint32_t(i)}, cb);
    if (t == NOTAG || used[t]) distinct = false;
    else used[t] = true;
  }
  CHECK(distinct);
  Seen extra;
  CHECK(h.client->rpc(Tclunk{1}, extra.cb()) == NOTAG);
  REQUIRE(h.run_until([&] { return extra.calls > 0; }));
  CHECK(extra.error == err::toomanyreqs);
  CHECK(calls == 0);
  h.client->close();
  CHECK(failed == 65535);
  CHECK(calls == 65535);
}

TEST_CASE("client: fids are reused only after being freed", "[net]") {
  Harness h;
  uint32_t a = h.client->alloc_fid(), b = h.client->alloc_fid();
  CHECK(a != b);
  CHECK(a != NOFID);
  h.client->free_fid(a);
  uint32_t c = h.client->alloc_fid();
  CHECK(c == a);
  CHECK(h.client->alloc_fid() != b);
}

namespace {

// A listening Unix socket in a temporary directory, for SyncClient::dial.
struct Listener {
  std::string dir, path;
  int fd = -1;
  Listener() {
    char tmpl[] = "/tmp/grio-client-test.XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    dir = tmpl;
    path = dir + "/sock";
    fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(::listen(fd, 1) == 0);
  }
  ~Listener() {
    ::close(fd);
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
  }
  // Accepts one client, with a timeout so a failed dial cannot hang us.
  std::unique_ptr<FakeServer> accept() {
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int c = ::accept(fd, nullptr, nullptr);
    return c < 0 ? nullptr : std::make_unique<FakeServer>(c);
  }
};

}  // namespace

TEST_CASE("sync client: dial attaches, walk_path walks in steps of 16", "[net]") {
  Listener l;
  Tattach attach;
  std::vector<Twalk> walks;
  std::vector<uint32_t> clunked;
  Msg second_step = Rwalk{std::vector<Qid>(4)};
  std::string want = "";
  SECTION("a full walk") {}
  SECTION("a partial second step clunks the new fid") {
    second_step = Rwalk{std::vector<Qid>(2)};
    want = err::nonexist;
  }
  SECTION("an error in the second step clunks the new fid") {
    second_step = Rerror{"not a directory"};
    want = "not a directory";
  }
  std::thread script([&] {
    auto s = l.accept();
    if (!s || !s->handshake(4096)) return;
    auto a = s->next();
    if (!a || !std::holds_alternative<Tattach>(a->msg)) return;
    attach = std::get<Tattach>(a->msg);
    s->reply(a->tag, Rattach{Qid{QTDIR, 0, 1}});
    while (auto f = s->next()) {
      if (auto* w = std::get_if<Twalk>(&f->msg)) {
        walks.push_back(*w);
        s->reply(f->tag, walks.size() == 1 ? Msg(Rwalk{std::vector<Qid>(16)}) : second_step);
      } else if (auto* c = std::get_if<Tclunk>(&f->msg)) {
        clunked.push_back(c->fid);
        s->reply(f->tag, Rclunk{});
      }
    }
  });
  {
    Error err;
    auto c = SyncClient::dial("unix!" + l.path, "ctx", err, 1 << 16, "glenda");
    REQUIRE(err == "");
    REQUIRE(c);
    CHECK(c->msize() == 4096);
    std::string path = "/a/b//c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/";
    auto fid = c->walk_path(path);
    if (want.empty()) {
      REQUIRE(fid.ok());
      CHECK(*fid != c->root());
      CHECK(c->clunk(*fid) == "");
    } else {
      REQUIRE_FALSE(fid.ok());
      CHECK(fid.error() == want);
    }
  }  // the SyncClient hangs up here, ending the script
  script.join();
  CHECK(attach.uname == "glenda");
  CHECK(attach.aname == "ctx");
  CHECK(attach.afid == NOFID);
  REQUIRE(walks.size() == 2);
  CHECK(walks[0].fid == attach.fid);
  CHECK(walks[0].wname.size() == 16);
  CHECK(walks[0].wname[0] == "a");
  CHECK(walks[0].wname[2] == "c");
  CHECK(walks[1].fid == walks[0].newfid);
  CHECK(walks[1].newfid == walks[0].newfid);
  CHECK(walks[1].wname == std::vector<std::string>{"q", "r", "s", "t"});
  REQUIRE(clunked.size() == 1);
  CHECK(clunked[0] == walks[0].newfid);
}

TEST_CASE("sync client: a failed first step clunks nothing, read_dir reads to the end", "[net]") {
  Listener l;
  std::vector<uint32_t> clunked;
  std::vector<uint64_t> offsets;
  std::vector<uint32_t> counts;
  Stat a, b;
  a.name = "a";
  a.uid = a.gid = a.muid = "u";
  b = a;
  b.name = "b";
  std::thread script([&] {
    auto s = l.accept();
    if (!s || !s->handshake(8192)) return;
    while (auto f = s->next()) {
      if (std::holds_alternative<Tattach>(f->msg)) s->reply(f->tag, Rattach{});
      else if (auto* w = std::get_if<Twalk>(&f->msg))
        s->reply(f->tag, w->wname.empty() ? Msg(Rwalk{}) : Msg(Rerror{"file does not exist"}));
      else if (auto* c = std::get_if<Tclunk>(&f->msg)) {
        clunked.push_back(c->fid);
        s->reply(f->tag, Rclunk{});
      } else if (std::holds_alternative<Topen>(f->msg)) {
        s->reply(f->tag, Ropen{});
      } else if (auto* r = std::get_if<Tread>(&f->msg)) {
        offsets.push_back(r->offset);
        counts.push_back(r->count);
        std::vector<uint8_t> d;
        if (r->offset == 0) d = pack_stat(a);
        else if (offsets.size() == 2) d = pack_stat(b);
        s->reply(f->tag, Rread{std::string(d.begin(), d.end())});
      }
    }
  });
  {
    Error err;
    auto c = SyncClient::dial("unix!" + l.path, "", err);
    REQUIRE(c);
    auto bad = c->walk_path("nope");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error() == "file does not exist");
    auto dir = c->walk_path("");
    REQUIRE(dir.ok());
    REQUIRE(c->open(*dir, OREAD).ok());
    auto entries = c->read_dir(*dir);
    REQUIRE(entries.ok());
    REQUIRE(entries->size() == 2);
    CHECK((*entries)[0] == a);
    CHECK((*entries)[1] == b);
  }
  script.join();
  CHECK(clunked.empty());
  REQUIRE(offsets.size() == 3);
  CHECK(offsets[1] == pack_stat(a).size());
  CHECK(offsets[2] == offsets[1] + pack_stat(b).size());
  CHECK(counts[0] == 8192 - IOHDRSZ);
}

TEST_CASE("sync client: close from another thread fails a waiting read, and later calls", "[net]") {
  Listener l;
  std::promise<void> read_arrived;
  std::thread script([&] {
    auto s = l.accept();
    if (!s || !s->handshake(8192)) return;
    while (auto f = s->next()) {
      if (std::holds_alternative<Tattach>(f->msg)) s->reply(f->tag, Rattach{});
      else if (std::holds_alternative<Tread>(f->msg)) read_arrived.set_value();  // never answered
    }
  });
  Error err;
  auto c = SyncClient::dial("unix!" + l.path, "", err);
  REQUIRE(c);
  auto parked = std::async(std::launch::async, [&] { return c->read(c->root(), 0, 100); });
  REQUIRE(read_arrived.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  c->close();
  REQUIRE(parked.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  auto r = parked.get();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error() == "connection closed");
  auto later = c->read(c->root(), 0, 100);
  REQUIRE_FALSE(later.ok());
  CHECK(later.error() == "connection closed");
  c.reset();
  script.join();
}

// More than the socket holds: the first writes leave at once, the rest wait
// as views of the caller's bytes and leave when the server reads.
TEST_CASE("client: large writes leave whole and in order past a full socket", "[net]") {
  Harness h;
  constexpr int N = 24;
  std::vector<std::string> data;
  for (int i = 0; i < N; i++) data.push_back(pattern(60000 + size_t(i), i));
  Gate queued;
  std::vector<Fcall> got;
  h.serve([&](FakeServer& s) {
    if (!s.handshake(65536) || !queued.wait()) return;
    for (int i = 0; i < N; i++) {
      auto f = s.next();
      if (!f) return;
      got.push_back(std::move(*f));
    }
    for (auto& f : got)
      if (auto* t = std::get_if<Twrite>(&f.msg)) s.reply(f.tag, Rwrite{uint32_t(t->data.size())});
  });
  h.version(65536);
  std::vector<Seen> seen(N);
  for (int i = 0; i < N; i++) h.client->write(7, uint64_t(i) << 20, data[i], seen[i].cb());
  queued.open();
  REQUIRE(h.run_until([&] { return seen[N - 1].calls > 0; }));
  h.join();
  REQUIRE(got.size() == size_t(N));
  for (int i = 0; i < N; i++) {
    INFO("write " << i);
    auto* t = std::get_if<Twrite>(&got[i].msg);
    REQUIRE(t);
    CHECK(t->fid == 7);
    CHECK(t->offset == uint64_t(i) << 20);
    CHECK(t->data == data[i]);
    CHECK(seen[i].calls == 1);
    REQUIRE(seen[i].reply);
    CHECK(std::get<Rwrite>(*seen[i].reply).count == data[i].size());
  }
}

TEST_CASE("client: replies arriving together or a byte at a time reach their callbacks", "[net]") {
  Harness h;
  size_t piece = 0;  // bytes per send; 0: all replies in one
  SECTION("together") {}
  SECTION("a byte at a time") { piece = 1; }
  // Rreads of 8 KiB and more are read straight into their own strings.
  const std::vector<Msg> replies = {Rread{pattern(9000, 1)}, Rwrite{5}, Rread{"small"}, Rclunk{},
                                    Rread{pattern(8192, 2)}};
  h.serve([&](FakeServer& s) {
    if (!s.handshake(65536)) return;
    std::vector<uint8_t> all;
    for (auto& r : replies) {
      auto f = s.next();
      if (!f) return;
      encode(Fcall{f->tag, r}, all);
    }
    size_t step = piece ? piece : all.size();
    for (size_t at = 0; at < all.size(); at += step)
      s.raw({all.begin() + long(at), all.begin() + long(std::min(all.size(), at + step))});
  });
  h.version(65536);
  std::vector<Seen> seen(replies.size());
  for (size_t i = 0; i < replies.size(); i++) {
    MsgType want = type_of(replies[i]);
    if (want == MsgType::Rwrite) h.client->write(1, 0, "abc", seen[i].cb());
    else if (want == MsgType::Rclunk) h.client->rpc(Tclunk{1}, seen[i].cb());
    else h.client->rpc(Tread{1, 0, 60000}, seen[i].cb());
  }
  REQUIRE(h.run_until([&] { return seen.back().calls > 0; }));
  h.join();
  for (size_t i = 0; i < replies.size(); i++) {
    INFO("reply " << i);
    CHECK(seen[i].calls == 1);
    REQUIRE(seen[i].reply);
    CHECK(encode(Fcall{1, *seen[i].reply}) == encode(Fcall{1, replies[i]}));
  }
  CHECK_FALSE(h.client->closed());
}

namespace {

// A file of `size` bytes served by a fake server that holds each Tread
// until the client cannot have sent more (the window is full, or the last
// read reached ahead_to), then answers them in reverse: a client that
// waited for each reply before the next read would stall it. The read at
// offset `hole` returns 100 bytes short.
struct StreamedFile {
  std::string bytes;
  uint64_t ahead_to = 0, hole = UINT64_MAX;
  int window = SyncClient::read_ahead;
  size_t most_in_flight = 0, most_past_ahead = 0;  // pending reads seen at once
  std::vector<uint64_t> offsets;

  void serve(FakeServer& s) {
    std::vector<Fcall> pending;
    while (auto f = s.next()) {
      if (std::holds_alternative<Tattach>(f->msg)) s.reply(f->tag, Rattach{});
      else if (std::holds_alternative<Tclunk>(f->msg)) s.reply(f->tag, Rclunk{});
      auto* r = std::get_if<Tread>(&f->msg);
      if (!r) continue;
      offsets.push_back(r->offset);
      bool last = r->offset + r->count >= ahead_to;
      pending.push_back(std::move(*f));
      if (pending.size() < size_t(window) && !last) continue;
      most_in_flight = std::max(most_in_flight, pending.size());
      if (std::get<Tread>(pending.front().msg).offset >= ahead_to) most_past_ahead = std::max(most_past_ahead, pending.size());
      for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
        auto& t = std::get<Tread>(it->msg);
        size_t n = t.offset >= bytes.size() ? 0 : std::min<size_t>(t.count, bytes.size() - t.offset);
        if (t.offset == hole) n -= 100;
        s.reply(it->tag, Rread{n ? bytes.substr(t.offset, n) : ""});
      }
      pending.clear();
    }
  }
};

}  // namespace

TEST_CASE("sync client: read_stream keeps reads in flight below the length and gives the bytes in order", "[net]") {
  Listener l;
  const uint32_t count = 8192 - IOHDRSZ;
  StreamedFile file;
  file.bytes = pattern(10 * count + 500, 5);
  file.ahead_to = 6 * count;
  SECTION("every read whole") {}
  SECTION("a short read ahead of others") { file.hole = 2 * count; }
  std::thread script([&] {
    auto s = l.accept();
    if (s && s->handshake(8192)) file.serve(*s);
  });
  std::string got;
  {
    Error err;
    auto c = SyncClient::dial("unix!" + l.path, "", err, 8192);
    REQUIRE(c);
    Error e = c->read_stream(c->root(), 0, count, file.ahead_to, SyncClient::read_ahead, [&](std::string_view d) {
      got += d;
      return true;
    });
    CHECK(e == "");
  }
  script.join();
  CHECK(got == file.bytes);
  CHECK(file.most_in_flight == size_t(SyncClient::read_ahead));
  CHECK(file.most_past_ahead == 1);  // past the length, one at a time
  CHECK(file.offsets.back() == file.bytes.size());  // it read to the end
}

TEST_CASE("sync client: a server gone with reads in flight ends read_stream with an error", "[net]") {
  Listener l;
  std::thread script([&] {
    auto s = l.accept();
    if (!s || !s->handshake(8192)) return;
    int reads = 0;
    while (auto f = s->next()) {
      if (std::holds_alternative<Tattach>(f->msg)) s->reply(f->tag, Rattach{});
      else if (std::holds_alternative<Tread>(f->msg) && ++reads == SyncClient::read_ahead) return s->hang_up();
    }
  });
  Error err;
  auto c = SyncClient::dial("unix!" + l.path, "", err, 8192);
  REQUIRE(c);
  int pieces = 0;
  Error e = c->read_stream(c->root(), 0, 1000, 1 << 20, SyncClient::read_ahead, [&](std::string_view) {
    pieces++;
    return true;
  });
  CHECK(e == "connection closed");
  CHECK(pieces == 0);
  c.reset();
  script.join();
}

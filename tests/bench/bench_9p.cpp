// 9P round trips and streaming throughput, each beside a raw Unix-socket
// baseline of the same message sizes measured in the same run.
//
//   round trips: a small Tread (23 bytes) answered by a 16-byte Rread
//   (27 bytes), one request in flight per client, 1 and 16 clients;
//   baseline: blocking ping-pong of 23/27-byte messages between threads.
//
//   streaming: 2 GiB written into a RamFs file, then read back, at msize
//   64 KiB with 8 requests in flight; baseline: the same bytes pushed
//   through a socketpair in 64 KiB writes and read by another thread.
//   The file is a 32 MiB span written over and over: the baseline stores
//   nothing, so growing a 2 GiB file (page faults, reallocation) would
//   measure the memory system instead of 9P.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>
#include <vector>

#include "net/client.h"
#include "net/ramfs.h"
#include "net/server.h"

using namespace grio;
using namespace grio::ninep;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double seconds = 1.0;
constexpr size_t tread_size = 23, rread_size = 27;
constexpr uint32_t stream_msize = 64 * 1024;
constexpr uint64_t stream_bytes = 2ull << 30;
constexpr uint64_t stream_span = 32ull << 20;
constexpr int window = 8;
constexpr int rounds = 3;  // of each measurement, reported as the median

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

bool read_full(int fd, void* p, size_t n) {
  auto* b = static_cast<char*>(p);
  while (n) {
    ssize_t k = ::read(fd, b, n);
    if (k <= 0) return false;
    b += k, n -= size_t(k);
  }
  return true;
}

bool write_full(int fd, const void* p, size_t n) {
  auto* b = static_cast<const char*>(p);
  while (n) {
    ssize_t k = ::write(fd, b, n);
    if (k <= 0) return false;
    b += k, n -= size_t(k);
  }
  return true;
}

// Raw ping-pong over `pairs` socketpairs, one thread per end.
double raw_pingpong(int pairs) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> total{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < pairs; i++) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) std::abort();
    threads.emplace_back([fd = sv[0]] {
      char req[tread_size], resp[rread_size] = {};
      while (read_full(fd, req, sizeof req) && write_full(fd, resp, sizeof resp)) {
      }
      ::close(fd);
    });
    threads.emplace_back([fd = sv[1], &stop, &total] {
      char req[tread_size] = {}, resp[rread_size];
      uint64_t n = 0;
      while (!stop && write_full(fd, req, sizeof req) && read_full(fd, resp, sizeof resp)) n++;
      total += n;
      ::shutdown(fd, SHUT_RDWR);
      ::close(fd);
    });
  }
  auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  return double(total) / since(t0);
}

// Raw stream: bytes through a socketpair in 64 KiB writes.
double raw_stream() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) std::abort();
  std::vector<char> buf(stream_msize);
  auto t0 = Clock::now();
  std::thread reader([fd = sv[1]] {
    std::vector<char> in(stream_msize);
    uint64_t got = 0;
    while (got < stream_bytes) {
      ssize_t k = ::read(fd, in.data(), in.size());
      if (k <= 0) break;
      got += uint64_t(k);
    }
  });
  for (uint64_t sent = 0; sent < stream_bytes; sent += buf.size()) write_full(sv[0], buf.data(), buf.size());
  reader.join();
  double mbs = double(stream_bytes) / 1e6 / since(t0);
  ::close(sv[0]);
  ::close(sv[1]);
  return mbs;
}

// The grio server on a RamFs, listening on a Unix socket, on its own thread.
struct ServerThread {
  asio::io_context io;
  net::RamFs fs{"bench"};
  net::Server srv{io, fs};
  std::string addr;
  std::thread thread;
  std::filesystem::path dir;
  ServerThread() {
    char tmpl[] = "/tmp/grio-bench-XXXXXX";
    dir = ::mkdtemp(tmpl);
    auto bound = srv.listen("unix!" + (dir / "srv").string());
    if (!bound) std::abort();
    addr = *bound;
    thread = std::thread([this] { io.run(); });
  }
  ~ServerThread() {
    asio::post(io, [this] { srv.close(); });
    thread.join();
    std::filesystem::remove_all(dir);
  }
};

// Runs fn on io, then runs io until done() holds. A client always has a
// read outstanding, so io never runs out of work by itself.
template <class F, class P>
void run_on(asio::io_context& io, F fn, P done) {
  asio::post(io, fn);
  while (!done()) io.run_one();
}

// A client on io with fid 0 attached and fid 1 open on path (created first
// when create is set).
std::shared_ptr<net::Client> connect(asio::io_context& io, const std::string& addr, uint32_t msize,
                                     const std::string& path, uint8_t mode, bool create) {
  std::string why;
  auto a = net::parse_address(addr, why);
  error_code ec;
  auto c = net::Client::create(net::dial(io, *a, ec));
  if (ec) std::abort();
  bool ready = false;
  auto must = [&ready](net::Result<Msg> r) {
    if (!r) {
      std::fprintf(stderr, "bench: %s\n", r.error().c_str());
      std::abort();
    }
    ready = true;
  };
  run_on(io, [&] {
    c->version(msize, [&, c](net::Error e) {
      if (!e.empty()) std::abort();
      c->rpc(Tattach{0, NOFID, "bench", ""}, [&, c](net::Result<Msg> r) {
        if (r && create) {
          c->rpc(Twalk{0, 1, {}}, [&, c](net::Result<Msg> r) {
            if (r) c->rpc(Tcreate{1, path, 0666, mode}, must);
            else must(r);
          });
        } else if (r) {
          c->rpc(Twalk{0, 1, {path}}, [&, c](net::Result<Msg> r) {
            if (r) c->rpc(Topen{1, mode}, must);
            else must(r);
          });
        } else {
          must(r);
        }
      });
    });
  }, [&] { return ready; });
  return c;
}

// Round trips of a small Tread with `clients` connections, one in flight each.
double ninep_roundtrips(ServerThread& s, int clients) {
  asio::io_context io;
  // A 16-byte file to read, new for every measurement.
  static int measurements = 0;
  const std::string name = "small" + std::to_string(++measurements);
  auto setup = connect(io, s.addr, 8192, name, ORDWR, true);
  bool written = false;
  run_on(io, [&] { setup->rpc(Twrite{1, 0, std::string(16, 'x')}, [&](net::Result<Msg>) { written = true; }); },
         [&] { return written; });
  std::vector<std::shared_ptr<net::Client>> cs;
  for (int i = 0; i < clients; i++) cs.push_back(connect(io, s.addr, 8192, name, OREAD, false));
  uint64_t total = 0;
  bool stop = false;
  int running = clients;
  std::function<void(net::Client&)> next = [&](net::Client& c) {
    c.rpc(Tread{1, 0, 64}, [&](net::Result<Msg> r) {
      if (!r || std::get<Rread>(*r).data.size() != 16) std::abort();
      total++;
      if (!stop) next(c);
      else running--;
    });
  };
  asio::steady_timer timer(io, std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
  auto t0 = Clock::now();
  run_on(io, [&] {
    for (auto& c : cs) next(*c);
    timer.async_wait([&](const error_code&) { stop = true; });
  }, [&] { return running == 0; });
  double rate = double(total) / since(t0);
  for (auto& c : cs) c->close();
  setup->close();
  return rate;
}

// Streams `bytes` into (write) or out of (read) the file "big", `window`
// requests in flight, each a whole msize - IOHDRSZ chunk at an offset that
// cycles through the span.
double ninep_stream(ServerThread& s, bool writing, bool create, uint64_t bytes = stream_bytes) {
  asio::io_context io;
  auto c = connect(io, s.addr, stream_msize, "big", writing ? OWRITE : OREAD, create);
  const uint32_t chunk = c->msize() - IOHDRSZ;
  const std::string data(chunk, 'z');
  std::string last;  // the last chunk read, checked after the clock stops
  uint64_t next_off = 0, done = 0, limit = 0, wrap = stream_span;
  std::function<void()> issue = [&] {
    if (next_off >= limit) return;
    uint64_t off = next_off % wrap;
    next_off += chunk;
    auto on_reply = [&](net::Result<Msg> r) {
      if (!r) std::abort();
      size_t n = writing ? std::get<Rwrite>(*r).count : std::get<Rread>(*r).data.size();
      if (n != chunk) {
        std::fprintf(stderr, "bench: %zu bytes moved instead of %u\n", n, chunk);
        std::abort();
      }
      // The data goes back to the client to be read into again, as
      // grio 9p read gives it back (SyncClient::read_stream).
      if (!writing && next_off >= limit) last = std::move(std::get<Rread>(*r).data);
      else if (!writing) c->recycle(std::move(std::get<Rread>(*r).data));
      done += n;
      issue();
    };
    if (writing) c->write(1, off, data, on_reply);
    else c->rpc(Tread{1, off, chunk}, on_reply);
  };
  auto pass = [&](uint64_t n) {
    next_off = done = 0;
    limit = n;
    run_on(io, [&] {
      for (int i = 0; i < window; i++) issue();
    }, [&] { return done >= limit; });
  };
  // The span and one chunk past it are written once before timing, so the
  // timed passes neither grow the file nor fault in its pages, and every
  // read finds a whole chunk.
  if (writing) {
    wrap = UINT64_MAX;
    pass(stream_span + chunk);
    wrap = stream_span;
  }
  auto t0 = Clock::now();
  pass(bytes);
  double mbs = double(done) / 1e6 / since(t0);
  if (!writing && last != data) {
    std::fprintf(stderr, "bench: read back other bytes than were written\n");
    std::abort();
  }
  c->close();
  return mbs;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The load average: the machine is shared, so it is printed beside each row.
std::string load() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return "load " + a + " " + b + " " + c;
}

void row(const char* what, double grio, double raw, const char* unit, double target) {
  double ratio = grio / raw;
  std::printf("%-34s %12.0f %12.0f %-5s %6.2f   %-12s  %s\n", what, grio, raw, unit, ratio,
              target > 0 ? (ratio >= target ? "target met" : "BELOW TARGET") : "", load().c_str());
}

}  // namespace

// With an argument, runs only that part: `rt` or `stream`. For profiling
// (perf stat, strace -c), `raw`, `write` and `read` run one streaming pass
// of that kind alone and print its MB/s.
int main(int argc, char** argv) {
  std::string only = argc > 1 ? argv[1] : "";
  if (only == "raw" || only == "write" || only == "read") {
    double mbs = 0;
    if (only == "raw") {
      mbs = raw_stream();
    } else {
      ServerThread s;
      if (only == "read") ninep_stream(s, true, true, stream_span);  // the file to read
      mbs = only == "write" ? ninep_stream(s, true, true) : ninep_stream(s, false, false);
    }
    std::printf("%s %.0f MB/s\n", only.c_str(), mbs);
    return 0;
  }
  std::printf("9P benchmark (median of %d rounds, raw and grio taking turns; ratio = grio / raw)\n", rounds);
  std::printf("%-34s %12s %12s %-5s %6s\n", "", "grio", "raw", "unit", "ratio");
  ServerThread s;
  // The load on a small machine comes and goes, so each baseline and its
  // grio measurement take turns, and each row is the median of its rounds.
  if (only.empty() || only == "rt") {
    std::vector<double> raw1, g1, raw16, g16;
    for (int round = 0; round < rounds; round++) {
      raw1.push_back(raw_pingpong(1));
      g1.push_back(ninep_roundtrips(s, 1));
      raw16.push_back(raw_pingpong(16));
      g16.push_back(ninep_roundtrips(s, 16));
    }
    row("Tread round trips, 1 client", median(g1), median(raw1), "rt/s", 0.6);
    row("Tread round trips, 16 clients", median(g16), median(raw16), "rt/s", 0);
  }
  if (only.empty() || only == "stream") {
    std::vector<double> raw, w, r;
    for (int round = 0; round < rounds; round++) {
      raw.push_back(raw_stream());
      w.push_back(ninep_stream(s, true, round == 0));
      r.push_back(ninep_stream(s, false, false));
    }
    row("stream write, msize 64 KiB", median(w), median(raw), "MB/s", 0.6);
    row("stream read, msize 64 KiB", median(r), median(raw), "MB/s", 0.6);
  }
  return 0;
}

// Reply amplification: what one small burst of requests makes the server
// hold, against the budget of a connection (Limits::max_output, 8 MiB).
//
// A `grio ramfs` holds a 1 MiB file; one client at msize 1 MiB sends 1 500
// pipelined Treads of all of it (34 KB) and never reads a reply. Without a
// budget counted as replies are made, that queued 1.5 GB. The server's
// resident memory grows by at most the budget plus one message; printed as
// the ratio of that growth to the budget (at most about 1.1). An argument
// names another grio binary to measure (an older build, say).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "net/codec.h"

using namespace grio::ninep;
namespace fs = std::filesystem;

namespace {

constexpr uint32_t msize = 1 << 20;
constexpr uint32_t iounit = msize - IOHDRSZ;
constexpr size_t budget = 8 << 20;  // the default Limits::max_output
constexpr int burst = 1500;

[[noreturn]] void die(const char* why) {
  std::fprintf(stderr, "bench_amplify: %s\n", why);
  std::exit(1);
}

// The resident set of pid, in bytes.
size_t rss(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6)) * 1024;
  die("no VmRSS");
}

void send_all(int fd, const std::vector<uint8_t>& b) {
  for (size_t off = 0; off < b.size();) {
    ssize_t n = ::send(fd, b.data() + off, b.size() - off, MSG_NOSIGNAL);
    if (n <= 0) die("send failed");
    off += size_t(n);
  }
}

// One reply, waited for (10 s at most); dies on an Rerror.
void expect_reply(int fd) {
  std::vector<uint8_t> in(4);
  size_t have = 0, want = 4;
  while (have < want) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1) die("no reply");
    ssize_t n = ::recv(fd, in.data() + have, want - have, 0);
    if (n <= 0) die("connection lost");
    have += size_t(n);
    if (have == 4 && want == 4) {
      want = in[0] | in[1] << 8 | in[2] << 16 | size_t(in[3]) << 24;
      in.resize(want);
    }
  }
  if (in[4] == uint8_t(MsgType::Rerror)) die("Rerror in setup");
}

void rpc(int fd, uint16_t tag, Msg m) {
  send_all(fd, encode(Fcall{tag, std::move(m)}));
  expect_reply(fd);
}

int dial(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path.c_str());
  for (int i = 0; i < 100; i++) {
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) return fd;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  die("cannot connect to grio ramfs");
}

}  // namespace

int main(int argc, char** argv) {
  const char* grio = argc > 1 ? argv[1] : GRIO_BINARY;
  char tmpl[] = "/tmp/grio-bench-XXXXXX";
  fs::path dir = ::mkdtemp(tmpl);
  std::string path = (dir / "ramfs").string(), addr = "unix!" + path;
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::execl(grio, grio, "ramfs", "--listen", addr.c_str(), (char*)nullptr);
    ::_exit(127);
  }
  int fd = dial(path);
  rpc(fd, NOTAG, Tversion{msize, "9P2000"});
  rpc(fd, 1, Tattach{0, NOFID, "bench", ""});
  rpc(fd, 2, Twalk{0, 1, {}});
  rpc(fd, 3, Tcreate{1, "big", 0666, ORDWR});
  rpc(fd, 4, Twrite{1, 0, std::string(iounit, 'x')});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  size_t before = rss(pid);

  std::vector<uint8_t> reads;
  for (int i = 0; i < burst; i++) encode(Fcall{uint16_t(100 + i), Tread{1, 0, iounit}}, reads);
  send_all(fd, reads);
  // The server has made all it will once its memory stops changing.
  size_t peak = before, last = 0;
  for (int stable = 0, i = 0; stable < 10 && i < 200; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    size_t now = rss(pid);
    peak = std::max(peak, now);
    stable = now == last ? stable + 1 : 0;
    last = now;
  }
  double grown = double(peak - before);
  std::printf("amplify: %d Treads of 1 MiB in %zu bytes, never read: server RSS +%.1f MiB, budget %.0f MiB, ratio %.2f\n",
              burst, reads.size(), grown / (1 << 20), double(budget) / (1 << 20), grown / double(budget));
  ::close(fd);
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  fs::remove_all(dir);
  return 0;
}

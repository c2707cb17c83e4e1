// Listeners: Unix sockets (stale ones replaced, live ones kept) and
// loopback-only TCP.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/net/harness.h"
#include "tests/net/process.h"

using namespace grio;
using namespace grio::test;

namespace {

// A Unix socket file with nobody listening: what a killed server leaves.
void leave_stale_socket(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path.c_str());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  ::close(fd);
}

// Speaks Tversion to a listening address through a plain socket.
std::string version_at(asio::io_context& io, const std::string& addr) {
  std::string why;
  auto a = net::parse_address(addr, why);
  REQUIRE(a);
  error_code ec;
  auto s = net::dial(io, *a, ec);
  REQUIRE_FALSE(ec);
  auto out = encode(Fcall{NOTAG, Tversion{8192, "9P2000"}});
  asio::write(s, asio::buffer(out));
  std::vector<uint8_t> in(4);
  asio::read(s, asio::buffer(in));
  std::string w;
  in.resize(frame_size(in, 8192, w));
  asio::read(s, asio::buffer(in.data() + 4, in.size() - 4));
  auto d = decode(in, 8192);
  REQUIRE(d.fcall);
  return std::get<Rversion>(d.fcall->msg).version;
}

}  // namespace

TEST_CASE("a unix listener serves, and removes its socket on close", "[net]") {
  TempDir dir;
  std::string path = (dir.path / "srv").string();
  asio::io_context client_io;
  {
    Served s;
    auto bound = s.on_io([&] { return s.server().listen("unix!" + path); });
    REQUIRE(bound.ok());
    CHECK(*bound == "unix!" + path);
    struct stat st;
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0077) == 0);
    CHECK(version_at(client_io, *bound) == "9P2000");
  }
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("a stale socket is replaced, a live one is not stolen", "[net]") {
  TempDir dir;
  std::string path = (dir.path / "srv").string();
  leave_stale_socket(path);
  Served first;
  auto bound = first.on_io([&] { return first.server().listen("unix!" + path); });
  REQUIRE(bound.ok());

  Served second;
  auto again = second.on_io([&] { return second.server().listen("unix!" + path); });
  REQUIRE_FALSE(again.ok());
  CHECK(again.error() == "a live server is already listening on " + path);
  asio::io_context io;
  CHECK(version_at(io, "unix!" + path) == "9P2000");  // still the first server

  std::ofstream(dir.path / "plain") << "x";
  auto plain = second.on_io([&] { return second.server().listen("unix!" + (dir.path / "plain").string()); });
  REQUIRE_FALSE(plain.ok());
  CHECK(plain.error() == (dir.path / "plain").string() + " exists and is not a socket");
}

TEST_CASE("plain tcp listens on 127.0.0.1 only", "[net]") {
  Served s;
  auto other = s.on_io([&] { return s.server().listen("tcp!0.0.0.0!0"); });
  REQUIRE_FALSE(other.ok());
  CHECK(other.error() == "plain tcp listens on 127.0.0.1 only, not 0.0.0.0: to be reached from elsewhere, export (grio export)");
  CHECK_FALSE(s.on_io([&] { return s.server().listen("tcp!*!0"); }).ok());
  auto bound = s.on_io([&] { return s.server().listen("tcp!127.0.0.1!0"); });
  REQUIRE(bound.ok());
  CHECK(bound->rfind("tcp!127.0.0.1!", 0) == 0);
  CHECK(*bound != "tcp!127.0.0.1!0");
  asio::io_context io;
  CHECK(version_at(io, *bound) == "9P2000");
}

TEST_CASE("a bad dial string is refused with its reason", "[net]") {
  Served s;
  auto r = s.on_io([&] { return s.server().listen("udp!127.0.0.1!5"); });
  REQUIRE_FALSE(r.ok());
  CHECK_FALSE(r.error().empty());
}

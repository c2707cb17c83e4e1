// Dial strings, the private socket directory, and dial() itself.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <optional>
#include <string>

#include "net/dial.h"

using namespace grio;
using namespace grio::net;

namespace {

std::string parse_error(const std::string& s) {
  std::string why;
  auto a = parse_address(s, why);
  return a ? "parsed" : why;
}

// Sets an environment variable for one scope, then puts it back.
struct EnvVar {
  std::string name;
  std::optional<std::string> old;
  EnvVar(std::string n, const char* value) : name(std::move(n)) {
    if (const char* o = std::getenv(name.c_str())) old = o;
    if (value) setenv(name.c_str(), value, 1);
    else unsetenv(name.c_str());
  }
  ~EnvVar() {
    if (old) setenv(name.c_str(), old->c_str(), 1);
    else unsetenv(name.c_str());
  }
};

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/grio-dial-test.XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    path = tmpl;
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

}  // namespace

TEST_CASE("dial: parse_address accepts Plan 9 dial strings", "[net]") {
  std::string why;
  auto a = parse_address("unix!/run/grio/wsys", why);
  REQUIRE(a);
  CHECK(a->kind == Address::Unix);
  CHECK(a->path == "/run/grio/wsys");
  CHECK(a->service.empty());

  a = parse_address("unix!/run/grio/wsys!ctx", why);
  REQUIRE(a);
  CHECK(a->path == "/run/grio/wsys");
  CHECK(a->service == "ctx");

  a = parse_address("tcp!example.org!564", why);
  REQUIRE(a);
  CHECK(a->kind == Address::Tcp);
  CHECK(a->host == "example.org");
  CHECK(a->port == 564);
  CHECK(a->service.empty());

  a = parse_address("tcp!::1!65535!shell", why);
  REQUIRE(a);
  CHECK(a->host == "::1");
  CHECK(a->port == 65535);
  CHECK(a->service == "shell");

  a = parse_address("/tmp/sock", why);
  REQUIRE(a);
  CHECK(a->kind == Address::Unix);
  CHECK(a->path == "/tmp/sock");
}

TEST_CASE("dial: parse_address says what is wrong", "[net]") {
  CHECK(parse_error("") == "empty address");
  CHECK(parse_error("tcp!host") == "missing port in 'tcp!host'");
  CHECK(parse_error("tcp!host!") == "missing port in 'tcp!host!'");
  CHECK(parse_error("tcp!host!http") == "port 'http' is not a number in 'tcp!host!http'");
  CHECK(parse_error("tcp!host!-1") == "port '-1' is not a number in 'tcp!host!-1'");
  CHECK(parse_error("tcp!host!65536") ==
        "port 65536 out of range (0-65535) in 'tcp!host!65536'");
  CHECK(parse_error("tcp!host!99999999999") ==
        "port 99999999999 out of range (0-65535) in 'tcp!host!99999999999'");
  CHECK(parse_error("tcp!!564") == "missing host in 'tcp!!564'");
  CHECK(parse_error("udp!host!53") == "unknown network 'udp' in 'udp!host!53' (want unix or tcp)");
  CHECK(parse_error("unix!") == "missing socket path in 'unix!'");
  CHECK(parse_error("unix!/p!") == "empty service name in 'unix!/p!'");
  CHECK(parse_error("unix!/p!svc!more") == "too many '!' fields in 'unix!/p!svc!more'");
  CHECK(parse_error("tcp!h!1!svc!more") == "too many '!' fields in 'tcp!h!1!svc!more'");
}

TEST_CASE("dial: to_string writes what parse_address reads", "[net]") {
  for (std::string s : {"unix!/a/b", "unix!/a/b!svc", "tcp!host!564", "tcp!10.0.0.1!1!x"}) {
    std::string why;
    auto a = parse_address(s, why);
    REQUIRE(a);
    CHECK(to_string(*a) == s);
  }
  std::string why;
  CHECK(to_string(*parse_address("/bare/path", why)) == "unix!/bare/path");
}

TEST_CASE("dial: private_dir under XDG_RUNTIME_DIR", "[net]") {
  TempDir tmp;
  EnvVar xdg("XDG_RUNTIME_DIR", tmp.path.c_str());
  std::string why;
  std::string dir = private_dir(why);
  CHECK(why == "");
  CHECK(dir == tmp.path + "/grio");
  struct stat st;
  REQUIRE(stat(dir.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 07777) == 0700);
  CHECK(st.st_uid == geteuid());

  SECTION("an existing private directory is fine") {
    CHECK(private_dir(why) == dir);
    CHECK(why == "");
  }
  SECTION("one that others can enter is refused") {
    REQUIRE(chmod(dir.c_str(), 0755) == 0);
    CHECK(private_dir(why) == "");
    CHECK(why == "private directory " + dir +
                     " has mode 0755: group and others must have no access (chmod 700 it)");
  }
  SECTION("a file in its place is refused") {
    REQUIRE(rmdir(dir.c_str()) == 0);
    REQUIRE(std::system(("touch '" + dir + "'").c_str()) == 0);
    CHECK(private_dir(why) == "");
    CHECK(why == "private directory " + dir + " is not a directory");
  }
  SECTION("a missing XDG_RUNTIME_DIR is an error") {
    EnvVar gone("XDG_RUNTIME_DIR", (tmp.path + "/missing").c_str());
    CHECK(private_dir(why) == "");
    CHECK(why.find("cannot create private directory") == 0);
  }
}

TEST_CASE("dial: private_dir falls back to /tmp/grio.$USER", "[net]") {
  EnvVar xdg("XDG_RUNTIME_DIR", nullptr);
  std::string user = "grio-dial-test-" + std::to_string(getpid());
  EnvVar u("USER", user.c_str());
  std::string why;
  std::string dir = private_dir(why);
  CHECK(why == "");
  CHECK(dir == "/tmp/grio." + user);
  struct stat st;
  CHECK(stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  rmdir(("/tmp/grio." + user).c_str());
}

TEST_CASE("dial: connects to unix and tcp listeners", "[net]") {
  asio::io_context io;
  TempDir tmp;
  std::string why;
  error_code ec;

  SECTION("unix") {
    std::string path = tmp.path + "/sock";
    asio::local::stream_protocol::acceptor acc(io, asio::local::stream_protocol::endpoint(path));
    Socket s = dial(io, *parse_address("unix!" + path, why), ec);
    CHECK_FALSE(ec);
    CHECK(s.is_open());
    asio::local::stream_protocol::socket peer(io);
    acc.accept(peer);
    asio::write(s, asio::buffer("hi", 2));
    char buf[2];
    asio::read(peer, asio::buffer(buf));
    CHECK(std::string(buf, 2) == "hi");
  }
  SECTION("tcp") {
    asio::ip::tcp::acceptor acc(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    std::string addr = "tcp!127.0.0.1!" + std::to_string(acc.local_endpoint().port());
    Socket s = dial(io, *parse_address(addr, why), ec);
    CHECK_FALSE(ec);
    asio::ip::tcp::socket peer(io);
    acc.accept(peer);
    asio::write(peer, asio::buffer("yo", 2));
    char buf[2];
    asio::read(s, asio::buffer(buf));
    CHECK(std::string(buf, 2) == "yo");
  }
  SECTION("nothing listening") {
    dial(io, *parse_address("unix!" + tmp.path + "/none", why), ec);
    CHECK(ec == boost::system::errc::no_such_file_or_directory);
  }
  SECTION("a path too long for a socket") {
    dial(io, *parse_address("unix!/" + std::string(200, 'x'), why), ec);
    CHECK(ec == asio::error::name_too_long);
  }
}

TEST_CASE("user_name: $USER, else the login name of our uid", "[net]") {
  {
    EnvVar user("USER", "glenda");
    CHECK(user_name() == "glenda");
  }
  passwd* pw = ::getpwuid(::getuid());
  REQUIRE(pw);
  EnvVar unset("USER", nullptr);
  CHECK(user_name() == pw->pw_name);
  EnvVar empty("USER", "");
  CHECK(user_name() == pw->pw_name);
}

// Plan 9 dial strings, the private socket directory, and connecting.
#include "net/dial.h"

#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "net/secret.h"
#include "net/tls.h"

namespace grio::net {

namespace {

std::vector<std::string_view> split_bang(std::string_view s) {
  std::vector<std::string_view> f;
  for (;;) {
    size_t bang = s.find('!');
    f.push_back(s.substr(0, bang));
    if (bang == std::string_view::npos) return f;
    s.remove_prefix(bang + 1);
  }
}

bool parse_port(std::string_view p, uint16_t& port, std::string& why, std::string_view whole) {
  if (p.empty()) {
    why = "missing port in '" + std::string(whole) + "'";
    return false;
  }
  uint32_t n = 0;
  for (char c : p) {
    if (c < '0' || c > '9') {
      why = "port '" + std::string(p) + "' is not a number in '" + std::string(whole) + "'";
      return false;
    }
    n = n * 10 + uint32_t(c - '0');
    if (n > 65535) {
      why = "port " + std::string(p) + " out of range (0-65535) in '" + std::string(whole) + "'";
      return false;
    }
  }
  port = uint16_t(n);
  return true;
}

// The optional trailing !service, at index i of f.
bool take_service(const std::vector<std::string_view>& f, size_t i, Address& a, std::string& why,
                  std::string_view whole) {
  if (f.size() > i + 1) {
    why = "too many '!' fields in '" + std::string(whole) + "'";
    return false;
  }
  if (f.size() == i + 1) {
    if (f[i].empty()) {
      why = "empty service name in '" + std::string(whole) + "'";
      return false;
    }
    a.service = f[i];
  }
  return true;
}

std::string octal(unsigned m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", m);
  return buf;
}

}  // namespace

std::optional<Address> parse_address(std::string_view s, std::string& why) {
  if (s.empty()) {
    why = "empty address";
    return std::nullopt;
  }
  Address a;
  if (s.find('!') == std::string_view::npos) {
    a.path = s;
    return a;
  }
  auto f = split_bang(s);
  if (f[0] == "unix") {
    if (f[1].empty()) {
      why = "missing socket path in '" + std::string(s) + "'";
      return std::nullopt;
    }
    a.path = f[1];
    if (!take_service(f, 2, a, why, s)) return std::nullopt;
    return a;
  }
  if (f[0] == "tcp") {
    a.kind = Address::Tcp;
    if (f[1].empty()) {
      why = "missing host in '" + std::string(s) + "'";
      return std::nullopt;
    }
    a.host = f[1];
    if (f.size() < 3) {
      why = "missing port in '" + std::string(s) + "'";
      return std::nullopt;
    }
    if (!parse_port(f[2], a.port, why, s) || !take_service(f, 3, a, why, s)) return std::nullopt;
    return a;
  }
  why = "unknown network '" + std::string(f[0]) + "' in '" + std::string(s) +
        "' (want unix or tcp)";
  return std::nullopt;
}

std::string to_string(const Address& a) {
  std::string s = a.kind == Address::Unix ? "unix!" + a.path
                                          : "tcp!" + a.host + "!" + std::to_string(a.port);
  if (!a.service.empty()) s += "!" + a.service;
  return s;
}

// $USER when set (as plan9port's getuser), else the login name of our uid:
// cron, systemd units and containers often leave USER unset, and an attach
// as "none" is refused by servers that check the name (u9fs).
std::string user_name() {
  if (const char* u = std::getenv("USER"); u && *u) return u;
  std::vector<char> buf(16384);  // ample for one passwd entry (no sysconf hint on Linux)
  passwd pw{}, *found = nullptr;
  if (getpwuid_r(getuid(), &pw, buf.data(), buf.size(), &found) == 0 && found && *found->pw_name)
    return found->pw_name;
  return "none";
}

std::string private_dir(std::string& why) {
  std::string dir;
  std::string who = user_name();
  if (who == "none") who = std::to_string(getuid());  // no name: do not share a directory with other uids
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x) dir = std::string(x) + "/grio";
  else dir = "/tmp/grio." + who;

  if (mkdir(dir.c_str(), 0700) == 0) {
    // The umask may have taken bits we want; we made it, so set them.
    chmod(dir.c_str(), 0700);
  } else if (errno != EEXIST) {
    why = "cannot create private directory " + dir + ": " + std::strerror(errno);
    return "";
  }
  // lstat: a symlink planted in /tmp must not redirect our sockets.
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) {
    why = "cannot stat private directory " + dir + ": " + std::strerror(errno);
    return "";
  }
  if (!S_ISDIR(st.st_mode)) {
    why = "private directory " + dir + " is not a directory";
    return "";
  }
  if (st.st_uid != geteuid()) {
    why = "private directory " + dir + " belongs to uid " + std::to_string(st.st_uid) +
          ", not to us (uid " + std::to_string(geteuid()) + ")";
    return "";
  }
  if (st.st_mode & 077) {
    why = "private directory " + dir + " has mode " + octal(st.st_mode & 07777) +
          ": group and others must have no access (chmod 700 it)";
    return "";
  }
  return dir;
}

int cloexec_socket(int family, error_code& ec) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) ec = error_code(errno, asio::error::get_system_category());
  return fd;
}

std::string sub_socket(const std::string& path, std::string_view name) { return path + "." + std::string(name); }

namespace {

// s opened (close-on-exec) for family, so that connect() does not open it.
void open_for(Socket& s, int family, error_code& ec) {
  int fd = cloexec_socket(family, ec);
  if (fd >= 0) s.assign(asio::generic::stream_protocol(family, 0), fd, ec);
}

Socket dial_unix(asio::io_context& io, const Address& given, error_code& ec) {
  Address a = given;
  if (!a.service.empty()) a.path = sub_socket(a.path, a.service);
  Socket s(io);
  // sun_path holds 108 bytes including the NUL; asio would throw.
  if (a.path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    ec = asio::error::name_too_long;
    return s;
  }
  asio::local::stream_protocol::endpoint ep(a.path);
  open_for(s, AF_UNIX, ec);
  if (!ec) s.connect(asio::generic::stream_protocol::endpoint(ep), ec);
  return s;
}

Socket dial_tcp(asio::io_context& io, const Address& a, error_code& ec) {
  Socket s(io);
  asio::ip::tcp::resolver resolver(io);
  auto results = resolver.resolve(a.host, std::to_string(a.port), ec);
  if (ec) return s;
  ec = asio::error::host_not_found;
  for (const auto& r : results) {
    error_code cec;
    if (s.is_open()) s.close(cec);
    ec.clear();
    open_for(s, r.endpoint().protocol().family(), ec);
    if (!ec) s.connect(asio::generic::stream_protocol::endpoint(r.endpoint()), ec);
    if (!ec) break;
  }
  if (!ec) s.set_option(asio::ip::tcp::no_delay(true), ec);
  return s;
}

}  // namespace

std::shared_ptr<Transport> dial_transport(asio::io_context& io, const Address& a, error_code& ec, std::string& why) {
  ec.clear();
  if (a.kind == Address::Unix) {
    Socket s = dial_unix(io, a, ec);
    return ec ? nullptr : plain_transport(std::move(s));
  }
  if (a.service.empty()) {  // plain: loopback tests
    Socket s = dial_tcp(io, a, ec);
    return ec ? nullptr : plain_transport(std::move(s));
  }
  std::string secret = find_secret(a, why);
  if (secret.empty()) {
    ec = tls::make_error(tls::Errc::no_secret);
    return nullptr;
  }
  Socket s = dial_tcp(io, a, ec);
  if (ec) return nullptr;
  constexpr std::chrono::seconds handshake_timeout{10};
  return tls::connect(io, std::move(s), a.service, tls::derive_key(secret, a.service), handshake_timeout, ec);
}

// An export's TLS stream reaches a program that wants a socket through a
// local one and a pump (transport.h's local_end).
Socket dial(asio::io_context& io, const Address& a, error_code& ec, std::string& why) {
  ec.clear();
  if (a.kind == Address::Unix) return dial_unix(io, a, ec);
  if (a.service.empty()) return dial_tcp(io, a, ec);
  auto t = dial_transport(io, a, ec, why);
  if (!t) return Socket(io);
  return local_end(io, std::move(t), ec);
}

Socket dial(asio::io_context& io, const Address& a, error_code& ec) {
  std::string why;
  return dial(io, a, ec, why);
}

}  // namespace grio::net

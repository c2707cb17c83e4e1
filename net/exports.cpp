// The export table, its listeners, and the handshakes in front of them.
#include "net/exports.h"

#include <unistd.h>

#include <algorithm>
#include <vector>

#include "net/dial.h"
#include "net/errors.h"
#include "net/names.h"

namespace grio::net {

namespace {

using Clock = std::chrono::steady_clock;

std::string host_name() {
  char buf[256] = "";
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

// How many ports past the one asked for a wildcard listener tries.
constexpr int port_tries = 100;

// NAME or NAME/NAME…: a sub-workspace, nested as deep as it is.
bool sub_path(std::string_view p) {
  if (p.empty() || p.size() > 256) return false;
  for (size_t at = 0;;) {
    size_t slash = p.find('/', at);
    if (!plain_name(p.substr(at, slash - at))) return false;
    if (slash == std::string_view::npos) return true;
    at = slash + 1;
  }
}

}  // namespace

Exports::Exports(asio::io_context& io, Server& server, ExportLimits limits)
    : io_(io),
      server_(server),
      limits_(limits),
      tls_([this, alive = alive_](std::string_view name) -> std::optional<tls::Key> {
        if (!*alive) return std::nullopt;
        auto it = exports_.find(name);
        if (it == exports_.end()) return std::nullopt;
        return it->second.key;
      }) {}

Exports::~Exports() { *alive_ = false; }

Result<std::string> Exports::add(ExportSpec spec) {
  using R = Result<std::string>;
  if (!plain_name(spec.name)) return R::error("bad export name '" + spec.name + "': 1 to 64 of A-Z a-z 0-9 . _ -, not . or ..");
  if (exports_.count(spec.name)) return R::error("export " + spec.name + " exists");
  if (exports_.size() >= limits_.max_exports)
    return R::error("too many exports (" + std::to_string(limits_.max_exports) + ")");
  if (!spec.what.empty() && !plain_name(spec.hub()) && !sub_path(spec.sub()))
    return R::error("bad export of '" + spec.what + "': the workspace, hub/NAME of a session or sub/NAME of a sub-workspace");
  if (check_)
    if (auto e = check_(spec); !e.empty()) return R::error(e);
  if (spec.label.size() > 64) return R::error("label too long");
  if (spec.label.empty()) spec.label = spec.name;
  auto bound = listener(spec.listen);
  if (!bound) return bound;
  Export e;
  std::string secret = tls::new_secret();
  e.key = tls::derive_key(secret, spec.name);
  e.dial = *bound + "!" + spec.name;
  e.spec = std::move(spec);
  std::string reply = "dial=" + e.dial + "\nsecret=" + secret + "\n";
  exports_.emplace(e.spec.name, std::move(e));
  return reply;
}

Error Exports::revoke(std::string_view name) {
  auto it = exports_.find(name);
  if (it == exports_.end()) return "no export " + std::string(name);
  Server* other = server_of(it->second.spec);
  exports_.erase(it);
  server_.close_export(name);
  if (other && other != &server_) other->close_export(name);
  return {};
}

std::string Exports::list() const {
  std::string out;
  for (auto& [name, e] : exports_)
    out += name + " rights=" + rights_string(e.spec.rights) + " for=" + e.spec.label + " what=" +
           (e.spec.what.empty() ? "workspace" : e.spec.what) + " dial=" + e.dial +
           " peers=" + std::to_string(peers(e.spec)) + "\n";
  return out;
}

size_t Exports::peers(const ExportSpec& spec) const {
  Server* s = server_of(spec);
  return s ? s->connections_of(spec.name) : 0;
}

// A listener per address asked for, shared by the exports that ask for it.
Result<std::string> Exports::listener(const std::string& listen) {
  if (auto it = listeners_.find(listen); it != listeners_.end()) return it->second;
  std::string why;
  auto a = parse_address(listen, why);
  if (!a) return Result<std::string>::error(why);
  if (a->kind != Address::Tcp || !a->service.empty())
    return Result<std::string>::error("an export listens on tcp!HOST!PORT, not " + listen);
  auto handoff = [this, alive = alive_](Socket s, const std::string& peer) {
    if (*alive) accepted(std::move(s), peer);
  };
  int tries = a->host == "*" && a->port != 0 ? port_tries : 1;
  Result<std::string> bound = Result<std::string>::error("");
  for (int i = 0; i < tries; i++) {
    Address at = *a;
    at.port = uint16_t(a->port + i);
    bound = server_.listen(to_string(at), handoff);
    if (bound) break;
  }
  if (!bound) return bound;
  // Dialled from elsewhere, a wildcard is this machine's name.
  std::string dial = *bound;
  if (a->host == "*") dial = "tcp!" + host_name() + dial.substr(dial.rfind('!'));
  listeners_[listen] = dial;
  return dial;
}

// Before any handshake: too many under way, or an address refused for its
// failures, is closed at once; a failing address waits a while first.
void Exports::accepted(Socket s, const std::string& peer) {
  bool refuse = false;
  auto delay = delay_for(peer, refuse);
  if (refuse || pending_ >= limits_.max_pending) {
    error_code ec;
    s.close(ec);
    return;
  }
  if (delay.count() == 0) return handshake(std::move(s), peer);
  pending_++;
  auto t = std::make_shared<asio::steady_timer>(io_, delay);
  auto held = std::make_shared<Socket>(std::move(s));
  t->async_wait([this, alive = alive_, t, held, peer](const error_code&) {
    if (!*alive) return;
    pending_--;
    handshake(std::move(*held), peer);
  });
}

void Exports::handshake(Socket s, const std::string& peer) {
  pending_++;
  tls_.accept(std::move(s), limits_.handshake_timeout,
              [this, alive = alive_, peer](const error_code& ec, const std::string& name, std::shared_ptr<Transport> t) {
                if (!*alive) return;
                pending_--;
                if (ec) return failed(peer);
                failing_.erase(peer);
                auto it = exports_.find(name);
                if (it == exports_.end()) return t->close();  // revoked during the handshake
                const auto& spec = it->second.spec;
                Server* to = server_of(spec);
                if (!to) return;  // its sub-workspace is gone: hung up
                to->serve(std::move(t), peer, Grant{spec.rights, spec.name, spec.label, spec.hub()});
              });
}

void Exports::failed(const std::string& peer) {
  failures_++;
  auto now = Clock::now();
  if (!failing_.count(peer) && failing_.size() >= limits_.max_addresses) {
    auto oldest = std::min_element(failing_.begin(), failing_.end(),
                                   [](auto& a, auto& b) { return a.second.last < b.second.last; });
    failing_.erase(oldest);
  }
  auto& f = failing_[peer];
  f.count++;
  f.last = now;
  if (f.count >= limits_.refuse_after) {
    f.refused_until = now + limits_.refuse_for;
    f.count = limits_.slow_after;  // after the pause, still slow
  }
}

std::chrono::milliseconds Exports::delay_for(const std::string& peer, bool& refuse) {
  auto it = failing_.find(peer);
  if (it == failing_.end()) return {};
  auto& f = it->second;
  if (Clock::now() < f.refused_until) {
    refuse = true;
    return {};
  }
  if (f.count < limits_.slow_after) return {};
  auto d = limits_.slow_step * (int64_t(1) << std::min<size_t>(f.count - limits_.slow_after, 6));
  return std::min(d, std::chrono::milliseconds(5000));
}

Error Exports::command(std::string_view line, std::string& reply) {
  auto w = words(line);
  if (w.size() == 2 && w[0] == "revoke") return revoke(w[1]);
  if (w.size() < 2 || w[0] != "add") return "bad exports command: add NAME [rights=R] [listen=ADDR] [for=LABEL] [what=WHAT] | revoke NAME";
  ExportSpec spec;
  spec.name = w[1];
  for (size_t i = 2; i < w.size(); i++) {
    auto eq = w[i].find('=');
    std::string key = w[i].substr(0, eq), value = eq == std::string::npos ? "" : w[i].substr(eq + 1);
    if (key == "rights") {
      std::string why;
      auto r = parse_rights(value, why);
      if (!r) return why;
      spec.rights = *r;
    } else if (key == "listen") {
      spec.listen = value;
    } else if (key == "for") {
      spec.label = value;
    } else if (key == "what") {
      spec.what = value == "workspace" ? "" : value;
    } else {
      return "bad exports option '" + w[i] + "'";
    }
  }
  auto r = add(std::move(spec));
  if (!r) return r.error();
  reply = *r;
  return {};
}

}  // namespace grio::net

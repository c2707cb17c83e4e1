// Making a workspace, and nesting one in a window.
#include "wsys/workspace.h"

#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <cerrno>
#include <cstring>

#include "net/dial.h"
#include "net/errors.h"
#include "net/names.h"
#include "wsys/scene.h"

namespace grio::wsys {

struct Workspace::Count {
  size_t live = 0;
};

// A plain name (net/names.h), shorter, and without the '.' that names
// a sub-workspace's socket (P.NAME).
net::Error check_sub_name(std::string_view name) {
  if (!net::plain_name(name) || name.size() > 32 || name[0] == '-' || name.find('.') != std::string_view::npos)
    return std::string(err::badsubname) + ": 1 to 32 of A-Z a-z 0-9 _ -, not starting with -";
  return {};
}

Rect sub_screen(Rect host) {
  Rect in = host.inset(Borderwidth);
  return rect(0, 0, std::max(0, in.dx()), std::max(0, in.dy()));
}

Point sub_origin(Rect host) { return host.inset(Borderwidth).min; }

Workspace::Workspace(asio::io_context& io, WorkspaceConfig cfg)
    : Workspace(io, std::move(cfg), "", 0, std::make_shared<Count>()) {}

Workspace::Workspace(asio::io_context& io, WorkspaceConfig cfg, std::string name, int depth,
                     std::shared_ptr<Count> count)
    : io_(io),
      cfg_(std::move(cfg)),
      name_(std::move(name)),
      depth_(depth),
      count_(std::move(count)),
      ws_(io, cfg_.wsys),
      tree_(ws_, cfg_.owner),
      server_(io, tree_, cfg_.server) {
  if (depth_ > 0) count_->live++;
  ws_.hosted = depth_ > 0;
  ws_.nest = [this](Window& host, const WctlCommand& c) { return nest(host, c); };
}

Workspace::~Workspace() {
  if (depth_ > 0) count_->live--;
}

net::Result<std::string> Workspace::listen(const std::string& dialstring, net::Server::Handoff handoff) {
  auto bound = server_.listen(dialstring, std::move(handoff));
  if (!bound) return bound;
  if (address_.empty()) {
    address_ = *bound;
    ws_.set_address(address_);
  }
  if (unix_path_.empty() && bound->rfind("unix!", 0) == 0) unix_path_ = bound->substr(5);
  return bound;
}

// A sandbox's directory goes after the nested workspaces', inside it, went.
void Workspace::close() {
  if (closed_) return;
  closed_ = true;
  server_.close();
  ws_.close();
  for (auto& l : links_) ::unlink(l.c_str());
  if (sandbox_) {
    std::error_code ec;
    std::filesystem::remove_all(sandbox_->dir, ec);
  }
}

// A sub-workspace is served on a socket of its own beside its parent's
// (unix!P!NAME dials P.NAME, net/dial.h), when the parent has one. A
// sandboxed one's socket is in a directory of its own, which its programs
// see (run/wsys, and nested ones' in run/sub.NAME/run/), and P.NAME is a
// symlink to it. Nested in a sandbox, a sub-workspace is sandboxed too,
// and has the network only if its parent has.
net::Result<std::shared_ptr<Workspace>> Workspace::nest(Window& host, const WctlCommand& hc) {
  using R = net::Result<std::shared_ptr<Workspace>>;
  const std::string& name = *hc.sub;
  if (closed_) return R::error(err::deleted);
  if (depth_ + 1 > cfg_.max_depth) return R::error(err::subtoodeep);
  if (count_->live >= cfg_.max_subs) return R::error(err::toomanysubs);
  if (sandbox_ && hc.net && !sandbox_->net) return R::error(err::sandboxnet);
  WorkspaceConfig c = cfg_;
  c.wsys.screen = sub_screen(host.rect);
  c.wsys.address.clear();
  if (depth_ == 0 && !unix_path_.empty()) c.sandbox.hide.push_back(std::filesystem::path(unix_path_).parent_path());
  auto sub = std::shared_ptr<Workspace>(new Workspace(io_, std::move(c), name, depth_ + 1, count_));
  if (ws_.capture) sub->ws().capture = capture_of(host.id);
  auto fail = [&](const std::string& e) {
    sub->close();
    return R::error(e);
  };
  if (sandbox_ || hc.sandbox) {
    std::string dir = sandbox_ ? sandbox_->dir + "/run/sub." + name : "";
    if (!sandbox_) {
      auto d = new_sandbox_dir(cfg_.sandbox, name);
      if (!d) return fail(d.error());
      dir = *d;
    }
    bool net = sandbox_ ? sandbox_->net && (!hc.sandbox || hc.net) : hc.net;
    if (auto e = sub->fence(dir, net); !e.empty()) return fail(e);
    if (auto e = sub->link(*this); !e.empty()) return fail(e);
  } else if (!unix_path_.empty()) {
    auto bound = sub->listen("unix!" + net::sub_socket(unix_path_, name));
    if (!bound) return fail(bound.error());
  }
  return sub;
}

// A sub-workspace's screen is the part of ours inside its host: what the
// desktop drew there, cut out of a picture of our screen.
std::function<void(std::function<void(std::string)>)> Workspace::capture_of(int host) {
  return [this, host](std::function<void(std::string)> done) {
    Window* h = ws_.live(host);
    if (!h || !ws_.capture) return done("");
    Rect in = h->rect.inset(Borderwidth), screen = ws_.screen();
    ws_.capture([done, in, screen](std::string px) {
      if (px.size() != size_t(screen.dx()) * screen.dy() * 4) return done("");
      done(crop_pixels(px, screen, in));
    });
  };
}

// The sandbox's directory made, and a socket in it unless this workspace
// has one already (a sub-workspace sandboxed by its export keeps its own).
net::Error Workspace::fence(const std::string& dir, bool net) {
  auto bwrap = find_bwrap(cfg_.sandbox);
  if (!bwrap) return bwrap.error();
  if (auto e = make_sandbox_dir(dir); !e.empty()) return e;
  sandbox_ = Sandbox{dir, unix_path_, net};
  if (unix_path_.empty()) {
    auto bound = listen("unix!" + dir + "/run/wsys");
    if (!bound) return bound.error();
    sandbox_->sockets = dir + "/run";
  }
  bwrap_ = *bwrap;
  ws_.fence = [this](term::PtyConfig& pc) { return wrap(pc); };
  return {};
}

// The names a sandboxed sub-workspace's socket is dialled by from its
// parent's socket (P.NAME), and from the names of that (the top's socket
// P.S.NAME, for ADDR!S!NAME as grio window prints it). Those a sockaddr_un
// cannot hold are not made.
net::Error Workspace::link(const Workspace& parent) {
  std::vector<std::string> from = parent.links_;
  if (!parent.unix_path_.empty()) from.push_back(parent.unix_path_);
  for (auto& p : from) {
    std::string l = net::sub_socket(p, name_);
    if (l.size() >= sizeof(sockaddr_un{}.sun_path)) continue;
    if (::symlink(unix_path_.c_str(), l.c_str()) != 0)
      return std::string(err::nosandbox) + ": symlink " + l + ": " + std::strerror(errno);
    links_.push_back(l);
  }
  return {};
}

net::Error Workspace::wrap(term::PtyConfig& pc) {
  if (!sandbox_) return {};
  pc.argv = sandbox_argv(bwrap_, cfg_.sandbox, *sandbox_, std::move(pc.argv), pc.dir);
  return {};
}

net::Error Workspace::sandbox() {
  if (sandbox_) return {};
  if (closed_) return err::deleted;
  if (depth_ == 0) return std::string(err::nosandbox) + ": not a sub-workspace";
  auto dir = new_sandbox_dir(cfg_.sandbox, name_);
  if (!dir) return dir.error();
  return fence(*dir, false);
}

std::shared_ptr<Workspace> Workspace::find_sub(std::string_view path) { return ws_.sub_at(path); }

}  // namespace grio::wsys

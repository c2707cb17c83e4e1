// Making a workspace, and nesting one in a window.
#include "wsys/workspace.h"

#include <algorithm>

#include "net/errors.h"
#include "wsys/scene.h"

namespace grio::wsys {

struct Workspace::Count {
  size_t live = 0;
};

net::Error check_sub_name(std::string_view name) {
  auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  };
  if (name.empty() || name.size() > 32 || name[0] == '-' || !std::all_of(name.begin(), name.end(), ok))
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
  ws_.nest = [this](Window& host, const std::string& n) { return nest(host, n); };
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

void Workspace::close() {
  if (closed_) return;
  closed_ = true;
  server_.close();
  ws_.close();
}

// A sub-workspace is served on a socket of its own beside its parent's
// (unix!P!NAME dials P.NAME, net/dial.h), when the parent has one.
net::Result<std::shared_ptr<Workspace>> Workspace::nest(Window& host, const std::string& name) {
  using R = net::Result<std::shared_ptr<Workspace>>;
  if (closed_) return R::error(err::deleted);
  if (depth_ + 1 > cfg_.max_depth) return R::error(err::subtoodeep);
  if (count_->live >= cfg_.max_subs) return R::error(err::toomanysubs);
  WorkspaceConfig c = cfg_;
  c.wsys.screen = sub_screen(host.rect);
  c.wsys.address.clear();
  auto sub = std::shared_ptr<Workspace>(new Workspace(io_, std::move(c), name, depth_ + 1, count_));
  if (ws_.capture) sub->ws().capture = capture_of(host.id);
  if (!unix_path_.empty()) {
    auto bound = sub->listen("unix!" + net::sub_socket(unix_path_, name));
    if (!bound) {
      sub->close();
      return R::error(bound.error());
    }
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
      std::string out;
      out.reserve(size_t(std::max(0, in.dx())) * std::max(0, in.dy()) * 4);
      for (int y = in.min.y; y < in.max.y; y++)
        for (int x = in.min.x; x < in.max.x; x++) {
          bool on = screen.contains(Point{x, y});
          size_t at = (size_t(y - screen.min.y) * screen.dx() + size_t(x - screen.min.x)) * 4;
          out.append(on ? std::string_view(px).substr(at, 4) : std::string_view("\0\0\0\0", 4));
        }
      done(std::move(out));
    });
  };
}

std::shared_ptr<Workspace> Workspace::find_sub(std::string_view path) { return ws_.sub_at(path); }

}  // namespace grio::wsys

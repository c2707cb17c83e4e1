// A remote viewer's session: its controller, its feed and its input.
#include "wsys/viewer.h"

#include "net/errors.h"

namespace grio::wsys {

Viewer::Viewer(asio::io_context& io, WindowSystem& ws, net::Grant grant)
    : io_(io), ws_(ws), grant_(std::move(grant)) {}

// The first size: rio's rules start for this viewer, laying text out with
// its cells.
void Viewer::start(Metrics m) {
  ControllerConfig cfg;
  cfg.metrics = m;
  cfg.grant = grant_;
  cfg.owns_pointer = false;
  cfg.publish = [this](std::shared_ptr<const Scene> s) { publish(std::move(s)); };
  cfg.set_clipboard = [this](std::string text) {
    if (!grant_.has(net::right::snarf)) return;
    clipboard_ = std::move(text);
    answer();
  };
  cfg.refused = [this](const std::string& why) {
    notice_ = why;
    answer();
  };
  // The viewer's Exit ends the viewer, not this window system.
  cfg.exit = [this] {
    exit_ = true;
    answer();
  };
  c_ = std::make_unique<Controller>(io_, ws_, std::move(cfg));
  // A read that came before the size (the viewer reads and writes from two
  // threads) waits for the first scene.
  if (parked_) c_->ready();
}

Viewer::~Viewer() { detach(); }

void Viewer::detach() {
  *alive_ = false;
  detached_ = true;
  c_.reset();
  if (auto r = std::exchange(parked_, nullptr)) r->error(err::hungup);
}

void Viewer::publish(std::shared_ptr<const Scene> s) {
  scene_ = std::move(s);
  answer();
}

// Answers the parked read, if there is one and something to say.
void Viewer::answer() {
  if (!parked_) return;
  if (out_at_ == out_.size()) {
    bool say = !notice_.empty() && notice_ != said_;
    if (!scene_ && !clipboard_ && !say && !exit_) return;
    ViewFrame f;
    f.scene = scene_;  // none: the viewer keeps what it has
    f.clipboard = std::exchange(clipboard_, std::nullopt);
    if (say) f.notice = said_ = notice_;
    f.exit = std::exchange(exit_, false);
    out_.clear();
    out_at_ = 0;
    enc_.encode(f, out_);
    scene_ = nullptr;
  }
  net::Req r = std::move(parked_);
  parked_ = nullptr;
  size_t n = std::min<size_t>(r->tread().count, out_.size() - out_at_);
  r->respond(ninep::Rread{out_.substr(out_at_, n)});
  out_at_ += n;
}

void Viewer::read(const net::Req& r) {
  if (detached_) return r->error(err::hungup);
  if (parked_) return r->error(err::inuse);  // one reader at a time: frames are not split between reads
  parked_ = r;
  r->park([this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.lock()) parked_ = nullptr;
  });
  answer();
  // Nothing to say yet: the next change is built into a scene for this read.
  if (parked_ && c_) c_->ready();
}

net::Error Viewer::input(const std::vector<ViewEvent>& events) {
  if (detached_) return err::hungup;
  if (!c_ && !events.empty() && !std::holds_alternative<ViewSize>(events.front())) return err::viewsize;
  for (auto& e : events) {
    bool keys = std::holds_alternative<ViewKeys>(e) || std::holds_alternative<term::KeyPress>(e) ||
                std::holds_alternative<ViewKeyState>(e);
    if (keys && !grant_.has(net::right::type)) return err::perm;
    if (std::holds_alternative<ViewClipboard>(e) && !grant_.has(net::right::snarf)) return err::perm;
  }
  for (auto& e : events) apply(e);
  return {};
}

void Viewer::apply(const ViewEvent& e) {
  struct Visit {
    Viewer& v;
    void operator()(const ViewSize& s) {
      // A window system no desktop shows takes the viewer's screen, as a
      // cpu server takes drawterm's, when the viewer may manage it: the
      // screen is every viewer's. A sub-workspace keeps its host's.
      if (!v.ws_.warp && !v.ws_.hosted && v.grant_.has(net::right::manage)) v.ws_.set_screen(s.screen);
      if (!v.c_) return v.start(s.metrics);
      v.c_->set_metrics(s.metrics);
    }
    void operator()(const MouseState& m) { v.c_->mouse(m); }
    void operator()(const ViewKeys& k) { v.c_->keys(k.runes, k.mods); }
    void operator()(const term::KeyPress& k) { v.c_->press(k); }
    void operator()(const ViewKeyState& k) { v.c_->key_state(k.msg); }
    void operator()(const ViewClipboard& c) { v.c_->clipboard(c.text); }
  };
  std::visit(Visit{*this}, e);
}

net::Result<std::shared_ptr<Viewer>> Viewers::open(uint64_t conn, net::Grant grant) {
  std::erase_if(by_conn_, [](auto& kv) { return kv.second.expired(); });
  if (by_conn_.count(conn)) return net::Result<std::shared_ptr<Viewer>>::error(err::inuse);
  if (by_conn_.size() >= max_) return net::Result<std::shared_ptr<Viewer>>::error(err::toomanyviewers);
  auto v = std::make_shared<Viewer>(io_, ws_, std::move(grant));
  by_conn_[conn] = v;
  return v;
}

void Viewers::close(uint64_t conn) { by_conn_.erase(conn); }

void Viewers::close_all() {
  for (auto& [conn, v] : by_conn_)
    if (auto live = v.lock()) live->detach();
  by_conn_.clear();
}

std::shared_ptr<Viewer> Viewers::of(uint64_t conn) const {
  auto it = by_conn_.find(conn);
  return it == by_conn_.end() ? nullptr : it->second.lock();
}

}  // namespace grio::wsys

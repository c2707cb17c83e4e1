// A remote viewer's session on the server (grio view): as drawterm gives
// a cpu server's rio a screen, the viewer is a screen and a keyboard for
// this window system. rio's rules run here, in a Controller of the
// viewer's own with the viewer's cell size and the connection's rights;
// its scenes go out on view/feed as the viewer reads them, encoded as
// changes (scene_codec.h), and the viewer's mouse and keys come in on
// view/input (view_input.h).
//
// A viewer is one open of view/feed; view/input on the same connection
// reaches it. A scene is built only when the viewer has read the one
// before and asks again: under a flood it gets the newest state once per
// read, and nothing queues here.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/file_tree.h"
#include "wsys/controller.h"
#include "wsys/scene_codec.h"
#include "wsys/view_input.h"

namespace grio::wsys {

class Viewer {
 public:
  Viewer(asio::io_context& io, WindowSystem& ws, net::Grant grant);
  ~Viewer();
  Viewer(const Viewer&) = delete;
  Viewer& operator=(const Viewer&) = delete;

  // A read of view/feed: what is left of the frame being read, else a
  // frame of what changed since the last, else parked until something does.
  void read(const net::Req& r);
  // The events of one write to view/input, in order. Keys need type and
  // the clipboard snarf (checked for the whole write first: refused,
  // nothing is applied); what the mouse does is checked as it is done,
  // and a refusal is said on the feed.
  net::Error input(const std::vector<ViewEvent>& events);
  // The window system is closing: the controller goes, reads fail.
  void detach();

 private:
  void start(Metrics m);
  void publish(std::shared_ptr<const Scene> s);
  void answer();
  void apply(const ViewEvent& e);

  asio::io_context& io_;
  WindowSystem& ws_;
  net::Grant grant_;
  std::unique_ptr<Controller> c_;
  FeedEncoder enc_;
  std::shared_ptr<const Scene> scene_;   // published, not yet encoded
  std::optional<std::string> clipboard_; // snarf changed, not yet sent
  std::string notice_, said_;            // a refusal to say; the last said
  bool exit_ = false;
  bool detached_ = false;
  std::string out_;                      // the frame being read
  size_t out_at_ = 0;
  net::Req parked_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The viewers of one window system, by connection.
class Viewers {
 public:
  Viewers(asio::io_context& io, WindowSystem& ws, size_t max) : io_(io), ws_(ws), max_(max) {}
  // A viewer for connection conn (view/feed opened), acting with grant:
  // refused when the connection has one or there are max_viewers.
  net::Result<std::shared_ptr<Viewer>> open(uint64_t conn, net::Grant grant);
  void close(uint64_t conn);
  void close_all();
  std::shared_ptr<Viewer> of(uint64_t conn) const;
  size_t count() const { return by_conn_.size(); }

 private:
  asio::io_context& io_;
  WindowSystem& ws_;
  size_t max_;
  std::map<uint64_t, std::weak_ptr<Viewer>> by_conn_;
};

}  // namespace grio::wsys

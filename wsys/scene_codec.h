// The scene on the wire, for remote viewers (grio view): the server's
// view/feed is a stream of frames, each one scene as a change from the
// scene sent before it on the same feed — windows by id, sent again only
// when their version changed, and of those only the rows that changed —
// deflated with one zlib stream for the feed's life, so text a viewer
// already has costs a few bytes.
//
// A frame is a u32 (little-endian) length, then that many bytes of the
// deflate stream ending in a sync flush, less the 00 00 ff ff every sync
// flush ends with (the decoder puts it back). Inflated, the frame is one
// record written by io(Coder&, Frame&) in scene_codec.cpp, used both to
// pack and to unpack it, as net/codec.cpp does 9P.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/file_tree.h"
#include "wsys/scene.h"

struct z_stream_s;

namespace grio::wsys {

// One frame: the scene, and what the viewer does besides drawing it.
struct ViewFrame {
  std::shared_ptr<const Scene> scene;    // null: none in this frame (nothing to draw anew)
  std::optional<std::string> clipboard;  // the workspace's snarf changed: put it on the system clipboard
  std::string notice;                    // non-empty: say it once (a refused request, a lost right)
  bool exit = false;                     // the viewer's Exit was chosen: end
};

// Limits a decoder holds a feed to (a hostile server is a peer too).
struct FeedLimits {
  size_t max_frame = 16 << 20;    // inflated bytes of one frame
  size_t max_windows = 1024;      // in one scene, nested ones included
  size_t max_rows = 4096;         // of one window
  size_t max_depth = 4;           // nested sub-workspace scenes
  size_t max_row_cells = 4096;    // runes (and style runs) of one row
  size_t max_menu_items = 256;
  // Bytes of rows a decoded scene holds, nested ones included (a row copied
  // many times costs each time); a frame's record is held to it too.
  size_t max_scene_bytes = 32 << 20;
  // A frame's deflated length: what max_frame can take, incompressible.
  size_t max_deflated() const { return max_frame + max_frame / 64 + 64; }
};

// The server's side of one feed.
class FeedEncoder {
 public:
  FeedEncoder();
  ~FeedEncoder();
  FeedEncoder(const FeedEncoder&) = delete;
  FeedEncoder& operator=(const FeedEncoder&) = delete;
  // Appends the frame that brings a decoder from the last frame this
  // encoder made to f.
  void encode(const ViewFrame& f, std::string& out);
  // Inflated bytes of the last frame, for tests and benchmarks.
  size_t last_raw() const { return raw_.size(); }
  // The last frame's record, inflated (golden tests).
  std::string_view last_record() const { return raw_; }

 private:
  struct Sent;
  std::unique_ptr<Sent> sent_;
  z_stream_s* z_ = nullptr;
  std::string raw_;
};

// The viewer's side: bytes as read from view/feed in, frames out.
class FeedDecoder {
 public:
  explicit FeedDecoder(FeedLimits limits = {});
  ~FeedDecoder();
  FeedDecoder(const FeedDecoder&) = delete;
  FeedDecoder& operator=(const FeedDecoder&) = delete;
  // Takes the bytes of one read (a frame may span reads, a read may hold
  // several frames) and appends the frames they complete to out. An error
  // (a frame that is not one, over a limit, or against what was sent
  // before) is final: the feed cannot be followed after it.
  net::Error push(std::string_view bytes, std::vector<ViewFrame>& out);

 private:
  struct Held;
  FeedLimits limits_;
  std::unique_ptr<Held> held_;
  z_stream_s* z_ = nullptr;
  std::string pending_;
  std::string raw_;
  std::string error_;

  net::Error frame(std::string_view deflated, std::vector<ViewFrame>& out);
  net::Error inflate(std::string_view deflated);
  net::Error inflate_some(std::string_view in);
};

// Where two scenes differ, field by field and window by window, nested
// scenes included ("windows[1].rows[3].cells"); empty when they are equal.
std::string scene_diff(const Scene& a, const Scene& b);

}  // namespace grio::wsys

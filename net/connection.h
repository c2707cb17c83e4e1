// One 9P connection on the server side: framing, the fid and tag tables,
// and one handler per T-message.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "net/asio.h"
#include "net/dial.h"
#include "net/fcall.h"
#include "net/file_tree.h"
#include "net/framing.h"
#include "net/outbox.h"
#include "net/server.h"
#include "net/stream.h"

namespace grio::net {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server& srv, FileTree& tree, std::shared_ptr<Transport> t, uint64_t id, Grant grant = {});
  void start();
  // Closes the socket, cancels every parked request and clunks every fid.
  void close();
  uint64_t id() const { return session_->id; }
  const Grant& grant() const { return session_->grant; }
  // Bytes held for the client, counted against Limits::max_output: replies
  // not yet sent and the payloads of writes still parked.
  size_t held() const { return out_.size() + flight_.size() + parked_; }

 private:
  friend class Request;
  using Msg = ninep::Msg;

  // Framing and output.
  bool over_budget() const;
  uint32_t read_room() const;
  void room_freed();
  void resume();
  void discharge(Request& r);
  void read_more();
  void on_read(const error_code& ec, ReadNow got);
  void take_frames();
  void frame(std::span<const uint8_t> bytes);
  void take(ninep::Fcall f);
  void throttle(std::chrono::microseconds wait);
  void flush_output();
  void on_written(const error_code& ec);

  // Requests.
  void dispatch(uint16_t tag, Msg& t);
  void reply(uint16_t tag, Msg r);
  void error(uint16_t tag, std::string_view ename);
  void answered(Request& r, Msg msg);  // from Request::respond
  void answered(Request& r, std::vector<SharedBytes> pieces);  // from Request::respond_shared
  void done_with(Request& r);
  void recycle(std::string buf);
  FidRef fid(uint32_t num, uint16_t tag);
  Error new_fid_ok(uint32_t num) const;
  void release(const FidRef& f);
  void abort_on_fid(uint32_t num);
  void reset_session();

  void version(uint16_t tag, ninep::Tversion& t);
  void attach(uint16_t tag, ninep::Tattach& t);
  void flush(uint16_t tag, ninep::Tflush& t);
  void walk(uint16_t tag, ninep::Twalk& t);
  void open(uint16_t tag, ninep::Topen& t);
  void create(uint16_t tag, ninep::Tcreate& t);
  void read(uint16_t tag, Msg& t);
  void read_dir(uint16_t tag, Fid& f, const ninep::Tread& t);
  void write(uint16_t tag, Msg& t);
  void clunk(uint16_t tag, ninep::Tclunk& t);
  void remove(uint16_t tag, ninep::Tremove& t);
  void stat(uint16_t tag, ninep::Tstat& t);
  void wstat(uint16_t tag, ninep::Twstat& t);

  Server& srv_;
  FileTree& tree_;
  std::shared_ptr<Transport> stream_;  // a plain socket, or an export's TLS
  asio::steady_timer attach_timer_;  // closes a connection that never attached
  asio::steady_timer rate_timer_;    // an export's peers over their rate: reading waits
  bool throttled_ = false;
  std::shared_ptr<Session> session_;
  bool versioned_ = false;
  bool attached_ = false;
  bool closed_ = false;

  std::unordered_map<uint32_t, FidRef> fids_;
  std::unordered_map<uint16_t, Req> pending_;  // requests handed to the tree, by tag

  ninep::FrameReader in_{0};      // received bytes, split into messages
  bool reading_ = false;
  bool batching_ = false;          // replies wait until the whole read is handled
  size_t taken_ = 0;               // request bytes taken since replies last left
  Outbox out_;                     // replies not yet handed to the socket
  Outbox flight_;                  // the one write in flight
  bool writing_ = false;
  size_t parked_ = 0;              // payload bytes of writes in pending_
  size_t reserved_ = 0;            // counts of reads in pending_
  bool stalled_ = false;           // frames left in in_ for want of budget
  bool resume_posted_ = false;
};

}  // namespace grio::net

// A 9P2000 client: asynchronous and tag-multiplexed on one connection, with
// a blocking facade (SyncClient) for command-line use.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "net/asio.h"
#include "net/dial.h"
#include "net/fcall.h"
#include "net/file_tree.h"

namespace grio::net {

// Runs on the io_context that owns its socket; call it only from there
// (asio::post from other threads). Replies arrive in callbacks on that
// thread. An Rerror reaches the callback as an error carrying the server's
// string; a lost connection as "connection closed".
class Client : public std::enable_shared_from_this<Client> {
 public:
  using Reply = std::function<void(Result<ninep::Msg>)>;

  // Starts reading s; call it on s's io thread, or before that thread runs.
  // The client lives until close() or the connection ends.
  static std::shared_ptr<Client> create(Socket s);
  // The same on any transport: an export's TLS stream (dial_transport).
  static std::shared_ptr<Client> create(std::shared_ptr<Transport> t);
  // Like plan9port's chatty9pclient: print every message sent ("<-") and
  // received ("->") to stderr. Set it before any client starts.
  static inline bool chatty = false;
  ~Client();

  // Tversion; done gets the error, or "" once msize() holds the answer.
  void version(uint32_t msize, std::function<void(Error)> done);
  // Sends t with a free tag and returns that tag (for flush).
  uint16_t rpc(ninep::Msg t, Reply done);
  // Twrite straight from the caller's bytes: a large write is not copied
  // but gathered from them into the socket, so they must stay valid until
  // done runs (by then the server has them, or the connection is gone).
  uint16_t write(uint32_t fid, uint64_t offset, std::string_view data, Reply done);
  // The same Twrite with a copy of descriptor fd passed along (SCM_RIGHTS,
  // fd_passing.h): only on a Unix socket, one at a time.
  uint16_t write_fd(uint32_t fid, uint64_t offset, std::string_view data, int fd, Reply done);
  // Tflush of an outstanding tag. The old request's callback runs exactly
  // once: with its reply if that came first, else with "interrupted".
  void flush(uint16_t oldtag, std::function<void()> done = {});
  void close();
  // An Rread's data the caller is done with: a later large Rread is read
  // into it, without allocating or zeroing a string (a stream of reads
  // would otherwise make and free one per message). Up to 4 are kept.
  void recycle(std::string data);

  uint32_t msize() const { return msize_; }
  bool closed() const { return closed_; }
  // Fid numbers unused on this connection.
  uint32_t alloc_fid();
  void free_fid(uint32_t fid);

 private:
  explicit Client(std::shared_ptr<Transport> t);
  // A tag whose reply (of type want) goes to done, or NOTAG after failing done.
  uint16_t start(ninep::MsgType want, Reply& done);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint32_t msize_ = 8192;
  bool closed_ = false;
};

// Lets another thread give up on one SyncClient call still waiting for its
// reply (a FUSE interrupt, a shutdown). interrupt() sends Tflush for the
// request if it is out; the call then fails with "interrupted" once the
// server answers Rflush, or returns the reply if that came first. An
// interrupt() before the call starts makes the call fail at once. Get one
// from SyncClient::interruptible() per call.
class Interrupt : public std::enable_shared_from_this<Interrupt> {
 public:
  Interrupt(asio::io_context& io, std::shared_ptr<Client> c) : io_(io), client_(std::move(c)) {}
  void interrupt();

 private:
  friend class SyncClient;
  asio::io_context& io_;
  std::shared_ptr<Client> client_;
  // Used only on the io thread.
  uint16_t tag_ = ninep::NOTAG;
  bool waiting_ = false;  // tag_ is out and unanswered
  bool wanted_ = false;   // interrupt() has been called
};

// A blocking client with its own io thread. Every call waits for its reply.
// Calls may come from several threads at once.
class SyncClient {
 public:
  // Dials addr, negotiates msize (capped by the server) and attaches the
  // root fid with aname. uname defaults to user_name() ($USER, else our login name).
  static std::unique_ptr<SyncClient> dial(const std::string& addr, const std::string& aname,
                                          Error& err, uint32_t msize = 1 << 16,
                                          const std::string& uname = "");
  ~SyncClient();
  // Ends the connection from any thread: calls waiting for a reply (a
  // parked read) and every later call fail with "connection closed", while
  // the object stays valid until its owner destroys it.
  void close();

  uint32_t root() const { return root_; }
  uint32_t msize() const;
  uint32_t alloc_fid();

  Result<Qid> attach(uint32_t fid, const std::string& uname, const std::string& aname);
  Result<std::vector<Qid>> walk(uint32_t fid, uint32_t newfid, const std::vector<std::string>& names);
  Result<ninep::Ropen> open(uint32_t fid, uint8_t mode);
  Result<ninep::Rcreate> create(uint32_t fid, const std::string& name, uint32_t perm, uint8_t mode);
  // Reads and writes may block on the server (a cons read waits for a
  // line), so they alone take an Interrupt.
  Result<std::string> read(uint32_t fid, uint64_t offset, uint32_t count,
                           const std::shared_ptr<Interrupt>& intr = nullptr);
  Result<uint32_t> write(uint32_t fid, uint64_t offset, std::string_view data,
                         const std::shared_ptr<Interrupt>& intr = nullptr);
  // The reads in flight of read_stream in the commands that stream a file.
  static constexpr int read_ahead = 4;
  // Reads fid from offset to its end, handing each piece to got in file
  // order (on the calling thread) until a read returns nothing, got
  // returns false, or a read fails (its error is returned). Below
  // ahead_to, up to `window` Treads of count bytes are in flight at once,
  // so the server prepares the next piece while this end takes the last;
  // from ahead_to on, one at a time. ahead_to is where the file is known
  // to hold bytes (its stat length): a file whose reads consume what they
  // return (a pipe, a console) reports no length, and is read one at a
  // time from the start. A short piece ends the reads ahead of it, whose
  // replies are dropped, and reading resumes where it ended. A piece's
  // bytes are valid only during got: its string is then read into again.
  Error read_stream(uint32_t fid, uint64_t offset, uint32_t count, uint64_t ahead_to, int window,
                    const std::function<bool(std::string_view)>& got);
  // A write that passes descriptor fd with it (Client::write_fd).
  Result<uint32_t> write_fd(uint32_t fid, uint64_t offset, std::string_view data, int fd);
  Error clunk(uint32_t fid);
  Error remove(uint32_t fid);
  Result<Stat> stat(uint32_t fid);
  Error wstat(uint32_t fid, const Stat& d);

  std::shared_ptr<Interrupt> interruptible();

  // For code that streams on the io thread, without a thread hand-over per
  // reply (grio hub's output): the asynchronous client underneath and its
  // io_context, to be used only on the io thread, and a way to run f there
  // and wait for it. Nothing run there may wait for this SyncClient's calls.
  Client& async() { return *client_; }
  asio::io_context& io() { return io_; }
  void run_on_io(const std::function<void()>& f);

  // A new fid for path (slash-separated, relative to the root), walked in
  // steps of at most MAXWELEM names; a partial walk is "file does not exist".
  Result<uint32_t> walk_path(const std::string& path);
  // The entries of an open directory, read to the end.
  Result<std::vector<Stat>> read_dir(uint32_t fid);

 private:
  SyncClient();
  Result<ninep::Msg> call(ninep::Msg t);
  // Sends through start(done) on the io thread unless intr was already
  // interrupted, and waits; start returns the tag it used.
  Result<ninep::Msg> call_interruptible(std::function<uint16_t(Client::Reply)> start,
                                        const std::shared_ptr<Interrupt>& intr);
  void free_fid(uint32_t fid);
  asio::io_context io_;
  // Keeps the io thread alive after the connection drops, so calls still
  // get their "connection closed".
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::shared_ptr<Client> client_;
  std::thread thread_;
  uint32_t root_ = 0;
};

}  // namespace grio::net

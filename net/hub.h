// A hub: one byte log that any number of writers append to and any number
// of readers read from, each at its own offset. Pure: no 9P, no Asio; the
// tree that serves it (hub_tree.h) parks requests on its wake-ups.
//
// Slow-reader policy (the point of a hub; see DESIGN §5):
// - The log keeps at most `cap` bytes (default 1 MiB); older bytes are
//   dropped a whole write at a time, so the oldest byte held always starts
//   a write.
// - Default (`calm`): writers never wait for readers. A reader the cap has
//   overtaken gets one marker line, "[grio hub: N bytes lost]\n" with N the
//   exact number of bytes it missed (after a newline of its own if the
//   reader was inside a line), then carries on from the oldest byte held:
//   from the start of a write, never garbled bytes.
// - `fear`: a write that would drop bytes some reader has not read waits
//   until readers catch up, for at most `fear_wait` (the tree's timer);
//   then it goes in anyway and the readers left behind get the marker.
// - Tail readers (a terminal: `grio hub` opens hubs so) ask not to fall
//   far behind: under calm, a tail reader more than `lag` bytes (default
//   64 KiB) behind the end skips to the start of a write within `lag` of
//   the end (the log keeps small writes together in pieces of 4 KiB and
//   skips to the first piece that starts there; to the newest piece if
//   none does; never past an end of file it has still to get), and gets
//   the same marker with the exact number of bytes skipped. So a terminal that cannot keep up shows the
//   latest output, as tmux does, and says what it skipped. Other readers
//   (`cat` through a mount) get every byte the cap lets through, and under
//   `fear` tail readers get every byte too.
// - A write is atomic (its bytes are contiguous in the log, never split by
//   another write) up to `atomic_max` = 64 KiB; longer writes are taken
//   64 KiB at a time (a short count, as hubfs's maxmsglen).
// - `eof` puts an end of file into the stream at its current end: every
//   reader attached then gets a 0-byte read when it reaches that point.
//   At most max_eofs are held; past that the oldest is dropped (a reader
//   that had still to get it gets one end of file fewer).
// - `trunc`: new readers start at the end; `notrunc` (default): at the
//   oldest byte held (scrollback for late joiners).
// - `freeze`: writes wait and the hub reads as a static file by offset
//   (offset 0 = oldest byte held); `melt` goes back to streaming.
// - `close` (the session's program exited): readers get what is left, then
//   end of file on every read; writes fail.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace grio::net {

struct HubPolicy {
  size_t cap = 1 << 20;      // bytes held
  bool fear = false;         // writers wait (bounded) for the slowest reader
  uint32_t fear_wait_ms = 5000;
  bool trunc = false;        // new readers start at the end
  size_t lag = 64 * 1024;    // how far behind a tail reader may fall (calm)
};

class Hub {
 public:
  static constexpr size_t atomic_max = 64 * 1024;
  static constexpr size_t min_cap = atomic_max;
  static constexpr size_t max_eofs = 1024;
  using ReaderId = uint64_t;
  // Every: all the bytes the cap lets through. Tail: skips ahead when more
  // than policy().lag behind (calm only).
  enum Follow { Every, Tail };

  explicit Hub(HubPolicy p = {});
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Readers. A new reader starts at the oldest byte held, or at the end
  // under trunc. After a write, `first` readers are woken before the rest:
  // the tree so marks the readers of clients that may type, not watchers',
  // so whoever types sees the echo before the audience does.
  ReaderId attach(Follow f = Every, bool first = false);
  void detach(ReaderId r);

  // What a read gets now.
  struct Read {
    enum Kind { Data, Eof, Wait } kind = Wait;
    std::string bytes;  // data, or (part of) a loss marker
  };
  Read read(ReaderId r, size_t count);
  // Calls wake once, the next time a read by r could get something (data,
  // end of file). Replaces an earlier wake of r.
  void wait(ReaderId r, std::function<void()> wake);
  void unwait(ReaderId r);

  // Writers. Bytes that can be appended now without breaking the policy
  // (fear or freeze): up to atomic_max.
  size_t room() const;
  // Appends up to atomic_max bytes of data whole (even past room() when
  // forced: the fear bound ran out) and wakes readers; returns the count
  // taken. 0 when closed.
  size_t write(std::string_view data);
  // Calls wake once, the next time room() may have grown.
  void wait_room(std::function<void()> wake);

  // Control.
  void eof();
  void close();
  void freeze(bool on);
  void set_fear(bool on, uint32_t wait_ms = 0);
  void set_trunc(bool on) { policy_.trunc = on; }
  void set_cap(size_t cap);
  // A terminal's screen kept beside the log (hub 1 of a VT session): a
  // reader that attaches late, or that the cap or its lag overtook, gets
  // the bytes that repaint the screen as of the log's end, then the live
  // output from there, instead of a replay or a marker that would tear
  // the screen. A tail reader more than lag behind skips to the end even
  // inside one write. screen() must answer for exactly the bytes written; the
  // readers given one version of it share it.
  //
  // A repaint is made when the reader reads, so a reader that does not
  // read holds none. The repaints readers are partway through are held
  // within the cap together (one alone may be larger): to make room for a
  // new one, the readers that read longest ago let theirs go, and at their
  // next read get a CAN (ending any escape sequence the part they had
  // left open) and a fresh repaint.
  using Screen = std::shared_ptr<const std::string>;
  void set_screen(std::function<Screen()> screen) { screen_ = std::move(screen); }
  void set_lag(size_t lag);
  // Static-file read of held bytes (frozen hubs): offset 0 = oldest held.
  std::string read_at(uint64_t offset, size_t count) const;

  // State, for ctl status and tests.
  const HubPolicy& policy() const { return policy_; }
  bool frozen() const { return frozen_; }
  bool closed() const { return closed_; }
  uint64_t start() const { return start_; }  // oldest byte held (absolute)
  uint64_t end() const { return end_; }      // next byte written (absolute)
  size_t held() const { return size_t(end_ - start_); }
  size_t readers() const { return readers_.size(); }
  size_t waiting() const;      // readers with a wake
  size_t room_waiters() const { return room_waits_.size(); }
  uint64_t lost() const { return lost_; }  // bytes announced by markers, all readers
  size_t eofs_held() const { return eofs_.size(); }
  size_t screens_held() const;  // bytes of the repaints readers hold, each version once
  std::string status() const;

  // The marker an overtaken reader gets. read() hands it out alone, so a
  // client can tell it from data: lost_in gives the count bytes announce
  // if they are one marker (with the newline that may open it).
  static std::string marker(uint64_t missed);
  static std::optional<uint64_t> lost_in(std::string_view bytes);

 private:
  struct Chunk {
    uint64_t off;      // absolute offset of data[0]
    std::string data;  // one write, or small writes merged
  };
  struct Reader {
    uint64_t off = 0;
    bool tail = false;
    bool first = false;
    uint64_t eof_seq = 0;  // eofs before this one are not for us
    std::string pending;   // the rest of a loss marker
    Screen screen;         // a repaint being read (set_screen), shared …
    size_t screen_at = 0;  // … and how far this reader got in it
    bool want_screen = false;  // a repaint is due at its next read
    bool torn = false;     // it let go of a repaint it had begun
    uint64_t last_read = 0;  // when it last read (reads_)
    bool at_line_start = true;
    std::function<void()> wake;
  };
  struct Eof {
    uint64_t seq, off;
  };

  void trim();
  void take_screen(Reader& r);
  bool room_for(const Screen& s) const;
  uint64_t catch_up(const Reader& r) const;
  const Eof* next_eof(const Reader& r) const;
  uint64_t slowest() const;
  void wake_readers();
  void wake_writers();
  void copy(uint64_t from, size_t n, std::string& out) const;

  HubPolicy policy_;
  std::function<Screen()> screen_;
  std::deque<Chunk> log_;
  uint64_t start_ = 0, end_ = 0;
  std::deque<Eof> eofs_;
  uint64_t eof_next_ = 0;
  std::unordered_map<ReaderId, Reader> readers_;
  ReaderId next_reader_ = 1;
  std::vector<std::function<void()>> room_waits_;
  bool frozen_ = false, closed_ = false;
  uint64_t lost_ = 0;
  uint64_t reads_ = 0;  // reads so far, the clock of Reader::last_read
};

// What a terminal shows of a tail reader's reads (grio hub's pumps, and the
// server's for a terminal handed to it). A loss marker comes alone; markers
// in a row are held and summed, and shown as one just before the data they
// skipped to. That data came after a flood, so the read after it is paced.
class TailShow {
 public:
  // One read's bytes: the marker to show before them ("" if none), or
  // nothing if they were a marker, now held.
  std::optional<std::string> take(std::string_view bytes);
  // At end of file: the markers still held, as one ("" if none).
  std::string flush();
  bool skipping() const { return skipped_; }  // the last read was a marker
  bool flooded() const { return flooded_; }   // the last data came after one

 private:
  std::string marker();
  bool skipped_ = false, flooded_ = false;
  bool new_line_ = false;  // the first held marker opened a line
  uint64_t lost_ = 0;      // what the held markers announce
};

}  // namespace grio::net

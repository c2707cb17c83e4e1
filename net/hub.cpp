// The hub's byte log, its readers and its policies (see hub.h).
#include "net/hub.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <unordered_set>
#include <utility>

namespace grio::net {

namespace {
// Small writes share a chunk up to this size, so the log is not a deque of
// one-byte strings; a chunk still only ever holds whole writes.
constexpr size_t chunk_merge = 4096;
}  // namespace

Hub::Hub(HubPolicy p) : policy_(p) { policy_.cap = std::max(policy_.cap, min_cap); }

Hub::~Hub() = default;

namespace {
constexpr std::string_view marker_head = "[grio hub: ", marker_tail = " bytes lost]\n";
}

std::string Hub::marker(uint64_t missed) {
  return std::string(marker_head) + std::to_string(missed) + std::string(marker_tail);
}

std::optional<uint64_t> Hub::lost_in(std::string_view bytes) {
  if (bytes.starts_with('\n')) bytes.remove_prefix(1);
  if (!bytes.starts_with(marker_head) || !bytes.ends_with(marker_tail)) return {};
  auto digits = bytes.substr(marker_head.size(), bytes.size() - marker_head.size() - marker_tail.size());
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return {};
  return n;
}

Hub::ReaderId Hub::attach(Follow f, bool first) {
  ReaderId id = next_reader_++;
  Reader& r = readers_[id];
  r.tail = f == Tail;
  r.first = first;
  r.off = policy_.trunc ? end_ : start_;
  r.eof_seq = eof_next_;
  if (screen_ && !frozen_) {
    r.off = end_;
    r.want_screen = true;
  }
  return id;
}

void Hub::detach(ReaderId id) {
  if (readers_.erase(id) && policy_.fear) wake_writers();
}

// The first end of file the reader has still to get, if any lies ahead.
const Hub::Eof* Hub::next_eof(const Reader& r) const {
  for (auto& e : eofs_)
    if (e.seq >= r.eof_seq && e.off >= r.off) return &e;
  return nullptr;
}

Hub::Read Hub::read(ReaderId id, size_t count) {
  auto it = readers_.find(id);
  assert(it != readers_.end());
  Reader& r = it->second;
  if (frozen_ || count == 0) return {};
  r.last_read = ++reads_;
  const Eof* ahead = next_eof(r);
  uint64_t to = catch_up(r);
  bool due = std::exchange(r.want_screen, false) || to > r.off;
  if (due && screen_ && (!ahead || ahead->off >= end_)) {
    take_screen(r);  // the screen as it is now, not a marker
  } else if (to > r.off) {  // announce exactly what went
    uint64_t missed = to - r.off;
    lost_ += missed;
    // The marker is a line of its own, even after part of a line.
    r.pending = (r.at_line_start ? "" : "\n") + marker(missed);
    r.off = to;
  }
  if (r.torn && !r.screen) {  // no fresh repaint after all: the CAN alone
    r.torn = false;
    return {Read::Data, "\x18"};
  }
  if (r.screen && r.screen_at < r.screen->size()) {
    // CAN: the terminal drops a sequence the repaint let go had begun.
    std::string cancel = std::exchange(r.torn, false) ? "\x18" : "";
    size_t n = std::min(count - cancel.size(), r.screen->size() - r.screen_at);
    Read out{Read::Data, cancel + r.screen->substr(r.screen_at, n)};
    if ((r.screen_at += n) == r.screen->size()) r.screen.reset();
    r.at_line_start = false;
    return out;
  }
  if (!r.pending.empty()) {
    size_t n = std::min(count, r.pending.size());
    Read out{Read::Data, r.pending.substr(0, n)};
    r.pending.erase(0, n);
    r.at_line_start = out.bytes.back() == '\n';
    return out;
  }
  const Eof* e = next_eof(r);
  if (e && e->off == r.off) {
    r.eof_seq = e->seq + 1;
    return {Read::Eof, {}};
  }
  uint64_t limit = e ? e->off : end_;
  if (r.off < limit) {
    size_t n = size_t(std::min<uint64_t>(count, limit - r.off));
    Read out{Read::Data, {}};
    out.bytes.reserve(n);
    copy(r.off, n, out.bytes);
    r.off += n;
    r.at_line_start = out.bytes.back() == '\n';
    if (policy_.fear && !room_waits_.empty()) wake_writers();
    return out;
  }
  if (closed_) return {Read::Eof, {}};
  return {};
}

// r's repaint, as of the log's end; readers that read longest ago let
// theirs go until the repaints held fit in the cap with it.
void Hub::take_screen(Reader& r) {
  Screen s = screen_();
  r.torn = r.torn || (r.screen && r.screen_at > 0);  // skipped while partway through one
  r.screen.reset();
  while (!room_for(s)) {
    Reader* oldest = nullptr;
    for (auto& [id, o] : readers_)
      if (o.screen && o.screen != s && (!oldest || o.last_read < oldest->last_read)) oldest = &o;
    assert(oldest);  // room_for: some other repaint is held
    oldest->screen.reset();
    oldest->torn = oldest->screen_at > 0;
    oldest->want_screen = true;
  }
  r.screen = std::move(s);
  r.screen_at = 0;
  r.off = end_;
}

// Whether s can be held beside the repaints readers hold: it is one of
// them, none is held, or they fit in the cap with it.
bool Hub::room_for(const Screen& s) const {
  for (auto& [id, o] : readers_)
    if (o.screen == s) return true;
  size_t held = screens_held();
  return held == 0 || held + s->size() <= policy_.cap;
}

size_t Hub::screens_held() const {
  std::unordered_set<const std::string*> held;
  size_t total = 0;
  for (auto& [id, o] : readers_)
    if (o.screen && held.insert(o.screen.get()).second) total += o.screen->size();
  return total;
}

// Where r goes on from: past what the cap dropped, and for a tail reader
// under calm, to the oldest write starting within lag of the end (chunks
// start at writes), but not past an end of file it has still to get. With
// a screen, to the end: the repaint stands for all it skips, so a reader
// more than lag behind is repainted even inside one long write (a flood's
// batches are longer than lag, and were sent whole to a reader that had
// kept up until each one came).
uint64_t Hub::catch_up(const Reader& r) const {
  uint64_t to = std::max(r.off, start_);
  if (!r.tail || policy_.fear || end_ - to <= policy_.lag) return to;
  auto it = std::lower_bound(log_.begin(), log_.end(), end_ - policy_.lag,
                             [](const Chunk& c, uint64_t o) { return c.off < o; });
  uint64_t at = screen_ ? end_ : it == log_.end() ? log_.back().off : it->off;
  if (const Eof* e = next_eof(r)) at = std::min(at, e->off);
  return std::max(to, at);
}

void Hub::copy(uint64_t from, size_t n, std::string& out) const {
  auto it = std::upper_bound(log_.begin(), log_.end(), from, [](uint64_t o, const Chunk& c) { return o < c.off; });
  assert(it != log_.begin());
  for (--it; n > 0 && it != log_.end(); ++it) {
    size_t at = size_t(from - it->off);
    size_t k = std::min(n, it->data.size() - at);
    out.append(it->data, at, k);
    from += k;
    n -= k;
  }
}

void Hub::wait(ReaderId id, std::function<void()> wake) {
  auto it = readers_.find(id);
  if (it != readers_.end()) it->second.wake = std::move(wake);
}

void Hub::unwait(ReaderId id) {
  auto it = readers_.find(id);
  if (it != readers_.end()) it->second.wake = nullptr;
}

size_t Hub::waiting() const {
  return size_t(std::count_if(readers_.begin(), readers_.end(), [](auto& p) { return bool(p.second.wake); }));
}

// Wakes are taken out before any is called: a woken reader reads, may
// detach, or may wait again.
void Hub::wake_readers() {
  if (frozen_) return;
  std::vector<std::function<void()>> wakes;
  for (bool first : {true, false})
    for (auto& [id, r] : readers_)
      if (r.wake && r.first == first) wakes.push_back(std::exchange(r.wake, nullptr));
  for (auto& w : wakes) w();
}

void Hub::wake_writers() {
  auto wakes = std::exchange(room_waits_, {});
  for (auto& w : wakes) w();
}

void Hub::wait_room(std::function<void()> wake) { room_waits_.push_back(std::move(wake)); }

uint64_t Hub::slowest() const {
  uint64_t s = end_;
  for (auto& [id, r] : readers_) s = std::min(s, r.off);
  return std::max(s, start_);
}

// Under fear, room is what can go in before the chunk holding the slowest
// reader's next byte would have to be dropped.
size_t Hub::room() const {
  if (frozen_) return 0;
  if (!policy_.fear || closed_) return atomic_max;
  uint64_t s = slowest();
  if (s < end_) {
    auto it = std::upper_bound(log_.begin(), log_.end(), s, [](uint64_t o, const Chunk& c) { return o < c.off; });
    s = std::prev(it)->off;
  }
  uint64_t used = end_ - s;
  return used >= policy_.cap ? 0 : size_t(std::min<uint64_t>(atomic_max, policy_.cap - used));
}

size_t Hub::write(std::string_view data) {
  if (closed_ || data.empty()) return 0;
  size_t n = std::min(data.size(), atomic_max);
  if (!log_.empty() && log_.back().data.size() + n <= chunk_merge)
    log_.back().data.append(data.substr(0, n));
  else
    log_.push_back(Chunk{end_, std::string(data.substr(0, n))});
  end_ += n;
  trim();
  wake_readers();
  return n;
}

// Drops whole chunks (so whole writes) from the front until the cap holds;
// the newest chunk always stays.
void Hub::trim() {
  while (log_.size() > 1 && end_ - start_ > policy_.cap) {
    log_.pop_front();
    start_ = log_.front().off;
  }
  while (!eofs_.empty() && eofs_.front().off < start_) eofs_.pop_front();
}

void Hub::eof() {
  if (eofs_.size() >= max_eofs) eofs_.pop_front();
  eofs_.push_back(Eof{eof_next_++, end_});
  wake_readers();
}

void Hub::close() {
  closed_ = true;
  wake_readers();
  wake_writers();
}

void Hub::freeze(bool on) {
  frozen_ = on;
  if (on) return;
  wake_readers();
  wake_writers();
}

void Hub::set_fear(bool on, uint32_t wait_ms) {
  policy_.fear = on;
  if (wait_ms) policy_.fear_wait_ms = wait_ms;
  if (!on) wake_writers();
}

void Hub::set_cap(size_t cap) {
  policy_.cap = std::max(cap, min_cap);
  trim();
  wake_readers();
  wake_writers();
}

void Hub::set_lag(size_t lag) {
  policy_.lag = std::max<size_t>(lag, 1);
}

std::string Hub::read_at(uint64_t offset, size_t count) const {
  std::string out;
  if (offset >= held()) return out;
  copy(start_ + offset, size_t(std::min<uint64_t>(count, held() - offset)), out);
  return out;
}

std::string Hub::status() const {
  return "cap " + std::to_string(policy_.cap) + " held " + std::to_string(held()) + " start " +
         std::to_string(start_) + " end " + std::to_string(end_) + " readers " + std::to_string(readers_.size()) +
         (policy_.fear ? " fear " + std::to_string(policy_.fear_wait_ms) : std::string(" calm")) +
         (policy_.trunc ? " trunc" : " notrunc") + " lag " + std::to_string(policy_.lag) + (frozen_ ? " frozen" : " melted") +
         (closed_ ? " closed" : " open") + " lost " + std::to_string(lost_);
}

std::optional<std::string> TailShow::take(std::string_view bytes) {
  if (auto lost = Hub::lost_in(bytes)) {
    if (!skipped_) new_line_ = bytes.starts_with('\n');
    skipped_ = true;
    lost_ += *lost;
    return std::nullopt;
  }
  flooded_ = std::exchange(skipped_, false);
  return flooded_ ? marker() : std::string();
}

std::string TailShow::flush() { return std::exchange(skipped_, false) ? marker() : std::string(); }

std::string TailShow::marker() { return (new_line_ ? "\n" : "") + Hub::marker(std::exchange(lost_, 0)); }

}  // namespace grio::net

// A ramfs file's bytes as extents of shared buffers.
#include "net/ram_data.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace grio::net {

// A buffer counts its capacity in the tree's usage while it lives, so the
// bytes a reply still holds after the file let them go count too.
struct RamData::Buffer {
  std::string bytes;
  std::shared_ptr<RamUsage> usage;
  size_t counted = 0;
  Buffer(std::string b, std::shared_ptr<RamUsage> u) : bytes(std::move(b)), usage(std::move(u)) { recount(); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { usage->bytes -= counted; }
  void recount() {
    usage->bytes += bytes.capacity();
    usage->bytes -= counted;
    counted = bytes.capacity();
  }
};

namespace {
// What a string holding n bytes takes (a short one still has its inline room).
size_t capacity_for(size_t n) { return std::max(n, std::string().capacity()); }

// Appends k bytes of e from its byte skip: its buffer's, or a hole's zeros.
void append(std::string& out, const RamData::Extent& e, size_t skip, size_t k) {
  if (e.buf) out.append(e.buf->bytes, e.from + skip, k);
  else out.append(k, '\0');
}
}  // namespace

RamData::RamData(std::shared_ptr<RamUsage> usage, uint64_t max_bytes)
    : usage_(std::move(usage)), max_bytes_(max_bytes) {}

RamData::~RamData() {
  erase(map_.begin(), map_.end());
  counted();
}

// Keeps the tree's count of extents.
void RamData::counted() {
  usage_->extents += map_.size();
  usage_->extents -= counted_extents_;
  counted_extents_ = map_.size();
}

// Whether the tree may hold need bytes more once freed bytes are let go.
bool RamData::room(uint64_t need, uint64_t freed) const {
  uint64_t held = usage_->bytes - std::min(freed, usage_->bytes);
  return held <= max_bytes_ && need <= max_bytes_ - held;
}

// What overwriting [off, end) surely gives back: the holes and the buffers
// of the extents it covers whole that nobody else holds, neither a reply
// nor an extent outside it (the two halves of a split hold one buffer).
uint64_t RamData::freed_by(uint64_t off, uint64_t end) const {
  uint64_t n = 0;
  std::map<const Buffer*, long> holders;  // extents within that hold each buffer
  for (auto it = map_.lower_bound(off); it != map_.end() && it->first + it->second.len <= end; ++it) {
    auto& e = it->second;
    if (!e.buf) n += e.len;
    else if (++holders[e.buf.get()] == e.buf.use_count()) n += e.buf->counted;
  }
  return n;
}

std::shared_ptr<RamData::Buffer> RamData::buffer(std::string bytes) {
  return std::make_shared<Buffer>(std::move(bytes), usage_);
}

RamData::Map::iterator RamData::at(uint64_t off) { return std::prev(map_.upper_bound(off)); }
RamData::Map::const_iterator RamData::at(uint64_t off) const { return std::prev(map_.upper_bound(off)); }

// ---- writing ---------------------------------------------------------------------

bool RamData::write(uint64_t off, std::string_view data) {
  if (data.empty()) return resize(std::max(off, size_));
  if (in_place(off, data) || grow_last(off, data) || cow(off, data)) return counted(), true;
  uint64_t hole = off > size_ ? off - size_ : 0;
  if (!bounded() || !room(capacity_for(data.size()) + hole, freed_by(off, off + data.size()))) return counted(), false;
  hole_to(off);
  place(off, Extent{buffer(std::string(data)), 0, data.size()});
  counted();
  return true;
}

// The payload's own buffer becomes the extent. One much larger than its
// bytes (a recycled one) is cut to fit first.
bool RamData::adopt(uint64_t off, std::string&& data, std::string* spare) {
  size_t n = data.size();
  if (n == 0) return resize(std::max(off, size_));
  bool fit = data.capacity() > n + n / 8;
  uint64_t need = (fit ? capacity_for(n) : data.capacity()) + (off > size_ ? off - size_ : 0);
  if (!bounded() || !room(need, freed_by(off, off + n))) return counted(), false;
  if (fit) data.shrink_to_fit();
  hole_to(off);
  spare_ = spare;
  place(off, Extent{buffer(std::move(data)), 0, n});
  spare_ = nullptr;
  counted();
  return true;
}

// Within one extent whose buffer nobody else holds: no copy of the extent.
bool RamData::in_place(uint64_t off, std::string_view data) {
  if (off >= size_) return false;
  auto it = at(off);
  auto& e = it->second;
  if (!e.buf || e.buf.use_count() != 1 || off + data.size() > it->first + e.len) return false;
  std::memcpy(e.buf->bytes.data() + e.from + (off - it->first), data.data(), data.size());
  return true;
}

// Past the end, from within the last extent: its buffer grows, when nobody
// else holds it and the extent is the whole buffer. So a writer of a
// byte at a time makes one extent per grow_max bytes, not one per byte.
bool RamData::grow_last(uint64_t off, std::string_view data) {
  if (map_.empty() || off > size_ || off + data.size() <= size_) return false;
  auto it = std::prev(map_.end());
  auto& e = it->second;
  if (!e.buf || e.buf.use_count() != 1 || e.from != 0 || off < it->first) return false;
  std::string& b = e.buf->bytes;
  size_t keep = off - it->first, want = keep + data.size();
  if (e.len != b.size() || want > grow_max) return false;
  size_t cap = b.capacity(), grown = want <= cap ? cap : std::max(want, 2 * cap);  // as libstdc++ grows
  if (!room(grown - cap)) return false;
  b.resize(keep);
  b.append(data);
  e.buf->recount();
  e.len = keep + data.size();
  size_ = off + data.size();
  return true;
}

// Within one extent whose buffer someone else holds (a reply not yet sent,
// another extent): that extent alone is copied, then changed.
bool RamData::cow(uint64_t off, std::string_view data) {
  if (off >= size_) return false;
  auto it = at(off);
  auto& e = it->second;
  if (!e.buf || off + data.size() > it->first + e.len || e.len > merge_max || !room(capacity_for(e.len))) return false;
  std::string b = e.buf->bytes.substr(e.from, e.len);
  std::memcpy(b.data() + (off - it->first), data.data(), data.size());
  e.buf = buffer(std::move(b));
  e.from = 0;
  return true;
}

bool RamData::resize(uint64_t n) {
  if (!can_resize(n)) return false;
  if (n > size_) {
    // The hole's bytes stay in the budget whatever the merge takes.
    if (map_.size() + 1 > max_extents(n)) compact(n - size_);
    hole_to(n);
    return counted(), true;
  }
  split(n);
  erase(map_.lower_bound(n), map_.end());
  size_ = n;
  if (map_.size() > max_extents(size_)) compact();
  if (!map_.empty()) own(std::prev(map_.end()));
  counted();
  return true;
}

// Shorter, the extents left may have to be merged (compact()), and a reply
// may hold the buffers they are cut from, so that merging them takes new
// room. Refused unless every run of them can be merged.
bool RamData::can_resize(uint64_t n) const {
  if (n >= size_) return n == size_ || room(n - size_);
  if (size_t(std::distance(map_.begin(), map_.lower_bound(n))) <= max_extents(n)) return true;
  return merges_after_cut(n);
}

// compact() after resize(n), played out: what the cut frees, then each
// run, which frees its holes and every buffer whose holders left are its
// own extents (a holder outside the file's extents is a reply's).
bool RamData::merges_after_cut(uint64_t n) const {
  struct Piece {
    const Buffer* buf;
    size_t len;
  };
  std::vector<Piece> left;
  std::map<const Buffer*, long> holders;  // extents left holding each buffer
  std::map<const Buffer*, long> others;   // and anyone else, the cut extents aside
  uint64_t bytes = usage_->bytes;
  for (auto& [off, e] : map_) {
    size_t keep = off < n ? size_t(std::min<uint64_t>(e.len, n - off)) : 0;
    if (!e.buf) bytes -= e.len - keep;
    if (keep) left.push_back({e.buf.get(), keep});
    if (e.buf && keep) holders[e.buf.get()]++;
    if (e.buf) others.try_emplace(e.buf.get(), e.buf.use_count());
    if (e.buf) others[e.buf.get()]--;
  }
  for (auto& [b, k] : others)
    if (k == 0 && !holders.count(b)) bytes -= b->counted;
  auto fits = [&](size_t from, size_t to, size_t len) {
    std::map<const Buffer*, long> in_run;
    uint64_t freed = 0;
    for (size_t i = from; i < to; i++) {
      auto b = left[i].buf;
      if (!b) freed += left[i].len;
      else if (++in_run[b] == holders[b] && others[b] == 0) freed += b->counted;
    }
    uint64_t held = bytes - std::min(freed, bytes), need = capacity_for(len);
    if (held > max_bytes_ || need > max_bytes_ - held) return false;
    bytes = held + need;
    for (auto& [b, k] : in_run) holders[b] -= k;
    return true;
  };
  size_t run = 0, len = 0;
  for (size_t i = 0; i < left.size(); i++) {
    if (len + left[i].len > merge_max) {
      if (i - run > 1 && !fits(run, i, len)) return false;
      run = i, len = 0;
    }
    len += left[i].len;
  }
  return left.size() - run <= 1 || fits(run, left.size(), len);
}

// ---- extents ---------------------------------------------------------------------

// Makes room for the two extents a write may add. False when the budget
// does not allow the copies that takes.
bool RamData::bounded() {
  if (map_.size() + 2 <= max_extents(size_)) return true;
  compact();
  return map_.size() + 2 <= max_extents(size_);
}

// Puts e at off (at most size_), in place of what was there.
void RamData::place(uint64_t off, Extent e) {
  uint64_t end = off + e.len;
  split(off);
  split(end);
  auto from = map_.lower_bound(off), to = map_.lower_bound(end);
  for (auto it = from; it != to; ++it) release(it->second.buf);
  erase(from, to);
  auto it = map_.emplace(off, std::move(e)).first;
  size_ = std::max(size_, end);
  if (it != map_.begin()) own(std::prev(it));
  own(std::next(it));
}

// Grows the file to end with zeros, in its last hole if it ends in one.
void RamData::hole_to(uint64_t end) {
  if (end <= size_) return;
  uint64_t n = end - size_;
  usage_->bytes += n;
  if (!map_.empty() && !std::prev(map_.end())->second.buf) std::prev(map_.end())->second.len += n;
  else map_.emplace(size_, Extent{nullptr, 0, n});
  size_ = end;
}

// Makes an extent start at `at`; the two halves share the buffer.
void RamData::split(uint64_t pos) {
  if (pos == 0 || pos >= size_) return;
  auto it = at(pos);
  if (it->first == pos) return;
  auto& e = it->second;
  size_t left = pos - it->first;
  Extent right{e.buf, e.buf ? e.from + left : 0, e.len - left};
  e.len = left;
  map_.emplace_hint(std::next(it), pos, std::move(right));
}

void RamData::erase(Map::iterator from, Map::iterator to) {
  for (auto it = from; it != to; ++it)
    if (!it->second.buf) usage_->bytes -= it->second.len;
  map_.erase(from, to);
}

// A piece much smaller than its buffer gets a buffer of its own, when the
// budget allows, so it does not keep the rest alive.
void RamData::own(Map::iterator it) {
  if (it == map_.end() || !it->second.buf) return;
  auto& e = it->second;
  if (e.len * keep_ratio >= e.buf->bytes.capacity() || !room(capacity_for(e.len))) return;
  auto old = std::exchange(e.buf, buffer(e.buf->bytes.substr(e.from, e.len)));
  e.from = 0;
  release(old);
}

// Lets a buffer go. The largest that nobody else holds becomes the spare: a
// stream of writes over a file then reads each payload into the memory
// the last one freed, which is neither allocated nor zeroed again.
// (The buffer itself, emptied, goes with its extent: its count with it.)
void RamData::release(const std::shared_ptr<Buffer>& b) {
  if (spare_ && b && b.use_count() == 1 && b->bytes.capacity() > spare_->capacity()) *spare_ = std::move(b->bytes);
}

// Runs of neighbours, up to merge_max bytes each, copied into one buffer
// per run, while the budget allows. Then any two neighbours together are
// over merge_max: at most 2 × size / merge_max + 1 extents are left. A run
// may take what its own holes and buffers give back: merging many small
// pieces nobody else holds takes less than it frees. keep bytes of the
// budget are left for what the caller adds next.
void RamData::compact(uint64_t keep) {
  auto run = map_.begin();
  size_t len = 0, n = 0;  // the run's bytes and extents
  for (auto it = map_.begin(); it != map_.end(); ++it) {
    if (len + it->second.len > merge_max) {
      if (n > 1 && !room(capacity_for(len) + keep, freed_by(run->first, run->first + len))) return;
      if (n > 1) merge(run, it, len);
      run = it, len = 0, n = 0;
    }
    len += it->second.len;
    n++;
  }
  if (n > 1 && room(capacity_for(len) + keep, freed_by(run->first, run->first + len))) merge(run, map_.end(), len);
}

void RamData::merge(Map::iterator from, Map::iterator to, size_t len) {
  // Not reserve(): from a short string's room it would take up to twice
  // that, more than the budget was asked for.
  std::string b(len, '\0');
  b.clear();
  for (auto it = from; it != to; ++it) append(b, it->second, 0, it->second.len);
  uint64_t key = from->first;
  erase(from, to);
  map_.emplace_hint(to, key, Extent{buffer(std::move(b)), 0, len});
}

// ---- reading ---------------------------------------------------------------------

std::string RamData::copy(uint64_t off, size_t n) const {
  std::string out;
  if (n == 0) return out;
  out.reserve(n);
  for (auto it = at(off); out.size() < n; ++it) {
    size_t skip = off + out.size() - it->first;
    append(out, it->second, skip, std::min(it->second.len - skip, n - out.size()));
  }
  return out;
}

std::vector<SharedBytes> RamData::share(uint64_t off, size_t n) const {
  std::vector<SharedBytes> out;
  size_t got = 0, held = 0;
  for (auto it = n ? at(off) : map_.end(); got < n; ++it) {
    auto& e = it->second;
    if (!e.buf || out.size() == max_views) return {};
    size_t skip = off + got - it->first, k = std::min(e.len - skip, n - got);
    out.push_back({e.buf, std::string_view(e.buf->bytes).substr(e.from + skip, k)});
    got += k;
    held += e.buf->counted;
  }
  if (held > keep_ratio * n) return {};
  return out;
}

}  // namespace grio::net

// The bytes of a ramfs file as extents: views of shared buffers. A large
// write keeps the buffer it arrived in, and a read is answered with views
// of the buffers, so neither copies the bytes once more.
//
// A buffer is never changed while anyone else holds it (use_count() > 1):
// a reply being sent, or another extent. A write then copies, so a reply
// already queued keeps the bytes it was made with. Every buffer counts its
// capacity in the tree's Usage for as long as it lives, whoever holds it,
// and a hole (a file grown by a write past its end or by a wstat) counts its
// length, as when it was zeros in a string.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/shared_bytes.h"

namespace grio::net {

// What a ramfs holds now.
struct RamUsage {
  uint64_t bytes = 0;   // buffers, every one once, and holes
  size_t files = 0;     // files and directories
  size_t extents = 0;   // of all files
};

class RamData {
 public:
  // A file holds at most extent_floor + size / extent_per extents: past it,
  // runs of neighbours are copied into buffers of up to merge_max bytes.
  static constexpr size_t extent_floor = 8;
  static constexpr size_t extent_per = 4096;
  static constexpr size_t merge_max = 64 * 1024;
  // A small write at the end grows the last buffer up to this.
  static constexpr size_t grow_max = 64 * 1024;
  // A piece of a buffer smaller than capacity / keep_ratio gets a buffer of
  // its own, so a small view does not keep a large buffer alive; a read is
  // shared only if its buffers hold at most keep_ratio times its bytes.
  static constexpr size_t keep_ratio = 4;
  // A read is shared only in at most this many pieces.
  static constexpr size_t max_views = 4;

  RamData(std::shared_ptr<RamUsage> usage, uint64_t max_bytes);
  RamData(const RamData&) = delete;
  RamData& operator=(const RamData&) = delete;
  ~RamData();

  uint64_t size() const { return size_; }
  size_t extents() const { return map_.size(); }
  static size_t max_extents(uint64_t size) { return extent_floor + size / extent_per; }
  // What write(0, n bytes) takes of the budget in an empty file: a buffer
  // holds at least a short string's room.
  static uint64_t room_for(size_t n) { return n ? std::max(n, std::string().capacity()) : 0; }

  // Each returns false, changing nothing, when the tree's budget does not
  // allow it. write copies data; adopt keeps data's buffer as it is, and
  // may hand a buffer it let go to spare, to read the next payload into.
  bool write(uint64_t off, std::string_view data);
  bool adopt(uint64_t off, std::string&& data, std::string* spare = nullptr);
  bool resize(uint64_t n);
  bool can_resize(uint64_t n) const;

  // The bytes [off, off + n), which must lie within the file.
  std::string copy(uint64_t off, size_t n) const;
  // The same as views of the buffers, or nothing where copying is better:
  // a hole, too many pieces, or buffers much larger than the bytes.
  std::vector<SharedBytes> share(uint64_t off, size_t n) const;

  struct Buffer;
  struct Extent {
    std::shared_ptr<Buffer> buf;  // null: a hole of zeros
    size_t from = 0, len = 0;     // the bytes buf[from, from + len)
  };

 private:
  using Map = std::map<uint64_t, Extent>;
  bool room(uint64_t need, uint64_t freed = 0) const;
  bool merges_after_cut(uint64_t n) const;
  uint64_t freed_by(uint64_t off, uint64_t end) const;
  std::shared_ptr<Buffer> buffer(std::string bytes);
  bool in_place(uint64_t off, std::string_view data);
  bool grow_last(uint64_t off, std::string_view data);
  bool cow(uint64_t off, std::string_view data);
  bool bounded();
  void place(uint64_t off, Extent e);
  void hole_to(uint64_t end);
  void split(uint64_t at);
  void erase(Map::iterator from, Map::iterator to);
  void own(Map::iterator it);
  void release(const std::shared_ptr<Buffer>& b);
  void compact(uint64_t keep = 0);
  void merge(Map::iterator from, Map::iterator to, size_t len);
  Map::iterator at(uint64_t off);
  Map::const_iterator at(uint64_t off) const;
  void counted();

  std::shared_ptr<RamUsage> usage_;
  uint64_t max_bytes_;
  Map map_;  // by offset, covering [0, size_) without gaps
  uint64_t size_ = 0;
  size_t counted_extents_ = 0;
  std::string* spare_ = nullptr;  // during adopt()
};

}  // namespace grio::net

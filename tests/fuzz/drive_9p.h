// For fuzz targets: the fuzz input read as a sequence of 9P requests with
// small fid, tag and name spaces, so that walks, opens and writes meet the
// same files again and a tree's state is actually explored.
#pragma once

#include <string>
#include <vector>

#include "net/fcall.h"
#include "tests/fuzz/serve_bytes.h"

namespace grio::fuzz {

using namespace grio::ninep;

// Tversion and an attach of fid 0 (aname given), as every session starts.
inline void hello(ServeBytes& s, const std::string& aname) {
  s.send(Fcall{NOTAG, Tversion{8192, "9P2000"}});
  s.send(Fcall{1, Tattach{0, NOFID, "glenda", aname}});
  s.run();
}

class Driver {
 public:
  // names: the words walks and creates use most (a byte may also give a
  // name of its own).
  // phrases: what writes say most, when the tree reads its writes as
  // commands (none: every write is bytes from the input).
  Driver(ServeBytes& s, Input& in, std::vector<std::string> names, std::vector<std::string> phrases = {})
      : s_(s), in_(in), names_(std::move(names)), phrases_(std::move(phrases)) {}

  // One request from the input; false once it is used up.
  bool step() {
    if (in_.empty()) return false;
    uint16_t tag = uint16_t(in_.small(8));  // reused: duplicate tags happen
    uint32_t fid = in_.small(8);
    switch (in_.small(12)) {
      case 0: walk(tag, fid); break;
      case 1: s_.send(Fcall{tag, Topen{fid, in_.byte()}}); break;
      case 2: s_.send(Fcall{tag, Tcreate{fid, name(), perm(), in_.byte()}}); break;
      case 3: s_.send(Fcall{tag, Tread{fid, offset(), count()}}); break;
      case 4: s_.send(Fcall{tag, Twrite{fid, offset(), payload()}}); break;
      case 5: s_.send(Fcall{tag, Tclunk{fid}}); break;
      case 6: s_.send(Fcall{tag, Tremove{fid}}); break;
      case 7: s_.send(Fcall{tag, Tstat{fid}}); break;
      case 8: s_.send(Fcall{tag, Twstat{fid, wstat()}}); break;
      case 9: s_.send(Fcall{tag, Tflush{uint16_t(in_.small(8))}}); break;
      case 10: s_.send(Fcall{tag, Tattach{fid, NOFID, in_.small(2) ? "glenda" : "other", in_.bytes(8)}}); break;
      default: s_.run(); break;  // let parked requests meet later ones, or not
    }
    return true;
  }
  void run_all() {
    while (step()) {
    }
    s_.run();
  }

 private:
  std::string name() {
    uint8_t b = in_.byte();
    if (b < 200 && !names_.empty()) return names_[b % names_.size()];
    return in_.bytes(12);
  }
  // A phrase and bytes after it, or bytes alone.
  std::string payload() {
    if (phrases_.empty()) return in_.bytes(200);
    uint8_t b = in_.byte();
    if (b >= 2 * phrases_.size()) return in_.bytes(200);
    return phrases_[b / 2] + (b % 2 ? in_.bytes(40) : "");
  }
  void walk(uint16_t tag, uint32_t fid) {
    Twalk w{fid, in_.small(8), {}};
    for (uint32_t n = in_.small(5); n > 0; n--) w.wname.push_back(name());
    s_.send(Fcall{tag, w});
  }
  uint32_t perm() {
    uint32_t p = in_.byte() | uint32_t(in_.byte()) << 8;
    uint8_t hi = in_.byte();
    if (hi & 1) p |= DMDIR;
    if (hi & 2) p |= DMEXCL;
    if (hi & 4) p |= DMAPPEND;
    return p;
  }
  uint32_t count() {
    uint32_t n = in_.byte();
    return n << in_.small(8);  // up to 32 KiB: past the msize too
  }
  uint64_t offset() {
    uint8_t b = in_.byte();
    if (b == 255) return ~uint64_t(0) - in_.byte();
    if (b >= 250) return uint64_t(1) << (31 + b - 250);  // past ramfs's 1 GiB files
    return b;
  }
  Stat wstat() {
    Stat d = dont_touch();
    uint8_t which = in_.byte();
    if (which & 1) d.name = name();
    if (which & 2) d.length = offset();
    if (which & 4) d.mode = perm();
    if (which & 8) d.gid = in_.bytes(8);
    if (which & 16) d.mtime = in_.byte();
    return d;
  }

  ServeBytes& s_;
  Input& in_;
  std::vector<std::string> names_;
  std::vector<std::string> phrases_;
};

}  // namespace grio::fuzz

// libFuzzer target for a ramfs file's extents (net/ram_data), driven
// directly: the input is a stream of writes (small ones copied, large ones
// adopted, some into a recycled spare of odd capacity), truncates and
// grows, copies and shared reads, on two files under one small budget.
// Some shared reads are held, bare or queued in an Outbox as a reply
// would be, across later writes. After every operation each file must
// equal a std::string model, every held read must still show the bytes it
// had, each file's extents must stay within RamData::max_extents, and the
// budget must hold; when all is let go the usage must return to zero.
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "net/codec.h"
#include "net/outbox.h"
#include "net/ram_data.h"

using namespace grio;
using net::RamData;

namespace {

// GRIO_FUZZ_TRACE=1 prints each operation, to read a crash by.
const bool trace = std::getenv("GRIO_FUZZ_TRACE") != nullptr;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_ram_data: %s\n", what);
  std::abort();
}

// A read held across later writes, bare or as an Rread in an outbox.
struct Held {
  std::vector<net::SharedBytes> pieces;
  std::unique_ptr<net::Outbox> out;
  std::string expect;  // the bytes, or the outbox's whole message
};

std::string joined(const std::vector<net::SharedBytes>& pieces) {
  std::string s;
  for (auto& p : pieces) s += p.bytes;
  return s;
}

std::string joined(net::Outbox& out) {
  std::string s;
  for (auto& b : out.buffers()) s.append(static_cast<const char*>(b.data()), b.size());
  return s;
}

struct File {
  RamData data;
  std::string model;
  bool grown = false;  // by resize: README allows one extent more
  File(std::shared_ptr<net::RamUsage> u, uint64_t max) : data(std::move(u), max) {}
};

class Run {
 public:
  Run(const uint8_t* d, size_t n) : in_(d, n) {
    max_ = 4096 * in_.ConsumeIntegralInRange<uint64_t>(2, 160) + in_.ConsumeIntegralInRange<uint64_t>(0, 4095);
    for (auto& f : files_) f = std::make_unique<File>(usage_, max_);
  }

  void run() {
    for (int op = 0; op < 120 && in_.remaining_bytes() > 0; op++) {
      step();
      check();
    }
    held_.clear();
    for (auto& f : files_) f.reset();
    if (usage_->bytes != 0) fail("bytes still counted after everything was let go");
    if (usage_->extents != 0) fail("extents still counted after everything was let go");
  }

 private:
  File& file() {
    bool i = in_.ConsumeBool();
    if (trace) std::fprintf(stderr, "file %d: ", int(i));
    return *files_[i];
  }

  size_t length() {
    switch (in_.ConsumeIntegralInRange(0, 4)) {
      case 0: return in_.ConsumeIntegralInRange<size_t>(1, 64);
      case 1: return in_.ConsumeIntegralInRange<size_t>(65, 8191);
      case 2: return in_.ConsumeIntegralInRange<size_t>(8192, 100 * 1024);
      case 3: return 65536 + in_.ConsumeIntegralInRange<int>(-16, 16);
      default: return 8192 + in_.ConsumeIntegralInRange<size_t>(0, 64);
    }
  }

  uint64_t offset(uint64_t size) {
    switch (in_.ConsumeIntegralInRange(0, 4)) {
      case 0: return in_.ConsumeIntegralInRange<uint64_t>(0, size);
      case 1: return size - std::min<uint64_t>(size, in_.ConsumeIntegralInRange<uint64_t>(0, 300));
      case 2: return size + in_.ConsumeIntegralInRange<uint64_t>(0, 70 * 1024);
      case 3: return 4096 * in_.ConsumeIntegralInRange<uint64_t>(0, size / 4096 + 1) + in_.ConsumeIntegralInRange<int>(0, 3);
      default: return size + in_.ConsumeIntegralInRange<uint64_t>(0, 16);
    }
  }

  // Bytes no other write made: a stale view or a lost write shows.
  void fill(std::string& s) {
    gen_++;
    for (size_t i = 0; i < s.size(); i++) s[i] = char(i % 251 == 0 ? gen_ : gen_ * 7 + i / 251);
  }

  static void apply(std::string& m, uint64_t off, const std::string& data) {
    if (m.size() < off + data.size()) m.resize(off + data.size());
    m.replace(off, data.size(), data);
  }

  // A copied write, into the model too when the file takes it.
  static bool put(File& f, uint64_t off, const std::string& s) {
    bool ok = f.data.write(off, s);
    if (ok) apply(f.model, off, s);
    return ok;
  }

  void step() {
    switch (in_.ConsumeIntegralInRange(0, 11)) {
      case 0:
      case 1: return write();
      case 2:
      case 3: return adopt();
      case 4: return resize();
      case 5: return copy();
      case 6:
      case 7: return share();
      case 8: return let_go();
      case 9: return squeeze();
      case 10: return comb();
      default: return empty_write();
    }
  }

  void write() {
    File& f = file();
    uint64_t off = offset(f.model.size());
    std::string s(length(), '\0');
    fill(s);
    bool ok = put(f, off, s);
    if (trace) std::fprintf(stderr, "write %zu at %zu: %d\n", s.size(), size_t(off), ok);
  }

  // As the server: the payload read into a recycled spare when there is
  // one, else into a string of some capacity, and the spare handed back.
  void adopt() {
    File& f = file();
    uint64_t off = offset(f.model.size());
    size_t n = length();
    std::string p;
    if (in_.ConsumeBool() && spare_.capacity() >= net::Outbox::gather_min) {
      p = std::move(spare_);
      spare_ = std::string();
    } else {
      p.reserve(n + in_.ConsumeIntegralInRange<size_t>(0, in_.ConsumeBool() ? 64 : 2 * n));
    }
    p.resize(n);
    fill(p);
    std::string copy = p, spare;
    size_t cap = p.capacity();
    bool ok = f.data.adopt(off, std::move(p), &spare);
    if (ok) apply(f.model, off, copy);
    if (trace) std::fprintf(stderr, "adopt %zu (capacity %zu) at %zu: %d, spare %zu\n", n, cap, size_t(off), ok, spare.capacity());
    if (spare.capacity() >= net::Outbox::gather_min) spare_ = std::move(spare);
  }

  // A write that leaves the budget a few bytes short of full.
  void squeeze() {
    File& f = file();
    uint64_t used = usage_->bytes, slack = in_.ConsumeIntegralInRange<uint64_t>(0, 64);
    if (used + slack >= max_) return;
    std::string s(max_ - used - slack, '\0');
    fill(s);
    uint64_t off = in_.ConsumeBool() ? f.model.size() : offset(f.model.size());
    bool ok = put(f, off, s);
    if (trace) std::fprintf(stderr, "squeeze %zu at %zu: %d\n", s.size(), size_t(off), ok);
  }

  // Tiny writes a few bytes apart: many small extents.
  void comb() {
    File& f = file();
    uint64_t off = offset(f.model.size());
    size_t n = in_.ConsumeIntegralInRange<size_t>(1, 40), gap = in_.ConsumeIntegralInRange<size_t>(1, 300);
    if (trace) std::fprintf(stderr, "comb of %zu every %zu from %zu\n", n, gap, size_t(off));
    for (size_t i = 0; i < n; i++) {
      std::string s(in_.ConsumeIntegralInRange<size_t>(1, 20), '\0');
      fill(s);
      put(f, off + i * gap, s);
    }
  }

  void resize() {
    File& f = file();
    uint64_t n = in_.ConsumeBool() ? offset(f.model.size()) : in_.ConsumeIntegralInRange<uint64_t>(0, f.model.size());
    bool can = f.data.can_resize(n);
    bool ok = f.data.resize(n);
    if (ok != can) fail("resize and can_resize disagree");
    if (ok && n > f.model.size()) f.grown = true;
    if (ok && n < f.model.size()) f.grown = false;
    if (ok) f.model.resize(n);
    if (trace) std::fprintf(stderr, "resize to %zu: %d\n", size_t(n), ok);
  }

  void empty_write() {
    File& f = file();
    uint64_t off = offset(f.model.size());
    bool ok = f.data.write(off, {});
    if (ok && off > f.model.size()) f.model.resize(off), f.grown = true;
    if (trace) std::fprintf(stderr, "empty write at %zu: %d\n", size_t(off), ok);
  }

  // A range within the file, maybe empty.
  std::pair<uint64_t, size_t> range(const File& f) {
    uint64_t off = in_.ConsumeIntegralInRange<uint64_t>(0, f.model.size());
    size_t n = in_.ConsumeBool() ? length() : in_.ConsumeIntegralInRange<size_t>(0, 200 * 1024);
    return {off, size_t(std::min<uint64_t>(n, f.model.size() - off))};
  }

  void copy() {
    File& f = file();
    auto [off, n] = range(f);
    if (f.data.copy(off, n) != f.model.substr(off, n)) fail("copy differs from the model");
  }

  void share() {
    File& f = file();
    auto [off, n] = range(f);
    auto pieces = f.data.share(off, n);
    if (trace) std::fprintf(stderr, "share %zu at %zu: %zu pieces\n", n, size_t(off), pieces.size());
    if (pieces.empty()) return;
    if (pieces.size() > RamData::max_views) fail("share gave too many pieces");
    std::string want = f.model.substr(off, n);
    if (joined(pieces) != want) fail("share differs from the model");
    switch (in_.ConsumeIntegralInRange(0, 2)) {
      case 0: return;  // let go at once
      case 1: held_.push_back(Held{std::move(pieces), nullptr, want}); break;
      default: {
        auto out = std::make_unique<net::Outbox>();
        uint16_t tag = uint16_t(held_.size());
        out->add_rread(tag, std::move(pieces));
        std::vector<uint8_t> wire;
        ninep::encode(ninep::Fcall{tag, ninep::Rread{want}}, wire);
        held_.push_back(Held{{}, std::move(out), std::string(wire.begin(), wire.end())});
      }
    }
    if (held_.size() > 16) held_.erase(held_.begin());
  }

  void let_go() {
    if (held_.empty()) return;
    size_t i = in_.ConsumeIntegralInRange<size_t>(0, held_.size() - 1);
    if (trace) std::fprintf(stderr, "let go of held read %zu\n", i);
    held_.erase(held_.begin() + i);
  }

  void check() {
    if (trace) std::fprintf(stderr, "  bytes %zu of %zu, extents %zu %zu, sizes %zu %zu, held %zu\n", size_t(usage_->bytes), size_t(max_), files_[0]->data.extents(), files_[1]->data.extents(), files_[0]->model.size(), files_[1]->model.size(), held_.size());
    size_t extents = 0;
    for (auto& fp : files_) {
      File& f = *fp;
      if (f.data.size() != f.model.size()) fail("size differs from the model");
      if (f.data.copy(0, f.model.size()) != f.model) fail("bytes differ from the model");
      if (f.data.extents() > RamData::max_extents(f.data.size()) + f.grown) fail("too many extents");
      extents += f.data.extents();
    }
    if (usage_->extents != extents) fail("extents counted wrong");
    if (usage_->bytes > max_) fail("budget exceeded");
    for (auto& h : held_)
      if ((h.out ? joined(*h.out) : joined(h.pieces)) != h.expect) fail("a held read changed");
  }

  FuzzedDataProvider in_;
  uint64_t max_ = 0;
  std::shared_ptr<net::RamUsage> usage_ = std::make_shared<net::RamUsage>();
  std::array<std::unique_ptr<File>, 2> files_;
  std::vector<Held> held_;
  std::string spare_;
  uint8_t gen_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Run(data, size).run();
  return 0;
}

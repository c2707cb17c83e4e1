// The pure 9P2000 codec: bytes <-> Fcall, every field bounds-checked once.
//
// Each message has one io(Coder&, M&) (codec.cpp) used both to pack and to
// unpack it, so encoding and decoding cannot drift apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/fcall.h"

namespace grio::ninep {

// Writes little-endian fields to the end of a byte vector.
class Packer {
 public:
  explicit Packer(std::vector<uint8_t>& out) : out_(out) {}
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  void bytes(std::string_view b) { out_.insert(out_.end(), b.begin(), b.end()); }
  size_t size() const { return out_.size(); }
  void patch_u16(size_t at, uint16_t v);
  void patch_u32(size_t at, uint32_t v);

 private:
  std::vector<uint8_t>& out_;
};

// Reads little-endian fields from a span. The first failure is sticky: later
// reads return zeros and error() says what went wrong first.
class Unpacker {
 public:
  explicit Unpacker(std::span<const uint8_t> in) : in_(in) {}
  uint8_t u8();
  uint16_t u16();
  uint32_t u32();
  uint64_t u64();
  std::string bytes(size_t n, const char* what);
  size_t remaining() const { return ok() ? in_.size() - pos_ : 0; }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(std::string why);

 private:
  bool need(size_t n, const char* what);
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  std::string error_;
};

// A decoded message, or why the bytes are not one.
struct Decoded {
  std::optional<Fcall> fcall;
  std::string error;
};

// Decodes one whole message (its size field included). Rejects a size field
// that disagrees with the frame or exceeds msize, truncated fields, strings
// running past the end, trailing bytes, nwname or nwqid over MAXWELEM, unknown
// types, and file names that hold NUL, '/' or invalid UTF-8.
Decoded decode(std::span<const uint8_t> frame, uint32_t msize);

// Appends the wire form of f to out.
void encode(const Fcall& f, std::vector<uint8_t>& out);
std::vector<uint8_t> encode(const Fcall& f);

// The first 11 bytes of an Rread whose count bytes of data are sent
// separately (a gathered write), so that large payloads are not copied.
void pack_rread_header(Packer& p, uint16_t tag, uint32_t count);

// Likewise the first 23 bytes of a Twrite, for writes from a caller's buffer.
void pack_twrite_header(Packer& p, uint16_t tag, uint32_t fid, uint64_t offset, uint32_t count);

// Framing: given the first bytes of a stream, how long the next message is.
// Returns 0 when fewer than 4 bytes are present; sets why and returns 0 when
// the size field is smaller than a header or larger than msize.
uint32_t frame_size(std::span<const uint8_t> head, uint32_t msize, std::string& why);

// Stat entries as they appear in directory reads: size[2] then the entry.
void pack_stat(Packer& p, const Stat& d);
std::vector<uint8_t> pack_stat(const Stat& d);
// Decodes one entry from the front of in; on success advances in past it.
std::optional<Stat> unpack_stat(std::span<const uint8_t>& in, std::string& why);
// All entries of a directory read.
std::optional<std::vector<Stat>> unpack_dir(std::span<const uint8_t> in, std::string& why);

// Why name is not a valid file name (NUL, '/', invalid UTF-8), or empty.
std::string bad_name(std::string_view name);
bool valid_utf8(std::string_view s);

}  // namespace grio::ninep

// The frame reader: whole messages from the receive buffer, large payloads
// read straight into their own strings.
#include "net/framing.h"

#include <cstring>

#include "net/codec.h"

namespace grio::ninep {

namespace {
constexpr size_t initial_buffer = 64 * 1024;
// What a direct payload read may take of the bytes after it: room for the
// next message's header, so that a stream of large messages takes one read
// each, and little more, so that the next payload lands in its own string,
// not here to be copied again (with 4 KiB, bench_9p's stream of 64 KiB
// reads was clearly slower).
constexpr size_t spill = 128;
// What a read may take while no whole message header is in (at a message
// boundary, say). Small too, for the same reason: should a large Twrite or
// Rread come next, its header arrives with at most this much of its
// payload, and the rest goes straight into its own string. Hundreds of
// small messages still fit.
constexpr size_t boundary_read = 8 * 1024;
constexpr size_t twrite_header = HDRSZ + 4 + 8 + 4;
constexpr size_t rread_header = HDRSZ + 4;
}  // namespace

FrameReader::FrameReader(uint32_t msize, size_t spares) : msize_(msize), buf_(initial_buffer), spares_max_(spares) {}

void FrameReader::compact() {
  if (pos_ == 0) return;
  std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
  end_ -= pos_;
  pos_ = 0;
}

std::array<FrameReader::Area, 2> FrameReader::space() {
  compact();
  if (direct_) {
    if (buf_.size() < end_ + spill) buf_.resize(end_ + spill);
    auto* rest = reinterpret_cast<uint8_t*>(payload_->data()) + have_;
    return {Area{rest, payload_->size() - have_}, Area{buf_.data() + end_, spill}};
  }
  // A partial message that the buffer cannot hold makes it grow; it stays
  // below twice the msize.
  std::string why;
  size_t want = frame_size({buf_.data(), end_}, msize_, why);
  if (want > buf_.size()) buf_.resize(std::max(want, 2 * buf_.size()));
  if (end_ == buf_.size()) buf_.resize(2 * buf_.size());
  size_t room = buf_.size() - end_;
  if (end_ < twrite_header) room = std::min(room, boundary_read);
  return {Area{buf_.data() + end_, room}, Area{nullptr, 0}};
}

void FrameReader::received(size_t n) {
  if (direct_) {
    size_t k = std::min(n, payload_->size() - have_);
    have_ += k;
    n -= k;
  }
  end_ += n;
}

// head holds the start of a message of the given size, but not all of it.
// A Twrite or Rread with a large payload whose count agrees with its size
// goes direct; anything else waits whole in the buffer, and the codec gives
// the precise error if it is malformed.
bool FrameReader::start_direct(std::span<const uint8_t> head, uint32_t size) {
  if (head.size() < HDRSZ) return false;
  auto type = MsgType(head[4]);
  size_t hdr = type == MsgType::Twrite ? twrite_header : type == MsgType::Rread ? rread_header : 0;
  if (hdr == 0 || size - hdr < direct_min || head.size() < hdr) return false;
  Unpacker u(head.first(hdr));
  u.u32(), u.u8();
  uint16_t tag = u.u16();
  if (type == MsgType::Twrite) {
    Twrite t;
    t.fid = u.u32();
    t.offset = u.u64();
    if (u.u32() != size - hdr) return false;
    pending_ = Fcall{tag, std::move(t)};
    payload_ = &std::get<Twrite>(pending_.msg).data;
  } else {
    if (u.u32() != size - hdr) return false;
    pending_ = Fcall{tag, Rread{}};
    payload_ = &std::get<Rread>(pending_.msg).data;
  }
  if (!spares_.empty()) {
    *payload_ = std::move(spares_.back());
    spares_.pop_back();
  }
  payload_->resize(size - hdr);
  have_ = head.size() - hdr;
  std::memcpy(payload_->data(), head.data() + hdr, have_);
  direct_ = true;
  return true;
}

FrameReader::Next FrameReader::next() {
  Next n;
  if (direct_) {
    if (have_ < payload_->size()) return n;
    direct_ = false;
    payload_ = nullptr;
    n.kind = Next::Message;
    n.message = std::move(pending_);
    return n;
  }
  std::span<const uint8_t> avail(buf_.data() + pos_, end_ - pos_);
  uint32_t size = frame_size(avail, msize_, n.why);
  if (!n.why.empty()) {
    n.kind = Next::Broken;
    return n;
  }
  if (size == 0) return n;
  if (size > avail.size()) {
    if (start_direct(avail, size)) pos_ = end_;
    return n;
  }
  pos_ += size;
  n.kind = Next::Bytes;
  n.bytes = avail.first(size);
  return n;
}

}  // namespace grio::ninep

// The outbox: small messages encoded into one buffer, large payloads
// waiting beside it.
#include "net/outbox.h"

#include "net/codec.h"

namespace grio::net {

using namespace ninep;

size_t Outbox::add(const Fcall& f) {
  size_t before = bytes_.size();
  encode(f, bytes_);
  size_t n = bytes_.size() - before;
  size_ += n;
  return n;
}

void Outbox::drop_last(size_t n) {
  bytes_.resize(bytes_.size() - n);
  size_ -= n;
}

void Outbox::add_rread(uint16_t tag, std::string data) {
  if (data.size() < gather_min) {
    add(Fcall{tag, Rread{std::move(data)}});
    return;
  }
  Packer p(bytes_);
  pack_rread_header(p, tag, uint32_t(data.size()));
  size_ += HDRSZ + 4 + data.size();
  payloads_.push_back(Payload{bytes_.size(), std::move(data), {}, {}});
}

// A reply too small to gather is copied, and lets its pieces go at once.
void Outbox::add_rread(uint16_t tag, std::vector<SharedBytes> pieces) {
  size_t n = 0;
  for (auto& p : pieces) n += p.bytes.size();
  if (n < gather_min) {
    std::string data;
    for (auto& p : pieces) data += p.bytes;
    return add_rread(tag, std::move(data));
  }
  Packer p(bytes_);
  pack_rread_header(p, tag, uint32_t(n));
  size_ += HDRSZ + 4 + n;
  for (auto& piece : pieces) payloads_.push_back(Payload{bytes_.size(), {}, piece.bytes, std::move(piece.keep)});
}

void Outbox::add_twrite(uint16_t tag, uint32_t fid, uint64_t offset, std::string_view data) {
  Packer p(bytes_);
  pack_twrite_header(p, tag, fid, offset, uint32_t(data.size()));
  size_ += HDRSZ + 16 + data.size();
  if (data.size() < gather_min) {
    p.bytes(data);
    return;
  }
  payloads_.push_back(Payload{bytes_.size(), {}, data, {}});
}

void Outbox::clear() {
  bytes_.clear();
  payloads_.clear();
  size_ = 0;
}

const std::vector<asio::const_buffer>& Outbox::buffers(size_t skip) {
  buffers_.clear();
  auto put = [&](const void* p, size_t n) {
    size_t k = std::min(skip, n);
    skip -= k;
    if (n > k) buffers_.push_back(asio::buffer(static_cast<const char*>(p) + k, n - k));
  };
  size_t from = 0;
  for (auto& p : payloads_) {
    put(bytes_.data() + from, p.at - from);
    std::string_view data = p.owned.empty() ? p.borrowed : p.owned;
    put(data.data(), data.size());
    from = p.at;
  }
  put(bytes_.data() + from, bytes_.size() - from);
  return buffers_;
}

}  // namespace grio::net

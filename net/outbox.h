// Messages waiting for a socket, for the server's replies and the client's
// requests alike, sent by one gathered write.
//
// A large payload is the exception that carries nearly all the bytes of a
// stream, and copying it into the byte buffer would be one more pass over
// every byte. So it waits beside the buffer instead: an Rread's data as a
// string the outbox owns, a Twrite's data as a view of the caller's bytes,
// which must then stay valid until the write has gone out, or an Rread's
// data as views of a file tree's bytes that the outbox keeps alive until
// they have gone out (net/shared_bytes.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/asio.h"
#include "net/fcall.h"
#include "net/shared_bytes.h"

namespace grio::net {

class Outbox {
 public:
  // Payloads at least this big wait beside the byte buffer, not in it.
  static constexpr size_t gather_min = 8 * 1024;

  // Appends f and returns its size on the wire.
  size_t add(const ninep::Fcall& f);
  // Takes back the last add() of n bytes (a message too big to send).
  void drop_last(size_t n);
  void add_rread(uint16_t tag, std::string data);
  // An Rread of the pieces' bytes in order; small ones are copied.
  void add_rread(uint16_t tag, std::vector<SharedBytes> pieces);
  void add_twrite(uint16_t tag, uint32_t fid, uint64_t offset, std::string_view data);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear();
  // The bytes in order, after the first `skip` of them, for one gathered
  // write (or the rest of one that was cut short).
  const std::vector<asio::const_buffer>& buffers(size_t skip = 0);

 private:
  struct Payload {
    size_t at;                  // goes after bytes_[0, at)
    std::string owned;          // an Rread's data, or empty
    std::string_view borrowed;  // else a Twrite's data, the caller's bytes,
    std::shared_ptr<const void> keep;  // or a tree's, held by this until cleared
  };
  std::vector<uint8_t> bytes_;
  std::vector<Payload> payloads_;
  std::vector<asio::const_buffer> buffers_;
  size_t size_ = 0;
};

}  // namespace grio::net

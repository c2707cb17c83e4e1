// Splitting a received byte stream into 9P messages, for the server and the
// client alike. Pure code: the caller does the reading.
//
// Most messages are small and are decoded from one receive buffer. A large
// Twrite or Rread is the exception that carries nearly all the bytes of a
// stream, and copying its payload out of the receive buffer would be one
// more pass over every byte. So once the header of such a message is in,
// its payload is read straight from the socket into a string of its own
// (with a readv: the rest of the payload first, then a little of what
// follows), and the decoded message takes that string without a copy.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "net/fcall.h"

namespace grio::ninep {

class FrameReader {
 public:
  // Payloads at least this big are read directly.
  static constexpr size_t direct_min = 8 * 1024;

  // spares: how many recycled payload strings are kept (each up to msize).
  explicit FrameReader(uint32_t msize, size_t spares = 1);
  void set_msize(uint32_t msize) { msize_ = msize; }

  // Where the next read should put its bytes, in order: the second area is
  // empty unless a payload is being read directly.
  struct Area {
    uint8_t* data;
    size_t size;
  };
  std::array<Area, 2> space();
  // n bytes were read into space().
  void received(size_t n);
  // A payload string the caller is done with, kept for the next direct
  // read: in a stream of equal writes it has the right size already, so
  // that read neither allocates nor zeroes a new string. Past the number
  // of spares kept, it is let go.
  void recycle(std::string s) {
    if (spares_.size() < spares_max_) spares_.push_back(std::move(s));
  }

  // The next message. Bytes spans stay valid until the next space().
  struct Next {
    enum Kind { None, Bytes, Message, Broken } kind = None;
    std::span<const uint8_t> bytes;  // Bytes: one whole message, to decode
    Fcall message;                   // Message: a Twrite or Rread, decoded
    std::string why;                 // Broken: the framing error
  };
  Next next();

 private:
  bool start_direct(std::span<const uint8_t> head, uint32_t size);
  void compact();

  uint32_t msize_;
  std::vector<uint8_t> buf_;  // bytes [pos_, end_) are received, not yet taken
  size_t pos_ = 0, end_ = 0;

  // The message whose payload is being read directly, and how much of it is in.
  bool direct_ = false;
  Fcall pending_;
  std::string* payload_ = nullptr;  // the data field of pending_
  size_t have_ = 0;
  size_t spares_max_;
  std::vector<std::string> spares_;  // from recycle()
};

}  // namespace grio::ninep

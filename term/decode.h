// Output bytes to runes: UTF-8 decoding and terminal-escape filtering, one
// OutputDecoder per writer (e.g. per 9P fid), state carried between writes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace grio::term {

inline constexpr char32_t Runeerror = 0xFFFD;  // what an invalid byte becomes

// UTF-8 to runes. A sequence cut at the end of one write is completed by the
// next. An invalid byte (lone continuation, overlong form, surrogate, value
// above U+10FFFF, byte never valid in UTF-8) becomes one Runeerror; a
// sequence broken off by a non-continuation byte becomes one Runeerror and
// the byte is decoded afresh (the "maximal subpart" rule of Unicode ch. 3).
class Utf8Decoder {
public:
  // Appends the runes completed by bytes to out.
  void decode(std::string_view bytes, std::u32string& out);
  // End of stream: a carried incomplete sequence becomes Runeerror.
  void finish(std::u32string& out);
  bool pending() const { return need_ > 0; }

private:
  void start(unsigned char b, std::u32string& out);
  bool continues(unsigned char b) const;

  char32_t rune_ = 0;  // bits gathered so far
  int need_ = 0;       // continuation bytes still expected
  int have_ = 0;       // continuation bytes seen
  unsigned char lead_ = 0;
};

// Drops what a text window must not draw: C0 controls except \n \t \b \r
// (which the buffer interprets), DEL, C1 controls, and whole escape
// sequences — CSI (ESC [ ... final), strings (OSC ESC ] ..., DCS, SOS, PM,
// APC, ended by BEL or ST), and ESC with intermediates plus a final byte.
// CAN and SUB abort a sequence, as on a VT. A sequence that runs on past a
// sane length is abandoned (everything in it dropped) so that a stray ESC ]
// cannot swallow the rest of a session.
class EscapeFilter {
public:
  static constexpr size_t MaxCsi = 256;
  static constexpr size_t MaxString = 4096;

  void filter(std::u32string_view in, std::u32string& out);
  bool in_sequence() const { return state_ != State::ground; }

private:
  enum class State { ground, esc, esc_intermediate, csi, string, string_esc };

  void ground(char32_t r, std::u32string& out);
  void esc(char32_t r);
  void enter(State s);

  State state_ = State::ground;
  size_t length_ = 0;  // runes inside the current sequence
};

// What a cons writer owns: bytes in, drawable runes (plus \n \t \b \r) out.
class OutputDecoder {
public:
  std::u32string decode(std::string_view bytes);
  std::u32string finish();  // the writer went away

private:
  Utf8Decoder utf8_;
  EscapeFilter escapes_;
};

std::string to_utf8(std::u32string_view runes);
void append_utf8(char32_t r, std::string& out);
size_t utf8_length(char32_t r);

}  // namespace grio::term

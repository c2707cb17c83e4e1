// UTF-8 decoding and escape-sequence filtering of window output.
#include "term/decode.h"

namespace grio::term {

namespace {

constexpr char32_t ESC = 0x1B, BEL = 0x07, CAN = 0x18, SUB = 0x1A, DEL = 0x7F;
constexpr char32_t C1_DCS = 0x90, C1_SOS = 0x98, C1_CSI = 0x9B, C1_ST = 0x9C,
                   C1_OSC = 0x9D, C1_PM = 0x9E, C1_APC = 0x9F;

bool is_c0(char32_t r) { return r < 0x20; }
bool is_c1(char32_t r) { return r >= 0x80 && r < 0xA0; }
bool kept_control(char32_t r) { return r == '\n' || r == '\t' || r == '\b' || r == '\r'; }
// Printable ASCII, newline and tab: kept as they are, whatever follows.
bool plain(char32_t r) { return (r >= 0x20 && r < DEL) || r == '\n' || r == '\t'; }

}  // namespace

// --- UTF-8 ---

// Between sequences a run of ASCII is copied whole: most output is ASCII,
// and a byte at a time made decoding the window system's largest cost.
void Utf8Decoder::decode(std::string_view bytes, std::u32string& out) {
  for (size_t i = 0; i < bytes.size(); i++) {
    if (need_ == 0) {
      size_t j = i;
      while (j < bytes.size() && (unsigned char)bytes[j] < 0x80) j++;
      out.append(bytes.begin() + i, bytes.begin() + j);
      if ((i = j) == bytes.size()) break;
    }
    unsigned char b = bytes[i];
    if (need_ == 0) {
      start(b, out);
      continue;
    }
    if (!continues(b)) {
      // The sequence is broken: one Runeerror for it, then b starts afresh.
      out.push_back(Runeerror);
      need_ = 0;
      start(b, out);
      continue;
    }
    rune_ = rune_ << 6 | (b & 0x3F);
    ++have_;
    if (--need_ == 0)
      out.push_back(rune_);
  }
}

void Utf8Decoder::finish(std::u32string& out) {
  if (need_ > 0)
    out.push_back(Runeerror);
  need_ = 0;
}

void Utf8Decoder::start(unsigned char b, std::u32string& out) {
  lead_ = b;
  have_ = 0;
  if (b < 0x80) {
    out.push_back(b);
  } else if (b >= 0xC2 && b <= 0xDF) {
    rune_ = b & 0x1F;
    need_ = 1;
  } else if (b >= 0xE0 && b <= 0xEF) {
    rune_ = b & 0x0F;
    need_ = 2;
  } else if (b >= 0xF0 && b <= 0xF4) {
    rune_ = b & 0x07;
    need_ = 3;
  } else {
    out.push_back(Runeerror);  // continuation byte alone, C0, C1, F5..FF
  }
}

// The second byte's range is what rules out overlong forms (E0 80..9F,
// F0 80..8F), surrogates (ED A0..BF) and values past U+10FFFF (F4 90..).
bool Utf8Decoder::continues(unsigned char b) const {
  unsigned char lo = 0x80, hi = 0xBF;
  if (have_ == 0) {
    switch (lead_) {
    case 0xE0: lo = 0xA0; break;
    case 0xED: hi = 0x9F; break;
    case 0xF0: lo = 0x90; break;
    case 0xF4: hi = 0x8F; break;
    default: break;
    }
  }
  return b >= lo && b <= hi;
}

// --- escapes ---

// Plain text outside sequences goes through in runs (see Utf8Decoder).
void EscapeFilter::filter(std::u32string_view in, std::u32string& out) {
  for (size_t i = 0; i < in.size(); i++) {
    if (state_ == State::ground) {
      size_t j = i;
      while (j < in.size() && plain(in[j])) j++;
      out.append(in.substr(i, j - i));
      if ((i = j) == in.size()) break;
    }
    char32_t r = in[i];
    size_t limit = state_ == State::string ? MaxString : MaxCsi;
    if (state_ != State::ground && ++length_ > limit) {
      state_ = State::ground;  // runaway sequence: give up on it, drop r too
      continue;
    }
    switch (state_) {
    case State::ground:
      ground(r, out);
      break;
    case State::esc:
      esc(r);
      break;
    case State::esc_intermediate:
      if (r == ESC)
        enter(State::esc);
      else if (!(r >= 0x20 && r <= 0x2F) && !(is_c0(r) && r != CAN && r != SUB))
        state_ = State::ground;  // final byte (or junk) ends it
      break;
    case State::csi:
      if (r == ESC)
        enter(State::esc);
      else if (r == CAN || r == SUB || r >= 0x40)
        state_ = State::ground;  // final byte 0x40..0x7E, or malformed
      break;
    case State::string:
      if (r == ESC)
        state_ = State::string_esc;
      else if (r == BEL || r == C1_ST || r == CAN || r == SUB)
        state_ = State::ground;
      break;
    case State::string_esc:
      if (r == '\\')
        state_ = State::ground;  // ST
      else
        esc(r);  // an ESC that was not ST starts a new sequence
      break;
    }
  }
}

void EscapeFilter::ground(char32_t r, std::u32string& out) {
  if (r == ESC)
    enter(State::esc);
  else if (r == C1_CSI)
    enter(State::csi);
  else if (r == C1_OSC || r == C1_DCS || r == C1_SOS || r == C1_PM || r == C1_APC)
    enter(State::string);
  else if (kept_control(r) || !(is_c0(r) || r == DEL || is_c1(r)))
    out.push_back(r);
}

void EscapeFilter::esc(char32_t r) {
  if (r == '[')
    enter(State::csi);
  else if (r == ']' || r == 'P' || r == 'X' || r == '^' || r == '_')
    enter(State::string);
  else if (r >= 0x20 && r <= 0x2F)
    enter(State::esc_intermediate);
  else if (r == ESC)
    enter(State::esc);
  else if (is_c0(r) && r != CAN && r != SUB)
    state_ = State::esc;  // a VT executes C0 inside a sequence; we drop it
  else
    state_ = State::ground;  // two-rune sequence (ESC 7, ESC =, ESC c …) done
}

void EscapeFilter::enter(State s) {
  state_ = s;
  length_ = 0;
}

// --- the writer's pipeline ---

std::u32string OutputDecoder::decode(std::string_view bytes) {
  std::u32string runes, out;
  runes.reserve(bytes.size());  // never more runes than bytes
  out.reserve(bytes.size());
  utf8_.decode(bytes, runes);
  escapes_.filter(runes, out);
  return out;
}

std::u32string OutputDecoder::finish() {
  std::u32string runes, out;
  utf8_.finish(runes);
  escapes_.filter(runes, out);
  return out;
}

// --- encoding ---

size_t utf8_length(char32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
    return 3;  // written as Runeerror
  if (r < 0x80) return 1;
  if (r < 0x800) return 2;
  if (r < 0x10000) return 3;
  return 4;
}

void append_utf8(char32_t r, std::string& out) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
    r = Runeerror;
  switch (utf8_length(r)) {
  case 1:
    out.push_back(char(r));
    break;
  case 2:
    out.push_back(char(0xC0 | r >> 6));
    out.push_back(char(0x80 | (r & 0x3F)));
    break;
  case 3:
    out.push_back(char(0xE0 | r >> 12));
    out.push_back(char(0x80 | (r >> 6 & 0x3F)));
    out.push_back(char(0x80 | (r & 0x3F)));
    break;
  default:
    out.push_back(char(0xF0 | r >> 18));
    out.push_back(char(0x80 | (r >> 12 & 0x3F)));
    out.push_back(char(0x80 | (r >> 6 & 0x3F)));
    out.push_back(char(0x80 | (r & 0x3F)));
    break;
  }
}

std::string to_utf8(std::u32string_view runes) {
  std::string out;
  out.reserve(runes.size());
  for (char32_t r : runes)
    append_utf8(r, out);
  return out;
}

}  // namespace grio::term

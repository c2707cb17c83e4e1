// TextBuffer: rio's wind.c text handling (winsert, wdelete, wkeyctl,
// WCwrite, WCread) without the frame.
#include "term/text.h"

#include <algorithm>
#include <utility>

namespace grio::term {

namespace {

// ^W's notion of a word, after 9term's isexpand: ASCII letters and digits,
// '_' and anything outside ASCII (which is nearly always a letter).
bool word_rune(char32_t r) {
  return r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') ||
         (r >= 'A' && r <= 'Z') || r >= 0x80;
}

}  // namespace

TextBuffer::TextBuffer(TextConfig config) : config_(config) {
  if (config_.lowater > config_.hiwater)
    config_.lowater = config_.hiwater;
}

void TextBuffer::set_selection(size_t q0, size_t q1) {
  if (q0 > q1)
    std::swap(q0, q1);
  q0_ = std::min(q0, size());
  q1_ = std::min(q1, size());
}

void TextBuffer::set_org(size_t org) { org_ = std::min(org, size()); }

// --- the primitive edits (winsert, wdelete) ---

// Inserts s at q and returns where it went.
size_t TextBuffer::insert(std::u32string_view s, size_t q) {
  if (s.empty())
    return q;
  r_.insert(q, s);
  edited(q);
  size_t n = s.size();
  // Text inserted where the selection starts pushes the selection along:
  // that keeps the cursor after typed input while output arrives at qh.
  if (q <= q1_) q1_ += n;
  if (q <= q0_) q0_ += n;
  if (q < qh_) qh_ += n;
  if (q < org_) org_ += n;
  return q;
}

void TextBuffer::erase(size_t q0, size_t q1) {
  size_t n = q1 - q0;
  if (n == 0)
    return;
  r_.erase(q0, n);
  edited(q0);
  if (q0 < q0_) q0_ -= std::min(n, q0_ - q0);
  if (q0 < q1_) q1_ -= std::min(n, q1_ - q0);
  if (q1 < qh_) qh_ -= n;
  else if (q0 < qh_) qh_ = q0;
  if (q1 <= org_) org_ -= n;
  else if (q0 < org_) org_ = q0;
}

// Once an edit has taken the text past hiwater, the oldest runes go until
// lowater are left, whatever the size of the edit — but never unread input
// (from qh on). rio never trims past org either, which keeps the view; we
// do that when it is enough to get back under hiwater, and otherwise move
// the view too (a scrolling window shows the end again at once), so that a
// huge write or a noscroll window's flood cannot grow the history.
void TextBuffer::trim() {
  if (size() <= config_.hiwater)
    return;
  size_t m = std::min(size() - config_.lowater, qh_);
  if (size() - std::min(m, org_) <= config_.hiwater)
    m = std::min(m, org_);
  drop_front(m);
}

void TextBuffer::drop_front(size_t m) {
  r_.erase(0, m);
  edited(0);
  org_ = org_ > m ? org_ - m : 0;
  qh_ -= m;
  q0_ = q0_ > m ? q0_ - m : 0;
  q1_ = q1_ > m ? q1_ - m : 0;
}

std::u32string TextBuffer::cut_selection() {
  if (q0_ == q1_)
    return {};
  std::u32string cut = r_.substr(q0_, q1_ - q0_);
  erase(q0_, q1_);
  q1_ = q0_;
  return cut;
}

// --- output ---

void TextBuffer::write(OutputDecoder& writer, std::string_view bytes) {
  write(writer.decode(bytes));
}

void TextBuffer::write(std::u32string_view in) {
  // Most output has nothing to interpret: insert it as it is.
  if (in.find_first_of(std::u32string_view(U"\b\r\0", 3)) == std::u32string_view::npos) {
    qh_ = insert(in, qh_) + in.size();
    trim();
    return;
  }
  std::u32string out;
  out.reserve(in.size());
  size_t initial = 0;  // backspaces and \r reaching back before this write
  for (size_t i = 0; i < in.size(); i++) {
    char32_t c = in[i];
    if (c == '\b') {
      if (out.empty())
        initial++;
      else
        out.pop_back();
    } else if (c == '\r') {
      while (i + 1 < in.size() && in[i + 1] == '\r')
        i++;
      if (i + 1 < in.size() && in[i + 1] != '\n') {
        while (!out.empty() && out.back() != '\n')
          out.pop_back();
        if (out.empty())
          initial = line_start_distance(qh_);
      }
    } else if (c != 0) {
      out.push_back(c);
    }
  }
  delete_before_qh(initial);
  qh_ = insert(out, qh_) + out.size();
  trim();
}

void TextBuffer::delete_before_qh(size_t n) {
  n = std::min(n, qh_);
  size_t q = qh_ - n;
  erase(q, qh_);
  qh_ = q;
}

size_t TextBuffer::line_start_distance(size_t q) const {
  size_t p = q;
  while (p > 0 && r_[p - 1] != '\n')
    p--;
  return q - p;
}

// --- keyboard (wkeyctl) ---

KeyEffect TextBuffer::type(char32_t r) {
  KeyEffect e;
  if (r == 0)
    return e;
  // With echo off, ^A and friends belong to the program (readline, …).
  if (echo_ && navigate(r))
    return e;
  // rio's wkeyctl: raw keys are queued only with the cursor at the end;
  // a password prompt's wherever it is (see set_echo()).
  if (to_raw_queue()) {
    rawq_.push_back(r);
    return e;
  }
  if (r == Kesc || (hold_ && r == Kdel)) {
    hold_ = !hold_;
    e.hold_changed = true;
    if (r == Kesc)
      return e;
  }
  if (r != Kdel)
    e.snarf = cut_selection();
  switch (r) {
  case Kdel:
    qh_ = size();  // unread input stays on screen but is never read
    e.interrupt = true;
    return e;
  case Kbs:
  case Knack:
  case Ketb:
    erase_back(r);
    return e;
  default:
    break;
  }
  size_t q = insert(std::u32string_view(&r, 1), q0_);
  set_selection(q + 1, q + 1);
  trim();
  return e;
}

bool TextBuffer::navigate(char32_t r) {
  switch (r) {
  case Ksoh:
    if (q0_ == 0 || q0_ == qh_ || r_[q0_ - 1] == '\n')
      return true;
    q0_ -= backspace_width(Knack);
    q1_ = q0_;
    return true;
  case Kenq: {
    size_t q = q0_;
    while (q < size() && r_[q] != '\n')
      q++;
    set_selection(q, q);
    return true;
  }
  case Kstx:
    set_selection(qh_, qh_);
    return true;
  default:
    return false;
  }
}

// Erasing never reaches back past qh from the typing side, nor above org.
// With the cursor inside the history (before qh) rio edits the history, and
// so do we.
void TextBuffer::erase_back(char32_t r) {
  if (q0_ == 0 || q0_ == qh_ || q0_ <= org_)
    return;
  size_t q1 = q0_;
  size_t q0 = std::max(q1 - backspace_width(r), org_);
  erase(q0, q1);
  set_selection(q0, q0);
}

// wbswidth: how many runes before the cursor a ^H, ^U or ^W erases.
size_t TextBuffer::backspace_width(char32_t r) const {
  if (r == Kbs)
    return 1;
  size_t q = q0_;
  size_t stop = q > qh_ ? qh_ : 0;
  bool skipping = true;  // ^W: skip non-word runes, then eat word runes
  while (q > stop) {
    char32_t c = r_[q - 1];
    if (c == '\n') {
      if (q == q0_)
        --q;  // at the start of a line, eat the newline itself
      break;
    }
    if (r == Ketb) {
      bool w = word_rune(c);
      if (w && skipping)
        skipping = false;
      else if (!w && !skipping)
        break;
    }
    --q;
  }
  return q0_ - q;
}

void TextBuffer::paste(std::u32string_view s) {
  cut_selection();
  if (to_raw_queue()) {
    rawq_.append(s);
    return;
  }
  size_t q = insert(s, q0_);
  set_selection(q, q + s.size());
  trim();
}

// --- modes ---

KeyEffect TextBuffer::set_raw(bool on) {
  KeyEffect all;
  raw_ = on;
  if (rawing())
    return all;
  std::u32string queued = std::exchange(rawq_, {});
  for (char32_t r : queued) {
    KeyEffect e = type(r);
    all.interrupt |= e.interrupt;
    all.hold_changed ^= e.hold_changed;
    all.snarf += e.snarf;
  }
  return all;
}

void TextBuffer::set_echo(bool on, bool canonical) {
  echo_ = on;
  canonical_ = canonical;
}

// --- readers (WCread) ---

bool TextBuffer::can_read() const {
  if (hold_)
    return false;
  if (!part_.empty() || !rawq_.empty())
    return true;
  for (size_t i = qh_; i < size(); i++)
    if (r_[i] == '\n' || r_[i] == Keot)
      return true;
  return false;
}

char32_t TextBuffer::take_rune() {
  if (qh_ < size())
    return r_[qh_++];
  char32_t r = rawq_.front();
  rawq_.erase(0, 1);
  return r;
}

std::string TextBuffer::read(size_t count) {
  if (!can_read() || count == 0)
    return {};
  std::string out = std::exchange(part_, {});
  if (out.size() > count) {
    part_ = out.substr(count);
    out.resize(count);
    return out;
  }
  bool raw = rawing();
  while (out.size() < count && (qh_ < size() || !rawq_.empty())) {
    char32_t r = qh_ < size() ? r_[qh_] : rawq_.front();
    if (!raw && r == Keot) {
      take_rune();  // EOT ends the read and is not part of it
      return out;
    }
    if (out.size() + utf8_length(r) > count) {
      if (!out.empty())
        break;  // leave the rune whole for the next read
      std::string bytes;
      append_utf8(take_rune(), bytes);
      part_ = bytes.substr(count);
      return bytes.substr(0, count);
    }
    append_utf8(take_rune(), out);
    if (!raw && r == '\n')
      return out;
  }
  // A line that filled the read exactly and was ended by ^D: eat the ^D, or
  // the next read would see an empty line and report end of file.
  if (out.size() == count && qh_ < size() && r_[qh_] == Keot)
    qh_++;
  return out;
}

// --- the text file ---

// Block starts up to the edit at q stay: the runes before q are as they were.
// (Shrinking by erase: resize's growing path, dead here, trips GCC 12's
// -Warray-bounds at -O3.)
void TextBuffer::edited(size_t q) {
  size_t keep = q / IndexBlock + 1;
  if (block_bytes_.size() > keep) block_bytes_.erase(block_bytes_.begin() + ptrdiff_t(keep), block_bytes_.end());
}

// The last block starting at or before byte offset, the index extended
// (a block at a time) as far as that needs.
size_t TextBuffer::index_block(uint64_t offset) {
  while (block_bytes_.back() <= offset && block_bytes_.size() * IndexBlock <= size()) {
    size_t from = (block_bytes_.size() - 1) * IndexBlock;
    uint64_t bytes = block_bytes_.back();
    for (size_t i = from; i < from + IndexBlock; i++)
      bytes += utf8_length(r_[i]);
    text_work_ += IndexBlock;
    block_bytes_.push_back(bytes);
  }
  auto it = std::upper_bound(block_bytes_.begin(), block_bytes_.end(), offset);
  return size_t(it - block_bytes_.begin()) - 1;
}

std::string TextBuffer::text_bytes(uint64_t offset, size_t count) {
  size_t k = index_block(offset);
  size_t i = k * IndexBlock;
  uint64_t at = block_bytes_[k];
  for (; i < size() && at + utf8_length(r_[i]) <= offset; i++)
    at += utf8_length(r_[i]);
  text_work_ += i - k * IndexBlock;
  std::string out;
  size_t skip = size_t(offset - at);  // into the first rune, if the range splits it
  for (; i < size() && out.size() < skip + count; i++, text_work_++)
    append_utf8(r_[i], out);
  if (skip >= out.size())
    return {};
  return out.substr(skip, count);
}

}  // namespace grio::term

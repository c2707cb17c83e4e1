// The text of a rio/9term window without pixels: runes, output point,
// selection, history bound, and the line discipline that feeds cons readers.
//
// Text before qh is output (and input already read); text from qh to the
// end is typed input not yet read. Output goes in at qh, typing at the
// cursor (the selection q0). A reader gets [qh, end) a line at a time.
// Owned by the io thread; no locking. See reference §2.1–2.5.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "term/decode.h"

namespace grio::term {

// Keys with a meaning to the line discipline (Plan 9 keyboard.h names).
inline constexpr char32_t Ksoh = 0x01;  // ^A: cursor to start of line
inline constexpr char32_t Kstx = 0x02;  // ^B: cursor to the output point
inline constexpr char32_t Keot = 0x04;  // ^D: end of file / flush a partial line
inline constexpr char32_t Kenq = 0x05;  // ^E: cursor to end of line
inline constexpr char32_t Kbs = 0x08;   // ^H: erase a character
inline constexpr char32_t Knack = 0x15; // ^U: erase to start of line
inline constexpr char32_t Ketb = 0x17;  // ^W: erase a word
inline constexpr char32_t Kesc = 0x1B;  // toggle hold
inline constexpr char32_t Kdel = 0x7F;  // interrupt

struct TextConfig {
  size_t hiwater = 640000;  // history may grow to this many runes …
  size_t lowater = 400000;  // … then the oldest go until this many are left
};

// What a key asks of the window beyond changing the text.
struct KeyEffect {
  bool interrupt = false;     // DEL: interrupt the window's process group
  bool hold_changed = false;  // redraw in (or out of) hold colours
  std::u32string snarf;       // a selection the key cut: rio puts it in snarf
};

class TextBuffer {
public:
  explicit TextBuffer(TextConfig config = {});

  // --- the text and its points (all indices are rune offsets) ---
  size_t size() const { return r_.size(); }
  std::u32string_view runes() const { return r_; }
  std::string text() const { return to_utf8(r_); }
  // Bytes [offset, offset+count) of text(), for the `text` file: a read
  // costs what it returns plus a lookup in an index of UTF-8 offsets kept
  // per block of runes, not a fresh encoding of the whole history. An edit
  // costs the index only from the edit's block on (appending output: the
  // last block). A rune split by the range gives its bytes in range.
  std::string text_bytes(uint64_t offset, size_t count);
  // Runes measured or encoded by text_bytes so far: what tests count.
  uint64_t text_work() const { return text_work_; }
  size_t qh() const { return qh_; }
  size_t q0() const { return q0_; }
  size_t q1() const { return q1_; }
  size_t org() const { return org_; }
  // Both clamp to the text; set_selection orders its ends.
  void set_selection(size_t q0, size_t q1);
  void set_org(size_t org);

  // --- output (cons writes, 9front text writes) ---
  // Inserted at qh, which moves past it; a selection at or after qh moves
  // along, so a cursor at the end of typed input stays there. As in rio,
  // \b deletes the rune before it (runes before qh if the write begins with
  // backspaces). As in 9term, \r followed by anything but \n in the same
  // write erases back to the start of the line; \r\n and a trailing \r are
  // just dropped (per write: a \r ending one write does not erase the line
  // the next write starts — 9term's compromise, kept).
  void write(OutputDecoder& writer, std::string_view bytes);
  void write(std::u32string_view runes);  // runes already decoded/filtered

  // --- the keyboard ---
  // One typed rune (reference §2.2). Navigation keys other than ^A ^E ^B
  // (arrows, page keys) need the layout and are the caller's.
  KeyEffect type(char32_t key);
  // Button-2 paste / snarf insertion: cuts the selection, inserts at the
  // cursor and selects what went in (into the raw queue in raw mode).
  void paste(std::u32string_view runes);

  // --- modes ---
  bool holding() const { return hold_; }
  void set_hold(bool on) { hold_ = on; }  // consctl holdon/holdoff
  bool raw() const { return raw_; }
  // consctl rawon/rawoff. Turning raw off replays the queued raw runes
  // through type(), so their effects (DEL!) are returned.
  KeyEffect set_raw(bool on);
  // Tty echo as the program on the pty set it (pty echo_enabled()), and
  // whether it reads canonically (canonical_enabled()). With echo off the
  // window behaves as 9term's inferred raw mode, with rio's rule for where
  // keys go: a typed or pasted rune goes to the hidden raw queue, readable
  // at once, when the cursor is at the end of the text, and elsewhere is
  // inserted at the cursor as any key is — typing shows where the cursor
  // is, while a program like readline echoes what reaches it. Echo off
  // with canonical input is a password prompt (getpass, sudo): then every
  // rune goes to the raw queue wherever the cursor is, never drawn nor
  // kept in history. In the raw queue, editing keys, ^D and DEL go to the
  // program as bytes, for the tty's own line discipline to act on. Runes
  // still queued when echo comes back stay hidden and readable; they are
  // not replayed.
  bool echo() const { return echo_; }
  void set_echo(bool on, bool canonical = false);

  // --- cons readers (reference §2.3) ---
  // True when a read would return now: not holding, and a whole line (or
  // EOT) waits after qh, or raw runes are queued, or a rune split by the
  // previous read has bytes left.
  bool can_read() const;
  // Up to count bytes of UTF-8. Cooked: stops after \n; EOT ends the read
  // and is not delivered (so ^D on an empty line reads 0 bytes: EOF). A
  // rune that does not fit is left for the next read — unless nothing fits
  // at all (count < its length): then its first count bytes go now and the
  // rest leads the next read, as rio's `part`. Call only when can_read();
  // otherwise returns "" and changes nothing.
  std::string read(size_t count);

private:
  bool rawing() const { return raw_ || !echo_; }
  bool secret() const { return !echo_ && canonical_; }
  bool to_raw_queue() const { return rawing() && (q0_ == size() || secret()); }
  size_t insert(std::u32string_view s, size_t q);
  void erase(size_t q0, size_t q1);
  void trim();
  void drop_front(size_t m);
  void edited(size_t q);
  size_t index_block(uint64_t offset);
  std::u32string cut_selection();
  bool navigate(char32_t key);
  void erase_back(char32_t key);
  size_t backspace_width(char32_t key) const;
  size_t line_start_distance(size_t q) const;
  void delete_before_qh(size_t n);
  char32_t take_rune();

  TextConfig config_;
  std::u32string r_;      // all of the history, output and typed input
  std::u32string rawq_;   // raw (and echo-off) keys: typed, not shown
  std::string part_;      // bytes of a rune a tiny read split
  size_t qh_ = 0;         // output point: first rune not yet read
  size_t q0_ = 0, q1_ = 0;// selection; q0 is the typing cursor
  size_t org_ = 0;        // first visible rune
  // UTF-8 bytes before rune k*IndexBlock, for the blocks before the first
  // edit since the index was built (text_bytes extends it as it needs).
  static constexpr size_t IndexBlock = 256;
  std::vector<uint64_t> block_bytes_{0};
  uint64_t text_work_ = 0;
  bool hold_ = false;
  bool raw_ = false;
  bool echo_ = true;
  bool canonical_ = false;  // with echo_ off: see set_echo()
};

}  // namespace grio::term

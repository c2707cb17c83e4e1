// TextBuffer: output at qh, the 9term line discipline, cons reads, history.
#include <catch2/catch.hpp>

#include "term/text.h"

using namespace grio::term;

namespace {

void type(TextBuffer& t, std::u32string_view keys) {
  for (char32_t k : keys)
    t.type(k);
}

std::u32string str(const TextBuffer& t) { return std::u32string(t.runes()); }

// The invariants rio's tcheck() asserts, minus the frame.
void check_points(const TextBuffer& t) {
  CHECK(t.q0() <= t.q1());
  CHECK(t.q1() <= t.size());
  CHECK(t.qh() <= t.size());
  CHECK(t.org() <= t.size());
}

}  // namespace

TEST_CASE("output goes in at qh and moves qh past it", "[term]") {
  TextBuffer t;
  t.write(U"hello\n");
  CHECK(str(t) == U"hello\n");
  CHECK(t.qh() == 6);
  CHECK(t.q0() == 6);  // the cursor at the end rides along
  CHECK_FALSE(t.can_read());
}

TEST_CASE("output arriving while typing goes before the typed text", "[term]") {
  TextBuffer t;
  t.write(U"% ");
  type(t, U"ls");
  CHECK(t.qh() == 2);
  CHECK(t.q0() == 4);
  t.write(U"mail!\n");
  CHECK(str(t) == U"% mail!\nls");
  CHECK(t.qh() == 8);
  CHECK(t.q0() == 10);  // selection at or after qh shifts
  type(t, U"\n");
  CHECK(t.read(100) == "ls\n");
}

TEST_CASE("a selection before qh does not move with output", "[term]") {
  TextBuffer t;
  t.write(U"abcdef");
  t.set_selection(1, 3);
  t.write(U"XY");
  CHECK(t.q0() == 1);
  CHECK(t.q1() == 3);
  t.set_selection(6, 8);
  t.write(U"Z");  // inserted at qh == 8 == q1: q1 moves, q0 does not
  CHECK(t.q0() == 6);
  CHECK(t.q1() == 9);
}

TEST_CASE("typed lines are read one at a time", "[term]") {
  TextBuffer t;
  type(t, U"one\ntwo\nthr");
  REQUIRE(t.can_read());
  CHECK(t.read(100) == "one\n");
  CHECK(t.read(100) == "two\n");
  CHECK_FALSE(t.can_read());
  CHECK(t.read(100) == "");
  type(t, U"ee\n");
  CHECK(t.read(100) == "three\n");
  CHECK(t.qh() == t.size());
}

TEST_CASE("^H ^W ^U edit typed input but never reach qh", "[term]") {
  TextBuffer t;
  t.write(U"out put");
  SECTION("^H at qh does nothing") {
    t.type(Kbs);
    CHECK(str(t) == U"out put");
  }
  SECTION("^H erases one rune") {
    type(t, U"ab");
    t.type(Kbs);
    CHECK(str(t) == U"out puta");
    CHECK(t.q0() == 8);
  }
  SECTION("^W erases the word and the blanks after it") {
    type(t, U"cat foo.c  ");
    t.type(Ketb);
    CHECK(str(t) == U"out putcat foo.");
    t.type(Ketb);
    CHECK(str(t) == U"out putcat ");
    t.type(Ketb);
    t.type(Ketb);
    CHECK(str(t) == U"out put");
  }
  SECTION("^U erases to qh, not the output on the same line") {
    type(t, U"typed");
    t.type(Knack);
    CHECK(str(t) == U"out put");
    CHECK(t.q0() == t.qh());
  }
  SECTION("^U stops at an unread newline, then eats it") {
    t.set_hold(true);
    type(t, U"l1\nl2");
    t.type(Knack);
    CHECK(str(t) == U"out putl1\n");
    t.type(Knack);
    CHECK(str(t) == U"out putl1");
  }
  check_points(t);
}

TEST_CASE("^A ^E ^B move the cursor", "[term]") {
  TextBuffer t;
  t.write(U"$ ");
  type(t, U"abc");
  t.type(Ksoh);
  CHECK(t.q0() == 2);  // start of line stops at qh
  t.type(U'X');
  CHECK(str(t) == U"$ Xabc");
  t.type(Kenq);
  CHECK(t.q0() == 6);
  t.type(Kstx);
  CHECK(t.q0() == t.qh());
}

TEST_CASE("typing replaces the selection and reports it for snarf", "[term]") {
  TextBuffer t;
  type(t, U"hello world");
  t.set_selection(6, 11);
  KeyEffect e = t.type(U'W');
  CHECK(e.snarf == U"world");
  CHECK(str(t) == U"hello W");
}

TEST_CASE("DEL discards unread input and reports interrupt", "[term]") {
  TextBuffer t;
  t.write(U"$ ");
  type(t, U"rm -rf");
  KeyEffect e = t.type(Kdel);
  CHECK(e.interrupt);
  CHECK(t.qh() == t.size());  // still shown, never read
  CHECK(str(t) == U"$ rm -rf");
  type(t, U"ls\n");
  CHECK(t.read(100) == "ls\n");
}

TEST_CASE("ESC toggles hold, which blocks reads", "[term]") {
  TextBuffer t;
  KeyEffect e = t.type(Kesc);
  CHECK(e.hold_changed);
  CHECK(t.holding());
  type(t, U"line one\nline two\n");
  CHECK(t.size() == 18);  // ESC itself is not inserted
  CHECK_FALSE(t.can_read());
  t.type(Kesc);
  REQUIRE(t.can_read());
  CHECK(t.read(100) == "line one\n");
  CHECK(t.read(100) == "line two\n");
}

TEST_CASE("DEL while holding leaves hold and interrupts", "[term]") {
  TextBuffer t;
  t.type(Kesc);
  type(t, U"x\n");
  KeyEffect e = t.type(Kdel);
  CHECK(e.interrupt);
  CHECK(e.hold_changed);
  CHECK_FALSE(t.holding());
  CHECK_FALSE(t.can_read());  // the held line was discarded
}

TEST_CASE("^D on an empty line reads as end of file", "[term]") {
  TextBuffer t;
  t.type(Keot);
  REQUIRE(t.can_read());
  CHECK(t.read(100) == "");
  CHECK_FALSE(t.can_read());
}

TEST_CASE("^D after text flushes it without a newline", "[term]") {
  TextBuffer t;
  type(t, U"abc");
  CHECK_FALSE(t.can_read());
  t.type(Keot);
  REQUIRE(t.can_read());
  CHECK(t.read(100) == "abc");
  CHECK_FALSE(t.can_read());
}

TEST_CASE("a read filled exactly before ^D consumes the ^D", "[term]") {
  TextBuffer t;
  type(t, U"abc");
  t.type(Keot);
  CHECK(t.read(3) == "abc");
  CHECK_FALSE(t.can_read());  // not a spurious end of file
}

TEST_CASE("small reads split a line but never a rune", "[term]") {
  TextBuffer t;
  type(t, U"a\u00E9\u20AC\n");  // 1 + 2 + 3 + 1 bytes
  CHECK(t.read(2) == "a");      // é would not fit
  CHECK(t.read(4) == "\xC3\xA9");
  CHECK(t.read(3) == "\xE2\x82\xAC");
  CHECK(t.read(3) == "\n");
  CHECK_FALSE(t.can_read());
}

TEST_CASE("a read smaller than one rune still makes progress", "[term]") {
  TextBuffer t;
  type(t, U"\u20AC\n");
  CHECK(t.read(1) == "\xE2");
  REQUIRE(t.can_read());
  CHECK(t.read(1) == "\x82");
  CHECK(t.read(5) == "\xAC\n");
}

TEST_CASE("raw mode queues keys unseen and delivers them at once", "[term]") {
  TextBuffer t;
  t.write(U"> ");
  t.set_raw(true);
  type(t, U"ab\x1B\x7F");
  CHECK(str(t) == U"> ");
  REQUIRE(t.can_read());
  CHECK(t.read(100) == "ab\x1B\x7F");
  CHECK_FALSE(t.can_read());
}

TEST_CASE("rawoff replays queued keys through the line discipline", "[term]") {
  TextBuffer t;
  t.set_raw(true);
  type(t, U"ab\bc\n");
  KeyEffect e = t.set_raw(false);
  CHECK_FALSE(e.interrupt);
  CHECK(str(t) == U"ac\n");
  CHECK(t.read(100) == "ac\n");
  t.set_raw(true);
  t.type(Kdel);
  CHECK(t.set_raw(false).interrupt);
}

TEST_CASE("echo off at a password prompt hides typing wherever the cursor is but delivers it", "[term]") {
  TextBuffer t;
  t.write(U"Password: ");
  t.set_echo(false, true);  // canonical input: getpass, sudo
  t.set_selection(0, 0);  // even with the cursor up in the history
  type(t, U"s3cr\u00E9t\n");
  CHECK(str(t) == U"Password: ");
  REQUIRE(t.can_read());
  CHECK(t.read(100) == "s3cr\xC3\xA9t\n");
  type(t, U"x");
  t.set_echo(true);  // not replayed into view, still readable
  CHECK(str(t) == U"Password: ");
  CHECK(t.read(100) == "x");
}

// Issue 14 item 1: with readline's echo off, keys typed after a click in
// the history went to the program and showed at the end, away from the
// cursor. rio's rule: raw only with the cursor at the end.
TEST_CASE("echo off without canonical input sends keys at the end and inserts them at the cursor elsewhere", "[term]") {
  TextBuffer t;
  t.write(U"$ echo one\none\n$ ");
  t.set_echo(false, false);  // readline: it echoes what reaches it
  type(t, U"l");
  CHECK(str(t) == U"$ echo one\none\n$ ");
  CHECK(t.read(100) == "l");
  t.set_selection(12, 12);  // a click between o and ne of the output
  type(t, U"XY");
  CHECK(str(t) == U"$ echo one\noXYne\n$ ");
  CHECK(t.q0() == 14);
  CHECK(t.qh() == t.size());  // in the history: not input
  CHECK_FALSE(t.can_read());
  t.paste(U"P");
  CHECK(str(t) == U"$ echo one\noXYPne\n$ ");
  t.set_selection(t.size(), t.size());
  t.paste(U"s\n");  // at the end again: to the program, unseen
  CHECK(str(t) == U"$ echo one\noXYPne\n$ ");
  CHECK(t.read(100) == "s\n");
  check_points(t);
}

TEST_CASE("output backspace deletes the rune before it", "[term]") {
  TextBuffer t;
  t.write(U"abc");
  t.write(U"d\b\bX");
  CHECK(str(t) == U"abX");
  t.write(U"\b\b");  // reaches back before this write
  CHECK(str(t) == U"a");
  CHECK(t.qh() == 1);
}

TEST_CASE("output carriage return erases the line as 9term does", "[term]") {
  TextBuffer t;
  t.write(U"keep\n10%");
  t.write(U"\r20%");
  CHECK(str(t) == U"keep\n20%");
  t.write(U"\r\n");
  CHECK(str(t) == U"keep\n20%\n");
  t.write(U"x\r");
  CHECK(str(t) == U"keep\n20%\nx");
}

TEST_CASE("write through a decoder drops escapes and fixes bad bytes", "[term]") {
  TextBuffer t;
  OutputDecoder d;
  t.write(d, "\x1B[1mbold\x1B[0m \xFF\xE2\x82");
  t.write(d, "\xAC\n");
  CHECK(str(t) == U"bold \uFFFD\u20AC\n");
}

TEST_CASE("history is trimmed from the front, points kept consistent", "[term]") {
  TextBuffer t(TextConfig{20, 12});
  t.write(U"0123456789abcdefghi\n");  // 20 runes, at the limit
  t.set_org(15);
  t.set_selection(3, 17);
  type(t, U"");
  t.write(U"XYZ");  // 23 > 20: down to 12, as that keeps org
  CHECK(t.size() == 12);
  CHECK(str(t) == U"bcdefghi\nXYZ");
  CHECK(t.org() == 4);
  CHECK(t.qh() == 12);
  CHECK(t.q0() == 0);  // clipped at the front
  CHECK(t.q1() == 6);
  check_points(t);
}

TEST_CASE("history is trimmed past org only when it must be, never past qh", "[term]") {
  TextBuffer t(TextConfig{10, 4});
  t.write(U"abcdefghij");
  t.set_org(2);
  t.write(U"k");  // dropping the runes above the view is enough
  CHECK(str(t) == U"cdefghijk");
  CHECK(t.org() == 0);
  t.write(U"lm");  // it is not: the view moves, down to lowater
  CHECK(str(t) == U"jklm");
  CHECK(t.org() == 0);
  check_points(t);
  type(t, U"typed, unread");  // unread input is never dropped
  CHECK(t.qh() == 0);
  CHECK(str(t) == U"typed, unread");
  check_points(t);
}

TEST_CASE("history is trimmed by runes, whatever the size of a write", "[term]") {
  TextBuffer t(TextConfig{640, 400});
  for (int i = 0; i < 30; i++) {
    t.write(std::u32string(5000, U'a' + i));  // each write alone is past hiwater
    CHECK(t.size() <= 640);
    check_points(t);
  }
  CHECK(t.size() == 400);
  CHECK(str(t) == std::u32string(400, U'a' + 29));
  t.set_org(t.size());  // a noscroll view that never moves: a flood is trimmed anyway
  for (int i = 0; i < 100; i++) t.write(U"0123456789");
  CHECK(t.size() <= 640);
  check_points(t);
}

TEST_CASE("typed input survives trimming", "[term]") {
  TextBuffer t(TextConfig{10, 6});
  t.write(U"abcdefgh");
  t.set_org(8);
  type(t, U"xyz");  // typing past hiwater trims too
  CHECK(str(t).substr(t.qh()) == U"xyz");
  type(t, U"\n");
  CHECK(t.read(100) == "xyz\n");
  check_points(t);
}

TEST_CASE("paste inserts at the cursor and selects it", "[term]") {
  TextBuffer t;
  type(t, U"ab");
  t.set_selection(1, 1);
  t.paste(U"XY");
  CHECK(str(t) == U"aXYb");
  CHECK(t.q0() == 1);
  CHECK(t.q1() == 3);
}

namespace {

// Runes of 1 to 4 bytes, and newlines.
std::u32string mixed(size_t n, size_t seed) {
  static const char32_t some[] = {U'a', U'\u00e9', U'\u20ac', U'\U0001F600', U'\n', U'z'};
  std::u32string s;
  for (size_t i = 0; i < n; i++) s.push_back(some[(i * 7 + seed) % 6]);
  return s;
}

// Every read of text_bytes, at every offset, is text()'s bytes there.
void check_every_offset(TextBuffer& t) {
  std::string all = t.text();
  for (size_t count : {1, 2, 3, 5, 700}) {
    for (size_t off = 0; off <= all.size() + 2; off++) {
      INFO("offset " << off << " count " << count);
      REQUIRE(t.text_bytes(off, count) == all.substr(std::min(off, all.size()), count));
    }
  }
}

}  // namespace

TEST_CASE("text reads at every offset, mid-rune too, after edits anywhere and trimming", "[term]") {
  TextBuffer t(TextConfig{3000, 2000});
  t.write(mixed(1000, 0));
  check_every_offset(t);
  t.write(mixed(300, 1));  // appended
  type(t, U"typed \u00e9");
  check_every_offset(t);
  t.set_selection(10, 600);
  type(t, U"\u20ac");  // replaces a selection in the middle
  check_every_offset(t);
  t.write(U"\b\b\rline\n");  // erases before qh
  t.write(mixed(2500, 2));   // trims from the front
  check_every_offset(t);
}

TEST_CASE("a text read costs what it returns, not the whole history", "[term]") {
  TextBuffer t;  // 640k runes at most
  t.write(mixed(600000, 3));
  std::string all = t.text();
  uint64_t before = t.text_work();
  // Three hundred pipelined 1-byte reads, as a hostile client sends them.
  for (size_t i = 0; i < 300; i++) CHECK(t.text_bytes(all.size() / 2 + i, 1) == all.substr(all.size() / 2 + i, 1));
  uint64_t work = t.text_work() - before;
  INFO("runes measured or encoded: " << work);
  CHECK(work < 600000 + 300 * 300);  // the index built once, then a block at most a read
  before = t.text_work();
  for (size_t i = 0; i < 300; i++) {
    t.write(U"x");  // output in between: only the last block is measured again
    t.text_bytes(all.size() / 2 + i, 1);
  }
  work = t.text_work() - before;
  INFO("with writes in between: " << work);
  CHECK(work < 300 * 600);
}

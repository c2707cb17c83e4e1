// OutputDecoder: UTF-8 with carried partial runes, invalid bytes, escapes.
#include <catch2/catch.hpp>

#include "term/decode.h"

using namespace grio::term;

TEST_CASE("valid UTF-8 decodes to runes", "[term]") {
  OutputDecoder d;
  CHECK(d.decode("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") == U"a\u00E9\u20AC\U0001F600");
}

TEST_CASE("a rune cut between writes is completed by the next", "[term]") {
  OutputDecoder d;
  CHECK(d.decode("x\xE2\x82") == U"x");
  CHECK(d.decode("\xAC!") == U"\u20AC!");
  CHECK(d.decode("\xF0") == U"");
  CHECK(d.decode("\x9F") == U"");
  CHECK(d.decode("\x98\x80") == U"\U0001F600");
}

TEST_CASE("invalid bytes become U+FFFD and do not eat valid text", "[term]") {
  OutputDecoder d;
  SECTION("lone continuation") { CHECK(d.decode("a\x80z") == U"a\uFFFDz"); }
  SECTION("overlong forms") {
    CHECK(d.decode("\xC0\xAF") == U"\uFFFD\uFFFD");
    CHECK(d.decode("\xE0\x80\xAF") == U"\uFFFD\uFFFD\uFFFD");
  }
  SECTION("surrogate and beyond U+10FFFF") {
    CHECK(d.decode("\xED\xA0\x80") == U"\uFFFD\uFFFD\uFFFD");
    CHECK(d.decode("\xF4\x90\x80\x80") == U"\uFFFD\uFFFD\uFFFD\uFFFD");
  }
  SECTION("sequence broken by an ASCII byte") { CHECK(d.decode("\xE2\x82q") == U"\uFFFDq"); }
  SECTION("truncated at end of stream") {
    CHECK(d.decode("ok\xE2\x82") == U"ok");
    CHECK(d.finish() == U"\uFFFD");
    CHECK(d.decode("b") == U"b");
  }
}

TEST_CASE("control characters are dropped but newline, tab, backspace and return kept", "[term]") {
  OutputDecoder d;
  CHECK(d.decode(std::string("a\x01\x07\x00\x7F\tb\n\b\rc", 12)) == U"a\tb\n\b\rc");
  CHECK(d.decode("\xC2\x85x") == U"x");  // C1 NEL
}

TEST_CASE("escape sequences are dropped whole", "[term]") {
  OutputDecoder d;
  SECTION("CSI") { CHECK(d.decode("\x1B[1;31mred\x1B[0m \x1B[?25h!") == U"red !"); }
  SECTION("OSC ended by BEL and by ST") {
    CHECK(d.decode("\x1B]0;title\x07x\x1B]2;t\x1B\\y") == U"xy");
  }
  SECTION("two-rune and intermediate sequences") {
    CHECK(d.decode("\x1B" "7a\x1B(Bb\x1B=c") == U"abc");
  }
  SECTION("sequence split across writes") {
    CHECK(d.decode("p\x1B[3") == U"p");
    CHECK(d.decode("8;5;1") == U"");
    CHECK(d.decode("mq") == U"q");
  }
  SECTION("CAN aborts") { CHECK(d.decode("\x1B[12\x18z") == U"z"); }
  SECTION("a runaway string is abandoned") {
    std::string s = "\x1B]" + std::string(EscapeFilter::MaxString + 10, 'x') + "tail";
    std::u32string out = d.decode(s);
    CHECK(out.size() < 20);
    CHECK(out.substr(out.size() - 4) == U"tail");
  }
}

TEST_CASE("to_utf8 round-trips and replaces invalid runes", "[term]") {
  CHECK(to_utf8(U"a\u00E9\U0001F600") == "a\xC3\xA9\xF0\x9F\x98\x80");
  CHECK(to_utf8(std::u32string(1, char32_t(0xD800))) == "\xEF\xBF\xBD");
  CHECK(utf8_length(0xD800) == 3);
}

// A viewer's input lines: every event kind through format and parse, and
// every line the server must refuse, named.
#include <catch2/catch.hpp>

#include "wsys/view_input.h"

using namespace grio::wsys;

namespace {

ViewEvent round_trip(const ViewEvent& e) {
  std::string line = format_view_event(e);
  REQUIRE(line.back() == '\n');
  auto r = parse_view_events(line);
  INFO(line);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  REQUIRE((*r)[0].index() == e.index());
  return (*r)[0];
}

std::string error_of(std::string_view text) {
  auto r = parse_view_events(text);
  return r.ok() ? std::string("accepted") : r.error();
}

}  // namespace

TEST_CASE("view input: each event kind comes back from its line", "[wsys]") {
  auto size = std::get<ViewSize>(round_trip(ViewSize{rect(0, 0, 1920, 1080), Metrics{9, 18}}));
  CHECK(size.screen == rect(0, 0, 1920, 1080));
  CHECK(size.metrics.font_w == 9);
  CHECK(size.metrics.font_h == 18);

  auto m = std::get<MouseState>(round_trip(MouseState{{-5, 700}, 1 | 4 | 16, 4000000000u}));
  CHECK(m.at == Point{-5, 700});
  CHECK(m.buttons == 21);
  CHECK(m.msec == 4000000000u);
  CHECK(m.mods == 0);
  auto shifted = std::get<MouseState>(round_trip(MouseState{{3, 4}, 16, 7, grio::term::ModShift}));
  CHECK(shifted.buttons == 16);
  CHECK(shifted.mods == grio::term::ModShift);

  auto k = std::get<ViewKeys>(round_trip(ViewKeys{U"a \u00e9\u4e16\U0001F600\n", grio::term::ModAlt}));
  CHECK(k.runes == U"a \u00e9\u4e16\U0001F600\n");
  CHECK(k.mods == grio::term::ModAlt);

  auto p = std::get<grio::term::KeyPress>(
      round_trip(grio::term::KeyPress{0, grio::term::VtKey::Function, 12, grio::term::ModShift | grio::term::ModCtrl}));
  CHECK(p.key == grio::term::VtKey::Function);
  CHECK(p.function == 12);
  CHECK(p.mods == 5);
  CHECK(p.rune == 0);
  auto ctrl = std::get<grio::term::KeyPress>(round_trip(grio::term::KeyPress{U'c', grio::term::VtKey::None, 0, 4}));
  CHECK(ctrl.rune == U'c');

  for (std::string msg : {"k", "kab\n ", "K\u4e16", "c\xef\x80\x81"})
    CHECK(std::get<ViewKeyState>(round_trip(ViewKeyState{msg})).msg == msg);

  std::string bytes("snarf\0\xff\n ok", 11);
  CHECK(std::get<ViewClipboard>(round_trip(ViewClipboard{bytes})).text == bytes);
  CHECK(std::get<ViewClipboard>(round_trip(ViewClipboard{""})).text.empty());
}

TEST_CASE("view input: several lines in one write, the last maybe without its newline", "[wsys]") {
  auto r = parse_view_events("m 1 2 0 5\nk 0 61 62\nm 3 4 1 6");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  CHECK(std::get<MouseState>((*r)[2]).at == Point{3, 4});
  CHECK(std::get<ViewKeys>((*r)[1]).runes == U"ab");
}

TEST_CASE("view input: bad lines are refused, the first named, nothing of the write taken", "[wsys]") {
  CHECK(error_of("m 1 2 0 5\nx 1\n") == "view input line 2: unknown verb: x 1");
  CHECK(error_of("m 1 2 0\n") == "view input line 1: missing field: m 1 2 0");
  CHECK(error_of("m 1 2 0 5 6 7\n") == "view input line 1: extra field: m 1 2 0 5 6 7");
  CHECK(error_of("m 1 2 0 5 8\n") == "view input line 1: number out of range: 8: m 1 2 0 5 8");
  CHECK(error_of("m 1  2 0 5\n") == "view input line 1: empty field: m 1  2 0 5");
  CHECK(error_of("\n") == "view input line 1: empty field: ");
  CHECK(error_of("m 1 2 32 5\n") == "view input line 1: number out of range: 32: m 1 2 32 5");
  CHECK(error_of("m 1 2 0 4294967296\n") == "view input line 1: number out of range: 4294967296: m 1 2 0 4294967296");
  CHECK(error_of("m 1 99999999999999999999 0 5\n").find("number out of range") != std::string::npos);
  CHECK(error_of("m 1x 2 0 5\n") == "view input line 1: bad number: 1x: m 1x 2 0 5");
  CHECK(error_of("m +1 2 0 5\n") == "view input line 1: bad number: +1: m +1 2 0 5");
  CHECK(error_of("size 0 10 8 16\n") == "view input line 1: number out of range: 0: size 0 10 8 16");
  CHECK(error_of("size 10 10 8 257\n") == "view input line 1: number out of range: 257: size 10 10 8 257");
  CHECK(error_of("k 8 61\n") == "view input line 1: number out of range: 8: k 8 61");
  CHECK(error_of("k 0\n") == "view input line 1: missing field: k 0");
  CHECK(error_of("k 0 6g\n") == "view input line 1: bad hex: 6g: k 0 6g");
  CHECK(error_of("k 0 -61\n") == "view input line 1: bad hex: -61: k 0 -61");
  CHECK(error_of("k 0 d800\n") == "view input line 1: bad rune: d800: k 0 d800");
  CHECK(error_of("k 0 110000\n") == "view input line 1: number out of range: 110000: k 0 110000");
  CHECK(error_of("k 0 0\n") == "view input line 1: bad rune: 0: k 0 0");
  CHECK(error_of("p 16 0 0 0\n") == "view input line 1: number out of range: 16: p 16 0 0 0");
  CHECK(error_of("p 15 25 0 0\n") == "view input line 1: number out of range: 25: p 15 25 0 0");
  CHECK(error_of("s x 61\n") == "view input line 1: bad kbd message: x: s x 61");
  CHECK(error_of("c 6\n") == "view input line 1: bad hex: odd length: c 6");
  CHECK(error_of("c 6z\n") == "view input line 1: bad hex at byte 0: c 6z");
  CHECK(error_of("c 61 62\n") == "view input line 1: extra field: c 61 62");
  CHECK(error_of("k 0 61 \xff\n") == "view input line 1: invalid UTF-8: k 0 61 ?");
  std::string longline = "m " + std::string(100, '1') + " 2 0 5";
  CHECK(error_of(longline) == "view input line 1: number out of range: " + std::string(20, '1') + "...: m " +
                                  std::string(38, '1') + "...");
}

TEST_CASE("view input: a write is at most max_view_write bytes and max_view_events lines", "[wsys]") {
  std::string many;
  for (size_t i = 0; i < max_view_events; i++) many += "m 1 2 0 5\n";
  auto r = parse_view_events(many);
  REQUIRE(r.ok());
  CHECK(r->size() == max_view_events);
  CHECK(error_of(many + "m 1 2 0 5\n") == "view input: too many events");
  std::string big = "c " + std::string(max_view_write - 2, '6');
  CHECK(error_of(big) != "view input: write too long");
  CHECK(error_of(big + "6") == "view input: write too long");
}

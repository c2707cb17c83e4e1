// VT windows (new -vt): real full-screen programs on a pty sized to the
// window, driven through the window's files over 9P as a client would.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "net/errors.h"
#include "tests/wsys/local_wsys.h"
#include "tests/wsys/sync_files.h"

using namespace grio;
using namespace grio::test;

namespace {

// 80 columns and 24 rows at the headless font (8×16): 5-px frame each
// side, and the scroll bar's 16 px.
constexpr const char* vt80x24 = "new -vt -r 0 0 666 394 ";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The window's text file, read whole.
std::string vt_text(net::SyncClient& c, int id) {
  auto fid = c.walk_path("wsys/" + std::to_string(id) + "/text");
  if (!fid) return "";
  std::string out;
  if (c.open(*fid, ninep::OREAD))
    for (uint64_t off = 0;;) {
      auto r = c.read(*fid, off, 8192);
      if (!r || r->empty()) break;
      out += *r;
      off += r->size();
    }
  c.clunk(*fid);
  return out;
}

// Row r of a screen, trailing blanks dropped.
std::string row_text(const term::VtScreen& s, int r) {
  std::u32string runes = s.row(r).runes;
  while (!runes.empty() && runes.back() == U' ') runes.pop_back();
  return term::to_utf8(runes);
}

// Row r of window id's screen.
std::string screen_row(LocalWsys& ws, int id, int r) {
  return ws.on_io([&] {
    auto* w = ws.ws.live(id);
    return w && w->vt ? row_text(*w->vt, r) : std::string("<no vt window>");
  });
}

}  // namespace

TEST_CASE("vt: vi opens a file, an edit is typed through cons, :wq saves it, and text showed vi's screen", "[wsys][vt]") {
  LocalWsys ws;
  auto file = ws.dir / "note.txt";
  std::ofstream(file) << "hello\n";
  auto c = connect(ws.addr);
  REQUIRE(write_file(*c, "wctl", std::string(vt80x24) + "vi " + file.string()) == "");
  int id = 0;
  REQUIRE(ws.eventually([&] { return (id = ws.only_window()) != 0; }));
  // vi's screen: the file's line, then its empty-line tildes.
  REQUIRE(ws.eventually([&] {
    auto t = vt_text(*c, id);
    return t.starts_with("hello\n~") && t.find("note.txt") != std::string::npos;
  }));
  std::string cons = "wsys/" + std::to_string(id) + "/cons";
  REQUIRE(write_file(*c, cons, "A world") == "");
  REQUIRE(ws.eventually([&] { return vt_text(*c, id).starts_with("hello world\n"); }));
  REQUIRE(write_file(*c, cons, "\x1b") == "");
  REQUIRE(write_file(*c, cons, ":wq\r") == "");
  REQUIRE(ws.eventually([&] { return slurp(file) == "hello world\n"; }));
  // vi ended, and its window with it.
  CHECK(ws.eventually([&] { return ws.only_window() == 0; }));
}

TEST_CASE("vt: less pages with the space bar, and q leaves its alternate screen", "[wsys][vt]") {
  LocalWsys ws;
  auto file = ws.dir / "lines";
  {
    std::ofstream out(file);
    for (int i = 1; i <= 200; i++) out << i << "\n";
  }
  auto c = connect(ws.addr);
  REQUIRE(write_file(*c, "wctl", std::string(vt80x24) + "sh -c 'echo before; less " + file.string() + "; echo after; sleep 30'") == "");
  int id = 0;
  REQUIRE(ws.eventually([&] { return (id = ws.only_window()) != 0; }));
  REQUIRE(ws.eventually([&] { return screen_row(ws, id, 0) == "1" && screen_row(ws, id, 22) == "23"; }));
  CHECK(ws.on_io([&] { return ws.ws.live(id)->vt->altscreen(); }));
  std::string cons = "wsys/" + std::to_string(id) + "/cons";
  REQUIRE(write_file(*c, cons, " ") == "");
  REQUIRE(ws.eventually([&] { return screen_row(ws, id, 0) == "24"; }));
  CHECK(screen_row(ws, id, 22) == "46");
  REQUIRE(write_file(*c, cons, "q") == "");
  REQUIRE(ws.eventually([&] { return vt_text(*c, id).find("after\n") != std::string::npos; }));
  CHECK(screen_row(ws, id, 0) == "before");
  CHECK_FALSE(ws.on_io([&] { return ws.ws.live(id)->vt->altscreen(); }));
}

TEST_CASE("vt: top runs on an xterm-256color pty", "[wsys][vt]") {
  LocalWsys ws;
  auto c = connect(ws.addr);
  REQUIRE(write_file(*c, "wctl", std::string(vt80x24) + "sh -c 'echo TERM=$TERM COLORTERM=$COLORTERM; top -b -n1 | head -12; sleep 30'") == "");
  int id = 0;
  REQUIRE(ws.eventually([&] { return (id = ws.only_window()) != 0; }));
  REQUIRE(ws.eventually([&] { return vt_text(*c, id).find("PID") != std::string::npos; }));
  auto t = vt_text(*c, id);
  CHECK(t.starts_with("TERM=xterm-256color COLORTERM=truecolor\n"));
  CHECK(t.find("Tasks:") != std::string::npos);
}

TEST_CASE("vt: the pty is the window's size in cells and follows a resize, and cons writes are the program's input", "[wsys][vt]") {
  LocalWsys ws;
  auto c = connect(ws.addr);
  REQUIRE(write_file(*c, "wctl", std::string(vt80x24) + "sh") == "");
  int id = 0;
  REQUIRE(ws.eventually([&] { return (id = ws.only_window()) != 0; }));
  std::string dir = "wsys/" + std::to_string(id) + "/";
  REQUIRE(write_file(*c, dir + "cons", "stty size\r") == "");
  bool sized = ws.eventually([&] { return vt_text(*c, id).find("24 80\n") != std::string::npos; });
  INFO(vt_text(*c, id));
  REQUIRE(sized);
  // 100 columns, 30 rows.
  REQUIRE(write_file(*c, dir + "wctl", "resize -r 0 0 826 490") == "");
  REQUIRE(write_file(*c, dir + "cons", "stty size\r") == "");
  REQUIRE(ws.eventually([&] { return vt_text(*c, id).find("30 100\n") != std::string::npos; }));
  CHECK(ws.on_io([&] { return ws.ws.live(id)->vt->cols(); }) == 100);
  // Reading cons is the program's business, not a client's.
  auto r = read_file(*c, dir + "cons");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error() == err::vtcons);
}

TEST_CASE("vt: -vt is refused with -pid, -sub and verbs other than new", "[wsys][vt]") {
  LocalWsys ws;
  auto c = connect(ws.addr);
  CHECK(write_file(*c, "wctl", "new -vt -pid 1234") == err::vtopts);
  CHECK(write_file(*c, "wctl", "new -vt -sub x") == err::vtopts);
  REQUIRE(write_file(*c, "wctl", "new sleep 30") == "");
  int id = 0;
  REQUIRE(ws.eventually([&] { return (id = ws.only_window()) != 0; }));
  CHECK(write_file(*c, "wsys/" + std::to_string(id) + "/wctl", "resize -vt -dx 300") == err::vtopts);
  CHECK(ws.on_io([&] { return ws.ws.window_count(); }) == 1);
}

TEST_CASE("vt: input for a program that does not read is bounded, and the window goes on", "[wsys][vt]") {
  LocalWsys ws;
  auto c = connect(ws.addr);
  REQUIRE(write_file(*c, "wctl", std::string(vt80x24) + "sh -c 'stty raw -echo; echo asleep; sleep 60'") == "");
  int id = 0;
  REQUIRE(ws.eventually([&] { return (id = ws.only_window()) != 0; }));
  REQUIRE(ws.eventually([&] { return vt_text(*c, id).starts_with("asleep\n"); }));
  std::string cons = "wsys/" + std::to_string(id) + "/cons";
  std::string chunk(8192, 'x');
  std::string e;
  int n = 0;
  for (; n < 64 && e.empty(); n++) e = write_file(*c, cons, chunk);
  CHECK(e == err::inputfull);
  // The pty's own buffer, then 64 KiB waiting with us: then no more.
  CHECK(n * 8192 <= 2 * 64 * 1024 + 8192);
  CHECK(vt_text(*c, id).starts_with("asleep\n"));
  CHECK(write_file(*c, "wsys/" + std::to_string(id) + "/label", "still here") == "");
}

// libvterm 0.1.4 keeps 16 parameters of a CSI and writes past them when
// there are more, and a REP before any glyph loops for ever: one line of
// output took the window system down, or froze it.
TEST_CASE("vt: a program that writes a CSI of too many parameters or a REP first does not take the window system down", "[wsys][vt]") {
  LocalWsys ws;
  auto c = connect(ws.addr);
  REQUIRE(write_file(*c, "wctl", std::string(vt80x24) +
                                     "sh -c 'printf \"\\033[b\\033[::::::::::::::::::::::::::::::::m\\033[;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;mafter\\n\"; sleep 60'") == "");
  int id = 0;
  REQUIRE(ws.eventually([&] { return (id = ws.only_window()) != 0; }));
  bool after = ws.eventually([&] { return vt_text(*c, id).starts_with("after\n"); });
  INFO(vt_text(*c, id));
  CHECK(after);
  CHECK(write_file(*c, "wsys/" + std::to_string(id) + "/label", "still here") == "");
}

// U+009E written in UTF-8 stepped libvterm 0.1.4's cursor a column left:
// three after "abc" put the X over the a; three at column 0 put it left
// of the screen, where a tab stop set wrote outside libvterm's table.
TEST_CASE("vt: a program that writes C1 controls in UTF-8 keeps its cursor where it was", "[wsys][vt]") {
  LocalWsys ws;
  auto c = connect(ws.addr);
  const std::string c1 = "\\302\\236\\302\\236\\302\\236";  // for printf
  REQUIRE(write_file(*c, "wctl", std::string(vt80x24) + "sh -c 'printf \"abc" + c1 + "X\\r\\n" + c1 +
                                     "\\033H\\033[1Kafter\\n\"; sleep 60'") == "");
  int id = 0;
  REQUIRE(ws.eventually([&] { return (id = ws.only_window()) != 0; }));
  bool after = ws.eventually([&] { return vt_text(*c, id).find("after\n") != std::string::npos; });
  INFO(vt_text(*c, id));
  CHECK(after);
  CHECK(vt_text(*c, id).starts_with("abc"));
  CHECK(write_file(*c, "wsys/" + std::to_string(id) + "/label", "still here") == "");
}

namespace {

// What a client joining session `name` late is sent first: one read of
// hub 1 from a fresh open (the repaint is far shorter than a read).
std::string late_join(net::SyncClient& c, const std::string& name) {
  auto r = read_file(c, "hub/" + name + "/1");
  return r ? *r : "<" + r.error() + ">";
}

}  // namespace

TEST_CASE("vt: a late joiner of a VT session showing vi gets vi's screen repainted, not a replay", "[wsys][vt][hub]") {
  LocalWsys ws;
  auto file = ws.dir / "session.txt";
  std::ofstream(file) << "hello\n";
  auto c = connect(ws.addr);
  REQUIRE(write_file(*c, "hub/ctl", "new ed -vt vi " + file.string()) == "");
  std::string first;
  term::VtScreen seen(24, 80);
  auto joined_shows = [&](const std::string& row0) {
    first = late_join(*c, "ed");
    seen.write("\x1b[H\x1b[2J\x1b[?1049l\x1b[H\x1b[2J");  // a fresh terminal each time
    seen.write(first);
    return row_text(seen, 0) == row0 && row_text(seen, 1) == "~";
  };
  REQUIRE(ws.eventually([&] { return joined_shows("hello"); }));
  // vi's own start would open with its terminal set-up; this is our repaint
  // of the alternate screen, then the rows.
  CHECK(first.starts_with("\x1b[?1049h\x1b[r\x1b[0m\x1b[H\x1b[2J"));
  CHECK(seen.altscreen());
  CHECK(row_text(seen, 23).find("session.txt") != std::string::npos);
  // Under twice the screen's text: rows are drawn where they are, blanks left out.
  size_t text = 0;
  for (int r = 0; r < 24; r++) text += row_text(seen, r).size() + 1;
  INFO(first);
  CHECK(first.size() < 2 * text + 64 + 128);  // 128: the modes, each set or reset

  REQUIRE(write_file(*c, "hub/ed/0", "A world\x1b") == "");
  REQUIRE(ws.eventually([&] { return joined_shows("hello world"); }));
  REQUIRE(write_file(*c, "hub/ed/0", ":wq\r") == "");
  REQUIRE(ws.eventually([&] { return slurp(file) == "hello world\n"; }));
}

TEST_CASE("vt: a late joiner's terminal is put in the modes the session's program set", "[wsys][vt][hub]") {
  LocalWsys ws;
  auto c = connect(ws.addr);
  REQUIRE(write_file(*c, "hub/ctl", "new md -vt printf '\\033[?1h\\033[?1000h\\033[?1006h\\033[?2004hset'; exec sleep 60") ==
          "");
  term::VtScreen seen(24, 80);
  REQUIRE(ws.eventually([&] {
    seen.write(late_join(*c, "md"));
    return row_text(seen, 0) == "set";
  }));
  seen.take_input();
  seen.key({0, term::VtKey::Up});
  seen.paste("p");
  CHECK(seen.wants_mouse());
  seen.mouse(0, 0, 1, true, 0);
  CHECK(seen.take_input() == "\x1bOA\x1b[200~p\x1b[201~\x1b[<0;1;1M");
}

TEST_CASE("vt: the session's state says vt, and its screen follows the size a client sets", "[wsys][vt][hub]") {
  LocalWsys ws;
  auto c = connect(ws.addr);
  REQUIRE(write_file(*c, "hub/ctl", "new sz -vt sh") == "");
  REQUIRE(write_file(*c, "hub/sz/ctl", "size 100 30") == "");
  REQUIRE(write_file(*c, "hub/sz/0", "stty size; echo $TERM\r") == "");
  term::VtScreen seen(30, 100);
  REQUIRE(ws.eventually([&] {
    seen.write("\x1b[H\x1b[2J");
    seen.write(late_join(*c, "sz"));
    return seen.text().find("30 100\nxterm-256color\n") != std::string::npos;
  }));
  auto st = read_file(*c, "hub/sz/ctl");
  REQUIRE(st.ok());
  CHECK(st->find(" vt\n") != std::string::npos);
}

TEST_CASE("vt: a terminal more than 4 KiB behind a VT session gets the screen repainted, not the backlog", "[wsys][vt][hub]") {
  LocalWsys ws;
  auto c = connect(ws.addr);
  REQUIRE(write_file(*c, "hub/ctl", "new lg -vt sh -c 'read x; seq 1 3000; exec sleep 60'") == "");
  auto state = [&] {
    auto st = read_file(*c, "hub/lg/ctl");
    return st ? *st : "";
  };
  CHECK(state().find("\n1 cap 1048576 held 0 start 0 end 0 readers 0 calm notrunc lag 4096 ") != std::string::npos);
  auto fid = c->walk_path("hub/lg/1");
  REQUIRE(fid.ok());
  REQUIRE(c->open(*fid, ninep::OREAD | ninep::OTRUNC).ok());  // a tail reader: a terminal
  auto first = c->read(*fid, 0, 65536);
  REQUIRE(first.ok());
  term::VtScreen seen(24, 80);
  seen.write(*first);
  REQUIRE(write_file(*c, "hub/lg/0", "\r") == "");
  // seq's 13 893 bytes (and a CR a line) all held before the reader reads.
  auto end = [&] {  // hub 1's, from its line of the state
    std::string st = state();
    size_t at = st.find(" end ", st.find("\n1 cap "));
    return at == std::string::npos ? 0L : std::atol(st.c_str() + at + 5);
  };
  REQUIRE(ws.eventually([&] { return end() >= 13893 + 3000; }));
  auto next = c->read(*fid, 0, 65536);
  REQUIRE(next.ok());
  INFO(next->substr(0, 200));
  CHECK(next->starts_with("\x1b[?1049l\x1b[r\x1b[0m\x1b[H\x1b[2J"));
  CHECK(next->size() < 4096);
  seen.write(*next);
  CHECK(row_text(seen, 22) == "3000");
  CHECK(row_text(seen, 0) == "2978");
  c->clunk(*fid);
}

TEST_CASE("vt: a window wider than a kept screen gives its program a pty of 512 columns at most", "[wsys][vt]") {
  grio::wsys::WsysConfig cfg;
  cfg.screen = grio::wsys::rect(0, 0, 8000, 800);
  LocalWsys ws("/tmp/grio-wsys-XXXXXX", workspace_config("glenda", cfg));
  auto c = connect(ws.addr);
  REQUIRE(write_file(*c, "wctl", "new -vt -r 0 0 7000 394 sh") == "");
  int id = 0;
  REQUIRE(ws.eventually([&] { return (id = ws.only_window()) != 0; }));
  REQUIRE(write_file(*c, "wsys/" + std::to_string(id) + "/cons", "stty size\r") == "");
  REQUIRE(ws.eventually([&] { return vt_text(*c, id).find("24 512\n") != std::string::npos; }));
  CHECK(ws.on_io([&] { return ws.ws.live(id)->vt->cols(); }) == 512);
}

TEST_CASE("vt: grio window --hub shows a VT session in a VT window, a text session in a text window", "[wsys][vt][hub]") {
  LocalWsys ws;
  auto c = connect(ws.addr);
  REQUIRE(write_file(*c, "hub/ctl", "new v -vt sh") == "");
  REQUIRE(write_file(*c, "hub/ctl", "new t sh") == "");
  auto run_window = [&](const std::string& hub) {
    std::string cmd = std::string(GRIO_BINARY) + " window --wsys '" + ws.addr + "' --hub " + hub;
    return std::system(cmd.c_str());
  };
  REQUIRE(run_window("v") == 0);
  int id = 0;
  REQUIRE(ws.eventually([&] { return (id = ws.only_window()) != 0; }));
  CHECK(ws.on_io([&] { return ws.ws.live(id)->vt != nullptr; }));
  REQUIRE(write_file(*c, "wsys/" + std::to_string(id) + "/wctl", "delete") == "");
  REQUIRE(ws.eventually([&] { return ws.only_window() == 0; }));
  REQUIRE(run_window("t") == 0);
  REQUIRE(ws.eventually([&] { return (id = ws.only_window()) != 0; }));
  CHECK(ws.on_io([&] { return ws.ws.live(id)->vt == nullptr; }));
}

// grio view for real: a desktop on one Xvfb display and a viewer of it on
// another, driven with xdotool and compared by their screenshots; and a
// headless grio serve that gets its screen from a viewer.
#include <catch2/catch.hpp>

#include "tests/desktop/desk.h"

using namespace grio::test;

namespace {

// grio view ADDR on screen s, stopped with the test.
std::unique_ptr<Proc> view(const Screen& s, const std::string& addr, const std::string& err) {
  return std::make_unique<Proc>(std::vector<std::string>{"env", "DISPLAY=" + s.display, GRIO_BINARY, "view", addr}, err);
}

void xdo(const Screen& s, const std::string& args) {
  REQUIRE(run("DISPLAY=" + s.display + " timeout 10 xdotool " + args).status == 0);
}

// Pixels of r in a and b that differ.
int differing(const Shot& a, const Shot& b, int x0, int y0, int x1, int y1) {
  int n = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++) n += a.at(x, y) != b.at(x, y);
  return n;
}

}  // namespace

TEST_CASE("grio view shows a desktop's window with the same glyphs and types into it", "[desktop][view]") {
  Desk d;
  REQUIRE(d.p9("write /wsys/1/cons", "glyphs, the same on both screens\n").status == 0);
  REQUIRE(eventually([&] { return d.text(1).find("glyphs, the same") != std::string::npos; }));
  Screen s;
  auto v = view(s, d.addr, (d.tmp_.path / "view.err").string());
  // The viewer takes the desktop's size (the display allows it), so the
  // two screens line up pixel for pixel: the first window's text area,
  // glyphs included, is the same on both.
  int diff = -1;
  Shot a, b;
  bool same = eventually([&] {
    a = d.shot(), b = s.shot();
    diff = differing(a, b, 60, 60, 600, 120);
    return b.at(34, 200) != 0 && diff == 0;
  });
  if (!same) save_ppm(a, "/tmp/grio_view_desktop.ppm"), save_ppm(b, "/tmp/grio_view_viewer.ppm");
  INFO("pixels that differ in the text area: " << diff << " (/tmp/grio_view_{desktop,viewer}.ppm)");
  INFO("the viewer said: " << slurp(d.tmp_.path / "view.err"));
  INFO("the viewer's screen: " << (same ? "" : run("DISPLAY=" + s.display + " timeout 5 xwininfo -root -tree").out));
  CHECK(same);
  // Typing into the viewer is typing into the window, on the desktop.
  xdo(s, "mousemove 300 300 click 1");
  xdo(s, "type \"echo typed-in-view\"");
  xdo(s, "key Return");
  bool typed = eventually([&] { return d.text(1).find("\ntyped-in-view") != std::string::npos; });
  INFO("window 1: " << d.text(1));
  CHECK(typed);
  // New from the viewer's menu (button 3 opens it on New, its last item
  // chosen) and a sweep make a window on the desktop.
  xdo(s, "mousemove 900 600 mousedown 3 mouseup 3");
  xdo(s, "mousemove 700 450 mousedown 3 mousemove 1000 650 mousemove 1100 700 mouseup 3");
  CHECK(eventually([&] { return d.ids() == "1\n2\n"; }));
}

TEST_CASE("a headless grio serve viewed through grio view takes its screen and gets a shell window that works", "[desktop][view]") {
  TempDir tmp;
  std::string sock = (tmp.path / "wsys").string();
  int out = -1;
  ::setenv("SHELL", "/bin/sh", 1);
  Proc serve({GRIO_BINARY, "serve", "--listen", "unix!" + sock}, (tmp.path / "serve.err").string(), &out);
  std::string line = read_line(out);
  ::close(out);
  REQUIRE(line.rfind("wsys='", 0) == 0);
  std::string addr = line.substr(6, line.size() - 7);
  Screen s;
  auto v = view(s, addr, (tmp.path / "view.err").string());
  auto p9 = [&](const std::string& args) {
    return run("timeout 10 " + std::string(GRIO_BINARY) + " 9p -a '" + addr + "' " + args);
  };
  // The viewer's window is 1024×768 until it learns otherwise; headless,
  // the window system takes that as its screen.
  REQUIRE(eventually([&] { return s.shot().at(512, 384) == 0x777777; }));
  // New and a sweep, from the viewer: a shell window on the server.
  int x0 = (1280 - 1024) / 2, y0 = (800 - 768) / 2;  // the viewer's window, centred
  auto at = [&](int x, int y) { return std::to_string(x0 + x) + " " + std::to_string(y0 + y); };
  xdo(s, "mousemove " + at(500, 400) + " mousedown 3 mouseup 3");
  xdo(s, "mousemove " + at(100, 100) + " mousedown 3 mousemove " + at(400, 300) + " mousemove " + at(600, 400) +
             " mouseup 3");
  REQUIRE(eventually([&] { return p9("ls /wsys").out == "1\n"; }));
  xdo(s, "type \"echo works-headless\"");
  xdo(s, "key Return");
  CHECK(eventually([&] { return p9("read /wsys/1/text").out.find("\nworks-headless") != std::string::npos; }));
}

TEST_CASE("grio view joins the workspace's snarf and its display's clipboard both ways", "[desktop][view]") {
  Desk d;
  Screen s;
  auto v = view(s, d.addr, (d.tmp_.path / "view.err").string());
  REQUIRE(eventually([&] { return s.shot().at(34, 200) != 0; }));
  auto clip = [&] { return run("DISPLAY=" + s.display + " timeout 5 xclip -o -selection clipboard").out; };
  REQUIRE(d.p9("write /snarf", "from-the-desktop").status == 0);
  CHECK(eventually([&] { return clip() == "from-the-desktop"; }));
  d.start({"sh", "-c", "printf from-the-viewer | DISPLAY=" + s.display + " xclip -quiet -selection clipboard"});
  CHECK(eventually([&] { return d.p9("read /snarf").out == "from-the-viewer"; }));
}

TEST_CASE("grio view says when its connection is lost and exits 1 when it cannot have it again", "[desktop][view]") {
  TempDir tmp;
  std::string sock = (tmp.path / "wsys").string();
  int out = -1;
  auto serve = std::make_unique<Proc>(std::vector<std::string>{GRIO_BINARY, "serve", "--listen", "unix!" + sock},
                                      (tmp.path / "serve.err").string(), &out);
  std::string line = read_line(out);
  ::close(out);
  REQUIRE(line.rfind("wsys='", 0) == 0);
  std::string addr = line.substr(6, line.size() - 7);
  Screen s;
  Proc v({"env", "DISPLAY=" + s.display, GRIO_BINARY, "view", "--retries", "2", addr}, (tmp.path / "view.err").string());
  auto titled = [&](const std::string& t) {
    return run("DISPLAY=" + s.display + " timeout 5 xdotool search --name '" + t + "'").status == 0;
  };
  REQUIRE(eventually([&] { return titled("grio view"); }));
  serve.reset();  // the server goes
  CHECK(eventually([&] { return titled("connection lost"); }));
  int status = -1;
  CHECK(eventually([&] { return v.exited(status); }, std::chrono::seconds(15)));
  CHECK(status == 1);
  CHECK(slurp(tmp.path / "view.err").find("connection lost") != std::string::npos);
}

TEST_CASE("grio view of an address that cannot be reached exits 1 and says why", "[desktop][view]") {
  auto r = run(std::string(GRIO_BINARY) + " view 'unix!/nonexistent/grio-wsys'");
  CHECK(r.status == 1);
  CHECK(r.err.find("grio view: unix!/nonexistent/grio-wsys: ") == 0);
}

// SDL, finding no X server at $DISPLAY, goes on to a driver that draws in
// memory: a viewer went on reading frames for nobody, and a desktop ran
// unseen instead of headless.
TEST_CASE("grio view and the desktop say so when $DISPLAY cannot be opened rather than draw for nobody", "[desktop][view]") {
  std::string nobody = ":4711";
  REQUIRE(run("DISPLAY=" + nobody + " timeout 5 xdotool getdisplaygeometry").status == 1);  // no X server there
  TempDir tmp;
  int out = -1;
  std::string env = "DISPLAY=" + nobody;
  auto desktop = std::make_unique<Proc>(
      std::vector<std::string>{"env", "-u", "SDL_VIDEODRIVER", "-u", "WAYLAND_DISPLAY", env, GRIO_BINARY, "--listen",
                               "unix!" + (tmp.path / "wsys").string()},
      (tmp.path / "desktop.err").string(), &out);
  std::string line = read_line(out);
  ::close(out);
  REQUIRE(line.rfind("wsys='", 0) == 0);
  CHECK(slurp(tmp.path / "desktop.err").find("grio: no display: cannot open display :4711: running the window system headless") != std::string::npos);
  std::string addr = line.substr(6, line.size() - 7);
  auto r = run("env -u SDL_VIDEODRIVER -u WAYLAND_DISPLAY " + env + " timeout 10 " + GRIO_BINARY + " view '" + addr + "'");
  CHECK(r.status == 1);  // not 124: it did not go on without a screen
  CHECK(r.err.find("grio view: no display: cannot open display :4711") != std::string::npos);
}

TEST_CASE("grio view through a view-only export over TLS shows the desktop and says its keys are refused", "[desktop][view]") {
  Desk d;
  auto r = d.sh(std::string(GRIO_BINARY) + " export --listen tcp!127.0.0.1!0 --rights view --name watcher");
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto nl = r.out.find('\n');
  REQUIRE(r.out.rfind("dial=", 0) == 0);
  REQUIRE(r.out.substr(nl + 1, 7) == "secret=");
  std::string dial = r.out.substr(5, nl - 5), secret = r.out.substr(nl + 8, r.out.size() - nl - 9);
  Screen s;
  Proc v({"env", "DISPLAY=" + s.display, "GRIO_SECRET=" + secret, GRIO_BINARY, "view", dial},
         (d.tmp_.path / "view.err").string());
  // A TLS handshake and a first frame under ASan on a loaded machine:
  // 20 s, not eventually's 8.
  int diff = -1;
  bool same = eventually(
      [&] {
        Shot a = d.shot(), b = s.shot();
        diff = differing(a, b, 60, 60, 600, 120);
        return b.at(34, 200) != 0 && diff == 0;
      },
      std::chrono::seconds(20));
  INFO("pixels that differ: " << diff << "; the viewer said: " << slurp(d.tmp_.path / "view.err"));
  CHECK(same);
  std::string before = d.text(1);
  xdo(s, "mousemove 300 300");
  xdo(s, "type nope");
  CHECK(eventually([&] {
    return run("DISPLAY=" + s.display + " timeout 5 xdotool search --name 'permission denied'").status == 0;
  }));
  CHECK(d.text(1) == before);
}

// README's stories end to end, on one machine: two desktops under Xvfb,
// each the real grio with its own server and private directory; the
// friend's reaches an export of mine over TLS on 127.0.0.1, with the
// secret grio export printed. Checked by the windows' files and by pixels.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/desktop/desk.h"

using namespace grio::test;

namespace {

constexpr uint32_t ForeignUnfocused = 0xB05A00, Focused = 0x55AAAA;

// grio export ARGS on desk d, listening on 127.0.0.1: dial string, secret.
std::pair<std::string, std::string> export_on(Desk& d, const std::string& args) {
  auto r = d.sh(std::string(GRIO_BINARY) + " export --listen 'tcp!127.0.0.1!0' " + args);
  INFO(r.err);
  REQUIRE(r.status == 0);
  auto nl = r.out.find('\n');
  REQUIRE(r.out.rfind("dial=", 0) == 0);
  return {r.out.substr(5, nl - 5), r.out.substr(r.out.find("secret=") + 7, 32)};
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// Types line and Return into the window under (x, y) of desk d. Desk::sh
// runs its line inside '…': line is double-quoted, with no " or \ in it.
void type_line(Desk& d, int x, int y, const std::string& line) {
  d.xdo("mousemove " + std::to_string(x) + " " + std::to_string(y) + " click 1");
  std::string q;
  for (char c : line) q += c == '$' ? std::string("\\$") : std::string(1, c);
  d.xdo("type --delay 20 \"" + q + "\"");
  d.xdo("key Return");
}

}  // namespace

TEST_CASE("story: fred pops a window onto my desktop through an export, foreign, and it goes", "[desktop][exports]") {
  Desk mine;
  auto [dial, secret] = export_on(mine, "--rights view,push --name fred");
  // Fred's side: his grio, his secret in his environment.
  // His program stays until the test is done looking (at most 30 s).
  std::string done = (mine.tmp_.path / "done").string();
  Proc fred({"env", "wsys=" + dial, "GRIO_SECRET=" + secret, GRIO_BINARY, "window", "-m", "-r", "300", "300", "700",
             "500", "sh", "-c", "echo hi fred; for i in $(seq 300); do [ -e " + done + " ] && exit 0; sleep 0.1; done"});
  REQUIRE(eventually([&] { return mine.ids() == "1\n2\n"; }));
  CHECK(eventually([&] { return has(mine.text(2), "hi fred"); }));
  CHECK(mine.p9("read /wsys/2/label").out == "fred: sh");
  // The owner keeps the keyboard, and the window is marked as foreign.
  CHECK(has(mine.wctl(1), " current"));
  uint32_t px = 0;
  CHECK(eventually([&] { return (px = mine.shot().at(301, 400)) == ForeignUnfocused; }));
  CHECK(px == ForeignUnfocused);
  CHECK(mine.shot().at(34, 200) == Focused);  // window 1, still current
  // It goes when fred's program ends.
  std::ofstream{done};
  CHECK(eventually([&] { return mine.ids() == "1\n"; }, std::chrono::seconds(15)));
}

TEST_CASE("story: fred watches my shell from his desktop and cannot type, with type we both type into it",
          "[desktop][exports]") {
  Desk mine;
  // Fred's desktop finds his secrets in his own ~/.config/grio/secrets.
  TempDir config;
  ::setenv("XDG_CONFIG_HOME", config.path.c_str(), 1);
  Desk fred;
  ::unsetenv("XDG_CONFIG_HOME");
  std::string g = GRIO_BINARY;
  // My shell session s, in window 2 of my desktop.
  REQUIRE(mine.sh(g + " window -r 50 50 620 400 --hub s").status == 0);
  REQUIRE(eventually([&] { return has(mine.text(2), "attached to s"); }));
  auto [wdial, wsecret] = export_on(mine, "--rights view --name watcher hub/s");
  auto [tdial, tsecret] = export_on(mine, "--rights view,type --name typist hub/s");
  std::filesystem::create_directories(config.path / "grio");
  auto secrets = config.path / "grio" / "secrets";
  std::ofstream(secrets) << wdial << " " << wsecret << "\n" << tdial << " " << tsecret << "\n";
  REQUIRE(::chmod(secrets.c_str(), 0600) == 0);

  // Watching: fred's window 2 shows what I type, and his keys go nowhere.
  REQUIRE(fred.sh(g + " window -r 50 50 620 400 --hub s --hub-wsys " + wdial).status == 0);
  REQUIRE(eventually([&] { return has(fred.text(2), "watching s"); }));
  type_line(mine, 300, 200, "echo mine-$((6*7))");
  CHECK(eventually([&] { return has(fred.text(2), "mine-42"); }));
  type_line(fred, 300, 200, "echo fred-$((5*5))");
  CHECK(eventually([&] { return has(fred.text(2), "read-only"); }));
  type_line(mine, 300, 200, "echo after-$((1+1))");
  REQUIRE(eventually([&] { return has(mine.text(2), "after-2"); }));
  CHECK_FALSE(has(mine.text(2), "fred-25"));

  // Typing: fred's window 3 types into the session; all three windows show it.
  REQUIRE(fred.sh(g + " window -r 660 50 1230 400 --hub s --hub-wsys " + tdial).status == 0);
  REQUIRE(eventually([&] { return has(fred.text(3), "attached to s"); }));
  type_line(fred, 900, 200, "echo both-$((3*3))");
  CHECK(eventually([&] { return has(mine.text(2), "both-9"); }));
  CHECK(eventually([&] { return has(fred.text(2), "both-9"); }));
  CHECK(eventually([&] { return has(fred.text(3), "both-9"); }));
  INFO(mine.text(2));
  INFO(fred.text(2));
  INFO(fred.text(3));
}

// The controller in process, without SDL: the scenes it publishes.
#include <catch2/catch.hpp>

#include "tests/desktop/controller_setup.h"
#include "wsys/controller.h"

using namespace grio::wsys;
using namespace grio::wsys;

TEST_CASE("output while the renderer is busy makes one scene with the final text", "[desktop]") {
  grio::asio::io_context io;
  WindowSystem ws(io, WsysConfig{});
  std::vector<std::shared_ptr<const Scene>> scenes;
  ControllerConfig cfg;
  cfg.publish = [&](std::shared_ptr<const Scene> s) { scenes.push_back(std::move(s)); };
  Controller c(io, ws, cfg);
  WctlCommand cmd;
  cmd.r = rect(0, 0, 400, 300);
  cmd.pid = 1;  // no program of ours
  auto w = ws.create(cmd);
  REQUIRE(w.ok());
  io.poll();
  REQUIRE(scenes.size() == 1);
  // The renderer has not taken that scene: a thousand writes, each its
  // own batch of io work, build nothing meanwhile …
  grio::term::OutputDecoder out;
  for (int i = 0; i < 1000; i++) {
    ws.output(**w, out, "line " + std::to_string(i) + "\n");
    io.poll();
  }
  CHECK(scenes.size() == 1);
  // … and the next scene has all of them.
  c.ready();
  io.poll();
  REQUIRE(scenes.size() == 2);
  const SceneWindow& sw = *scenes.back()->windows.back();
  // The last lines written, and maybe the empty row after them.
  size_t rows = sw.rows.size() - (sw.rows.back().cells.empty() ? 1 : 0);
  REQUIRE(rows > 2);
  for (size_t i = 0; i < rows; i++) {
    std::string line = "line " + std::to_string(1000 - rows + i);
    CHECK(std::string(sw.rows[i].cells.begin(), sw.rows[i].cells.end()) == line);
  }
  CHECK(sw.end == sw.size);
}

// Button 3's menu holds at most what a viewer's feed takes: the verbs,
// then as many hidden windows as fit.
TEST_CASE("button 3's menu lists at most 256 entries however many windows are hidden", "[desktop]") {
  grio::test::ControllerSetup s;
  const size_t windows = s.top.ws().config().max_windows;
  REQUIRE(9 + windows > Controller::max_menu3_items);  // 9 verbs, New to Exit
  for (size_t i = 0; i < windows; i++) s.make("new -pid 0 -hide -r 10 10 300 300");
  s.mouse(Point{900, 200}, 4);
  REQUIRE(s.last->menu);
  CHECK(s.last->menu->items.size() == Controller::max_menu3_items);
  CHECK(s.last->menu->items.back() != "Exit");
}

// A controller on a workspace in process, without SDL, for tests: a
// renderer that takes every scene at once, the mouse and keys fed as the
// desktop would, and the scenes it published.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "term/decode.h"
#include "wsys/controller.h"
#include "wsys/workspace.h"

namespace grio::test {

struct ControllerSetup {
  grio::asio::io_context io;
  grio::wsys::Workspace top{io, grio::wsys::WorkspaceConfig{}};
  std::shared_ptr<const grio::wsys::Scene> last;
  std::unique_ptr<grio::wsys::Controller> c;
  uint32_t msec = 1000;
  ControllerSetup() {
    grio::wsys::ControllerConfig cfg;
    cfg.publish = [this](std::shared_ptr<const grio::wsys::Scene> s) {
      last = std::move(s);
      grio::asio::post(io, [this] { c->ready(); });
    };
    c = std::make_unique<grio::wsys::Controller>(io, top.ws(), cfg);
  }
  ~ControllerSetup() {
    c.reset();
    top.close();
    io.poll();
  }
  void settle() {
    for (int i = 0; i < 20; i++) io.poll();
  }
  // Runs the io loop until pred holds, for at most 20 s (programs in
  // windows answer in their own time).
  template <class P>
  bool until(P pred) {
    for (int i = 0; i < 2000; i++) {
      settle();
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
  }
  grio::wsys::Window& make(grio::wsys::WindowSystem& ws, const std::string& msg) {
    auto cmd = grio::wsys::parse_wctl(msg);
    REQUIRE(cmd.ok());
    auto w = ws.create(*cmd);
    REQUIRE(w.ok());
    settle();
    return **w;
  }
  grio::wsys::Window& make(const std::string& msg) { return make(top.ws(), msg); }
  void mouse(grio::wsys::Point at, int buttons) {
    c->mouse(grio::wsys::MouseState{at, buttons, msec += 10});
    settle();
  }
  void click(grio::wsys::Point at, int button) {
    mouse(at, button);
    mouse(at, 0);
  }
  const grio::wsys::SceneWindow* shown(int id) const {
    if (!last) return nullptr;
    for (auto& w : last->windows)
      if (w->id == id) return w.get();
    return nullptr;
  }
  // The rows window id shows, trailing blanks dropped, one per line.
  std::string rows(int id) const {
    const grio::wsys::SceneWindow* w = shown(id);
    if (!w) return "";
    std::string out;
    for (auto& r : w->rows) {
      std::u32string_view v = r.cells;
      while (!v.empty() && v.back() == U' ') v.remove_suffix(1);
      out += grio::term::to_utf8(v) + "\n";
    }
    return out;
  }
};

// Where item i of a menu on screen is, to release a button over it.
inline grio::wsys::Point item_point(const grio::wsys::SceneMenu& m, int i) {
  return grio::wsys::Point{(m.rect.min.x + m.rect.max.x) / 2, m.rect.min.y + 2 + i * m.item_h + m.item_h / 2};
}

}  // namespace grio::test

// A window system running in the test's own process on a Unix socket, so
// a test can drive programs against it and look at or type into its windows.
#pragma once

#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "net/asio.h"
#include "tests/wsys/workspace_config.h"
#include "wsys/workspace.h"

namespace grio::test {

struct LocalWsys {
  std::filesystem::path dir;  // holds the socket
  grio::asio::io_context io;
  grio::wsys::Workspace top{io, workspace_config("glenda")};
  grio::wsys::WindowSystem& ws = top.ws();
  std::string addr;
  std::thread thread;

  LocalWsys() : LocalWsys("/tmp/grio-wsys-XXXXXX") {}
  // The socket in a new directory made from tmpl (mkdtemp's), and the
  // workspace configured by cfg.
  explicit LocalWsys(std::string tmpl, grio::wsys::WorkspaceConfig cfg = workspace_config("glenda"))
      : top(io, std::move(cfg)) {
    REQUIRE(::mkdtemp(tmpl.data()));
    dir = tmpl;
    auto a = top.listen("unix!" + (dir / "wsys").string());
    REQUIRE(a.ok());
    addr = *a;
    thread = std::thread([this] {
      auto work = grio::asio::make_work_guard(io);
      io.run();
    });
  }
  ~LocalWsys() {
    grio::asio::post(io, [this] {
      top.close();
      io.stop();
    });
    thread.join();
    // A program still ending (vi removing its swap file) may race us.
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  // Runs f on the io thread, which owns the window system.
  template <class F>
  auto on_io(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    grio::asio::post(io, [&task] { task(); });
    return result.get();
  }
  // Polls pred (run on this thread) until it holds or 20 s pass.
  template <class P>
  bool eventually(P pred) {
    for (int i = 0; i < 2000; i++) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
  }
  int only_window() {
    return on_io([this] { return ws.ids().size() == 1 ? ws.ids()[0] : 0; });
  }
  void type(int id, const std::u32string& keys) {
    on_io([&] { ws.type(id, keys); });
  }
  std::string text(int id) {
    return on_io([this, id] {
      auto* w = ws.find(id);
      return w ? w->text.text() : std::string();
    });
  }
  std::string label(int id) {
    return on_io([this, id] {
      auto* w = ws.find(id);
      return w ? w->label : std::string();
    });
  }
};

}  // namespace grio::test

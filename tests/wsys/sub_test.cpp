// Sub-workspaces through 9P, headless: a window hosting a window system
// of its own, reachable at ADDR!NAME, from which nothing outside it can be
// reached; and its end with its host.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "net/client.h"
#include "net/dial.h"
#include "net/errors.h"
#include "tests/net/process.h"
#include "tests/wsys/local_wsys.h"
#include "tests/wsys/sync_files.h"
#include "wsys/scene_codec.h"
#include "wsys/view_input.h"
#include "wsys/workspace.h"

using namespace grio;
using namespace grio::test;
using namespace std::chrono_literals;
using net::SyncClient;

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// The id of the window hosting sub-workspace name in local.
int host_id(LocalWsys& local, const std::string& name) {
  return local.on_io([&] {
    auto* w = local.ws.host_of(name);
    return w ? w->id : 0;
  });
}

}  // namespace

TEST_CASE("a sub-workspace is a window system of its own: ids from 1, its own snarf and hubs", "[wsys][sub]") {
  LocalWsys local;
  auto top = connect(local.addr);
  // Two windows on the top level first, so that ids 1 and 2 are taken there.
  REQUIRE(write_file(*top, "wctl", "new -pid 0 -r 0 0 300 200") == "");
  REQUIRE(write_file(*top, "wctl", "new -r 0 0 640 480 -sub s1") == "");
  int host = host_id(local, "s1");
  REQUIRE(host == 2);
  CHECK(local.label(host) == "s1");

  // ADDR!NAME dials its own socket, beside the top's.
  auto sub = connect(local.addr + "!s1");
  CHECK(names(*sub, "wsys").empty());
  REQUIRE(write_file(*sub, "wctl", "new -pid 0 -r 10 10 300 200") == "");
  CHECK(names(*sub, "wsys") == std::vector<std::string>{"1"});
  CHECK(names(*top, "wsys") == std::vector<std::string>{"1", "2"});
  // Its screen is the host's interior, in its own coordinates.
  CHECK(local.on_io([&] { return local.ws.sub_at("s1")->ws().screen(); }) == wsys::rect(0, 0, 632, 472));

  // snarf is its own, both ways.
  REQUIRE(write_file(*top, "snarf", "top secret") == "");
  CHECK(*read_file(*sub, "snarf") == "");
  REQUIRE(write_file(*sub, "snarf", "sub text") == "");
  CHECK(*read_file(*top, "snarf") == "top secret");

  // hub/ is its own: a hub made in one is not in the other.
  auto hub = top->walk_path("hub");
  REQUIRE(hub.ok());
  REQUIRE(top->create(*hub, "tophub", 0666, ninep::OWRITE).ok());
  top->clunk(*hub);
  CHECK(has(names(*top, "hub"), "tophub"));
  CHECK(!has(names(*sub, "hub"), "tophub"));

  // A second sub-workspace of the same name is refused; another name is not.
  CHECK(write_file(*top, "wctl", "new -sub s1") == std::string(err::subexists) + " s1");
  CHECK(write_file(*top, "wctl", "new -sub s2") == "");
  CHECK(host_id(local, "s2") == 3);
}

TEST_CASE("nothing outside a sub-workspace can be reached from it", "[wsys][sub]") {
  LocalWsys local;
  auto top = connect(local.addr);
  REQUIRE(write_file(*top, "wctl", "new -pid 0 -r 0 0 300 200") == "");  // 1
  REQUIRE(write_file(*top, "wctl", "new -pid 0 -r 0 0 300 200") == "");  // 2
  REQUIRE(write_file(*top, "wctl", "new -r 0 0 640 480 -sub s1") == "");  // 3
  REQUIRE(write_file(*top, "snarf", "the owner's snarf") == "");
  auto hub = top->walk_path("hub");
  REQUIRE(hub.ok());
  REQUIRE(top->create(*hub, "tophub", 0666, ninep::OWRITE).ok());
  top->clunk(*hub);

  auto sub = connect(local.addr + "!s1");
  REQUIRE(write_file(*sub, "wctl", "new -r 10 10 300 200 cat") == "");  // the sub's 1

  SECTION("by walking") {
    for (std::string p : {"wsys/2", "wsys/3", "wsys/1/../../wsys/2", "../wsys/2", "../../wsys/3", "hub/tophub",
                          "exports", "wsys/3/wctl", "hub/../wsys/2"}) {
      auto f = sub->walk_path(p);
      INFO(p);
      CHECK(!f.ok());
      if (f) sub->clunk(*f);
    }
    // `..` from the root stays there: what it lists is the sub's.
    auto up = sub->walk_path("..");
    REQUIRE(up.ok());
    REQUIRE(sub->open(*up, ninep::OREAD).ok());
    auto st = sub->read_dir(*up);
    REQUIRE(st.ok());
    CHECK(!std::any_of(st->begin(), st->end(), [](auto& s) { return s.name == "exports"; }));
    CHECK(names(*sub, "wsys") == std::vector<std::string>{"1"});
    CHECK(*read_file(*sub, "snarf") == "");
  }
  SECTION("by attach name") {
    for (std::string aname : {"2", "3", "exports", "../2"}) {
      net::Error err;
      auto c = SyncClient::dial(local.addr + "!s1", aname, err);
      INFO(aname);
      CHECK(!c);
      CHECK((err.find(err::unknownid) != std::string::npos || err.find(err::badwctl) != std::string::npos));
    }
    // The contexts there are all the sub's.
    auto w = connect(local.addr + "!s1", "watch");
    CHECK(names(*w, "wsys") == std::vector<std::string>{"1"});
  }
  SECTION("by a dial string with another service") {
    for (std::string svc : {"s2", "..", "s1.x", "3"}) {
      net::Error err;
      auto c = SyncClient::dial(local.addr + "!" + svc, "none", err);
      INFO(svc);
      CHECK(!c);
    }
  }
}

TEST_CASE("deleting the host window ends its sub-workspace: programs hung up, clients cut off", "[wsys][sub]") {
  LocalWsys local;
  TempDir tmp;
  auto top = connect(local.addr);
  REQUIRE(write_file(*top, "wctl", "new -r 0 0 640 480 -sub s1") == "");
  int host = host_id(local, "s1");
  REQUIRE(host > 0);
  auto sub = connect(local.addr + "!s1");
  // A program in it, which says where $wsys points and then waits.
  auto wsysfile = (tmp.path / "wsys").string();
  REQUIRE(write_file(*sub, "wctl", "new -r 10 10 300 200 echo \"$wsys\" > " + wsysfile + "; exec sleep 1000") == "");
  std::string addr;
  REQUIRE(local.eventually([&] {
    addr = slurp(wsysfile);
    return !addr.empty();
  }));
  CHECK(addr == local.addr + ".s1\n");
  pid_t pid = local.on_io([&] {
    auto& w = *local.ws.sub_at("s1")->ws().find(1);
    return w.shell ? w.shell->pid() : 0;
  });
  REQUIRE(pid > 0);
  // A read parked in the sub-workspace.
  auto cons = sub->walk_path("wsys/1/cons");
  REQUIRE(cons.ok());
  REQUIRE(sub->open(*cons, ninep::OREAD).ok());
  auto parked = std::async(std::launch::async, [&] { return sub->read(*cons, 0, 100); });
  CHECK(parked.wait_for(200ms) == std::future_status::timeout);

  REQUIRE(write_file(*top, "wctl", "delete -id " + std::to_string(host)) == "");
  REQUIRE(parked.wait_for(10s) == std::future_status::ready);
  auto r = parked.get();
  CHECK(!r.ok());
  // The program got SIGHUP (sleep dies of it) and was reaped.
  CHECK(local.eventually([&] { return ::kill(pid, 0) != 0; }));
  // Its socket is gone with it.
  net::Error err;
  CHECK(!SyncClient::dial(local.addr + "!s1", "none", err));
  struct stat st {};
  CHECK(::stat(net::sub_socket(local.addr.substr(5), "s1").c_str(), &st) != 0);
  CHECK(names(*top, "wsys").empty());
}

TEST_CASE("a host window's reshape is its sub-workspace's screen", "[wsys][sub]") {
  LocalWsys local;
  auto top = connect(local.addr);
  REQUIRE(write_file(*top, "wctl", "new -r 100 100 500 400 -sub s1") == "");
  int host = host_id(local, "s1");
  REQUIRE(write_file(*top, "wctl", "resize -r 0 0 700 500 -id " + std::to_string(host)) == "");
  CHECK(local.on_io([&] { return local.ws.sub_at("s1")->ws().screen(); }) == wsys::rect(0, 0, 692, 492));
  auto sub = connect(local.addr + "!s1");
  // A window pushed in it must fit its screen, not the top's.
  CHECK(write_file(*sub, "wctl", "new -pid 0 -r 0 0 900 600") == "");
  CHECK(*read_file(*sub, "wsys/1/wctl") == wsys::wctl_record(wsys::rect(0, 0, 692, 492), true, true));
}

namespace {

// The rectangle a wctl record gives: its first four numbers.
wsys::Rect record_rect(const std::string& rec) {
  int v[4] = {};
  std::istringstream in(rec);
  for (int& x : v) in >> x;
  return wsys::rect(v[0], v[1], v[2], v[3]);
}

}  // namespace

TEST_CASE("a host window's resize scales its sub-workspace's windows as rio's resized does", "[wsys][sub]") {
  LocalWsys local;
  auto top = connect(local.addr);
  REQUIRE(write_file(*top, "wctl", "new -r 100 100 700 600 -sub s1") == "");  // a screen of 592x492
  int host = host_id(local, "s1");
  auto sub = connect(local.addr + "!s1");
  REQUIRE(write_file(*sub, "wctl", "new -pid 0 -r 0 0 296 246") == "");
  REQUIRE(write_file(*sub, "wctl", "new -pid 0 -r 100 100 250 200") == "");
  // Held, so that they outlive the reads' fids (a window with no program
  // goes with the last fid on it).
  auto one = sub->walk_path("wsys/1"), two = sub->walk_path("wsys/2");
  REQUIRE((one && two));
  REQUIRE(write_file(*top, "wctl", "resize -r 0 0 308 258 -id " + std::to_string(host)) == "");  // 300x250
  // Each corner scaled by 300/592 and 250/492.
  CHECK(record_rect(*read_file(*sub, "wsys/1/wctl")) == wsys::rect(0, 0, 150, 125));
  // Scaled, the second would be 76 wide, too narrow for a window: it
  // keeps its size and goes to its scaled corner.
  CHECK(record_rect(*read_file(*sub, "wsys/2/wctl")) == wsys::rect(50, 50, 200, 150));
  // And back: the first grows with the screen again.
  REQUIRE(write_file(*top, "wctl", "resize -r 0 0 608 508 -id " + std::to_string(host)) == "");  // 600x500
  CHECK(record_rect(*read_file(*sub, "wsys/1/wctl")) == wsys::rect(0, 0, 300, 250));
  CHECK(record_rect(*read_file(*sub, "wsys/2/wctl")) == wsys::rect(100, 100, 400, 300));
}

TEST_CASE("a viewer of a sub-workspace sees its windows on its host's interior and does not resize it", "[wsys][sub][view]") {
  LocalWsys local;  // headless: a viewer of the top gives it a screen, one of a sub does not
  auto top = connect(local.addr);
  REQUIRE(write_file(*top, "wctl", "new -r 0 0 640 480 -sub s1") == "");
  auto sub = connect(local.addr + "!s1");
  REQUIRE(write_file(*sub, "wctl", "new -pid 0 -r 10 10 300 200") == "");
  auto feed = sub->walk_path("view/feed");
  auto input = sub->walk_path("view/input");
  REQUIRE(feed.ok());
  REQUIRE(input.ok());
  REQUIRE(sub->open(*feed, ninep::OREAD).ok());
  REQUIRE(sub->open(*input, ninep::OWRITE).ok());
  wsys::ViewSize size{wsys::rect(0, 0, 1024, 768), wsys::Metrics{8, 16}};
  REQUIRE(sub->write(*input, 0, wsys::format_view_event(size)).ok());
  wsys::FeedDecoder dec;
  std::vector<wsys::ViewFrame> frames;
  while (frames.empty()) {
    auto got = sub->read(*feed, 0, 65536);
    REQUIRE(got.ok());
    REQUIRE(dec.push(*got, frames).empty());
  }
  REQUIRE(frames[0].scene);
  CHECK(frames[0].scene->screen == wsys::rect(0, 0, 632, 472));
  CHECK(frames[0].scene->windows.size() == 1);
  CHECK(local.on_io([&] { return local.ws.sub_at("s1")->ws().screen(); }) == wsys::rect(0, 0, 632, 472));
}

TEST_CASE("sub-workspace names, depth and count are bounded", "[wsys][sub]") {
  asio::io_context io;
  wsys::WorkspaceConfig cfg;
  cfg.max_depth = 2;
  cfg.max_subs = 3;
  wsys::Workspace top(io, cfg);
  auto make = [](wsys::WindowSystem& ws, const std::string& name) -> std::string {
    auto c = wsys::parse_wctl("new -r 0 0 600 400 -sub " + name);
    REQUIRE(c.ok());
    auto w = ws.create(*c);
    return w ? "" : w.error();
  };
  for (std::string bad : std::vector<std::string>{"a/b", "-x", "a.b", std::string(33, 'x'), "é"}) {
    INFO(bad);
    CHECK(make(top.ws(), bad).starts_with(err::badsubname));
  }
  REQUIRE(make(top.ws(), "a") == "");
  auto a = top.find_sub("a");
  REQUIRE(a);
  REQUIRE(make(a->ws(), "b") == "");
  auto b = top.find_sub("a/b");
  REQUIRE(b);
  CHECK(b->depth() == 2);
  CHECK(make(b->ws(), "c") == err::subtoodeep);
  CHECK(make(top.ws(), "d") == "");
  CHECK(make(top.ws(), "e") == err::toomanysubs);
  // The refused ones left no window behind.
  CHECK(top.ws().ids().size() == 2);
  CHECK(b->ws().ids().empty());
  // -sub takes no command.
  CHECK(!wsys::parse_wctl("new -sub x echo hi").ok());
  top.close();
}

TEST_CASE("making a sub-workspace needs push and manage", "[wsys][sub]") {
  asio::io_context io;
  wsys::Workspace top(io, {});
  auto c = wsys::parse_wctl("new -r 0 0 600 400 -sub s");
  REQUIRE(c.ok());
  net::Grant push_only{net::right::push | net::right::view, "fred", "fred", ""};
  auto w = top.ws().create(*c, push_only);
  REQUIRE(!w.ok());
  CHECK(w.error() == err::perm);
  net::Grant both{net::right::push | net::right::manage, "fred", "fred", ""};
  CHECK(top.ws().create(*c, both).ok());
  top.close();
}

TEST_CASE("grio window --sub makes a sub-workspace and prints its address", "[wsys][sub]") {
  LocalWsys local;
  auto r = run(std::string(GRIO_BINARY) + " window --wsys " + local.addr + " -r 0 0 500 400 --sub work");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "wsys='" + local.addr + "!work'\n");
  auto sub = connect(local.addr + "!work");
  CHECK(names(*sub, "wsys").empty());
  // From inside, a nested one is named after the sub-workspace's socket.
  auto nested = run(std::string(GRIO_BINARY) + " window --wsys " + local.addr + "!work --sub inner");
  INFO(nested.err);
  REQUIRE(nested.status == 0);
  CHECK(nested.out == "wsys='" + local.addr + ".work!inner'\n");
  CHECK(names(*connect(local.addr + ".work!inner"), "wsys").empty());
  auto bad = run(std::string(GRIO_BINARY) + " window --wsys " + local.addr + " --sub work");
  CHECK(bad.status != 0);
  CHECK(bad.err.find(err::subexists) != std::string::npos);
}

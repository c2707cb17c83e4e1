// Typed lines in a window whose program has tty echo on: shown once by the
// window, never echoed again by the tty (term/pty.h write_input).
#include <atomic>
#include <thread>

#include "tests/wsys/served_wsys.h"

using namespace grio;
using namespace grio::test;

// Issue 13: typing before the program reads (before a shell's first
// prompt) showed the lines twice, on the desktop too. The lines wait in
// the window's pty writer until the program has read the earlier ones;
// both CPUs are kept busy, which is when the tty's echo used to slip in.
TEST_CASE("lines typed into a window before its program reads show once, then as the program prints them", "[wsys]") {
  Wsys s;
  auto w = s.connect();
  w.rpc<Rversion>(NOTAG, Tversion{8192, "9P2000"});
  w.rpc<Rattach>(1, Tattach{0, NOFID, "tester", "none"});
  open_at(w, 1, {"wctl"}, OWRITE);
  w.rpc<Rwrite>(5, Twrite{1, 0, "new sh -c 'echo ready; sleep 0.5; while read x; do echo \"[$x]\"; done'"});
  REQUIRE(s.eventually([&] {
    auto* x = s.world().ws.live(1);
    return x && x->text.text().find("ready\n") != std::string::npos;
  }));
  std::atomic<bool> busy{true};
  std::vector<std::thread> load;
  for (unsigned i = 0; i < 2 * std::max(1u, std::thread::hardware_concurrency()); i++)
    load.emplace_back([&] {
      while (busy) {
      }
    });
  std::string typed, printed;
  for (int i = 0; i < 100; i++) {
    typed += "w" + std::to_string(i) + "\n";
    printed += "[w" + std::to_string(i) + "]\n";
  }
  s.on_io([&] {
    s.world().ws.type(1, std::u32string(typed.begin(), typed.end()));
    return 0;
  });
  bool done = s.eventually([&] { return s.world().ws.live(1)->text.text().find("[w99]\n") != std::string::npos; });
  busy = false;
  for (auto& t : load) t.join();
  REQUIRE(done);
  // The window shows what was typed where it was typed, then the program's
  // lines; with the tty's echo, "w0\n" would show a second time.
  std::string text = s.on_io([&] { return s.world().ws.live(1)->text.text(); });
  CHECK(text == "ready\n" + typed + printed);
}

// libFuzzer target for the hub tree's ctl files (net/hub_tree): the root
// ctl and a session's ctl opened through 9P, then the input written to
// them as commands (one line or many per write), with hub reads, writes
// and other requests mixed in by the same driver as fuzz_ramfs.
#include "net/hub_tree.h"
#include "tests/fuzz/drive_9p.h"

using namespace grio;
using namespace grio::ninep;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  asio::io_context io;
  net::HubTree tree(io, "glenda");
  // `new NAME cmd` makes a session directory without a program behind it.
  tree.set_hooks({[](const std::string&, const std::string&, bool) { return net::Error(); }, nullptr, nullptr, nullptr});
  {
    fuzz::ServeBytes s(io, tree);
    fuzz::Input in({data, size});
    fuzz::hello(s, "");
    s.send(Fcall{2, Twalk{0, 1, {"ctl"}}});
    s.send(Fcall{2, Topen{1, ORDWR}});
    s.send(Fcall{2, Twrite{1, 0, "new s"}});
    s.send(Fcall{2, Twalk{0, 2, {"s", "ctl"}}});
    s.send(Fcall{2, Topen{2, ORDWR}});
    s.send(Fcall{2, Twalk{0, 3, {"s", "1"}}});
    s.send(Fcall{2, Topen{3, OREAD}});
    s.run();
    // Mostly ctl commands, now and then any other request.
    fuzz::Driver d(s, in, {"s", "ctl", "0", "1", "2", "note", "h", "tty"});
    while (!in.empty()) {
      uint8_t b = in.byte();
      if (b < 200) {
        uint32_t fid = 1 + b % 2;
        s.send(Fcall{3, Twrite{fid, 0, in.bytes(120)}});
        s.send(Fcall{4, Tread{fid, 0, 512}});
      } else if (b < 220) {
        s.send(Fcall{5, Tread{3, 0, 512}});
      } else {
        d.step();
      }
    }
    s.run();
    s.hang_up();
  }
  tree.close();
  io.poll();
  return 0;
}

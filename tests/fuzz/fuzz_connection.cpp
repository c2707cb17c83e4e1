// libFuzzer target for a whole server connection (net/connection,
// net/server): the input is the raw byte stream a client sends, cut into
// sends where the input says, after (when its first byte is odd) a valid
// Tversion and Tattach so that most inputs get past the handshake. A
// ramfs is behind it. The invariants are the sanitizers', the server's own
// asserts, and that hanging up leaves no fid open and no read parked.
#include <cstdio>
#include <cstdlib>

#include "net/ramfs.h"
#include "tests/fuzz/serve_bytes.h"

using namespace grio;
using namespace grio::ninep;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  asio::io_context io;
  net::RamFs tree("glenda");
  {
    fuzz::ServeBytes s(io, tree);
    if (data[0] & 1) {
      s.send(Fcall{NOTAG, Tversion{8192, "9P2000"}});
      s.send(Fcall{1, Tattach{0, NOFID, "glenda", ""}});
    }
    // Cut points: every byte equal to data[0] ends a send.
    std::span<const uint8_t> rest(data + 1, size - 1);
    while (!rest.empty()) {
      size_t cut = 1;
      while (cut < rest.size() && rest[cut - 1] != data[0]) cut++;
      s.send(rest.first(cut));
      rest = rest.subspan(cut);
    }
    s.run();
    s.hang_up();
  }
  if (tree.open_files() != 0 || tree.parked_reads() != 0) {
    std::fprintf(stderr, "fuzz_connection: %zu open, %zu parked after hang-up\n", tree.open_files(),
                 tree.parked_reads());
    std::abort();
  }
  return 0;
}

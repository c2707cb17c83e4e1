// libFuzzer target for ramfs (net/ramfs) served by the real server: the
// input is a sequence of 9P requests over a few fids and names (pipe
// included), so creates, writes, wstats, removes and parked pipe reads
// meet each other. The invariants are the sanitizers' and the server's
// own asserts; at the end the client hangs up and no fid may stay open.
#include <cstdio>
#include <cstdlib>

#include "net/ramfs.h"
#include "tests/fuzz/drive_9p.h"

using namespace grio;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  asio::io_context io;
  net::RamFs tree("glenda");
  {
    fuzz::ServeBytes s(io, tree);
    fuzz::Input in({data, size});
    fuzz::hello(s, "");
    fuzz::Driver d(s, in, {"a", "b", "pipe", "..", ".", "d", ""});
    d.run_all();
    s.hang_up();
  }
  if (tree.open_files() != 0) {
    std::fprintf(stderr, "fuzz_ramfs: %zu files left open after hang-up\n", tree.open_files());
    std::abort();
  }
  if (tree.parked_reads() != 0) {
    std::fprintf(stderr, "fuzz_ramfs: %zu reads left parked after hang-up\n", tree.parked_reads());
    std::abort();
  }
  return 0;
}

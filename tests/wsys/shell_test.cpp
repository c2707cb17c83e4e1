// Shell: a window's program's output comes through the reader thread
// whole and in order, and the reader waits when the io thread has not
// taken what it read.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "wsys/shell.h"

using namespace grio;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_CASE("shell: the reader stops 64 KiB ahead of an io thread that does not run, then all the output comes in order",
          "[wsys][shell]") {
  fs::path dir = fs::temp_directory_path() / ("grio_shell_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path done = dir / "done";
  term::PtyConfig pc;
  // 1.3 MB, far more than the reader may hold (64 KiB and a read) and the
  // pty's buffers together: seq ends only once the io thread takes it.
  pc.argv = {"/bin/sh", "-c", "stty raw -echo; seq 1 200000; touch '" + done.string() + "'; exec sleep 30"};
  std::string why;
  auto p = term::start_pty(pc, why);
  INFO(why);
  REQUIRE(p);
  std::string expected;
  for (int i = 1; i <= 200000; i++) expected += std::to_string(i) + "\n";
  asio::io_context io;
  auto busy = asio::make_work_guard(io);  // the reader's posts are its only work
  std::string out;
  {
    wsys::Shell s(io, *p, {[&](std::string_view b) { out += b; }, [] {}});
    std::this_thread::sleep_for(300ms);  // the reader fills what it may hold; without the bound seq would be done
    CHECK(!fs::exists(done));
    CHECK(out.empty());
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (out.size() < expected.size() && std::chrono::steady_clock::now() < deadline) io.run_for(10ms);
    CHECK(out == expected);
    for (; !fs::exists(done) && std::chrono::steady_clock::now() < deadline;) std::this_thread::sleep_for(10ms);
    CHECK(fs::exists(done));
  }  // hangs the program up
  CHECK(term::reap(p->pid, 5000ms));
  fs::remove_all(dir);
}

// Every libFuzzer target, built into the ordinary test programs with this
// file in place of libFuzzer's main: each plays the inputs it starts from
// (tests/fuzz/seeds_<target>/, else tests/fuzz/seeds/). So a target that
// no longer builds, or a kept input that finds its bug again, fails
// `make test`, and under ASan and UBSan in its second build; not only the
// clang build of `make fuzz`, which CI does not run. Each target's
// LLVMFuzzerTestOneInput is renamed <target>_one when it is compiled here
// (tests/CMakeLists.txt), and GRIO_FUZZ_TARGETS lists them: X(name) each.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace fs = std::filesystem;

#define X(name) extern "C" int name##_one(const uint8_t* data, size_t size);
GRIO_FUZZ_TARGETS
#undef X

namespace {

// The seeds of a target, in a fixed order.
std::vector<fs::path> seeds_of(const std::string& target) {
  fs::path dir = fs::path(GRIO_FUZZ_DIR) / ("seeds_" + target);
  if (!fs::is_directory(dir)) dir = fs::path(GRIO_FUZZ_DIR) / "seeds";
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Plays each seed as libFuzzer would: a buffer of exactly its bytes, so
// ASan sees a read past them. A finding aborts the test program.
void replay(const std::string& target, int (*one)(const uint8_t*, size_t)) {
  auto files = seeds_of(target);
  REQUIRE(!files.empty());
  for (auto& f : files) {
    INFO(f.string());
    std::ifstream in(f, std::ios::binary);
    REQUIRE(in);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto exact = std::make_unique<uint8_t[]>(bytes.size());
    std::copy(bytes.begin(), bytes.end(), exact.get());
    CHECK(one(exact.get(), bytes.size()) == 0);
  }
}

}  // namespace

#define X(name) \
  TEST_CASE(#name " plays every input it starts from") { replay(#name, name##_one); }
GRIO_FUZZ_TARGETS
#undef X

// What the benchmarks share: timing, reading a file whole, and the text
// file the terminal benchmarks cat.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace grio::bench {

// Seconds since t0.
inline double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Printable ASCII lines of varied length, the same every run.
inline void make_text(const std::filesystem::path& p, size_t bytes) {
  static const char* words[] = {"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing",
                                "elit", "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore"};
  std::string s;
  s.reserve(bytes + 200);
  uint32_t x = 1;
  for (size_t n = 0; s.size() < bytes; n++) {
    s += "line " + std::to_string(n) + ":";
    x = x * 1103515245 + 12345;
    for (uint32_t k = (x >> 16) % 16; k > 0; k--) {
      x = x * 1103515245 + 12345;
      s += ' ';
      s += words[(x >> 16) % 15];
    }
    s += '\n';
  }
  std::ofstream(p, std::ios::binary) << s;
}

}  // namespace grio::bench

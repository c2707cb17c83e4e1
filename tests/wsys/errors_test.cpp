// Every error string the window system's tree and the hub tree's ctl give
// a client comes from net/errors.h: the sources write none inline.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

namespace {

// The files whose errors are the table's: the model, its tree and file
// kinds, wctl, and the hub tree.
std::vector<std::string> sources() {
  std::vector<std::string> out;
  for (auto* f : {"wsys/window_system.cpp", "wsys/tree.cpp", "wsys/wctl.cpp", "wsys/files.cpp", "net/hub_tree.cpp",
                  "wsys/hub_terminal.cpp"})
    out.push_back(f);
  for (auto* k : {"cons", "consctl", "cursor", "image", "kbd", "label", "mouse", "snarf", "text", "wctl", "wdir",
                  "winid"})
    out.push_back(std::string("wsys/file_") + k + ".cpp");
  return out;
}

// A string literal where an error is made: error("…"), return "…" (from a
// function returning an Error), Error{"…"} or e = "…". (A message with a
// part of its own, "bad directory DIR: why", starts with a table string.)
const std::regex inline_error(R"re((error\(|return |Error\{|error = |\be = )"[^"]*")re");

}  // namespace

TEST_CASE("every error string of the tree and the hub ctl is in net/errors.h", "[wsys]") {
  int files = 0;
  for (auto& name : sources()) {
    std::ifstream in(std::string(GRIO_SOURCE_DIR) + "/" + name);
    INFO(name);
    REQUIRE(in.good());
    files++;
    int n = 0;
    for (std::string line; std::getline(in, line);) {
      n++;
      if (line.find("//") == line.find_first_not_of(' ')) continue;  // a comment
      if (std::regex_search(line, inline_error)) FAIL_CHECK(name << ":" << n << ": " << line);
    }
  }
  CHECK(files == 18);
}

// ctest takes `;` in a test's name as a list separator and a leading `-`
// or a backslash as something else: such a test then runs nothing.
TEST_CASE("every test case has a name ctest can run it by", "[wsys]") {
  namespace fs = std::filesystem;
  const std::regex name(R"re(TEST_CASE\("([^"]*)")re");
  int cases = 0;
  for (auto& e : fs::recursive_directory_iterator(std::string(GRIO_SOURCE_DIR) + "/tests")) {
    if (e.path().extension() != ".cpp") continue;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::sregex_iterator m(text.begin(), text.end(), name), end; m != end; ++m) {
      std::string n = (*m)[1];
      cases++;
      INFO(e.path().string() << ": " << n);
      CHECK(n.find(';') == std::string::npos);
      CHECK(n.find('\\') == std::string::npos);
      CHECK(n.front() != '-');
    }
  }
  CHECK(cases > 300);
}

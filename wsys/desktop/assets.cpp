// Reading assets/: colours as NAME RRGGBB lines, cursors as 16 rows of 16
// characters (X black, o white, . clear) and a hot spot.
#include "wsys/desktop/assets.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace grio::wsys::desktop {

namespace fs = std::filesystem;

namespace {

// Each colour of the palette by its name in the file.
using Field = uint32_t Palette::*;
const std::map<std::string, Field>& fields() {
  static const std::map<std::string, Field> f = {
      {"background", &Palette::background}, {"text_bg", &Palette::text_bg},
      {"text", &Palette::text},             {"text_unfocused", &Palette::text_unfocused},
      {"selection", &Palette::selection},   {"scroll_bg", &Palette::scroll_bg},
      {"thumb", &Palette::thumb},           {"border", &Palette::border},
      {"border_unfocused", &Palette::border_unfocused}, {"hold", &Palette::hold},
      {"hold_border_unfocused", &Palette::hold_border_unfocused},
      {"hold_text_unfocused", &Palette::hold_text_unfocused},
      {"outline", &Palette::outline},       {"menu_bg", &Palette::menu_bg},
      {"menu_hilite", &Palette::menu_hilite}, {"menu_border", &Palette::menu_border},
      {"foreign", &Palette::foreign},       {"foreign_unfocused", &Palette::foreign_unfocused},
  };
  return f;
}

// A file's lines without comments and blank ones, with their numbers.
std::vector<std::pair<int, std::string>> lines_of(const fs::path& p, std::string& why) {
  std::ifstream in(p);
  std::vector<std::pair<int, std::string>> out;
  if (!in) {
    why = p.string() + ": cannot read it";
    return out;
  }
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    n++;
    line = line.substr(0, line.find('#'));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) out.emplace_back(n, line);
  }
  return out;
}

bool colours(const fs::path& p, Assets& a, std::string& why) {
  auto lines = lines_of(p, why);
  if (!why.empty()) return false;
  std::map<std::string, bool> seen;
  std::map<std::string, uint32_t> reversed;
  for (auto& [n, line] : lines) {
    std::istringstream ws(line);
    std::string name, hex, extra;
    ws >> name >> hex >> extra;
    auto where = p.string() + ":" + std::to_string(n) + ": ";
    bool rev = name.starts_with("reversed.");
    auto it = fields().find(rev ? name.substr(9) : name);
    if (it == fields().end()) return why = where + "unknown colour '" + name + "'", false;
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    if (hex.size() != 6 || ec != std::errc() || end != hex.data() + hex.size() || !extra.empty())
      return why = where + "bad colour '" + line + "': NAME RRGGBB", false;
    if (rev) reversed[it->first] = v;
    else a.normal.*(it->second) = v, seen[name] = true;
  }
  for (auto& [name, field] : fields())
    if (!seen.count(name)) return why = p.string() + ": no colour " + name, false;
  a.reversed = a.normal;
  for (auto& [name, v] : reversed) a.reversed.*(fields().at(name)) = v;
  return true;
}

bool cursor(const fs::path& p, Cursor& k, std::string& why) {
  auto lines = lines_of(p, why);
  if (!why.empty()) return false;
  int row = 0;
  bool hot = false;
  for (auto& [n, line] : lines) {
    auto where = p.string() + ":" + std::to_string(n) + ": ";
    if (line.starts_with("hot ")) {
      int x = -1, y = -1;
      std::istringstream(line.substr(4)) >> x >> y;
      if (x < 0 || x > 15 || y < 0 || y > 15) return why = where + "bad hot spot: hot X Y, 0 to 15", false;
      k.offset = {-x, -y};  // the image's top left from the hot spot
      hot = true;
      continue;
    }
    if (line.size() != 16 || line.find_first_not_of("Xo.") != std::string::npos || row == 16)
      return why = where + "bad row: 16 of X o .", false;
    for (int i = 0; i < 16; i++) {
      uint8_t bit = uint8_t(0x80 >> (i % 8));
      if (line[i] == 'X') k.set[row * 2 + i / 8] |= bit;
      if (line[i] == 'o') k.clr[row * 2 + i / 8] |= bit;
    }
    row++;
  }
  if (row != 16 || !hot) return why = p.string() + ": needs 16 rows and a hot spot", false;
  return true;
}

}  // namespace

std::string assets_dir() {
  if (const char* d = std::getenv("GRIO_ASSETS"); d && *d) return d;
  std::error_code ec;
  // Installed: share/grio/assets beside the bin/ this program is in.
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed = exe.parent_path().parent_path() / "share" / "grio" / "assets";
    if (fs::exists(installed / "colours", ec)) return installed.string();
  }
  return GRIO_SOURCE_ASSETS;
}

std::optional<Assets> load_assets(const std::string& dir, std::string& why) {
  Assets a;
  fs::path d(dir);
  if (!colours(d / "colours", a, why) || !cursor(d / "cursors" / "arrow", a.arrow, why) ||
      !cursor(d / "cursors" / "cross", a.cross, why) || !cursor(d / "cursors" / "sight", a.sight, why))
    return std::nullopt;
  return a;
}

}  // namespace grio::wsys::desktop

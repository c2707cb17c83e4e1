// The desktop's data, read at start from the assets directory: rio's
// colours (assets/colours) and the cursors (assets/cursors/), each file
// saying where its values came from. Formats: assets/cursors/README and
// the head of assets/colours.
#pragma once

#include <optional>
#include <string>

#include "wsys/cursor.h"
#include "wsys/desktop/palette.h"

namespace grio::wsys::desktop {

struct Assets {
  Palette normal, reversed;  // reversed: -b, white on black
  Cursor arrow, cross, sight;
};

// Where the assets are: $GRIO_ASSETS, else the installed directory
// (share/grio/assets), else the source tree's, for a build run in place.
std::string assets_dir();

// Reads them; nothing, with why naming the file and line, if one is
// missing or malformed (every colour and cursor must be there).
std::optional<Assets> load_assets(const std::string& dir, std::string& why);

}  // namespace grio::wsys::desktop

// The six rights of an export (view, type, push, manage, snarf, exec):
// what a connection may do, decided when it authenticates and never by
// the attach name. The owner (a local peer on the private Unix socket)
// has all of them; a peer of an export has the export's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace grio::net {

using Rights = uint8_t;

namespace right {
inline constexpr Rights view = 1 << 0;    // read what is on screen: text, labels, images, output hubs
inline constexpr Rights type = 1 << 1;    // input: cons writes, hub 0 and note
inline constexpr Rights push = 1 << 2;    // make windows here whose program runs at the peer
inline constexpr Rights manage = 1 << 3;  // move, resize, hide, delete, label others' windows
inline constexpr Rights snarf = 1 << 4;   // the clipboard, read and write
inline constexpr Rights exec = 1 << 5;    // start a program on this machine
inline constexpr Rights all = 0x3f;
// Not a right: what a file that checks each write (wctl, a hub's ctl)
// needs to be opened for writing: any right a write there may need.
inline constexpr Rights per_write = 1 << 7;
}  // namespace right

// Whether rights `have` meet `need` (all of its bits; per_write: any of
// type, push, manage, exec).
inline bool allows(Rights have, Rights need) {
  if (need & right::per_write) {
    if (!(have & (right::type | right::push | right::manage | right::exec))) return false;
    need &= Rights(~right::per_write);
  }
  return (have & need) == need;
}

// "view,type,push" and back. Unknown or empty names are refused, why says
// which. Names may repeat; "all" stands for the six.
std::optional<Rights> parse_rights(std::string_view list, std::string& why);
std::string rights_string(Rights r);  // "view,type"; "none" for no right

// What a connection was granted when it authenticated.
struct Grant {
  Rights rights = right::all;
  std::string export_name;  // empty: the owner (or an --insecure loopback test)
  std::string label;        // whom the windows it pushes name: --for, else the export's name
  std::string hub;          // an export of hub/NAME: the one session it reaches; empty: all
  bool has(Rights r) const { return (rights & r) == r; }
  bool owner() const { return export_name.empty(); }
};

}  // namespace grio::net

// Typed bytes as a hub client takes them, hubshell's rules: plain runs go
// to the session's hub 0, ^D is its end of file, DEL an interrupt note,
// and a % at the start of a line begins a command of the client's. Both
// `grio hub` (cmd_hub.cpp) and the server, when a terminal is handed over
// to it (hub_terminal.cpp), read keys so.
#pragma once

#include <cstddef>
#include <string_view>

namespace grio::wsys {

enum class Key { Run, Eof, Interrupt };

// What a watcher sees, once, when it types: its keys are not sent.
inline constexpr std::string_view read_only_notice = "\n[grio hub: read-only: your keys are not sent]\n";

// Calls on(kind, run) for keys in order, keeping line_start across calls;
// stops before a % that begins a command and returns its index, else
// keys.size(). In a VT session (vt) ^D and DEL are bytes like any other,
// for the session's tty to act on.
template <class F>
size_t split_keys(std::string_view keys, bool& line_start, F on, bool vt = false) {
  size_t from = 0;  // where the current run starts
  auto run = [&](size_t to) {
    if (to > from) on(Key::Run, keys.substr(from, to - from));
  };
  for (size_t i = 0; i < keys.size(); i++) {
    char ch = keys[i];
    if (ch == '%' && line_start) {
      run(i);
      return i;
    }
    if (!vt && (ch == 0x04 || ch == 0x7f)) {
      run(i);
      on(ch == 0x04 ? Key::Eof : Key::Interrupt, std::string_view());
      from = i + 1;
    }
    line_start = ch == '\r' || ch == '\n';
  }
  run(keys.size());
  return keys.size();
}

// Whether a session's ctl, read (its status line: "session NAME running
// PID vt …"), names a VT session.
inline bool vt_session(std::string_view ctl) {
  std::string_view first = ctl.substr(0, ctl.find('\n'));
  for (size_t at = first.find(" vt"); at != std::string_view::npos; at = first.find(" vt", at + 1))
    if (at + 3 == first.size() || first[at + 3] == ' ') return true;
  return false;
}

}  // namespace grio::wsys

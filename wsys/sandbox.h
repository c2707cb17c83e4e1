// The fence around a sandboxed sub-workspace's programs: bubblewrap
// (bwrap) runs each of them with the system read-only, a home and a /tmp
// of the sub-workspace's own, nothing of the owner's home or runtime
// directory but the sub-workspace's own sockets, no network unless asked
// for, and a pid namespace of its own. README's "Sandboxes" says what this
// does and does not protect against.
#pragma once

#include <string>
#include <vector>

#include "net/file_tree.h"

namespace grio::wsys {

struct SandboxConfig {
  std::string bwrap = "bwrap";    // looked up in $PATH unless it has a slash (tests point it elsewhere)
  std::string home;               // the owner's home, hidden; empty: $HOME
  std::string runtime;            // hidden too; empty: $XDG_RUNTIME_DIR, else the private directory
  std::string root;               // where sandboxes' directories are made; empty: the private directory
  std::vector<std::string> hide;  // more directories hidden: where the top workspace's socket is
  // Files seen inside at their own path, read-only, even where /tmp or the
  // home hides them: grio itself, so that grio window and grio hub (and
  // Hub windows, which run it by its path) work inside. Empty: this
  // program (/proc/self/exe).
  std::vector<std::string> programs;
};

// One sandboxed workspace's places.
struct Sandbox {
  std::string dir;      // its own (0700): home/, tmp/, run/; removed when it ends
  std::string sockets;  // seen at the same path inside: run/, or the workspace's one socket
  bool net = false;     // --unshare-net left out
};

// A sandbox's directory, with its home/, tmp/ and run/, is at most this
// long, so that run/wsys and a nested one's socket fit a sockaddr_un.
inline constexpr size_t max_sandbox_dir = 96;

// The bwrap program cfg names, as a path to exec; an error says it is
// missing (a sandbox is refused then, never skipped).
net::Result<std::string> find_bwrap(const SandboxConfig& cfg);
// Makes dir and its home/, tmp/ and run/, each 0700.
net::Error make_sandbox_dir(const std::string& dir);
// Where a top-level sub-workspace NAME's sandbox directory goes.
net::Result<std::string> new_sandbox_dir(const SandboxConfig& cfg, const std::string& name);
// argv (empty: $SHELL, else /bin/sh) run by bwrap (a path) in s, in
// directory cd (empty: its home).
std::vector<std::string> sandbox_argv(const std::string& bwrap, const SandboxConfig& cfg, const Sandbox& s,
                                      std::vector<std::string> argv, const std::string& cd);

}  // namespace grio::wsys

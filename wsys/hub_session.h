// Shell sessions: a program on a pty joined to the hubs of hub/NAME/ —
// its input read from hub 0, its output written to hub 1, each line of
// the note hub a signal — living until the program exits, however many
// clients come and go.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "net/asio.h"
#include "net/file_tree.h"
#include "net/hub_tree.h"
#include "term/pty.h"

namespace grio::wsys {

class HubSession;

class HubSessions {
 public:
  // reap_later: hands an exited program's pid to whoever reaps children.
  HubSessions(asio::io_context& io, net::HubTree& hubs, std::function<void(pid_t)> reap_later);
  ~HubSessions();

  // Starts cmd (empty: the user's shell) in the session directory `name`
  // that the hub tree has just made; env is added to the program's. A vt
  // session's program runs on an xterm-256color pty, and its screen is
  // kept (term/vt_screen.h) so that a client joining late, or skipped
  // ahead, gets it repainted instead of a replay. Its hub 1 starts with a
  // lag of vt_lag: a reader further behind than about a screen's repaint
  // gets the repaint instead of the backlog (tmux stops writing to a
  // client 8 bytes a cell behind and redraws it).
  static constexpr size_t vt_lag = 4096;
  net::Error start(const std::string& name, const std::string& cmd,
                   std::vector<std::pair<std::string, std::string>> env, bool vt = false);
  // The directory was removed: hang up the program.
  void removed(const std::string& name);
  // The session's terminal size (TIOCSWINSZ: its program gets SIGWINCH).
  void resize(const std::string& name, unsigned short cols, unsigned short rows);
  // Hangs up every program.
  void close();
  size_t count() const { return sessions_.size(); }
  // Rewrites how a program is started (a sandbox); an error stops it.
  std::function<net::Error(term::PtyConfig&)> fence;

 private:
  void exited(const std::string& name);

  asio::io_context& io_;
  net::HubTree& hubs_;
  std::function<void(pid_t)> reap_later_;
  std::map<std::string, std::unique_ptr<HubSession>> sessions_;
};

}  // namespace grio::wsys

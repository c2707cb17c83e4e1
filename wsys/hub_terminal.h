// A client's terminal served by the window system itself: `grio hub` on
// this machine hands its tty over (hub/NAME/tty), as tmux's clients hand
// theirs to the tmux server, so a key goes from the terminal to the
// session's pty and its echo back in one process, with no hop through the
// client. What the client did with the terminal the server now does: tail
// reads of hubs 1 and 2 with their loss markers and flood pacing, keys to
// hub 0, ^D as `eof 0`, DEL as `interrupt`; a `%` typed at the start of a
// line stops the keys and is handed back to the client, which reads the
// rest of the command itself and writes `resume` when it is done.
//
// Events, one per read of the tty fid:
//   command REST   a % was typed; REST is the rest of its line as far as
//                  it came in that read (what was typed after the line is
//                  taken by the server on resume)
//   ended WHY      the session ended (WHY: its status line)
// Commands: `resume`, or `resume midline` if the client sent keys after the
// command that left a line open (a % there is then no command).
#pragma once

#include <memory>
#include <string>

#include "net/asio.h"
#include "net/hub_tree.h"

namespace grio::wsys {

// Serves fd, which must be a terminal, for session `name` until the result
// is dropped; then its settings are put back (output processing is ours
// meanwhile) and fd is closed. fd is ours either way.
net::Result<std::shared_ptr<net::HubTree::Terminal>> serve_terminal(asio::io_context& io, net::HubTree& hubs,
                                                                    const std::string& name, int fd, bool watch);

}  // namespace grio::wsys

// The program grio started in a window: a pty, its output read into the
// window, typed lines written to it, and its end noticed.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "net/asio.h"
#include "term/pty.h"

namespace grio::wsys {

class Shell {
 public:
  struct Events {
    std::function<void(std::string_view)> output;  // bytes the program wrote
    std::function<void()> exited;                   // the pty hung up
  };
  Shell(asio::io_context& io, term::PtyProcess p, Events ev);
  // Closes the pty and hangs up the program's process group. Reaping the
  // program is the owner's business (WindowSystem::retire).
  ~Shell();
  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  // Input the window has already shown, so the tty must not echo it again.
  void input(std::string_view bytes);
  // Input as a terminal sends it (a VT window's keys): the tty echoes it
  // as the program asked. False, and nothing sent, when more than
  // max_pending bytes already wait for the program to read.
  bool send(std::string_view bytes);
  static constexpr size_t max_pending = 64 * 1024;
  bool echo() { return term::echo_enabled(master_.native_handle()); }
  bool canonical() { return term::canonical_enabled(master_.native_handle()); }
  void interrupt() { term::interrupt(proc_); }
  void hangup() { term::signal_group(proc_.pid, SIGHUP); }
  void resize(unsigned short cols, unsigned short rows) { term::resize(master_.native_handle(), cols, rows); }
  pid_t pid() const { return proc_.pid; }

 private:
  void read_more();
  void write_more();
  void retry_later();

  term::PtyProcess proc_;
  asio::posix::stream_descriptor master_;
  asio::steady_timer retry_;
  Events ev_;
  std::string buf_;
  std::string pending_;   // input the pty could not take yet
  bool raw_ = false;      // pending_ came through send(), not input()
  bool waiting_ = false;  // for the pty to become writable, or retry_
  int retry_ms_ = 5;      // retry_'s next wait
  bool done_ = false;
  // Guards callbacks that outlive us in Asio's queue.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace grio::wsys

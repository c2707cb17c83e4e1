// The program grio started in a window: a pty, its output read into the
// window, typed lines written to it, and its end noticed.
//
// The pty is read by a thread of its own, which hands what it reads to
// the io thread. Each read that empties a pty wakes its writer, and on a
// machine whose scheduler keeps the woken writer on the reader's CPU, a
// program flooding the window then takes turns with the thread that
// parses and shows its output; read apart, the two overlap.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "net/asio.h"
#include "term/pty.h"

namespace grio::wsys {

class Shell {
 public:
  struct Events {
    std::function<void(std::string_view)> output;  // bytes the program wrote
    std::function<void()> exited;                   // the pty hung up
  };
  // Throws std::system_error when no thread can be started.
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
  // Output read and not yet taken by the io thread: the reader waits past this.
  static constexpr size_t max_unread = 64 * 1024;
  // Shared with the reader thread and with the handlers it posts, which
  // may run after we are gone.
  struct Reader {
    std::atomic<size_t> unread{0};
    std::atomic<bool> waiting{false};  // for unread to fall
    std::atomic<bool> stop{false};
    int wake = -1;  // an eventfd: room again, or stop
    // What was read and is not yet handed over: reads that come while
    // the io thread is busy gather here and go to it in one handler.
    std::mutex m;
    std::string inbox;  // guarded by m
    std::string spare;  // guarded by m: an inbox taken before, empty, its room kept
    ~Reader();
    void poke();
    bool put(std::string_view bytes);  // by the reader thread: whether a handler must be posted
    std::string take();                // by the io thread
    void give_back(std::string s);     // what take() gave, once used
    void taken(size_t n);              // by the io thread
  };
  void read_loop(asio::io_context& io, std::shared_ptr<Reader> r, int fd);
  void write_more();
  void retry_later();

  term::PtyProcess proc_;
  asio::posix::stream_descriptor master_;
  asio::steady_timer retry_;
  Events ev_;
  std::string pending_;   // input the pty could not take yet
  bool raw_ = false;      // pending_ came through send(), not input()
  bool waiting_ = false;  // for the pty to become writable, or retry_
  int retry_ms_ = 5;      // retry_'s next wait
  bool done_ = false;
  // Guards callbacks that outlive us in Asio's queue.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::shared_ptr<Reader> reader_;
  std::thread thread_;
};

}  // namespace grio::wsys

// grio mount's engine: the FUSE session, its threads and signals, and -d.
//
// Signals: SIGINT, SIGTERM and SIGHUP are blocked in every thread and
// taken by one stopper thread with sigwait. libfuse's own handlers would
// only end the loop, and its workers finish what they are doing before it
// returns; a worker parked in a cons read would finish never. The stopper
// flushes every read or write waiting on the server first, then ends the
// loop, then pokes the main thread (SIGUSR2, no SA_RESTART) out of its wait.
#include "wsys/mount/mount.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "wsys/mount/fs.h"

namespace grio::mount {

namespace {

constexpr unsigned kMaxThreads = 64;  // each blocked cat holds one

sigset_t stop_signals() {
  sigset_t s;
  sigemptyset(&s);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&s, sig);
  return s;
}

// Runs until a stop signal, or SIGUSR1 from main when the loop ended on its
// own (an unmount).
void stopper(Fs& fs, fuse_session* se, pthread_t main, const std::atomic<bool>& done) {
  sigset_t s = stop_signals();
  int sig = 0;
  sigwait(&s, &sig);
  if (sig == SIGUSR1) return;
  fs.shutdown();
  fuse_session_exit(se);
  // The main thread may not have reached its wait yet; poke until it ends.
  while (!done) {
    pthread_kill(main, SIGUSR2);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// -d: the parent waits until the child has mounted or failed and exits
// with that outcome, so `grio mount -d ADDR DIR && ls DIR` works. Returns
// the fd the child reports on, or -1 in the parent's stead (never returns
// there).
int daemonize() {
  int p[2];
  if (::pipe(p) != 0) return -1;
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid > 0) {
    ::close(p[1]);
    char ok = 1;
    if (::read(p[0], &ok, 1) == 1 && ok == 0) std::exit(0);
    int st = 0;
    ::waitpid(pid, &st, 0);
    std::exit(WIFEXITED(st) && WEXITSTATUS(st) != 0 ? WEXITSTATUS(st) : 1);
  }
  ::close(p[0]);
  ::setsid();
  return p[1];
}

// The child is mounted: tell the parent and let go of its terminal.
void detach(int report) {
  char ok = 0;
  if (::write(report, &ok, 1) != 1) std::perror("mount: telling the parent");
  ::close(report);
  int null = ::open("/dev/null", O_RDWR);
  for (int fd : {0, 1, 2}) ::dup2(null, fd);
  if (null > 2) ::close(null);
  if (::chdir("/") != 0) return;
}

int fail(const std::string& why) {
  std::fprintf(stderr, "mount: %s\n", why.c_str());
  return 1;
}

// Mounted and serving; returns when the session ends.
int serve(fuse_session* se, Fs& fs, int report) {
  if (report >= 0) detach(report);
  std::atomic<bool> done = false;
  std::thread stop(stopper, std::ref(fs), se, pthread_self(), std::cref(done));
  fuse_loop_config* lc = fuse_loop_cfg_create();
  fuse_loop_cfg_set_max_threads(lc, kMaxThreads);
  int r = fuse_session_loop_mt(se, lc);
  fuse_loop_cfg_destroy(lc);
  done = true;
  pthread_kill(stop.native_handle(), SIGUSR1);
  stop.join();
  // A loop ended by a signal left the kernel mounted: unmount (lazily if
  // busy); closing /dev/fuse then fails whatever is still in there.
  fuse_session_unmount(se);
  return r < 0 ? 1 : 0;
}

}  // namespace

int run(const MountConfig& cfg) {
  char dir[PATH_MAX];
  if (!::realpath(cfg.dir.c_str(), dir)) return fail(cfg.dir + ": no such directory");
  int report = cfg.daemon ? daemonize() : -1;
  if (cfg.daemon && report < 0) return fail("cannot fork");

  // Before any thread exists, so that every thread inherits the mask.
  sigset_t s = stop_signals();
  pthread_sigmask(SIG_BLOCK, &s, nullptr);
  struct sigaction poke{};
  poke.sa_handler = [](int) {};
  sigaction(SIGUSR2, &poke, nullptr);

  net::Error err;
  auto c = net::SyncClient::dial(cfg.addr, cfg.aname, err, 1 << 20);
  if (!c) return fail(cfg.addr + ": " + err);
  Fs fs(*c);

  std::vector<const char*> argv{"grio-mount", "-o", "fsname=grio,subtype=grio"};
  if (cfg.fuse_debug) argv.push_back("-d");
  fuse_args args = FUSE_ARGS_INIT(int(argv.size()), const_cast<char**>(argv.data()));
  fuse_session* se = fuse_session_new(&args, &Fs::ops(), sizeof(fuse_lowlevel_ops), &fs);
  if (!se) return fail("cannot start a FUSE session");
  int status = 1;
  if (fuse_session_mount(se, dir) != 0) fail(std::string("cannot mount on ") + dir);
  else status = serve(se, fs, report);
  fuse_session_destroy(se);
  fuse_opt_free_args(&args);
  fs.clunk_all();
  c->clunk(c->root());
  return status;
}

}  // namespace grio::mount

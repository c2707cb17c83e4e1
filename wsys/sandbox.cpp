// bwrap's command line for a sandboxed workspace's programs, and its directories.
#include "wsys/sandbox.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "net/dial.h"
#include "net/errors.h"

namespace grio::wsys {

namespace {

bool is_dir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string env_or(const char* name, const std::string& given) {
  if (!given.empty()) return given;
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The owner's home to hide: an absolute directory other than /; else
// none (the sandbox's home is then at its own path).
std::string owner_home(const SandboxConfig& cfg) {
  std::string h = env_or("HOME", cfg.home);
  while (h.size() > 1 && h.back() == '/') h.pop_back();
  return h.size() > 1 && h[0] == '/' && is_dir(h) ? h : "";
}

// The directories whose contents the sandbox must not see beyond its
// own: the runtime directory (other programs' sockets, ours among them)
// and the top workspace's socket's. / and /tmp are never hidden this way
// (/tmp is replaced whole).
std::vector<std::string> hidden(const SandboxConfig& cfg) {
  std::vector<std::string> out;
  std::string why;
  std::string rt = env_or("XDG_RUNTIME_DIR", cfg.runtime);
  if (rt.empty()) rt = net::private_dir(why);
  auto add = [&](std::string d) {
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    if (d.size() > 1 && d[0] == '/' && d != "/tmp" && is_dir(d)) out.push_back(d);
  };
  add(rt);
  for (auto& d : cfg.hide) add(d);
  // One inside another is hidden already; mounting it again would leave
  // its mount point showing in the other.
  std::sort(out.begin(), out.end());
  std::vector<std::string> outer;
  for (auto& d : out)
    if (outer.empty() || !(d == outer.back() || d.starts_with(outer.back() + "/"))) outer.push_back(d);
  return outer;
}

}  // namespace

net::Result<std::string> find_bwrap(const SandboxConfig& cfg) {
  using R = net::Result<std::string>;
  auto runnable = [](const std::string& p) { return !p.empty() && ::access(p.c_str(), X_OK) == 0 && !is_dir(p); };
  if (cfg.bwrap.find('/') != std::string::npos) {
    if (runnable(cfg.bwrap)) return cfg.bwrap;
  } else {
    std::string path = env_or("PATH", "");
    for (size_t at = 0; at <= path.size();) {
      size_t end = std::min(path.find(':', at), path.size());
      std::string dir = path.substr(at, end - at);
      if (!dir.empty() && runnable(dir + "/" + cfg.bwrap)) return dir + "/" + cfg.bwrap;
      at = end + 1;
    }
  }
  return R::error(std::string(err::nosandbox) + ": " + cfg.bwrap +
                  " not found (install bubblewrap); the sub-workspace is not made unfenced");
}

net::Error make_sandbox_dir(const std::string& dir) {
  if (dir.size() > max_sandbox_dir) return std::string(err::nosandbox) + ": " + err::nametoolong + ": " + dir;
  for (std::string d : {dir, dir + "/home", dir + "/tmp", dir + "/run"}) {
    if (::mkdir(d.c_str(), 0700) != 0) {
      std::string e = std::string(err::nosandbox) + ": mkdir " + d + ": " + std::strerror(errno);
      std::error_code ec;
      if (d != dir) std::filesystem::remove_all(dir, ec);  // what this call made
      return e;
    }
    ::chmod(d.c_str(), 0700);  // the umask may have taken bits we want
  }
  return {};
}

// sub.PID.N.NAME: one process may make NAME again once it has gone, or in
// another window system, and its old directory may not have gone yet.
net::Result<std::string> new_sandbox_dir(const SandboxConfig& cfg, const std::string& name) {
  static std::atomic<unsigned long> serial{0};
  std::string why;
  std::string root = cfg.root.empty() ? net::private_dir(why) : cfg.root;
  if (root.empty()) return net::Result<std::string>::error(std::string(err::nosandbox) + ": " + why);
  return root + "/sub." + std::to_string(::getpid()) + "." + std::to_string(++serial) + "." + name;
}

namespace {

// The programs bound in: what the config names, else this one.
std::vector<std::string> programs_of(const SandboxConfig& cfg) {
  if (!cfg.programs.empty()) return cfg.programs;
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  return {std::string(buf, size_t(n))};
}

}  // namespace

// The order matters: each mount lands on what the ones before made, so
// the hiding tmpfs come after /tmp (a runtime directory under /tmp gets
// its mount point in the sandbox's own tmp) and before the sockets are
// bound back in. A bind over $HOME hides it as a tmpfs would.
//
// Not --new-session: it would take the pty away as the controlling
// terminal (setsid), so ^C, job control and SIGHUP on a window's delete
// would stop reaching the program. The TIOCSTI injection --new-session
// guards against needs a terminal shared with something outside; this
// pty is the sandbox's own (grio only reads its output).
std::vector<std::string> sandbox_argv(const std::string& bwrap, const SandboxConfig& cfg, const Sandbox& s,
                                      std::vector<std::string> argv, const std::string& cd) {
  if (argv.empty()) {
    const char* shell = std::getenv("SHELL");
    argv.push_back(shell && *shell ? shell : "/bin/sh");
  }
  std::string home = owner_home(cfg);
  if (home.empty()) home = s.dir + "/home";
  std::vector<std::string> a = {bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                                "--bind", s.dir + "/tmp", "/tmp"};
  for (auto& d : hidden(cfg)) a.insert(a.end(), {"--tmpfs", d});
  a.insert(a.end(), {"--bind", s.dir + "/home", home});
  if (!s.sockets.empty()) a.insert(a.end(), {"--ro-bind", s.sockets, s.sockets});
  for (auto& p : programs_of(cfg)) a.insert(a.end(), {"--ro-bind", p, p});
  // A user namespace even for root (no capability over what is outside),
  // and a pid namespace: other processes of the owner's uid can be neither
  // seen nor signalled nor ptraced from inside.
  a.insert(a.end(), {"--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent"});
  if (!s.net) a.push_back("--unshare-net");
  a.insert(a.end(), {"--setenv", "HOME", home, "--setenv", "TMPDIR", "/tmp", "--chdir", cd.empty() ? home : cd, "--"});
  a.insert(a.end(), argv.begin(), argv.end());
  return a;
}

}  // namespace grio::wsys

// grio view on real processes over loopback (issue 17's benchmark): a grio
// desktop on one Xvfb display, `grio view` of it on another, the viewer's
// connection passing through a proxy here that counts its bytes.
//
//   bytes: a window of 200x60 cells on the desktop, alone, holding 59 lines
//     of bench_util's text (80 to 200 columns, as bench_view's):
//       full:   from `grio view` dialling until its screen shows the last
//               line and the connection has been quiet for 500 ms (9P's
//               version, attach, walks and opens, the viewer's size, and
//               the frames: everything both ways);
//       scroll: one more line written to the window's cons (not through
//               the proxy): the window scrolls by one row;
//       key:    `xdotool key x` on the viewer's display: the input event's
//               Twrite and Rwrite, the feed's Rread of the echo and the
//               Tread that asked for it.
//     Baseline: x11vnc serving the same text in an xterm of 200x60 (same
//     font) on a third display to xtigervncviewer on a fourth, through the
//     same kind of proxy (TCP on 127.0.0.1); the scroll is a line appended
//     to a file the xterm's `tail -f` prints, the key one typed into the
//     VNC viewer and echoed by the xterm's tty. Ratios: grio over VNC, and
//     the full screen over the bytes of its text (target: at most 1x; the
//     key and its echo under 100 bytes).
//   latency: one character written to the window's cons (a 9P client in
//     this process, straight to the desktop); two threads poll the same
//     text row on the desktop's display and on the viewer's with
//     XGetImage until it differs from before the write. The desktop's time
//     is the baseline; target: the viewer's within 1 ms plus one frame
//     (16.7 ms) of it, each sample. 20 samples, 20 to 60 ms apart.
//   cat: `cat` of 50 MB in a window of the viewed desktop; once cat has
//     finished, both displays are polled until a text row of the window
//     starts with the file's last line (as bench_desktop matches it).
//     Target: the viewer within 100 ms of the desktop. The desktop's VmRSS
//     before, at its peak (sampled every 20 ms) and after; the baseline is
//     the same cat on a fresh desktop that nobody views.
//
// Everything started here runs in its own process group and is killed by
// pid at the end, also when the bench fails.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fonts/font.h"
#include "net/client.h"
#include "tests/bench/bench_procs.h"
#include "tests/bench/bench_util.h"
#include "tests/child.h"
#include "wsys/scene.h"

// Last: Xlib defines names (Status, None) as macros.
#include "tests/bench/bench_x.h"

using Clock = std::chrono::steady_clock;
using namespace grio::bench;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using grio::wsys::Rect;

namespace {

constexpr int screen_w = 1680, screen_h = 1050, cols = 200, rows = 60;
constexpr size_t cat_bytes = 50'000'000;





template <class Pred>
void until(Pred pred, const std::string& what, std::chrono::milliseconds limit = 30s,
           std::chrono::milliseconds period = 2ms) {
  for (auto end = Clock::now() + limit; !pred(); std::this_thread::sleep_for(period))
    if (Clock::now() > end) fail("timed out waiting for " + what);
}

// Runs a short command to completion; its stdout.
std::string run(std::vector<std::string> args) {
  pid_t p = spawn(args, workdir / "run.out", workdir / "run.err");
  auto st = grio::test::wait_exit(p, 20s);
  std::erase(started, p);
  if (!st || *st != 0) fail(args[0] + " " + args[1] + ": " + slurp(workdir / "run.err"));
  return slurp(workdir / "run.out");
}

// An Xvfb of screen_w x screen_h on a display it picks; its name (":N").
std::string start_xvfb(const std::string& name) {
  int p[2];
  if (::pipe(p) != 0) fail("pipe");
  spawn({"Xvfb", "-displayfd", std::to_string(p[1]), "-screen", "0",
         std::to_string(screen_w) + "x" + std::to_string(screen_h) + "x24", "-dpi", "96", "-nolisten", "tcp", "-br"},
        "/dev/null", workdir / (name + ".xvfb.err"), p[1]);
  ::close(p[1]);
  pollfd pf{p[0], POLLIN, 0};
  if (::poll(&pf, 1, 20000) != 1) fail("Xvfb did not start");
  std::string line;
  char c;
  while (::read(p[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(p[0]);
  return ":" + line;
}


std::unique_ptr<grio::fonts::Font> default_font() {
  std::string err;
  auto f = grio::fonts::Font::open(grio::fonts::FontSpec{"monospace", 10, 96}, err);
  if (!f) fail("font: " + err);
  return f;
}


std::u32string head_of(const std::string& line) {
  return std::u32string(line.begin(), line.begin() + long(std::min<size_t>(line.find('\n'), 40)));
}

// A proxy that counts the bytes of the connections it carries, both ways.
class Proxy {
 public:
  // Listens on the Unix socket path, or on 127.0.0.1 (a port it picks)
  // when path is empty; each connection is carried to upstream().
  Proxy(const std::string& path, std::function<int()> upstream) : upstream_(std::move(upstream)) {
    if (!path.empty()) {
      lfd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
      if (::bind(lfd_, (sockaddr*)&a, sizeof a) != 0) fail("proxy bind " + path);
    } else {
      lfd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      socklen_t n = sizeof a;
      if (::bind(lfd_, (sockaddr*)&a, n) != 0 || ::getsockname(lfd_, (sockaddr*)&a, &n) != 0) fail("proxy bind");
      port = ntohs(a.sin_port);
    }
    if (::listen(lfd_, 4) != 0) fail("proxy listen");
    accepter_ = std::thread([this] { accept_loop(); });
  }
  ~Proxy() {
    ::shutdown(lfd_, SHUT_RDWR);
    accepter_.join();
    ::close(lfd_);
    {
      std::lock_guard lock(m_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : pumps_) t.join();
    for (int fd : fds_) ::close(fd);
  }
  uint64_t total() const { return up + down; }
  // Waits until no byte has passed for quiet; the total then.
  uint64_t settle(std::chrono::milliseconds quiet = 500ms, std::chrono::milliseconds limit = 20s) {
    uint64_t last = total();
    auto changed = Clock::now(), end = changed + limit;
    while (Clock::now() < end) {
      std::this_thread::sleep_for(10ms);
      if (uint64_t t = total(); t != last) last = t, changed = Clock::now();
      else if (Clock::now() - changed >= quiet) return last;
    }
    fail("the connection never went quiet");
  }
  // The 9P messages recorded meanwhile, one way: "Twrite 30 \"k 0 78\""
  // for each (a Twrite's data quoted, its lines joined by |). keys: the
  // bytes of the Twrite of typed runes (with a "k" line), of its Rwrite
  // (11), and of the feed's Treads and Rreads, added up.
  std::string messages(bool from_client, size_t& keys) {
    std::lock_guard lock(m_);
    const std::string& s = from_client ? rec_up : rec_down;
    std::string out;
    for (size_t at = 0; at + 5 <= s.size();) {
      uint32_t n = uint8_t(s[at]) | uint8_t(s[at + 1]) << 8 | uint8_t(s[at + 2]) << 16 |
                   uint32_t(uint8_t(s[at + 3])) << 24;
      int type = uint8_t(s[at + 4]);
      const char* names[] = {"Tread", "Rread", "Twrite", "Rwrite"};
      out += type >= 116 && type <= 119 ? names[type - 116] : "type " + std::to_string(type);
      out += " " + std::to_string(n);
      if (type == 118 && n > 23 && at + n <= s.size()) {
        std::string data = s.substr(at + 23, n - 23);
        if (data.rfind("k ", 0) == 0 || data.find("\nk ") != std::string::npos) keys += n + 11;
        while (!data.empty() && data.back() == '\n') data.pop_back();
        std::replace(data.begin(), data.end(), '\n', '|');
        out += " \"" + data + "\"";
      }
      if (type == 116 || type == 117) keys += n;
      out += ", ";
      at += n;
    }
    return out.empty() ? out : out.substr(0, out.size() - 2);
  }
  int port = 0;
  std::atomic<uint64_t> up{0}, down{0};  // from the client, from the server
  std::atomic<bool> recording{false};
  std::string rec_up, rec_down;

 private:
  void accept_loop() {
    for (;;) {
      int c = ::accept4(lfd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      int s = upstream_();
      if (s < 0) fail("proxy: cannot reach the server");
      std::lock_guard lock(m_);
      fds_.push_back(c), fds_.push_back(s);
      pumps_.emplace_back([this, c, s] { pump(c, s, up, rec_up); });
      pumps_.emplace_back([this, c, s] { pump(s, c, down, rec_down); });
    }
  }
  void pump(int from, int to, std::atomic<uint64_t>& count, std::string& rec) {
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(from, buf, sizeof buf);
      if (n <= 0) break;
      count += uint64_t(n);
      if (recording) {
        std::lock_guard lock(m_);
        rec.append(buf, size_t(n));
      }
      for (ssize_t at = 0; at < n;) {
        ssize_t w = ::write(to, buf + at, size_t(n - at));
        if (w <= 0) return;
        at += w;
      }
    }
    ::shutdown(to, SHUT_WR);
  }
  std::function<int()> upstream_;
  int lfd_ = -1;
  std::thread accepter_;
  std::mutex m_;
  std::vector<int> fds_;
  std::vector<std::thread> pumps_;
};

int dial_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  if (::connect(fd, (sockaddr*)&a, sizeof a) != 0) return ::close(fd), -1;
  return fd;
}

int dial_tcp(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(uint16_t(port));
  if (::connect(fd, (sockaddr*)&a, sizeof a) != 0) return ::close(fd), -1;
  return fd;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t n = sizeof a;
  ::bind(fd, (sockaddr*)&a, n);
  ::getsockname(fd, (sockaddr*)&a, &n);
  ::close(fd);
  return ntohs(a.sin_port);
}

double load() {
  double l[1] = {0};
  ::getloadavg(l, 1);
  return l[0];
}

long rss_kb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

// A grio desktop on a display of its own, with its windows deleted.
struct Desk {
  std::string display, addr, sock;
  pid_t grio = -1;
  explicit Desk(const std::string& name) {
    display = start_xvfb(name);
    sock = (workdir / (name + ".sock")).string();
    fs::path out = workdir / (name + ".out");
    grio = spawn({"env", "DISPLAY=" + display, GRIO_BINARY, "--listen", "unix!" + sock}, out,
                 workdir / (name + ".err"));
    std::string o;
    until([&] {
      o = slurp(out);
      size_t at = o.find("wsys='");
      return at != std::string::npos && o.find('\n', at) != std::string::npos;
    }, "grio to start");
    addr = o.substr(o.find("wsys='") + 6);
    addr = addr.substr(0, addr.find('\''));
    until([&] { return !ids().empty(); }, "the desktop's first window", 10s, 20ms);
    for (auto& id : ids()) wctl(id, "delete");
    until([&] { return ids().empty(); }, "the desktop's windows to go");
  }
  std::vector<std::string> ids() {
    std::string ls = run({GRIO_BINARY, "9p", "-a", addr, "ls", "/wsys"});
    std::vector<std::string> v;
    for (size_t at = 0, nl; (nl = ls.find('\n', at)) != std::string::npos; at = nl + 1)
      if (ls[at] >= '0' && ls[at] <= '9') v.push_back(ls.substr(at, nl - at));
    return v;
  }
  void wctl(const std::string& id, const std::string& msg) {
    run({"sh", "-c", "echo " + msg + " | '" + GRIO_BINARY + "' 9p -a '" + addr + "' write /wsys/" + id + "/wctl"});
  }
  // A window at r running argv; its id.
  std::string window(Rect r, std::vector<std::string> argv) {
    auto before = ids();
    std::vector<std::string> a{"env", "DISPLAY=" + display, "wsys=" + addr, GRIO_BINARY, "window", "-r",
                               std::to_string(r.min.x), std::to_string(r.min.y), std::to_string(r.max.x),
                               std::to_string(r.max.y)};
    a.insert(a.end(), argv.begin(), argv.end());
    spawn(a, "/dev/null", workdir / "window.err");
    std::string id;
    until([&] {
      for (auto& i : ids())
        if (std::find(before.begin(), before.end(), i) == before.end()) id = i;
      return !id.empty();
    }, "a new window", 10s, 20ms);
    return id;
  }
};

// A 9P client's open cons of a window, written to from here.
struct Cons {
  std::unique_ptr<grio::net::SyncClient> c;
  uint32_t fid = 0;
  Cons(const std::string& addr, const std::string& id) {
    grio::net::Error err;
    c = grio::net::SyncClient::dial(addr, "none", err);
    if (!c) fail("dial " + addr + ": " + err);
    auto f = c->walk_path("wsys/" + id + "/cons");
    if (!f || !c->open(*f, grio::ninep::OWRITE)) fail("cons of window " + id);
    fid = *f;
  }
  void write(std::string_view s) {
    if (!c->write(fid, 0, s)) fail("write to cons");
  }
};

void xdo(const std::string& display, const std::string& args) {
  run({"sh", "-c", "DISPLAY=" + display + " timeout 10 xdotool " + args});
}

struct Bytes {
  uint64_t full = 0, full_down = 0, scroll = 0, key = 0;
};

// The screen's 59 lines and the line that scrolls it, as bench_view's.
struct Text {
  std::vector<std::string> lines;
  std::string screen;
  Text() {
    make_text(workdir / "words", 1 << 16);
    std::string text = slurp(workdir / "words");
    for (size_t at = 0; at < text.size() && lines.size() < 100;) {
      size_t nl = text.find('\n', at);
      std::string l = text.substr(at, nl - at);
      l = (l + " " + l).substr(0, 80 + lines.size() * 37 % 121);
      lines.push_back(l + "\n");
      at = nl + 1;
    }
    for (int i = 0; i < rows - 1; i++) screen += lines[size_t(i)];
  }
};

// The window of cols x rows cells, on both screens at the same place.
Rect big_window(grio::fonts::Font& f) {
  Rect r = grio::wsys::rect(20, 20, 20 + 26 + cols * f.width(), 20 + 10 + rows * f.height());
  Rect t = grio::wsys::text_rect(r);
  if (t.dx() / f.width() != cols || t.dy() / f.height() != rows)
    fail("the window is not " + std::to_string(cols) + "x" + std::to_string(rows) + " cells");
  return r;
}

struct Latency {
  std::vector<double> desk_ms, view_ms;
};

// Polls r on display until it differs from before; the time it did.
Clock::time_point changed(XScreen& x, Rect r, const std::string& before) {
  auto end = Clock::now() + 5s;
  for (;;) {
    auto now = Clock::now();
    if (x.raw(r) != before) return now;
    if (now > end) fail("the screen did not change");
    std::this_thread::sleep_for(200us);  // two pollers and two desktops share 2 cores
  }
}

Latency latency(Desk& d, const std::string& view_display, Cons& cons, Rect row) {
  XScreen xd(d.display), xv(view_display);
  Latency l;
  std::mt19937 rng(1);
  for (int i = 0; i < 20; i++) {
    std::string bd = xd.raw(row), bv = xv.raw(row);
    Clock::time_point td, tv;
    std::atomic<bool> go{false};
    std::thread a([&] {
      while (!go) std::this_thread::yield();
      td = changed(xd, row, bd);
    });
    std::thread b([&] {
      while (!go) std::this_thread::yield();
      tv = changed(xv, row, bv);
    });
    auto t0 = Clock::now();
    go = true;
    cons.write("k");
    a.join(), b.join();
    l.desk_ms.push_back(std::chrono::duration<double, std::milli>(td - t0).count());
    l.view_ms.push_back(std::chrono::duration<double, std::milli>(tv - t0).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 40));
  }
  return l;
}

double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

// The cat of 50 MB in a new window at r of d; the seconds until d's screen
// (and the viewer's, if there is one) shows the last line; RSS samples.
struct Cat {
  double desk_s = 0, view_s = 0;
  long before = 0, peak = 0, after = 0;
};

Cat cat(Desk& d, const std::string* view_display, Rect r, const fs::path& file, const std::string& tail) {
  Cat c;
  c.before = c.peak = rss_kb(d.grio);
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) c.peak = std::max(c.peak, rss_kb(d.grio)), std::this_thread::sleep_for(20ms);
  });
  fs::path done = workdir / "cat.done";
  fs::remove(done);
  auto t0 = Clock::now();
  d.window(r, {"sh", "-c", "cat '" + file.string() + "'; : > '" + done.string() + "'; exec sleep 1000"});
  until([&] { return fs::exists(done); }, "cat to finish", 120s, 5ms);
  auto font = default_font();
  auto head = head_of(tail);
  Rect t = grio::wsys::text_rect(r);
  auto poll = [&](const std::string& display, double& s) {
    XScreen x(display);
    auto f = default_font();
    until([&] {
      s = since(t0);
      return line_on_screen(x, *f, t, head);
    }, "the last line on " + display, 30s, 1ms);
  };
  std::thread dv;
  if (view_display) dv = std::thread([&] { poll(*view_display, c.view_s); });
  poll(d.display, c.desk_s);
  if (dv.joinable()) dv.join();
  std::this_thread::sleep_for(1s);
  sampling = false;
  sampler.join();
  c.after = rss_kb(d.grio);
  return c;
}

Bytes grio_bytes(Desk& d, const std::string& view_display, const Text& text, Rect r, Cons& cons, pid_t& viewer,
                 std::unique_ptr<Proxy>& proxy) {
  Bytes b;
  auto font = default_font();
  Rect t = grio::wsys::text_rect(r);
  cons.write(text.screen);
  XScreen xd(d.display), xv(view_display);
  auto shows = [&](XScreen& x, int line) { return line_on_screen(x, *font, t, head_of(text.lines[size_t(line)])); };
  until([&] { return shows(xd, rows - 2); }, "the text on the desktop", 10s, 5ms);
  std::string sock = d.sock;
  proxy = std::make_unique<Proxy>((workdir / "proxy.sock").string(), [sock] { return dial_unix(sock); });
  viewer = spawn({"env", "DISPLAY=" + view_display, GRIO_BINARY, "view", "unix!" + (workdir / "proxy.sock").string()},
                 "/dev/null", workdir / "view.err");
  until([&] { return shows(xv, rows - 2); }, "the text in the viewer", 20s, 5ms);
  b.full = proxy->settle();
  b.full_down = proxy->down;
  // The pointer into the window, on its last row (the end of the text):
  // the keys go to the viewer's window and the window stays current.
  xdo(view_display, "mousemove " + std::to_string(t.min.x + 400) + " " +
                        std::to_string(t.max.y - font->height() / 2) + " click 1");
  uint64_t at = proxy->settle();
  cons.write(text.lines[rows - 1]);
  until([&] { return shows(xv, rows - 1); }, "the scroll in the viewer", 10s, 5ms);
  b.scroll = proxy->settle() - at;
  return b;
}

uint64_t grio_key(Proxy& proxy, const std::string& view_display, Rect row) {
  XScreen xv(view_display);
  std::string before = xv.raw(row);
  uint64_t at = proxy.settle();
  proxy.recording = true;
  xdo(view_display, "key x");
  changed(xv, row, before);
  uint64_t n = proxy.settle() - at;
  proxy.recording = false;
  return n;
}

Bytes vnc_bytes(const Text& text) {
  Bytes b;
  std::string xd = start_xvfb("vncx"), vd = start_xvfb("vncv");
  fs::path screen = workdir / "screen.txt", more = workdir / "more.txt";
  std::ofstream(screen) << text.screen;
  std::ofstream(more) << "";
  spawn({"env", "DISPLAY=" + xd, "xterm", "-fa", "monospace", "-fs", "10", "-geometry",
         std::to_string(cols) + "x" + std::to_string(rows) + "+20+20", "-e", "sh", "-c",
         "cat '" + screen.string() + "'; exec tail -n0 -f '" + more.string() + "'"},
        "/dev/null", workdir / "xterm.err");
  std::this_thread::sleep_for(1s);
  int port = free_port();
  spawn({"x11vnc", "-display", xd, "-localhost", "-rfbport", std::to_string(port), "-nopw", "-forever", "-shared",
         "-quiet"},
        workdir / "x11vnc.out", workdir / "x11vnc.err");
  until([&] {
    int fd = dial_tcp(port);
    if (fd >= 0) ::close(fd);
    return fd >= 0;
  }, "x11vnc to listen", 20s, 50ms);
  Proxy proxy("", [port] { return dial_tcp(port); });
  // ZRLE, lossless and compressed as the feed is: on loopback the
  // viewer's own choice is Raw, hundreds of KB a screen.
  spawn({"env", "DISPLAY=" + vd, "xtigervncviewer", "-AutoSelect=0", "-PreferredEncoding=ZRLE",
         "127.0.0.1::" + std::to_string(proxy.port)},
        "/dev/null",
        workdir / "vncviewer.err");
  until([&] { return proxy.down > 10000; }, "the VNC viewer's first screen", 20s, 10ms);
  b.full = proxy.settle(1000ms);
  b.full_down = proxy.down;
  xdo(vd, "mousemove 800 " + std::to_string(screen_h - 100) + " click 1");  // the keyboard's focus
  uint64_t at = proxy.settle(1000ms);
  std::ofstream(more, std::ios::app) << text.lines[rows - 1];
  b.scroll = proxy.settle(1000ms) - at;
  xdo(vd, "search --maxdepth 1 --onlyvisible --class '' windowfocus key x");
  at = b.scroll + at;
  b.key = proxy.settle(1000ms) - at;
  return b;
}

}  // namespace

int main() {
  bench_name = "bench_viewer";
  XInitThreads();
  std::signal(SIGPIPE, SIG_IGN);
  ::setenv("SHELL", "/bin/sh", 1);
  workdir = fs::temp_directory_path() / ("bench_viewer." + std::to_string(getpid()));
  fs::create_directories(workdir);
  Text text;
  auto font = default_font();
  Rect r = big_window(*font);
  Rect t = grio::wsys::text_rect(r);
  size_t text_bytes = text.screen.size();

  std::printf("grio view over loopback, a %dx%d window (load %.2f)\n", cols, rows, load());
  Desk d("desk");
  std::string vd = start_xvfb("view");
  std::string id = d.window(r, {"sleep", "100000"});
  Cons cons(d.addr, id);
  pid_t viewer = -1;
  std::unique_ptr<Proxy> proxy;
  Bytes g = grio_bytes(d, vd, text, r, cons, viewer, proxy);
  // The cursor's row: the last of the text area.
  Rect last_row{{t.min.x, t.max.y - font->height()}, t.max};
  last_row.max.y = last_row.min.y + font->height();
  Latency l = latency(d, vd, cons, last_row);
  g.key = grio_key(*proxy, vd, last_row);
  Bytes v = vnc_bytes(text);
  std::printf("bytes on the wire, both ways      grio      VNC   grio/VNC\n");
  std::printf("  full screen (text %zu B)  %8llu %8llu   %6.2f   grio %.2fx its text, VNC %.2fx (target <= 1x)\n",
              text_bytes, (unsigned long long)g.full, (unsigned long long)v.full, double(g.full) / double(v.full),
              double(g.full) / double(text_bytes), double(v.full) / double(text_bytes));
  std::printf("    of which from the server     %8llu %8llu\n", (unsigned long long)g.full_down,
              (unsigned long long)v.full_down);
  std::printf("  scroll by one line             %8llu %8llu   %6.2f   (the line %zu B)\n",
              (unsigned long long)g.scroll, (unsigned long long)v.scroll, double(g.scroll) / double(v.scroll),
              text.lines[rows - 1].size());
  std::printf("  key and its echo               %8llu %8llu   %6.2f   (target < 100 B: %s)\n",
              (unsigned long long)g.key, (unsigned long long)v.key, double(g.key) / double(v.key),
              g.key < 100 ? "met" : "not met");
  size_t keys = 0;
  std::string from_viewer = proxy->messages(true, keys), from_server = proxy->messages(false, keys);
  std::printf("    grio's messages: from the viewer %s; from the server %s\n", from_viewer.c_str(),
              from_server.c_str());
  std::printf("    of which the keys' Twrite and Rwrite, the feed's Tread and Rread: %zu B (target < 100 B: %s)\n",
              keys, keys < 100 ? "met" : "not met");
  int within = 0;
  for (size_t i = 0; i < l.desk_ms.size(); i++) within += l.view_ms[i] <= l.desk_ms[i] + 1 + 1000.0 / 60;
  std::printf("cons write to screen, ms      desktop   viewer   viewer/desktop (load %.2f)\n", load());
  std::printf("  p50                          %7.2f  %7.2f   %6.2f\n", pct(l.desk_ms, 0.5), pct(l.view_ms, 0.5),
              pct(l.view_ms, 0.5) / pct(l.desk_ms, 0.5));
  std::printf("  max                          %7.2f  %7.2f   %6.2f\n", pct(l.desk_ms, 1), pct(l.view_ms, 1),
              pct(l.view_ms, 1) / pct(l.desk_ms, 1));
  std::printf("  viewer within desktop + 1 ms + a frame: %d of %zu samples\n", within, l.desk_ms.size());

  fs::path big = workdir / "big.txt";
  make_text(big, cat_bytes);
  std::string all = slurp(big);
  std::string tail = all.substr(all.rfind('\n', all.size() - 2) + 1);
  all.clear(), all.shrink_to_fit();
  Cat cv = cat(d, &vd, r, big, tail);
  Desk plain("plain");
  Cat cp = cat(plain, nullptr, r, big, tail);
  std::printf("cat of 50 MB, last line shown   desktop %.3f s, viewer %.3f s: %+.0f ms (target <= 100 ms: %s)\n",
              cv.desk_s, cv.view_s, (cv.view_s - cv.desk_s) * 1000,
              cv.view_s - cv.desk_s <= 0.1 ? "met" : "not met");
  std::printf("  desktop VmRSS, viewed:      before %6ld KB, peak %6ld KB, after %6ld KB (grew %ld KB)\n", cv.before,
              cv.peak, cv.after, cv.after - cv.before);
  std::printf("  desktop VmRSS, not viewed:  before %6ld KB, peak %6ld KB, after %6ld KB (grew %ld KB)\n", cp.before,
              cp.peak, cp.after, cp.after - cp.before);
  std::printf("  peak growth viewed / not viewed: %.2f (load %.2f)\n",
              double(cv.peak - cv.before) / double(std::max(1L, cp.peak - cp.before)), load());
  proxy.reset();
  kill_started();
  fs::remove_all(workdir);
  return 0;
}

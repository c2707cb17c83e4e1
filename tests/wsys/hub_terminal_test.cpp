// grio hub on a terminal, on the server's machine: the server takes the
// terminal over (hub/NAME/tty) and the client keeps only the % commands.
// The hand-over's rules through 9P: who may, what may be handed, and the
// errors for everything else.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <termios.h>
#include <sys/uio.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <functional>
#include <thread>
#include <vector>

#include "tests/net/process.h"
#include "tests/wsys/grio_serve.h"
#include "tests/wsys/served_wsys.h"
#include "term/pty.h"

using namespace grio;
using namespace grio::test;
using namespace std::chrono_literals;

namespace {

// A grio hub client on a pty of its own.
struct Typist {
  term::PtyProcess p;
  std::string seen;
  explicit Typist(std::vector<std::string> argv, bool handover = true, unsigned short cols = 80,
                  unsigned short rows = 24) {
    term::PtyConfig pc;
    pc.argv = std::move(argv);
    pc.cols = cols;
    pc.rows = rows;
    pc.env = {{"SHELL", "/bin/sh"}, {"GRIO_HUB_HANDOVER", handover ? "1" : "0"}};
    std::string err;
    auto got = term::start_pty(pc, err);
    REQUIRE(got);
    p = *got;
  }
  ~Typist() {
    if (p.pid > 0) {
      ::kill(p.pid, SIGKILL);
      term::reap(p.pid, 5s);
    }
    ::close(p.master);
  }
  void type(const std::string& s) { REQUIRE(term::write_input(p.master, s) == long(s.size())); }
  // Reads the client's terminal until what shows after `from`, for 10 s.
  bool shows(const std::string& what, size_t from = 0) {
    auto t0 = std::chrono::steady_clock::now();
    while (seen.find(what, from) == std::string::npos) {
      if (std::chrono::steady_clock::now() - t0 > 10s) return false;
      pollfd q{p.master, POLLIN, 0};
      if (::poll(&q, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(p.master, buf, sizeof buf);
      if (n > 0) seen.append(buf, size_t(n));
    }
    return true;
  }
  std::string tty() const { return ::ptsname(p.master); }
};

// Whether process pid has path open.
bool holds(pid_t pid, const std::string& path) {
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec))
    if (std::filesystem::read_symlink(e.path(), ec) == path) return true;
  return false;
}

bool eventually(auto pred) {
  for (int i = 0; i < 100; i++, std::this_thread::sleep_for(100ms))
    if (pred()) return true;
  return false;
}

// n bytes from a hub, in as many reads as they take.
std::string read(Wire& w, uint32_t fid, size_t n) {
  std::string got;
  for (int i = 0; i < 20 && got.size() < n; i++) got += w.rpc<Rread>(4, Tread{fid, 0, 8000}).data;
  return got;
}

void hello(Wire& w, const std::string& aname = "none") {
  w.rpc<Rversion>(NOTAG, Tversion{65536, "9P2000"});
  w.rpc<Rattach>(1, Tattach{0, NOFID, "tester", aname});
}

// Sends m on sock with descriptor fd passed along (SCM_RIGHTS), as grio
// hub sends its attach.
void send_fd(int sock, uint16_t tag, Msg m, int fd) {
  auto b = encode(Fcall{tag, std::move(m)});
  iovec iov{b.data(), b.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr h{};
  h.msg_iov = &iov;
  h.msg_iovlen = 1;
  h.msg_control = control;
  h.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&h);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  REQUIRE(::sendmsg(sock, &h, MSG_NOSIGNAL) == ssize_t(b.size()));
}

// A tty write with fd passed: "" when taken, else the error.
std::string attach_fd(Wire& w, int sock, uint32_t fid, const std::string& msg, int fd) {
  send_fd(sock, 4, Twrite{fid, 0, msg}, fd);
  auto f = w.recv();
  auto* e = std::get_if<Rerror>(&f.msg);
  return e ? e->ename : "";
}

// A pty: the master, and a fresh open of its terminal.
struct Pty {
  int master = -1, term = -1;
  Pty() {
    master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    term = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(term >= 0);
  }
  ~Pty() {
    ::close(term);
    ::close(master);
  }
  bool opost() const {
    termios t{};
    REQUIRE(::tcgetattr(term, &t) == 0);
    return t.c_oflag & OPOST;
  }
  // What the master reads, until it holds n bytes (10 s at most).
  std::string read(size_t n) {
    std::string got;
    for (int i = 0; i < 100 && got.size() < n; i++) {
      pollfd q{master, POLLIN, 0};
      if (::poll(&q, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t k = ::read(master, buf, sizeof buf);
      if (k > 0) got.append(buf, size_t(k));
    }
    return got;
  }
};

size_t open_fds() {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) n++;
  return n;
}

}  // namespace

TEST_CASE("grio hub on a terminal here hands it to the server, % commands stay the client's, a killed client's terminal is let go",
          "[wsys][hub]") {
  GrioServe g;
  auto &addr = g.addr;
  auto &serve = g.serve;
  Typist t({GRIO_BINARY, "hub", "--wsys", addr, "h1"});
  REQUIRE(t.shows("attached to h1"));
  // The server holds the client's terminal: keys and echoes skip the client,
  // which no longer reads hub 1 (an unread reader would hold back a
  // session in fear): the terminal's is its one reader.
  CHECK(eventually([&] { return holds(serve.pid(), t.tty()); }));
  auto ctl = run(std::string(GRIO_BINARY) + " 9p -a " + addr + " read hub/h1/ctl").out;
  size_t one = ctl.find("\n1 cap ");
  REQUIRE(one != std::string::npos);
  CHECK(ctl.substr(one, ctl.find('\n', one + 1) - one).find(" readers 1 ") != std::string::npos);
  CHECK(ctl.find(" 1 client\n") != std::string::npos);  // the terminal handed over is attached
  CHECK(ctl.find("\nclient owner typing since ") != std::string::npos);
  t.type("echo hi-$((6*7))\n");
  CHECK(t.shows("hi-42"));
  // A % command goes to the client, which reads the rest of its line.
  size_t at = t.seen.size();
  t.type("%sta");
  t.type("tus\n");
  CHECK(t.shows("session h1 running", at));
  // And the keys are the server's again; DEL interrupts what runs.
  at = t.seen.size();
  t.type("sleep 30\n");
  std::this_thread::sleep_for(300ms);
  t.type("\x7f");
  t.type("echo back-$((2+2))\n");
  CHECK(t.shows("back-4", at));
  // A client killed without a word: the server lets the terminal go and the
  // session runs on.
  ::kill(t.p.pid, SIGKILL);
  term::reap(t.p.pid, 5s);
  t.p.pid = -1;
  CHECK(eventually([&] { return !holds(serve.pid(), t.tty()); }));
  auto ls = run(std::string(GRIO_BINARY) + " 9p -a " + addr + " read hub/ctl");
  CHECK(ls.out.find("h1/ running") != std::string::npos);
  // A watcher's terminal is handed over too; what it types is not sent.
  Typist w({GRIO_BINARY, "hub", "--watch", "--wsys", addr, "h1"});
  REQUIRE(w.shows("back-4"));
  CHECK(eventually([&] { return holds(serve.pid(), w.tty()); }));
  w.type("echo bad-$((2*3))\n");
  CHECK(w.shows("[grio hub: read-only: your keys are not sent]"));
  Typist u({GRIO_BINARY, "hub", "--wsys", addr, "h1"});
  REQUIRE(u.shows("attached to h1"));
  at = u.seen.size();
  u.type("echo good-$((3*3))\n");
  CHECK(u.shows("good-9", at));
  CHECK(w.shows("good-9"));
  CHECK(u.seen.find("bad-6") == std::string::npos);
  // %detach leaves; the client gives its terminal back first.
  w.type("%detach\n");
  CHECK(term::reap(w.p.pid, 10s).has_value());
  w.p.pid = -1;
  CHECK(!holds(serve.pid(), w.tty()));
}

namespace {

// The line a terminal shows last, from what was written to it: \r goes to
// the line's start, \b back a column, other bytes overwrite, a UTF-8
// rune one column.
std::string last_line(const std::string& written) {
  std::vector<std::string> cells;
  size_t col = 0;
  for (char c : written) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') cells.clear(), col = 0;
    else if (c == '\r') col = 0;
    else if (c == '\b') col = col > 0 ? col - 1 : 0;
    else if ((u & 0xC0) == 0x80 && col > 0) cells[col - 1] += c;  // the rune goes on
    else if (u >= 0x20) {
      if (col < cells.size()) cells[col] = std::string(1, c);
      else cells.push_back(std::string(1, c));
      col++;
    }
  }
  std::string line;
  for (auto& cell : cells) line += cell;
  return line;
}

// The same, blanks after the text dropped: they show as nothing.
std::string shown(const std::string& written) {
  std::string line = last_line(written);
  return line.substr(0, line.find_last_not_of(' ') + 1);
}

// Reads t's terminal until pred holds of what it shows, for 10 s.
bool until(Typist& t, const std::function<bool()>& pred) {
  for (int i = 0; i < 100 && !pred(); i++) {
    pollfd q{t.p.master, POLLIN, 0};
    if (::poll(&q, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(t.p.master, buf, sizeof buf);
    if (n > 0) t.seen.append(buf, size_t(n));
  }
  return pred();
}

}  // namespace

// Issue 14 item 2: each key of a % line was drawn at column 0, over the
// prompt (`\r` before it), so the line being typed could not be seen.
TEST_CASE("grio hub shows a % line after the prompt as it is typed and erases with ^H ^W ^U", "[wsys][hub]") {
  GrioServe g;
  for (bool handover : {true, false}) {
    INFO("hand-over " << handover);
    std::string name = handover ? "e1" : "e2";
    Typist t({GRIO_BINARY, "hub", "--wsys", g.addr, name}, handover);
    REQUIRE(t.shows("attached to " + name));
    t.type("echo hi-$((6*7))\n");
    REQUIRE(t.shows("hi-42"));
    REQUIRE(until(t, [&] { return !last_line(t.seen).empty(); }));  // the prompt
    std::string prompt = last_line(t.seen);
    t.type("%stat");
    CHECK(until(t, [&] { return shown(t.seen) == prompt + "%stat"; }));
    t.type("x\b\u00e9\b");  // typed, erased: a rune is one column
    t.type("us no");
    t.type("\x17");  // ^W: the word
    t.type("\x7f");  // DEL: the space
    CHECK(until(t, [&] { return shown(t.seen) == prompt + "%status"; }));
    INFO(t.seen);
    size_t at = t.seen.size();
    t.type("\n");
    CHECK(t.shows("session " + name + " running", at));
    t.type("%list\x15" "det");  // ^U: back to the %
    CHECK(until(t, [&] { return shown(t.seen) == "%det"; }));
    t.type("ach\n");
    CHECK(term::reap(t.p.pid, 10s).has_value());
    t.p.pid = -1;
  }
}

TEST_CASE("hub/NAME/tty: only the owner here hands over a terminal it holds, only a terminal, and the errors for the rest",
          "[wsys][hub]") {
  Wsys s;
  int sock = s.connect_fd();
  Wire a(sock);
  hello(a);
  a.rpc<Rwalk>(2, Twalk{0, 1, {"hub", "ctl"}});
  a.rpc<Ropen>(3, Topen{1, OWRITE});
  a.rpc<Rwrite>(4, Twrite{1, 0, "new s"});
  a.rpc<Rwalk>(2, Twalk{0, 2, {"hub", "s", "tty"}});
  CHECK(a.fails(3, Topen{2, OREAD}) == "tty is opened for reading and writing");
  a.rpc<Ropen>(3, Topen{2, ORDWR});
  CHECK(a.fails(4, Tread{2, 0, 100}) == "no terminal attached");
  CHECK(a.fails(4, Twrite{2, 0, "take"}) == "bad tty message");
  CHECK(a.fails(4, Twrite{2, 0, "attach watch please"}) == "bad tty message");
  // A terminal is never named: a path would reach anyone's terminal.
  Pty other;
  CHECK(a.fails(4, Twrite{2, 0, std::string("attach ") + ::ptsname(other.master)}) == "bad tty message");
  CHECK(a.fails(4, Twrite{2, 0, "attach"}) == "no terminal passed with attach");
  // Only a terminal is taken (no FIFO, no file on a mount of ours).
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  CHECK(attach_fd(a, sock, 2, "attach", null) == "not a terminal");
  int p[2];
  REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
  CHECK(attach_fd(a, sock, 2, "attach", p[0]) == "not a terminal");
  ::close(p[0]), ::close(p[1]);
  // The descriptor went with the failed attach: the next has none.
  CHECK(a.fails(4, Twrite{2, 0, "attach"}) == "no terminal passed with attach");
  // A terminal passed is taken; the session's hubs gain its readers.
  Pty t;
  int m = t.master;
  {  // raw, as grio hub leaves its terminal
    termios tio{};
    REQUIRE(::tcgetattr(t.term, &tio) == 0);
    ::cfmakeraw(&tio);
    REQUIRE(::tcsetattr(t.term, TCSANOW, &tio) == 0);
  }
  a.rpc<Rwalk>(2, Twalk{0, 6, {"hub", "s", "0"}});
  a.rpc<Ropen>(3, Topen{6, OREAD});
  auto typed = [&] { return s.on_io([&] { return s.world().ws.hubs().hub("s", "0")->hub.end(); }); };
  CHECK(attach_fd(a, sock, 2, "attach", t.term) == "");
  CHECK(attach_fd(a, sock, 2, "attach", null) == "bad tty message");  // one terminal a fid
  CHECK(s.on_io([&] { return s.world().ws.hubs().hub("s", "1")->hub.readers(); }) == 1);
  // A % line goes to the client alone; what was typed after it waits for
  // the resume.
  std::string keys = "%list\recho held\r";
  REQUIRE(::write(m, keys.data(), keys.size()) == ssize_t(keys.size()));
  CHECK(a.rpc<Rread>(4, Tread{2, 0, 100}).data == "command list\r");
  CHECK(typed() == 0);
  CHECK(a.fails(4, Twrite{2, 0, "go on"}) == "bad tty message");
  a.rpc<Rwrite>(4, Twrite{2, 0, "resume"});
  CHECK(read(a, 6, 10) == "echo held\r");
  // After `resume midline` a % is no command: the client left a line open.
  REQUIRE(::write(m, "%a\r", 3) == 3);
  CHECK(a.rpc<Rread>(4, Tread{2, 0, 100}).data == "command a\r");
  a.rpc<Rwrite>(4, Twrite{2, 0, "resume midline"});
  REQUIRE(::write(m, "%b\r", 3) == 3);
  CHECK(read(a, 6, 3) == "%b\r");
  a.rpc<Rclunk>(5, Tclunk{2});
  CHECK(s.on_io([&] { return s.world().ws.hubs().hub("s", "1")->hub.readers(); }) == 0);
  // A session that lost a hub cannot take a terminal (and the server stays up).
  a.rpc<Rwalk>(2, Twalk{0, 7, {"hub", "s", "2"}});
  a.rpc<Rremove>(3, Tremove{7});
  a.rpc<Rwalk>(2, Twalk{0, 2, {"hub", "s", "tty"}});
  a.rpc<Ropen>(3, Topen{2, ORDWR});
  CHECK(attach_fd(a, sock, 2, "attach", t.term) == "session s has no hub 2");
  ::close(null);
  // The root has no tty, and no hub may take the name.
  a.rpc<Rwalk>(2, Twalk{0, 3, {"hub"}});
  CHECK(a.fails(2, Twalk{3, 4, {"tty"}}) == "file does not exist");
  a.rpc<Rwalk>(2, Twalk{3, 4, {"s"}});
  CHECK(a.fails(2, Tcreate{4, "tty", 0666, ORDWR}) == "bad file name");
  // A peer over TCP is not the owner on this machine, whatever it says
  // (and no descriptor can come that way).
  Wire tcp = s.connect_tcp();
  hello(tcp);
  tcp.rpc<Rwalk>(2, Twalk{0, 2, {"hub", "s", "tty"}});
  tcp.rpc<Ropen>(3, Topen{2, ORDWR});
  CHECK(tcp.fails(4, Twrite{2, 0, "attach"}) == "a terminal is handed over only by the owner, on this machine");
}

TEST_CASE("hub/NAME/tty: descriptors passed without an attach are not kept, one waits at most", "[wsys][hub]") {
  Wsys s;
  size_t before = open_fds();
  {
    int sock = s.connect_fd();
    Wire a(sock);
    hello(a);
    size_t connected = open_fds();  // the server's end of the socket, and ours
    for (int i = 0; i < 200; i++) {
      int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      send_fd(sock, 5, Tclunk{77}, fd);
      ::close(fd);
      CHECK(a.recv().tag == 5);
    }
    CHECK(open_fds() <= connected + 1);
  }
  // The connection gone, so is what waited on it.
  CHECK(eventually([&] { return open_fds() == before; }));
}

TEST_CASE("a handed-over terminal: output processing is the server's, newlines made CR LF across writes, settings given back",
          "[wsys][hub]") {
  Wsys s;
  int sock = s.connect_fd();
  Wire a(sock);
  hello(a);
  a.rpc<Rwalk>(2, Twalk{0, 1, {"hub"}});
  a.rpc<Rcreate>(3, Tcreate{1, "q", DMDIR | 0777, OREAD});  // a session with no program
  a.rpc<Rwalk>(2, Twalk{0, 2, {"hub", "q", "tty"}});
  a.rpc<Ropen>(3, Topen{2, ORDWR});
  a.rpc<Rwalk>(2, Twalk{0, 3, {"hub", "q", "1"}});
  a.rpc<Ropen>(3, Topen{3, OWRITE});
  Pty t;
  REQUIRE(t.opost());
  CHECK(attach_fd(a, sock, 2, "attach", t.term) == "");
  CHECK(!t.opost());
  a.rpc<Rwrite>(4, Twrite{3, 0, "a\nb\r\nc\r"});
  CHECK(t.read(8) == "a\r\nb\r\nc\r");
  a.rpc<Rwrite>(4, Twrite{3, 0, "\nd\n"});  // the \r came in the write before
  CHECK(t.read(4) == "\nd\r\n");
  a.rpc<Rclunk>(5, Tclunk{2});
  CHECK(t.opost());
}

TEST_CASE("grio hub owns its terminal's output processing: off while attached, newlines made CR LF across writes, back on after",
          "[wsys][hub]") {
  GrioServe g;
  auto &addr = g.addr;
  auto &serve = g.serve;
  for (bool handover : {false, true}) {
    CAPTURE(handover);
    std::string name = handover ? "given" : "kept";
    Typist t({GRIO_BINARY, "hub", "--wsys", addr, name}, handover);
    REQUIRE(t.shows("attached to " + name));
    auto opost = [&] {
      int fd = ::open(t.tty().c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
      REQUIRE(fd >= 0);
      termios tio{};
      REQUIRE(::tcgetattr(fd, &tio) == 0);
      ::close(fd);
      return bool(tio.c_oflag & OPOST);
    };
    CHECK(eventually([&] { return holds(serve.pid(), t.tty()) == handover; }));
    CHECK(!opost());
    // What the session writes, as its hub 1 has it: a bare \n is made
    // \r\n, a \r\n stays, also when a write ends between the two.
    auto hub1 = [&](const std::string& bytes) {
      CHECK(run(std::string(GRIO_BINARY) + " 9p -a " + addr + " write hub/" + name + "/1", bytes).status == 0);
    };
    size_t at = t.seen.size();
    hub1("X1\nX2\r");
    REQUIRE(t.shows("X2\r", at));
    hub1("\nX3\n");
    CHECK(t.shows("X1\r\nX2\r\nX3\r\n", at));
    t.type("%detach\r");
    CHECK(term::reap(t.p.pid, 10s).has_value());
    t.p.pid = -1;
    CHECK(opost());
  }
}

TEST_CASE("grio hub gives the session its terminal's size, and a resize, handed over or not", "[wsys][hub]") {
  for (bool handover : {true, false}) {
    INFO("handover " << handover);
    GrioServe g;
    Typist t({GRIO_BINARY, "hub", "--wsys", g.addr, "sz"}, handover, 100, 30);
    REQUIRE(t.shows("attached to sz"));
    size_t at = t.seen.size();
    t.type("stty size\n");
    CHECK(t.shows("30 100", at));
    // The terminal is resized: the client is told (SIGWINCH) and tells the session.
    REQUIRE(term::resize(t.p.master, 120, 40));
    at = t.seen.size();
    // (Keys typed before the client's news of its size reach the server
    // may still see the old size: type until the new one shows.)
    bool resized = false;
    for (int i = 0; i < 3 && !resized; i++) {
      t.type("stty size\n");
      resized = t.shows("40 120", at);
    }
    CHECK(resized);
    // A second client of another size types: the session takes its size.
    Typist u({GRIO_BINARY, "hub", "--wsys", g.addr, "sz"}, handover, 90, 20);
    REQUIRE(u.shows("attached to sz"));
    at = u.seen.size();
    u.type("stty size\n");
    CHECK(u.shows("20 90", at));
    // And the first types again: its size comes back.
    at = t.seen.size();
    t.type("stty size\n");
    CHECK(t.shows("40 120", at));
  }
}

TEST_CASE("grio hub --vt: a late client gets vi's screen repainted, DEL and ESC are the session's keys, handed over or not",
          "[wsys][hub][vt]") {
  for (bool handover : {true, false}) {
    INFO("handover " << handover);
    GrioServe g;
    std::string dir = "/tmp/grio-vt-XXXXXX";
    REQUIRE(::mkdtemp(dir.data()));
    std::string file = dir + "/session.txt";
    { std::ofstream(file) << "hello\n"; }
    Typist a({GRIO_BINARY, "hub", "--vt", "--wsys", g.addr, "ed"}, handover, 80, 24);
    REQUIRE(a.shows("attached to ed"));
    a.type("vi " + file + "\r");
    REQUIRE(a.shows("session.txt\""));  // vi's status line, not the typed command's echo
    // A second client joins: vi's screen is drawn for it, though nothing changed.
    Typist b({GRIO_BINARY, "hub", "--wsys", g.addr, "ed"}, handover, 80, 24);
    REQUIRE(b.shows("attached to ed"));
    REQUIRE(b.shows("session.txt\""));
    INFO(b.seen);
    CHECK(b.seen.find("\x1b[?1049h\x1b[r\x1b[0m\x1b[H\x1b[2J") != std::string::npos);
    CHECK(b.seen.find("hello") != std::string::npos);
    // DEL erases in vi's insert mode, as the session's tty has it; it is no interrupt.
    b.type("ix\x7fy\x1b");
    b.type(":wq\r");
    CHECK(eventually([&] {
      std::ifstream in(file);
      std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      return s == "yhello\n";
    }));
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
}

// The grio program itself: `grio ramfs` serving, `grio 9p` talking to it.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/net/process.h"

using namespace grio::test;

namespace {

// A grio ramfs on a socket in a fresh directory.
struct Ramfs {
  TempDir dir;
  std::string addr = "unix!" + (dir.path / "ramfs").string();
  Background srv{{GRIO_BINARY, "ramfs", "--listen", addr}};
  Ramfs() { REQUIRE(srv.first_line() == "ramfs='" + addr + "'"); }
  // `grio 9p -a ADDR args` as a shell command line.
  std::string p9(const std::string& args) const { return std::string(GRIO_BINARY) + " 9p -a " + addr + " " + args; }
};

}  // namespace

TEST_CASE("grio 9p create, write, read, ls, stat, rm against grio ramfs", "[net]") {
  Ramfs fs;
  CHECK(run(fs.p9("create notes")).status == 0);
  auto w = run(fs.p9("write notes"), "hello\nworld\n");
  INFO(w.err);
  CHECK(w.status == 0);
  CHECK(run(fs.p9("read notes")).out == "hello\nworld\n");

  auto ls = run(fs.p9("ls /"));
  CHECK(ls.out == "notes\npipe\n");
  auto lsl = run(fs.p9("ls -l /"));
  CHECK(lsl.out.find("--rw-rw-rw- M 0") != std::string::npos);  // create's perm 0666
  CHECK(lsl.out.find(" 12 ") != std::string::npos);               // the length of notes
  auto st = run(fs.p9("stat notes"));
  CHECK(st.out.rfind("'notes' ", 0) == 0);

  CHECK(run(fs.p9("rm notes")).status == 0);
  auto gone = run(fs.p9("read notes"));
  CHECK(gone.status != 0);
  CHECK(gone.err == "9p: file does not exist\n");
}

TEST_CASE("grio 9p write replaces a file and streams large ones", "[net]") {
  Ramfs fs;
  std::string big;
  for (int i = 0; i < 20000; i++) big += "line " + std::to_string(i) + "\n";
  REQUIRE(run(fs.p9("create big")).status == 0);
  REQUIRE(run(fs.p9("write big"), big).status == 0);
  CHECK(run(fs.p9("read big")).out == big);
  REQUIRE(run(fs.p9("write big"), "short\n").status == 0);  // OTRUNC
  CHECK(run(fs.p9("read big")).out == "short\n");
}

TEST_CASE("a pipe read waits for a writer", "[net]") {
  Ramfs fs;
  auto r = run("(timeout 3 " + fs.p9("read pipe") + " > got &) ; sleep 0.3; echo through | " + fs.p9("write pipe") +
               "; " + wait_for_file("got") + "; cat got");
  CHECK(r.out == "through\n");
}

TEST_CASE("grio 9p reports failures on stderr with a non-zero exit", "[net]") {
  Ramfs fs;
  auto nofile = run(fs.p9("read nothing/here"));
  CHECK(nofile.status != 0);
  CHECK(nofile.err == "9p: file does not exist\n");
  auto nodial = run(std::string(GRIO_BINARY) + " 9p -a unix!/nonexistent/sock ls /");
  CHECK(nodial.status != 0);
  CHECK(nodial.err.rfind("9p: ", 0) == 0);
  auto baddial = run(std::string(GRIO_BINARY) + " 9p -a tcp!host ls /");
  CHECK(baddial.status != 0);
  CHECK_FALSE(baddial.err.empty());
  auto noaddr = run("unset wsys; " + std::string(GRIO_BINARY) + " 9p ls /");
  CHECK(noaddr.err == "9p: no address: use -a ADDR or set $wsys\n");
}

TEST_CASE("a client killed mid-read leaves the server serving", "[net]") {
  Ramfs fs;
  Background reader{{GRIO_BINARY, "9p", "-a", fs.addr, "read", "pipe"}};
  ::usleep(200 * 1000);
  reader.crash();
  CHECK(run(fs.p9("ls /")).out == "pipe\n");
  // The killed reader's parked read is gone: the data goes to the next one.
  auto r = run("(timeout 3 " + fs.p9("read pipe") + " > got &) ; sleep 0.3; echo kept | " + fs.p9("write pipe") +
               "; " + wait_for_file("got") + "; cat got");
  CHECK(r.out == "kept\n");
}

TEST_CASE("grio ramfs replaces a dead server's socket but not a live one's", "[net]") {
  TempDir dir;
  std::string addr = "unix!" + (dir.path / "s").string();
  {
    Background first{{GRIO_BINARY, "ramfs", "--listen", addr}};
    REQUIRE(first.first_line() == "ramfs='" + addr + "'");
    auto second = run(std::string(GRIO_BINARY) + " ramfs --listen " + addr);
    CHECK(second.status == 1);
    CHECK(second.err == "grio: listen " + addr + ": a live server is already listening on " + (dir.path / "s").string() + "\n");
    first.crash();  // leaves its socket behind
  }
  struct stat st;
  REQUIRE(::stat((dir.path / "s").c_str(), &st) == 0);
  Background again{{GRIO_BINARY, "ramfs", "--listen", addr}};
  CHECK(again.first_line() == "ramfs='" + addr + "'");
  CHECK(again.stop() == 0);
}

TEST_CASE("grio ramfs on plain tcp needs --insecure, stays on loopback and warns", "[net]") {
  auto r = run(std::string(GRIO_BINARY) + " ramfs --listen tcp!127.0.0.1!0");
  CHECK(r.status == 1);
  CHECK(r.err.find("plain tcp has no authentication: add --insecure") != std::string::npos);
  r = run(std::string(GRIO_BINARY) + " ramfs --insecure --listen tcp!0.0.0.0!0");
  CHECK(r.status == 1);
  CHECK(r.err.find("127.0.0.1 only") != std::string::npos);
  // Waits (up to 10 s) for the address on stdout and the warning on stderr,
  // then stops the server and passes both on.
  auto ok = run("d=$(mktemp -d) && (" + std::string(GRIO_BINARY) +
                " ramfs --insecure --listen tcp!127.0.0.1!0 >$d/out 2>$d/err & p=$!;"
                " for i in $(seq 100); do grep -q ramfs= $d/out && grep -q warning $d/err && break; sleep 0.1; done;"
                " kill $p; wait $p; cat $d/out; cat $d/err >&2; rm -r $d)");
  CHECK(ok.out.rfind("ramfs='tcp!127.0.0.1!", 0) == 0);
  CHECK(ok.err.find("warning: tcp!127.0.0.1!") != std::string::npos);
}

// Issue 13 item 15: under cron, systemd or a container USER is often unset;
// attaching as "none" then fails on servers that check the name (u9fs).
TEST_CASE("grio 9p with USER unset attaches as the login name of its uid", "[net]") {
  passwd* pw = ::getpwuid(::getuid());
  REQUIRE(pw);
  std::string login = pw->pw_name;
  auto r = run("d=$(mktemp -d) && (" + std::string(GRIO_BINARY) +
               " ramfs -D --listen unix!$d/s >$d/out 2>$d/trace & p=$!;"
               " for i in $(seq 100); do grep -q ramfs= $d/out && break; sleep 0.1; done;"
               " env -u USER " + GRIO_BINARY + " 9p -a unix!$d/s ls /;"
               " kill $p; wait $p; grep Tattach $d/trace >&2; rm -r $d)");
  INFO(r.err);
  CHECK(r.out == "pipe\n");
  CHECK(r.err.find(" uname " + login + " ") != std::string::npos);
  CHECK(r.err.find(" uname none ") == std::string::npos);
}

TEST_CASE("grio help, grio --help and grio help COMMAND say what the commands do", "[net]") {
  for (std::string how : {"help", "--help", "-h"}) {
    auto r = run(std::string(GRIO_BINARY) + " " + how);
    INFO(how);
    CHECK(r.status == 0);
    CHECK(r.out.find("grio export") != std::string::npos);
    CHECK(r.out.find("grio 9p") != std::string::npos);
  }
  auto one = run(std::string(GRIO_BINARY) + " help export");
  CHECK(one.status == 0);
  CHECK(one.out.find("--rights") != std::string::npos);
  for (std::string cmd : {"window", "mount", "hub", "9p", "serve", "ramfs"}) {
    auto r = run(std::string(GRIO_BINARY) + " " + cmd + " --help");
    INFO(cmd << ": " << r.err);
    CHECK(r.status == 0);
    CHECK(r.out.find(cmd) != std::string::npos);
  }
  auto nowsys = run("unset wsys; " + std::string(GRIO_BINARY) + " hub");
  CHECK(nowsys.status == 2);
  CHECK(nowsys.err.find("grio hub: no window system: use --wsys ADDR or set $wsys") == 0);
  auto badflag = run(std::string(GRIO_BINARY) + " hub --wsys x --nosuch");
  CHECK(badflag.err.find("grio hub: unknown option --nosuch") == 0);
  auto bad = run(std::string(GRIO_BINARY) + " help nosuch");
  CHECK(bad.status == 2);
  CHECK(bad.err.find("unknown command 'nosuch'") != std::string::npos);
}

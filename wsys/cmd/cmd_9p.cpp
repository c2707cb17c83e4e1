// grio 9p: a small 9P client for scripts and debugging, after plan9port's 9p(1).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "net/client.h"
#include "net/codec.h"
#include "wsys/cmd/commands.h"
#include "wsys/cmd/quote.h"

namespace grio::cmd {

namespace {

using net::Result;
using net::SyncClient;
using namespace ninep;

// Thrown to leave a command with "9p: <why>"; never crosses main().
struct Fail {
  std::string why;
};

template <class T>
T check(Result<T> r) {
  if (!r) throw Fail{r.error()};
  return std::move(*r);
}

void check(const net::Error& e) {
  if (!e.empty()) throw Fail{e};
}

// Plan 9's %M: "d-rwxr-xr-x", "--rw-rw-r--", "a-rw-r--r--".
std::string mode_string(uint32_t m) {
  std::string s = m & DMDIR ? "d" : m & DMAPPEND ? "a" : m & DMAUTH ? "A" : "-";
  s += m & DMEXCL ? 'l' : '-';
  for (int shift = 6; shift >= 0; shift -= 3) {
    uint32_t b = m >> shift;
    s += b & 4 ? 'r' : '-';
    s += b & 2 ? 'w' : '-';
    s += b & 1 ? 'x' : '-';
  }
  return s;
}

// plan9port's ls date: time of day within six months, else the year.
std::string date_string(uint32_t t) {
  static const time_t now = time(nullptr);
  time_t tt = t;
  struct tm tm;
  localtime_r(&tt, &tm);
  char buf[32];
  if (now - tt < 6 * 30 * 86400) strftime(buf, sizeof buf, "%b %e %H:%M", &tm);
  else std::snprintf(buf, sizeof buf, "%.3s %2d %5d", "JanFebMarAprMayJunJulAugSepOctNovDec" + 3 * tm.tm_mon,
                     tm.tm_mday, tm.tm_year + 1900);
  return buf;
}

void print_long(const std::vector<Stat>& ds) {
  size_t uw = 0, gw = 0, lw = 0;
  for (auto& d : ds) {
    uw = std::max(uw, d.uid.size());
    gw = std::max(gw, d.gid.size());
    lw = std::max(lw, std::to_string(d.length).size());
  }
  for (auto& d : ds)
    std::printf("%s M 0 %-*s %-*s %*llu %s %s\n", mode_string(d.mode).c_str(), int(uw),
                d.uid.c_str(), int(gw), d.gid.c_str(), int(lw), (unsigned long long)d.length,
                date_string(d.mtime).c_str(), rc_quote(d.name).c_str());
}

// A fid for path, clunked when the command is done with it.
struct Open {
  SyncClient& c;
  uint32_t fid;
  Open(SyncClient& cl, const std::string& path) : c(cl), fid(check(cl.walk_path(path))) {}
  ~Open() {
    if (fid != NOFID) c.clunk(fid);
  }
  uint32_t iosize() const { return c.msize() - IOHDRSZ; }
};

void ls(SyncClient& c, const std::string& path, bool longform) {
  Open f(c, path);
  Stat d = check(c.stat(f.fid));
  std::vector<Stat> ds{d};
  if (d.mode & DMDIR) {
    check(c.open(f.fid, OREAD));
    ds = check(c.read_dir(f.fid));
    std::sort(ds.begin(), ds.end(), [](auto& a, auto& b) { return a.name < b.name; });
  }
  if (longform) return print_long(ds);
  for (auto& e : ds) std::printf("%s\n", rc_quote(e.name).c_str());
}

// Up to the length the file reports, several reads are in flight at once
// (SyncClient::read_stream); a file that reports none (a pipe, a console,
// every file of the window system) is read one read at a time.
void read(SyncClient& c, const std::string& path) {
  Open f(c, path);
  auto d = c.stat(f.fid);
  check(c.open(f.fid, OREAD));
  check(c.read_stream(f.fid, 0, f.iosize(), d ? d->length : 0, SyncClient::read_ahead, [](std::string_view data) {
    // Flushed per read: a file like a pipe may never end, and whoever
    // reads our output should see each piece as it comes.
    std::fwrite(data.data(), 1, data.size(), stdout);
    std::fflush(stdout);
    return true;
  }));
}

// Writes all of data at off; a server taking less is asked again for the rest.
uint64_t write_all(SyncClient& c, uint32_t fid, uint64_t off, const std::string& data) {
  size_t done = 0;
  do {
    uint32_t n = check(c.write(fid, off, data.substr(done)));
    if (n == 0 && done < data.size()) throw Fail{"short write"};
    done += n;
    off += n;
  } while (done < data.size());
  return off;
}

void write(SyncClient& c, const std::string& path) {
  Open f(c, path);
  check(c.open(f.fid, OWRITE | OTRUNC));
  std::string buf(f.iosize(), '\0');
  uint64_t off = 0;
  bool any = false;
  for (;;) {
    ssize_t n = ::read(0, buf.data(), buf.size());
    if (n < 0) throw Fail{std::string("read stdin: ") + std::strerror(errno)};
    if (n == 0) break;
    any = true;
    off = write_all(c, f.fid, off, buf.substr(0, size_t(n)));
  }
  if (!any) write_all(c, f.fid, 0, "");  // as plan9port: an empty write, for ctl files
}

void stat(SyncClient& c, const std::string& path) {
  Open f(c, path);
  std::printf("%s\n", to_string(check(c.stat(f.fid))).c_str());
}

void create(SyncClient& c, const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty()) throw Fail{"no file name in '" + path + "'"};
  Open f(c, dir);
  check(c.create(f.fid, name, 0666, OREAD));
}

void rm(SyncClient& c, const std::string& path) {
  Open f(c, path);
  uint32_t fid = f.fid;
  f.fid = NOFID;  // remove clunks it, even on failure
  check(c.remove(fid));
}

// As plan9port: print one read, then send one line of input (without its
// newline), until stdin ends. Both directions share one offset.
void rdwr(SyncClient& c, const std::string& path) {
  Open f(c, path);
  check(c.open(f.fid, ORDWR));
  uint64_t off = 0;
  for (std::string line;;) {
    auto r = c.read(f.fid, off, f.iosize());
    if (!r) std::fprintf(stderr, "9p: read: %s\n", r.error().c_str());
    else {
      std::fwrite(r->data(), 1, r->size(), stdout);
      std::fputc('\n', stdout);
      off += r->size();
    }
    std::fflush(stdout);
    if (!std::getline(std::cin, line)) return;
    auto w = c.write(f.fid, off, line);
    if (!w) std::fprintf(stderr, "9p: write: %s\n", w.error().c_str());
    else off += *w;
  }
}

}  // namespace

int ninep(int argc, char** argv) {
  CLI::App app{"a small 9P client, like plan9port's 9p", "9p"};
  std::string addr, aname, path;
  bool longform = false;
  app.add_option("-a", addr, "server address (default $wsys)");
  app.add_option("-A", aname, "attach name");
  app.add_flag("-D", net::Client::chatty, "print every 9P message on stderr");
  app.require_subcommand(1);
  struct Cmd {
    const char* name;
    const char* help;
  };
  for (Cmd cmd : {Cmd{"ls", "list a directory, or name a file"}, Cmd{"read", "copy a file to stdout"},
                  Cmd{"write", "copy stdin to a file (truncating it)"},
                  Cmd{"stat", "print a file's directory entry"}, Cmd{"create", "create a file"},
                  Cmd{"rm", "remove a file"}, Cmd{"rdwr", "alternate reads and lines of stdin"}}) {
    auto* sub = app.add_subcommand(cmd.name, cmd.help);
    sub->add_option("path", path, "file path on the server")->required();
    if (std::string(cmd.name) == "ls") sub->add_flag("-l", longform, "long listing");
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (addr.empty())
    if (const char* w = std::getenv("wsys")) addr = w;
  if (addr.empty()) {
    std::fprintf(stderr, "9p: no address: use -a ADDR or set $wsys\n");
    return 1;
  }
  net::Error err;
  auto c = SyncClient::dial(addr, aname, err);
  if (!c) {
    std::fprintf(stderr, "9p: %s\n", err.c_str());
    return 1;
  }
  std::string cmd = app.get_subcommands().front()->get_name();
  try {
    if (cmd == "ls") ls(*c, path, longform);
    else if (cmd == "read") read(*c, path);
    else if (cmd == "write") write(*c, path);
    else if (cmd == "stat") stat(*c, path);
    else if (cmd == "create") create(*c, path);
    else if (cmd == "rm") rm(*c, path);
    else if (cmd == "rdwr") rdwr(*c, path);
  } catch (const Fail& f) {
    std::fflush(stdout);
    std::fprintf(stderr, "9p: %s\n", f.why.c_str());
    return 1;
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace grio::cmd

// grio export: asks the running window system ($wsys) to export the
// workspace to a friend elsewhere, over TLS from a secret it prints once;
// lists and revokes exports. Talks to the root's `exports` file, which only
// the owner on the private socket can open.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "net/client.h"
#include "net/rights.h"
#include "wsys/cmd/commands.h"

namespace grio::cmd {

namespace {

// One conversation with the exports file: a write (if any), then a read.
int talk(const std::string& wsys, const std::string& command) {
  net::Error err;
  auto c = net::SyncClient::dial(wsys, "", err);
  if (!c) {
    std::fprintf(stderr, "grio export: %s\n", err.c_str());
    return 1;
  }
  uint32_t f = c->alloc_fid();
  auto fail = [](const std::string& why) {
    std::fprintf(stderr, "grio export: %s\n", why.c_str());
    return 1;
  };
  if (auto w = c->walk(c->root(), f, {"exports"}); !w) return fail("exports: " + w.error());
  if (auto o = c->open(f, ninep::ORDWR); !o) return fail("exports: " + o.error());
  if (!command.empty())
    if (auto w = c->write(f, 0, command); !w) return fail(w.error());
  std::string out;
  for (;;) {
    auto r = c->read(f, out.size(), 8192);
    if (!r) return fail(r.error());
    if (r->empty()) break;
    out += *r;
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace

int export_(int argc, char** argv) {
  CLI::App app{"export the workspace to a friend elsewhere, over TLS from a secret shown once", "grio export"};
  std::string rights = "view", listen, name, label, what, revoke, wsys;
  bool list = false;
  app.add_option("--rights", rights, "what the friend may do: view,type,push,manage,snarf,exec (default view)");
  app.add_option("--listen", listen, "where to listen (default tcp!*!5640, or the next free port)");
  app.add_option("--name", name, "the export's name, the !NAME of its dial string (default: the --for label, else guest)");
  app.add_option("--for", label, "whom it is for: shown in the labels of the windows they push");
  app.add_option("--wsys", wsys, "the window system (default $wsys)");
  app.add_flag("--list", list, "list the exports, their rights and connected peers");
  app.add_option("--revoke", revoke, "remove an export and close its connections");
  app.add_option("what", what, "what to export: the workspace (default), or hub/NAME: one shell session and nothing else");
  CLI11_PARSE(app, argc, argv);
  if (wsys.empty())
    if (const char* w = std::getenv("wsys"); w && *w) wsys = w;
  if (wsys.empty()) {
    std::fprintf(stderr, "grio export: no window system: $wsys is not set (--wsys ADDR)\n");
    return 1;
  }
  if (list) return talk(wsys, "");
  if (!revoke.empty()) return talk(wsys, "revoke " + revoke);
  std::string why;
  auto r = net::parse_rights(rights, why);
  if (!r) {
    std::fprintf(stderr, "grio export: %s\n", why.c_str());
    return 1;
  }
  if (*r & net::right::exec)
    std::fprintf(stderr, "grio export: warning: exec lets the holder of the secret run programs here as you\n");
  if (name.empty()) name = label.empty() ? "guest" : label;
  std::string cmd = "add " + name + " rights=" + net::rights_string(*r);
  if (!listen.empty()) cmd += " listen=" + listen;
  if (!label.empty()) cmd += " for=" + label;
  if (!what.empty()) cmd += " what=" + what;
  return talk(wsys, cmd);
}

}  // namespace grio::cmd

// grio: dispatches to one subcommand per file.
#include <cstdio>
#include <cstring>

#include "wsys/cmd/commands.h"

namespace {

struct Subcommand {
  const char* name;
  int (*run)(int argc, char** argv);
  const char* usage;
};

const Subcommand subcommands[] = {
    {"ramfs", grio::cmd::ramfs, "ramfs [-D] [--listen ADDR]...   an in-memory 9P file server"},
    {"serve", grio::cmd::serve, "serve [-D] [--listen ADDR]...   the window system without a screen"},
    {"window", grio::cmd::window, "window [-m] [-r x0 y0 x1 y1] [-dx n]... [cmd ...]   a window in $wsys; -m: cmd runs here"},
    {"mount", grio::cmd::mount, "mount [-A aname] [-d] [-D] [-F] ADDR DIR [aname words...]   the service on DIR, through FUSE"},
    {"hub", grio::cmd::hub, "hub [--watch|--local] [--wsys ADDR] [NAME]   start or attach to a shell session in $wsys"},
    {"9p", grio::cmd::ninep, "9p [-a ADDR] [-A aname] ls [-l]|read|write|stat|create|rm|rdwr PATH"},
};

int usage() {
  std::fprintf(stderr, "usage: grio COMMAND [ARGS]\n");
  for (auto& s : subcommands) std::fprintf(stderr, "  grio %s\n", s.usage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  for (auto& s : subcommands)
    if (std::strcmp(argv[1], s.name) == 0) return s.run(argc - 1, argv + 1);
  std::fprintf(stderr, "grio: unknown command '%s'\n", argv[1]);
  return usage();
}

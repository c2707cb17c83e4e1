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
  std::fprintf(stderr, "usage: grio [-f font] [-s points] [-b] [-D] [--listen ADDR]...   the desktop\n");
  std::fprintf(stderr, "       grio COMMAND [ARGS]\n");
  for (auto& s : subcommands) std::fprintf(stderr, "  grio %s\n", s.usage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // No command (or only options): the desktop.
  if (argc < 2 || (argv[1][0] == '-' && std::strcmp(argv[1], "-h") != 0 && std::strcmp(argv[1], "--help") != 0))
    return grio::cmd::desktop(argc, argv);
  for (auto& s : subcommands)
    if (std::strcmp(argv[1], s.name) == 0) return s.run(argc - 1, argv + 1);
  std::fprintf(stderr, "grio: unknown command '%s'\n", argv[1]);
  return usage();
}

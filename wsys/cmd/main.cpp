// grio: dispatches to one subcommand per file.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "net/secret.h"
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
    {"view", grio::cmd::view, "view [-f font] [-s points] ADDR   the window system at ADDR on this screen, live"},
    {"export", grio::cmd::export_, "export [--rights LIST] [--listen ADDR] [--name NAME] [--for LABEL] | --list | --revoke NAME"},
};

// To out: stdout when asked for (help), stderr after a mistake.
void usage(std::FILE* out) {
  std::fprintf(out, "usage: grio [-f font] [-s points] [-b] [-D] [--listen ADDR]...   the desktop\n");
  std::fprintf(out, "       grio [--secret-file FILE] COMMAND [ARGS]\n");
  for (auto& s : subcommands) std::fprintf(out, "  grio %s\n", s.usage);
  std::fprintf(out, "grio help COMMAND (or grio COMMAND --help) says more of one.\n");
}

bool is_help(const char* a) {
  return std::strcmp(a, "help") == 0 || std::strcmp(a, "-h") == 0 || std::strcmp(a, "--help") == 0;
}

// --secret-file FILE, just before or just after the command's name: where
// every client command finds an export's secret (never on the command
// line). Taken out of argv so that the commands' parsers never see it; a
// program's own arguments further on are left alone.
void take_secret_file(int& argc, char** argv) {
  for (int i = 1; i < argc && i <= 2; i++) {
    std::string_view a = argv[i];
    int used = 0;
    if (a == "--secret-file" && i + 1 < argc) {
      grio::net::set_secret_file(argv[i + 1]);
      used = 2;
    } else if (a.rfind("--secret-file=", 0) == 0) {
      grio::net::set_secret_file(std::string(a.substr(14)));
      used = 1;
    }
    if (!used) continue;
    for (int j = i; j + used <= argc; j++) argv[j] = argv[j + used];
    argc -= used;
    i--;
  }
}

}  // namespace

int main(int argc, char** argv) {
  take_secret_file(argc, argv);
  // grio help [COMMAND]: the list, or the command's own --help.
  if (argc >= 2 && is_help(argv[1])) {
    if (argc == 2) {
      usage(stdout);
      return 0;
    }
    static char help[] = "--help";
    char* args[] = {argv[2], help, nullptr};
    for (auto& s : subcommands)
      if (std::strcmp(argv[2], s.name) == 0) return s.run(2, args);
    std::fprintf(stderr, "grio: unknown command '%s'\n", argv[2]);
    usage(stderr);
    return 2;
  }
  // No command (or only options): the desktop.
  if (argc < 2 || argv[1][0] == '-') return grio::cmd::desktop(argc, argv);
  for (auto& s : subcommands)
    if (std::strcmp(argv[1], s.name) == 0) return s.run(argc - 1, argv + 1);
  std::fprintf(stderr, "grio: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}

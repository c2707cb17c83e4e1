// grio mount: a 9P service (a window system, a window, a hub set, a ramfs)
// in the Linux file system through FUSE, as Plan 9's mount(1).
#include <cstdio>
#include <string>

#include "net/client.h"
#include "wsys/cmd/commands.h"
#include "wsys/mount/mount.h"

namespace grio::cmd {

namespace {

constexpr char kUsage[] = "usage: grio mount [-A aname] [-d] [-D] [-F] ADDR DIR [aname words...]\n";

struct Usage {
  std::string why;
};

// Options come first; after ADDR and DIR every word belongs to the attach
// name, so rio's `mount $wsys /mnt/wsys new -r 0 0 400 300` reads as is.
mount::MountConfig parse(int argc, char** argv) {
  mount::MountConfig cfg;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
    std::string a = argv[i];
    if (a == "-A" && i + 1 < argc) cfg.aname = argv[++i];
    else if (a == "-d") cfg.daemon = true;
    else if (a == "-D") net::Client::chatty = true;
    else if (a == "-F") cfg.fuse_debug = true;
    else if (a == "-h" || a == "--help") throw Usage{};
    else throw Usage{"unknown option " + a};
  }
  if (argc - i < 2) throw Usage{"need ADDR and DIR"};
  cfg.addr = argv[i++];
  cfg.dir = argv[i++];
  std::string words;
  for (; i < argc; i++) words += (words.empty() ? "" : " ") + std::string(argv[i]);
  if (!words.empty() && !cfg.aname.empty()) throw Usage{"attach name given twice (-A and words)"};
  if (!words.empty()) cfg.aname = words;
  return cfg;
}

}  // namespace

int mount(int argc, char** argv) {
  try {
    return mount::run(parse(argc, argv));
  } catch (const Usage& u) {
    if (u.why.empty()) {  // asked for: -h, --help
      std::fputs(kUsage, stdout);
      return 0;
    }
    std::fprintf(stderr, "mount: %s\n", u.why.c_str());
    std::fputs(kUsage, stderr);
    return 2;
  }
}

}  // namespace grio::cmd

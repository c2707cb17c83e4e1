// The grio subcommands, one file each; main.cpp dispatches by name.
#pragma once

namespace grio::cmd {

int ramfs(int argc, char** argv);
int ninep(int argc, char** argv);  // grio 9p
int serve(int argc, char** argv);
int window(int argc, char** argv);  // grio window, rio's window(1)
int mount(int argc, char** argv);   // grio mount, through FUSE
int hub(int argc, char** argv);     // grio hub, hubfs's hub and hubshell
int desktop(int argc, char** argv); // grio with no command
int export_(int argc, char** argv); // grio export
int view(int argc, char** argv);    // grio view, drawterm's part

struct ServeOptions;
// The window system without a screen: grio serve, and grio with no display.
int serve_headless(const ServeOptions& opt);

}  // namespace grio::cmd

// Every error string grio puts on the wire, spelled as Plan 9 spells them.
//
// Linux v9fs maps some of these to errno by exact text (net/9p/error.c), so
// prefer an existing string over a new one.
#pragma once

namespace grio::err {

inline constexpr char perm[] = "permission denied";          // EACCES
inline constexpr char nonexist[] = "file does not exist";    // ENOENT
inline constexpr char inuse[] = "file in use";               // ETXTBSY / EBUSY
inline constexpr char notdir[] = "not a directory";          // ENOTDIR
inline constexpr char isdir[] = "is a directory";            // EISDIR
inline constexpr char exists[] = "file already exists";      // EEXIST
inline constexpr char notempty[] = "directory is not empty"; // ENOTEMPTY
inline constexpr char deleted[] = "window deleted";
inline constexpr char badfid[] = "unknown fid";
inline constexpr char dupfid[] = "fid already in use";
inline constexpr char duptag[] = "duplicate tag";
inline constexpr char fidopen[] = "fid already open";
inline constexpr char notopen[] = "fid not open";
inline constexpr char notread[] = "file not open for reading";
inline constexpr char notwrite[] = "file not open for writing";
inline constexpr char walknodir[] = "walk in non-directory";
inline constexpr char createnondir[] = "create in non-directory";
inline constexpr char badname[] = "bad file name";
inline constexpr char badoffset[] = "bad offset in directory read";
inline constexpr char badmode[] = "bad open mode";
inline constexpr char noauth[] = "authentication not required";
inline constexpr char noversion[] = "version not negotiated";
inline constexpr char msizesmall[] = "msize too small";
inline constexpr char afid[] = "bad afid";
inline constexpr char toomanyfids[] = "too many fids";
inline constexpr char toomanyreqs[] = "too many outstanding requests";
inline constexpr char rmessage[] = "unexpected R-message";
inline constexpr char clunked[] = "fid clunked";
inline constexpr char interrupted[] = "interrupted";
inline constexpr char hungup[] = "connection closed";
inline constexpr char toobig[] = "file too large";
inline constexpr char fsfull[] = "file system is full";      // ENOSPC
inline constexpr char nowstat[] = "wstat prohibited";

// Limits of what one client may make (wsys/, net/hub_tree).
inline constexpr char toomanywindows[] = "too many windows";
inline constexpr char toomanysessions[] = "too many sessions";
inline constexpr char toomanyhubs[] = "too many hubs";
inline constexpr char hubmemory[] = "hub memory budget exhausted";
inline constexpr char nametoolong[] = "file name too long";
inline constexpr char labeltoolong[] = "label too long";

// The window system's (rio's strings where rio has one; wsys/).
inline constexpr char badrect[] = "bad rectangle in wctl request";
inline constexpr char badrectattach[] = "bad rectangle in attach";
inline constexpr char unknownid[] = "unknown id in attach";
inline constexpr char badwctl[] = "unrecognized wctl command";
inline constexpr char wctlparam[] = "missing or bad wctl parameter";
inline constexpr char wctlextra[] = "extraneous text in wctl message";
inline constexpr char wctlnew[] = "wctl new is handled by create";
inline constexpr char nowindowid[] = "no such window id";
inline constexpr char needwindow[] = "command needs to be run within a window";
inline constexpr char hidden[] = "window is hidden";
inline constexpr char alreadyhidden[] = "window already hidden";
inline constexpr char nothidden[] = "window not hidden";
inline constexpr char smallbuf[] = "buffer too small";
inline constexpr char holdnoton[] = "hold is not on";
inline constexpr char rawnoton[] = "raw is not on";
inline constexpr char badconsctl[] = "unknown control message";
inline constexpr char cursorread[] = "cursor read not implemented";
inline constexpr char headless[] = "no screen: running headless";
inline constexpr char noimage[] = "window has no image";
inline constexpr char capturefailed[] = "screen capture failed";
inline constexpr char badqidwrite[] = "unknown qid in write";
inline constexpr char badmouse[] = "bad format on /dev/mouse";
inline constexpr char snarflong[] = "snarf buffer too long";
inline constexpr char baddir[] = "bad directory";  // "bad directory DIR: why"
inline constexpr char ownpid[] = "bad pid: the window system's own";
// Sub-workspaces (wsys/workspace).
inline constexpr char badsubname[] = "bad sub-workspace name";  // "…: 1 to 32 of A-Z a-z 0-9 _ -"
inline constexpr char subexists[] = "sub-workspace exists";
inline constexpr char subtoodeep[] = "sub-workspaces nest too deep";
inline constexpr char toomanysubs[] = "too many sub-workspaces";
inline constexpr char nosubs[] = "sub-workspaces not served here";
inline constexpr char nosub[] = "no sub-workspace";  // "no sub-workspace NAME"
inline constexpr char sandboxopts[] = "-sandbox needs new -sub, and -net needs -sandbox";
inline constexpr char nosandbox[] = "cannot sandbox";  // "cannot sandbox: why"
inline constexpr char sandboxnet[] = "cannot sandbox: no network in this sandbox to give";
// VT windows (wsys, term/vt_screen).
inline constexpr char vtopts[] = "-vt is for new windows that run a program";
inline constexpr char noprogram[] = "no program runs in this window";
inline constexpr char inputfull[] = "too much input waiting: the program is not reading";
inline constexpr char vtcons[] = "cons of a vt window is written, not read: the program reads its tty";

// Remote viewers (wsys/viewer).
inline constexpr char toomanyviewers[] = "too many viewers";
inline constexpr char noview[] = "no view open on this connection: open view/feed first";
inline constexpr char viewsize[] = "a view's first event is its size";

// The hub tree's (net/hub_tree).
inline constexpr char badctl[] = "bad ctl message";
inline constexpr char badsize[] = "bad size";  // "bad size: 1 to N columns and rows"
inline constexpr char nohub[] = "hub not found";
inline constexpr char nosessions[] = "sessions not supported here";
inline constexpr char sessiondirs[] = "sessions hold no directories";
inline constexpr char hubclosed[] = "hub closed";
inline constexpr char badaname[] = "unknown aname";  // "unknown aname NAME"
inline constexpr char outofrange[] = "out of range";  // "cap out of range: 65536 to 16777216 bytes"

// A session's tty node (net/hub_tree, wsys/hub_terminal).
inline constexpr char ttymode[] = "tty is opened for reading and writing";
inline constexpr char nottyattached[] = "no terminal attached";
inline constexpr char badtty[] = "bad tty message";
inline constexpr char ttyowner[] = "a terminal is handed over only by the owner, on this machine";
inline constexpr char nottypassed[] = "no terminal passed with attach";
inline constexpr char nottyhere[] = "terminals not served here";
inline constexpr char ttyreading[] = "a read of tty is already waiting";
inline constexpr char notaterminal[] = "not a terminal";
inline constexpr char nosession[] = "no session";  // "no session NAME"
inline constexpr char terminal[] = "terminal";     // "terminal: why"

}  // namespace grio::err

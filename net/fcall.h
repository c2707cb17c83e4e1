// The 9P2000 vocabulary: every message as a plain struct, as in Plan 9's fcall.h.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace grio::ninep {

// Wire constants (intro(5), fcall.h).
inline constexpr uint16_t NOTAG = 0xFFFF;
inline constexpr uint32_t NOFID = 0xFFFFFFFF;
inline constexpr int MAXWELEM = 16;      // most names in one Twalk / qids in one Rwalk
inline constexpr uint32_t IOHDRSZ = 24;  // room for Twrite/Rread headers within msize
inline constexpr uint32_t HDRSZ = 7;     // size[4] type[1] tag[2]
inline constexpr uint32_t STATFIXLEN = 49;

// Qid types (high byte of a directory entry's mode).
inline constexpr uint8_t QTDIR = 0x80, QTAPPEND = 0x40, QTEXCL = 0x20,
                         QTMOUNT = 0x10, QTAUTH = 0x08, QTTMP = 0x04, QTFILE = 0x00;

// Directory entry mode bits.
inline constexpr uint32_t DMDIR = 0x80000000, DMAPPEND = 0x40000000,
                          DMEXCL = 0x20000000, DMMOUNT = 0x10000000,
                          DMAUTH = 0x08000000, DMTMP = 0x04000000;

// Open modes.
inline constexpr uint8_t OREAD = 0, OWRITE = 1, ORDWR = 2, OEXEC = 3,
                         OTRUNC = 0x10, ORCLOSE = 0x40;

enum class MsgType : uint8_t {
  Tversion = 100, Rversion, Tauth, Rauth, Tattach, Rattach, Terror, Rerror,
  Tflush, Rflush, Twalk, Rwalk, Topen, Ropen, Tcreate, Rcreate, Tread, Rread,
  Twrite, Rwrite, Tclunk, Rclunk, Tremove, Rremove, Tstat, Rstat, Twstat, Rwstat,
};

struct Qid {
  uint8_t type = 0;      // QTDIR, QTAPPEND, ...
  uint32_t version = 0;  // bumped on change; 0 means "do not cache"
  uint64_t path = 0;     // unique per file on one server
  bool operator==(const Qid&) const = default;
};

// One directory entry, stat(5). Integers of all ones and empty strings mean
// "don't touch" in a Twstat.
struct Stat {
  uint16_t type = 0;
  uint32_t dev = 0;
  Qid qid;
  uint32_t mode = 0;  // permission bits | DMDIR ...
  uint32_t atime = 0;
  uint32_t mtime = 0;
  uint64_t length = 0;
  std::string name, uid, gid, muid;
  bool operator==(const Stat&) const = default;
};

// A Stat whose every field is "don't touch".
Stat dont_touch();

struct Tversion { uint32_t msize = 0; std::string version; };
struct Rversion { uint32_t msize = 0; std::string version; };
struct Tauth { uint32_t afid = NOFID; std::string uname, aname; };
struct Rauth { Qid aqid; };
struct Tattach { uint32_t fid = 0; uint32_t afid = NOFID; std::string uname, aname; };
struct Rattach { Qid qid; };
struct Rerror { std::string ename; };
struct Tflush { uint16_t oldtag = 0; };
struct Rflush {};
struct Twalk { uint32_t fid = 0, newfid = 0; std::vector<std::string> wname; };
struct Rwalk { std::vector<Qid> wqid; };
struct Topen { uint32_t fid = 0; uint8_t mode = 0; };
struct Ropen { Qid qid; uint32_t iounit = 0; };
struct Tcreate { uint32_t fid = 0; std::string name; uint32_t perm = 0; uint8_t mode = 0; };
struct Rcreate { Qid qid; uint32_t iounit = 0; };
struct Tread { uint32_t fid = 0; uint64_t offset = 0; uint32_t count = 0; };
struct Rread { std::string data; };
struct Twrite { uint32_t fid = 0; uint64_t offset = 0; std::string data; };
struct Rwrite { uint32_t count = 0; };
struct Tclunk { uint32_t fid = 0; };
struct Rclunk {};
struct Tremove { uint32_t fid = 0; };
struct Rremove {};
struct Tstat { uint32_t fid = 0; };
struct Rstat { Stat stat; };
struct Twstat { uint32_t fid = 0; Stat stat; };
struct Rwstat {};

// Order matters: index i holds the message whose type is Tversion + i,
// skipping only Terror, which may never appear on the wire.
using Msg = std::variant<Tversion, Rversion, Tauth, Rauth, Tattach, Rattach,
                         Rerror, Tflush, Rflush, Twalk, Rwalk, Topen, Ropen,
                         Tcreate, Rcreate, Tread, Rread, Twrite, Rwrite,
                         Tclunk, Rclunk, Tremove, Rremove, Tstat, Rstat,
                         Twstat, Rwstat>;

struct Fcall {
  uint16_t tag = NOTAG;
  Msg msg;
};

MsgType type_of(const Msg& m);
const char* name_of(MsgType t);  // "Tversion", ...
bool is_tmessage(MsgType t);

// Plan 9's %F: "Twalk tag 3 fid 1 newfid 2 nwname 2 0:a 1:b".
std::string to_string(const Fcall& f);
std::string to_string(const Qid& q);
std::string to_string(const Stat& d);

}  // namespace grio::ninep

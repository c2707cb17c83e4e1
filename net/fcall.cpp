// Names of messages and their Plan 9 %F rendering, for -D traces and tests.
#include "net/fcall.h"

#include <cctype>
#include <cstdio>
#include <string_view>

namespace grio::ninep {

namespace {

const char* const names[] = {
    "Tversion", "Rversion", "Tauth", "Rauth",   "Tattach", "Rattach", "Terror",
    "Rerror",   "Tflush",   "Rflush", "Twalk",  "Rwalk",   "Topen",   "Ropen",
    "Tcreate",  "Rcreate",  "Tread",  "Rread",  "Twrite",  "Rwrite",  "Tclunk",
    "Rclunk",   "Tremove",  "Rremove", "Tstat", "Rstat",   "Twstat",  "Rwstat",
};

std::string fmt(const char* f, auto... args) {
  int n = std::snprintf(nullptr, 0, f, args...);
  std::string s(size_t(n), '\0');
  std::snprintf(s.data(), s.size() + 1, f, args...);
  return s;
}

// An export's secret (the `exports` file's answer to an add, "secret=HEX")
// is never shown by a -D trace: its digits become '*'.
std::string hide_secrets(std::string data) {
  static constexpr std::string_view key = "secret=";
  for (size_t at = data.find(key); at != std::string::npos; at = data.find(key, at + 1))
    for (size_t i = at + key.size(); i < data.size() && std::isxdigit(uint8_t(data[i])); i++) data[i] = '*';
  return data;
}

// Like lib9p's dumpsome: quoted text when printable, else hex; at most 64 bytes.
std::string dumpsome(const std::string& raw) {
  constexpr size_t max = 64;
  const std::string data = hide_secrets(raw);
  size_t n = data.size() < max ? data.size() : max;
  bool printable = true;
  for (size_t i = 0; i < n; i++) {
    auto c = uint8_t(data[i]);
    if (c < 0x20 && c != '\n' && c != '\t') printable = false;
    if (c == 0x7F) printable = false;
  }
  std::string s = "'";
  for (size_t i = 0; i < n; i++)
    s += printable ? std::string(1, data[i]) : fmt("%02x", unsigned(uint8_t(data[i])));
  s += "'";
  if (n < data.size()) s += "...";
  return s;
}

std::string qtype(uint8_t t) {
  std::string s;
  if (t & QTDIR) s += 'd';
  if (t & QTAPPEND) s += 'a';
  if (t & QTEXCL) s += 'l';
  if (t & QTAUTH) s += 'A';
  if (t & QTTMP) s += 't';
  return s;
}

}  // namespace

const char* name_of(MsgType t) {
  int i = int(t) - int(MsgType::Tversion);
  if (i < 0 || i >= int(std::size(names))) return "Tunknown";
  return names[i];
}

std::string to_string(const Qid& q) {
  return fmt("(%.16llx %u '%s')", (unsigned long long)q.path, q.version, qtype(q.type).c_str());
}

std::string to_string(const Stat& d) {
  return "'" + d.name + "' '" + d.uid + "' '" + d.gid + "' '" + d.muid + "' q " +
         to_string(d.qid) +
         fmt(" m %#o at %u mt %u l %llu t %u d %u", d.mode, d.atime, d.mtime,
             (unsigned long long)d.length, unsigned(d.type), d.dev);
}

namespace {

struct Formatter {
  std::string operator()(const Tversion& m) { return fmt(" msize %u version '%s'", m.msize, m.version.c_str()); }
  std::string operator()(const Rversion& m) { return fmt(" msize %u version '%s'", m.msize, m.version.c_str()); }
  std::string operator()(const Tauth& m) { return fmt(" afid %d uname %s aname %s", int(m.afid), m.uname.c_str(), m.aname.c_str()); }
  std::string operator()(const Rauth& m) { return " qid " + to_string(m.aqid); }
  std::string operator()(const Tattach& m) {
    return fmt(" fid %d afid %d uname %s aname %s", int(m.fid), int(m.afid), m.uname.c_str(), m.aname.c_str());
  }
  std::string operator()(const Rattach& m) { return " qid " + to_string(m.qid); }
  std::string operator()(const Rerror& m) { return " ename " + m.ename; }
  std::string operator()(const Tflush& m) { return fmt(" oldtag %u", unsigned(m.oldtag)); }
  std::string operator()(const Rflush&) { return ""; }
  std::string operator()(const Twalk& m) {
    std::string s = fmt(" fid %d newfid %d nwname %d", int(m.fid), int(m.newfid), int(m.wname.size()));
    for (size_t i = 0; i < m.wname.size(); i++) s += fmt(" %d:", int(i)) + m.wname[i];
    return s;
  }
  std::string operator()(const Rwalk& m) {
    std::string s = fmt(" nwqid %d", int(m.wqid.size()));
    for (size_t i = 0; i < m.wqid.size(); i++) s += fmt(" %d:", int(i)) + to_string(m.wqid[i]);
    return s;
  }
  std::string operator()(const Topen& m) { return fmt(" fid %u mode %d", m.fid, int(m.mode)); }
  std::string operator()(const Ropen& m) { return " qid " + to_string(m.qid) + fmt(" iounit %u", m.iounit); }
  std::string operator()(const Tcreate& m) {
    return fmt(" fid %u name %s perm %#o mode %d", m.fid, m.name.c_str(), m.perm, int(m.mode));
  }
  std::string operator()(const Rcreate& m) { return " qid " + to_string(m.qid) + fmt(" iounit %u", m.iounit); }
  std::string operator()(const Tread& m) {
    return fmt(" fid %d offset %lld count %u", int(m.fid), (long long)m.offset, m.count);
  }
  std::string operator()(const Rread& m) { return fmt(" count %u ", unsigned(m.data.size())) + dumpsome(m.data); }
  std::string operator()(const Twrite& m) {
    return fmt(" fid %d offset %lld count %u ", int(m.fid), (long long)m.offset, unsigned(m.data.size())) +
           dumpsome(m.data);
  }
  std::string operator()(const Rwrite& m) { return fmt(" count %u", m.count); }
  std::string operator()(const Tclunk& m) { return fmt(" fid %u", m.fid); }
  std::string operator()(const Rclunk&) { return ""; }
  std::string operator()(const Tremove& m) { return fmt(" fid %u", m.fid); }
  std::string operator()(const Rremove&) { return ""; }
  std::string operator()(const Tstat& m) { return fmt(" fid %u", m.fid); }
  // Appended rather than `" " + ...`: GCC 12 at -O3 reports a false
  // -Wrestrict on that form (GCC bug 105329).
  std::string operator()(const Rstat& m) { return std::string(" ").append(to_string(m.stat)); }
  std::string operator()(const Twstat& m) { return fmt(" fid %u ", m.fid) + to_string(m.stat); }
  std::string operator()(const Rwstat&) { return ""; }
};

}  // namespace

std::string to_string(const Fcall& f) {
  return std::string(name_of(type_of(f.msg))) + fmt(" tag %u", unsigned(f.tag)) +
         std::visit(Formatter{}, f.msg);
}

}  // namespace grio::ninep

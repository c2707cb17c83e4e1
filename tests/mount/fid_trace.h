// Which fids a server's -D trace leaves in use: the honest count for "no
// fid leaks", taken from what the server itself saw.
#pragma once

#include <map>
#include <set>
#include <sstream>
#include <string>

namespace grio::test {

struct FidCount {
  size_t live = 0;    // fids attached or walked and never clunked or removed
  size_t opens = 0;   // Topen messages seen
  size_t flushes = 0; // Tflush messages seen
};

// Reads lines "[conn] <- Tname tag N ..." and "[conn] -> Rname tag N ...".
// A fid counts from its successful Rattach or full Rwalk until its Tclunk
// or Tremove (which free it whatever the reply).
inline FidCount count_fids(const std::string& trace) {
  struct Sent {
    std::string type;
    long fid = -1, newfid = -1, nwname = 0;
  };
  std::map<std::pair<std::string, long>, Sent> out;  // by (conn, tag)
  std::set<std::pair<std::string, long>> live;        // (conn, fid)
  FidCount n;
  std::istringstream in(trace);
  for (std::string line; std::getline(in, line);) {
    std::istringstream w(line);
    std::string conn, dir, type, word;
    long tag = -1;
    if (!(w >> conn >> dir >> type >> word >> tag) || word != "tag") continue;
    if (dir == "<-") {
      Sent s{type};
      while (w >> word) {
        if (word == "fid") w >> s.fid;
        else if (word == "newfid") w >> s.newfid;
        else if (word == "nwname") w >> s.nwname;
      }
      if (type == "Topen") n.opens++;
      if (type == "Tflush") n.flushes++;
      if (type == "Tclunk" || type == "Tremove") live.erase({conn, s.fid});
      out[{conn, tag}] = s;
    } else if (dir == "->") {
      auto it = out.find({conn, tag});
      if (it == out.end()) continue;
      Sent s = it->second;
      out.erase(it);
      long nwqid = -1;
      if (type == "Rwalk") w >> word >> nwqid;
      if (type == "Rattach") live.insert({conn, s.fid});
      if (type == "Rwalk" && nwqid == s.nwname) live.insert({conn, s.newfid});
    }
  }
  n.live = live.size();
  return n;
}

}  // namespace grio::test

// Files of a window system through a blocking 9P client, for tests: dial,
// write, read and list, each failing with the server's error string.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "net/client.h"

namespace grio::test {

inline std::unique_ptr<net::SyncClient> connect(const std::string& addr, const std::string& aname = "none") {
  net::Error err;
  auto c = net::SyncClient::dial(addr, aname, err);
  INFO(addr << ": " << err);
  REQUIRE(c);
  return c;
}

// Writes data to path; the error, or "" on success.
inline std::string write_file(net::SyncClient& c, const std::string& path, const std::string& data) {
  auto fid = c.walk_path(path);
  if (!fid) return fid.error();
  auto o = c.open(*fid, ninep::OWRITE);
  std::string e = o ? "" : o.error();
  if (o) {
    auto w = c.write(*fid, 0, data);
    if (!w) e = w.error();
  }
  c.clunk(*fid);
  return e;
}

inline net::Result<std::string> read_file(net::SyncClient& c, const std::string& path) {
  auto fid = c.walk_path(path);
  if (!fid) return net::Result<std::string>::error(fid.error());
  auto o = c.open(*fid, ninep::OREAD);
  if (!o) {
    c.clunk(*fid);
    return net::Result<std::string>::error(o.error());
  }
  auto r = c.read(*fid, 0, 8192);
  c.clunk(*fid);
  return r;
}

// The names in directory dir.
inline std::vector<std::string> names(net::SyncClient& c, const std::string& dir) {
  auto fid = c.walk_path(dir);
  REQUIRE(fid.ok());
  REQUIRE(c.open(*fid, ninep::OREAD).ok());
  auto st = c.read_dir(*fid);
  c.clunk(*fid);
  REQUIRE(st.ok());
  std::vector<std::string> out;
  for (auto& s : *st) out.push_back(s.name);
  return out;
}

}  // namespace grio::test

// Secrets of exports, from a file, the environment or the user's list.
#include "net/secret.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "net/tls.h"

namespace grio::net {

namespace {

std::string& secret_file() {
  static std::string path;
  return path;
}

// A file that holds a secret must be ours and closed to everyone else.
bool private_file(const std::string& path, std::string& why) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    why = path + ": " + std::strerror(errno);
    return false;
  }
  if (st.st_uid != ::geteuid() || (st.st_mode & 077)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    why = path + " has mode " + mode + " or another owner: it holds secrets, chmod 600 it";
    return false;
  }
  return true;
}

std::string config_list() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return std::string(x) + "/grio/secrets";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.config/grio/secrets";
  return "";
}

}  // namespace

void set_secret_file(std::string path) { secret_file() = std::move(path); }

std::string find_secret(const Address& a, std::string& why) {
  if (!secret_file().empty()) {
    const std::string& path = secret_file();
    if (!private_file(path, why)) return "";
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    std::string s = tls::clean_secret(line);
    if (s.empty()) why = path + ": its first line is not a secret (32 or more hex digits)";
    return s;
  }
  if (const char* env = std::getenv("GRIO_SECRET"); env && *env) {
    std::string s = tls::clean_secret(env);
    if (s.empty()) why = "$GRIO_SECRET is not a secret (32 or more hex digits)";
    return s;
  }
  std::string list = config_list();
  std::ifstream in(list);
  if (list.empty() || !in) {
    why = "no secret for " + to_string(a) + ": set $GRIO_SECRET, --secret-file FILE, or a line in ~/.config/grio/secrets";
    return "";
  }
  if (!private_file(list, why)) return "";
  std::string want = to_string(a);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string addr, secret;
    if (words >> addr >> secret && addr == want) {
      std::string s = tls::clean_secret(secret);
      if (s.empty()) why = list + ": the secret for " + want + " is not a secret (32 or more hex digits)";
      return s;
    }
  }
  why = "no secret for " + want + " in " + list;
  return "";
}

}  // namespace grio::net

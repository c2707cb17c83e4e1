// A terminal's newline translation (ONLCR) done by grio hub itself, as
// tmux does: the terminal's output processing is turned off (OPOST), so
// the kernel copies output through in bulk instead of looking at every
// byte, and a bare \n from the session becomes \r\n here. A \r\n already
// there stays as it is, even when a write ends between the two.
#pragma once

#include <cstring>
#include <string>
#include <string_view>

namespace grio::wsys {

class Onlcr {
 public:
  // in, translated: in itself when it holds no bare \n, else a view of a
  // buffer kept here until the next call. (A session's pty has no ONLCR,
  // as 9term's: its output comes with bare newlines.)
  std::string_view operator()(std::string_view in) {
    if (in.empty()) return in;
    bool after_cr = cr_;
    cr_ = in.back() == '\r';
    size_t nl = bare_newline(in, after_cr, 0);
    if (nl == std::string_view::npos) return in;
    buf_.clear();
    size_t from = 0;
    for (; nl != std::string_view::npos; nl = bare_newline(in, after_cr, nl + 1)) {
      buf_.append(in.substr(from, nl - from));
      buf_ += "\r\n";
      from = nl + 1;
    }
    buf_.append(in.substr(from));
    return buf_;
  }

 private:
  // The first \n at or after from with no \r before it (after_cr: the
  // byte before in was a \r).
  static size_t bare_newline(std::string_view in, bool after_cr, size_t from) {
    while (from < in.size()) {
      auto* p = static_cast<const char*>(std::memchr(in.data() + from, '\n', in.size() - from));
      if (!p) return std::string_view::npos;
      size_t at = size_t(p - in.data());
      if (at == 0 ? !after_cr : in[at - 1] != '\r') return at;
      from = at + 1;
    }
    return std::string_view::npos;
  }

  bool cr_ = false;  // the last byte given was a \r
  std::string buf_;
};

}  // namespace grio::wsys

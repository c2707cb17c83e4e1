// Bytes a file tree lends a reply instead of copying them into it.
#pragma once

#include <memory>
#include <string_view>

namespace grio::net {

// bytes stay valid, and unchanged, while keep is held: the reply holds it
// until the bytes have gone out.
struct SharedBytes {
  std::shared_ptr<const void> keep;
  std::string_view bytes;
};

}  // namespace grio::net

// The one place grio includes Boost.Asio.
//
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>,
// which GCC 12 in C++20 mode rejects; including it first fixes that once.
#pragma once

#include <utility>

#include <boost/asio.hpp>

namespace grio {
namespace asio = boost::asio;
using error_code = boost::system::error_code;
}  // namespace grio

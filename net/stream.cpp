// The socket work both ends of a 9P connection share.
#include "net/stream.h"

#include <sys/socket.h>

namespace grio::net {

// The default send buffer of a Unix stream socket (wmem_default, 208 KiB)
// holds three 64 KiB messages, and it is the only buffer there is: the
// receiving end's is not used. A burst of large replies or writes then
// leaves in pieces, each sendmsg waiting for the peer to drain the last, so
// both ends wake once per message. A buffer that holds a window of them
// lets one gathered write take the whole burst. The kernel caps the size at
// wmem_max; TCP sizes its own buffers and is left alone.
void prepare_stream(Socket& s) {
  constexpr int unix_send_buffer = 1 << 20;
  error_code ec;
  s.non_blocking(true, ec);
  if (s.local_endpoint(ec).protocol().family() == AF_UNIX)
    s.set_option(asio::socket_base::send_buffer_size(unix_send_buffer), ec);
}

}  // namespace grio::net

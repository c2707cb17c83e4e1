// Where a client finds the secret of an export it dials, never on its
// command line (ps shows that) nor in a log or an error message.
#pragma once

#include <string>

#include "net/dial.h"

namespace grio::net {

// --secret-file FILE: the secret is the file's first line. Set once, before
// dialling; empty unsets it.
void set_secret_file(std::string path);

// The secret for a, in this order: the --secret-file, $GRIO_SECRET, then
// the line "ADDR SECRET" of ~/.config/grio/secrets whose ADDR is a's dial
// string. Files must be the user's own with no access for others.
// Empty, with why set, if there is none (why never holds a secret).
std::string find_secret(const Address& a, std::string& why);

}  // namespace grio::net

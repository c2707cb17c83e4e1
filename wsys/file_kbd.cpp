// kbd (9front): exclusive. While open, keys do not reach cons: its reader
// gets kbdfs messages instead — `k` and the keys held down after a press,
// `K` and those still down after a release, `c` and a typed character —
// each ending in NUL, as many whole ones as fit in a read.
#include "net/errors.h"
#include "wsys/tree.h"

namespace grio::wsys {

namespace {

constexpr size_t QueueMax = 32;  // rio's; messages beyond it are dropped

// Whole messages only; a read too small for the first gets nothing (rio).
std::string take(KbdFile& k, size_t count) {
  std::string out;
  while (!k.queue.empty() && out.size() + k.queue.front().size() + 1 <= count) {
    out += k.queue.front();
    out += '\0';
    k.queue.pop_front();
  }
  return out;
}

void answer_reads(KbdFile& k) {
  while (!k.reads.empty() && !k.queue.empty()) {
    net::Req r = k.reads.front();
    k.reads.pop_front();
    r->respond(ninep::Rread{take(k, r->tread().count)});
  }
}

net::Error open(Ctx& c, net::Fid&, uint8_t) {
  if (c.w->kbd.open) return err::inuse;
  c.w->kbd.open = true;
  return {};
}

void read(Ctx& c, const net::Req& r) {
  auto& k = c.w->kbd;
  if (k.reads.empty() && !k.queue.empty()) return r->respond(ninep::Rread{take(k, r->tread().count)});
  park_in(c, r, [](Window& win) -> auto& { return win.kbd.reads; });
}

// rio's answer: it has no write for kbd.
void write(Ctx&, const net::Req& r) { r->error(err::badqidwrite); }

// Keys nobody read are forgotten, not typed into cons afterwards.
void clunk(Ctx& c, net::Fid&) {
  c.w->kbd.open = false;
  c.w->kbd.queue.clear();
}

}  // namespace

void queue_key(Window& w, std::string msg) {
  auto& k = w.kbd;
  if (!k.open || k.queue.size() >= QueueMax) return;
  k.queue.push_back(std::move(msg));
  answer_reads(k);
}

const FileKind kbd_file{"kbd", Qfile::Kbd, 0600, true, need::input, net::right::type, open, read, write, clunk};

}  // namespace grio::wsys

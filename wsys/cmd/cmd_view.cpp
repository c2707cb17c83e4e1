// grio view: a window here that is a screen, keyboard and mouse of the
// window system at ADDR, as drawterm is a Plan 9 cpu server's. rio's rules
// run on the server (wsys/viewer.h); this end draws the scenes it reads
// from view/feed with its own font, and writes the mouse and keys to
// view/input.
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>

#include "net/client.h"
#include "net/errors.h"
#include "wsys/cmd/commands.h"
#include "wsys/desktop/desktop.h"
#include "wsys/scene_codec.h"
#include "wsys/view_input.h"

namespace grio::cmd {

namespace {

using net::SyncClient;

struct Options {
  std::string addr;
  wsys::desktop::DesktopOptions desk;
  int width = 1024, height = 768;
  int retries = 10;  // redials after a lost connection, a second apart
};

// One connection to the server, with the viewer's two files open.
struct Link {
  std::unique_ptr<SyncClient> c;
  uint32_t feed = 0, input = 0;
};

std::unique_ptr<Link> connect(const std::string& addr, net::Error& err) {
  auto l = std::make_unique<Link>();
  l->c = SyncClient::dial(addr, "none", err);
  if (!l->c) return nullptr;
  for (auto [path, mode, fid] : {std::tuple{"view/feed", ninep::OREAD, &l->feed},
                                 std::tuple{"view/input", ninep::OWRITE, &l->input}}) {
    auto f = l->c->walk_path(path);
    if (!f) {
      err = std::string(path) + ": " + f.error();
      return nullptr;
    }
    if (auto o = l->c->open(*f, mode); !o) {
      err = std::string(path) + ": " + o.error();
      return nullptr;
    }
    *fid = *f;
  }
  return l;
}

// The viewer: the link (replaced when it is dialled again), events to
// write, and the loop that reads frames.
class Viewer : public wsys::InputSink {
 public:
  Viewer(const Options& o, wsys::desktop::Desktop& d, std::unique_ptr<Link> l)
      : o_(o), d_(d), link_(std::move(l)), writer_([this] { write_loop(); }) {}
  ~Viewer() override {
    stop();
    writer_.join();
  }
  // Ends the reads and writes (from any thread).
  void stop() {
    {
      std::lock_guard lock(m_);
      done_ = true;
      if (link_) link_->c->close();
    }
    cv_.notify_all();
  }

  // Until the server ends the view (Exit) or the connection cannot be had
  // again; false then.
  bool read_loop();

  void mouse(wsys::MouseState m) override { send(m); }
  void keys(std::u32string_view runes, unsigned mods) override { send(wsys::ViewKeys{std::u32string(runes), mods}); }
  void press(const term::KeyPress& k) override { send(k); }
  // Keys held down are not sent: two more writes a key (down, up) would
  // double what a typed key costs on the wire, for the rare program that
  // reads a window's kbd file (it still gets the typed runes).
  void key_state(std::string) override {}
  void ready() override {}  // the feed's reads pace the frames
  void clipboard(std::string text) override { send(wsys::ViewClipboard{std::move(text)}); }
  void resized(wsys::Rect r) {
    std::lock_guard lock(m_);
    size_ = wsys::ViewSize{r, d_.metrics()};
    pending_ += wsys::format_view_event(*size_);
    cv_.notify_all();
  }

 private:
  void send(const wsys::ViewEvent& e) {
    std::lock_guard lock(m_);
    if (!link_) return;  // dialling again: what is typed meanwhile is lost
    pending_ += wsys::format_view_event(e);
    cv_.notify_all();
  }
  void write_loop();
  bool redial();
  void title(const std::string& what) {
    d_.set_title("grio view " + o_.addr + (what.empty() ? "" : " — " + what));
  }

  const Options& o_;
  wsys::desktop::Desktop& d_;
  std::mutex m_;
  std::condition_variable cv_;
  std::shared_ptr<Link> link_;
  std::optional<wsys::ViewSize> size_;
  std::string pending_;
  bool done_ = false;
  std::thread writer_;
};

// Events go out in order, as many in one write as have come meanwhile
// (the pointer's motion while a write is out costs one write, not many).
void Viewer::write_loop() {
  std::unique_lock lock(m_);
  for (;;) {
    cv_.wait(lock, [this] { return done_ || (!pending_.empty() && link_); });
    if (done_) return;
    std::shared_ptr<Link> l = link_;
    size_t max = l->c->msize() - 24;
    size_t cut = pending_.size() <= max ? pending_.size() : pending_.rfind('\n', max) + 1;
    std::string batch = pending_.substr(0, cut);
    pending_.erase(0, cut);
    lock.unlock();
    auto w = l->c->write(l->input, 0, batch);
    lock.lock();
    // A refused write (keys without the type right) is said on the
    // feed; a lost connection is the reader's to notice.
    if (!w && w.error() != err::hungup) title(w.error());
  }
}

bool Viewer::read_loop() {
  title("");
  for (;;) {
    std::shared_ptr<Link> l;
    {
      std::lock_guard lock(m_);
      if (done_ || !link_) return true;
      l = link_;
      if (!size_) size_ = wsys::ViewSize{d_.screen(), d_.metrics()};
      pending_.insert(0, wsys::format_view_event(*size_));  // the server lays out for our font
      cv_.notify_all();
    }
    wsys::FeedDecoder dec;
    std::vector<wsys::ViewFrame> frames;
    for (;;) {
      auto got = l->c->read(l->feed, 0, l->c->msize() - 24);
      if (!got) break;
      frames.clear();
      if (auto e = dec.push(*got, frames); !e.empty()) {
        std::fprintf(stderr, "grio view: %s: %s\n", o_.addr.c_str(), e.c_str());
        return false;
      }
      for (auto& f : frames) {
        if (f.clipboard) d_.set_clipboard(*f.clipboard);
        if (!f.notice.empty()) title(f.notice);
        if (f.exit) return true;
      }
      if (!frames.empty() && frames.back().scene) d_.publish(frames.back().scene);
    }
    {
      std::lock_guard lock(m_);
      if (done_) return true;
      link_ = nullptr;
      pending_.clear();
    }
    if (!redial()) return false;
  }
}

// A lost connection is dialled again, o_.retries times a second apart.
bool Viewer::redial() {
  for (int i = 1; i <= o_.retries; i++) {
    title("connection lost, dialling again (" + std::to_string(i) + " of " + std::to_string(o_.retries) + ")");
    {
      std::unique_lock lock(m_);
      if (cv_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; })) return true;
    }
    net::Error err;
    if (auto l = connect(o_.addr, err)) {
      std::lock_guard lock(m_);
      if (done_) return true;
      link_ = std::move(l);
      title("");
      return true;
    }
  }
  std::fprintf(stderr, "grio view: %s: connection lost\n", o_.addr.c_str());
  return false;
}

}  // namespace

int view(int argc, char** argv) {
  Options o;
  CLI::App app{"a remote window system on this screen, live: grio view ADDR"};
  app.add_option("ADDR", o.addr, "the window system: unix!PATH[!SUB] or tcp!HOST!PORT!NAME (an export; $GRIO_SECRET)")
      ->required();
  app.add_option("-f,--font", o.desk.font, "font: a fontconfig name or a font file");
  app.add_option("-s,--size", o.desk.points, "font size in points");
  app.add_flag("-b", o.desk.reversed, "white on black");
  app.add_option("--width", o.width, "the window's width before the first screen arrives")->check(CLI::Range(100, 16384));
  app.add_option("--height", o.height, "… and its height")->check(CLI::Range(100, 16384));
  app.add_option("--retries", o.retries, "redials after the connection is lost, a second apart")->check(CLI::Range(0, 1000));
  CLI11_PARSE(app, argc, argv);

  net::Error err;
  auto link = connect(o.addr, err);
  if (!link) {
    std::fprintf(stderr, "grio view: %s: %s\n", o.addr.c_str(), err.c_str());
    return 1;
  }
  o.desk.window = wsys::rect(0, 0, o.width, o.height);
  Viewer* v = nullptr;
  o.desk.resized = [&v](wsys::Rect r) {
    if (v) v->resized(r);
  };
  std::string why;
  auto d = wsys::desktop::Desktop::open(o.desk, why);
  if (!d) {
    std::fprintf(stderr, "grio view: %s\n", why.c_str());
    return 1;
  }
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread io_thread([&io] { io.run(); });
  int status = 0;
  {
    Viewer viewer(o, *d, std::move(link));
    v = &viewer;
    std::thread reader([&] {
      if (!viewer.read_loop()) status = 1;
      d->quit();
    });
    d->run(io, viewer, [&work] { work.reset(); });
    v = nullptr;
    io_thread.join();
    viewer.stop();  // the window is gone: the reader's read ends with the connection
    reader.join();
  }
  return status;
}

}  // namespace grio::cmd

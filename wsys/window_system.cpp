// The window system's rules: creation, wctl verbs, lifetime, input and output.
#include "wsys/window_system.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <system_error>
#include <utility>

#include "net/errors.h"
#include "net/exports.h"
#include "term/layout.h"
#include "wsys/hub_session.h"
#include "wsys/hub_terminal.h"
#include "wsys/shell.h"
#include "wsys/tree.h"
#include "wsys/viewer.h"
#include "wsys/workspace.h"

namespace grio::wsys {

namespace {

// The window system's own process or group: never a window's -pid.
bool ours(pid_t pid) { return pid == ::getpid() || pid == ::getpgrp(); }

// Never 0 or 1 (kill(-1) signals everyone), nor the window system itself.
bool never_signalled(pid_t pid) { return pid <= 1 || ours(pid); }

// The -pid group of a window, only while it is provably its client's: set
// by a Unix socket peer (a TCP peer's -pid names a process on another
// machine, or anyone's here) and its leader running as that peer's user.
// Checked at each signal, as the pid may have been reused since.
void signal_note(const Window& w, int sig) {
  if (never_signalled(w.note_pid) || !w.note_uid) return;
  struct stat st {};
  if (::stat(("/proc/" + std::to_string(w.note_pid)).c_str(), &st) != 0 || st.st_uid != *w.note_uid) return;
  ::kill(-w.note_pid, sig);
}

// -pid: recorded from anyone (0 is no process), signalled only as above.
net::Error set_note(Window& w, const WctlCommand& c) {
  if (!c.pid) return {};
  if (ours(*c.pid)) return err::ownpid;
  w.note_pid = *c.pid;
  w.note_uid = c.sender_uid;
  return {};
}

// A rune the keyboard (or a test) typed, as a VT window's key: the line
// discipline's keys become the terminal keys that send the same.
term::KeyPress vt_key(char32_t k) {
  switch (k) {
    case '\n': return {0, term::VtKey::Enter};
    case '\t': return {0, term::VtKey::Tab};
    case 0x08: return {0, term::VtKey::Backspace};
    case 0x1B: return {0, term::VtKey::Escape};
    default: return {k};
  }
}

void fail_all(std::deque<net::Req>& q, std::string_view why) {
  auto doomed = std::move(q);
  q.clear();
  for (auto& r : doomed) r->error(why);
}

}  // namespace

Window::~Window() = default;

WindowSystem::WindowSystem(asio::io_context& io, WsysConfig cfg)
    : io_(io), cfg_(std::move(cfg)), sigchld_(io, SIGCHLD) {
  // Hub qids sit above every window's (id << 8 | file).
  hubs_ = std::make_unique<net::HubTree>(io, "grio", uint64_t(1) << 62);
  hubs_->set_limits(cfg_.hubs);
  sessions_ = std::make_unique<HubSessions>(io, *hubs_, [this](pid_t pid) { reap_later(pid); });
  viewers_ = std::make_unique<Viewers>(io, *this, cfg_.max_viewers);
  sessions_->fence = [this](term::PtyConfig& pc) { return fence ? fence(pc) : net::Error{}; };
  hubs_->set_hooks(net::HubTree::Hooks{
      [this](const std::string& name, const std::string& cmd, bool vt) {
        return sessions_->start(name, cmd, {{"wsys", cfg_.address}}, vt);
      },
      [this](const std::string& name) { sessions_->removed(name); },
      [this](const std::string& name, int fd, bool watch) { return serve_terminal(io_, *hubs_, name, fd, watch); },
      [this](const std::string& name, unsigned short cols, unsigned short rows) { sessions_->resize(name, cols, rows); }});
  reap_children();
}

size_t WindowSystem::session_count() const { return sessions_->count(); }

void WindowSystem::close() {
  closed_ = true;
  error_code ec;
  sigchld_.cancel(ec);
  sessions_->close();
  hubs_->close();
  viewers_->close_all();
  for (auto& [id, w] : windows_) {
    retire(std::move(w->shell));
    if (w->sub) w->sub->close();
  }
}

// Programs we started are reaped when they end, whenever that is; other
// children of the process (tests, `grio window -m`) are left to their owners.
void WindowSystem::reap_children() {
  std::erase_if(dying_, [](pid_t pid) { return term::reap(pid).has_value(); });
  // A SIGCHLD already queued when close() cancels the wait must not wait
  // again: the io_context would never run out of work.
  if (closed_) return;
  sigchld_.async_wait([this](const error_code& ec, int) {
    if (ec != asio::error::operation_aborted) reap_children();
  });
}

void WindowSystem::retire(std::unique_ptr<Shell> s) {
  if (!s) return;
  pid_t pid = s->pid();
  s.reset();
  if (!term::reap(pid)) dying_.push_back(pid);
}

WindowSystem::~WindowSystem() {
  viewers_->close_all();
  sessions_.reset();
  hubs_.reset();
  for (auto& [id, w] : windows_) {
    fail_all(w->cons_reads, err::deleted);
    fail_all(w->wctl_reads, err::deleted);
    fail_all(w->cons_writes, err::deleted);
    fail_all(w->mouse.reads, err::deleted);
    fail_all(w->kbd.reads, err::deleted);
  }
}

Window* WindowSystem::find(int id) {
  auto it = windows_.find(id);
  return it == windows_.end() ? nullptr : it->second.get();
}

Window* WindowSystem::live(int id) {
  Window* w = find(id);
  return w && !w->deleted ? w : nullptr;
}

std::vector<int> WindowSystem::ids() const {
  std::vector<int> out;
  for (auto& [id, w] : windows_)
    if (!w->deleted) out.push_back(id);
  return out;
}

namespace {

// Why a program cannot start in dir ("" if it can), said before starting
// it: a chdir failing in the child would read as the shell's own error.
std::string bad_directory(const std::string& dir) {
  if (dir.size() > max_wdir) return err::nametoolong;
  std::error_code ec;
  auto st = std::filesystem::status(dir, ec);
  if (!ec && !std::filesystem::is_directory(st)) ec = std::make_error_code(std::errc::not_a_directory);
  if (!ec && ::access(dir.c_str(), X_OK) < 0) ec = std::error_code(errno, std::generic_category());
  return ec ? std::string(err::baddir) + " " + dir + ": " + ec.message() : "";
}

}  // namespace

// The rights `new` needs, and the windows an export's peers may push.
net::Error WindowSystem::may_create(const WctlCommand& c, const net::Grant& by) {
  if (!by.has(wctl_right(c))) return err::perm;
  if (c.sub) {
    if (!nest) return err::nosubs;
    if (auto e = check_sub_name(*c.sub); !e.empty()) return e;
    if (host_of(*c.sub)) return std::string(err::subexists) + " " + *c.sub;
  }
  if (by.owner()) return {};
  auto pushed = std::count_if(windows_.begin(), windows_.end(), [&](auto& w) { return w.second->peer == by.export_name; });
  return size_t(pushed) >= cfg_.max_peer_windows ? net::Error{err::toomanywindows} : net::Error{};
}

net::Result<Window*> WindowSystem::create(const WctlCommand& c, const net::Grant& by) {
  if (closed_) return net::Result<Window*>::error(err::deleted);  // a sub-workspace whose host went
  if (auto e = may_create(c, by); !e.empty()) return net::Result<Window*>::error(e);
  if (windows_.size() >= cfg_.max_windows) return net::Result<Window*>::error(err::toomanywindows);
  if (c.cd && c.cd->size() > max_wdir) return net::Result<Window*>::error(err::nametoolong);
  if (c.cd && !c.pid)
    if (auto e = bad_directory(*c.cd); !e.empty()) return net::Result<Window*>::error(e);
  if (c.pid && ours(*c.pid)) return net::Result<Window*>::error(err::ownpid);
  Rect r = onto_screen(apply_geometry(c, cascade_rect(cascade_, cfg_.screen)), cfg_.screen);
  if (!good_rect(r, cfg_.screen, cfg_.font_height)) return net::Result<Window*>::error(err::badrect);
  cascade_++;
  int id = next_id_++;
  auto w = std::make_unique<Window>(id);
  w->text = term::TextBuffer(cfg_.text);
  w->rect = r;
  if (c.vt) w->vt = std::make_unique<term::VtScreen>(cells(r).second, cells(r).first, cfg_.vt);  // cut to max_vt_*
  w->hidden = c.hide;
  if (c.scroll) w->scroll = *c.scroll;
  if (c.cd) w->wdir = *c.cd;
  set_note(*w, c);
  if (!by.owner()) {
    w->peer = by.export_name;
    w->label_prefix = (by.label.empty() ? by.export_name : by.label) + ": ";
  }
  Window* raw = w.get();
  windows_[id] = std::move(w);
  order_.push_back(id);
  // A peer's window never takes the keyboard from the owner's.
  if (!raw->hidden && raw->peer.empty()) set_current(id);
  if (c.sub) {
    if (auto e = host(*raw, c); !e.empty()) {
      remove(*raw);
      return net::Result<Window*>::error(e);
    }
  } else if (!c.pid) {
    start_program(*raw, c);
  }
  if (!raw->peer.empty()) set_label(*raw, raw->label);
  touched();
  return raw;
}

// A host runs no program of its own: what it shows is the workspace nested
// in it, which lives as long as the window does.
net::Error WindowSystem::host(Window& w, const WctlCommand& c) {
  auto sub = nest(w, c);
  if (!sub) return sub.error();
  w.sub = std::move(*sub);
  w.label = *c.sub;
  return {};
}

// rio runs `rc -c cmd` or `rc -i`; we run `sh -c cmd` or the user's shell.
// BUG: fork and exec happen on the io thread (a few milliseconds).
void WindowSystem::start_program(Window& w, const WctlCommand& c) {
  term::PtyConfig pc;
  if (!c.cmd.empty()) pc.argv = {"/bin/sh", "-c", c.cmd};
  pc.env = {{"wsys", cfg_.address}, {"winid", std::to_string(w.id)}};
  pc.dir = w.wdir;
  pc.vt = w.vt != nullptr;
  std::tie(pc.cols, pc.rows) = pty_size(w);
  // Why not, said in the window, as the program's output would be.
  auto not_started = [&w](const std::string& why) {
    std::string msg = "grio: cannot start program: " + why + "\n";
    if (w.vt) w.vt->write(msg + "\r");
    else w.text.write(w.shell_output, msg);
  };
  std::string why = fence ? fence(pc) : "";
  auto p = why.empty() ? term::start_pty(pc, why) : std::nullopt;
  if (!p) return not_started(why);
  int id = w.id;
  try {
    w.shell = std::make_unique<Shell>(io_, *p, Shell::Events{
        [this, id](std::string_view out) {
          if (Window* win = live(id)) output(*win, win->shell_output, out);
        },
        [this, id] { program_exited(id); }});
  } catch (const std::system_error& e) {  // no thread to read its output: its pty is closed, so it is hung up
    term::signal_group(p->pid, SIGHUP);
    reap_later(p->pid);
    return not_started(e.what());
  }
  if (w.label == "<unnamed>")
    w.label = (c.cmd.empty() ? "sh" : c.cmd.substr(0, std::min(c.cmd.find(' '), max_label / 2))) + " " + std::to_string(p->pid);
}

// When our program is gone the window goes too, unless fids still use it.
void WindowSystem::program_exited(int id) {
  Window* w = find(id);
  if (!w) return;
  // Shell is inside its own read handler: let that return first.
  asio::post(io_, [this, s = std::move(w->shell)]() mutable { retire(std::move(s)); });
  if (w->refs == 0) {
    if (!w->deleted) remove(*w);
    collect(id);
  }
}

void WindowSystem::ref(int id) {
  if (Window* w = find(id)) w->refs++;
}

void WindowSystem::unref(int id) {
  Window* w = find(id);
  if (!w || --w->refs > 0) return;
  if ((w->shell || w->sub) && !w->deleted) return;  // our program, or a sub-workspace, still runs in it
  if (!w->deleted) remove(*w);
  collect(id);
}

void WindowSystem::collect(int id) {
  Window* w = find(id);
  if (!w || w->refs > 0 || !w->deleted) return;
  windows_.erase(id);
}

void WindowSystem::touched() {
  for (auto& [handle, f] : observers_) f();
}

size_t WindowSystem::observe(std::function<void()> f) {
  observers_[next_observer_] = std::move(f);
  return next_observer_++;
}

void WindowSystem::unobserve(size_t handle) { observers_.erase(handle); }

void WindowSystem::set_screen(Rect r) {
  if (r == cfg_.screen) return;
  cfg_.screen = r;
  touched();
}

// As rio's resized(): every window is scaled with the screen, and one that
// would come out too small for a window keeps its size and goes where its
// corner was scaled to (reshape cuts it to the screen, as any window; a
// screen too small for any window leaves it be).
void WindowSystem::resize_screen(Rect r) {
  const Rect was = cfg_.screen;
  set_screen(r);
  if (r == was || was.dx() <= 0 || was.dy() <= 0) return;
  for (auto& [id, w] : windows_) {
    if (w->deleted) continue;
    auto x = [&](int v) { return int(r.min.x + (int64_t(v) - was.min.x) * r.dx() / was.dx()); };
    auto y = [&](int v) { return int(r.min.y + (int64_t(v) - was.min.y) * r.dy() / was.dy()); };
    Rect to{{x(w->rect.min.x), y(w->rect.min.y)}, {x(w->rect.max.x), y(w->rect.max.y)}};
    if (reshape(*w, to).empty()) continue;
    (void)reshape(*w, Rect{to.min, {to.min.x + w->rect.dx(), to.min.y + w->rect.dy()}});
  }
}

std::shared_ptr<Workspace> WindowSystem::sub_at(std::string_view path) {
  auto slash = path.find('/');
  Window* host = host_of(path.substr(0, slash));
  if (!host) return nullptr;
  return slash == std::string_view::npos ? host->sub : host->sub->find_sub(path.substr(slash + 1));
}

Window* WindowSystem::host_of(std::string_view name) {
  for (auto& [id, w] : windows_)
    if (!w->deleted && w->sub && w->sub->name() == name) return w.get();
  return nullptr;
}

void WindowSystem::set_snarf(std::string s) {
  snarf = std::move(s);
  snarf_version++;
  touched();
}

void WindowSystem::remove(Window& w) {
  w.deleted = true;
  if (w.sub) {  // its programs hung up, its clients cut off
    w.sub->close();
    for (pid_t pid : w.sub->ws().take_dying()) reap_later(pid);  // it reaps no more
  }
  touched();
  std::erase(order_, w.id);
  if (current_ == w.id) current_ = 0;
  fail_all(w.cons_reads, err::deleted);
  fail_all(w.wctl_reads, err::deleted);
  fail_all(w.cons_writes, err::deleted);
  fail_all(w.mouse.reads, err::deleted);
  fail_all(w.kbd.reads, err::deleted);
  signal_note(w, SIGHUP);
  retire(std::move(w.shell));
  if (w.refs == 0) collect(w.id);
}

// A window losing the keyboard hears that no key is down any more.
void WindowSystem::set_current(int id) {
  if (current_ == id) return;
  int old = std::exchange(current_, id);
  if (Window* w = live(old)) {
    key_state(*w, "K");
    wctl_changed(*w);
  }
  if (Window* w = live(id)) wctl_changed(*w);
}

void WindowSystem::raise(int id) {
  std::erase(order_, id);
  order_.push_back(id);
  touched();
}

void WindowSystem::lower(int id) {
  std::erase(order_, id);
  order_.insert(order_.begin(), id);
  touched();
}

// The frame is the rect inset by the border and a pixel; the scroll bar and
// its gap take 16 pixels on the left (rio's geometry, §2.8).
std::pair<unsigned short, unsigned short> WindowSystem::cells(Rect r) const {
  return {(unsigned short)std::max(1, (r.dx() - 2 * 5 - 16) / cfg_.font_width),
          (unsigned short)std::max(1, (r.dy() - 2 * 5) / cfg_.font_height)};
}

std::pair<unsigned short, unsigned short> WindowSystem::pty_size(const Window& w) const {
  auto [cols, rows] = cells(w.rect);
  if (!w.vt) return {cols, rows};
  return {std::min<unsigned short>(cols, term::max_vt_cols), std::min<unsigned short>(rows, term::max_vt_rows)};
}

// A program that has the mouse file open always sees its output (rio).
bool WindowSystem::output_blocked(const Window& w) const {
  if (w.scroll || w.mouse.open || w.vt) return false;
  auto [cols, rows] = cells(w.rect);
  return w.text.qh() > term::visible_end(w.text.runes(), w.text.org(), cols, rows);
}

net::Error WindowSystem::reshape(Window& w, Rect r) {
  r = onto_screen(r, cfg_.screen);
  if (!good_rect(r, cfg_.screen, cfg_.font_height)) return err::badrect;
  if (r == w.rect) return {};
  w.rect = r;
  w.reshapes++;
  auto [cols, rows] = pty_size(w);
  if (w.shell) w.shell->resize(cols, rows);
  if (w.vt) w.vt->resize(rows, cols);
  if (w.sub) w.sub->ws().resize_screen(sub_screen(r));
  reshaped(w);
  wctl_changed(w);
  return {};
}

// Only the owner gives the keyboard to a window a peer pushed.
bool WindowSystem::may_focus(const Window& w, const net::Grant& by) const { return w.peer.empty() || by.owner(); }

void WindowSystem::set_label(Window& w, std::string_view label) {
  w.label = w.label_prefix + std::string(label);
  w.view_version++;  // scenes carry it, for remote viewers
  touched();
}

net::Error WindowSystem::focus(Window& w, const net::Grant& by) {
  if (w.hidden) return err::hidden;
  raise(w.id);
  if (may_focus(w, by)) set_current(w.id);
  return {};
}

net::Error WindowSystem::control(Window& w, const WctlCommand& c, const net::Grant& by) {
  if (c.verb != WctlVerb::New && !owns(by, w) && !by.has(wctl_right(c))) return err::perm;
  switch (c.verb) {
    case WctlVerb::New:
      return err::wctlnew;
    case WctlVerb::Resize:
      return reshape(w, apply_geometry(c, w.rect));
    case WctlVerb::Move: {
      Rect to = apply_geometry(c, w.rect);
      return reshape(w, Rect{to.min, {to.min.x + w.rect.dx(), to.min.y + w.rect.dy()}});
    }
    case WctlVerb::Scroll:
    case WctlVerb::Noscroll:
      w.scroll = c.verb == WctlVerb::Scroll;
      if (w.scroll) show_end(w);
      changed(w);
      return {};
    case WctlVerb::Set:
      return set_note(w, c);
    case WctlVerb::Top:
      raise(w.id);
      return {};
    case WctlVerb::Bottom:
      lower(w.id);
      return {};
    case WctlVerb::Current:
      return focus(w, by);
    case WctlVerb::Hide:
      if (w.hidden) return err::alreadyhidden;
      w.hidden = true;
      if (current_ == w.id) set_current(0);
      reshaped(w);
      wctl_changed(w);
      return {};
    case WctlVerb::Unhide:
      if (!w.hidden) return err::nothidden;
      w.hidden = false;
      raise(w.id);
      if (may_focus(w, by)) set_current(w.id);
      reshaped(w);
      wctl_changed(w);
      return {};
    case WctlVerb::Delete:
      remove(w);
      return {};
  }
  return err::badwctl;
}

// Typing follows the program's echo: a program that turned it off (a
// password prompt) gets keys unshown. DEL interrupts the program's
// foreground job, or the -pid group.
void WindowSystem::type(int id, std::u32string_view keys, const net::Grant& by) {
  Window* w = live(id);
  if (!w) return;
  if (w->kbd.open) {
    for (char32_t k : keys) key_state(*w, "c" + term::to_utf8(std::u32string(1, k)));
    return;
  }
  if (w->vt) {
    for (char32_t k : keys) press(*w, vt_key(k));
    return;
  }
  follow_tty(*w);
  for (char32_t k : keys) {
    auto effect = w->text.type(k);
    if (!effect.snarf.empty() && by.has(net::right::snarf)) set_snarf(term::to_utf8(effect.snarf));
    if (effect.interrupt) {
      if (w->shell) w->shell->interrupt();
      else signal_note(*w, SIGINT);
    }
  }
  changed(*w);
}

// Whether keys show depends on the program's echo when they come, not
// when the last key did: a paste before any key (into a hub window, whose
// client turned echo off) would show, and then show again as the echo.
void WindowSystem::follow_tty(Window& w) {
  if (w.shell) w.text.set_echo(w.shell->echo(), w.shell->canonical());
}

void WindowSystem::paste(Window& w, std::u32string_view runes) {
  if (w.vt) {
    w.vt->paste(term::to_utf8(runes));
    return flush_vt_input(w);
  }
  follow_tty(w);
  w.text.paste(runes);
}

void WindowSystem::cut(Window& w) {
  if (w.vt) return;  // a VT window's screen is its program's to change
  std::u32string_view sel = w.text.runes().substr(w.text.q0(), w.text.q1() - w.text.q0());
  if (sel.empty()) return;
  set_snarf(term::to_utf8(sel));
  w.text.paste(U"");
}

void WindowSystem::press(Window& w, const term::KeyPress& k) {
  if (!w.vt) return;
  w.vt->key(k);
  if (w.vt_back) scroll_vt(w, -w.vt_back);  // typing shows the live screen, as xterm does
  flush_vt_input(w);
}

net::Error WindowSystem::send_input(Window& w, std::string_view bytes) {
  if (!w.shell) return err::noprogram;
  return w.shell->send(bytes) ? net::Error{} : net::Error{err::inputfull};
}

void WindowSystem::flush_vt_input(Window& w) {
  std::string in = w.vt->take_input();
  if (!in.empty() && w.shell) w.shell->send(in);
}

void WindowSystem::vt_mouse(Window& w, int row, int col, int pressed, int released) {
  if (!w.vt) return;
  const std::pair<int, int> buttons[] = {{1, 1}, {2, 2}, {8, 4}, {16, 5}};  // rio's bit, the terminal's button
  w.vt->mouse_move(row, col, 0);
  for (auto [bit, b] : buttons) {
    if (pressed & bit) w.vt->mouse(row, col, b, true, 0);
    if ((released & bit) && b <= 3) w.vt->mouse(row, col, b, false, 0);
  }
  flush_vt_input(w);
}

void WindowSystem::scroll_vt(Window& w, int n) {
  if (!w.vt) return;
  int back = std::clamp(w.vt_back + n, 0, int(w.vt->scrollback_lines()));
  if (back == w.vt_back) return;
  w.vt_back = back;
  w.view_version++;
  touched();
}

// A VT window's output is its screen's; what the terminal answers (a
// cursor position report) goes back to the program. The view follows
// output in scroll mode.
void WindowSystem::output(Window& w, term::OutputDecoder& from, std::string_view bytes) {
  if (w.vt) {
    w.vt->write(bytes);
    if (w.scroll) w.vt_back = 0;
    flush_vt_input(w);
    w.view_version++;
    return touched();
  }
  insert_output(w, from, bytes);
  changed(w);
}

void WindowSystem::insert_output(Window& w, term::OutputDecoder& from, std::string_view bytes) {
  w.text.write(from, bytes);
  if (w.scroll || w.mouse.open) show_end(w);
}

void WindowSystem::show_end(Window& w) {
  auto [cols, rows] = cells(w.rect);
  w.text.set_org(term::org_showing_end(w.text.runes(), w.text.org(), cols, rows));
}

// Our own program reads the window's input like any cons reader would.
void WindowSystem::feed_program(Window& w) {
  while (w.shell && w.text.can_read()) {
    std::string line = w.text.read(4096);
    if (line.empty()) line = "\x04";  // ^D on an empty line: the tty's EOF
    w.shell->input(line);
  }
}

// BUG: output of our own program is not held back in noscroll mode; only
// cons and text writers wait.
void WindowSystem::changed(Window& w) {
  while (!w.cons_writes.empty() && !output_blocked(w)) {
    net::Req r = w.cons_writes.front();
    w.cons_writes.pop_front();
    insert_output(w, *std::static_pointer_cast<term::OutputDecoder>(r->fid().aux), r->twrite().data);
    r->respond(ninep::Rwrite{uint32_t(r->twrite().data.size())});
  }
  while (!w.cons_reads.empty() && w.text.can_read()) {
    net::Req r = w.cons_reads.front();
    w.cons_reads.pop_front();
    r->respond(ninep::Rread{w.text.read(r->tread().count)});
  }
  if (w.cons_reads.empty()) feed_program(w);
  w.view_version++;
  touched();
}

void WindowSystem::key_state(Window& w, std::string msg) { queue_key(w, std::move(msg)); }

void WindowSystem::mouse(Window& w, Point at, int buttons, uint32_t msec) { send_mouse(w, at, buttons, msec); }

void WindowSystem::reshaped(Window& w) { mouse_reshaped(w); }

Window* WindowSystem::window_at(Point p) {
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    Window* w = live(*it);
    if (w && !w->hidden && w->rect.contains(p)) return w;
  }
  return nullptr;
}

void WindowSystem::wctl_changed(Window& w) {
  w.wctl_version++;
  w.view_version++;
  touched();
  answer_wctl_reads(*this, w);
}

void WindowSystem::set_exports(net::Exports* e) {
  exports_ = e;
  if (!e) return;
  e->set_check([this](const net::ExportSpec& spec) -> net::Error {
    auto name = spec.hub();
    if (!name.empty() && !hubs_->session(name)) return std::string(err::nosession) + " " + name;
    auto sub = spec.sub().empty() ? nullptr : sub_at(spec.sub());
    if (!spec.sub().empty() && !sub) return std::string(err::nosub) + " " + spec.sub();
    // Whoever may start programs in it from elsewhere finds them fenced
    // (those started from now on); no sandbox, no export.
    if (sub && (spec.rights & net::right::exec)) return sub->sandbox();
    return {};
  });
  // An export of sub/NAME is served by the sub-workspace's own server,
  // which holds nothing of ours; none while its host is gone.
  e->set_route([this, e](const net::ExportSpec& spec) -> net::Server* {
    if (spec.sub().empty()) return &e->server();
    auto sub = sub_at(spec.sub());
    return sub && !sub->closed() ? &sub->server() : nullptr;
  });
}

}  // namespace grio::wsys

// The desktop: an SDL window showing the window system, its font, and the
// loop that draws scenes on the main thread while the io thread runs the
// model. The only way into SDL for the rest of grio; no SDL types here.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/asio.h"
#include "wsys/input_sink.h"
#include "wsys/scene.h"

namespace grio::wsys::desktop {

struct DesktopOptions {
  std::string font = "monospace";  // -f: fontconfig name or font file
  double points = 10;              // font size; scaled by the display's DPI
  bool reversed = false;           // -b: white on black
  // A viewer's (grio view): a window of its own of this size, titled,
  // that takes the size of the screen it shows where the display allows
  // and scales a larger one down to fit. Unset: rio's, the whole display.
  std::optional<Rect> window;
  // Told (on the main thread) when the window's size changes: a viewer's
  // by its user, rio's when something resizes it (a window manager).
  std::function<void(Rect)> resized;
};

class Desktop {
 public:
  // Opens the display and the font. Nothing, with why set, when there is
  // no display (no $DISPLAY or $WAYLAND_DISPLAY, or SDL cannot open one)
  // or no font: the caller runs headless then.
  static std::unique_ptr<Desktop> open(const DesktopOptions& opt, std::string& why);
  ~Desktop();

  Rect screen() const;
  Metrics metrics() const;

  // Safe from any thread: the newest scene replaces any not yet drawn.
  void publish(std::shared_ptr<const Scene> s);
  void set_clipboard(std::string text);
  // The window's title (a viewer's notices); safe from any thread.
  void set_title(std::string title);
  // The screen's pixels (x8r8g8b8 rows) as the next frame draws them,
  // handed to done on the main thread.
  void capture(std::function<void(std::string)> done);
  // Moves the pointer to p (the mouse file's warp); safe from any thread.
  void warp(Point p);
  void quit();

  // Draws and reads input until quit() or the window is closed; input goes
  // to c on io. stop is posted to io at the end (it should let io.run end).
  void run(asio::io_context& io, InputSink& c, std::function<void()> stop);

 private:
  struct Impl;
  explicit Desktop(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace grio::wsys::desktop

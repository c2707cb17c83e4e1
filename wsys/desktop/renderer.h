// Drawing scenes with SDL: each window into a texture of its own, redrawn
// only when its part of the scene changed, then stacked on the grey
// background with the menu and any sweep outline on top. A host window's
// sub-workspace is a scene drawn by a renderer of its own (its windows'
// textures are its own), composed onto the screen at the host's interior,
// clipped to it.
#pragma once

#include <SDL.h>

#include <map>
#include <memory>

#include "fonts/font.h"
#include "wsys/desktop/palette.h"
#include "wsys/scene.h"

namespace grio::wsys::desktop {

class Renderer {
 public:
  Renderer(SDL_Renderer* r, fonts::Font& font, Palette p);
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  void draw(const Scene& s);

 private:
  struct Cached {
    SDL_Texture* tex = nullptr;
    uint64_t version = 0;
    int w = 0, h = 0;
  };
  // Brings the windows' textures up to date, nested scenes' too: before
  // anything is composed, as switching targets midway need not keep it.
  void prepare(const Scene& s);
  // Stacks the scene on the current target with its origin at `at`.
  void compose(const Scene& s, Point at);
  void compose_nested(const SceneWindow& w, Point at);
  uint32_t border_colour(const SceneWindow& w) const;
  void draw_window(const SceneWindow& w, Cached& c);
  void draw_text(const SceneWindow& w, uint32_t colour);
  void draw_runes(std::u32string_view s, int x, int y, uint32_t colour, bool italic = false);
  void draw_styled(const SceneRow& row, int x, int y, uint32_t ink);
  void draw_vt_cursor(const SceneWindow& w, int x0, int y0, uint32_t ink);
  void draw_menu(const SceneMenu& m);
  void ensure_glyphs(const Scene& s);
  void upload_atlas();
  void fill(int x, int y, int w, int h, uint32_t colour);
  void frame(Rect r, int width, uint32_t colour);

  SDL_Renderer* r_;
  fonts::Font& font_;
  Palette pal_;
  SDL_Texture* atlas_ = nullptr;
  uint64_t atlas_version_ = 0;
  uint64_t atlas_generation_ = 0;
  std::map<int, Cached> windows_;
  std::map<int, std::unique_ptr<Renderer>> nests_;  // sub-workspaces' renderers, by host window id
  SDL_Texture* target_ = nullptr;  // what draw() draws into
};

}  // namespace grio::wsys::desktop

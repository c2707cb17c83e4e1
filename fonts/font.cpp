// Faces through fontconfig and FreeType, the glyph cache, and the
// replacement box.
#include "fonts/font.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H

namespace grio::fonts {

struct Font::Face {
  FT_Face ft = nullptr;
  std::string file;
  ~Face() {
    if (ft) FT_Done_Face(ft);
  }
};

namespace {

FT_Library lib(void* p) { return static_cast<FT_Library>(p); }

// A name with a slash is a path, never a pattern: a mistyped path must not
// quietly become the default font.
bool is_path(const std::string& s) { return s.find('/') != std::string::npos; }

bool is_file(const std::string& s) {
  struct stat st;
  return ::stat(s.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// A fontconfig pattern for name, with the defaults filled in, optionally
// also asking for a rune.
FcPattern* pattern(const std::string& name, char32_t need) {
  FcPattern* p = FcNameParse(reinterpret_cast<const FcChar8*>(name.c_str()));
  if (!p) return nullptr;
  if (need) {
    FcCharSet* cs = FcCharSetCreate();
    FcCharSetAddChar(cs, need);
    FcPatternAddCharSet(p, FC_CHARSET, cs);
    FcCharSetDestroy(cs);
  }
  FcConfigSubstitute(nullptr, p, FcMatchPattern);
  FcDefaultSubstitute(p);
  return p;
}

std::string file_of(FcPattern* font, int& index) {
  FcChar8* file = nullptr;
  if (FcPatternGetString(font, FC_FILE, 0, &file) != FcResultMatch) return "";
  index = 0;
  FcPatternGetInteger(font, FC_INDEX, 0, &index);
  return reinterpret_cast<const char*>(file);
}

// The best match for name.
std::string match(const std::string& name, int& index) {
  FcPattern* p = pattern(name, 0);
  if (!p) return "";
  FcResult res;
  FcPattern* m = FcFontMatch(nullptr, p, &res);
  std::string file = m ? file_of(m, index) : "";
  if (m) FcPatternDestroy(m);
  FcPatternDestroy(p);
  return file;
}

// The closest font to name that has rune r and can be scaled (colour
// bitmap fonts such as Noto Color Emoji are not).
std::string fallback(const std::string& name, char32_t r, int& index) {
  FcPattern* p = pattern(name, r);
  if (!p) return "";
  FcResult res;
  FcFontSet* set = FcFontSort(nullptr, p, FcFalse, nullptr, &res);
  std::string file;
  for (int i = 0; set && i < set->nfont && file.empty(); i++) {
    FcCharSet* cs = nullptr;
    FcBool scalable = FcFalse;
    FcPatternGetBool(set->fonts[i], FC_SCALABLE, 0, &scalable);
    if (scalable && FcPatternGetCharSet(set->fonts[i], FC_CHARSET, 0, &cs) == FcResultMatch &&
        FcCharSetHasChar(cs, r))
      file = file_of(set->fonts[i], index);
  }
  if (set) FcFontSetDestroy(set);
  FcPatternDestroy(p);
  return file;
}

int ceil26(long v) { return int((v + 63) >> 6); }

}  // namespace

Font::Font() = default;

Font::~Font() {
  faces_.clear();
  if (library_) FT_Done_FreeType(lib(library_));
}

std::unique_ptr<Font> Font::open(const FontSpec& spec, std::string& err) {
  std::unique_ptr<Font> f(new Font());
  f->spec_ = spec;
  FT_Library l;
  if (FT_Init_FreeType(&l) != 0) {
    err = "cannot initialise FreeType";
    return nullptr;
  }
  f->library_ = l;
  int index = 0;
  std::string file = is_path(spec.name) ? (is_file(spec.name) ? spec.name : "") : (FcInit() ? match(spec.name, index) : "");
  if (file.empty() || f->load_face(file, index) < 0) {
    err = "cannot load font '" + spec.name + "'";
    return nullptr;
  }
  FT_Face main = f->faces_[0]->ft;
  f->ascent_ = ceil26(main->size->metrics.ascender);
  f->height_ = f->ascent_ + ceil26(-main->size->metrics.descender);
  FT_Load_Char(main, 'M', FT_LOAD_DEFAULT);
  f->width_ = std::max(1, ceil26(main->glyph->advance.x));
  return f;
}

int Font::load_face(const std::string& file, int index) {
  auto key = file + "#" + std::to_string(index);
  if (auto it = face_by_file_.find(key); it != face_by_file_.end()) return it->second;
  auto face = std::make_unique<Face>();
  face->file = file;
  if (FT_New_Face(lib(library_), file.c_str(), index, &face->ft) != 0 || !FT_IS_SCALABLE(face->ft) ||
      FT_Set_Char_Size(face->ft, 0, FT_F26Dot6(std::lround(spec_.points * 64)), FT_UInt(spec_.dpi),
                       FT_UInt(spec_.dpi)) != 0) {
    face_by_file_[key] = -1;
    return -1;
  }
  faces_.push_back(std::move(face));
  return face_by_file_[key] = int(faces_.size()) - 1;
}

std::string Font::face_file(int i) const {
  return i >= 0 && i < int(faces_.size()) ? faces_[i]->file : "";
}

// Faces already loaded are asked first, in order; fontconfig only when
// none has the rune, once per rune.
int Font::face_for(char32_t r) {
  if (auto it = face_of_rune_.find(r); it != face_of_rune_.end()) return it->second;
  int found = -1;
  for (size_t i = 0; i < faces_.size() && found < 0; i++)
    if (FT_Get_Char_Index(faces_[i]->ft, r) != 0) found = int(i);
  if (found < 0 && FcInit()) {
    int index = 0;
    std::string file = fallback(spec_.name, r, index);
    if (!file.empty()) found = load_face(file, index);
    if (found >= 0 && FT_Get_Char_Index(faces_[found]->ft, r) == 0) found = -1;
  }
  return face_of_rune_[r] = found;
}

Bitmap Font::rasterize(int face, char32_t r, int& left, int& top) {
  Bitmap b;
  FT_Face f = faces_[face]->ft;
  if (FT_Load_Char(f, r, FT_LOAD_RENDER | FT_LOAD_TARGET_LIGHT) != 0) return b;
  const FT_Bitmap& bm = f->glyph->bitmap;
  b.w = int(bm.width);
  b.h = int(bm.rows);
  b.a.resize(size_t(b.w) * b.h);
  for (int y = 0; y < b.h; y++)
    for (int x = 0; x < b.w; x++) {
      uint8_t v = bm.buffer[y * bm.pitch + (bm.pixel_mode == FT_PIXEL_MODE_MONO ? x / 8 : x)];
      if (bm.pixel_mode == FT_PIXEL_MODE_MONO) v = (v >> (7 - x % 8)) & 1 ? 255 : 0;
      b.a[size_t(y) * b.w + x] = v;
    }
  left = f->glyph->bitmap_left;
  top = f->glyph->bitmap_top;
  return b;
}

// A hollow box filling most of the cell: unmistakably "a character is here
// that no font can draw".
Bitmap Font::replacement_box() const {
  Bitmap b;
  b.w = std::max(3, width_ - 2);
  b.h = std::max(3, ascent_ - 1);
  b.a.assign(size_t(b.w) * b.h, 0);
  for (int x = 0; x < b.w; x++) b.a[x] = b.a[size_t(b.h - 1) * b.w + x] = 255;
  for (int y = 0; y < b.h; y++) b.a[size_t(y) * b.w] = b.a[size_t(y) * b.w + b.w - 1] = 255;
  return b;
}

const Glyph& Font::glyph(char32_t r) {
  if (auto it = cache_.find(r); it != cache_.end()) return it->second;
  Glyph g;
  g.face = face_for(r);
  int left = 1, top = ascent_ - 1;
  Bitmap b = g.face >= 0 ? rasterize(g.face, r, left, top) : replacement_box();
  g.w = b.w;
  g.h = b.h;
  g.dx = left;
  g.dy = ascent_ - top;
  if (b.w > 0 && b.h > 0) {
    auto slot = atlas_.pack(b.w, b.h);
    if (!slot) {  // full: start over; glyphs come back as they are used
      atlas_.clear();
      cache_.clear();
      generation_++;
      slot = atlas_.pack(b.w, b.h);
    }
    if (!slot) return cache_[r] = Glyph{{}, 0, 0, 0, 0, g.face};  // larger than the atlas
    g.at = *slot;
    atlas_.blit(*slot, b);
  }
  return cache_[r] = g;
}

Bitmap Font::render(std::u32string_view s) {
  Bitmap out;
  out.w = int(s.size()) * width_;
  out.h = height_;
  out.a.assign(size_t(out.w) * out.h, 0);
  for (size_t i = 0; i < s.size(); i++) {
    Glyph g = glyph(s[i]);
    const Bitmap& at = atlas_.pixels();
    for (int y = 0; y < g.h; y++)
      for (int x = 0; x < g.w; x++) {
        int ox = int(i) * width_ + g.dx + x, oy = g.dy + y;
        if (ox < 0 || oy < 0 || ox >= out.w || oy >= out.h) continue;
        int src = at.at(g.at.x + x, g.at.y + y);
        uint8_t& d = out.a[size_t(oy) * out.w + ox];
        d = uint8_t(src + d * (255 - src) / 255);  // "over"
      }
  }
  return out;
}

}  // namespace grio::fonts

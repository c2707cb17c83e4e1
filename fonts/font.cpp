// Faces through fontconfig and FreeType, the glyph cache, colour bitmaps
// scaled to the cell, and the replacement box.
#include "fonts/font.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cmath>

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H

namespace grio::fonts {

struct Font::Face {
  FT_Face ft = nullptr;
  std::string file;
  bool bitmap = false;  // fixed-size colour strikes (CBDT), scaled per glyph
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

// A fontconfig pattern for name, with the defaults filled in.
FcPattern* pattern(const std::string& name) {
  FcPattern* p = FcNameParse(reinterpret_cast<const FcChar8*>(name.c_str()));
  if (!p) return nullptr;
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

// The best match for name; slanted: its italic or oblique face, none if
// the best match is upright (a family with no italic face).
std::string match(const std::string& name, int& index, bool slanted = false) {
  FcPattern* p = pattern(slanted ? name + ":slant=italic" : name);
  if (!p) return "";
  FcResult res;
  FcPattern* m = FcFontMatch(nullptr, p, &res);
  int slant = FC_SLANT_ROMAN;
  if (m) FcPatternGetInteger(m, FC_SLANT, 0, &slant);
  std::string file = m && (!slanted || slant != FC_SLANT_ROMAN) ? file_of(m, index) : "";
  if (m) FcPatternDestroy(m);
  FcPatternDestroy(p);
  return file;
}

bool get_bool(FcPattern* font, const char* what) {
  FcBool b = FcFalse;
  FcPatternGetBool(font, what, 0, &b);
  return b;
}

// Every installed font, the closest to name first: where fallback faces
// are looked for. Sorted once per Font, as fcft does, rather than once per
// rune: a page of CJK asks for thousands of runes.
FcFontSet* sorted_fonts(const std::string& name) {
  FcPattern* p = pattern(name);
  if (!p) return nullptr;
  FcResult res;
  FcFontSet* set = FcFontSort(nullptr, p, FcFalse, nullptr, &res);
  FcPatternDestroy(p);
  return set;
}

// Whether font has rune r and is of the kind asked for: colour (Noto Color
// Emoji: fixed-size bitmaps we scale) or outline. Other bitmap fonts would
// not scale and are never asked.
bool has(FcPattern* font, char32_t r, bool colour) {
  FcCharSet* cs = nullptr;
  if (FcPatternGetCharSet(font, FC_CHARSET, 0, &cs) != FcResultMatch || !FcCharSetHasChar(cs, r)) return false;
  return colour ? get_bool(font, FC_COLOR) : !get_bool(font, FC_COLOR) && get_bool(font, FC_SCALABLE);
}

// The strike of a bitmap face to scale from: the smallest at least ppem
// pixels high (shrinking loses least), else the largest.
int strike_for(FT_Face f, int ppem) {
  auto better = [ppem](int h, int than) { return h >= ppem ? than < ppem || h < than : than < ppem && h > than; };
  int best = -1;
  for (int i = 0; i < f->num_fixed_sizes; i++)
    if (best < 0 || better(f->available_sizes[i].height, f->available_sizes[best].height)) best = i;
  return best;
}

// A straight-alpha ARGB pixel from premultiplied channels.
uint32_t straight(uint32_t r, uint32_t g, uint32_t b, uint32_t a) {
  if (a == 0) return 0;
  auto c = [a](uint32_t v) { return std::min<uint32_t>(255, v * 255 / a); };
  return a << 24 | c(r) << 16 | c(g) << 8 | c(b);
}

// Pixel (x, y) of a FreeType bitmap as premultiplied r, g, b, a; grey and
// mono glyphs are white ink.
std::array<uint32_t, 4> premultiplied(const FT_Bitmap& bm, int x, int y) {
  const uint8_t* row = bm.buffer + y * bm.pitch;
  if (bm.pixel_mode == FT_PIXEL_MODE_BGRA) {
    const uint8_t* p = row + 4 * x;
    return {p[2], p[1], p[0], p[3]};
  }
  uint32_t a = bm.pixel_mode == FT_PIXEL_MODE_MONO ? ((row[x / 8] >> (7 - x % 8)) & 1) * 255 : row[x];
  return {a, a, a, a};
}

// bm as a w×h image: each pixel the average of the source pixels its box
// covers (in premultiplied form, so edges do not darken). 1:1 for outline
// glyphs; colour strikes shrink to the cell.
Image image_of(const FT_Bitmap& bm, int w, int h) {
  Image im{w, h, std::vector<uint32_t>(size_t(w) * h)};
  int bw = int(bm.width), bh = int(bm.rows);
  for (int y = 0; y < h; y++) {
    int y0 = y * bh / h, y1 = std::max(y0 + 1, (y + 1) * bh / h);
    for (int x = 0; x < w; x++) {
      int x0 = x * bw / w, x1 = std::max(x0 + 1, (x + 1) * bw / w);
      std::array<uint32_t, 4> sum{};
      for (int sy = y0; sy < y1; sy++)
        for (int sx = x0; sx < x1; sx++) {
          auto p = premultiplied(bm, sx, sy);
          for (int c = 0; c < 4; c++) sum[c] += p[c];
        }
      uint32_t n = uint32_t((y1 - y0) * (x1 - x0));
      im.px[size_t(y) * w + x] = straight(sum[0] / n, sum[1] / n, sum[2] / n, sum[3] / n);
    }
  }
  return im;
}

int ceil26(long v) { return int((v + 63) >> 6); }

}  // namespace

Font::Font() = default;

Font::~Font() {
  if (fallbacks_) FcFontSetDestroy(static_cast<FcFontSet*>(fallbacks_));
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
  if (FT_New_Face(lib(library_), file.c_str(), index, &face->ft) != 0 || !set_size(*face)) {
    face_by_file_[key] = -1;
    return -1;
  }
  faces_.push_back(std::move(face));
  return face_by_file_[key] = int(faces_.size()) - 1;
}

// Outline faces at the font's size; colour bitmap faces at their strike
// nearest the size, scaled per glyph.
bool Font::set_size(Face& face) {
  FT_Face f = face.ft;
  if (FT_IS_SCALABLE(f))
    return FT_Set_Char_Size(f, 0, FT_F26Dot6(std::lround(spec_.points * 64)), FT_UInt(spec_.dpi),
                            FT_UInt(spec_.dpi)) == 0;
  int strike = FT_HAS_COLOR(f) ? strike_for(f, int(std::lround(spec_.points * spec_.dpi / 72))) : -1;
  face.bitmap = strike >= 0 && FT_Select_Size(f, strike) == 0;
  return face.bitmap;
}

std::string Font::face_file(int i) const {
  return i >= 0 && i < int(faces_.size()) ? faces_[i]->file : "";
}

int Font::cells(char32_t r) const { return spec_.cells ? std::max(1, spec_.cells(r)) : 1; }

// Emoji are two cells wide (Unicode gave every rune with emoji
// presentation East Asian width W) and come in colour where a colour font
// has them; a symbol with text presentation (U+2603) one cell wide, in the
// text's colour, from the main face or an outline fallback. Either falls
// back to the other kind. Once per rune.
int Font::face_for(char32_t r) {
  if (auto it = face_of_rune_.find(r); it != face_of_rune_.end()) return it->second;
  bool colour_first = cells(r) > 1;
  int found = -1;
  for (int pass = 0; pass < 2 && found < 0; pass++) {
    bool colour = (pass == 0) == colour_first;
    if (!colour && FT_Get_Char_Index(faces_[0]->ft, r) != 0) found = 0;
    else found = fallback(r, colour);
  }
  return face_of_rune_[r] = found;
}

// The font's own italic face, when fontconfig has one whose cell is as
// wide as the main face's (the grid must not change with the style); else
// -1, and italic glyphs are the upright ones slanted. Looked for once.
int Font::italic_face() {
  if (italic_face_ != -2) return italic_face_;
  italic_face_ = -1;
  int index = 0;
  std::string file = !is_path(spec_.name) && FcInit() ? match(spec_.name, index, true) : "";
  int face = file.empty() ? -1 : load_face(file, index);
  if (face <= 0) return -1;  // none, or the main face itself
  FT_Face f = faces_[face]->ft;
  if (!FT_IS_SCALABLE(f) || FT_Load_Char(f, 'M', FT_LOAD_DEFAULT) != 0 || ceil26(f->glyph->advance.x) != width_)
    return -1;
  return italic_face_ = face;
}

// The first font in fontconfig's order that has r and is of the kind
// asked for, loaded.
int Font::fallback(char32_t r, bool colour) {
  if (!fallbacks_ && FcInit()) fallbacks_ = sorted_fonts(spec_.name);
  auto* set = static_cast<FcFontSet*>(fallbacks_);
  for (int i = 0; set && i < set->nfont; i++) {
    if (!has(set->fonts[i], r, colour)) continue;
    int index = 0;
    std::string file = file_of(set->fonts[i], index);
    int face = file.empty() ? -1 : load_face(file, index);
    if (face >= 0 && FT_Get_Char_Index(faces_[face]->ft, r) != 0) return face;
  }
  return -1;
}

// r's glyph in face as an image, with its top-left relative to the pen on
// the baseline; oblique: an outline slanted as FreeType's own
// FT_GlyphSlot_Oblique does (about 12 degrees, the baseline kept), a
// colour bitmap left upright.
Image Font::rasterize(int face, char32_t r, bool oblique, int& left, int& top, bool& colour) {
  FT_Face f = faces_[face]->ft;
  FT_Int32 flags = FT_LOAD_RENDER | FT_LOAD_TARGET_LIGHT | (FT_HAS_COLOR(f) ? FT_LOAD_COLOR : 0);
  FT_Matrix shear{0x10000, 0x0366A, 0, 0x10000};
  bool slant = oblique && FT_IS_SCALABLE(f) && !faces_[face]->bitmap;
  if (slant) FT_Set_Transform(f, &shear, nullptr);
  FT_Error err = FT_Load_Char(f, r, flags);
  if (slant) FT_Set_Transform(f, nullptr, nullptr);
  if (err != 0) return {};
  const FT_GlyphSlot g = f->glyph;
  colour = g->bitmap.pixel_mode == FT_PIXEL_MODE_BGRA;
  double scale = 1;
  if (faces_[face]->bitmap && g->bitmap.rows > 0)  // a strike: down to the cells
    scale = std::min(double(height_) / g->bitmap.rows, double(cells(r) * width_) / std::max(1u, g->bitmap.width));
  int w = std::max(1, int(std::lround(g->bitmap.width * scale)));
  int h = std::max(1, int(std::lround(g->bitmap.rows * scale)));
  left = int(std::lround(g->bitmap_left * scale));
  top = int(std::lround(g->bitmap_top * scale));
  // A mark with no advance sits after the pen of a rune before it; ours is
  // drawn in that rune's cell.
  if (g->advance.x == 0 && left < 0) left += width_;
  if (g->bitmap.width == 0 || g->bitmap.rows == 0) return {};
  return image_of(g->bitmap, w, h);
}

// A hollow box filling most of the cell: unmistakably "a character is here
// that no font can draw".
Image Font::replacement_box() const {
  Image b;
  b.w = std::max(3, width_ - 2);
  b.h = std::max(3, ascent_ - 1);
  b.px.assign(size_t(b.w) * b.h, 0);
  const uint32_t ink = 0xFFFFFFFF;
  for (int x = 0; x < b.w; x++) b.px[x] = b.px[size_t(b.h - 1) * b.w + x] = ink;
  for (int y = 0; y < b.h; y++) b.px[size_t(y) * b.w] = b.px[size_t(y) * b.w + b.w - 1] = ink;
  return b;
}

// An italic rune the main face draws comes from the italic face if there
// is one that has it; any other is its upright glyph slanted.
const Glyph& Font::glyph(char32_t r, bool italic) {
  auto key = std::pair{r, italic};
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  Glyph g;
  g.face = face_for(r);
  bool oblique = false;
  if (italic) {
    int slanted = italic_face();
    if (g.face == 0 && slanted > 0 && FT_Get_Char_Index(faces_[slanted]->ft, r) != 0) g.face = slanted;
    else oblique = true;
  }
  int left = 1, top = ascent_ - 1;
  // A zero-width rune no font has (a tag, a joiner) is a format character,
  // invisible by design: a box would cover the rune it follows.
  bool invisible = g.face < 0 && spec_.cells && spec_.cells(r) == 0;
  Image b = g.face >= 0 ? rasterize(g.face, r, oblique, left, top, g.colour) : invisible ? Image{} : replacement_box();
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
    if (!slot) return cache_[key] = Glyph{{}, 0, 0, 0, 0, g.face, false};  // larger than the atlas
    g.at = *slot;
    atlas_.blit(*slot, b);
  }
  return cache_[key] = g;
}

Bitmap Font::render(std::u32string_view s, bool italic) {
  auto width = [this](char32_t r) { return spec_.cells ? spec_.cells(r) : 1; };
  Bitmap out;
  for (char32_t r : s) out.w += width(r) * width_;
  out.h = height_;
  out.a.assign(size_t(out.w) * out.h, 0);
  CellPen pen;
  for (char32_t r : s) {
    int at_col = pen.place(width(r));
    Glyph g = glyph(r, italic);
    const Image& at = atlas_.pixels();
    for (int y = 0; y < g.h; y++)
      for (int x = 0; x < g.w; x++) {
        int ox = at_col * width_ + g.dx + x, oy = g.dy + y;
        if (ox < 0 || oy < 0 || ox >= out.w || oy >= out.h) continue;
        int src = at.alpha(g.at.x + x, g.at.y + y);
        uint8_t& d = out.a[size_t(oy) * out.w + ox];
        d = uint8_t(src + d * (255 - src) / 255);  // "over"
      }
  }
  return out;
}

}  // namespace grio::fonts

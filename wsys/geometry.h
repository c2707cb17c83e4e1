// Points and rectangles in screen pixels, as libdraw's: max is exclusive.
#pragma once

#include <algorithm>

namespace grio::wsys {

struct Point {
  int x = 0, y = 0;
  bool operator==(const Point&) const = default;
  Point operator+(Point o) const { return {x + o.x, y + o.y}; }
  Point operator-(Point o) const { return {x - o.x, y - o.y}; }
};

struct Rect {
  Point min, max;
  int dx() const { return max.x - min.x; }
  int dy() const { return max.y - min.y; }
  bool empty() const { return dx() <= 0 || dy() <= 0; }
  bool contains(Point p) const { return p.x >= min.x && p.x < max.x && p.y >= min.y && p.y < max.y; }
  bool overlaps(const Rect& o) const {
    return min.x < o.max.x && o.min.x < max.x && min.y < o.max.y && o.min.y < max.y;
  }
  Rect inset(int n) const { return Rect{{min.x + n, min.y + n}, {max.x - n, max.y - n}}; }
  bool operator==(const Rect&) const = default;
};

inline Rect rect(int x0, int y0, int x1, int y1) { return Rect{{x0, y0}, {x1, y1}}; }

}  // namespace grio::wsys

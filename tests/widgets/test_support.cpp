#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QTextStream>
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace reclab::test {

QString writeRatings(const QString& dir, int users, int items, int perUser) {
  const QString path = QDir(dir).filePath("u.data");
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) return {};
  QTextStream out(&file);
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  };
  auto factor = [](int id, int salt) { return std::sin(0.7 * id + salt); };
  for (int u = 1; u <= users; ++u) {
    const int start = static_cast<int>(next() % static_cast<std::uint32_t>(items));
    for (int k = 0; k < perUser; ++k) {
      const int i = 1 + (start + k * 7) % items;
      const double r = 3.0 + 2.0 * factor(u, 1) * factor(i, 2);
      const int rating = std::clamp(static_cast<int>(std::lround(r)), 1, 5);
      out << u << '\t' << i << '\t' << rating << '\t' << (880000000 + u * 1000 + k) << '\n';
    }
  }
  return path;
}

}  // namespace reclab::test

#include "split/leakage.h"

#include <fmt/format.h>

#include <bit>

#include "common/errors.h"

namespace reclab::split {

namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// Order-independent hash of the distinct rows in `words` (a sum of mixed row ids).
RowFingerprint fingerprintWords(const std::vector<std::uint64_t>& words) {
  RowFingerprint f;
  for (std::size_t w = 0; w < words.size(); ++w) {
    std::uint64_t bits = words[w];
    while (bits != 0) {
      const auto bit = static_cast<std::uint64_t>(std::countr_zero(bits));
      f.hash += mix((w << 6) | bit);
      ++f.count;
      bits &= bits - 1;
    }
  }
  f.hash = mix(f.hash ^ f.count);
  return f;
}

}  // namespace

RowSet::RowSet(std::span<const std::uint32_t> rows) {
  for (auto r : rows) {
    const std::size_t w = r >> 6;
    if (w >= m_words.size()) m_words.resize(w + 1, 0);
    m_words[w] |= 1ULL << (r & 63);
  }
  m_fingerprint = fingerprintWords(m_words);
  m_count = m_fingerprint.count;
}

RowSet::Overlap RowSet::overlap(std::span<const std::uint32_t> rows) const {
  Overlap o;
  for (auto r : rows) {
    if (!contains(r)) continue;
    if (o.count == 0 || r < o.first) o.first = r;
    ++o.count;
  }
  return o;
}

RowFingerprint fingerprintRows(std::span<const std::uint32_t> rows) {
  return RowSet(rows).fingerprint();
}

RowFingerprint LeakageGuard::record(std::string statistic, std::span<const std::uint32_t> rows) {
  m_records.push_back(FitRecord{std::move(statistic), RowSet(rows)});
  return m_records.back().rows.fingerprint();
}

void LeakageGuard::check(const Split& split, bool allowValidRows) const {
  checkDisjoint(split);
  for (const auto& rec : m_records) {
    auto fail = [&](const RowSet::Overlap& o, const char* part) {
      throw InputError(fmt::format(
          "leakage: statistic '{}' was fitted on {} rows of which {} are {} rows (first: row {})",
          rec.statistic, groupThousands(rec.rows.count()), groupThousands(o.count), part, o.first));
    };
    if (auto o = rec.rows.overlap(split.test); o.count > 0) fail(o, "test");
    if (!allowValidRows) {
      if (auto o = rec.rows.overlap(split.valid); o.count > 0) fail(o, "validation");
    }
  }
}

std::string groupThousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace reclab::split

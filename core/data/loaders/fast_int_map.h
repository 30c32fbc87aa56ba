#pragma once
/// Private to the loaders: open-addressing hash tables for integer keys, much faster and
/// smaller than std::unordered_map at Yoochoose scale (millions of sessions).

#include <algorithm>
#include <cstdint>
#include <vector>

namespace reclab::data::loaders {

/// Map from int64 ids to dense int32 indices assigned in insertion order; keeps the originals
/// in index order so they can be handed to an IdMap afterwards.
///
/// Three stores, each id in the first that applies when it is inserted:
///  - a direct array for small non-negative ids (ids up to ~16 times the number of ids seen,
///    as RetailRocket's visitors and items or Yoochoose's sessions are): one array access;
///  - a sorted run for ids larger than every id seen so far (sessions of a file sorted by
///    session id), found again by interpolation search;
///  - a linear-probing hash table whose key and index share one 16-byte slot.
/// When the direct array grows, ids of the new range move into it.
class FastIdMap {
 public:
  explicit FastIdMap(std::size_t expected = 16) { rehash(capacityFor(expected)); }

  /// Dense index of `key`, inserting it when new.
  std::int32_t intern(std::int64_t key) {
    if (static_cast<std::uint64_t>(key) < m_direct.size()) {
      std::int32_t& d = m_direct[static_cast<std::size_t>(key)];
      if (d < 0) d = append(key);
      return d;
    }
    if (!m_originals.empty() && key <= m_max) {
      std::size_t slot = slotOf(key);
      while (true) {
        const Slot& s = m_slots[slot];
        if (s.value < 0) break;
        if (s.key == key) return s.value;
        slot = (slot + 1) & m_mask;
      }
      const std::int32_t inRun = findInRun(key);
      if (inRun >= 0) return inRun;
    }
    return insertNew(key);
  }

  /// Dense index of `key` or -1.
  std::int32_t find(std::int64_t key) const {
    if (static_cast<std::uint64_t>(key) < m_direct.size())
      return m_direct[static_cast<std::size_t>(key)];
    if (m_originals.empty() || key > m_max) return -1;
    std::size_t slot = slotOf(key);
    while (true) {
      const Slot& s = m_slots[slot];
      if (s.value < 0) break;
      if (s.key == key) return s.value;
      slot = (slot + 1) & m_mask;
    }
    return findInRun(key);
  }

  std::size_t size() const { return m_originals.size(); }
  /// Original keys in dense-index order.
  const std::vector<std::int64_t>& originals() const { return m_originals; }

 private:
  struct Slot {
    std::int64_t key = 0;
    std::int32_t value = -1;
  };
  static constexpr std::size_t kMaxDirect = std::size_t{1} << 25;

  static std::size_t capacityFor(std::size_t n) {
    std::size_t cap = 16;
    while (cap * 7 < n * 10 + 10) cap *= 2;
    return cap;
  }
  std::size_t slotOf(std::int64_t key) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(key) * 0x9E3779B97F4A7C15ull) >>
                                    m_shift);
  }

  std::int32_t append(std::int64_t key) {
    const auto id = static_cast<std::int32_t>(m_originals.size());
    m_originals.push_back(key);
    if (m_originals.size() == 1 || key > m_max) m_max = key;
    return id;
  }

  /// Inserts a key known to be absent (and outside the direct array).
  [[gnu::noinline]] std::int32_t insertNew(std::int64_t key) {
    if (key >= 0 && static_cast<std::uint64_t>(key) < kMaxDirect &&
        static_cast<std::uint64_t>(key) < 16 * (m_originals.size() + 1) + 65536) {
      growDirect(static_cast<std::size_t>(key) + 1);
      return m_direct[static_cast<std::size_t>(key)] = append(key);
    }
    if (m_originals.empty() || key > m_max) {
      const std::int32_t id = append(key);
      m_run.push_back(Slot{key, id});
      return id;
    }
    std::size_t slot = slotOf(key);
    while (m_slots[slot].value >= 0) slot = (slot + 1) & m_mask;
    const std::int32_t id = append(key);
    m_slots[slot] = Slot{key, id};
    if (++m_tableSize * 10 > m_slots.size() * 7) rehash(m_slots.size() * 2);
    return id;
  }

  /// Makes the direct array cover [0, n) (rounded up to a power of two), moving the ids of
  /// the new range into it.
  void growDirect(std::size_t n) {
    std::size_t size = std::max<std::size_t>(m_direct.size(), 65536);
    while (size < n) size *= 2;
    size = std::min(size, kMaxDirect);
    const std::size_t old = m_direct.size();
    m_direct.resize(size, -1);
    for (std::size_t i = 0; i < m_originals.size(); ++i) {
      const std::int64_t k = m_originals[i];
      if (k >= static_cast<std::int64_t>(old) && k < static_cast<std::int64_t>(size))
        m_direct[static_cast<std::size_t>(k)] = static_cast<std::int32_t>(i);
    }
  }

  /// Interpolation search in the sorted run, with bisection steps mixed in so the worst case
  /// stays logarithmic.
  std::int32_t findInRun(std::int64_t key) const {
    std::size_t lo = 0, hi = m_run.size();  // [lo, hi)
    int step = 0;
    while (hi - lo > 8) {
      const std::int64_t klo = m_run[lo].key, khi = m_run[hi - 1].key;
      if (key < klo || key > khi) return -1;
      std::size_t mid;
      if (++step % 3 != 0 && khi > klo) {
        const double f = (static_cast<double>(key) - static_cast<double>(klo)) /
                         (static_cast<double>(khi) - static_cast<double>(klo));
        mid = lo + static_cast<std::size_t>(f * static_cast<double>(hi - 1 - lo));
        if (mid >= hi) mid = hi - 1;
      } else {
        mid = lo + (hi - lo) / 2;
      }
      const std::int64_t k = m_run[mid].key;
      if (k == key) return m_run[mid].value;
      if (k < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (std::size_t i = lo; i < hi; ++i)
      if (m_run[i].key == key) return m_run[i].value;
    return -1;
  }

  void rehash(std::size_t capacity) {
    std::vector<Slot> old(capacity, Slot{});
    old.swap(m_slots);
    m_mask = capacity - 1;
    m_shift = 64;
    for (std::size_t c = capacity; c > 1; c >>= 1) --m_shift;
    for (const Slot& s : old) {
      if (s.value < 0) continue;
      std::size_t slot = slotOf(s.key);
      while (m_slots[slot].value >= 0) slot = (slot + 1) & m_mask;
      m_slots[slot] = s;
    }
  }

  std::vector<std::int32_t> m_direct;  ///< small ids -> index, -1 when absent
  std::vector<Slot> m_run;             ///< ids that arrived in increasing order, sorted
  std::vector<Slot> m_slots;           ///< every other id
  std::size_t m_tableSize = 0;
  std::vector<std::int64_t> m_originals;
  std::int64_t m_max = 0;
  std::size_t m_mask = 0;
  int m_shift = 64;
};

/// Linear-probing set of uint64 keys (any value but UINT64_MAX). `insert` tells whether the
/// key was new.
class FastU64Set {
 public:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  FastU64Set() { rehash(64); }

  bool insert(std::uint64_t key) {
    std::size_t slot = slotOf(key);
    while (m_keys[slot] != kEmpty) {
      if (m_keys[slot] == key) return false;
      slot = (slot + 1) & m_mask;
    }
    m_keys[slot] = key;
    if (++m_size * 10 > m_keys.size() * 7) rehash(m_keys.size() * 2);
    return true;
  }
  std::size_t size() const { return m_size; }

 private:
  std::size_t slotOf(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> m_shift);
  }
  void rehash(std::size_t capacity) {
    std::vector<std::uint64_t> old;
    old.swap(m_keys);
    m_keys.assign(capacity, kEmpty);
    m_mask = capacity - 1;
    m_shift = 64;
    for (std::size_t c = capacity; c > 1; c >>= 1) --m_shift;
    for (std::uint64_t k : old) {
      if (k == kEmpty) continue;
      std::size_t slot = slotOf(k);
      while (m_keys[slot] != kEmpty) slot = (slot + 1) & m_mask;
      m_keys[slot] = k;
    }
  }

  std::vector<std::uint64_t> m_keys;
  std::size_t m_size = 0;
  std::size_t m_mask = 0;
  int m_shift = 64;
};

}  // namespace reclab::data::loaders

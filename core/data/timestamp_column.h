#pragma once
/// The timestamp column: milliseconds since the Unix epoch (UTC), stored in 6 bytes per row
/// (int32 seconds relative to a base plus uint16 milliseconds) instead of 8. A value outside
/// the +-68-year window around the base switches the column to plain int64 storage, so any
/// int64 value is kept exactly. Reads return int64 milliseconds; the interface follows the
/// parts of std::vector that the loaders and models use.

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <ostream>
#include <vector>

namespace reclab::data {

class TimestampColumn {
 public:
  using value_type = std::int64_t;

  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = std::int64_t;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = std::int64_t;
    const_iterator() = default;
    const_iterator(const TimestampColumn* c, std::size_t i) : m_c(c), m_i(i) {}
    std::int64_t operator*() const { return (*m_c)[m_i]; }
    std::int64_t operator[](difference_type d) const { return (*m_c)[m_i + static_cast<std::size_t>(d)]; }
    const_iterator& operator++() { ++m_i; return *this; }
    const_iterator operator++(int) { auto t = *this; ++m_i; return t; }
    const_iterator& operator--() { --m_i; return *this; }
    const_iterator operator--(int) { auto t = *this; --m_i; return t; }
    const_iterator& operator+=(difference_type d) { m_i += static_cast<std::size_t>(d); return *this; }
    const_iterator& operator-=(difference_type d) { m_i -= static_cast<std::size_t>(d); return *this; }
    friend const_iterator operator+(const_iterator a, difference_type d) { return a += d; }
    friend const_iterator operator+(difference_type d, const_iterator a) { return a += d; }
    friend const_iterator operator-(const_iterator a, difference_type d) { return a -= d; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
      return static_cast<difference_type>(a.m_i) - static_cast<difference_type>(b.m_i);
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.m_i == b.m_i; }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) { return a.m_i <=> b.m_i; }

   private:
    const TimestampColumn* m_c = nullptr;
    std::size_t m_i = 0;
  };

  TimestampColumn() = default;
  TimestampColumn(std::initializer_list<std::int64_t> values) { *this = values; }
  TimestampColumn& operator=(std::initializer_list<std::int64_t> values);

  std::size_t size() const { return m_wide ? m_i64.size() : m_sec.size(); }
  bool empty() const { return size() == 0; }
  std::int64_t operator[](std::size_t i) const {
    if (m_wide) return m_i64[i];
    return (static_cast<std::int64_t>(m_sec[i]) + m_base) * 1000 + m_ms[i];
  }
  void set(std::size_t i, std::int64_t millis);
  void push_back(std::int64_t millis);
  void reserve(std::size_t n);
  /// New rows read as the base time (base seconds, 0 ms).
  void resize(std::size_t n);
  void clear();
  void shrink_to_fit();
  /// Rows the column can hold without reallocating.
  std::size_t capacity() const { return m_wide ? m_i64.capacity() : m_sec.capacity(); }
  std::size_t memoryBytes() const;
  /// Keeps rows where keep[row] is true, in order.
  void keepRows(const std::vector<bool>& keep);
  /// Moves rows [from, from + n) to [to, to + n) (to <= from; memmove semantics).
  void moveRows(std::size_t from, std::size_t to, std::size_t n);

  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }
  std::vector<std::int64_t> toVector() const;

  // --- bulk writing from several threads (the parallel Yoochoose parser) ---
  /// True while rows are stored compactly.
  bool compact() const { return !m_wide; }
  /// Base in seconds (valid while compact()).
  std::int64_t baseSeconds() const { return m_base; }
  /// Splits `millis` into the compact parts relative to the base; false when out of range.
  bool encode(std::int64_t millis, std::int32_t& sec, std::uint16_t& ms) const;
  std::int32_t* secondsData() { return m_sec.data(); }
  std::uint16_t* millisData() { return m_ms.data(); }

  friend bool operator==(const TimestampColumn& a, const TimestampColumn& b);
  friend bool operator==(const TimestampColumn& a, const std::vector<std::int64_t>& b);

 private:
  void widen();
  void chooseBase(std::int64_t millis);

  bool m_wide = false;
  bool m_baseSet = false;
  std::int64_t m_base = 0;  ///< seconds
  std::vector<std::int32_t> m_sec;
  std::vector<std::uint16_t> m_ms;
  std::vector<std::int64_t> m_i64;
};

std::ostream& operator<<(std::ostream& os, const TimestampColumn& c);

}  // namespace reclab::data

#include "data/timestamp_column.h"

#include <cstring>
#include <limits>

namespace reclab::data {

namespace {

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

TimestampColumn& TimestampColumn::operator=(std::initializer_list<std::int64_t> values) {
  clear();
  reserve(values.size());
  for (auto v : values) push_back(v);
  return *this;
}

void TimestampColumn::chooseBase(std::int64_t millis) {
  if (m_baseSet) return;
  // Overflow-safe: floorDiv of any int64 by 1000 fits.
  m_base = floorDiv(millis, 1000);
  m_baseSet = true;
}

bool TimestampColumn::encode(std::int64_t millis, std::int32_t& sec, std::uint16_t& ms) const {
  const std::int64_t s = floorDiv(millis, 1000);
  const std::int64_t rel = s - m_base;  // |s|, |m_base| < 2^54: no overflow
  if (rel < std::numeric_limits<std::int32_t>::min() || rel > std::numeric_limits<std::int32_t>::max())
    return false;
  sec = static_cast<std::int32_t>(rel);
  ms = static_cast<std::uint16_t>(millis - s * 1000);
  return true;
}

void TimestampColumn::widen() {
  if (m_wide) return;
  std::vector<std::int64_t> wide(m_sec.size());
  for (std::size_t i = 0; i < m_sec.size(); ++i) wide[i] = (*this)[i];
  wide.reserve(m_sec.capacity());
  m_i64 = std::move(wide);
  std::vector<std::int32_t>().swap(m_sec);
  std::vector<std::uint16_t>().swap(m_ms);
  m_wide = true;
}

void TimestampColumn::set(std::size_t i, std::int64_t millis) {
  if (!m_wide) {
    chooseBase(millis);
    std::int32_t s;
    std::uint16_t ms;
    if (encode(millis, s, ms)) {
      m_sec[i] = s;
      m_ms[i] = ms;
      return;
    }
    widen();
  }
  m_i64[i] = millis;
}

void TimestampColumn::push_back(std::int64_t millis) {
  if (!m_wide) {
    chooseBase(millis);
    std::int32_t s;
    std::uint16_t ms;
    if (encode(millis, s, ms)) {
      m_sec.push_back(s);
      m_ms.push_back(ms);
      return;
    }
    widen();
  }
  m_i64.push_back(millis);
}

void TimestampColumn::reserve(std::size_t n) {
  if (m_wide) {
    m_i64.reserve(n);
  } else {
    m_sec.reserve(n);
    m_ms.reserve(n);
  }
}

void TimestampColumn::resize(std::size_t n) {
  // Rows added before any value fixed the base read as the epoch; the base is fixed now so
  // that they keep meaning that.
  if (!m_baseSet && n > 0) {
    m_base = 0;
    m_baseSet = true;
  }
  if (m_wide) {
    m_i64.resize(n, m_base * 1000);
  } else {
    m_sec.resize(n, 0);
    m_ms.resize(n, 0);
  }
}

void TimestampColumn::clear() {
  m_wide = false;
  m_baseSet = false;
  m_base = 0;
  m_sec.clear();
  m_ms.clear();
  m_i64.clear();
}

void TimestampColumn::shrink_to_fit() {
  m_sec.shrink_to_fit();
  m_ms.shrink_to_fit();
  m_i64.shrink_to_fit();
}

std::size_t TimestampColumn::memoryBytes() const {
  return m_sec.capacity() * sizeof(std::int32_t) + m_ms.capacity() * sizeof(std::uint16_t) +
         m_i64.capacity() * sizeof(std::int64_t);
}

namespace {

template <typename T>
void keep(std::vector<T>& v, const std::vector<bool>& mask) {
  std::size_t w = 0;
  for (std::size_t r = 0; r < v.size(); ++r)
    if (mask[r]) v[w++] = v[r];
  v.resize(w);
}

template <typename T>
void move(std::vector<T>& v, std::size_t from, std::size_t to, std::size_t n) {
  if (from != to && n > 0) std::memmove(v.data() + to, v.data() + from, n * sizeof(T));
}

}  // namespace

void TimestampColumn::keepRows(const std::vector<bool>& mask) {
  if (m_wide) {
    keep(m_i64, mask);
  } else {
    keep(m_sec, mask);
    keep(m_ms, mask);
  }
}

void TimestampColumn::moveRows(std::size_t from, std::size_t to, std::size_t n) {
  if (m_wide) {
    move(m_i64, from, to, n);
  } else {
    move(m_sec, from, to, n);
    move(m_ms, from, to, n);
  }
}

std::vector<std::int64_t> TimestampColumn::toVector() const {
  std::vector<std::int64_t> out(size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = (*this)[i];
  return out;
}

bool operator==(const TimestampColumn& a, const TimestampColumn& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

bool operator==(const TimestampColumn& a, const std::vector<std::int64_t>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

std::ostream& operator<<(std::ostream& os, const TimestampColumn& c) {
  os << '{';
  for (std::size_t i = 0; i < c.size(); ++i) os << (i ? ", " : "") << c[i];
  return os << '}';
}

}  // namespace reclab::data

#include "data/id_map.h"

#include <charconv>
#include <limits>
#include <stdexcept>

namespace reclab::data {

namespace {

// Canonical integer form: optional '-', digits, no leading zeros (except "0"), fits int64.
std::optional<std::int64_t> canonicalInt(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::size_t start = s[0] == '-' ? 1 : 0;
  if (start == s.size()) return std::nullopt;
  if (s[start] == '0' && s.size() > start + 1) return std::nullopt;
  if (start == 1 && s == "-0") return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::int32_t IdMap::intern(std::string_view original) {
  if (m_storage != Storage::String) {
    if (auto v = canonicalInt(original)) return internInt(*v);
    widenToString();
  }
  if (!m_lookupValid) buildLookup();
  auto [it, inserted] =
      m_strLookup.try_emplace(std::string(original), static_cast<std::int32_t>(m_size));
  if (inserted) {
    m_str.emplace_back(original);
    ++m_size;
  }
  return it->second;
}

std::int32_t IdMap::internInt(std::int64_t original) {
  if (m_storage == Storage::String) return intern(std::to_string(original));
  if (!m_lookupValid) buildLookup();
  auto [it, inserted] = m_intLookup.try_emplace(original, static_cast<std::int32_t>(m_size));
  if (inserted) {
    if (m_size >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
      m_intLookup.erase(it);
      throw std::length_error("IdMap: more than 2^31-1 distinct ids");
    }
    if (m_storage == Storage::UInt32 &&
        (original < 0 || original > std::numeric_limits<std::uint32_t>::max())) {
      widenToInt64();
    }
    if (m_storage == Storage::UInt32) {
      m_u32.push_back(static_cast<std::uint32_t>(original));
    } else {
      m_i64.push_back(original);
    }
    ++m_size;
  }
  return it->second;
}

void IdMap::assignDistinctInts(const std::vector<std::int64_t>& originals) {
  if (m_size != 0) throw std::logic_error("IdMap::assignDistinctInts: map is not empty");
  if (originals.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw std::length_error("IdMap: more than 2^31-1 distinct ids");
  }
  bool fits = true;
  for (auto v : originals) {
    if (v < 0 || v > std::numeric_limits<std::uint32_t>::max()) {
      fits = false;
      break;
    }
  }
  dropLookup();
  if (fits) {
    m_storage = Storage::UInt32;
    m_u32.assign(originals.begin(), originals.end());
  } else {
    m_storage = Storage::Int64;
    m_i64.assign(originals.begin(), originals.end());
  }
  m_size = originals.size();
}

std::optional<std::int32_t> IdMap::find(std::string_view original) const {
  if (m_storage != Storage::String) {
    auto v = canonicalInt(original);
    if (!v) return std::nullopt;
    return findInt(*v);
  }
  if (!m_lookupValid) buildLookup();
  auto it = m_strLookup.find(std::string(original));
  if (it == m_strLookup.end()) return std::nullopt;
  return it->second;
}

std::optional<std::int32_t> IdMap::findInt(std::int64_t original) const {
  if (m_storage == Storage::String) return find(std::to_string(original));
  if (!m_lookupValid) buildLookup();
  auto it = m_intLookup.find(original);
  if (it == m_intLookup.end()) return std::nullopt;
  return it->second;
}

std::string IdMap::original(std::int32_t i) const {
  if (i < 0 || static_cast<std::size_t>(i) >= m_size) {
    throw std::out_of_range("IdMap::original: index " + std::to_string(i) + " out of range");
  }
  switch (m_storage) {
    case Storage::UInt32:
      return std::to_string(m_u32[static_cast<std::size_t>(i)]);
    case Storage::Int64:
      return std::to_string(m_i64[static_cast<std::size_t>(i)]);
    case Storage::String:
      return m_str[static_cast<std::size_t>(i)];
  }
  return {};
}

void IdMap::dropLookup() const {
  std::unordered_map<std::int64_t, std::int32_t>().swap(m_intLookup);
  std::unordered_map<std::string, std::int32_t>().swap(m_strLookup);
  m_lookupValid = false;
}

void IdMap::buildLookup() const {
  m_intLookup.clear();
  m_strLookup.clear();
  switch (m_storage) {
    case Storage::UInt32:
      m_intLookup.reserve(m_size);
      for (std::size_t i = 0; i < m_size; ++i)
        m_intLookup.emplace(m_u32[i], static_cast<std::int32_t>(i));
      break;
    case Storage::Int64:
      m_intLookup.reserve(m_size);
      for (std::size_t i = 0; i < m_size; ++i)
        m_intLookup.emplace(m_i64[i], static_cast<std::int32_t>(i));
      break;
    case Storage::String:
      m_strLookup.reserve(m_size);
      for (std::size_t i = 0; i < m_size; ++i)
        m_strLookup.emplace(m_str[i], static_cast<std::int32_t>(i));
      break;
  }
  m_lookupValid = true;
}

void IdMap::widenToInt64() {
  m_i64.assign(m_u32.begin(), m_u32.end());
  std::vector<std::uint32_t>().swap(m_u32);
  m_storage = Storage::Int64;
}

void IdMap::widenToString() {
  if (m_storage == Storage::UInt32) widenToInt64();
  m_str.clear();
  m_str.reserve(m_i64.size());
  for (auto v : m_i64) m_str.push_back(std::to_string(v));
  std::vector<std::int64_t>().swap(m_i64);
  m_storage = Storage::String;
  m_intLookup.clear();
  m_lookupValid = false;
  buildLookup();
}

std::size_t IdMap::memoryBytes() const {
  std::size_t bytes = m_u32.capacity() * sizeof(std::uint32_t) +
                      m_i64.capacity() * sizeof(std::int64_t) +
                      m_str.capacity() * sizeof(std::string);
  for (const auto& s : m_str) {
    if (s.capacity() > 15) bytes += s.capacity() + 1;
  }
  // Node-based hash tables: one node (key, value, next pointer, cached hash) per entry plus
  // the bucket array.
  bytes += m_intLookup.size() * (sizeof(std::int64_t) + 4 + 2 * sizeof(void*)) +
           m_intLookup.bucket_count() * sizeof(void*);
  bytes += m_strLookup.size() * (sizeof(std::string) + 4 + 2 * sizeof(void*)) +
           m_strLookup.bucket_count() * sizeof(void*);
  return bytes;
}

}  // namespace reclab::data

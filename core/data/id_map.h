#pragma once
/// Maps original ids (as found in a file) to dense indices 0..n-1 and back.
///
/// Memory matters at Yoochoose scale (9 million sessions): while every id seen is a
/// non-negative integer that fits in 32 bits the map stores originals as `uint32_t`
/// (4 bytes per id), widening to `int64_t` and finally to strings only when an id requires it.
/// The lookup hash table is only needed while loading; `dropLookup()` frees it and `find()`
/// rebuilds it on demand.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace reclab::data {

class IdMap {
 public:
  enum class Storage { UInt32, Int64, String };

  /// Dense index of `original`, inserting it when new. Ids are compared as written, except
  /// that integer ids are canonical ("007" and "7" are different ids only in String storage).
  std::int32_t intern(std::string_view original);
  /// Fast path for ids already parsed as integers (must be >= 0 to stay in integer storage).
  std::int32_t internInt(std::int64_t original);

  /// Replaces an empty map's content with `originals`, which must be distinct, as dense
  /// indices 0..n-1 (in that order), without building the lookup table (find() and intern()
  /// build it lazily). Used by loaders that intern ids with their own faster tables.
  /// Throws std::logic_error when the map is not empty.
  void assignDistinctInts(const std::vector<std::int64_t>& originals);

  /// Dense index of `original`, or nullopt when unknown. Builds the lookup table if dropped.
  std::optional<std::int32_t> find(std::string_view original) const;
  std::optional<std::int32_t> findInt(std::int64_t original) const;

  /// The original id of dense index `i`, as text.
  std::string original(std::int32_t i) const;

  std::int32_t size() const { return static_cast<std::int32_t>(m_size); }
  Storage storage() const { return m_storage; }

  /// Frees the hash table used while loading (it is rebuilt lazily by find()).
  void dropLookup() const;
  /// Heap bytes used by the originals and, if present, the lookup table (an estimate).
  std::size_t memoryBytes() const;

 private:
  void widenToInt64();
  void widenToString();
  void buildLookup() const;

  Storage m_storage = Storage::UInt32;
  std::size_t m_size = 0;
  std::vector<std::uint32_t> m_u32;
  std::vector<std::int64_t> m_i64;
  std::vector<std::string> m_str;
  mutable bool m_lookupValid = true;
  mutable std::unordered_map<std::int64_t, std::int32_t> m_intLookup;
  mutable std::unordered_map<std::string, std::int32_t> m_strLookup;
};

}  // namespace reclab::data

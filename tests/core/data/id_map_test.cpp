#include "data/id_map.h"

#include <unordered_map>

#include "data/loaders/fast_int_map.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>

namespace reclab::data {
namespace {

TEST(IdMap, DenseIndicesInFirstAppearanceOrder) {
  IdMap ids;
  EXPECT_EQ(ids.intern("42"), 0);
  EXPECT_EQ(ids.intern("7"), 1);
  EXPECT_EQ(ids.intern("42"), 0);
  EXPECT_EQ(ids.internInt(7), 1);
  EXPECT_EQ(ids.internInt(1000), 2);
  EXPECT_EQ(ids.size(), 3);
  EXPECT_EQ(ids.storage(), IdMap::Storage::UInt32);
  EXPECT_EQ(ids.original(0), "42");
  EXPECT_EQ(ids.original(2), "1000");
  EXPECT_EQ(ids.find("7"), 1);
  EXPECT_EQ(ids.findInt(1000), 2);
  EXPECT_FALSE(ids.find("8").has_value());
  EXPECT_FALSE(ids.find("abc").has_value());
  EXPECT_THROW(ids.original(3), std::out_of_range);
  EXPECT_THROW(ids.original(-1), std::out_of_range);
}

TEST(IdMap, WidensUInt32ToInt64ToString) {
  IdMap ids;
  ids.internInt(5);
  ids.internInt(std::numeric_limits<std::uint32_t>::max());
  EXPECT_EQ(ids.storage(), IdMap::Storage::UInt32);

  // Larger than 32 bits, then negative: int64 storage, earlier ids keep their indices.
  EXPECT_EQ(ids.internInt(std::int64_t{1} << 40), 2);
  EXPECT_EQ(ids.storage(), IdMap::Storage::Int64);
  EXPECT_EQ(ids.intern("-3"), 3);
  EXPECT_EQ(ids.original(1), "4294967295");
  EXPECT_EQ(ids.original(2), "1099511627776");
  EXPECT_EQ(ids.original(3), "-3");

  // A non-integer id: string storage; integer lookups still work through their text.
  EXPECT_EQ(ids.intern("NA"), 4);
  EXPECT_EQ(ids.storage(), IdMap::Storage::String);
  EXPECT_EQ(ids.internInt(5), 0);
  EXPECT_EQ(ids.findInt(std::int64_t{1} << 40), 2);
  EXPECT_EQ(ids.find("-3"), 3);
  EXPECT_EQ(ids.find("NA"), 4);
  EXPECT_EQ(ids.intern("007"), 5);  // text, not the integer 7
  EXPECT_EQ(ids.original(5), "007");
  EXPECT_EQ(ids.size(), 6);
}

TEST(IdMap, NonCanonicalIntegerTextWidensToString) {
  IdMap ids;
  ids.internInt(7);
  EXPECT_EQ(ids.intern("007"), 1);
  EXPECT_EQ(ids.storage(), IdMap::Storage::String);
  EXPECT_EQ(ids.find("7"), 0);
  EXPECT_EQ(ids.find("007"), 1);
}

TEST(IdMap, DropLookupFreesTableAndFindRebuildsIt) {
  IdMap ids;
  for (int i = 0; i < 1000; ++i) ids.internInt(i * 3);
  const std::size_t withTable = ids.memoryBytes();
  ids.dropLookup();
  const std::size_t without = ids.memoryBytes();
  EXPECT_LT(without, withTable);
  EXPECT_LE(without, 1024 * sizeof(std::uint32_t) + 64);  // the originals (+ empty tables)
  EXPECT_EQ(ids.find("2997"), 999);
  EXPECT_FALSE(ids.find("2998").has_value());
  // Interning after a drop keeps the numbering.
  ids.dropLookup();
  EXPECT_EQ(ids.internInt(3), 1);
  EXPECT_EQ(ids.internInt(1), 1000);
}

TEST(IdMap, DropLookupWithStrings) {
  IdMap ids;
  ids.intern("a");
  ids.intern("b");
  ids.dropLookup();
  EXPECT_EQ(ids.find("b"), 1);
  EXPECT_EQ(ids.intern("c"), 2);
  EXPECT_EQ(ids.intern("a"), 0);
}

TEST(IdMap, AssignDistinctIntsChoosesStorageWithoutTable) {
  IdMap ids;
  ids.assignDistinctInts({10, 3, 7});
  EXPECT_EQ(ids.size(), 3);
  EXPECT_EQ(ids.storage(), IdMap::Storage::UInt32);
  EXPECT_LE(ids.memoryBytes(), 3 * sizeof(std::uint32_t) + 64);  // no lookup table
  EXPECT_EQ(ids.original(1), "3");
  EXPECT_EQ(ids.find("7"), 2);
  EXPECT_EQ(ids.internInt(11), 3);

  IdMap wide;
  wide.assignDistinctInts({-1, std::int64_t{1} << 33});
  EXPECT_EQ(wide.storage(), IdMap::Storage::Int64);
  EXPECT_EQ(wide.findInt(std::int64_t{1} << 33), 1);
  EXPECT_EQ(wide.original(0), "-1");

  EXPECT_THROW(ids.assignDistinctInts({1}), std::logic_error);
}

}  // namespace
}  // namespace reclab::data

namespace reclab::data::loaders {
namespace {

// The loaders' private id table: sorted runs plus a hash table must behave like a map.
TEST(FastIdMap, MatchesAStandardMap) {
  FastIdMap ids;
  std::unordered_map<std::int64_t, std::int32_t> expected;
  std::uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  std::int64_t rising = -50;
  for (int i = 0; i < 200000; ++i) {
    std::int64_t key;
    switch (next() % 4) {
      case 0:
      case 1:
        rising += static_cast<std::int64_t>(next() % 5);  // mostly increasing, with repeats
        key = rising;
        break;
      case 2:
        key = static_cast<std::int64_t>(next() % 100000) - 50;  // revisits and fresh gaps
        break;
      default:
        key = static_cast<std::int64_t>(next()) * 4096;  // far apart, large values
        break;
    }
    auto [it, inserted] = expected.try_emplace(key, static_cast<std::int32_t>(expected.size()));
    ASSERT_EQ(ids.intern(key), it->second) << "key " << key << " step " << i;
  }
  ASSERT_EQ(ids.size(), expected.size());
  for (const auto& [key, id] : expected) {
    ASSERT_EQ(ids.find(key), id);
    ASSERT_EQ(ids.originals()[static_cast<std::size_t>(id)], key);
  }
  EXPECT_EQ(ids.find(-1000), -1);
  EXPECT_EQ(ids.find(std::numeric_limits<std::int64_t>::max()), -1);
  EXPECT_EQ(ids.find(rising + 1), expected.count(rising + 1) ? expected[rising + 1] : -1);
}

}  // namespace
}  // namespace reclab::data::loaders

#pragma once
/// Small helpers for the loader tests: fixture paths, catching a loader's InputError message,
/// reading attributes back by original id, writing generated files.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "common/errors.h"
#include "data/line_reader.h"
#include "data/load.h"

namespace reclab::data::testing {

inline std::string fixture(const std::string& relative) {
  return std::string(RECLAB_FIXTURES) + "/" + relative;
}

/// The message of the InputError `f` throws, or "<no InputError>".
inline std::string inputErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError>";
}

inline std::vector<std::string> badRowMessages(const LoadReport& report) {
  std::vector<std::string> out;
  for (const auto& b : report.badRows) out.push_back(b.message());
  return out;
}

inline std::int32_t indexOf(const IdMap& ids, const std::string& original) {
  auto found = ids.find(original);
  EXPECT_TRUE(found.has_value()) << "unknown id " << original;
  return found.value_or(-1);
}

inline std::string categoricalOf(const AttributeTable& table, const std::string& name,
                                 std::int32_t entity) {
  const Attribute* a = table.find(name);
  if (!a || entity < 0 || static_cast<std::size_t>(entity) >= a->categorical.size())
    return "<none>";
  std::int32_t code = a->categorical[static_cast<std::size_t>(entity)];
  return code < 0 ? "<missing>" : a->vocabulary[static_cast<std::size_t>(code)];
}

inline double numericOf(const AttributeTable& table, const std::string& name, std::int32_t entity) {
  const Attribute* a = table.find(name);
  if (!a || entity < 0 || static_cast<std::size_t>(entity) >= a->numeric.size()) return -12345.0;
  return a->numeric[static_cast<std::size_t>(entity)];
}

/// The entity's multi-valued attribute as sorted text.
inline std::vector<std::string> multiOf(const AttributeTable& table, const std::string& name,
                                        std::int32_t entity) {
  std::vector<std::string> out;
  const Attribute* a = table.find(name);
  if (!a || entity < 0 || static_cast<std::size_t>(entity) >= a->multi.size()) return out;
  for (auto code : a->multi[static_cast<std::size_t>(entity)])
    out.push_back(a->vocabulary[static_cast<std::size_t>(code)]);
  std::sort(out.begin(), out.end());
  return out;
}

/// A fresh directory under the test temp dir, named after the running test.
inline std::string scratchDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) /
      (std::string("reclab_") + info->test_suite_name() + "_" + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

/// Writes `lines` rows produced by `row(i)`, each followed by '\n'.
inline void writeLines(const std::string& path, std::size_t lines,
                       const std::function<std::string(std::size_t)>& row) {
  std::ofstream out(path, std::ios::binary);
  for (std::size_t i = 0; i < lines; ++i) out << row(i) << '\n';
}

}  // namespace reclab::data::testing

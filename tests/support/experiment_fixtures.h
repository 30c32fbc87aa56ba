#pragma once
// Shared pieces of the experiment tests: a test with a folder and a run store of its own, and
// the message a config is refused with.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "common/errors.h"
#include "experiment/config.h"
#include "support/temp_path.h"

namespace reclab::testing {

/// A fresh folder private to the test (m_dir, removed afterwards) and a store path in it.
class TempStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = uniqueTempPath("reclab_store_test");
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
    m_db = (m_dir / "store.sqlite").string();
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  std::filesystem::path m_dir;
  std::string m_db;
};

/// The InputError message ExperimentConfig::fromJson refuses `j` with, or "no error".
inline std::string configErrorOf(const nlohmann::json& j) {
  try {
    experiment::ExperimentConfig::fromJson(j);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace reclab::testing

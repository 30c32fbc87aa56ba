#pragma once
// A temporary file or directory name private to the running test: ctest runs the tests of one
// executable in parallel processes, so a fixed name under /tmp is shared between tests that
// run at the same time (one test's TearDown removing another's file).

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace reclab::testing {

/// temp_directory_path() / "<stem>_<pid>_<test name><extension>" for `name` = "<stem><extension>".
inline std::filesystem::path uniqueTempPath(const std::string& name) {
  const std::filesystem::path n(name);
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::filesystem::temp_directory_path() /
         (n.stem().string() + "_" + std::to_string(::getpid()) + "_" +
          (info ? info->name() : "none") + n.extension().string());
}

}  // namespace reclab::testing

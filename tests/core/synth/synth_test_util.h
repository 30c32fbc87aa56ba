#pragma once
// Shared helpers of the synth tests: a self-removing temporary directory and file readers.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace reclab::synth::testing {

/// A fresh directory under the system temp dir, removed (with its files) on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string name = info != nullptr ? std::string(info->name()) : "synth";
    m_path = std::filesystem::temp_directory_path() /
             ("reclab_synth_" + name + "_" + std::to_string(::getpid()) + "_" +
              std::to_string(counter++));
    std::filesystem::remove_all(m_path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string str() const { return m_path.string(); }
  std::string file(const std::string& name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Lines without their '\n' (the file must end with one).
inline std::vector<std::string> readLines(const std::string& path) {
  const std::string text = readFile(path);
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

inline nlohmann::json readJson(const std::string& path) {
  return nlohmann::json::parse(readFile(path));
}

inline std::vector<std::string> split(const std::string& line, char delim) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (true) {
    const std::size_t end = line.find(delim, begin);
    out.push_back(line.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return out;
}

/// Every file of `names` is byte-identical in both directories.
inline void expectSameFiles(const std::vector<std::string>& names, const TempDir& a,
                            const TempDir& b) {
  for (const std::string& name : names) {
    EXPECT_EQ(readFile(a.file(name)), readFile(b.file(name))) << name;
  }
}

}  // namespace reclab::synth::testing

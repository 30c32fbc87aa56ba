#pragma once
/// Minimal binary persistence for model state: a magic tag, a version, then length-prefixed
/// arrays of trivially copyable values. Errors name the file and what was expected.

#include <cstdint>
#include <fstream>
#include <string>
#include <type_traits>
#include <vector>

#include "common/errors.h"

namespace reclab {

class BinaryWriter {
 public:
  BinaryWriter(const std::string& path, const std::string& magic, std::uint32_t version)
      : m_path(path), m_out(path, std::ios::binary | std::ios::trunc) {
    if (!m_out) throw InputError(path + ": cannot write");
    writeString(magic);
    write(version);
  }
  template <typename T>
  void write(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    m_out.write(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  template <typename T>
  void writeVector(const std::vector<T>& v) {
    write<std::uint64_t>(v.size());
    m_out.write(reinterpret_cast<const char*>(v.data()),
                static_cast<std::streamsize>(v.size() * sizeof(T)));
  }
  void writeString(const std::string& s) {
    write<std::uint64_t>(s.size());
    m_out.write(s.data(), static_cast<std::streamsize>(s.size()));
  }
  void close() {
    m_out.close();
    if (!m_out) throw InputError(m_path + ": write failed");
  }

 private:
  std::string m_path;
  std::ofstream m_out;
};

class BinaryReader {
 public:
  BinaryReader(const std::string& path, const std::string& magic, std::uint32_t version)
      : m_path(path), m_in(path, std::ios::binary) {
    if (!m_in) throw InputError(path + ": cannot open");
    if (readString(64) != magic) throw InputError(path + ": not a " + magic + " file");
    auto v = read<std::uint32_t>();
    if (v != version) {
      throw InputError(path + ": " + magic + " version " + std::to_string(v) + ", expected " +
                       std::to_string(version));
    }
  }
  template <typename T>
  T read() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v{};
    m_in.read(reinterpret_cast<char*>(&v), sizeof(T));
    if (!m_in) throw InputError(m_path + ": truncated file");
    return v;
  }
  template <typename T>
  std::vector<T> readVector(std::uint64_t maxElements = (1ULL << 34)) {
    auto n = read<std::uint64_t>();
    if (n > maxElements) throw InputError(m_path + ": corrupt array length");
    std::vector<T> v(n);
    m_in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T)));
    if (!m_in) throw InputError(m_path + ": truncated file");
    return v;
  }
  std::string readString(std::uint64_t maxLength = (1ULL << 30)) {
    auto n = read<std::uint64_t>();
    if (n > maxLength) throw InputError(m_path + ": corrupt string length");
    std::string s(n, '\0');
    m_in.read(s.data(), static_cast<std::streamsize>(n));
    if (!m_in) throw InputError(m_path + ": truncated file");
    return s;
  }

 private:
  std::string m_path;
  std::ifstream m_in;
};

}  // namespace reclab

#pragma once
/// Private to the loaders: a whole file's bytes through a read-only memory mapping, and a fast
/// newline count over them.

#include <cstdint>
#include <string>
#include <vector>

namespace reclab::data::loaders {

/// The file's bytes: a read-only mapping, or a heap copy where mapping is impossible. Throws
/// InputError for a missing or unreadable file.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const char* data() const { return m_data; }
  std::size_t size() const { return m_size; }
  /// Lets the kernel drop the mapped pages inside [from, to) (they are read again from the
  /// page cache if touched), so resident memory does not grow with the file.
  void release(const char* from, const char* to) const;

 private:
  const char* m_data = nullptr;
  std::size_t m_size = 0;
  bool m_mapped = false;
  std::vector<char> m_copy;
};

/// Number of '\n' bytes in [p, end), eight bytes at a time.
std::uint64_t countNewlines(const char* p, const char* end);

}  // namespace reclab::data::loaders

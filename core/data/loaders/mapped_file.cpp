#include "data/loaders/mapped_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/errors.h"
#include "data/line_reader.h"

namespace reclab::data::loaders {

MappedFile::MappedFile(const std::string& path) {
  m_size = static_cast<std::size_t>(fileSizeOrThrow(path));
  if (m_size == 0) return;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  void* p = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p != MAP_FAILED) {
    m_data = static_cast<const char*>(p);
    m_mapped = true;
    ::madvise(p, m_size, MADV_SEQUENTIAL);
  } else {
    m_copy.resize(m_size);
    std::size_t got = 0;
    while (got < m_size) {
      ssize_t n = ::read(fd, m_copy.data() + got, m_size - got);
      if (n <= 0) {
        ::close(fd);
        throw InputError(fmt::format("{}: read error: {}", path, std::strerror(errno)));
      }
      got += static_cast<std::size_t>(n);
    }
    m_data = m_copy.data();
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (m_mapped) ::munmap(const_cast<char*>(m_data), m_size);
}

void MappedFile::release(const char* from, const char* to) const {
  if (!m_mapped) return;
  static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto b = (reinterpret_cast<std::uintptr_t>(from) + page - 1) & ~(page - 1);
  const auto e = reinterpret_cast<std::uintptr_t>(to) & ~(page - 1);
  if (e > b) ::madvise(reinterpret_cast<void*>(b), e - b, MADV_DONTNEED);
}

std::uint64_t countNewlines(const char* p, const char* end) {
  constexpr std::uint64_t kNl = 0x0A0A0A0A0A0A0A0Aull, k7f = 0x7F7F7F7F7F7F7F7Full;
  std::uint64_t n = 0;
  for (; end - p >= 8; p += 8) {
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    x ^= kNl;  // '\n' bytes become 0
    const std::uint64_t t = ((x & k7f) + k7f) | x;
    // One bit (0x80) per '\n' byte; the multiply sums the eight byte flags into the top byte.
    n += (((~t & ~k7f) >> 7) * 0x0101010101010101ull) >> 56;
  }
  for (; p < end; ++p) n += *p == '\n';
  return n;
}

}  // namespace reclab::data::loaders

#include "data/line_reader.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/errors.h"

namespace reclab::data {

namespace fs = std::filesystem;

std::uint64_t fileSizeOrThrow(const std::string& path) {
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw InputError(path + ": no such file");
  if (fs::is_directory(status)) throw InputError(path + ": is a directory, expected a file");
  auto size = fs::file_size(path, ec);
  if (ec) throw InputError(path + ": cannot read: " + ec.message());
  return size;
}

LineReader::LineReader(const std::string& path) : m_path(path) {
  m_fileSize = fileSizeOrThrow(path);
  m_file = std::fopen(path.c_str(), "rb");
  if (!m_file) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  m_buffer.resize(1 << 20);
}

LineReader::~LineReader() {
  if (m_file) std::fclose(m_file);
}

bool LineReader::fill() {
  if (m_eof) return false;
  // Move the partial line to the front, grow when a single line fills the whole buffer.
  std::size_t keep = m_end - m_begin;
  if (keep > 0 && m_begin > 0) std::memmove(m_buffer.data(), m_buffer.data() + m_begin, keep);
  m_begin = 0;
  m_end = keep;
  if (m_end == m_buffer.size()) m_buffer.resize(m_buffer.size() * 2);
  std::size_t got = std::fread(m_buffer.data() + m_end, 1, m_buffer.size() - m_end, m_file);
  if (got == 0) {
    if (std::ferror(m_file)) {
      throw InputError(fmt::format("{}: read error: {}", m_path, std::strerror(errno)));
    }
    m_eof = true;
    return false;
  }
  m_end += got;
  return true;
}

bool LineReader::next(std::string_view& line) {
  while (true) {
    const char* start = m_buffer.data() + m_begin;
    const void* nl = m_end > m_begin ? std::memchr(start, '\n', m_end - m_begin) : nullptr;
    if (nl) {
      std::size_t len = static_cast<const char*>(nl) - start;
      m_begin += len + 1;
      m_consumed += len + 1;
      if (len > 0 && start[len - 1] == '\r') --len;
      line = std::string_view(start, len);
      ++m_lineNumber;
      m_unterminated = false;
      return true;
    }
    if (!fill()) {
      if (m_end > m_begin) {
        std::size_t len = m_end - m_begin;
        const char* s = m_buffer.data() + m_begin;
        m_begin = m_end;
        m_consumed += len;
        if (len > 0 && s[len - 1] == '\r') --len;
        line = std::string_view(s, len);
        ++m_lineNumber;
        m_unterminated = true;
        return true;
      }
      return false;
    }
  }
}

void BadRowSink::add(const std::string& file, std::uint64_t line, std::string reason) {
  BadRow row{file, line, std::move(reason)};
  if (m_options.policy == BadRowPolicy::Stop) throw InputError(row.message());
  ++m_report.badRowCount;
  if (m_report.badRows.size() < m_options.maxListedBadRows) m_report.badRows.push_back(row);
}

std::string BadRow::message() const { return fmt::format("{}:{}: {}", file, line, reason); }

void ProgressTicker::report(std::uint64_t bytesSoFar) {
  m_stop.throwIfStopped();
  double f = m_total > 0 ? static_cast<double>(bytesSoFar) / static_cast<double>(m_total) : 0.0;
  m_observer.onProgress(f > 1.0 ? 1.0 : f, m_stage);
}

}  // namespace reclab::data

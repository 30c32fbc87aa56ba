#pragma once
/// A fast buffered text writer for the generators: integers, fixed-point numbers and ISO-8601
/// timestamps are formatted straight into a 1 MiB buffer that goes to a FILE* with fwrite, so
/// a multi-gigabyte file is streamed without building any large string.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace reclab::synth {

class FileWriter {
 public:
  /// Opens (truncates) `path` for binary writing; throws InputError when it cannot.
  explicit FileWriter(std::string path, std::size_t bufferBytes = 1 << 20);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  void put(char c) {
    if (m_pos == m_buffer.size()) flush();
    m_buffer[m_pos++] = c;
  }
  void write(std::string_view s);
  void writeInt(std::int64_t v);
  /// Fixed-point with exactly `decimals` digits after the point ("12000.000").
  void writeFixed(double v, int decimals);
  /// "2014-04-07T10:51:09.277Z" (UTC, always with milliseconds).
  void writeIsoMillis(std::int64_t millis);
  /// One RFC-4180 field: quoted (with doubled quotes) only when it holds , " CR or LF.
  void writeCsvField(std::string_view s);

  /// Flushes and closes; throws InputError when any write failed (disk full, ...).
  void close();
  std::uint64_t bytesWritten() const { return m_written + m_pos; }
  const std::string& path() const { return m_path; }

 private:
  void flush();
  void reserve(std::size_t n) {
    if (m_buffer.size() - m_pos < n) flush();
  }

  std::string m_path;
  std::FILE* m_file = nullptr;
  std::vector<char> m_buffer;
  std::size_t m_pos = 0;
  std::uint64_t m_written = 0;
  bool m_failed = false;
  std::int64_t m_cachedDay = INT64_MIN;
  char m_dayText[11] = {};
};

/// "2014-04-07T10:51:09.277Z" for milliseconds since the Unix epoch (UTC).
std::string isoMillis(std::int64_t millis);

/// Civil date (proleptic Gregorian) of a day count since 1970-01-01.
struct CivilDate {
  int year;
  unsigned month;  ///< 1..12
  unsigned day;    ///< 1..31
};
CivilDate civilFromDays(std::int64_t days);
std::int64_t daysFromCivil(int year, unsigned month, unsigned day);

}  // namespace reclab::synth

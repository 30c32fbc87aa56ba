#pragma once
/// Streaming line reader and the bad-row bookkeeping every loader shares.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/observer.h"
#include "data/load.h"

namespace reclab::data {

/// Reads a file line by line in 1 MiB blocks. Lines are returned without '\n' and without a
/// trailing '\r'. Throws InputError for a missing file, a directory or an unreadable file.
class LineReader {
 public:
  explicit LineReader(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  /// Next line; false at end of file. The view is valid until the next call.
  bool next(std::string_view& line);
  /// 1-based number of the line last returned.
  std::uint64_t lineNumber() const { return m_lineNumber; }
  /// True when the line last returned was the file's last and had no '\n' after it.
  bool lastLineUnterminated() const { return m_unterminated; }
  std::uint64_t bytesConsumed() const { return m_consumed; }
  std::uint64_t fileSize() const { return m_fileSize; }
  const std::string& path() const { return m_path; }

 private:
  bool fill();

  std::string m_path;
  std::FILE* m_file = nullptr;
  std::vector<char> m_buffer;
  std::size_t m_begin = 0;
  std::size_t m_end = 0;
  bool m_eof = false;
  bool m_unterminated = false;
  std::uint64_t m_lineNumber = 0;
  std::uint64_t m_consumed = 0;
  std::uint64_t m_fileSize = 0;
};

/// Records bad rows according to the policy: Skip counts them (listing the first few),
/// Stop throws InputError with the located message at the first one.
class BadRowSink {
 public:
  BadRowSink(const LoadOptions& options, LoadReport& report)
      : m_options(options), m_report(report) {}
  void add(const std::string& file, std::uint64_t line, std::string reason);

 private:
  const LoadOptions& m_options;
  LoadReport& m_report;
};

/// Reports progress and checks the stop token every `kEvery` rows.
class ProgressTicker {
 public:
  static constexpr std::uint64_t kEvery = 16384;
  ProgressTicker(Observer& observer, const StopToken& stop, std::string stage,
                 std::uint64_t totalBytes)
      : m_observer(observer), m_stop(stop), m_stage(std::move(stage)), m_total(totalBytes) {}
  /// Call once per row with the bytes consumed so far (over all files of the load).
  void tick(std::uint64_t bytesSoFar) {
    if (++m_rows % kEvery == 0) report(bytesSoFar);
  }
  void report(std::uint64_t bytesSoFar);

 private:
  Observer& m_observer;
  const StopToken& m_stop;
  std::string m_stage;
  std::uint64_t m_total;
  std::uint64_t m_rows = 0;
};

/// Size of a file in bytes; throws InputError "path: no such file" when missing.
std::uint64_t fileSizeOrThrow(const std::string& path);

}  // namespace reclab::data

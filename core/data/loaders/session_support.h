#pragma once
/// Private helpers of the session / e-commerce loaders (RetailRocket, Yoochoose, Diginetica,
/// session-rec files): per-load bookkeeping, field parsers with located reasons, and the
/// structural checks (empty file, wrong delimiter, wrong header) that are InputErrors whatever
/// the bad-row policy.
///
/// Reasons follow the house style: "field 'timestamp': not an integer: '12a4'",
/// "expected 5 fields, got 3", "truncated last line (no newline, 3 of 5 fields)",
/// "invalid UTF-8 at byte 7".

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "common/observer.h"
#include "data/line_reader.h"
#include "data/load.h"
#include "data/loaders/fast_int_map.h"

namespace reclab::data::loaders::session {

/// State of one load spanning several files: the bad-row sink, the progress ticker over the
/// total size of every file, and the report's file / byte bookkeeping.
class Context {
 public:
  /// Checks that every file exists ("path: no such file") and sums their sizes.
  Context(const LoadOptions& options, LoadResult& result, Observer& observer, const StopToken& stop,
          const std::vector<std::string>& allFiles);

  /// Throws "<path>: empty file" for a 0-byte file and records the file as read.
  void beginFile(const LineReader& reader);
  void tick(const LineReader& reader) { m_ticker.tick(m_doneBytes + reader.bytesConsumed()); }
  void endFile(const LineReader& reader);
  /// A bad row at the reader's current line (throws InputError under the Stop policy).
  void bad(const LineReader& reader, std::string reason) {
    m_sink.add(reader.path(), reader.lineNumber(), std::move(reason));
  }

  LoadReport& report() { return m_result.report; }
  InteractionLog& log() { return m_result.log; }

  /// Id tables used while loading (much faster than IdMap's node-based table at this scale);
  /// finishIds() hands them to the log's IdMaps, which must still be empty.
  FastIdMap users, items, sessions;
  /// Stands for a missing user ("NA" in Diginetica); becomes the original id "NA".
  static constexpr std::int64_t kNoUser = std::numeric_limits<std::int64_t>::min();
  void finishIds();

 private:
  LoadResult& m_result;
  BadRowSink m_sink;
  ProgressTicker m_ticker;
  std::uint64_t m_doneBytes = 0;
};

std::uint64_t totalSize(const std::vector<std::string>& paths);

/// "'text'" cut to 40 bytes with "..." so a broken line cannot flood a report.
std::string quoted(std::string_view text);
std::string_view stripBom(std::string_view line);
std::string baseName(const std::string& path);

/// When `delim` does not occur in line 1 throws InputError
/// "<path>:1: no ',' found; the file looks ';'-delimited — wrong format?".
void requireDelimiter(const std::string& path, std::string_view line, char delim);
/// Line 1 must be `expected` (after a BOM and surrounding blanks are removed); checks the
/// delimiter first. Throws "<path>:1: expected header '<expected>', got '<line>'".
void requireHeader(const std::string& path, std::string_view line, std::string_view expected,
                   char delim);

/// Empty when valid UTF-8, else "invalid UTF-8 at byte N" (1-based).
std::string utf8Problem(std::string_view line);
/// "expected N fields, got M", or "truncated last line (no newline, M of N fields)" for a
/// short last line without '\n'.
std::string fieldCountProblem(bool unterminated, std::size_t got, std::size_t expected);

/// Splits on `delim` into at most `maxFields` fields; the last keeps the rest of the line.
std::size_t splitAtMost(std::string_view line, char delim, std::size_t maxFields,
                        std::vector<std::string_view>& out);

/// Field parsers: true and `out` set, or false and `reason` = "field '<name>': <why>: '<text>'".
bool parseIntField(std::string_view text, std::string_view name, std::int64_t& out,
                   std::string& reason);
bool parseRealField(std::string_view text, std::string_view name, double& out, std::string& reason);
/// "field '<name>': empty" for an empty field.
bool requireNonEmpty(std::string_view text, std::string_view name, std::string& reason);
/// A non-empty integer id ("field 'itemid': empty", "... not an integer: 'x'").
bool parseIdField(std::string_view text, std::string_view name, std::int64_t& out,
                  std::string& reason);
/// ISO-8601 text into ms since the epoch.
bool parseIsoField(std::string_view text, std::string_view name, std::int64_t& outMillis,
                   std::string& reason);
/// Unix seconds, possibly with a fraction, into ms.
bool parseUnixSecondsField(std::string_view text, std::string_view name, std::int64_t& outMillis,
                           std::string& reason);

}  // namespace reclab::data::loaders::session

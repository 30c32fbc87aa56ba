#pragma once
/// Private helpers shared by the rating and generic CSV loaders: per-load bookkeeping (bad
/// rows, progress, bytes), field parsing with located reasons, and the structural checks
/// (empty file, wrong delimiter) that are InputErrors whatever the bad-row policy.
///
/// Reasons follow one style: "field 'rating': not a number: 'x'", "expected 4 fields, got 3",
/// "truncated last line (no newline, 2 of 4 fields)", "invalid UTF-8 at byte 7".

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/observer.h"
#include "data/line_reader.h"
#include "data/load.h"

namespace reclab::data::loaders::support {

/// State of one load spanning several files: the bad-row sink, the progress ticker over the
/// total size of every file, and the report's file / byte bookkeeping.
class LoadContext {
 public:
  /// Checks that every file in `allFiles` exists (InputError "path: no such file") and sums
  /// their sizes for the progress fraction.
  LoadContext(const LoadOptions& options, LoadResult& result, Observer& observer,
              const StopToken& stop, const std::vector<std::string>& allFiles);

  /// Records the reader's file as read; throws InputError "<path>: empty file" for 0 bytes.
  void beginFile(LineReader& reader);
  /// Call once per line read (reports progress and checks the stop token periodically).
  void tick(const LineReader& reader) { m_ticker.tick(m_doneBytes + reader.bytesConsumed()); }
  /// Records the file as read, reports progress; throws InputError "<path>: empty file" when
  /// `sawContent` is false (the file held only blank lines).
  void endFile(const LineReader& reader, bool sawContent);
  /// Reports a bad row at the reader's current line (throws InputError under Stop policy).
  void bad(const LineReader& reader, std::string reason);
  void warn(std::string message);

  LoadReport& report() { return m_result.report; }
  InteractionLog& log() { return m_result.log; }
  Observer& observer() { return m_observer; }

 private:
  LoadResult& m_result;
  Observer& m_observer;
  BadRowSink m_sink;
  std::uint64_t m_doneBytes = 0;
  ProgressTicker m_ticker;
};

/// True for a line holding only spaces, tabs or '\r'.
bool isBlank(std::string_view line);
/// Removes a UTF-8 byte-order mark from the start of a first line.
std::string_view stripBom(std::string_view line);

/// Streams the file behind `reader`: refuses an empty file, strips a byte-order mark, skips
/// blank lines, ticks progress, then calls `onFirst(line)` for the first non-blank line (it
/// returns true when it consumed the line as a header, false to have it treated as data) and
/// `onRow(line)` for every data line. Line numbers are available from `reader`.
template <typename OnFirst, typename OnRow>
void streamLines(LoadContext& ctx, LineReader& reader, OnFirst&& onFirst, OnRow&& onRow) {
  ctx.beginFile(reader);
  std::string_view line;
  bool first = true;
  while (reader.next(line)) {
    ctx.tick(reader);
    if (reader.lineNumber() == 1) line = stripBom(line);
    if (isBlank(line)) continue;
    if (first) {
      first = false;
      if (onFirst(line)) continue;
    }
    onRow(line);
  }
  ctx.endFile(reader, !first);
}

/// Sum of the sizes of `paths` (each checked with fileSizeOrThrow).
std::uint64_t totalSize(const std::vector<std::string>& paths);

/// "'text'" for messages, cut to 40 bytes with "..." so a broken line cannot flood a report.
std::string showValue(std::string_view text);
/// How a delimiter is shown in messages: "\t" for a tab, the text itself otherwise.
std::string showDelimiter(std::string_view delim);

/// First-line check: when `delim` does not occur in `line`, throws InputError
/// "<path>:1: no '<delim>' found; the file looks '<other>'-delimited — wrong format?" (or
/// "...found — wrong format?" when no common delimiter occurs either).
void requireDelimiter(const std::string& path, std::uint64_t lineNumber, std::string_view line,
                      std::string_view delim);

/// Empty when `line` is valid UTF-8, else "invalid UTF-8 at byte N" (N 1-based in the line).
std::string utf8Problem(std::string_view line);

/// "expected N fields, got M", or for a last line without '\n' that is short
/// "truncated last line (no newline, M of N fields)".
std::string fieldCountProblem(const LineReader& reader, std::size_t got, std::size_t expected);

/// Field parsers: return true and set `out`, or false with `reason` set to
/// "field '<name>': <why>: '<text>'".
bool parseIntField(std::string_view text, std::string_view name, std::int64_t& out,
                   std::string& reason);
bool parseRealField(std::string_view text, std::string_view name, double& out, std::string& reason);
/// A rating in [lo, hi]; "field '<name>': rating out of range [lo, hi]: '<text>'".
bool parseRatingField(std::string_view text, std::string_view name, double lo, double hi,
                      float& out, std::string& reason);
/// A non-empty id; "field '<name>': empty".
bool requireNonEmpty(std::string_view text, std::string_view name, std::string& reason);

enum class TimeUnit { Seconds, Millis, Iso8601 };
/// Parses a timestamp into milliseconds since the epoch. Unix values may carry a fraction
/// ("1433221332.117"); values whose milliseconds do not fit in int64 are "number out of range".
bool parseTimestampField(std::string_view text, std::string_view name, TimeUnit unit,
                         std::int64_t& outMillis, std::string& reason);

/// Text from a file that may be Latin-1 (MovieLens u.item, movies.dat): kept when it is valid
/// UTF-8, transcoded from Latin-1 otherwise.
std::string decodeLegacyText(std::string_view text);

/// Year from a title ending in "(1995)", or 0.
int yearFromTitle(std::string_view title);

/// Throws InputError "<path>: compressed file (.gz); unpack it first" for archive names.
void rejectCompressed(const std::vector<std::string>& paths);

/// File-name helpers.
std::string baseName(const std::string& path);
std::string siblingPath(const std::string& path, const std::string& name);
bool isRegularFile(const std::string& path);
bool isDirectory(const std::string& path);

}  // namespace reclab::data::loaders::support

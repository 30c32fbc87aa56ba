#pragma once
/// Loading real dataset files into an InteractionLog.
///
/// Every loader streams its files (never reading a whole file into one string), reports
/// progress through the Observer, checks the StopToken every few thousand rows, and reports
/// each bad row as "file:line: reason". The policy decides whether a bad row is skipped
/// (default: counted, and the first `maxListedBadRows` listed) or stops the load with an
/// InputError. Structural problems (missing file, empty file, wrong delimiter, missing
/// header) are always an InputError, whatever the policy.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/errors.h"
#include "common/observer.h"
#include "data/interaction_log.h"

namespace reclab::data {

enum class Format {
  RetailRocket,  ///< events.csv (+ item_properties_part*.csv, category_tree.csv)
  Yoochoose,     ///< yoochoose-clicks.dat (+ yoochoose-buys.dat)
  Diginetica,    ///< train-item-views.csv
  SessionRec,    ///< SessionId<TAB>ItemId<TAB>Time (session-rec prepared files)
  MovieLens,     ///< u.data (+ u.item, u.user) | ratings.dat (1M) | ratings.csv (latest)
  AmazonCsv,     ///< user,item,rating,timestamp (no header)
  AmazonJsonl,   ///< Amazon Reviews JSON Lines
  Csv,           ///< any delimited file with a user-given ColumnMapping
};

/// "retailrocket", "yoochoose", "diginetica", "sessionrec", "movielens", "amazon-csv",
/// "amazon-jsonl", "csv".
std::string formatName(Format f);
/// Inverse of formatName; throws InputError listing the valid names.
Format parseFormatName(const std::string& name);

enum class BadRowPolicy { Skip, Stop };

struct BadRow {
  std::string file;
  std::uint64_t line = 0;
  std::string reason;  ///< e.g. "field 'timestamp': not an integer: '12a4'"
  std::string message() const;  ///< "file:line: reason"
};

/// Which column of a generic delimited file holds what. Column references are either a
/// 0-based index or a header name (when `hasHeader`). Only `item` is required.
struct ColumnMapping {
  char delimiter = ',';
  bool hasHeader = true;
  std::string user, item, event, timestamp, value, session;
  /// How the timestamp column is written: "unix_s", "unix_ms", "iso8601".
  std::string timestampUnit = "unix_s";
};

struct LoadOptions {
  BadRowPolicy policy = BadRowPolicy::Skip;
  std::size_t maxListedBadRows = 100;
  /// Used for Format::Csv and ignored otherwise.
  std::optional<ColumnMapping> mapping;
  /// Worker threads for loaders that parse in parallel (Yoochoose clicks); 0 = hardware.
  int threads = 0;
  /// Sessions cut by an inactivity gap after loading (data/sessionise.h: a gap STRICTLY longer
  /// than this starts a new session; ids "<user>@<start ms>"). Unset = the format's default:
  /// kDefaultSessionGapMinutes for RetailRocket (events.csv has no session column), none for
  /// the others. A value > 0 cuts any log with timestamps: each user's events when the log
  /// has no session column, else the file's own sessions are split at such gaps (never
  /// merged). 0 = do not cut (RetailRocket then has no sessions). Negative: InputError.
  std::optional<double> sessionGapMinutes;
};

/// The inactivity gap RetailRocket is sessionised with unless told otherwise (minutes).
inline constexpr double kDefaultSessionGapMinutes = 30.0;

struct LoadReport {
  std::uint64_t rowsRead = 0;     ///< data rows seen (header excluded)
  std::uint64_t rowsLoaded = 0;
  std::uint64_t badRowCount = 0;
  std::vector<BadRow> badRows;    ///< the first maxListedBadRows of them
  std::uint64_t bytesRead = 0;
  std::vector<std::string> files; ///< files actually read, in order
  std::vector<std::string> warnings;
};

struct LoadResult {
  InteractionLog log;
  LoadReport report;
  Format format = Format::Csv;
};

/// Guesses the format from file names and the first lines. Throws InputError when it
/// cannot tell, naming what it saw and asking for an explicit --format.
Format detectFormat(const std::vector<std::string>& paths);

/// Loads `paths` (one or more files of one dataset, e.g. events.csv and
/// item_properties_part1.csv; or a directory holding the format's usual file names).
LoadResult loadDataset(Format format, const std::vector<std::string>& paths,
                       const LoadOptions& options, Observer& observer, const StopToken& stop);

}  // namespace reclab::data

#pragma once
/// The experiment store: one SQLite file (WAL mode) holding datasets, runs, per-epoch curves and
/// final metrics. Every write is one transaction. The schema carries a version number; opening an
/// older file migrates it step by step, opening a newer unknown version is refused with a clear
/// message. Runs left "running" by a process that died are marked "interrupted" when the store is
/// next opened (with the epochs they finished).
///
/// A Store object may be used from one thread at a time; each worker thread opens its own Store on
/// the same file (SQLite handles the locking, with a busy timeout).
///
/// Writes that name a run (startRun, finishRun, setArchived, addCurvePoints, setMetrics,
/// putArtifact) throw InputError "<path>: no run with id N" for an unknown run. Metric and curve
/// values may be NaN (stored as NULL, read back as NaN). Schema steps live in migrations.h; the
/// owner-process check in process_owner.h.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace reclab::store {

enum class RunStatus { Queued, Running, Finished, Cancelled, Failed, Interrupted };
std::string statusName(RunStatus s);  ///< "queued", "running", ...
RunStatus parseStatus(const std::string& name);

struct DatasetRecord {
  std::int64_t id = 0;
  std::string name;
  std::string format;
  std::string paths;        ///< JSON array of the files read
  std::string contentHash;  ///< hash of the files' bytes (or sizes and mtimes for big files)
  std::string statsJson;    ///< dataset statistics as JSON
  std::string createdAt;    ///< ISO-8601 UTC
};

struct RunRecord {
  std::int64_t id = 0;
  std::optional<std::int64_t> datasetId;
  std::optional<std::int64_t> parentRunId;  ///< for k-fold children, incremental updates
  std::string name;
  std::string modelName;
  std::string task;
  std::string configJson;  ///< the full experiment config
  std::int64_t seed = 0;
  RunStatus status = RunStatus::Queued;
  std::string startedAt;  ///< ISO-8601 UTC, empty until started
  std::string endedAt;
  std::string errorText;
  std::string versionsJson;  ///< library versions, thread count, config and dataset hashes
  int epochsDone = 0;
  bool archived = false;
};

struct CurvePoint {
  std::string metric;  ///< e.g. "train_loss", "val_rmse"
  int epoch = 0;
  std::int64_t step = 0;
  double value = 0;
};

/// Schema version this build writes.
inline constexpr int kSchemaVersion = 1;

class Store {
 public:
  /// Opens (creating when absent) the store at `path`, migrating older schemas and marking runs of
  /// dead processes interrupted. Throws InputError for a newer schema or a file that is not a
  /// RecLab store.
  explicit Store(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return m_path; }
  int schemaVersion() const;
  /// Runs found running at open time, whose owner process is gone (same host: no such pid, or a pid
  /// reused by a process that started later), marked interrupted by this open.
  const std::vector<std::int64_t>& recoveredRuns() const { return m_recovered; }

  std::int64_t addDataset(const DatasetRecord& d);
  std::optional<DatasetRecord> dataset(std::int64_t id) const;
  std::vector<DatasetRecord> datasets() const;

  /// Inserts a run (status as given, usually Queued or Running); returns its id. The calling
  /// process is recorded as the run's owner; a Running run with no startedAt gets "now".
  std::int64_t createRun(const RunRecord& r);
  /// Marks a run running, recording the start time and this process as its owner.
  void startRun(std::int64_t runId);
  /// Ends a run with a final status (Finished, Cancelled, Failed) and optional error text. Throws
  /// std::invalid_argument for Queued or Running.
  void finishRun(std::int64_t runId, RunStatus status, const std::string& errorText = {});
  void setArchived(std::int64_t runId, bool archived);
  /// Records the reproducibility record (library versions, threads, config / dataset hashes).
  void setVersions(std::int64_t runId, const std::string& versionsJson);
  std::optional<RunRecord> run(std::int64_t runId) const;
  /// Runs newest first; archived ones only when asked.
  std::vector<RunRecord> runs(bool includeArchived = false) const;

  /// Appends curve points (one transaction) and, when `epochDone` > 0, records it as the run's
  /// number of finished epochs.
  void addCurvePoints(std::int64_t runId, const std::vector<CurvePoint>& points, int epochDone = 0);
  std::vector<CurvePoint> curve(std::int64_t runId) const;

  /// Final metrics (replaces values of the same name).
  void setMetrics(std::int64_t runId, const std::map<std::string, double>& metrics);
  std::map<std::string, double> metrics(std::int64_t runId) const;

  /// Named blobs produced by a run (embeddings, per-user metric values, model files...).
  void putArtifact(std::int64_t runId, const std::string& name, const std::string& bytes);
  std::optional<std::string> artifact(std::int64_t runId, const std::string& name) const;
  std::vector<std::string> artifactNames(std::int64_t runId) const;

 private:
  void migrate();
  void recoverInterrupted();
  /// Throws InputError "<path>: no run with id N" when the run does not exist.
  void requireRun(std::int64_t runId) const;

  std::string m_path;
  std::unique_ptr<SQLite::Database> m_db;
  std::vector<std::int64_t> m_recovered;
};

}  // namespace reclab::store

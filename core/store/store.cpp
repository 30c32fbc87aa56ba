#include "store/store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include "common/errors.h"
#include "store/migrations.h"
#include "store/process_owner.h"

namespace reclab::store {

namespace {

constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kRunColumns =
    "id, dataset_id, parent_run_id, name, model_name, task, config_json, seed, "
    "status, "
    "started_at, ended_at, error_text, versions_json, epochs_done, archived";

constexpr const char* kDatasetColumns =
    "id, name, format, paths, content_hash, stats_json, created_at";

/// Current time as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string nowIso8601() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t seconds = system_clock::to_time_t(now);
  const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

/// SQLite stores NaN as NULL; metrics and curves map NULL back to NaN.
void bindValue(SQLite::Statement& q, int index, double value) {
  if (std::isnan(value)) {
    q.bind(index);
  } else {
    q.bind(index, value);
  }
}

double columnValue(const SQLite::Column& c) {
  return c.isNull() ? std::numeric_limits<double>::quiet_NaN() : c.getDouble();
}

void bindOptional(SQLite::Statement& q, int index, const std::optional<std::int64_t>& v) {
  if (v) {
    q.bind(index, static_cast<int64_t>(*v));
  } else {
    q.bind(index);
  }
}

std::optional<std::int64_t> columnOptional(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

void bindOwner(SQLite::Statement& q, int first) {
  // Cached per pid: a child forked after the cache was filled must record itself.
  static thread_local ProcessOwner self;
  if (self.pid != static_cast<std::int64_t>(getpid())) self = ProcessOwner::current();
  q.bind(first, static_cast<int64_t>(self.pid));
  q.bind(first + 1, self.startId);
  q.bind(first + 2, self.host);
}

RunRecord readRun(SQLite::Statement& q) {
  RunRecord r;
  r.id = q.getColumn(0).getInt64();
  r.datasetId = columnOptional(q.getColumn(1));
  r.parentRunId = columnOptional(q.getColumn(2));
  r.name = q.getColumn(3).getString();
  r.modelName = q.getColumn(4).getString();
  r.task = q.getColumn(5).getString();
  r.configJson = q.getColumn(6).getString();
  r.seed = q.getColumn(7).getInt64();
  r.status = parseStatus(q.getColumn(8).getString());
  r.startedAt = q.getColumn(9).getString();
  r.endedAt = q.getColumn(10).getString();
  r.errorText = q.getColumn(11).getString();
  r.versionsJson = q.getColumn(12).getString();
  r.epochsDone = q.getColumn(13).getInt();
  r.archived = q.getColumn(14).getInt() != 0;
  return r;
}

DatasetRecord readDataset(SQLite::Statement& q) {
  DatasetRecord d;
  d.id = q.getColumn(0).getInt64();
  d.name = q.getColumn(1).getString();
  d.format = q.getColumn(2).getString();
  d.paths = q.getColumn(3).getString();
  d.contentHash = q.getColumn(4).getString();
  d.statsJson = q.getColumn(5).getString();
  d.createdAt = q.getColumn(6).getString();
  return d;
}

}  // namespace

std::string statusName(RunStatus s) {
  switch (s) {
    case RunStatus::Queued:
      return "queued";
    case RunStatus::Running:
      return "running";
    case RunStatus::Finished:
      return "finished";
    case RunStatus::Cancelled:
      return "cancelled";
    case RunStatus::Failed:
      return "failed";
    case RunStatus::Interrupted:
      return "interrupted";
  }
  throw std::invalid_argument("unknown RunStatus value");
}

RunStatus parseStatus(const std::string& name) {
  for (RunStatus s : {RunStatus::Queued, RunStatus::Running, RunStatus::Finished,
                      RunStatus::Cancelled, RunStatus::Failed, RunStatus::Interrupted}) {
    if (statusName(s) == name) return s;
  }
  throw InputError(fmt::format("unknown run status '{}'", name));
}

Store::Store(const std::string& path) : m_path(path) {
  namespace fs = std::filesystem;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent)) {
    throw InputError(fmt::format("{}: cannot create the store: directory '{}' does not exist", path,
                                 parent.string()));
  }
  try {
    m_db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                              kBusyTimeoutMs);
  } catch (const SQLite::Exception& e) {
    throw InputError(fmt::format("{}: cannot open the store: {}", path, e.what()));
  }
  // Checked before anything is written: a newer or foreign file is left exactly as it was.
  const int found = readSchemaVersion(*m_db, path);
  if (found > kSchemaVersion) throw InputError(newerVersionMessage(path, found, kSchemaVersion));
  try {
    m_db->exec("PRAGMA journal_mode = WAL");
    m_db->exec("PRAGMA synchronous = NORMAL");
  } catch (const SQLite::Exception& e) {
    throw InputError(fmt::format("{}: cannot open the store: {}", path, e.what()));
  }
  migrate();
  // After the migrations: the pragma is a no-op inside a transaction, and table rebuilds in a
  // future step may need the checks off.
  m_db->exec("PRAGMA foreign_keys = ON");
  recoverInterrupted();
}

Store::~Store() = default;

void Store::migrate() { migrateSchema(*m_db, m_path, schemaMigrations()); }

void Store::recoverInterrupted() {
  SQLite::Statement q(*m_db,
                      "SELECT id, owner_pid, owner_start, owner_host FROM runs "
                      "WHERE status = 'running' ORDER BY id");
  std::vector<std::int64_t> gone;
  while (q.executeStep()) {
    ProcessOwner owner;
    owner.pid = q.getColumn(1).isNull() ? 0 : q.getColumn(1).getInt64();
    owner.startId = q.getColumn(2).getString();
    owner.host = q.getColumn(3).getString();
    if (ownerIsGone(owner)) gone.push_back(q.getColumn(0).getInt64());
  }
  q.reset();
  if (gone.empty()) return;

  SQLite::Transaction tx(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
  SQLite::Statement mark(*m_db,
                         "UPDATE runs SET status = 'interrupted', ended_at = ? "
                         "WHERE id = ? AND status = 'running'");
  const std::string now = nowIso8601();
  for (std::int64_t id : gone) {
    mark.bind(1, now);
    mark.bind(2, static_cast<int64_t>(id));
    // Another Store opening at the same moment may have marked it first.
    if (mark.exec() == 1) m_recovered.push_back(id);
    mark.reset();
  }
  tx.commit();
}

int Store::schemaVersion() const { return readSchemaVersion(*m_db, m_path); }

std::int64_t Store::addDataset(const DatasetRecord& d) {
  SQLite::Transaction tx(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
  SQLite::Statement q(*m_db,
                      "INSERT INTO datasets(name, format, paths, content_hash, stats_json, "
                      "created_at) VALUES (?, ?, ?, ?, ?, ?)");
  q.bind(1, d.name);
  q.bind(2, d.format);
  q.bind(3, d.paths.empty() ? std::string("[]") : d.paths);
  q.bind(4, d.contentHash);
  q.bind(5, d.statsJson.empty() ? std::string("{}") : d.statsJson);
  q.bind(6, d.createdAt.empty() ? nowIso8601() : d.createdAt);
  q.exec();
  const std::int64_t id = m_db->getLastInsertRowid();
  tx.commit();
  return id;
}

std::optional<DatasetRecord> Store::dataset(std::int64_t id) const {
  SQLite::Statement q(*m_db, fmt::format("SELECT {} FROM datasets WHERE id = ?", kDatasetColumns));
  q.bind(1, static_cast<int64_t>(id));
  if (!q.executeStep()) return std::nullopt;
  return readDataset(q);
}

std::vector<DatasetRecord> Store::datasets() const {
  SQLite::Statement q(*m_db, fmt::format("SELECT {} FROM datasets ORDER BY id", kDatasetColumns));
  std::vector<DatasetRecord> out;
  while (q.executeStep()) out.push_back(readDataset(q));
  return out;
}

std::int64_t Store::createRun(const RunRecord& r) {
  const bool running = r.status == RunStatus::Running;
  SQLite::Transaction tx(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
  SQLite::Statement q(*m_db,
                      "INSERT INTO runs(dataset_id, parent_run_id, name, model_name, task, "
                      "config_json, seed, status, started_at, ended_at, error_text, "
                      "versions_json, epochs_done, archived, owner_pid, owner_start, "
                      "owner_host) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  bindOptional(q, 1, r.datasetId);
  bindOptional(q, 2, r.parentRunId);
  q.bind(3, r.name);
  q.bind(4, r.modelName);
  q.bind(5, r.task);
  q.bind(6, r.configJson);
  q.bind(7, static_cast<int64_t>(r.seed));
  q.bind(8, statusName(r.status));
  q.bind(9, running && r.startedAt.empty() ? nowIso8601() : r.startedAt);
  q.bind(10, r.endedAt);
  q.bind(11, r.errorText);
  q.bind(12, r.versionsJson.empty() ? std::string("{}") : r.versionsJson);
  q.bind(13, r.epochsDone);
  q.bind(14, r.archived ? 1 : 0);
  bindOwner(q, 15);
  q.exec();
  const std::int64_t id = m_db->getLastInsertRowid();
  tx.commit();
  return id;
}

void Store::requireRun(std::int64_t runId) const {
  SQLite::Statement q(*m_db, "SELECT 1 FROM runs WHERE id = ?");
  q.bind(1, static_cast<int64_t>(runId));
  if (!q.executeStep()) throw InputError(fmt::format("{}: no run with id {}", m_path, runId));
}

void Store::startRun(std::int64_t runId) {
  SQLite::Transaction tx(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
  requireRun(runId);
  SQLite::Statement q(*m_db,
                      "UPDATE runs SET status = 'running', started_at = ?, ended_at = '', "
                      "error_text = '', owner_pid = ?, owner_start = ?, owner_host = ? "
                      "WHERE id = ?");
  q.bind(1, nowIso8601());
  bindOwner(q, 2);
  q.bind(5, static_cast<int64_t>(runId));
  q.exec();
  tx.commit();
}

void Store::finishRun(std::int64_t runId, RunStatus status, const std::string& errorText) {
  if (status == RunStatus::Queued || status == RunStatus::Running) {
    throw std::invalid_argument("Store::finishRun: '" + statusName(status) +
                                "' is not a final status");
  }
  SQLite::Transaction tx(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
  requireRun(runId);
  SQLite::Statement q(*m_db,
                      "UPDATE runs SET status = ?, ended_at = ?, error_text = ? WHERE id = ?");
  q.bind(1, statusName(status));
  q.bind(2, nowIso8601());
  q.bind(3, errorText);
  q.bind(4, static_cast<int64_t>(runId));
  q.exec();
  tx.commit();
}

void Store::setVersions(std::int64_t runId, const std::string& versionsJson) {
  SQLite::Transaction tx(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
  requireRun(runId);
  SQLite::Statement q(*m_db, "UPDATE runs SET versions_json = ? WHERE id = ?");
  q.bind(1, versionsJson.empty() ? std::string("{}") : versionsJson);
  q.bind(2, static_cast<int64_t>(runId));
  q.exec();
  tx.commit();
}

void Store::setArchived(std::int64_t runId, bool archived) {
  SQLite::Transaction tx(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
  requireRun(runId);
  SQLite::Statement q(*m_db, "UPDATE runs SET archived = ? WHERE id = ?");
  q.bind(1, archived ? 1 : 0);
  q.bind(2, static_cast<int64_t>(runId));
  q.exec();
  tx.commit();
}

std::optional<RunRecord> Store::run(std::int64_t runId) const {
  SQLite::Statement q(*m_db, fmt::format("SELECT {} FROM runs WHERE id = ?", kRunColumns));
  q.bind(1, static_cast<int64_t>(runId));
  if (!q.executeStep()) return std::nullopt;
  return readRun(q);
}

std::vector<RunRecord> Store::runs(bool includeArchived) const {
  SQLite::Statement q(*m_db, fmt::format("SELECT {} FROM runs {} ORDER BY id DESC", kRunColumns,
                                         includeArchived ? "" : "WHERE archived = 0"));
  std::vector<RunRecord> out;
  while (q.executeStep()) out.push_back(readRun(q));
  return out;
}

void Store::addCurvePoints(std::int64_t runId, const std::vector<CurvePoint>& points,
                           int epochDone) {
  SQLite::Transaction tx(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
  requireRun(runId);
  SQLite::Statement q(*m_db,
                      "INSERT INTO curves(run_id, metric, epoch, step, value) "
                      "VALUES (?, ?, ?, ?, ?)");
  for (const CurvePoint& p : points) {
    q.bind(1, static_cast<int64_t>(runId));
    q.bind(2, p.metric);
    q.bind(3, p.epoch);
    q.bind(4, static_cast<int64_t>(p.step));
    bindValue(q, 5, p.value);
    q.exec();
    q.reset();
  }
  if (epochDone > 0) {
    SQLite::Statement e(*m_db, "UPDATE runs SET epochs_done = ? WHERE id = ?");
    e.bind(1, epochDone);
    e.bind(2, static_cast<int64_t>(runId));
    e.exec();
  }
  tx.commit();
}

std::vector<CurvePoint> Store::curve(std::int64_t runId) const {
  SQLite::Statement q(*m_db,
                      "SELECT metric, epoch, step, value FROM curves WHERE run_id = ? "
                      "ORDER BY id");
  q.bind(1, static_cast<int64_t>(runId));
  std::vector<CurvePoint> out;
  while (q.executeStep()) {
    out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt(), q.getColumn(2).getInt64(),
                   columnValue(q.getColumn(3))});
  }
  return out;
}

void Store::setMetrics(std::int64_t runId, const std::map<std::string, double>& metrics) {
  SQLite::Transaction tx(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
  requireRun(runId);
  SQLite::Statement q(*m_db,
                      "INSERT INTO metrics(run_id, name, value) VALUES (?, ?, ?) "
                      "ON CONFLICT(run_id, name) DO UPDATE SET value = excluded.value");
  for (const auto& [name, value] : metrics) {
    q.bind(1, static_cast<int64_t>(runId));
    q.bind(2, name);
    bindValue(q, 3, value);
    q.exec();
    q.reset();
  }
  tx.commit();
}

std::map<std::string, double> Store::metrics(std::int64_t runId) const {
  SQLite::Statement q(*m_db, "SELECT name, value FROM metrics WHERE run_id = ?");
  q.bind(1, static_cast<int64_t>(runId));
  std::map<std::string, double> out;
  while (q.executeStep()) out[q.getColumn(0).getString()] = columnValue(q.getColumn(1));
  return out;
}

void Store::putArtifact(std::int64_t runId, const std::string& name, const std::string& bytes) {
  SQLite::Transaction tx(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
  requireRun(runId);
  SQLite::Statement q(*m_db,
                      "INSERT INTO artifacts(run_id, name, bytes) VALUES (?, ?, ?) "
                      "ON CONFLICT(run_id, name) DO UPDATE SET bytes = excluded.bytes");
  q.bind(1, static_cast<int64_t>(runId));
  q.bind(2, name);
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::length_error(
        fmt::format("artifact '{}' of {} bytes is too large for the store", name, bytes.size()));
  }
  // std::string::data() is never null, so an empty string is stored as an empty blob.
  q.bindNoCopy(3, static_cast<const void*>(bytes.data()), static_cast<int>(bytes.size()));
  q.exec();
  tx.commit();
}

std::optional<std::string> Store::artifact(std::int64_t runId, const std::string& name) const {
  SQLite::Statement q(*m_db, "SELECT bytes FROM artifacts WHERE run_id = ? AND name = ?");
  q.bind(1, static_cast<int64_t>(runId));
  q.bind(2, name);
  if (!q.executeStep()) return std::nullopt;
  const SQLite::Column c = q.getColumn(0);
  const int size = c.getBytes();
  const char* data = static_cast<const char*>(c.getBlob());
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::vector<std::string> Store::artifactNames(std::int64_t runId) const {
  SQLite::Statement q(*m_db, "SELECT name FROM artifacts WHERE run_id = ? ORDER BY name");
  q.bind(1, static_cast<int64_t>(runId));
  std::vector<std::string> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

}  // namespace reclab::store

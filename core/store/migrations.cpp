#include "store/migrations.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>

#include "common/errors.h"
#include "common/text.h"

namespace reclab::store {

namespace {

/// Version 1: datasets, runs (with their owning process), curves, metrics and artifacts.
void createVersion1(SQLite::Database& db) {
  db.exec(R"sql(
    CREATE TABLE meta (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
    CREATE TABLE datasets (
      id           INTEGER PRIMARY KEY,
      name         TEXT NOT NULL,
      format       TEXT NOT NULL,
      paths        TEXT NOT NULL DEFAULT '[]',
      content_hash TEXT NOT NULL DEFAULT '',
      stats_json   TEXT NOT NULL DEFAULT '{}',
      created_at   TEXT NOT NULL
    );
    CREATE TABLE runs (
      id            INTEGER PRIMARY KEY,
      dataset_id    INTEGER REFERENCES datasets(id),
      parent_run_id INTEGER REFERENCES runs(id),
      name          TEXT NOT NULL,
      model_name    TEXT NOT NULL,
      task          TEXT NOT NULL,
      config_json   TEXT NOT NULL,
      seed          INTEGER NOT NULL,
      status        TEXT NOT NULL CHECK (status IN
                      ('queued', 'running', 'finished', 'cancelled', 'failed', 'interrupted')),
      started_at    TEXT NOT NULL DEFAULT '',
      ended_at      TEXT NOT NULL DEFAULT '',
      error_text    TEXT NOT NULL DEFAULT '',
      versions_json TEXT NOT NULL DEFAULT '{}',
      epochs_done   INTEGER NOT NULL DEFAULT 0,
      archived      INTEGER NOT NULL DEFAULT 0,
      owner_pid     INTEGER,
      owner_start   TEXT,
      owner_host    TEXT
    );
    CREATE INDEX runs_by_status ON runs(status);
    CREATE INDEX runs_by_parent ON runs(parent_run_id);
    CREATE TABLE curves (
      id     INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      metric TEXT NOT NULL,
      epoch  INTEGER NOT NULL,
      step   INTEGER NOT NULL,
      value  REAL
    );
    CREATE INDEX curves_by_run ON curves(run_id);
    CREATE TABLE metrics (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      name   TEXT NOT NULL,
      value  REAL,
      PRIMARY KEY (run_id, name)
    ) WITHOUT ROWID;
    CREATE TABLE artifacts (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      name   TEXT NOT NULL,
      bytes  BLOB NOT NULL,
      PRIMARY KEY (run_id, name)
    );
  )sql");
  SQLite::Statement marker(db, "INSERT INTO meta(key, value) VALUES ('application', ?)");
  marker.bind(1, kApplicationMarker);
  marker.exec();
}

std::string notAStoreMessage(const std::string& path) {
  return fmt::format("{}: not a RecLab store (a SQLite database without the RecLab marker)", path);
}

std::string sqliteErrorMessage(const std::string& path, const SQLite::Exception& e) {
  switch (e.getErrorCode()) {
    case SQLITE_NOTADB:
      return fmt::format("{}: not a SQLite database, so not a RecLab store", path);
    case SQLITE_CORRUPT:
      return fmt::format("{}: the store file is damaged ({})", path, e.what());
    default:
      return fmt::format("{}: cannot read the store: {}", path, e.what());
  }
}

void writeVersion(SQLite::Database& db, int version) {
  SQLite::Statement q(db,
                      "INSERT INTO meta(key, value) VALUES ('schema_version', ?) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  q.bind(1, std::to_string(version));
  q.exec();
}

void checkForeignKeys(SQLite::Database& db, int version) {
  SQLite::Statement q(db, "PRAGMA foreign_key_check");
  if (q.executeStep()) {
    throw std::runtime_error(
        fmt::format("store migration to schema version {} left a dangling "
                    "reference in table '{}'",
                    version, q.getColumn(0).getString()));
  }
}

/// Copies the database to a fresh "<path>.schema-v<N>.bak[.k]" before it is migrated.
void backupBeforeMigration(SQLite::Database& db, const std::string& path, int version) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) return;
  const std::string base = fmt::format("{}.schema-v{}.bak", path, version);
  std::string target = base;
  for (int k = 1; std::filesystem::exists(target); ++k) target = fmt::format("{}.{}", base, k);
  SQLite::Statement q(db, "VACUUM INTO ?");
  q.bind(1, target);
  q.exec();
}

}  // namespace

std::string newerVersionMessage(const std::string& path, int found, int supported) {
  return fmt::format(
      "{}: store schema version {} is newer than this RecLab "
      "understands ({}); upgrade RecLab",
      path, found, supported);
}

const std::vector<Migration>& schemaMigrations() {
  static const std::vector<Migration> steps = {
      {1, "datasets, runs, curves, metrics and artifacts", createVersion1},
  };
  return steps;
}

int readSchemaVersion(SQLite::Database& db, const std::string& path) {
  try {
    if (db.execAndGet("SELECT count(*) FROM sqlite_master").getInt() == 0) return 0;
    if (!db.tableExists("meta")) throw InputError(notAStoreMessage(path));
    std::string application;
    std::string version;
    try {
      SQLite::Statement q(db,
                          "SELECT key, value FROM meta "
                          "WHERE key IN ('application', 'schema_version')");
      while (q.executeStep()) {
        if (q.getColumn(0).getString() == "application") {
          application = q.getColumn(1).getString();
        } else {
          version = q.getColumn(1).getString();
        }
      }
    } catch (const SQLite::Exception&) {
      throw InputError(notAStoreMessage(path));  // a 'meta' table of some other program
    }
    if (application != kApplicationMarker) throw InputError(notAStoreMessage(path));
    const auto parsed = text::parseInt64(version);
    if (!parsed || *parsed.value < 1 || *parsed.value > 1'000'000) {
      throw InputError(
          fmt::format("{}: store schema version '{}' is not a valid version", path, version));
    }
    return static_cast<int>(*parsed.value);
  } catch (const SQLite::Exception& e) {
    throw InputError(sqliteErrorMessage(path, e));
  }
}

void migrateSchema(SQLite::Database& db, const std::string& path,
                   const std::vector<Migration>& steps) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].toVersion != static_cast<int>(i) + 1 || !steps[i].apply) {
      throw std::logic_error(fmt::format("store migration step {} is out of order", i));
    }
  }
  const int target = static_cast<int>(steps.size());
  const int found = readSchemaVersion(db, path);
  if (found > target) throw InputError(newerVersionMessage(path, found, target));
  if (found == target) return;
  if (found >= 1) backupBeforeMigration(db, path, found);

  for (const Migration& step : steps) {
    // IMMEDIATE: another process opening the same file waits instead of migrating twice.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const int current = readSchemaVersion(db, path);
    if (current > target) throw InputError(newerVersionMessage(path, current, target));
    if (current >= step.toVersion) continue;  // done already (rolled back: nothing written)
    step.apply(db);
    writeVersion(db, step.toVersion);
    checkForeignKeys(db, step.toVersion);
    tx.commit();
  }
}

}  // namespace reclab::store

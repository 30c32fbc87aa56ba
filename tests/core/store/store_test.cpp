#include "store/store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "common/errors.h"
#include "store/migrations.h"
#include "store/process_owner.h"

namespace fs = std::filesystem;
using reclab::InputError;
using namespace reclab::store;

namespace {

std::string readBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Runs `f`, expecting an InputError, and returns its message.
template <typename F>
std::string inputErrorOf(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError thrown";
  return {};
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    m_dir = fs::temp_directory_path() /
            ("reclab_store_" + std::string(info->name()) + "_" + std::to_string(getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::string file(const std::string& name = "runs.db") const { return (m_dir / name).string(); }

  /// Rewrites run columns behind the Store's back (simulating another process).
  void rawExec(const std::string& sql) const {
    SQLite::Database db(file(), SQLite::OPEN_READWRITE);
    db.exec(sql);
  }

  static RunRecord sampleRun(const std::string& name) {
    RunRecord r;
    r.name = name;
    r.modelName = "mf";
    r.task = "rating";
    r.configJson = R"({"model":"mf","epochs":5})";
    r.seed = 42;
    return r;
  }

  fs::path m_dir;
};

TEST_F(StoreTest, NewStoreHasCurrentVersionWalAndMarker) {
  {
    Store s(file());
    EXPECT_EQ(s.schemaVersion(), kSchemaVersion);
    EXPECT_TRUE(s.recoveredRuns().empty());
  }
  SQLite::Database db(file(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(db.execAndGet("SELECT value FROM meta WHERE key = 'application'").getString(),
            "reclab");
  EXPECT_EQ(db.execAndGet("SELECT value FROM meta WHERE key = 'schema_version'").getString(), "1");
}

TEST_F(StoreTest, DatasetRoundTrip) {
  Store s(file());
  DatasetRecord d;
  d.name = "ml-100k";
  d.format = "movielens-100k";
  d.paths = R"(["u.data"])";
  d.contentHash = "abc123";
  d.statsJson = R"({"users":943})";
  d.createdAt = "2024-05-01T10:00:00.000Z";
  const auto id = s.addDataset(d);
  DatasetRecord e;
  e.name = "second";
  e.format = "csv";
  const auto id2 = s.addDataset(e);
  EXPECT_GT(id2, id);

  const auto back = s.dataset(id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, id);
  EXPECT_EQ(back->name, "ml-100k");
  EXPECT_EQ(back->format, "movielens-100k");
  EXPECT_EQ(back->paths, R"(["u.data"])");
  EXPECT_EQ(back->contentHash, "abc123");
  EXPECT_EQ(back->statsJson, R"({"users":943})");
  EXPECT_EQ(back->createdAt, "2024-05-01T10:00:00.000Z");

  const auto second = s.dataset(id2);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->paths, "[]");  // defaults for empty JSON fields
  EXPECT_EQ(second->statsJson, "{}");
  EXPECT_EQ(second->createdAt.size(), 24u);  // "YYYY-MM-DDTHH:MM:SS.mmmZ"
  EXPECT_EQ(second->createdAt.back(), 'Z');

  EXPECT_FALSE(s.dataset(id2 + 100));
  const auto all = s.datasets();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, id);
  EXPECT_EQ(all[1].id, id2);
}

TEST_F(StoreTest, RunRoundTripKeepsEveryField) {
  std::int64_t datasetId = 0, parentId = 0, childId = 0;
  {
    Store s(file());
    DatasetRecord d;
    d.name = "ds";
    d.format = "csv";
    datasetId = s.addDataset(d);
    parentId = s.createRun(sampleRun("parent"));
    RunRecord r = sampleRun("fold 1");
    r.datasetId = datasetId;
    r.parentRunId = parentId;
    r.seed = -7;
    r.status = RunStatus::Failed;
    r.startedAt = "2024-05-01T10:00:00.000Z";
    r.endedAt = "2024-05-01T10:05:00.000Z";
    r.errorText = "out of memory";
    r.versionsJson = R"({"torch":"2.1"})";
    r.epochsDone = 4;
    r.archived = true;
    childId = s.createRun(r);
  }
  Store s(file());  // read back through a fresh connection
  const auto back = s.run(childId);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, childId);
  EXPECT_EQ(back->datasetId, datasetId);
  EXPECT_EQ(back->parentRunId, parentId);
  EXPECT_EQ(back->name, "fold 1");
  EXPECT_EQ(back->modelName, "mf");
  EXPECT_EQ(back->task, "rating");
  EXPECT_EQ(back->configJson, R"({"model":"mf","epochs":5})");
  EXPECT_EQ(back->seed, -7);
  EXPECT_EQ(back->status, RunStatus::Failed);
  EXPECT_EQ(back->startedAt, "2024-05-01T10:00:00.000Z");
  EXPECT_EQ(back->endedAt, "2024-05-01T10:05:00.000Z");
  EXPECT_EQ(back->errorText, "out of memory");
  EXPECT_EQ(back->versionsJson, R"({"torch":"2.1"})");
  EXPECT_EQ(back->epochsDone, 4);
  EXPECT_TRUE(back->archived);

  const auto parent = s.run(parentId);
  ASSERT_TRUE(parent);
  EXPECT_FALSE(parent->datasetId);
  EXPECT_FALSE(parent->parentRunId);
  EXPECT_EQ(parent->status, RunStatus::Queued);
  EXPECT_EQ(parent->startedAt, "");
  EXPECT_FALSE(s.run(childId + 100));
}

TEST_F(StoreTest, RunWithUnknownDatasetIsRejected) {
  Store s(file());
  RunRecord r = sampleRun("orphan");
  r.datasetId = 12345;
  EXPECT_THROW(s.createRun(r), std::exception);
  EXPECT_TRUE(s.runs(true).empty());
}

TEST_F(StoreTest, StatusTransitions) {
  Store s(file());
  const auto id = s.createRun(sampleRun("r"));
  EXPECT_EQ(s.run(id)->status, RunStatus::Queued);

  s.startRun(id);
  auto r = s.run(id);
  EXPECT_EQ(r->status, RunStatus::Running);
  EXPECT_FALSE(r->startedAt.empty());
  EXPECT_TRUE(r->endedAt.empty());

  s.finishRun(id, RunStatus::Failed, "diverged: loss is NaN");
  r = s.run(id);
  EXPECT_EQ(r->status, RunStatus::Failed);
  EXPECT_EQ(r->errorText, "diverged: loss is NaN");
  EXPECT_FALSE(r->endedAt.empty());
  EXPECT_LE(r->startedAt, r->endedAt);  // ISO-8601 strings order like the times

  s.startRun(id);  // a restart clears the end time and error
  r = s.run(id);
  EXPECT_EQ(r->status, RunStatus::Running);
  EXPECT_TRUE(r->endedAt.empty());
  EXPECT_TRUE(r->errorText.empty());
  s.finishRun(id, RunStatus::Cancelled);
  EXPECT_EQ(s.run(id)->status, RunStatus::Cancelled);

  EXPECT_THROW(s.finishRun(id, RunStatus::Running), std::invalid_argument);
  EXPECT_THROW(s.finishRun(id, RunStatus::Queued), std::invalid_argument);
  EXPECT_EQ(inputErrorOf([&] { s.startRun(999); }), file() + ": no run with id 999");
  EXPECT_THROW(s.finishRun(999, RunStatus::Finished), InputError);
  EXPECT_THROW(s.setArchived(999, true), InputError);
  EXPECT_THROW(s.setVersions(999, "{}"), InputError);
}

TEST_F(StoreTest, CreatedRunningRunGetsStartTime) {
  Store s(file());
  RunRecord r = sampleRun("r");
  r.status = RunStatus::Running;
  const auto id = s.createRun(r);
  EXPECT_FALSE(s.run(id)->startedAt.empty());
}

TEST_F(StoreTest, StatusNamesRoundTrip) {
  for (RunStatus st : {RunStatus::Queued, RunStatus::Running, RunStatus::Finished,
                       RunStatus::Cancelled, RunStatus::Failed, RunStatus::Interrupted}) {
    EXPECT_EQ(parseStatus(statusName(st)), st);
  }
  EXPECT_EQ(statusName(RunStatus::Interrupted), "interrupted");
  EXPECT_THROW(parseStatus("done"), InputError);
}

TEST_F(StoreTest, RunsNewestFirstAndArchivedFilter) {
  Store s(file());
  const auto a = s.createRun(sampleRun("a"));
  const auto b = s.createRun(sampleRun("b"));
  const auto c = s.createRun(sampleRun("c"));
  s.setArchived(b, true);

  auto visible = s.runs();
  ASSERT_EQ(visible.size(), 2u);
  EXPECT_EQ(visible[0].id, c);
  EXPECT_EQ(visible[1].id, a);

  auto all = s.runs(true);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, c);
  EXPECT_EQ(all[1].id, b);
  EXPECT_TRUE(all[1].archived);
  EXPECT_EQ(all[2].id, a);

  s.setArchived(b, false);
  EXPECT_EQ(s.runs().size(), 3u);
}

TEST_F(StoreTest, SetVersionsReplacesTheRecord) {
  Store s(file());
  const auto id = s.createRun(sampleRun("r"));
  EXPECT_EQ(s.run(id)->versionsJson, "{}");
  s.setVersions(id, R"({"threads":2,"config_hash":"ab12"})");
  EXPECT_EQ(s.run(id)->versionsJson, R"({"threads":2,"config_hash":"ab12"})");
}

TEST_F(StoreTest, CurvesRoundTripAndEpochsDone) {
  Store s(file());
  const auto id = s.createRun(sampleRun("r"));
  const auto other = s.createRun(sampleRun("other"));
  s.addCurvePoints(id, {{"train_loss", 1, 100, 0.9}, {"val_rmse", 1, 100, 1.2}}, 1);
  s.addCurvePoints(id, {{"train_loss", 2, 200, 0.5}, {"val_rmse", 2, 200, std::nan("")}}, 2);
  s.addCurvePoints(other, {{"train_loss", 1, 10, 7.0}});
  s.addCurvePoints(id, {}, 0);  // nothing to add, epochs unchanged

  const auto c = s.curve(id);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].metric, "train_loss");
  EXPECT_EQ(c[0].epoch, 1);
  EXPECT_EQ(c[0].step, 100);
  EXPECT_DOUBLE_EQ(c[0].value, 0.9);
  EXPECT_EQ(c[1].metric, "val_rmse");
  EXPECT_DOUBLE_EQ(c[1].value, 1.2);
  EXPECT_EQ(c[2].epoch, 2);
  EXPECT_EQ(c[2].step, 200);
  EXPECT_DOUBLE_EQ(c[2].value, 0.5);
  EXPECT_TRUE(std::isnan(c[3].value));
  EXPECT_EQ(s.run(id)->epochsDone, 2);
  EXPECT_EQ(s.curve(other).size(), 1u);
  EXPECT_EQ(s.run(other)->epochsDone, 0);
  EXPECT_TRUE(s.curve(999).empty());
  EXPECT_THROW(s.addCurvePoints(999, {{"x", 1, 1, 1.0}}), InputError);
}

TEST_F(StoreTest, MetricsReplaceByName) {
  Store s(file());
  const auto id = s.createRun(sampleRun("r"));
  s.setMetrics(id, {{"rmse", 0.95}, {"mae", 0.75}});
  s.setMetrics(id, {{"rmse", 0.93}, {"auc", std::nan("")}});
  const auto m = s.metrics(id);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_DOUBLE_EQ(m.at("rmse"), 0.93);
  EXPECT_DOUBLE_EQ(m.at("mae"), 0.75);
  EXPECT_TRUE(std::isnan(m.at("auc")));
  EXPECT_TRUE(s.metrics(999).empty());
  EXPECT_THROW(s.setMetrics(999, {{"rmse", 1.0}}), InputError);
}

TEST_F(StoreTest, ArtifactsKeepBytesExactly) {
  Store s(file());
  const auto id = s.createRun(sampleRun("r"));
  const std::string binary("\x00\x01\xff\x00zz", 6);
  s.putArtifact(id, "embeddings.bin", binary);
  s.putArtifact(id, "empty", "");
  s.putArtifact(id, "notes.txt", "first");
  s.putArtifact(id, "notes.txt", "second");

  const auto bin = s.artifact(id, "embeddings.bin");
  ASSERT_TRUE(bin);
  EXPECT_EQ(*bin, binary);
  EXPECT_EQ(bin->size(), 6u);
  const auto empty = s.artifact(id, "empty");
  ASSERT_TRUE(empty);  // present, and zero bytes long
  EXPECT_EQ(*empty, "");
  EXPECT_EQ(*s.artifact(id, "notes.txt"), "second");
  EXPECT_FALSE(s.artifact(id, "missing"));
  EXPECT_EQ(s.artifactNames(id),
            (std::vector<std::string>{"embeddings.bin", "empty", "notes.txt"}));
  EXPECT_THROW(s.putArtifact(999, "x", "y"), InputError);
}

TEST_F(StoreTest, NewerSchemaIsRefusedAndFileUntouched) {
  {
    SQLite::Database db(file(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('application', 'reclab'), "
        "('schema_version', '99');"
        "CREATE TABLE future_things (x);");
  }
  const std::string before = readBytes(file());
  EXPECT_EQ(inputErrorOf([&] { Store s(file()); }),
            file() +
                ": store schema version 99 is newer than this RecLab "
                "understands (1); "
                "upgrade RecLab");
  EXPECT_EQ(readBytes(file()), before);
  EXPECT_FALSE(fs::exists(file() + "-wal"));
  SQLite::Database db(file(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(),
            "delete");  // not switched to WAL
}

TEST_F(StoreTest, OtherSqliteDatabaseIsRefusedAndUntouched) {
  {
    SQLite::Database db(file(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
  }
  const std::string before = readBytes(file());
  EXPECT_EQ(inputErrorOf([&] { Store s(file()); }),
            file() + ": not a RecLab store (a SQLite database without the RecLab marker)");
  EXPECT_EQ(readBytes(file()), before);
}

TEST_F(StoreTest, ForeignMetaTableIsRefused) {
  {
    SQLite::Database db(file(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE meta (a, b); INSERT INTO meta VALUES (1, 2)");
  }
  EXPECT_EQ(inputErrorOf([&] { Store s(file()); }),
            file() + ": not a RecLab store (a SQLite database without the RecLab marker)");
  {
    SQLite::Database db(file(), SQLite::OPEN_READWRITE);
    db.exec(
        "DROP TABLE meta; CREATE TABLE meta (key TEXT, value TEXT);"
        "INSERT INTO meta VALUES ('application', 'otherapp'), "
        "('schema_version', '1')");
  }
  EXPECT_EQ(inputErrorOf([&] { Store s(file()); }),
            file() + ": not a RecLab store (a SQLite database without the RecLab marker)");
}

TEST_F(StoreTest, BadVersionTextIsRefused) {
  {
    SQLite::Database db(file(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('application', 'reclab'), "
        "('schema_version', 'two')");
  }
  EXPECT_EQ(inputErrorOf([&] { Store s(file()); }),
            file() + ": store schema version 'two' is not a valid version");
}

TEST_F(StoreTest, GarbageFileIsRefused) {
  {
    std::ofstream out(file(), std::ios::binary);
    for (int i = 0; i < 200; ++i) out << "user,item,rating\n";
  }
  const std::string before = readBytes(file());
  EXPECT_EQ(inputErrorOf([&] { Store s(file()); }),
            file() + ": not a SQLite database, so not a RecLab store");
  EXPECT_EQ(readBytes(file()), before);
}

TEST_F(StoreTest, MissingDirectoryIsRefused) {
  const std::string path = (m_dir / "no_such_dir" / "runs.db").string();
  EXPECT_EQ(inputErrorOf([&] { Store s(path); }), path + ": cannot create the store: directory '" +
                                                      (m_dir / "no_such_dir").string() +
                                                      "' does not exist");
}

// ---- migrations ----

/// This build's steps plus a made-up version 2 that adds a table (and may fail halfway).
std::vector<Migration> stepsWithVersion2(bool fail) {
  std::vector<Migration> steps = schemaMigrations();
  steps.push_back({2, "tags", [fail](SQLite::Database& db) {
                     db.exec(
                         "CREATE TABLE tags (run_id INTEGER REFERENCES "
                         "runs(id), tag TEXT)");
                     db.exec("INSERT INTO tags SELECT id, 'old' FROM runs");
                     if (fail) throw std::runtime_error("step failed");
                   }});
  return steps;
}

TEST_F(StoreTest, MigrationStepRunsOnceAndBacksUpTheOldFile) {
  {
    Store s(file());
    s.createRun(sampleRun("kept"));
  }
  {
    SQLite::Database db(file(), SQLite::OPEN_READWRITE);
    migrateSchema(db, file(), stepsWithVersion2(false));
    EXPECT_EQ(readSchemaVersion(db, file()), 2);
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM tags").getInt(), 1);
    migrateSchema(db, file(),
                  stepsWithVersion2(false));  // already there: no second run
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM tags").getInt(), 1);
  }
  const std::string backup = file() + ".schema-v1.bak";
  ASSERT_TRUE(fs::exists(backup));
  {
    SQLite::Database old(backup, SQLite::OPEN_READONLY);
    EXPECT_EQ(readSchemaVersion(old, backup), 1);
    EXPECT_FALSE(old.tableExists("tags"));
    EXPECT_EQ(old.execAndGet("SELECT name FROM runs").getString(), "kept");
  }
  // This build only knows version 1, so the migrated file is now refused.
  EXPECT_EQ(inputErrorOf([&] { Store s(file()); }),
            file() +
                ": store schema version 2 is newer than this RecLab understands (1); "
                "upgrade RecLab");
}

TEST_F(StoreTest, FailedMigrationStepLeavesPreviousVersion) {
  { Store s(file()); }
  SQLite::Database db(file(), SQLite::OPEN_READWRITE);
  EXPECT_THROW(migrateSchema(db, file(), stepsWithVersion2(true)), std::runtime_error);
  EXPECT_EQ(readSchemaVersion(db, file()), 1);
  EXPECT_FALSE(db.tableExists("tags"));
}

TEST_F(StoreTest, EmptyDatabaseMigratesThroughEveryStepWithoutBackup) {
  SQLite::Database db(file(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  EXPECT_EQ(readSchemaVersion(db, file()), 0);
  migrateSchema(db, file(), stepsWithVersion2(false));
  EXPECT_EQ(readSchemaVersion(db, file()), 2);
  EXPECT_TRUE(db.tableExists("runs"));
  EXPECT_TRUE(db.tableExists("tags"));
  EXPECT_FALSE(fs::exists(file() + ".schema-v0.bak"));
}

TEST_F(StoreTest, MigrationListMustBeInOrder) {
  SQLite::Database db(file(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  std::vector<Migration> steps = schemaMigrations();
  steps.push_back({5, "skips versions", [](SQLite::Database&) {}});
  EXPECT_THROW(migrateSchema(db, file(), steps), std::logic_error);
}

// ---- interrupted-run recovery ----

TEST_F(StoreTest, RunOfVanishedProcessIsMarkedInterrupted) {
  std::int64_t dead = 0, finished = 0;
  {
    Store s(file());
    dead = s.createRun(sampleRun("crashed"));
    s.startRun(dead);
    s.addCurvePoints(dead, {{"train_loss", 3, 30, 0.4}}, 3);
    finished = s.createRun(sampleRun("done"));
    s.startRun(finished);
    s.finishRun(finished, RunStatus::Finished);
  }
  // No process can have pid 0x7ffffffe (above the kernel's pid_max limit).
  rawExec("UPDATE runs SET owner_pid = 2147483646");

  Store s(file());
  EXPECT_EQ(s.recoveredRuns(), std::vector<std::int64_t>{dead});
  const auto r = s.run(dead);
  EXPECT_EQ(r->status, RunStatus::Interrupted);
  EXPECT_EQ(r->epochsDone, 3);
  EXPECT_FALSE(r->endedAt.empty());
  EXPECT_EQ(s.curve(dead).size(), 1u);
  EXPECT_EQ(s.run(finished)->status, RunStatus::Finished);

  Store again(file());
  EXPECT_TRUE(again.recoveredRuns().empty());
}

TEST_F(StoreTest, RunOfReusedPidIsMarkedInterrupted) {
  std::int64_t id = 0;
  {
    Store s(file());
    id = s.createRun(sampleRun("r"));
    s.startRun(id);
  }
  // Our own (live) pid, but a start time that is not ours: the owner was an earlier process.
  rawExec("UPDATE runs SET owner_start = 'another-boot:12345'");
  Store s(file());
  EXPECT_EQ(s.recoveredRuns(), std::vector<std::int64_t>{id});
  EXPECT_EQ(s.run(id)->status, RunStatus::Interrupted);
}

TEST_F(StoreTest, RunWithoutOwnerIsMarkedInterrupted) {
  std::int64_t id = 0;
  {
    Store s(file());
    id = s.createRun(sampleRun("r"));
    s.startRun(id);
  }
  rawExec(
      "UPDATE runs SET owner_pid = NULL, owner_start = NULL, owner_host = "
      "NULL");
  Store s(file());
  EXPECT_EQ(s.recoveredRuns(), std::vector<std::int64_t>{id});
}

TEST_F(StoreTest, RunOwnedOnAnotherHostIsLeftAlone) {
  std::int64_t id = 0;
  {
    Store s(file());
    id = s.createRun(sampleRun("r"));
    s.startRun(id);
  }
  rawExec(
      "UPDATE runs SET owner_pid = 2147483646, owner_host = "
      "'some-cluster-node-17'");
  Store s(file());
  EXPECT_TRUE(s.recoveredRuns().empty());
  EXPECT_EQ(s.run(id)->status, RunStatus::Running);
}

TEST_F(StoreTest, RunOfLiveProcessIsLeftAloneBySecondStore) {
  Store first(file());
  const auto id = first.createRun(sampleRun("live"));
  first.startRun(id);
  first.addCurvePoints(id, {{"train_loss", 1, 1, 1.0}}, 1);

  Store second(file());
  EXPECT_TRUE(second.recoveredRuns().empty());
  EXPECT_EQ(second.run(id)->status, RunStatus::Running);

  // Both connections keep working on the shared file.
  first.addCurvePoints(id, {{"train_loss", 2, 2, 0.5}}, 2);
  const auto other = second.createRun(sampleRun("from second"));
  first.finishRun(id, RunStatus::Finished);
  EXPECT_EQ(second.run(id)->status, RunStatus::Finished);
  EXPECT_EQ(second.run(id)->epochsDone, 2);
  EXPECT_EQ(first.run(other)->name, "from second");
}

/// Starts a run in a child process; the child then waits until the parent closes `release`. Returns
/// the child's pid; the run id arrives through `ready`.
pid_t startRunInChild(const std::string& path, int ready[2], int release[2]) {
  const pid_t child = fork();
  if (child == 0) {
    close(ready[0]);
    close(release[1]);
    std::int64_t id = -1;
    try {
      Store s(path);
      RunRecord r;
      r.name = "child";
      id = s.createRun(r);
      s.startRun(id);
      s.addCurvePoints(id, {{"train_loss", 1, 1, 1.0}}, 1);
    } catch (...) {
    }
    if (write(ready[1], &id, sizeof id) != sizeof id) _exit(1);
    char byte;
    while (read(release[0], &byte, 1) > 0) {
    }
    _exit(0);  // "crashes": the run is never finished
  }
  close(ready[1]);
  close(release[0]);
  return child;
}

TEST_F(StoreTest, RunOfAnotherLiveProcessIsLeftAloneUntilItDies) {
  { Store s(file()); }  // create the file before forking
  int ready[2], release[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(release), 0);
  const pid_t child = startRunInChild(file(), ready, release);
  ASSERT_GT(child, 0);
  std::int64_t id = -1;
  ASSERT_EQ(read(ready[0], &id, sizeof id), static_cast<ssize_t>(sizeof id));
  ASSERT_GT(id, 0);
  {
    Store whileAlive(file());
    EXPECT_TRUE(whileAlive.recoveredRuns().empty());
    EXPECT_EQ(whileAlive.run(id)->status, RunStatus::Running);
  }
  close(release[1]);  // let the child exit without finishing its run
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(ready[0]);

  Store afterDeath(file());
  EXPECT_EQ(afterDeath.recoveredRuns(), std::vector<std::int64_t>{id});
  EXPECT_EQ(afterDeath.run(id)->status, RunStatus::Interrupted);
  EXPECT_EQ(afterDeath.run(id)->epochsDone, 1);
}

TEST(ProcessOwnerTest, CurrentProcessIsAlive) {
  const ProcessOwner self = ProcessOwner::current();
  EXPECT_EQ(self.pid, static_cast<std::int64_t>(getpid()));
  EXPECT_FALSE(self.startId.empty());
  EXPECT_EQ(processStartId(self.pid), self.startId);
  EXPECT_FALSE(ownerIsGone(self));

  ProcessOwner gone = self;
  gone.pid = 0;
  EXPECT_TRUE(ownerIsGone(gone));
  gone.pid = 2147483646;
  EXPECT_TRUE(ownerIsGone(gone));
  gone.host = "elsewhere";
  EXPECT_FALSE(ownerIsGone(gone));
}

}  // namespace

/// RunManager without the window: load errors, invalid configs, the queue with concurrency 1
/// and cancelling a queued run, cooperative cancel of a running one.

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/run_manager.h"
#include "store/store.h"
#include "test_support.h"

using reclab::app::RunManager;

namespace {

nlohmann::json torchMfConfig(const QString& path, int epochs, int batchSize) {
  return {{"dataset", {{"format", "movielens"}, {"path", path.toStdString()}}},
          {"model",
           {{"name", "torch_mf"},
            {"params", {{"epochs", epochs}, {"batch_size", batchSize}, {"factors", 4}}}}},
          {"split", {{"kind", "random"}, {"test_ratio", 0.2}, {"valid_ratio", 0.1}}},
          {"eval", {{"metrics", {"rmse", "mae"}}}},
          {"threads", 1}};
}

}  // namespace

class RunManagerTests : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_data = reclab::test::writeRatings(m_dir.path(), 60, 41, 25);
    QVERIFY(!m_data.isEmpty());
  }

  void loadOfAMissingFileFails() {
    RunManager runs;
    QSignalSpy failed(&runs, &RunManager::loadFailed);
    runs.loadDataset("movielens", {m_dir.filePath("missing/u.data")});
    QVERIFY(failed.wait(10000));
    QVERIFY(failed.first().at(0).toString().contains("missing"));
    QVERIFY(!runs.isLoading());
  }

  void loadEmitsTheResultAndItsSummary() {
    RunManager runs;
    QSignalSpy loaded(&runs, &RunManager::datasetLoaded);
    runs.loadDataset("auto", {m_data});
    QVERIFY(loaded.wait(10000));
    auto result = loaded.first().at(0).value<std::shared_ptr<const reclab::data::LoadResult>>();
    auto summary =
        loaded.first().at(1).value<std::shared_ptr<const reclab::widgets::DatasetSummary>>();
    QVERIFY(result && summary);
    QCOMPARE(result->log.numRows(), std::size_t(60 * 25));
    QCOMPARE(result->log.numUsers(), 60);
  }

  void invalidConfigFailsWithTheReason() {
    RunManager runs;
    runs.openStore(m_dir.filePath("invalid.sqlite"));
    QSignalSpy finished(&runs, &RunManager::runFinished);
    auto config = torchMfConfig(m_data, 1, 64);
    config["model"]["params"]["lr"] = 50.0;
    const int job = runs.startRun(config);
    QVERIFY(job > 0);
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.first().at(0).toInt(), job);
    QCOMPARE(finished.first().at(2).toString(), QString("failed"));
    QVERIFY(finished.first().at(3).toString().contains("lr"));
    QCOMPARE(runs.activeJobCount(), 0);
  }

  void queuedRunCancelsAtOnceAndRunningOneStops() {
    RunManager runs;
    const QString db = m_dir.filePath("queue.sqlite");
    runs.openStore(db);
    QCOMPARE(runs.concurrency(), 1);
    QSignalSpy finished(&runs, &RunManager::runFinished);
    QSignalSpy batches(&runs, &RunManager::batchPoint);
    const int first = runs.startRun(torchMfConfig(m_data, 10000, 16));
    const int second = runs.startRun(torchMfConfig(m_data, 1, 64));
    QCOMPARE(runs.activeJobCount(), 2);
    const qint64 secondRun = *runs.runIdOf(second);

    runs.cancel(second);  // still queued behind the first
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.first().at(0).toInt(), second);
    QCOMPARE(finished.first().at(2).toString(), QString("cancelled"));
    QCOMPARE(runs.store()->run(secondRun)->status, reclab::store::RunStatus::Cancelled);

    QVERIFY(batches.count() > 0 || batches.wait(30000));
    QCOMPARE(batches.first().at(0).toInt(), first);
    QCOMPARE(batches.first().at(1).toString(), QString("batch_train_loss"));
    const qint64 firstRun = *runs.runIdOf(first);
    runs.cancel(first);
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.last().at(0).toInt(), first);
    QCOMPARE(finished.last().at(2).toString(), QString("cancelled"));
    QCOMPARE(runs.store()->run(firstRun)->status, reclab::store::RunStatus::Cancelled);
    QCOMPARE(runs.activeJobCount(), 0);
  }

  void aJobWaitsForTheJobsItDependsOn() {
    // Concurrency 2, but the second job depends on the first (a preset's hybrid CNN on the
    // embeddings run): it starts only after the first ended; an independent third one passes.
    RunManager runs;
    runs.openStore(m_dir.filePath("deps.sqlite"));
    runs.setConcurrency(2);
    QSignalSpy started(&runs, &RunManager::runStarted);
    QSignalSpy finished(&runs, &RunManager::runFinished);
    const int first = runs.startRun(torchMfConfig(m_data, 10000, 16));
    const int second = runs.startRun(torchMfConfig(m_data, 1, 64), nullptr, {first});
    const int third = runs.startRun(torchMfConfig(m_data, 1, 64));
    // first and third start at once; second waits.
    QCOMPARE(started.count(), 2);
    QCOMPARE(started.at(0).at(0).toInt(), first);
    QCOMPARE(started.at(1).at(0).toInt(), third);
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.last().at(0).toInt(), third);
    QCOMPARE(started.count(), 2);  // second still waits for first
    runs.cancel(first);
    QTRY_COMPARE_WITH_TIMEOUT(started.count(), 3, 10000);
    QCOMPARE(started.last().at(0).toInt(), second);
    QTRY_COMPARE_WITH_TIMEOUT(runs.activeJobCount(), 0, 60000);
  }

 private:
  QTemporaryDir m_dir;
  QString m_data;
};

namespace reclab::test {
int runRunManagerTests(int argc, char** argv) {
  RunManagerTests t;
  return QTest::qExec(&t, argc, argv);
}
}  // namespace reclab::test

#include "test_run_manager.moc"

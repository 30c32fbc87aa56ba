/// End to end through the window: open a dataset, press Run on torch_mf, see the curve
/// draw, see the finished run in the run list with its metrics; then start a long run, cancel
/// it after its first batch point and find it cancelled in the list and in the store.

#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/main_window.h"
#include "widgets/feature_panel.h"
#include "app/gui/run_manager.h"
#include "store/store.h"
#include "test_support.h"
#include "widgets/dataset_panel.h"
#include "widgets/interaction_log_model.h"
#include "widgets/message_bar.h"
#include "widgets/model_form.h"
#include "widgets/model_panel.h"
#include "widgets/run_list_view.h"
#include "widgets/training_chart.h"

using reclab::app::MainWindow;
using reclab::app::RunManager;

class MainWindowTests : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void remembersTheLastStoreAndOffersEveryTab() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString data = reclab::test::writeRatings(dir.path(), 20, 10, 5);
    const QString db = dir.filePath("remembered.sqlite");
    {
      reclab::app::AppOptions options;
      options.dbPath = db;
      options.datasetPath = data;
      options.format = "movielens";
      MainWindow window(options);
      QCOMPARE(window.runManager()->storePath(), db);
      QStringList tabs;
      for (int i = 0; i < window.centralTabs()->count(); ++i)
        tabs << window.centralTabs()->tabText(i).remove('&');
      QCOMPARE(tabs, QStringList({"Training", "Compare", "Inspect", "History", "Dataset charts",
                                  "Features"}));
      // A saved feature configuration goes into the form of a model that reads one, now or
      // when such a model is chosen later.
      QVERIFY(window.modelPanel()->selectModel("svd"));
      Q_EMIT window.featurePanel()->configSaved(dir.filePath("features.json"));
      QVERIFY(window.modelPanel()->selectModel("hybrid_cnn"));
      QCOMPARE(QString::fromStdString(
                   window.modelPanel()->form()->params().at("features").get<std::string>()),
               dir.filePath("features.json"));
    }
    reclab::app::AppOptions again;  // no --db: the last store is opened
    again.datasetPath = data;
    again.format = "movielens";
    MainWindow window(again);
    QCOMPARE(window.runManager()->storePath(), db);
  }

  void presetQueuesEveryRunAndTheyFinish() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString data = reclab::test::writeRatings(dir.path(), 40, 30, 10);
    nlohmann::json run = {{"dataset", {{"format", "movielens"}, {"path", data.toStdString()}}},
                          {"split", {{"kind", "random"}, {"test_ratio", 0.2}}},
                          {"model", {{"name", "popularity"}}},
                          {"eval", {{"metrics", {"recall"}}, {"k", {5}}}}};
    nlohmann::json preset = {{"title", "two popularity runs"}, {"runs", {run, run}}};
    preset["runs"][1]["model"]["params"] = {{"mode", "count_x_mean_rating"}};
    const QString presetPath = dir.filePath("preset.json");
    {
      QFile f(presetPath);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(QByteArray::fromStdString(preset.dump()));
    }
    reclab::app::AppOptions options;
    options.dbPath = dir.filePath("runs.sqlite");
    options.datasetPath = data;
    options.format = "movielens";
    MainWindow window(options);
    RunManager* runs = window.runManager();
    QSignalSpy finished(runs, &RunManager::runFinished);
    QCOMPARE(window.runPreset(presetPath), 2);
    while (finished.count() < 2) QVERIFY(finished.wait(20000));
    for (const auto& args : finished) QCOMPARE(args.at(2).toString(), QString("finished"));

    // A broken preset is reported in the message bar and queues nothing.
    QCOMPARE(window.runPreset(dir.filePath("absent.json")), 0);
    QVERIFY(window.messageBar()->text().contains("absent.json"));
  }

  void trainsLiveThenCancels() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString data = reclab::test::writeRatings(dir.path(), 60, 41, 25);
    reclab::app::AppOptions options;
    options.dbPath = dir.filePath("runs.sqlite");
    options.datasetPath = data;
    options.format = "movielens";
    options.epochs = 3;
    MainWindow window(options);
    window.show();
    RunManager* runs = window.runManager();
    auto* panel = window.modelPanel();

    // The dataset loads on a worker; Run stays disabled until it is there.
    QSignalSpy loaded(runs, &RunManager::datasetLoaded);
    QVERIFY(!panel->runButton()->isEnabled());
    QVERIFY(loaded.wait(10000));
    QCOMPARE(window.datasetPanel()->logModel()->rowCount(), 60 * 25);
    QCOMPARE(panel->currentModel(), QString("torch_mf"));
    QCOMPARE(qobject_cast<QSpinBox*>(panel->form()->editor("epochs"))->value(), 3);
    panel->form()->setParams({{"batch_size", 64}, {"factors", 4}, {"threads", 1}});
    QVERIFY(panel->runButton()->isEnabled());

    // First run: 3 epochs, the loss curve draws live, the run ends finished.
    QSignalSpy flushed(window.chart(), &reclab::widgets::TrainingChart::pointsFlushed);
    QSignalSpy finished(runs, &RunManager::runFinished);
    QTest::mouseClick(panel->runButton(), Qt::LeftButton);
    QCOMPARE(runs->activeJobCount(), 1);
    QVERIFY(flushed.wait(30000));
    QVERIFY(window.chart()->pointCount("batch_train_loss") > 0);
    QVERIFY(finished.count() > 0 || finished.wait(60000));
    const auto first = finished.takeFirst();
    QCOMPARE(first.at(2).toString(), QString("finished"));
    QVERIFY(first.at(4).toMap().contains("rmse"));
    const qint64 firstRun = first.at(1).toLongLong();
    QVERIFY(firstRun > 0);
    auto* list = window.runList();
    QCOMPARE(list->runCount(), 1);
    QCOMPARE(list->statusOf(firstRun), QString("finished"));
    QVERIFY(!list->cellText(firstRun, "rmse").isEmpty());
    QVERIFY(list->headerToolTip("rmse").startsWith("RMSE: sqrt(mean((y - y_hat)^2))"));
    QVERIFY(list->headerToolTip("recall@10").startsWith("Recall@10: hits in the top 10"));
    QCOMPARE(list->selectedRun().value_or(0), firstRun);
    // The selected finished run shows its stored curves: one point per epoch.
    QCOMPARE(window.chart()->pointCount("train_rmse"), 3);
    QCOMPARE(window.chart()->pointCount("val_rmse"), 3);
    QCOMPARE(window.chart()->pointCount("samples_per_second"), 0);  // not plotted
    QVERIFY(window.messageBar()->isHidden());

    // Second run: many epochs of small batches, cancelled after its first batch point.
    panel->form()->setParams({{"epochs", 10000}, {"batch_size", 16}});
    QSignalSpy batches(runs, &RunManager::batchPoint);
    QTest::mouseClick(panel->runButton(), Qt::LeftButton);
    QVERIFY(batches.wait(30000));
    const int job = batches.first().at(0).toInt();
    const qint64 secondRun = *runs->runIdOf(job);
    QVERIFY(panel->cancelButton()->isEnabled());
    QElapsedTimer clock;
    clock.start();
    QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
    QVERIFY(finished.count() > 0 || finished.wait(3000));
    qInfo("cancelled run ended %lld ms after Cancel", static_cast<long long>(clock.elapsed()));
    const auto second = finished.takeFirst();
    QCOMPARE(second.at(0).toInt(), job);
    QCOMPARE(second.at(2).toString(), QString("cancelled"));
    QCOMPARE(list->runCount(), 2);
    QCOMPARE(list->statusOf(secondRun), QString("cancelled"));
    QCOMPARE(runs->store()->run(secondRun)->status, reclab::store::RunStatus::Cancelled);
    QVERIFY(!panel->cancelButton()->isEnabled());

    // Selecting the first run again shows its curves.
    QVERIFY(list->selectRun(firstRun));
    QCOMPARE(window.chart()->pointCount("val_rmse"), 3);
  }

  void sessionGapReloadsTheDatasetAndGoesIntoRuns() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    reclab::app::AppOptions options;
    options.dbPath = dir.filePath("runs.sqlite");
    options.datasetPath = QString(RECLAB_SOURCE_DIR) + "/datasets/retailrocket-sample/events.csv";
    options.format = "retailrocket";
    MainWindow window(options);
    window.show();
    RunManager* runs = window.runManager();
    QSignalSpy loaded(runs, &RunManager::datasetLoaded);
    QVERIFY(loaded.wait(20000));
    // RetailRocket's default: 30 minutes, the sample generator's 8,169 sessions.
    QVERIFY(!window.datasetSessionGap());
    QCOMPARE(window.dataset()->log.numSessions(), 8169);
    auto sessionsRow = [&]() -> QString {
      auto* stats = window.datasetPanel()->statsTable();
      for (int r = 0; r < stats->rowCount(); ++r)
        if (stats->item(r, 0)->text() == "Sessions") return stats->item(r, 1)->text();
      return {};
    };
    QCOMPARE(sessionsRow(), QString("8,169"));

    // A shorter gap cuts more sessions: the dataset is read again and the statistics follow.
    auto* gap = window.datasetPanel()->sessionGapEditor();
    gap->setValue(2.0);
    QVERIFY(loaded.wait(20000));
    QCOMPARE(window.datasetSessionGap().value_or(-1), 2.0);
    const auto shorter = window.dataset()->log.numSessions();
    QVERIFY2(shorter > 8169, qPrintable(QString::number(shorter)));
    QCOMPARE(sessionsRow(), QLocale(QLocale::English).toString(shorter));
    // 0: not cut, RetailRocket then has no sessions.
    gap->setValue(0.0);
    QVERIFY(loaded.wait(20000));
    QVERIFY(!window.dataset()->log.hasSessions());
    QVERIFY(sessionsRow().isEmpty());

    // A run carries the gap its dataset was cut with.
    gap->setValue(2.0);
    QVERIFY(loaded.wait(20000));
    auto* panel = window.modelPanel();
    QVERIFY(panel->selectModel("popularity"));
    QSignalSpy finished(runs, &RunManager::runFinished);
    QVERIFY(panel->runButton()->isEnabled());
    QTest::mouseClick(panel->runButton(), Qt::LeftButton);
    QVERIFY(finished.wait(60000));
    const qint64 run = finished.first().at(1).toLongLong();
    const auto stored = nlohmann::json::parse(runs->store()->run(run)->configJson);
    QCOMPARE(stored.at("dataset").at("session_gap_minutes").get<double>(), 2.0);
  }

  void badDatasetShowsInTheMessageBar() {
    QTemporaryDir dir;
    reclab::app::AppOptions options;
    options.dbPath = dir.filePath("runs.sqlite");
    options.datasetPath = dir.filePath("nope/u.data");
    options.format = "movielens";
    MainWindow window(options);
    QSignalSpy failed(window.runManager(), &RunManager::loadFailed);
    QVERIFY(failed.wait(10000));
    QVERIFY(!window.messageBar()->isHidden());
    QVERIFY(window.messageBar()->text().contains("nope"));
    QVERIFY(!window.modelPanel()->runButton()->isEnabled());
  }
};

namespace reclab::test {
int runMainWindowTests(int argc, char** argv) {
  MainWindowTests t;
  return QTest::qExec(&t, argc, argv);
}
}  // namespace reclab::test

#include "test_main_window.moc"

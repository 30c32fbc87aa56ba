/// test_history: the run history (filters, archive, re-run, config export, k-fold tree) and the
/// dataset charts (chart data against hand-computed numbers, series built from it), offscreen.
/// With RECLAB_SCREENSHOT_DIR set, PNGs of both widgets on real sample data are saved there.

#include <QAction>
#include <QApplication>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <algorithm>

#include "common/observer.h"
#include "data/load.h"
#include "store/store.h"
#include "widgets/dataset_charts.h"
#include "widgets/message_bar.h"
#include "widgets/run_history.h"

using reclab::store::RunRecord;
using reclab::store::RunStatus;
using reclab::store::Store;
using reclab::widgets::DatasetChartData;
using reclab::widgets::DatasetCharts;
using reclab::widgets::RunHistory;

namespace {

std::string configOf(const std::string& name, const std::string& model, int seed) {
  nlohmann::json j = {{"name", name}, {"model", {{"name", model}}}, {"seed", seed}};
  return j.dump(2);
}

QString screenshotDir() { return qEnvironmentVariable("RECLAB_SCREENSHOT_DIR"); }

}  // namespace

class TestRunHistory : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  QString m_db;
  qint64 m_mfA = 0, m_mfB = 0, m_pop = 0, m_knn = 0, m_parent = 0;
  QList<qint64> m_folds;

  qint64 add(Store& s, RunRecord r) { return s.createRun(r); }

  static RunRecord record(const std::string& name, const std::string& model, RunStatus status,
                          int seed) {
    RunRecord r;
    r.name = name;
    r.modelName = model;
    r.task = "ranking";
    r.configJson = configOf(name, model, seed);
    r.seed = seed;
    r.status = status;
    r.startedAt = "2024-05-01T10:00:00.000Z";
    r.endedAt = "2024-05-01T10:03:05.000Z";  // 185 s
    r.epochsDone = 3;
    return r;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_db = m_dir.filePath("runs.sqlite");
    Store s(m_db.toStdString());
    m_mfA = add(s, record("mf-a", "torch_mf", RunStatus::Finished, 1));
    s.setMetrics(m_mfA, {{"recall@10", 0.25}, {"ndcg@10", 0.125}});
    auto b = record("mf-b", "torch_mf", RunStatus::Finished, 2);
    b.archived = true;
    m_mfB = add(s, b);
    auto pop = record("pop", "popularity", RunStatus::Failed, 3);
    pop.errorText = "training: out of memory while allocating 8 GB";
    m_pop = add(s, pop);
    m_knn = add(s, record("knn", "item_knn", RunStatus::Cancelled, 4));
    m_parent = add(s, record("kfold-parent", "torch_mf", RunStatus::Finished, 5));
    s.setMetrics(m_parent, {{"recall@10", 0.5}, {"recall@10_std", 0.125}});
    for (int f = 1; f <= 3; ++f) {
      auto child =
          record("kfold-parent fold " + std::to_string(f), "torch_mf", RunStatus::Finished, 5);
      child.parentRunId = m_parent;
      child.task.clear();  // as the runner writes folds
      m_folds << add(s, child);
    }
  }

  void listsAllRunsWithFoldsUnderTheirParent() {
    RunHistory h(m_db);
    QCOMPARE(h.totalRunCount(), 8);
    QCOMPARE(h.visibleRuns().size(), 7);  // mf-b is archived
    QVERIFY(!h.visibleRuns().contains(m_mfB));
    for (qint64 f : m_folds) QCOMPARE(h.shownParentOf(f), std::optional<qint64>(m_parent));
    QVERIFY(!h.shownParentOf(m_parent).has_value());
    QVERIFY(!h.shownParentOf(m_mfA).has_value());
    // The model's top level holds the 4 non-archived parents / single runs.
    QCOMPARE(h.view()->model()->rowCount(), 4);
    QCOMPARE(h.cellText(m_mfA, "duration"), QString("3 m 05 s"));
    QCOMPARE(h.cellText(m_mfA, "status"), QString("finished"));
    QCOMPARE(h.cellText(m_mfA, "recall@10"), QString("0.2500"));
    QCOMPARE(h.cellText(m_parent, "recall@10"), QString::fromUtf8("0.5000 \u00b1 0.1250"));
    QCOMPARE(h.cellText(m_folds[0], "task"), QString("ranking"));  // the parent's task
    QCOMPARE(h.cellText(m_pop, "seed"), QString("3"));
    QVERIFY(!h.headerToolTip("recall@10").isEmpty());
    QVERIFY(h.headerToolTip("name").isEmpty());
    QCOMPARE(h.modelCombo()->count(), 4);  // all models, item_knn, popularity, torch_mf
  }

  void filtersShowTheRightCounts() {
    RunHistory h(m_db);
    h.statusCombo()->setCurrentText("failed");
    QCOMPARE(h.visibleRuns(), QList<qint64>{m_pop});
    h.statusCombo()->setCurrentText("finished");
    QCOMPARE(h.visibleRuns().size(), 5);  // mf-a, parent, 3 folds
    h.showArchivedCheck()->setChecked(true);
    QCOMPARE(h.visibleRuns().size(), 6);
    h.statusCombo()->setCurrentText("all");
    QCOMPARE(h.visibleRuns().size(), 8);
    h.showArchivedCheck()->setChecked(false);

    h.modelCombo()->setCurrentText("torch_mf");
    QCOMPARE(h.visibleRuns().size(), 5);
    h.modelCombo()->setCurrentText("popularity");
    QCOMPARE(h.visibleRuns(), QList<qint64>{m_pop});
    h.modelCombo()->setCurrentIndex(0);

    h.filterEdit()->setText("cancel");  // matches the status
    QCOMPARE(h.visibleRuns(), QList<qint64>{m_knn});
    h.filterEdit()->setText("FOLD 2");  // one fold: shown with its parent, not its siblings
    QCOMPARE(h.visibleRuns(), (QList<qint64>{m_parent, m_folds[1]}));
    h.filterEdit()->setText("kfold-parent");
    QCOMPARE(h.visibleRuns().size(), 4);
    h.filterEdit()->setText("item_knn");  // matches the model
    QCOMPARE(h.visibleRuns(), QList<qint64>{m_knn});
    h.filterEdit()->clear();
    QCOMPARE(h.visibleRuns().size(), 7);
  }

  void archiveHidesAndUnarchiveShows() {
    RunHistory h(m_db);
    QSignalSpy changed(&h, &RunHistory::runsChanged);
    QVERIFY(h.selectRuns({m_knn}));
    QVERIFY(h.archiveAction()->isEnabled());
    QVERIFY(!h.unarchiveAction()->isEnabled());
    h.archiveAction()->trigger();
    QCOMPARE(changed.count(), 1);
    QVERIFY(!h.visibleRuns().contains(m_knn));
    QCOMPARE(h.visibleRuns().size(), 6);
    QVERIFY(Store(m_db.toStdString()).run(m_knn)->archived);

    h.showArchivedCheck()->setChecked(true);
    QVERIFY(h.visibleRuns().contains(m_knn));
    QCOMPARE(h.cellText(m_knn, "status"), QString("cancelled (archived)"));
    QVERIFY(h.selectRuns({m_knn}));
    QVERIFY(h.unarchiveAction()->isEnabled());
    QVERIFY(!h.archiveAction()->isEnabled());
    h.unarchiveAction()->trigger();
    QVERIFY(!Store(m_db.toStdString()).run(m_knn)->archived);
    h.showArchivedCheck()->setChecked(false);
    QVERIFY(h.visibleRuns().contains(m_knn));
    QCOMPARE(h.visibleRuns().size(), 7);
    QCOMPARE(h.selectedRuns(), QList<qint64>{m_knn});  // the selection survives the refresh
  }

  void rerunEmitsTheStoredConfig() {
    RunHistory h(m_db);
    QList<nlohmann::json> got;
    connect(&h, &RunHistory::rerunRequested, this,
            [&got](const nlohmann::json& config) { got << config; });
    QVERIFY(!h.rerunAction()->isEnabled());  // nothing selected
    QVERIFY(h.selectRuns({m_parent}));
    h.rerunAction()->trigger();
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.front().dump(),
             nlohmann::json::parse(configOf("kfold-parent", "torch_mf", 5)).dump());
    QCOMPARE(got.front()["seed"].get<int>(), 5);
  }

  void exportWritesExactlyTheStoredConfig() {
    RunHistory h(m_db);
    QString suggested;
    const QString path = m_dir.filePath("exported.json");
    h.setExportPathPrompt([&](const QString& name) {
      suggested = name;
      return path;
    });
    QVERIFY(h.selectRuns({m_pop}));
    h.exportConfigAction()->trigger();
    QCOMPARE(suggested, QString("run_%1_config.json").arg(m_pop));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    const std::string stored = Store(m_db.toStdString()).run(m_pop)->configJson;
    QCOMPARE(bytes.toStdString(), stored);
    f.close();

    // Cancelling the prompt writes nothing.
    QFile::remove(path);
    h.setExportPathPrompt([](const QString&) { return QString(); });
    h.exportConfigAction()->trigger();
    QVERIFY(!QFile::exists(path));
  }

  void copyPutsTheConfigOnTheClipboard() {
    RunHistory h(m_db);
    QVERIFY(h.selectRuns({m_mfA}));
    h.copyConfigAction()->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text().toStdString(), configOf("mf-a", "torch_mf", 1));
  }

  void failedRunShowsItsError() {
    RunHistory h(m_db);
    h.resize(900, 500);
    h.show();
    QVERIFY(h.selectRuns({m_pop}));
    QVERIFY(h.errorPane()->isVisible());
    QCOMPARE(h.errorPane()->toPlainText(),
             QString("training: out of memory while allocating 8 GB"));
    QVERIFY(h.errorPane()->isReadOnly());
    h.showErrorAction()->setChecked(false);
    QVERIFY(!h.errorPane()->isVisible());
    h.showErrorAction()->setChecked(true);
    QVERIFY(h.errorPane()->isVisible());
    QVERIFY(h.selectRuns({m_mfA}));
    QVERIFY(!h.errorPane()->isVisible());
    QVERIFY(!h.showErrorAction()->isEnabled());
    if (!screenshotDir().isEmpty()) {
      h.showArchivedCheck()->setChecked(true);
      QVERIFY(h.selectRuns({m_pop}));
      h.view()->expandAll();
      QCoreApplication::sendPostedEvents();  // lay out the error pane just shown
      QVERIFY(h.grab().save(screenshotDir() + "/run_history.png"));
    }
  }

  void badStoreIsReportedInTheWindow() {
    const QString bad = m_dir.filePath("not_a_store.sqlite");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("this is not a database, just some text that is long enough to be read\n");
    f.close();
    RunHistory h(bad);
    QCOMPARE(h.totalRunCount(), 0);
    QVERIFY(!h.messageBar()->text().isEmpty());
  }
};

class TestDatasetCharts : public QObject {
  Q_OBJECT

 private:
  static constexpr std::int64_t kDay0 = 18262;  // 2020-01-01
  static constexpr std::int64_t kDayMs = 86'400'000;

  /// Sessions: s0 = [i0 view, i1 view, i0 addtocart] on day 0; s1 = [i0 view, i2 view,
  /// i0 transaction, i1 view] on day 2; s2 = 55 x [i3 view] on day 3; s3 = [i1 view] on day 3.
  /// Item i4 has no events.
  static std::shared_ptr<reclab::data::LoadResult> handBuilt() {
    auto r = std::make_shared<reclab::data::LoadResult>();
    auto& log = r->log;
    for (int i = 0; i < 5; ++i) log.items.internInt(100 + i);
    for (int s = 0; s < 4; ++s) log.sessions.internInt(s);
    const auto view = log.internEvent("view");
    const auto cart = log.internEvent("addtocart");
    const auto buy = log.internEvent("transaction");
    std::vector<std::int64_t> ts;
    auto row = [&](int item, std::uint8_t event, int session, std::int64_t day, int minute) {
      log.item.push_back(item);
      log.event.push_back(event);
      log.session.push_back(session);
      ts.push_back((kDay0 + day) * kDayMs + minute * 60'000);
    };
    row(0, view, 0, 0, 1);
    row(1, view, 0, 0, 2);
    row(0, cart, 0, 0, 3);
    row(0, view, 1, 2, 1);
    row(2, view, 1, 2, 2);
    row(0, buy, 1, 2, 3);
    row(1, view, 1, 2, 4);
    for (int k = 0; k < 55; ++k) row(3, view, 2, 3, k);
    row(1, view, 3, 3, 100);
    for (auto t : ts) log.timestamp.push_back(t);
    log.validate();
    return r;
  }

 private Q_SLOTS:
  void chartDataMatchesHandCounts() {
    const DatasetChartData d = reclab::widgets::computeChartData(*handBuilt());
    using Bars = std::vector<std::pair<std::string, std::uint64_t>>;
    QVERIFY((d.eventsPerType == Bars{{"view", 61}, {"addtocart", 1}, {"transaction", 1}}));

    QVERIFY(d.sessionLengths);
    QCOMPARE(d.lengthTitle, std::string("Session length (events)"));
    QCOMPARE(d.lengthHistogram.size(), std::size_t{51});
    QCOMPARE(d.lengthHistogram.front().first, std::string("1"));
    QCOMPARE(d.lengthHistogram.back().first, std::string(">50"));
    std::vector<std::uint64_t> expected(51, 0);
    expected[0] = 1;   // s3
    expected[2] = 1;   // s0
    expected[3] = 1;   // s1
    expected[50] = 1;  // s2 (55 events)
    for (std::size_t k = 0; k < 51; ++k) QCOMPARE(d.lengthHistogram[k].second, expected[k]);

    // Items: i3 = 55, i0 = 4, i1 = 3, i2 = 1; i4 has no events and is left out.
    using Points = std::vector<std::pair<std::int64_t, std::uint64_t>>;
    QVERIFY((d.longTail == Points{{1, 55}, {2, 4}, {3, 3}, {4, 1}}));
    QCOMPARE(d.itemsWithEvents, std::int64_t{4});

    // Days 0..3, day 1 empty.
    QVERIFY(
        (d.eventsPerDay == Points{{kDay0, 3}, {kDay0 + 1, 0}, {kDay0 + 2, 4}, {kDay0 + 3, 56}}));
  }

  void ratingsWithoutSessionsGivePerUserHistogram() {
    reclab::data::LoadResult r;
    auto& log = r.log;
    log.valueName = "rating";
    for (int u = 0; u < 3; ++u) log.users.internInt(u);
    for (int i = 0; i < 5; ++i) log.items.internInt(i);
    // User 0: 1 rating, user 1: 2, user 2: 5.
    const std::vector<std::pair<int, int>> rows = {{0, 0}, {1, 0}, {1, 1}, {2, 0},
                                                   {2, 1}, {2, 2}, {2, 3}, {2, 4}};
    for (auto [u, i] : rows) {
      log.user.push_back(u);
      log.item.push_back(i);
      log.value.push_back(4.0f);
    }
    const auto d = reclab::widgets::computeChartData(r);
    QVERIFY(!d.sessionLengths);
    QCOMPARE(d.lengthTitle, std::string("Ratings per user"));
    using Bars = std::vector<std::pair<std::string, std::uint64_t>>;
    QVERIFY((d.lengthHistogram == Bars{{"1", 1}, {"2-3", 1}, {"4-7", 1}}));
    QVERIFY((d.eventsPerType == Bars{{"rating", 8}}));
    QVERIFY(d.eventsPerDay.empty());  // no timestamps
    // Item 0: 3, item 1: 2, items 2..4: 1 each.
    using Points = std::vector<std::pair<std::int64_t, std::uint64_t>>;
    QVERIFY((d.longTail == Points{{1, 3}, {2, 2}, {3, 1}, {4, 1}, {5, 1}}));
  }

  void longTailSamplesLogSpacedRanks() {
    reclab::data::LoadResult r;
    // 2000 items, item k with 1 + (1999 - k) / 100 events (20 down to 1).
    for (int i = 0; i < 2000; ++i) {
      r.log.items.internInt(i);
      for (int c = 0; c < 1 + (1999 - i) / 100; ++c) r.log.item.push_back(i);
    }
    const auto d = reclab::widgets::computeChartData(r);
    QCOMPARE(d.itemsWithEvents, std::int64_t{2000});
    QVERIFY(d.longTail.size() > 100 && d.longTail.size() < 180);
    for (std::int64_t k = 0; k < 100; ++k) QCOMPARE(d.longTail[k].first, k + 1);
    QCOMPARE(d.longTail.back().first, std::int64_t{2000});
    for (std::size_t k = 1; k < d.longTail.size(); ++k) {
      QVERIFY(d.longTail[k].first > d.longTail[k - 1].first);
      QVERIFY(d.longTail[k].second <= d.longTail[k - 1].second);
    }
  }

  void widgetBuildsSeriesFromTheData() {
    DatasetCharts charts;
    QSignalSpy ready(&charts, &DatasetCharts::chartsReady);
    charts.setDataset(handBuilt());
    QVERIFY(ready.wait(10000));
    QCOMPARE(charts.chartViews().size(), 4);

    auto* events = qobject_cast<QBarSeries*>(charts.eventsView()->chart()->series().value(0));
    QVERIFY(events);
    QCOMPARE(events->barSets().front()->count(), 3);
    QCOMPARE(events->barSets().front()->at(0), 61.0);
    QCOMPARE(events->barSets().front()->at(2), 1.0);
    QVERIFY(charts.eventsLogCheck()->isChecked());  // 61 vs 1: log scale by default
    QVERIFY(
        qobject_cast<QLogValueAxis*>(charts.eventsView()->chart()->axes(Qt::Vertical).value(0)));
    charts.eventsLogCheck()->setChecked(false);
    QVERIFY(
        !qobject_cast<QLogValueAxis*>(charts.eventsView()->chart()->axes(Qt::Vertical).value(0)));

    auto* lengths = qobject_cast<QBarSeries*>(charts.lengthsView()->chart()->series().value(0));
    QVERIFY(lengths);
    QCOMPARE(lengths->barSets().front()->count(), 51);
    QCOMPARE(lengths->barSets().front()->at(50), 1.0);
    QCOMPARE(lengths->barSets().front()->at(1), 0.0);

    auto* tail = qobject_cast<QLineSeries*>(charts.longTailView()->chart()->series().value(0));
    QVERIFY(tail);
    QCOMPARE(tail->count(), 4);
    QCOMPARE(tail->at(0), QPointF(1, 55));
    QCOMPARE(tail->at(3), QPointF(4, 1));
    QCOMPARE(charts.longTailView()->chart()->axes(Qt::Horizontal).size(), 1);
    QVERIFY(qobject_cast<QLogValueAxis*>(charts.longTailView()->chart()->axes(Qt::Horizontal)[0]));

    auto* activity = qobject_cast<QLineSeries*>(charts.activityView()->chart()->series().value(0));
    QVERIFY(activity);
    QCOMPARE(activity->count(), 4);
    QCOMPARE(activity->at(1).y(), 0.0);
    QCOMPARE(activity->at(3).y(), 56.0);
    QCOMPARE(static_cast<qint64>(activity->at(0).x()), kDay0 * kDayMs + kDayMs / 2);

    charts.clear();
    QVERIFY(charts.eventsView()->chart()->series().isEmpty());
  }

  void realSampleScreenshot() {
    const std::string dir = std::string(RECLAB_SOURCE_DIR) + "/datasets/retailrocket-sample";
    reclab::data::LoadOptions options;
    auto result = std::make_shared<reclab::data::LoadResult>(
        reclab::data::loadDataset(reclab::data::Format::RetailRocket, {dir + "/events.csv"},
                                  options, reclab::nullObserver(), reclab::StopToken()));
    DatasetCharts charts;
    QSignalSpy ready(&charts, &DatasetCharts::chartsReady);
    charts.setDataset(result);
    QVERIFY(ready.wait(20000));
    const auto& d = *charts.chartData();
    std::uint64_t total = 0;
    for (const auto& [name, count] : d.eventsPerType) total += count;
    QCOMPARE(total, static_cast<std::uint64_t>(result->log.numRows()));
    QVERIFY(!d.eventsPerDay.empty());
    if (!screenshotDir().isEmpty()) {
      charts.resize(1100, 720);
      charts.show();
      QVERIFY(charts.grab().save(screenshotDir() + "/dataset_charts.png"));
    }
  }

  void sessionSampleScreenshot() {
    const std::string dir = std::string(RECLAB_SOURCE_DIR) + "/datasets/yoochoose-sample";
    reclab::data::LoadOptions options;
    options.threads = 1;
    auto result = std::make_shared<reclab::data::LoadResult>(
        reclab::data::loadDataset(reclab::data::Format::Yoochoose, {dir}, options,
                                  reclab::nullObserver(), reclab::StopToken()));
    QVERIFY(result->log.hasSessions());
    DatasetCharts charts;
    QSignalSpy ready(&charts, &DatasetCharts::chartsReady);
    charts.setDataset(result);
    QVERIFY(ready.wait(20000));
    const auto& d = *charts.chartData();
    QVERIFY(d.sessionLengths);
    std::uint64_t sessions = 0;
    for (const auto& [label, count] : d.lengthHistogram) sessions += count;
    QCOMPARE(sessions, static_cast<std::uint64_t>(result->log.numSessions()));
    if (!screenshotDir().isEmpty()) {
      charts.resize(1100, 720);
      charts.show();
      QVERIFY(charts.grab().save(screenshotDir() + "/dataset_charts_sessions.png"));
    }
  }
};

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QStandardPaths::setTestModeEnabled(true);
  QApplication app(argc, argv);
  int failed = 0;
  {
    TestRunHistory t;
    failed += QTest::qExec(&t, argc, argv);
  }
  {
    TestDatasetCharts t;
    failed += QTest::qExec(&t, argc, argv);
  }
  return failed == 0 ? 0 : 1;
}

#include "test_history.moc"

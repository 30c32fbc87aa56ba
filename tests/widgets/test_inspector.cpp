/// test_inspector: the recommendation inspector over a store holding a popularity run, an svd
/// run and a 2-fold popularity run, all on a small generated ratings set, and (in a store of its
/// own) a session_item_knn run on the bundled Yoochoose sample for session mode (offscreen).

#include <QApplication>
#include <QComboBox>
#include <QCompleter>
#include <QFile>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "data/synth/ratings.h"
#include "experiment/inspect.h"
#include "experiment/runner.h"
#include "store/store.h"
#include "widgets/recommendation_inspector.h"

using reclab::widgets::RecommendationInspector;
namespace experiment = reclab::experiment;

namespace {

qint64 runConfig(const nlohmann::json& j, const std::string& db) {
  const auto config = experiment::ExperimentConfig::fromJson(j);
  reclab::StopToken stop;
  const auto outcome =
      experiment::executeRun(config, db, std::nullopt, reclab::nullObserver(), stop);
  if (outcome.status != reclab::store::RunStatus::Finished) {
    qFatal("run failed: %s", outcome.error.c_str());
  }
  return outcome.runId;
}

/// Item original ids of `user`'s rows in `rows` (a part of the split), from the log itself.
std::set<QString> itemsIn(const experiment::OpenedRun& run, std::int32_t user,
                          const std::vector<std::uint32_t>& rows) {
  std::set<QString> out;
  const auto& log = run.data->log;
  for (auto r : rows) {
    if (log.user[r] == user) out.insert(QString::fromStdString(log.items.original(log.item[r])));
  }
  return out;
}

}  // namespace

class TestInspector : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  QString m_db;
  qint64 m_pop = 0, m_svd = 0, m_kfold = 0;
  QString m_sessionDb;
  qint64 m_sessionKnn = 0;

  /// Opens `runId` in `w` and waits for it.
  static bool open(RecommendationInspector& w, qint64 runId) {
    QSignalSpy opened(&w, &RecommendationInspector::runOpened);
    w.openRun(runId);
    return opened.wait(60000) && opened.first().first().toLongLong() == runId;
  }

  /// The user with the most distinct test items not also among their training items.
  static std::int32_t richTestUser(const experiment::OpenedRun& run) {
    std::int32_t best = 0;
    std::size_t bestCount = 0;
    for (std::size_t u = 0; u < run.testItems.size(); ++u) {
      std::size_t n = 0;
      for (auto i : run.testItems[u]) {
        n += !std::binary_search(run.trainItems[u].begin(), run.trainItems[u].end(), i);
      }
      if (n > bestCount) {
        bestCount = n;
        best = static_cast<std::int32_t>(u);
      }
    }
    return best;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    reclab::synth::RatingsConfig rc;
    rc.users = 40;
    rc.items = 60;
    rc.rank = 3;
    rc.ratingsPerUser = 18;
    rc.minRatingsPerUser = 12;
    rc.seed = 7;
    reclab::StopToken stop;
    const auto dataDir = m_dir.filePath("ratings").toStdString();
    reclab::synth::generateRatings(rc, dataDir, reclab::nullObserver(), stop);
    m_db = m_dir.filePath("runs.sqlite");
    const std::string db = m_db.toStdString();
    nlohmann::json base = {{"dataset", {{"format", "movielens"}, {"path", dataDir + "/u.data"}}},
                           {"split", {{"kind", "random"}, {"test_ratio", 0.2}}},
                           {"eval", {{"metrics", {"recall"}}, {"k", {10}}}},
                           {"seed", 0},
                           {"threads", 1}};
    auto pop = base;
    pop["name"] = "pop";
    pop["model"] = {{"name", "popularity"}, {"params", nlohmann::json::object()}};
    m_pop = runConfig(pop, db);
    auto svd = base;
    svd["name"] = "svd";
    svd["model"] = {{"name", "svd"}, {"params", {{"n_factors", 6}, {"n_epochs", 15}}}};
    m_svd = runConfig(svd, db);
    auto kfold = pop;
    kfold["name"] = "pop 2-fold";
    kfold["split"] = {{"kind", "kfold"}, {"folds", 2}};
    m_kfold = runConfig(kfold, db);

    m_sessionDb = m_dir.filePath("sessions.sqlite");
    const nlohmann::json knn = {
        {"name", "item-knn on yoochoose"},
        {"dataset",
         {{"format", "yoochoose"},
          {"path",
           std::string(RECLAB_SOURCE_DIR) + "/datasets/yoochoose-sample/yoochoose-clicks.dat"}}},
        {"split", {{"kind", "session_time"}, {"test_days", 1}}},
        {"model", {{"name", "session_item_knn"}, {"params", nlohmann::json::object()}}},
        {"seed", 0},
        {"threads", 2}};
    m_sessionKnn = runConfig(knn, m_sessionDb.toStdString());
  }

  void listsFinishedRunsWithAModel() {
    RecommendationInspector w(m_db);
    // pop, svd and the two fold runs; the k-fold parent stores no model.
    QCOMPARE(w.runPicker()->count(), 4);
    QCOMPARE(w.runPicker()->findData(QVariant::fromValue<qint64>(m_kfold)), -1);
    QVERIFY(w.runPicker()->findData(QVariant::fromValue<qint64>(m_svd)) >= 0);
  }

  void svdTopNHistoryAndSimilar() {
    RecommendationInspector w(m_db);
    QVERIFY(open(w, m_svd));
    QCOMPARE(w.openedRunId(), m_svd);
    const auto run = w.openedRun();
    const std::int32_t user = richTestUser(*run);
    const auto& log = run->data->log;
    const QString id = QString::fromStdString(log.users.original(user));
    QVERIFY(w.selectUser(id));
    QCOMPARE(w.selectedUser(), id);

    const auto train = itemsIn(*run, user, run->split.train);
    const auto test = itemsIn(*run, user, run->split.test);
    QVERIFY(!test.empty());
    QCOMPARE(w.topNRowCount(), 10);
    for (int r = 0; r < w.topNRowCount(); ++r) {
      QVERIFY2(!train.count(w.topNItem(r)), qPrintable(w.topNItem(r)));
      QCOMPARE(w.topNIsHit(r), test.count(w.topNItem(r)) == 1);
    }
    // A list long enough to hold every unseen item holds every test item outside training.
    std::size_t expectedHits = 0;
    for (const auto& t : test) expectedHits += !train.count(t);
    QVERIFY(expectedHits > 0);
    w.setTopN(log.numItems() - static_cast<int>(train.size()));
    QCOMPARE(w.topNRowCount(), log.numItems() - static_cast<int>(train.size()));
    std::size_t hits = 0;
    for (int r = 0; r < w.topNRowCount(); ++r) hits += w.topNIsHit(r);
    QCOMPARE(hits, expectedHits);
    w.setTopN(5);
    QCOMPARE(w.topNRowCount(), 5);

    // History: exactly the user's rows, split parts as in the run's split.
    int rows = 0, testRows = 0;
    for (std::size_t r = 0; r < log.numRows(); ++r) {
      if (log.user[r] != user) continue;
      ++rows;
      testRows += std::binary_search(run->split.test.begin(), run->split.test.end(),
                                     static_cast<std::uint32_t>(r));
    }
    QCOMPARE(w.historyRowCount(), rows);
    int shownTest = 0;
    for (int r = 0; r < w.historyRowCount(); ++r) shownTest += w.historySplit(r) == "test";
    QCOMPARE(shownTest, testRows);
    QCOMPARE(w.historyRowCount(),
             static_cast<int>(shownTest +
                              std::count_if(run->split.train.begin(), run->split.train.end(),
                                            [&](std::uint32_t r) { return log.user[r] == user; })));

    // Similar items: the first top-N item's neighbours are listed at once.
    QCOMPARE(w.similarRowCount(), 10);
    QVERIFY2(w.similarNote().contains(w.topNItem(0)), qPrintable(w.similarNote()));
    w.showSimilarTo(w.historyItem(0));
    QCOMPARE(w.similarRowCount(), 10);
    QVERIFY(w.similarNote().contains("item " + w.historyItem(0) + " "));
    QVERIFY(w.sessionNote().isEmpty());  // no sessions in a ratings set
    QVERIFY(!w.isSessionMode());
    QVERIFY(w.similarTable()->isVisibleTo(&w));

    w.resize(1500, 820);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setTopN(10);
    const QImage shot = w.grab().toImage();
    QVERIFY(!shot.isNull());
    QVERIFY(shot.save("/tmp/inspector.png"));
  }

  void sessionModePicksASessionAndMarksNextAndLaterClicks() {
    RecommendationInspector w(m_sessionDb);
    QVERIFY(open(w, m_sessionKnn));
    QVERIFY(w.isSessionMode());
    QVERIFY2(w.sessionNote().contains("predicts the next click"), qPrintable(w.sessionNote()));
    // The session picker replaces the user picker; session KNN has no similar items to show.
    QVERIFY(!w.findChild<QLineEdit*>("userEdit")->isVisibleTo(&w));
    QVERIFY(w.sessionPicker()->isVisibleTo(&w));
    QVERIFY(!w.similarTable()->isVisibleTo(&w));

    // The picker lists the test sessions with at least 2 clicks, in the core's order.
    const auto run = w.openedRun();
    const auto& log = run->data->log;
    const auto sessions = experiment::testSessions(*run);
    std::vector<const std::vector<std::uint32_t>*> offered;
    for (const auto& s : sessions) {
      if (s.size() >= 2) offered.push_back(&s);
    }
    QCOMPARE(w.sessionCount(), static_cast<int>(offered.size()));
    QCOMPARE(w.sessionPicker()->count(), w.sessionCount());
    QVERIFY(w.sessionCount() > 50);
    auto idOf = [&](const std::vector<std::uint32_t>& rows) {
      return QString::fromStdString(log.sessions.original(log.session[rows.front()]));
    };
    QCOMPARE(w.sessionIdAt(0), idOf(*offered.front()));
    QCOMPARE(w.sessionPicker()->itemText(0),
             QString("%1  (%2 clicks)").arg(idOf(*offered.front())).arg(offered.front()->size()));

    // The first test session long enough for a prefix of 2 with later clicks.
    const auto it =
        std::find_if(offered.begin(), offered.end(), [](const auto* s) { return s->size() >= 4; });
    QVERIFY(it != offered.end());
    const auto& rows = **it;
    const QString id = idOf(rows);
    QSignalSpy scored(&w, &RecommendationInspector::sessionScored);
    QVERIFY(w.selectSession(id));
    QCOMPARE(w.selectedSession(), id);
    QCOMPARE(w.prefixLength(), 1);
    w.setPrefixLength(2);  // supersedes the first click's scoring, still in flight
    QVERIFY(scored.wait(60000));
    QCOMPARE(scored.count(), 1);
    QCOMPARE(w.prefixLength(), 2);

    // The session's clicks: 2 of prefix, the next one, then later ones.
    QCOMPARE(w.historyRowCount(), static_cast<int>(rows.size()));
    for (int r = 0; r < w.historyRowCount(); ++r) {
      QCOMPARE(
          w.historyItem(r),
          QString::fromStdString(log.items.original(log.item[rows[static_cast<std::size_t>(r)]])));
      QCOMPARE(w.historySplit(r), QString(r < 2 ? "prefix" : r == 2 ? "next" : "later"));
    }
    // Top-10 after the prefix: as the core ranks it, hits exactly the items clicked later.
    std::vector<std::int32_t> prefix, rest;
    for (std::size_t k = 0; k < rows.size(); ++k)
      (k < 2 ? prefix : rest).push_back(log.item[rows[k]]);
    const auto recs = experiment::recommendNext(*run, prefix, 10, &rest);
    const QString next = QString::fromStdString(log.items.original(rest.front()));
    std::set<QString> later;
    for (auto i : rest) later.insert(QString::fromStdString(log.items.original(i)));
    QCOMPARE(w.topNRowCount(), 10);
    int hits = 0;
    for (int r = 0; r < w.topNRowCount(); ++r) {
      const QString item = w.topNItem(r);
      QCOMPARE(item,
               QString::fromStdString(log.items.original(recs[static_cast<std::size_t>(r)].item)));
      QCOMPARE(w.topNIsHit(r), later.count(item) == 1);
      QCOMPARE(w.topNHitKind(r), QString(item == next ? "next" : later.count(item) ? "later" : ""));
      hits += w.topNIsHit(r);
    }
    QVERIFY2(hits > 0, "item-KNN on the planted chains finds a later click in its top-10");

    // Another N rescores.
    w.setTopN(5);
    QVERIFY(scored.wait(60000));
    QCOMPARE(w.topNRowCount(), 5);
  }

  void sessionModeTypedPrefixAndUnknownIds() {
    RecommendationInspector w(m_sessionDb);
    QVERIFY(open(w, m_sessionKnn));
    const auto run = w.openedRun();
    const auto& log = run->data->log;
    const auto sessions = experiment::testSessions(*run);
    const auto& rows = sessions.front();
    const QString a = QString::fromStdString(log.items.original(log.item[rows[0]]));
    const QString b = QString::fromStdString(log.items.original(log.item[rows.back()]));
    QSignalSpy scored(&w, &RecommendationInspector::sessionScored);
    QVERIFY(w.setTypedPrefix(a + ", " + b));
    QVERIFY(scored.wait(60000));
    const auto recs =
        experiment::recommendNext(*run, {log.item[rows[0]], log.item[rows.back()]}, 10);
    QCOMPARE(w.topNRowCount(), 10);
    QCOMPARE(w.topNItem(0), QString::fromStdString(log.items.original(recs.front().item)));
    for (int r = 0; r < w.topNRowCount(); ++r) QVERIFY(!w.topNIsHit(r));  // nothing to hit
    QCOMPARE(w.prefixLength(), 2);
    QVERIFY(w.selectedSession().isEmpty());
    QCOMPARE(w.historyRowCount(), 2);
    QCOMPARE(w.historyItem(1), b);

    // Unknown ids are named; what is shown stays.
    QVERIFY(!w.setTypedPrefix(a + " nosuchitem;999x"));
    QVERIFY2(w.messageText().contains("'nosuchitem', '999x'"), qPrintable(w.messageText()));
    QCOMPARE(w.topNItem(0), QString::fromStdString(log.items.original(recs.front().item)));
    QVERIFY(!w.setTypedPrefix(" , "));
    QVERIFY(w.messageText().contains("at least one item id"));
    QVERIFY(!w.selectSession("no-such-session"));
    QVERIFY2(w.messageText().contains("'no-such-session'"), qPrintable(w.messageText()));

    // Typing a session id into the picker and pressing Enter selects it.
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const QString id = w.sessionIdAt(1);
    auto* edit = w.sessionPicker()->lineEdit();
    edit->clear();
    edit->setFocus();
    QTest::keyClicks(edit, id);
    QTest::keyClick(edit, Qt::Key_Return);
    if (w.selectedSession().isEmpty()) QTest::keyClick(edit, Qt::Key_Return);  // popup took one
    QCOMPARE(w.selectedSession(), id);
    QVERIFY(scored.wait(60000));
    QCOMPARE(w.historySplit(1), QString("next"));
  }

  void popularityHasNoEmbeddings() {
    RecommendationInspector w(m_db);
    QVERIFY(open(w, m_pop));
    QVERIFY(w.selectUser("1"));
    QCOMPARE(w.topNRowCount(), 10);
    QCOMPARE(w.similarRowCount(), 0);
    QVERIFY2(w.similarNote().contains("no learned item embeddings"), qPrintable(w.similarNote()));
    QVERIFY(w.clusterText().contains("no embeddings"));
  }

  void unknownUserIsReported() {
    RecommendationInspector w(m_db);
    QVERIFY(!w.selectUser("1"));
    QVERIFY(w.messageText().contains("Open a run first"));
    QVERIFY(open(w, m_pop));
    QVERIFY(!w.selectUser("nobody"));
    QVERIFY2(w.messageText().contains("'nobody'"), qPrintable(w.messageText()));
    QCOMPARE(w.topNRowCount(), 0);
  }

  void kfoldParentSaysOpenAFold() {
    RecommendationInspector w(m_db);
    QSignalSpy failed(&w, &RecommendationInspector::openFailed);
    QSignalSpy opened(&w, &RecommendationInspector::runOpened);
    w.openRun(m_kfold);
    QVERIFY(failed.wait(60000));
    QCOMPARE(opened.count(), 0);
    QCOMPARE(w.openedRunId(), 0);
    const QString msg = failed.first().first().toString();
    QVERIFY2(msg.contains("no stored model") && msg.contains("open one of"), qPrintable(msg));
    // The fold runs were created right after their parent.
    QVERIFY2(msg.endsWith(QString(" Its fold runs: %1, %2.").arg(m_kfold + 1).arg(m_kfold + 2)),
             qPrintable(msg));
    QCOMPARE(w.messageText(), msg);
    QVERIFY(!w.isBusy());
  }

  void sessionDatasetSaysNoSessionMode() {
    // 4 users x 3 sessions x 3 clicks over 6 items, written as a generic CSV.
    QFile f(m_dir.filePath("clicks.csv"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    QTextStream out(&f);
    out << "user,session,item,ts\n";
    int ts = 1000;
    for (int u = 1; u <= 4; ++u) {
      for (int s = 0; s < 3; ++s) {
        for (int c = 0; c < 3; ++c) {
          out << "u" << u << ",s" << u << s << ",i" << (u + s + c) % 6 << "," << ts++ << "\n";
        }
      }
    }
    f.close();
    nlohmann::json j = {
        {"name", "pop on clicks"},
        {"dataset",
         {{"format", "csv"},
          {"path", f.fileName().toStdString()},
          {"mapping",
           {{"user", "user"}, {"session", "session"}, {"item", "item"}, {"timestamp", "ts"}}}}},
        {"split", {{"kind", "random"}, {"test_ratio", 0.25}}},
        {"model", {{"name", "popularity"}, {"params", nlohmann::json::object()}}},
        {"eval", {{"metrics", {"recall"}}, {"k", {5}}}},
        {"seed", 0},
        {"threads", 1}};
    const qint64 runId = runConfig(j, m_db.toStdString());
    RecommendationInspector w(m_db);
    QVERIFY(open(w, runId));
    QVERIFY2(w.sessionNote().contains("this model has no session mode"),
             qPrintable(w.sessionNote()));
    QVERIFY(w.selectUser("u2"));  // user mode still works
    QCOMPARE(w.historyRowCount(), 9);
    QCOMPARE(w.topNRowCount(),
             6 - static_cast<int>(w.openedRun()
                                      ->trainItems[static_cast<std::size_t>(
                                          *w.openedRun()->data->log.users.find("u2"))]
                                      .size()));
  }

  void newerOpenSupersedesOlder() {
    RecommendationInspector w(m_db);
    QSignalSpy opened(&w, &RecommendationInspector::runOpened);
    w.openRun(m_svd);
    w.openRun(m_pop);
    QVERIFY(opened.wait(60000));
    QCOMPARE(opened.count(), 1);
    QCOMPARE(opened.first().first().toLongLong(), m_pop);
    QCOMPARE(w.openedRunId(), m_pop);
  }

  void completesUserIdsByPrefix() {
    RecommendationInspector w(m_db);
    QVERIFY(w.userIdsStartingWith("1").isEmpty());  // nothing open
    QVERIFY(open(w, m_pop));
    // Users 1..40: "1" and "10".."19".
    const QStringList ones = w.userIdsStartingWith("1");
    QCOMPARE(ones.size(), 11);
    QCOMPARE(ones.first(), QString("1"));
    QCOMPARE(ones.last(), QString("19"));
    QCOMPARE(w.userIdsStartingWith("1", 3), (QStringList{"1", "10", "11"}));
    QCOMPARE(w.userIdsStartingWith("40"), QStringList{"40"});
    QVERIFY(w.userIdsStartingWith("41").isEmpty());
    QCOMPARE(w.userIdsStartingWith("").size(), 40);

    // Typing into the user box and pressing Enter selects the user.
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto* edit = w.findChild<QLineEdit*>("userEdit");
    QVERIFY(edit && edit->isEnabled());
    edit->setFocus();
    QTest::keyClicks(edit, "37");
    QCOMPARE(edit->completer()->model()->rowCount(), 1);
    QTest::keyClick(edit, Qt::Key_Return);
    if (w.selectedUser().isEmpty()) QTest::keyClick(edit, Qt::Key_Return);  // popup took one
    QCOMPARE(w.selectedUser(), QString("37"));
    QCOMPARE(w.topNRowCount(), 10);
  }

  void clustersUsersAndReadsThemBack() {
    RecommendationInspector w(m_db);
    QVERIFY(open(w, m_svd));
    QVERIFY(w.selectUser("3"));
    QVERIFY(w.clusterText().contains("no user clusters yet"));
    QSignalSpy clustered(&w, &RecommendationInspector::clustered);
    w.clusterUsers(3);
    QVERIFY(clustered.wait(60000));
    const QRegularExpression re("^cluster (\\d+) of 3 \\(size (\\d+)\\)$");
    const auto m = re.match(w.clusterText());
    QVERIFY2(m.hasMatch(), qPrintable(w.clusterText()));

    // The size shown is the number of users sharing user 3's cluster in the stored artifact.
    reclab::store::Store st(m_db.toStdString());
    const auto j = nlohmann::json::parse(*st.artifact(m_svd, "kmeans_users.json"));
    const auto assignments = j.at("assignments").get<std::vector<int>>();
    const auto user = *w.openedRun()->data->log.users.find("3");
    QCOMPARE(m.captured(1).toInt(), assignments[static_cast<std::size_t>(user)]);
    QCOMPARE(m.captured(2).toLongLong(),
             static_cast<qint64>(std::count(assignments.begin(), assignments.end(),
                                            assignments[static_cast<std::size_t>(user)])));

    RecommendationInspector again(m_db);  // a fresh inspector reads the stored clusters
    QVERIFY(open(again, m_svd));
    QVERIFY(again.selectUser("3"));
    QCOMPARE(again.clusterText(), w.clusterText());
  }
};

QTEST_MAIN(TestInspector)
#include "test_inspector.moc"

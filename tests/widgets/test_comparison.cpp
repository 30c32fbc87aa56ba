/// test_comparison: the comparison view over a temporary store with three finished runs of
/// known metrics, curves, configs and per-user values (plus one cancelled run that must not be
/// listed). Expected values are the ones written below, or computed by hand in the comments.

#include <QApplication>
#include <QChartView>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "store/store.h"
#include "widgets/comparison_model.h"
#include "widgets/comparison_view.h"

using reclab::widgets::ComparisonView;
using reclab::widgets::RankingFamily;
namespace store = reclab::store;
namespace w = reclab::widgets;

namespace {

std::int64_t addRun(store::Store& st, const std::string& name, const std::string& model,
                    const std::string& config, const std::map<std::string, double>& metrics,
                    store::RunStatus end = store::RunStatus::Finished) {
  store::RunRecord r;
  r.name = name;
  r.modelName = model;
  r.task = "ranking";
  r.configJson = config;
  const auto id = st.createRun(r);
  st.startRun(id);
  st.setMetrics(id, metrics);
  st.finishRun(id, end);
  return id;
}

bool near(double a, double b, double tol = 1e-9) { return std::abs(a - b) <= tol; }

}  // namespace

class ComparisonTests : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  QString m_path;
  std::int64_t m_r1 = 0, m_r2 = 0, m_r3 = 0, m_cancelled = 0;

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath("store.sqlite");
    store::Store st(m_path.toStdString());
    m_r1 = addRun(st, "mf small", "torch_mf",
                  R"({"model":{"name":"torch_mf","params":{"factors":32,"lr":0.01}},)"
                  R"("eval":{"k":[1,5,10,20]},"seed":0})",
                  {{"recall@1", 0.10},
                   {"recall@5", 0.30},
                   {"recall@10", 0.40},
                   {"recall@20", 0.50},
                   {"mrr@1", 0.11},
                   {"mrr@5", 0.21},
                   {"mrr@10", 0.25},
                   {"mrr@20", 0.27},
                   {"ndcg@5", 0.33},
                   {"ndcg@10", 0.36},
                   {"rmse", 0.91},
                   {"mae", 0.72}});
    m_r2 = addRun(st, "mf big", "torch_mf",
                  R"({"model":{"name":"torch_mf","params":{"factors":64,"lr":0.01,"reg":0.1}},)"
                  R"("eval":{"k":[1,5,10,20]},"seed":0})",
                  {{"recall@1", 0.20},
                   {"recall@5", 0.35},
                   {"recall@10", 0.45},
                   {"recall@20", 0.60},
                   {"mrr@1", 0.12},
                   {"mrr@5", 0.22},
                   {"mrr@10", 0.26},
                   {"mrr@20", 0.28},
                   {"ndcg@5", 0.31},
                   {"ndcg@10", 0.34},
                   {"recall@10_std", 0.01},
                   {"auc", 0.81},
                   {"log_loss", 0.45},
                   {"accuracy", 0.77}});
    m_r3 = addRun(st, "", "popularity", R"({"model":{"name":"popularity"},"seed":0})",
                  {{"recall@1", 0.05},
                   {"recall@5", 0.10},
                   {"recall@10", 0.20},
                   {"recall@20", 0.30},
                   {"mrr@5", 0.08},
                   {"mrr@10", 0.09},
                   {"mrr@20", 0.10}});
    m_cancelled =
        addRun(st, "stopped", "torch_mf", "{}", {{"recall@10", 0.9}}, store::RunStatus::Cancelled);

    // Curves of run 1: val_rmse 1.0, 0.9, 0.85, 0.88 (best = min 0.85 at epoch 3, last 0.88);
    // val_recall@10 0.2, 0.3, 0.25 (best = max 0.3 at epoch 2, last 0.25); batch points left out.
    std::vector<store::CurvePoint> pts = {
        {"val_rmse", 1, 10, 1.0},       {"val_rmse", 2, 20, 0.9},
        {"val_rmse", 3, 30, 0.85},      {"val_rmse", 4, 40, 0.88},
        {"val_recall@10", 1, 10, 0.2},  {"val_recall@10", 2, 20, 0.3},
        {"val_recall@10", 3, 30, 0.25}, {"batch_train_loss", 1, 5, 0.01}};
    st.addCurvePoints(m_r1, pts, 4);

    // Per-user recall@10: run 1 evaluated users 1..6, run 2 users 2..7. Shared users 2..6
    // with a = 0.5 0.6 0.7 0.4 0.9 and b = 0.4 0.4 0.4 0.3 0.6: d = 0.1 0.2 0.3 0.1 0.3,
    // mean 0.2, sd 0.1, t = 0.2 / (0.1 / sqrt 5) = 2 sqrt 5 = 4.4721, df 4,
    // p = 0.0110565 (numerical integration of the t density); Wilcoxon: all 5 differences
    // positive, W+ = 15, W- = 0, exact p = 2 / 2^5 = 0.0625.
    st.putArtifact(m_r1, "per_user_metrics.json",
                   R"({"users":[1,2,3,4,5,6],"values":{"recall@10":[0.9,0.5,0.6,0.7,0.4,0.9]}})");
    st.putArtifact(m_r2, "per_user_metrics.json",
                   R"({"users":[2,3,4,5,6,7],"values":{"recall@10":[0.4,0.4,0.4,0.3,0.6,0.0]}})");
  }

  void listsOnlyFinishedRunsAndFilters() {
    ComparisonView view(m_path);
    QCOMPARE(view.availableRuns(), QList<qint64>({m_r3, m_r2, m_r1}));  // newest first
    QVERIFY(view.checkedRuns().isEmpty());
    QCOMPARE(view.barSetCount(), 0);
    view.setFilterText("popul");
    view.setFilterText("");
    view.setCheckedRuns({m_r1, m_r2});
    QCOMPARE(view.checkedRuns(), QList<qint64>({m_r2, m_r1}));
  }

  void groupedBarsOfRecallThenMrr() {
    ComparisonView view(m_path);
    QSignalSpy changed(&view, &ComparisonView::comparisonChanged);
    view.setCheckedRuns({m_r1, m_r2, m_r3});
    QCOMPARE(changed.count(), 1);
    view.setMetricFamily(RankingFamily::Recall);
    QCOMPARE(view.barSetCount(), 3);
    QCOMPARE(view.categories(), QStringList({"1", "5", "10", "20"}));
    QCOMPARE(view.seriesNames(),
             QStringList({"run 1 (mf small)", "run 2 (mf big)", "run 3 (popularity)"}));  // by id
    QCOMPARE(view.barValue(m_r1, 1), 0.10);
    QCOMPARE(view.barValue(m_r1, 20), 0.50);
    QCOMPARE(view.barValue(m_r2, 10), 0.45);
    QCOMPARE(view.barValue(m_r3, 5), 0.10);
    QVERIFY(std::isnan(view.barValue(m_r1, 3)));  // not a category

    view.setMetricFamily(RankingFamily::Mrr);
    QCOMPARE(view.barSetCount(), 3);
    QCOMPARE(view.categories(), QStringList({"1", "5", "10", "20"}));
    QCOMPARE(view.barValue(m_r2, 1), 0.12);
    QCOMPARE(view.barValue(m_r1, 20), 0.27);
    QVERIFY(std::isnan(view.barValue(m_r3, 1)));  // run 3 has no mrr@1

    view.setMetricFamily(RankingFamily::Ndcg);
    QCOMPARE(view.categories(), QStringList({"5", "10"}));
    QCOMPARE(view.barValue(m_r1, 10), 0.36);
    QVERIFY(std::isnan(view.barValue(m_r3, 10)));

    view.setMetricFamily(RankingFamily::HitRate);
    QVERIFY(view.categories().isEmpty());
    QCOMPARE(view.rankingChartView()->chart()->title(),
             QString("HitRate@k (ACCs@k) — none of the picked runs has it"));

    view.setMetricFamily(RankingFamily::Recall);
    view.setLineChart(true);
    QCOMPARE(view.barSetCount(), 0);
    QCOMPARE(view.lineSeriesCount(), 3);
    QCOMPARE(view.seriesNames().size(), 3);
    QCOMPARE(view.barValue(m_r2, 20), 0.60);
    view.setRunChecked(m_r3, false);
    QCOMPARE(view.lineSeriesCount(), 2);
  }

  void purchaseTableFollowsTheThesisTableLayout() {
    // Problem 1's purchase runs (the seed B preset's figures on the sample): AUC, log loss and
    // accuracy first as in the thesis' Table 2.3, then PR-AUC and the thresholded P / R / F1.
    QTemporaryDir dir;
    const auto path = dir.filePath("purchase.sqlite");
    std::int64_t lr = 0, wd = 0;
    {
      store::Store st(path.toStdString());
      const std::string cfg = R"({"model":{"name":"purchase_lr"},"seed":0})";
      lr = addRun(st, "B purchase LR", "purchase_lr", cfg,
                  {{"auc", 0.9026}, {"log_loss", 0.3858}, {"accuracy", 0.8365},
                   {"pr_auc", 0.7527}, {"precision", 0.61}, {"recall", 0.82}, {"f1", 0.70}});
      wd = addRun(st, "B purchase W&DNN", "purchase_wide_deep", cfg,
                  {{"auc", 0.8849}, {"log_loss", 0.4768}, {"accuracy", 0.8467},
                   {"pr_auc", 0.7065}, {"precision", 0.64}, {"recall", 0.71}, {"f1", 0.67}});
    }
    ComparisonView view(path);
    view.resize(900, 500);
    view.setCheckedRuns({lr, wd});
    auto* model = view.classificationTable()->model();
    QStringList headers;
    for (int c = 0; c < model->columnCount(); ++c)
      headers << model->headerData(c, Qt::Horizontal).toString();
    QCOMPARE(headers, QStringList({"run", "AUC", "Log loss", "Accuracy", "PR-AUC", "Precision",
                                   "Recall", "F1"}));
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(view.classificationValue(wd, "pr_auc"), 0.7065);
    QCOMPARE(view.classificationValue(lr, "f1"), 0.70);
    // The ranking chart reads "recall@k"; a purchase run's plain "recall" is not a ranking value.
    QVERIFY(std::isnan(view.barValue(lr, 20)));
    if (const auto shots = qEnvironmentVariable("RECLAB_SCREENSHOT_DIR"); !shots.isEmpty()) {
      view.findChild<QTabWidget*>()->setCurrentIndex(1);
      view.show();
      QVERIFY(QTest::qWaitForWindowExposed(&view));
      view.grab().save(shots + "/compare_purchase.png");
    }
  }

  void tablesShowRatingClassificationAndCurves() {
    ComparisonView view(m_path);
    view.setCheckedRuns({m_r1, m_r2, m_r3});
    QCOMPARE(view.ratingValue(m_r1, "rmse"), 0.91);
    QCOMPARE(view.ratingValue(m_r1, "mae"), 0.72);
    QVERIFY(std::isnan(view.ratingValue(m_r1, "r2")));     // no run has R^2: no column
    QCOMPARE(view.ratingTable()->model()->rowCount(), 1);  // only run 1 has rating metrics
    QVERIFY(!view.ratingTable()
                 ->model()
                 ->headerData(1, Qt::Horizontal, Qt::ToolTipRole)
                 .toString()
                 .isEmpty());
    QCOMPARE(view.classificationValue(m_r2, "auc"), 0.81);
    QCOMPARE(view.classificationValue(m_r2, "log_loss"), 0.45);
    QCOMPARE(view.classificationTable()->model()->rowCount(), 1);

    QCOMPARE(view.curveBest(m_r1, "val_rmse"), 0.85);
    QCOMPARE(view.curveLast(m_r1, "val_rmse"), 0.88);
    QCOMPARE(view.curveBest(m_r1, "val_recall@10"), 0.3);
    QCOMPARE(view.curveLast(m_r1, "val_recall@10"), 0.25);
    QVERIFY(std::isnan(view.curveBest(m_r1, "batch_train_loss")));
    QCOMPARE(view.curveTable()->model()->rowCount(), 2);
  }

  void curveSummaryRules() {
    std::vector<store::CurvePoint> pts = {{"train_loss", 1, 1, 0.5},
                                          {"train_loss", 2, 2, std::nan("")},
                                          {"train_loss", 3, 3, 0.7},
                                          {"val_auc", 1, 1, 0.6},
                                          {"val_auc", 2, 2, 0.6}};
    auto s = w::summarizeCurves(pts);
    QCOMPARE(int(s.size()), 2);
    QCOMPARE(s[0].metric, QString("train_loss"));
    QCOMPARE(s[0].best, 0.5);
    QCOMPARE(s[0].bestEpoch, 1);
    QCOMPARE(s[0].last, 0.7);
    QCOMPARE(s[1].bestEpoch, 1);  // ties keep the first epoch
    QVERIFY(w::lowerIsBetter("val_rmse"));
    QVERIFY(w::lowerIsBetter("batch_train_loss"));
    QVERIFY(!w::lowerIsBetter("recall@10"));
    QVERIFY(w::lowerIsBetter("violation_rate"));
    QVERIFY(!w::lowerIsBetter("samples_per_second"));
  }

  void diffOnlyShowsTheDifferingKeys() {
    ComparisonView view(m_path);
    view.setDiffRuns(m_r1, m_r2);
    view.setDifferencesOnly(true);
    QCOMPARE(view.diffKeys(), QStringList({"model.params.factors", "model.params.reg"}));
    view.setDifferencesOnly(false);
    QCOMPARE(view.diffKeys(), QStringList({"eval.k", "model.name", "model.params.factors",
                                           "model.params.lr", "model.params.reg", "seed"}));
    auto flat = w::flattenConfig(R"({"a":{"b":"x","c":[1,2]},"d":[{"e":true}],"f":0.25})");
    QCOMPARE(flat.at("a.b"), QString("x"));
    QCOMPARE(flat.at("a.c"), QString("[1,2]"));
    QCOMPARE(flat.at("d[0].e"), QString("true"));
    QCOMPARE(flat.at("f"), QString("0.25"));
  }

  void significanceReproducesTheHandComputedTest() {
    ComparisonView view(m_path);
    QSignalSpy done(&view, &ComparisonView::significanceFinished);
    view.setSignificanceRuns(m_r1, m_r2);
    QVERIFY(view.significanceMetrics().contains("recall@10"));
    view.setSignificanceMetric("recall@10");
    QVERIFY(done.wait(10000));
    const auto& r = view.significanceResult();
    QVERIFY2(r.ok, qPrintable(r.message));
    QCOMPARE(r.n, std::size_t(5));
    QCOMPARE(r.usersA, std::size_t(6));
    QVERIFY(near(r.tTest.meanDiff, 0.2));
    QVERIFY(near(r.tTest.t, 2 * std::sqrt(5.0), 1e-9));
    QCOMPARE(r.tTest.df, 4.0);
    QVERIFY(near(r.tTest.pValue, 0.0110565, 1e-6));
    QVERIFY(r.wilcoxon.exact);
    QCOMPARE(r.wilcoxon.wPlus, 15.0);
    QCOMPARE(r.wilcoxon.statistic, 0.0);
    QVERIFY(near(r.wilcoxon.pValue, 0.0625));
    QCOMPARE(r.better, 1);
    QVERIFY2(view.significanceText().startsWith("run 1 (mf small) is better on recall@10"),
             qPrintable(view.significanceText()));
    QVERIFY2(view.significanceText().contains("p = 0.0111 (paired t), 0.0625 (Wilcoxon, exact)"),
             qPrintable(view.significanceText()));
    QCOMPARE(w::formatP(0.004), QString("0.004"));
    QCOMPARE(w::formatP(3.14e-7), QString("3.1e-07"));

    // Swapped: run 1 is now B and still the better one.
    done.clear();
    view.setSignificanceRuns(m_r2, m_r1);
    QVERIFY(done.wait(10000));
    QCOMPARE(view.significanceResult().better, 2);
    QVERIFY(near(view.significanceResult().tTest.t, -2 * std::sqrt(5.0), 1e-9));
  }

  void missingPerUserValuesGiveAMessage() {
    ComparisonView view(m_path);
    QSignalSpy done(&view, &ComparisonView::significanceFinished);
    view.setSignificanceRuns(m_r1, m_r3);
    view.setSignificanceMetric("recall@10");
    QVERIFY(done.wait(10000));
    QVERIFY(!view.significanceResult().ok);
    QVERIFY2(view.significanceText().contains("run 3 (popularity) has no per-user metric values"),
             qPrintable(view.significanceText()));

    done.clear();
    view.setSignificanceRuns(m_r1, m_r2);
    view.setSignificanceMetric("mrr@10");  // in the final metrics, not in the artifacts
    QVERIFY(done.wait(10000));
    QVERIFY(!view.significanceResult().ok);
    QVERIFY2(view.significanceText().contains("has no per-user values of mrr@10"),
             qPrintable(view.significanceText()));
  }

  void screenshot() {
    const QString dir = qEnvironmentVariable("RECLAB_SCREENSHOT_DIR");
    if (dir.isEmpty()) QSKIP("set RECLAB_SCREENSHOT_DIR to save screenshots");
    ComparisonView view(m_path);
    view.resize(1100, 620);
    view.setCheckedRuns({m_r1, m_r2, m_r3});
    view.setMetricFamily(RankingFamily::Recall);
    QSignalSpy done(&view, &ComparisonView::significanceFinished);
    view.setSignificanceRuns(m_r1, m_r2);
    QVERIFY(done.wait(10000));
    view.show();
    auto* tabs = view.findChild<QTabWidget*>();
    QVERIFY(tabs);
    const QStringList names = {"ranking", "tables", "diff", "significance"};
    for (int i = 0; i < names.size(); ++i) {
      tabs->setCurrentIndex(i);
      QVERIFY(view.grab().save(dir + "/comparison_" + names[i] + ".png"));
    }
    tabs->setCurrentIndex(0);
    view.setLineChart(true);
    QApplication::processEvents();  // let the chart lay out its new series before the grab
    QVERIFY(view.grab().save(dir + "/comparison_lines.png"));
  }

  /// A screenshot over a real store (e.g. made with `reclab-cli preset ... --db`):
  /// RECLAB_SCREENSHOT_STORE=path, runs to pick in RECLAB_SCREENSHOT_RUNS ("9,11,13").
  void screenshotOfARealStore() {
    const QString dir = qEnvironmentVariable("RECLAB_SCREENSHOT_DIR");
    const QString path = qEnvironmentVariable("RECLAB_SCREENSHOT_STORE");
    if (dir.isEmpty() || path.isEmpty()) QSKIP("set RECLAB_SCREENSHOT_DIR and _STORE");
    ComparisonView view(path);
    view.resize(1100, 620);
    QList<qint64> ids;
    for (const auto& s : qEnvironmentVariable("RECLAB_SCREENSHOT_RUNS").split(',')) {
      ids << s.toLongLong();
    }
    QSignalSpy done(&view, &ComparisonView::significanceFinished);
    view.setCheckedRuns(ids);
    view.show();
    QVERIFY(done.wait(30000));
    auto* tabs = view.findChild<QTabWidget*>();
    const QStringList names = {"ranking", "tables", "diff", "significance"};
    for (int i = 0; i < names.size(); ++i) {
      tabs->setCurrentIndex(i);
      QApplication::processEvents();
      QVERIFY(view.grab().save(dir + "/comparison_real_" + names[i] + ".png"));
    }
  }
};

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QStandardPaths::setTestModeEnabled(true);
  QApplication app(argc, argv);
  ComparisonTests t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_comparison.moc"

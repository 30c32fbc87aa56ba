#pragma once
/// The comparison view (MLflow's "compare runs"): a run picker (checkable list of the store's
/// finished runs with a filter box) and four tabs over the picked runs:
/// - Ranking: grouped bars (one bar set per run, categories k) of a ranking metric family
///   (Recall@k, MRR@k, HitRate@k (ACCs@k), NDCG@k, Precision@k, MAP@k), or one line per run
///   over k; y axis from 0.
/// - Tables: the rating table (RMSE / MAE / R^2), the purchase / classification table (AUC /
///   log loss / accuracy / macro F1), and best and last value of each epoch curve per run
///   (best = min for loss / rmse / mae / mse / error / violation names, max otherwise; see
///   lowerIsBetter).
/// - Diff: two runs' configs flattened to dotted keys, optionally only the differing keys.
/// - Significance: paired t-test and Wilcoxon signed-rank test of two runs over the per-user
///   values of one metric (users both runs evaluated), computed on a worker thread; inputs
///   changing while it runs discard the stale result.
///
/// The view opens its own store::Store on the GUI thread for small queries (run list, final
/// metrics, configs, curves); per-user values are read on the worker with another Store.

#include <QList>
#include <QString>
#include <QWidget>
#include <memory>
#include <vector>

#include "widgets/comparison_model.h"

class QBarSeries;
class QChart;
class QChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QStandardItemModel;
class QTabWidget;
class QTableView;
template <typename T>
class QFutureWatcher;

namespace reclab::store {
class Store;
}

namespace reclab::widgets {

class MessageBar;

class ComparisonView : public QWidget {
  Q_OBJECT

 public:
  /// Opens the store at `storePath` and lists its finished runs; an unreadable store is
  /// reported in the view's message bar (refresh() retries).
  explicit ComparisonView(const QString& storePath, QWidget* parent = nullptr);
  ~ComparisonView() override;

  QString storePath() const { return m_storePath; }
  /// Switches to another store (the picker is reloaded; nothing stays checked).
  void setStorePath(const QString& storePath);

  // Run picker.
  /// Ids of the listed (finished, not archived) runs, newest first.
  QList<qint64> availableRuns() const;
  /// Ids of the checked runs, in list order (newest first).
  QList<qint64> checkedRuns() const;
  void setCheckedRuns(const QList<qint64>& runIds);
  void setRunChecked(qint64 runId, bool checked);
  /// Hides runs whose label does not contain `text` (case-insensitive).
  void setFilterText(const QString& text);

  // Ranking tab.
  void setMetricFamily(RankingFamily family);
  RankingFamily metricFamily() const;
  /// Line chart (one line per run over k) instead of grouped bars.
  void setLineChart(bool lines);
  bool isLineChart() const;
  /// The ranking chart (for the shared exporter).
  QChartView* rankingChartView() const { return m_chartView; }
  int barSetCount() const;
  int lineSeriesCount() const;
  /// The category labels of the x axis ("1", "5", "10", "20").
  QStringList categories() const;
  /// Legend names of the shown series (one per picked run).
  QStringList seriesNames() const;
  /// Value of `runId` at `k` in the current family; NaN when absent or not shown.
  double barValue(qint64 runId, int k) const;

  // Tables tab.
  QTableView* ratingTable() const { return m_ratingView; }
  QTableView* classificationTable() const { return m_classView; }
  QTableView* curveTable() const { return m_curveView; }
  /// The number in the rating / classification table for `runId` and metric column `metric`
  /// ("rmse", "auc"...); NaN when the column or row is absent.
  double ratingValue(qint64 runId, const QString& metric) const;
  double classificationValue(qint64 runId, const QString& metric) const;
  /// Best / last value of curve `metric` of `runId` in the curve table; NaN when absent.
  double curveBest(qint64 runId, const QString& metric) const;
  double curveLast(qint64 runId, const QString& metric) const;

  // Diff tab.
  /// Compares the configs of two runs (checking them in the picker when needed).
  void setDiffRuns(qint64 runA, qint64 runB);
  void setDifferencesOnly(bool only);
  /// The keys of the rows shown in the diff table.
  QStringList diffKeys() const;

  // Significance tab.
  /// Chooses the two runs (checking them in the picker when needed); the test starts on the
  /// worker once the event loop runs.
  void setSignificanceRuns(qint64 runA, qint64 runB);
  void setSignificanceMetric(const QString& metric);
  /// Per-user metrics offered (ranking metrics in the final metrics of both runs).
  QStringList significanceMetrics() const;
  /// The last finished computation for the current inputs.
  const SignificanceResult& significanceResult() const { return m_sig; }
  /// The plain-language line under the numbers.
  QString significanceText() const;

  MessageBar* messageBar() const { return m_messages; }

 public Q_SLOTS:
  /// Re-reads the run list (keeping the checked runs) and rebuilds every tab.
  void refresh();

 Q_SIGNALS:
  /// The picked runs changed and the tabs were rebuilt.
  void comparisonChanged();
  /// A significance computation for the current inputs finished (or failed with a message).
  void significanceFinished();

 private:
  QWidget* buildRankingTab();
  QWidget* buildTablesTab();
  QWidget* buildDiffTab();
  QWidget* buildSignificanceTab();
  bool openStore();
  void onPickChanged();
  void rebuild();
  void rebuildChart();
  void rebuildTables();
  void rebuildDiff();
  void fillRunCombos();
  void fillMetricCombo();
  void scheduleSignificance();
  void startSignificance();
  void showSignificance();
  const RunMetrics* runById(qint64 id) const;
  double tableValue(const QStandardItemModel* m, qint64 runId, const QString& column,
                    const QString& metric = {}) const;

  QString m_storePath;
  std::unique_ptr<store::Store> m_store;
  std::vector<RunMetrics> m_runs;  ///< the checked runs, in picker order
  QList<int> m_ks;                 ///< categories of the ranking chart
  bool m_updating = false;

  MessageBar* m_messages;
  QLineEdit* m_filter;
  QListWidget* m_runList;
  QTabWidget* m_tabs;

  QComboBox* m_family;
  QCheckBox* m_lines;
  QCheckBox* m_valueLabels;
  QChart* m_chart;
  QChartView* m_chartView;

  QStandardItemModel* m_ratingModel;
  QStandardItemModel* m_classModel;
  QStandardItemModel* m_curveModel;
  QTableView* m_ratingView;
  QTableView* m_classView;
  QTableView* m_curveView;
  QLabel* m_ratingEmpty;
  QLabel* m_classEmpty;

  QComboBox* m_diffA;
  QComboBox* m_diffB;
  QCheckBox* m_diffOnly;
  QStandardItemModel* m_diffModel;
  QTableView* m_diffView;

  QComboBox* m_sigA;
  QComboBox* m_sigB;
  QComboBox* m_sigMetric;
  QLabel* m_sigNumbers;
  QLabel* m_sigSummary;
  SignificanceResult m_sig;
  QFutureWatcher<SignificanceResult>* m_sigWatcher;
  int m_sigGeneration = 0;          ///< bumped on every input change; stale results are dropped
  int m_sigRunningGeneration = -1;  ///< generation of the computation in flight, -1 when idle
  bool m_sigScheduled = false;
};

}  // namespace reclab::widgets

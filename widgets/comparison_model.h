#pragma once
/// The non-visual part of the comparison view (plain C++ / Qt Core): the metrics of the picked
/// runs gathered from the store, ranking values per metric family and k, best / last values of
/// curves, flattened config diffs (MLflow's "diff only") and the paired significance test of
/// two runs over their per-user values (artifact "per_user_metrics.json").

#include <QList>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eval/significance.h"

namespace reclab::store {
class Store;
struct CurvePoint;
}  // namespace reclab::store

namespace reclab::widgets {

/// The metrics of one finished run, as the comparison shows them.
struct RunMetrics {
  qint64 id = 0;
  QString name;   ///< the run's name (may be empty)
  QString model;  ///< model name
  QString task;
  QString configJson;
  std::map<std::string, double> metrics;  ///< final metrics ("recall@10", "rmse", ...)
  /// "run 3 (torch_mf)": the label used in legends, tables and sentences.
  QString label() const;
};

/// Reads runs, their final metrics and configs from `store` (small queries; GUI thread is
/// fine). Unknown ids are skipped.
std::vector<RunMetrics> loadRunMetrics(const store::Store& store, const QList<qint64>& runIds);

/// The ranking metric families of the charts, in combo order.
enum class RankingFamily { Recall, Mrr, HitRate, Ndcg, Precision, Map };
inline constexpr int kRankingFamilyCount = 6;
/// Metric base name in the store: "recall", "mrr", "hit_rate", "ndcg", "precision", "map".
QString familyKey(RankingFamily f);
/// Display name: "Recall@k", "MRR@k", "HitRate@k (ACCs@k)", "NDCG@k", "Precision@k", "MAP@k".
QString familyLabel(RankingFamily f);

/// The k values (ascending) for which any of `runs` has "<family>@k" (fold std "_std" names
/// excluded).
QList<int> rankingKs(const std::vector<RunMetrics>& runs, RankingFamily f);
/// The run's "<family>@k"; NaN when absent.
double rankingValue(const RunMetrics& run, RankingFamily f, int k);

/// True for metrics where smaller is better: names (after a val_ / train_ / test_ / batch_
/// prefix) containing "loss", "rmse", "mae", "mse", "error" or "violation". Everything else
/// (recall, auc, accuracy, r2, throughput...) is larger-is-better.
bool lowerIsBetter(const QString& metric);

/// Best and last value of one curve metric of a run.
struct CurveSummary {
  QString metric;
  double best = 0;    ///< min when lowerIsBetter(metric), max otherwise (finite values only)
  int bestEpoch = 0;  ///< epoch of the best point (the first one on ties)
  double last = 0;    ///< value of the latest point (largest epoch, then step); may be NaN
  int lastEpoch = 0;
  int points = 0;
};
/// Per-metric summaries of a run's curve points, sorted by metric name. Per-batch curves
/// ("batch_..." names) are left out: their best point is noise, not a result.
std::vector<CurveSummary> summarizeCurves(const std::vector<store::CurvePoint>& points);

/// Flattens a JSON object to dotted keys: {"model": {"params": {"factors": 64}}} ->
/// "model.params.factors" = "64". Strings are shown without quotes, arrays of scalars as
/// compact JSON ("[5,10,20]"), arrays holding objects by index ("datasets[0].path").
/// Invalid or non-object JSON gives one key "" holding the text.
std::map<QString, QString> flattenConfig(const QString& json);

struct ConfigDiffRow {
  QString key;
  QString a, b;  ///< values; empty with present = false when the key is missing on that side
  bool presentA = true, presentB = true;
  bool differs = false;
};
/// Union of both flattened configs' keys, sorted; `differs` when a value differs or a key is
/// only on one side.
std::vector<ConfigDiffRow> diffConfigs(const QString& jsonA, const QString& jsonB);

/// Per-user values of a run: user ids (as text) and metric name -> one value per user.
struct PerUserValues {
  std::vector<std::string> users;
  std::map<std::string, std::vector<double>> values;
};
/// Parses artifact "per_user_metrics.json": {"users": [...], "values": {"recall@10": [...]}}.
/// Throws std::runtime_error with a readable message when malformed (a values array whose
/// length differs from users).
PerUserValues parsePerUserValues(const std::string& json);

/// Outcome of the paired comparison of two runs on one per-user metric.
struct SignificanceResult {
  bool ok = false;
  QString message;  ///< the plain-language line, or why nothing was computed
  QString metric;
  qint64 runA = 0, runB = 0;
  std::size_t usersA = 0, usersB = 0;  ///< users evaluated by each run
  std::size_t n = 0;                   ///< users both evaluated (the pairs)
  double meanA = 0, meanB = 0;         ///< means over the paired users
  eval::TTestResult tTest;             ///< on d = a - b
  eval::WilcoxonResult wilcoxon;       ///< on d = a - b
  /// 0: no difference, 1: run A better, 2: run B better (by the paired mean and the metric's
  /// direction).
  int better = 0;
};

/// Pairs the users both runs evaluated (intersection by user id, in A's order) and runs the
/// paired t-test and the Wilcoxon signed-rank test on a - b. Missing metric or fewer than two
/// shared users give ok = false and a message saying so.
SignificanceResult compareOnUsers(const PerUserValues& a, const QString& labelA, qint64 runA,
                                  const PerUserValues& b, const QString& labelB, qint64 runB,
                                  const QString& metric);

/// Opens its own Store on `storePath` (safe from a worker thread), reads both runs'
/// per_user_metrics.json and calls compareOnUsers. Never throws: problems (no artifact, bad
/// JSON, unknown run) come back as ok = false with a message.
SignificanceResult compareRunsInStore(const QString& storePath, qint64 runA, qint64 runB,
                                      const QString& metric);

/// Formats a p-value for people: 3 significant digits ("0.0111", "0.004"), "3.1e-07" below
/// 0.001, "< 1e-300" for 0, "n/a" for NaN.
QString formatP(double p);

}  // namespace reclab::widgets

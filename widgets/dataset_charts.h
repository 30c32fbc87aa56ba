#pragma once
/// Dataset statistics as four charts in a 2x2 grid: events per type (bars, optional log
/// scale: views are ~97 % of e-commerce logs), the session-length histogram (lengths 1..50 and
/// ">50"; per-user counts when the log has no sessions), the popularity long tail (item rank
/// vs. interactions, log-log) and the activity over time (events per UTC day).
///
/// The series data are computed by computeChartData(), plain C++ meant for a worker thread
/// (the loading worker); the widget only turns prepared data into series.

#include <QWidget>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "data/load.h"

class QChartView;
class QCheckBox;
class QLabel;

namespace reclab::widgets {

struct DatasetChartData {
  /// Event name -> rows, in the log's event order (one "interaction" bar without events).
  std::vector<std::pair<std::string, std::uint64_t>> eventsPerType;

  /// "Session length (events)", "Ratings per user", "Interactions per user" or
  /// "Interactions per item".
  std::string lengthTitle;
  /// True when lengthHistogram is the sessions' histogram: bins "1".."50" then ">50" (all 51
  /// always present). Otherwise log2 bins "1", "2-3", "4-7"... of per-user (else per-item)
  /// interaction counts.
  bool sessionLengths = false;
  std::vector<std::pair<std::string, std::uint64_t>> lengthHistogram;

  /// (rank, interactions) of items with at least one event, rank 1 the most popular,
  /// interactions non-increasing. Every rank up to 100, then log-spaced ranks (about 40 per
  /// decade) and always the last one.
  std::vector<std::pair<std::int64_t, std::uint64_t>> longTail;
  std::int64_t itemsWithEvents = 0;

  /// (day, events) for every UTC day from the first to the last event (zeros included); day =
  /// days since 1970-01-01. Empty without timestamps.
  std::vector<std::pair<std::int64_t, std::uint64_t>> eventsPerDay;
};

/// Computes the charts' data (linear in the rows plus a sort of the item counts; run it off the
/// GUI thread).
DatasetChartData computeChartData(const data::LoadResult& result);

class DatasetCharts : public QWidget {
  Q_OBJECT

 public:
  explicit DatasetCharts(QWidget* parent = nullptr);
  ~DatasetCharts() override;

  /// Shows prepared data (computed on a worker with computeChartData()).
  void setChartData(std::shared_ptr<const DatasetChartData> data);
  /// Convenience: computes the data of `result` on a worker (QtConcurrent), then shows it and
  /// emits chartsReady(). A later call or clear() discards a result still being computed.
  void setDataset(std::shared_ptr<const data::LoadResult> result);
  void clear();
  std::shared_ptr<const DatasetChartData> chartData() const { return m_data; }

  /// Events per type, lengths histogram, long tail, activity (for the shared chart exporter).
  QList<QChartView*> chartViews() const;
  QChartView* eventsView() const { return m_events; }
  QChartView* lengthsView() const { return m_lengths; }
  QChartView* longTailView() const { return m_longTail; }
  QChartView* activityView() const { return m_activity; }
  /// Log-scale count axis of the events chart (on by default when the largest type has 10x
  /// the smallest) and of the histogram.
  QCheckBox* eventsLogCheck() const { return m_eventsLog; }
  QCheckBox* lengthsLogCheck() const { return m_lengthsLog; }

 Q_SIGNALS:
  /// The charts show new data (after setChartData() or a finished setDataset()).
  void chartsReady();

 private:
  void rebuildEvents();
  void rebuildLengths();
  void rebuildLongTail();
  void rebuildActivity();

  std::shared_ptr<const DatasetChartData> m_data;
  int m_generation = 0;
  QChartView* m_events;
  QChartView* m_lengths;
  QChartView* m_longTail;
  QChartView* m_activity;
  QCheckBox* m_eventsLog;
  QCheckBox* m_lengthsLog;
};

}  // namespace reclab::widgets

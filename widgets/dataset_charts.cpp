#include "widgets/dataset_charts.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "widgets/dataset_summary.h"

namespace reclab::widgets {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::size_t kSessionBins = 50;     // lengths 1..50, then ">50"
constexpr std::int64_t kAllRanksUpTo = 100;  // long tail: every rank up to here
constexpr double kRanksPerDecade = 40;
constexpr std::int64_t kMaxDays = 200'000;  // activity: a longer span is not plotted

std::vector<std::uint32_t> countPerIndex(const std::vector<std::int32_t>& column,
                                         std::int32_t size) {
  std::vector<std::uint32_t> counts(static_cast<std::size_t>(std::max(size, 0)), 0);
  for (auto v : column) {
    if (v >= 0 && v < size) ++counts[static_cast<std::size_t>(v)];
  }
  return counts;
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

QChartView* makeChartView(QWidget* parent) {
  auto* chart = new QChart();
  chart->legend()->hide();
  chart->setMargins(QMargins(4, 4, 4, 4));
  auto* view = new QChartView(chart, parent);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumSize(280, 220);
  return view;
}

void resetChart(QChart* chart, const QString& title) {
  chart->removeAllSeries();
  for (auto* axis : chart->axes()) {
    chart->removeAxis(axis);
    delete axis;
  }
  chart->setTitle(title);
}

/// A count axis: log10 from below the smallest positive value, or linear from 0.
QAbstractAxis* countAxis(bool logScale, double minPositive, double maxValue, const QString& title) {
  QAbstractAxis* axis;
  if (logScale) {
    auto* y = new QLogValueAxis();
    y->setBase(10);
    y->setLabelFormat("%g");
    // A decade below the smallest bar when it is close to a power of ten, so that it shows.
    const double lo = std::pow(10.0, std::floor(std::log10(std::max(minPositive / 3, 1.0))));
    const double hi = std::pow(10.0, std::ceil(std::log10(std::max(maxValue, 1.0) * 1.2)));
    y->setRange(lo, std::max(hi, lo * 10));
    y->setMinorTickCount(-1);
    axis = y;
  } else {
    auto* y = new QValueAxis();
    y->setRange(0, std::max(1.0, maxValue * 1.08));
    y->applyNiceNumbers();
    y->setLabelFormat("%.0f");
    axis = y;
  }
  axis->setTitleText(title);
  return axis;
}

}  // namespace

DatasetChartData computeChartData(const data::LoadResult& result) {
  const auto& log = result.log;
  DatasetChartData d;
  const std::size_t rows = log.numRows();

  // Events per type.
  const std::size_t types = std::max<std::size_t>(log.eventNames.size(), 1);
  std::vector<std::uint64_t> perType(types, 0);
  if (log.hasEvents()) {
    for (auto e : log.event) {
      if (e < types) ++perType[e];
    }
  } else {
    perType[0] = rows;
  }
  for (std::size_t t = 0; t < types; ++t) {
    std::string name = t < log.eventNames.size()
                           ? log.eventNames[t]
                           : (log.valueName.empty() ? "interaction" : log.valueName);
    d.eventsPerType.emplace_back(name, perType[t]);
  }

  // Session lengths, else interactions per user (or per item).
  if (log.hasSessions()) {
    d.lengthTitle = "Session length (events)";
    d.sessionLengths = true;
    std::vector<std::uint64_t> bins(kSessionBins + 1, 0);
    for (auto len : countPerIndex(log.session, log.numSessions())) {
      if (len > 0) ++bins[std::min<std::size_t>(len, kSessionBins + 1) - 1];
    }
    for (std::size_t k = 0; k < kSessionBins; ++k) {
      d.lengthHistogram.emplace_back(std::to_string(k + 1), bins[k]);
    }
    d.lengthHistogram.emplace_back(">" + std::to_string(kSessionBins), bins[kSessionBins]);
  } else if (log.hasUsers()) {
    d.lengthTitle = log.valueName == "rating" ? "Ratings per user" : "Interactions per user";
    d.lengthHistogram = log2Histogram(countPerIndex(log.user, log.numUsers()));
  } else {
    d.lengthTitle = "Interactions per item";
    d.lengthHistogram = log2Histogram(countPerIndex(log.item, log.numItems()));
  }

  // Popularity long tail.
  auto counts = countPerIndex(log.item, log.numItems());
  counts.erase(std::remove(counts.begin(), counts.end(), 0u), counts.end());
  std::sort(counts.begin(), counts.end(), std::greater<>());
  const auto n = static_cast<std::int64_t>(counts.size());
  d.itemsWithEvents = n;
  double nextLog = std::log10(static_cast<double>(kAllRanksUpTo));
  for (std::int64_t rank = 1; rank <= n; ++rank) {
    bool take = rank <= kAllRanksUpTo || rank == n;
    if (!take && std::log10(static_cast<double>(rank)) >= nextLog) take = true;
    if (!take) continue;
    if (rank > kAllRanksUpTo) nextLog = std::log10(static_cast<double>(rank)) + 1 / kRanksPerDecade;
    d.longTail.emplace_back(rank, counts[static_cast<std::size_t>(rank - 1)]);
  }

  // Events per UTC day.
  if (log.hasTimestamps() && rows > 0) {
    std::int64_t lo = std::numeric_limits<std::int64_t>::max();
    std::int64_t hi = std::numeric_limits<std::int64_t>::min();
    for (std::size_t r = 0; r < rows; ++r) {
      const std::int64_t day = floorDiv(log.timestamp[r], kDayMs);
      lo = std::min(lo, day);
      hi = std::max(hi, day);
    }
    if (hi - lo < kMaxDays) {
      std::vector<std::uint64_t> perDay(static_cast<std::size_t>(hi - lo + 1), 0);
      for (std::size_t r = 0; r < rows; ++r) {
        ++perDay[static_cast<std::size_t>(floorDiv(log.timestamp[r], kDayMs) - lo)];
      }
      for (std::size_t k = 0; k < perDay.size(); ++k) {
        d.eventsPerDay.emplace_back(lo + static_cast<std::int64_t>(k), perDay[k]);
      }
    }
  }
  return d;
}

DatasetCharts::DatasetCharts(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  auto* options = new QHBoxLayout();
  m_eventsLog = new QCheckBox(tr("Log scale: events per type"), this);
  m_lengthsLog = new QCheckBox(tr("Log scale: histogram"), this);
  options->addWidget(m_eventsLog);
  options->addWidget(m_lengthsLog);
  options->addStretch(1);
  layout->addLayout(options);

  auto* grid = new QGridLayout();
  grid->setSpacing(4);
  m_events = makeChartView(this);
  m_lengths = makeChartView(this);
  m_longTail = makeChartView(this);
  m_activity = makeChartView(this);
  grid->addWidget(m_events, 0, 0);
  grid->addWidget(m_lengths, 0, 1);
  grid->addWidget(m_longTail, 1, 0);
  grid->addWidget(m_activity, 1, 1);
  layout->addLayout(grid, 1);

  connect(m_eventsLog, &QCheckBox::toggled, this, [this] { rebuildEvents(); });
  connect(m_lengthsLog, &QCheckBox::toggled, this, [this] { rebuildLengths(); });
  clear();
}

DatasetCharts::~DatasetCharts() = default;

QList<QChartView*> DatasetCharts::chartViews() const {
  return {m_events, m_lengths, m_longTail, m_activity};
}

void DatasetCharts::clear() {
  ++m_generation;
  m_data.reset();
  rebuildEvents();
  rebuildLengths();
  rebuildLongTail();
  rebuildActivity();
}

void DatasetCharts::setChartData(std::shared_ptr<const DatasetChartData> data) {
  ++m_generation;
  m_data = std::move(data);
  if (m_data) {
    std::uint64_t lo = 0, hi = 0;
    for (const auto& [name, count] : m_data->eventsPerType) {
      if (count > 0) lo = lo == 0 ? count : std::min(lo, count);
      hi = std::max(hi, count);
    }
    const QSignalBlocker block(m_eventsLog);
    m_eventsLog->setChecked(lo > 0 && hi >= 10 * lo);
  }
  rebuildEvents();
  rebuildLengths();
  rebuildLongTail();
  rebuildActivity();
  Q_EMIT chartsReady();
}

void DatasetCharts::setDataset(std::shared_ptr<const data::LoadResult> result) {
  if (!result) {
    clear();
    return;
  }
  const int generation = ++m_generation;
  using Result = std::shared_ptr<const DatasetChartData>;
  auto* watcher = new QFutureWatcher<Result>(this);
  connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
    watcher->deleteLater();
    if (generation == m_generation) setChartData(watcher->result());
  });
  watcher->setFuture(QtConcurrent::run([result]() -> Result {
    return std::make_shared<DatasetChartData>(computeChartData(*result));
  }));
}

void DatasetCharts::rebuildEvents() {
  QChart* chart = m_events->chart();
  resetChart(chart, tr("Events per type"));
  if (!m_data || m_data->eventsPerType.empty()) return;
  auto* set = new QBarSet(tr("events"));
  QStringList labels;
  double lo = 0, hi = 0, total = 0;
  for (const auto& [name, count] : m_data->eventsPerType) total += static_cast<double>(count);
  for (const auto& [name, count] : m_data->eventsPerType) {
    // The count and share under each bar: readable on either scale.
    const auto v = static_cast<double>(count);
    labels << QString("%1<br>%L2<br>%3 %")
                  .arg(QString::fromStdString(name))
                  .arg(count)
                  .arg(total > 0 ? 100.0 * v / total : 0.0, 0, 'f', 1);
    *set << v;
    if (v > 0) lo = lo == 0 ? v : std::min(lo, v);
    hi = std::max(hi, v);
  }
  auto* series = new QBarSeries();
  series->append(set);
  chart->addSeries(series);
  auto* x = new QBarCategoryAxis();
  x->append(labels);
  auto* y = countAxis(m_eventsLog->isChecked(), lo, hi, tr("events"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
}

void DatasetCharts::rebuildLengths() {
  QChart* chart = m_lengths->chart();
  resetChart(chart, m_data ? QString::fromStdString(m_data->lengthTitle) : tr("Session length"));
  if (!m_data || m_data->lengthHistogram.empty()) return;
  const auto& bins = m_data->lengthHistogram;
  auto* set = new QBarSet(chart->title());
  double lo = 0, hi = 0;
  for (const auto& [label, count] : bins) {
    const auto v = static_cast<double>(count);
    *set << v;
    if (v > 0) lo = lo == 0 ? v : std::min(lo, v);
    hi = std::max(hi, v);
  }
  auto* series = new QBarSeries();
  series->setBarWidth(0.85);
  series->append(set);
  chart->addSeries(series);
  QAbstractAxis* x;
  if (m_data->sessionLengths) {
    // 51 bars: label 1, 5, 10, ..., 45 and ">50" on their bars instead of every bar.
    auto* axis = new QCategoryAxis();
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    axis->setRange(-0.5, static_cast<double>(bins.size()) - 0.5);
    for (std::size_t k = 0; k < bins.size(); ++k) {
      if (k == 0 || ((k + 1) % 5 == 0 && k + 2 < bins.size()) || k + 1 == bins.size()) {
        axis->append(QString::fromStdString(bins[k].first), static_cast<double>(k));
      }
    }
    axis->setTitleText(tr("events in the session"));
    x = axis;
  } else {
    auto* axis = new QBarCategoryAxis();
    // "128-255" is wider than its bar when there are many bins: break it over two lines.
    for (const auto& [label, count] : bins) {
      QString text = QString::fromStdString(label);
      if (bins.size() > 6 && text.size() > 4) text.replace("-", "-<br>");
      axis->append(text);
    }
    axis->setTitleText(tr("interactions"));
    x = axis;
  }
  auto* y = countAxis(m_lengthsLog->isChecked(), lo, hi,
                      m_data->sessionLengths ? tr("sessions") : tr("users"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
}

void DatasetCharts::rebuildLongTail() {
  QChart* chart = m_longTail->chart();
  resetChart(chart, tr("Popularity long tail"));
  if (!m_data || m_data->longTail.empty()) return;
  chart->setTitle(tr("Popularity long tail (%L1 items with events)").arg(m_data->itemsWithEvents));
  auto* series = new QLineSeries();
  QList<QPointF> points;
  double maxCount = 1, minCount = 1e300;
  for (const auto& [rank, count] : m_data->longTail) {
    points << QPointF(static_cast<double>(rank), static_cast<double>(count));
    maxCount = std::max(maxCount, static_cast<double>(count));
    minCount = std::min(minCount, static_cast<double>(count));
  }
  series->replace(points);
  chart->addSeries(series);
  auto* x = new QLogValueAxis();
  x->setBase(10);
  x->setLabelFormat("%g");
  x->setTitleText(tr("item rank"));
  const double maxRank = static_cast<double>(m_data->longTail.back().first);
  x->setRange(1, std::max(10.0, maxRank * 1.25));
  x->setMinorTickCount(-1);
  auto* y = countAxis(true, minCount, maxCount, tr("interactions"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
}

void DatasetCharts::rebuildActivity() {
  QChart* chart = m_activity->chart();
  resetChart(chart, tr("Activity (events per day, UTC)"));
  if (!m_data || m_data->eventsPerDay.empty()) return;
  auto* series = new QLineSeries();
  QList<QPointF> points;
  double hi = 0;
  for (const auto& [day, count] : m_data->eventsPerDay) {
    // At noon, so that the day label is right in any time zone within +-12 h.
    points << QPointF(static_cast<double>(day * kDayMs + kDayMs / 2), static_cast<double>(count));
    hi = std::max(hi, static_cast<double>(count));
  }
  series->replace(points);
  chart->addSeries(series);
  auto* x = new QDateTimeAxis();
  const qint64 first = m_data->eventsPerDay.front().first * kDayMs;
  const qint64 last = (m_data->eventsPerDay.back().first + 1) * kDayMs;
  const double spanDays = static_cast<double>(last - first) / kDayMs;
  x->setFormat(spanDays > 3 * 365 ? "yyyy" : spanDays > 400 ? "yyyy-MM" : "yyyy-MM-dd");
  x->setRange(QDateTime::fromMSecsSinceEpoch(first), QDateTime::fromMSecsSinceEpoch(last));
  x->setTickCount(5);
  x->setTitleText(tr("date"));
  auto* y = new QValueAxis();
  y->setRange(0, std::max(1.0, hi * 1.08));
  y->applyNiceNumbers();
  y->setLabelFormat("%.0f");
  y->setTitleText(tr("events"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
}

}  // namespace reclab::widgets

#include "widgets/training_chart.h"

#include <QAction>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMouseEvent>
#include <QThread>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

namespace reclab::widgets {

namespace {

constexpr int kFlushIntervalMs = 40;
constexpr int kMaxDrawnPoints = 2000;
constexpr int kRawAlpha = 80;  ///< opacity (of 255) of the raw curve under its smoothed one

/// The series colours of `theme`, in the order the theme hands them out (one cycle). A chart
/// draws two series per metric, so each metric's colour is picked here rather than by the theme.
const QList<QColor>& themeColours(QChart::ChartTheme theme) {
  static std::map<QChart::ChartTheme, QList<QColor>> cache;
  auto it = cache.find(theme);
  if (it != cache.end()) return it->second;
  QChart probe;
  probe.setTheme(theme);
  QList<QColor> colours;
  for (int i = 0; i < 16; ++i) {
    auto* s = new QLineSeries();
    probe.addSeries(s);
    if (!colours.isEmpty() && s->color() == colours.front()) break;
    colours << s->color();
  }
  return cache.emplace(theme, colours).first->second;
}

/// Metrics beyond one cycle of colours repeat them with another dash pattern.
Qt::PenStyle penStyle(std::size_t metricIndex, qsizetype colours) {
  constexpr Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
  return styles[(metricIndex / static_cast<std::size_t>(colours)) % 4];
}

/// Up to this many metrics the legend sits under the plot, beyond it on the right (one per line).
constexpr std::size_t kBottomLegendMetrics = 4;

/// At most kMaxDrawnPoints points of a longer curve: its x range in kMaxDrawnPoints / 2
/// buckets of equal point count, each drawn as its lowest and highest point in x order (so
/// spikes and the noise band survive), plus the last point.
QList<QPointF> decimate(const QList<QPointF>& points) {
  if (points.size() <= kMaxDrawnPoints) return points;
  const qsizetype buckets = kMaxDrawnPoints / 2;
  QList<QPointF> out;
  out.reserve(kMaxDrawnPoints + 1);
  for (qsizetype b = 0; b < buckets; ++b) {
    const qsizetype lo = points.size() * b / buckets, hi = points.size() * (b + 1) / buckets;
    qsizetype minAt = lo, maxAt = lo;
    for (qsizetype i = lo + 1; i < hi; ++i) {
      if (points[i].y() < points[minAt].y()) minAt = i;
      if (points[i].y() > points[maxAt].y()) maxAt = i;
    }
    out.append(points[std::min(minAt, maxAt)]);
    if (minAt != maxAt) out.append(points[std::max(minAt, maxAt)]);
  }
  if (out.back() != points.back()) out.append(points.back());
  return out;
}

/// A tick interval giving at most ~`ticks` ticks on a span, from 1-2-5 steps, at least `minStep`.
double niceInterval(double span, double minStep, double ticks = 8.0) {
  const double raw = std::max(span / ticks, minStep);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * mag >= raw) return m * mag;
  }
  return 10.0 * mag;
}

/// Sets a dynamic-tick axis to [lo, hi] with ticks every `interval`, in the order that never
/// asks it for more ticks than either end state has: each label is a text item, and a wide range
/// with a stale small interval (0 .. 5000 every 1) would lay out thousands of them.
void setAxis(QValueAxis* axis, double lo, double hi, double interval) {
  if (interval >= axis->tickInterval()) {
    axis->setTickInterval(interval);
    axis->setRange(lo, hi);
  } else {
    axis->setRange(lo, hi);
    axis->setTickInterval(interval);
  }
}

}  // namespace

TrainingChart::TrainingChart(QWidget* parent) : QChartView(parent) {
  auto* chart = new QChart();
  chart->setTitle(tr("Training curves"));
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);  // shows the dash pattern
  chart->setMargins(QMargins(4, 4, 4, 4));
  setChart(chart);
  setRenderHint(QPainter::Antialiasing);
  setRubberBand(QChartView::RectangleRubberBand);
  setToolTip(
      tr("Drag or scroll to zoom; double-click (or Reset zoom in the context menu) "
         "to follow the data again"));
  setMinimumSize(320, 220);
  // The context menu: Reset zoom first, the exporter's actions (ChartExporter::attach) after.
  m_resetZoomAction = new QAction(tr("Reset zoom"), this);
  connect(m_resetZoomAction, &QAction::triggered, this, &TrainingChart::resetZoom);
  auto* separator = new QAction(this);
  separator->setSeparator(true);
  addActions({m_resetZoomAction, separator});
  setContextMenuPolicy(Qt::ActionsContextMenu);

  m_stepAxis = new QValueAxis(this);
  m_stepAxis->setTitleText(tr("batch step"));
  m_stepAxis->setLabelFormat("%.0f");
  m_stepAxis->setTickType(QValueAxis::TicksDynamic);
  m_stepAxis->setTickAnchor(0);
  m_stepAxis->setTickInterval(1);
  m_epochAxis = new QValueAxis(this);
  m_epochAxis->setTitleText(tr("epoch"));
  m_epochAxis->setLabelFormat("%.0f");
  m_epochAxis->setTickType(QValueAxis::TicksDynamic);
  m_epochAxis->setTickAnchor(0);
  m_epochAxis->setTickInterval(1);
  m_yAxis = new QValueAxis(this);
  m_yAxis->setLabelFormat("%.3g");
  m_yAxis->setTickType(QValueAxis::TicksDynamic);
  m_yAxis->setTickAnchor(0);
  m_yAxis->setTickInterval(0.2);
  chart->addAxis(m_stepAxis, Qt::AlignBottom);
  chart->addAxis(m_epochAxis, Qt::AlignTop);
  chart->addAxis(m_yAxis, Qt::AlignLeft);
  m_stepAxis->setRange(0, 1);
  m_epochAxis->setRange(0, 1);
  m_yAxis->setRange(0, 1);
  m_stepAxis->hide();
  m_epochAxis->hide();

  for (auto* axis : {m_stepAxis, m_epochAxis, m_yAxis}) {
    connect(axis, &QValueAxis::rangeChanged, this,
            [this, axis](qreal lo, qreal hi) { onAxisRangeChanged(axis, lo, hi); });
  }
  m_timer.setSingleShot(true);
  m_timer.setInterval(kFlushIntervalMs);
  connect(&m_timer, &QTimer::timeout, this, &TrainingChart::flush);
}

TrainingChart::~TrainingChart() = default;

QList<QPointF> TrainingChart::debiasedEma(const QList<QPointF>& points, double weight) {
  QList<QPointF> out;
  out.reserve(points.size());
  double ema = 0, debias = 1;  // debias = w^t
  for (const QPointF& p : points) {
    ema = weight * ema + (1 - weight) * p.y();
    debias *= weight;
    out.append(QPointF(p.x(), ema / (1 - debias)));
  }
  return out;
}

void TrainingChart::append(const QString& metric, double x, double y, Axis axis) {
  if (!std::isfinite(x) || !std::isfinite(y)) return;
  bool schedule = false;
  {
    QMutexLocker lock(&m_mutex);
    Pending& p = m_pending[metric];
    p.axis = axis;
    p.points.append(QPointF(x, y));
    schedule = !m_flushScheduled;
    m_flushScheduled = true;
  }
  if (schedule) scheduleFlush();
}

void TrainingChart::scheduleFlush() {
  if (QThread::currentThread() == thread()) {
    if (!m_timer.isActive()) m_timer.start();
  } else {
    QMetaObject::invokeMethod(
        this,
        [this] {
          if (!m_timer.isActive()) m_timer.start();
        },
        Qt::QueuedConnection);
  }
}

void TrainingChart::clear() {
  {
    QMutexLocker lock(&m_mutex);
    m_pending.clear();
  }
  for (auto& [name, curve] : m_curves) {
    for (QLineSeries* series : {curve.raw, curve.smooth}) {
      chart()->removeSeries(series);
      delete series;
    }
  }
  m_curves.clear();
  chart()->legend()->setAlignment(Qt::AlignBottom);
  m_stepAxis->hide();
  m_epochAxis->hide();
  m_userZoomed = false;
  rescale();
}

void TrainingChart::flushNow() {
  m_timer.stop();
  flush();
}

void TrainingChart::setTitle(const QString& title) { chart()->setTitle(title); }

int TrainingChart::pointCount(const QString& metric) const {
  auto it = m_curves.find(metric);
  return it == m_curves.end() ? 0 : static_cast<int>(it->second.points.size());
}

QStringList TrainingChart::metrics() const {
  QStringList names;
  for (const auto& [name, curve] : m_curves) names << name;
  return names;
}

QLineSeries* TrainingChart::smoothedSeries(const QString& metric) const {
  auto it = m_curves.find(metric);
  return it == m_curves.end() ? nullptr : it->second.smooth;
}

QLineSeries* TrainingChart::rawSeries(const QString& metric) const {
  auto it = m_curves.find(metric);
  return it == m_curves.end() ? nullptr : it->second.raw;
}

void TrainingChart::resetZoom() {
  m_userZoomed = false;
  rescale();
}

void TrainingChart::setSmoothing(double weight) {
  weight = std::clamp(weight, 0.0, kMaxSmoothing);
  if (weight == m_smoothing) return;
  m_smoothing = weight;
  m_smoothingChanged = true;
  scheduleFlush();
  Q_EMIT smoothingChanged(weight);
}

TrainingChart::Curve& TrainingChart::curveFor(const QString& metric, Axis axis) {
  auto it = m_curves.find(metric);
  if (it != m_curves.end()) return it->second;
  Curve curve;
  curve.axis = axis;
  const QList<QColor>& palette = themeColours(chart()->theme());
  const QColor colour = palette[static_cast<qsizetype>(m_curves.size()) % palette.size()];
  const Qt::PenStyle style = penStyle(m_curves.size(), palette.size());
  QColor faint = colour;
  faint.setAlpha(kRawAlpha);
  curve.raw = new QLineSeries();
  curve.raw->setName(tr("%1 (raw)").arg(metric));
  curve.smooth = new QLineSeries();
  curve.smooth->setName(metric);
  m_rescaling = true;
  chart()->addSeries(curve.raw);  // drawn first: under the smoothed curve
  chart()->addSeries(curve.smooth);
  QPen rawPen(faint, axis == Axis::Epoch ? 1.5 : 1.0, style);
  QPen smoothPen(colour, axis == Axis::Epoch ? 2.5 : 1.5, style);
  curve.raw->setPen(rawPen);
  curve.smooth->setPen(smoothPen);
  curve.raw->setPointsVisible(axis == Axis::Epoch);
  curve.smooth->setPointsVisible(axis == Axis::Epoch);
  curve.raw->setVisible(axis == Axis::Step && m_smoothing > 0);
  for (QLineSeries* series : {curve.raw, curve.smooth}) {
    series->attachAxis(axis == Axis::Step ? m_stepAxis : m_epochAxis);
    series->attachAxis(m_yAxis);
  }
  for (QLegendMarker* marker : chart()->legend()->markers(curve.raw)) marker->setVisible(false);
  if (m_curves.size() + 1 > kBottomLegendMetrics) chart()->legend()->setAlignment(Qt::AlignRight);
  m_rescaling = false;
  return m_curves.emplace(metric, std::move(curve)).first->second;
}

void TrainingChart::extendSmoothed(Curve& curve, const QList<QPointF>& points) const {
  const double w = curve.axis == Axis::Step ? m_smoothing : 0.0;
  for (const QPointF& p : points) {
    curve.ema = w * curve.ema + (1 - w) * p.y();
    const auto t = static_cast<double>(curve.smoothed.size() + 1);
    curve.smoothed.append(QPointF(p.x(), curve.ema / (1 - std::pow(w, t))));
  }
}

void TrainingChart::redraw(Curve& curve) {
  m_rescaling = true;
  curve.raw->replace(decimate(curve.points));
  curve.smooth->replace(decimate(curve.smoothed));
  m_rescaling = false;
}

void TrainingChart::flush() {
  QHash<QString, Pending> pending;
  {
    QMutexLocker lock(&m_mutex);
    pending.swap(m_pending);
    m_flushScheduled = false;
  }
  if (pending.isEmpty() && !m_smoothingChanged) return;
  std::vector<Curve*> changed;
  if (m_smoothingChanged) {
    m_smoothingChanged = false;
    for (auto& [name, curve] : m_curves) {
      curve.smoothed.clear();
      curve.ema = 0;
      curve.raw->setVisible(curve.axis == Axis::Step && m_smoothing > 0);
      extendSmoothed(curve, curve.points);
      changed.push_back(&curve);
    }
  }
  for (auto it = pending.begin(); it != pending.end(); ++it) {
    Curve& curve = curveFor(it.key(), it.value().axis);
    for (const QPointF& p : it.value().points) {
      curve.maxX = std::max(curve.maxX, p.x());
      curve.minY = std::min(curve.minY, p.y());
      curve.maxY = std::max(curve.maxY, p.y());
    }
    curve.points.append(it.value().points);
    extendSmoothed(curve, it.value().points);
    if (std::find(changed.begin(), changed.end(), &curve) == changed.end()) {
      changed.push_back(&curve);
    }
  }
  // Every axis change and every replace() makes a series recompute its geometry: change the
  // axes while the series still hold their old (fewer) points, then replace each once.
  if (!m_userZoomed) rescale();
  for (Curve* curve : changed) redraw(*curve);
  Q_EMIT pointsFlushed();
}

void TrainingChart::rescale() {
  double maxStep = 0, maxEpoch = 0;
  double yLo = std::numeric_limits<double>::max(), yHi = std::numeric_limits<double>::lowest();
  bool anyStep = false, anyEpoch = false;
  for (const auto& [name, curve] : m_curves) {
    const bool step = curve.axis == Axis::Step;
    double& maxX = step ? maxStep : maxEpoch;
    (step ? anyStep : anyEpoch) = true;
    if (curve.points.isEmpty()) continue;
    maxX = std::max(maxX, curve.maxX);
    yLo = std::min(yLo, curve.minY);
    yHi = std::max(yHi, curve.maxY);
  }
  // Each range change makes every attached series recompute its geometry: set each axis at
  // most once, and only when its range changes.
  m_rescaling = true;
  m_stepAxis->setVisible(anyStep);
  m_epochAxis->setVisible(anyEpoch);
  const double stepSpan = std::max(maxStep, 1.0);
  setAxis(m_stepAxis, 0, stepSpan, niceInterval(stepSpan, 1.0));
  const double epochSpan = std::max(maxEpoch, 1.0);
  setAxis(m_epochAxis, 0, epochSpan, niceInterval(epochSpan, 1.0));
  if (yLo > yHi) {
    setAxis(m_yAxis, 0, 1, 0.2);
  } else {
    // Padded by 5 %, then widened to whole ticks of a 1-2-5 interval (about 5 of them).
    const double pad = yHi > yLo ? 0.05 * (yHi - yLo) : std::max(std::abs(yHi) * 0.05, 1e-3);
    const double step = niceInterval(yHi - yLo + 2 * pad, 0.0, 5.0);
    setAxis(m_yAxis, std::floor((yLo - pad) / step) * step, std::ceil((yHi + pad) / step) * step,
            step);
  }
  m_rescaling = false;
}

void TrainingChart::onAxisRangeChanged(QValueAxis* axis, double lo, double hi) {
  if (m_rescaling) return;
  // The user zoomed: keep the range, and give the axis ticks that fit it.
  m_userZoomed = true;
  m_rescaling = true;
  if (axis == m_yAxis) {
    axis->setTickInterval(niceInterval(hi - lo, 0.0, 5.0));
  } else {
    axis->setTickInterval(niceInterval(hi - lo, 1.0));
  }
  m_rescaling = false;
}

void TrainingChart::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() == Qt::RightButton) {
    event->accept();  // the context menu, not QChartView's zoom-out
    return;
  }
  QChartView::mouseReleaseEvent(event);
}

void TrainingChart::mouseDoubleClickEvent(QMouseEvent* event) {
  resetZoom();
  event->accept();
}

void TrainingChart::wheelEvent(QWheelEvent* event) {
  chart()->zoom(event->angleDelta().y() > 0 ? 1.25 : 0.8);
  event->accept();
}

}  // namespace reclab::widgets

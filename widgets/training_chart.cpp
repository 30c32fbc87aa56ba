#include "widgets/training_chart.h"

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
constexpr int kMaxDrawnPoints = 4000;

/// Every k-th point (and the last) when a curve is longer than the chart can show.
QList<QPointF> decimate(const QList<QPointF>& points) {
  if (points.size() <= kMaxDrawnPoints) return points;
  const qsizetype stride = (points.size() + kMaxDrawnPoints - 1) / kMaxDrawnPoints;
  QList<QPointF> out;
  out.reserve(points.size() / stride + 2);
  for (qsizetype i = 0; i < points.size(); i += stride) out.append(points[i]);
  if (out.back() != points.back()) out.append(points.back());
  return out;
}

/// A tick interval giving at most ~8 ticks on [0, span], from 1-2-5 steps, at least `minStep`.
double niceInterval(double span, double minStep) {
  const double raw = std::max(span / 8.0, minStep);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * mag >= raw) return m * mag;
  }
  return 10.0 * mag;
}

}  // namespace

TrainingChart::TrainingChart(QWidget* parent) : QChartView(parent) {
  auto* chart = new QChart();
  chart->setTitle(tr("Training curves"));
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(4, 4, 4, 4));
  setChart(chart);
  setRenderHint(QPainter::Antialiasing);
  setRubberBand(QChartView::RectangleRubberBand);
  setToolTip(tr("Drag to zoom, right-click or double-click to reset the zoom"));
  setMinimumSize(320, 220);

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
  m_yAxis->setTickCount(6);
  chart->addAxis(m_stepAxis, Qt::AlignBottom);
  chart->addAxis(m_epochAxis, Qt::AlignTop);
  chart->addAxis(m_yAxis, Qt::AlignLeft);
  m_stepAxis->setRange(0, 1);
  m_epochAxis->setRange(0, 1);
  m_yAxis->setRange(0, 1);
  m_stepAxis->hide();
  m_epochAxis->hide();

  for (auto* axis : {m_stepAxis, m_epochAxis, m_yAxis}) {
    connect(axis, &QValueAxis::rangeChanged, this, &TrainingChart::onAxisRangeChanged);
  }
  m_timer.setSingleShot(true);
  m_timer.setInterval(kFlushIntervalMs);
  connect(&m_timer, &QTimer::timeout, this, &TrainingChart::flush);
}

TrainingChart::~TrainingChart() = default;

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
  if (!schedule) return;
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
    chart()->removeSeries(curve.series);
    delete curve.series;
  }
  m_curves.clear();
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

void TrainingChart::resetZoom() {
  m_userZoomed = false;
  rescale();
}

TrainingChart::Curve& TrainingChart::curveFor(const QString& metric, Axis axis) {
  auto it = m_curves.find(metric);
  if (it != m_curves.end()) return it->second;
  Curve curve;
  curve.axis = axis;
  curve.series = new QLineSeries();
  curve.series->setName(metric);
  m_rescaling = true;
  chart()->addSeries(curve.series);  // the theme gives the series its colour here
  if (axis == Axis::Epoch) {
    curve.series->setPointsVisible(true);
    QPen pen = curve.series->pen();
    pen.setWidthF(2.5);
    curve.series->setPen(pen);
  } else {
    QPen pen = curve.series->pen();
    pen.setWidthF(1.0);
    curve.series->setPen(pen);
  }
  curve.series->attachAxis(axis == Axis::Step ? m_stepAxis : m_epochAxis);
  curve.series->attachAxis(m_yAxis);
  m_rescaling = false;
  return m_curves.emplace(metric, std::move(curve)).first->second;
}

void TrainingChart::flush() {
  QHash<QString, Pending> pending;
  {
    QMutexLocker lock(&m_mutex);
    pending.swap(m_pending);
    m_flushScheduled = false;
  }
  if (pending.isEmpty()) return;
  for (auto it = pending.begin(); it != pending.end(); ++it) {
    Curve& curve = curveFor(it.key(), it.value().axis);
    for (const QPointF& p : it.value().points) {
      curve.maxX = std::max(curve.maxX, p.x());
      curve.minY = std::min(curve.minY, p.y());
      curve.maxY = std::max(curve.maxY, p.y());
    }
    curve.points.append(it.value().points);
    m_rescaling = true;
    curve.series->replace(decimate(curve.points));
    m_rescaling = false;
  }
  if (!m_userZoomed) rescale();
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
  m_rescaling = true;
  m_stepAxis->setVisible(anyStep);
  m_epochAxis->setVisible(anyEpoch);
  const double stepSpan = std::max(maxStep, 1.0);
  m_stepAxis->setRange(0, stepSpan);
  m_stepAxis->setTickInterval(niceInterval(stepSpan, 1.0));
  const double epochSpan = std::max(maxEpoch, 1.0);
  m_epochAxis->setRange(0, epochSpan);
  m_epochAxis->setTickInterval(niceInterval(epochSpan, 1.0));
  if (yLo > yHi) {
    m_yAxis->setRange(0, 1);
  } else {
    const double pad = yHi > yLo ? 0.05 * (yHi - yLo) : std::max(std::abs(yHi) * 0.05, 1e-3);
    m_yAxis->setRange(yLo - pad, yHi + pad);
    m_yAxis->applyNiceNumbers();
  }
  m_rescaling = false;
}

void TrainingChart::onAxisRangeChanged() {
  if (!m_rescaling) m_userZoomed = true;
}

void TrainingChart::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() == Qt::RightButton) {
    resetZoom();
    event->accept();
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

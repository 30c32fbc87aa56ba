#pragma once
/// The live training chart: one line series per metric, per-batch series against the global
/// batch step (bottom axis) and per-epoch series against the epoch (top axis).
///
/// Live-curve pattern (PlotJuggler): `append()` only stores the point in a mutex-guarded
/// buffer and is safe from any thread; a single-shot 40 ms timer on the GUI thread swaps the
/// buffer, appends to the kept curves and calls QXYSeries::replace() once per series, then
/// emits pointsFlushed(). Axes follow the data unless the user zoomed (rubber band drag or
/// wheel); the "Reset zoom" action (context menu, resetZoomAction()) or a double-click resets
/// the zoom and resumes following.
///
/// Smoothing (TensorBoard-style) of the per-batch curves: each is drawn twice in one colour, the
/// raw curve faint and thin, and on top of it the debiased exponential moving average of its
/// points,
///   s_0 = 0,  s_t = w s_{t-1} + (1 - w) x_t,  shown value s_t / (1 - w^t)   (t = 1, 2, ...),
/// with the weight w from setSmoothing() (0 = no smoothing: the raw curve is hidden). Per-epoch
/// curves (already means over an epoch, a handful of points) are drawn as reported. The drawn
/// series carries the metric's name (legend, CSV export); the raw one is named "<metric> (raw)"
/// and has no legend entry.

#include <QChartView>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QPointF>
#include <QTimer>
#include <limits>
#include <map>

class QAction;
class QLineSeries;
class QValueAxis;

namespace reclab::widgets {

class TrainingChart : public QChartView {
  Q_OBJECT

 public:
  enum class Axis { Step, Epoch };

  /// Smoothing weights are limited to [0, kMaxSmoothing].
  static constexpr double kMaxSmoothing = 0.99;
  static constexpr double kDefaultSmoothing = 0.6;

  explicit TrainingChart(QWidget* parent = nullptr);
  ~TrainingChart() override;

  /// The debiased EMA of `points`' y values with weight `weight` (x values kept).
  static QList<QPointF> debiasedEma(const QList<QPointF>& points, double weight);

  /// Buffers one point of `metric` (thread-safe); non-finite values are dropped.
  void append(const QString& metric, double x, double y, Axis axis = Axis::Step);
  /// Removes every series and buffered point and resumes following the data.
  void clear();
  /// Draws what is buffered now instead of at the next timer tick.
  void flushNow();

  void setTitle(const QString& title);
  /// Points of `metric` drawn so far (buffered points count after the next flush).
  int pointCount(const QString& metric) const;
  QStringList metrics() const;
  /// True while the user's zoom is kept (axes do not follow new points).
  bool isZoomed() const { return m_userZoomed; }
  /// "Reset zoom": the first action of the chart's context menu.
  QAction* resetZoomAction() const { return m_resetZoomAction; }

  double smoothing() const { return m_smoothing; }
  /// The drawn series of `metric` (smoothed for per-batch curves, and the faint raw one, hidden
  /// for per-epoch curves and without smoothing); nullptr when unknown.
  QLineSeries* smoothedSeries(const QString& metric) const;
  QLineSeries* rawSeries(const QString& metric) const;

 public Q_SLOTS:
  void resetZoom();
  /// Sets the EMA weight, clamped to [0, kMaxSmoothing]; the curves are redrawn at the next
  /// timer tick (the zoom is kept).
  void setSmoothing(double weight);

 Q_SIGNALS:
  /// Emitted after each redraw with new points or a new smoothing weight.
  void pointsFlushed();
  void smoothingChanged(double weight);

 protected:
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;

 private:
  struct Curve {
    QLineSeries* raw = nullptr;     ///< the points as reported, faint
    QLineSeries* smooth = nullptr;  ///< their debiased EMA, on top
    QList<QPointF> points;
    QList<QPointF> smoothed;
    double ema = 0;  ///< s_t of the last point, for appending
    Axis axis = Axis::Step;
    double maxX = 0;  ///< bounds of `points`, kept as they arrive
    double minY = std::numeric_limits<double>::max();
    double maxY = std::numeric_limits<double>::lowest();
  };
  struct Pending {
    Axis axis = Axis::Step;
    QList<QPointF> points;
  };

  void flush();
  void scheduleFlush();
  Curve& curveFor(const QString& metric, Axis axis);
  /// Appends the EMA of `points` (the curve's newest points) to curve.smoothed.
  void extendSmoothed(Curve& curve, const QList<QPointF>& points) const;
  void redraw(Curve& curve);
  void rescale();
  /// A range change not made by rescale() is the user zooming.
  void onAxisRangeChanged(QValueAxis* axis, double lo, double hi);

  mutable QMutex m_mutex;
  QHash<QString, Pending> m_pending;  ///< guarded by m_mutex
  bool m_flushScheduled = false;      ///< guarded by m_mutex

  std::map<QString, Curve> m_curves;  ///< GUI thread only
  QTimer m_timer;
  QValueAxis* m_stepAxis;
  QValueAxis* m_epochAxis;
  QValueAxis* m_yAxis;
  QAction* m_resetZoomAction;
  bool m_userZoomed = false;
  bool m_rescaling = false;
  double m_smoothing = kDefaultSmoothing;
  bool m_smoothingChanged = false;  ///< every smoothed curve is recomputed at the next flush
};

}  // namespace reclab::widgets

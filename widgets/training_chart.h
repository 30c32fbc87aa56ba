#pragma once
/// The live training chart: one line series per metric, per-batch series against the global
/// batch step (bottom axis) and per-epoch series against the epoch (top axis).
///
/// Live-curve pattern (PlotJuggler): `append()` only stores the point in a mutex-guarded
/// buffer and is safe from any thread; a single-shot 40 ms timer on the GUI thread swaps the
/// buffer, appends to the kept curves and calls QXYSeries::replace() once per series, then
/// emits pointsFlushed(). Axes follow the data unless the user zoomed (rubber band drag or
/// wheel); a right-click or double-click resets the zoom and resumes following.

#include <QChartView>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QPointF>
#include <QTimer>
#include <limits>
#include <map>

class QLineSeries;
class QValueAxis;

namespace reclab::widgets {

class TrainingChart : public QChartView {
  Q_OBJECT

 public:
  enum class Axis { Step, Epoch };

  explicit TrainingChart(QWidget* parent = nullptr);
  ~TrainingChart() override;

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
  void resetZoom();

 Q_SIGNALS:
  /// Emitted after each redraw with new points.
  void pointsFlushed();

 protected:
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;

 private:
  struct Curve {
    QLineSeries* series = nullptr;
    QList<QPointF> points;
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
  Curve& curveFor(const QString& metric, Axis axis);
  void rescale();
  void onAxisRangeChanged();

  mutable QMutex m_mutex;
  QHash<QString, Pending> m_pending;  ///< guarded by m_mutex
  bool m_flushScheduled = false;      ///< guarded by m_mutex

  std::map<QString, Curve> m_curves;  ///< GUI thread only
  QTimer m_timer;
  QValueAxis* m_stepAxis;
  QValueAxis* m_epochAxis;
  QValueAxis* m_yAxis;
  bool m_userZoomed = false;
  bool m_rescaling = false;
};

}  // namespace reclab::widgets

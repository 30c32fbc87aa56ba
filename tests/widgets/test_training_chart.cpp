/// TrainingChart: buffered appends from another thread, throttled redraw, zoom kept while
/// points arrive (axis range, wheel), reset by action and double-click, clear; smoothing
/// through the monitor's slider against hand-computed debiased EMAs.

#include <QAction>
#include <QApplication>
#include <QChart>
#include <QLineSeries>
#include <QSignalSpy>
#include <QSlider>
#include <QTest>
#include <QValueAxis>
#include <QWheelEvent>
#include <thread>

#include "test_support.h"
#include "widgets/training_chart.h"
#include "widgets/training_monitor.h"

using reclab::widgets::TrainingChart;
using reclab::widgets::TrainingMonitor;

namespace {

QList<double> ys(const QLineSeries* series) {
  QList<double> out;
  for (const QPointF& p : series->points()) out << p.y();
  return out;
}

void compareValues(const QList<double>& actual, const QList<double>& expected) {
  QCOMPARE(actual.size(), expected.size());
  for (qsizetype i = 0; i < actual.size(); ++i) {
    if (std::abs(actual[i] - expected[i]) > 1e-9) {
      QFAIL(qPrintable(QString("value %1: got %2, expected %3")
                           .arg(i)
                           .arg(actual[i], 0, 'g', 12)
                           .arg(expected[i], 0, 'g', 12)));
    }
  }
}

}  // namespace

class TrainingChartTests : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void appendsFromAWorkerThreadAreFlushedTogether() {
    TrainingChart chart;
    QSignalSpy flushed(&chart, &TrainingChart::pointsFlushed);
    std::thread producer([&chart] {
      for (int i = 0; i < 100; ++i) chart.append("batch_train_loss", i, 1.0 / (1 + i));
      chart.append("val_rmse", 1, 0.9, TrainingChart::Axis::Epoch);
      chart.append("val_rmse", 2, std::nan(""), TrainingChart::Axis::Epoch);  // dropped
    });
    producer.join();
    QCOMPARE(chart.pointCount("batch_train_loss"), 0);  // nothing drawn before the timer
    QVERIFY(flushed.wait(5000));
    QCOMPARE(flushed.count(), 1);  // one redraw for the whole burst
    QCOMPARE(chart.pointCount("batch_train_loss"), 100);
    QCOMPARE(chart.pointCount("val_rmse"), 1);
    QCOMPARE(chart.metrics(), QStringList({"batch_train_loss", "val_rmse"}));
  }

  void axesFollowDataUntilTheUserZooms() {
    TrainingChart chart;
    chart.resize(600, 400);
    QSignalSpy flushed(&chart, &TrainingChart::pointsFlushed);
    for (int i = 0; i <= 10; ++i) chart.append("batch_train_loss", i, 2.0 - 0.1 * i);
    QVERIFY(flushed.wait(5000));
    auto* x = qobject_cast<QValueAxis*>(chart.chart()->axes(Qt::Horizontal).front());
    QVERIFY(x);
    QCOMPARE(x->max(), 10.0);
    QVERIFY(!chart.isZoomed());

    x->setRange(2, 5);  // what a rubber-band zoom does to the axis
    QVERIFY(chart.isZoomed());
    const double zoomedMax = x->max();
    for (int i = 11; i <= 20; ++i) chart.append("batch_train_loss", i, 1.0);
    QVERIFY(flushed.wait(5000));
    QCOMPARE(chart.pointCount("batch_train_loss"), 21);
    QCOMPARE(x->max(), zoomedMax);  // the user's zoom is kept

    chart.resetZoom();
    QVERIFY(!chart.isZoomed());
    QCOMPARE(x->max(), 20.0);
  }

  /// x = 2, 0, 4, 1. With w = 0.6: s = 0.8, 0.48, 1.888, 1.5328 and 1 - w^t = 0.4, 0.64,
  /// 0.784, 0.8704, so the shown values are 2, 0.75, 2.408163..., 1.761029...
  /// With w = 0.9: s = 0.2, 0.18, 0.562, 0.6058 over 0.1, 0.19, 0.271, 0.3439.
  void smoothingSliderDrawsTheDebiasedEma() {
    TrainingMonitor monitor;
    TrainingChart* chart = monitor.chart();
    QSignalSpy flushed(chart, &TrainingChart::pointsFlushed);
    QCOMPARE(monitor.smoothingSlider()->value(), 60);  // the default, 0.6
    QCOMPARE(chart->smoothing(), 0.6);
    const QList<double> raw = {2, 0, 4, 1};
    for (int i = 0; i < raw.size(); ++i) chart->append("batch_train_loss", i + 1, raw[i]);
    QVERIFY(flushed.wait(5000));
    QLineSeries* smooth = chart->smoothedSeries("batch_train_loss");
    QLineSeries* faint = chart->rawSeries("batch_train_loss");
    QVERIFY(smooth && faint);
    compareValues(ys(smooth), {2.0, 0.75, 1.888 / 0.784, 1.5328 / 0.8704});
    compareValues(ys(faint), raw);
    QVERIFY(faint->isVisible());
    QCOMPARE(faint->color().rgb(), smooth->color().rgb());  // same colour, fainter
    QVERIFY(faint->color().alpha() < smooth->color().alpha());
    QCOMPARE(smooth->name(), QString("batch_train_loss"));

    // A new weight recomputes the curve at the next timer tick.
    monitor.smoothingSlider()->setValue(90);
    QCOMPARE(chart->smoothing(), 0.9);
    QVERIFY(flushed.wait(5000));
    compareValues(ys(smooth), {2.0, 0.18 / 0.19, 0.562 / 0.271, 0.6058 / 0.3439});

    // Points arriving later extend the same EMA.
    chart->append("batch_train_loss", 5, 3);
    QVERIFY(flushed.wait(5000));
    // s_5 = 0.9 * 0.6058 + 0.1 * 3 = 0.84522, 1 - 0.9^5 = 0.40951.
    compareValues(ys(smooth),
                  {2.0, 0.18 / 0.19, 0.562 / 0.271, 0.6058 / 0.3439, 0.84522 / 0.40951});
    QList<double> whole;
    for (const QPointF& p : TrainingChart::debiasedEma(faint->points(), 0.9)) whole << p.y();
    compareValues(ys(smooth), whole);  // appending matches recomputing from scratch

    // No smoothing: the drawn curve is the raw one and the faint copy is hidden.
    monitor.smoothingSlider()->setValue(0);
    QVERIFY(flushed.wait(5000));
    compareValues(ys(smooth), {2, 0, 4, 1, 3});
    QVERIFY(!faint->isVisible());
    // The chart's setter moves the slider too.
    chart->setSmoothing(0.25);
    QCOMPARE(monitor.smoothingSlider()->value(), 25);
    chart->setSmoothing(5.0);  // clamped to the maximum
    QCOMPARE(chart->smoothing(), TrainingChart::kMaxSmoothing);
  }

  void wheelZoomIsKeptWhilePointsArriveUntilReset() {
    TrainingChart chart;
    chart.resize(600, 400);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    QSignalSpy flushed(&chart, &TrainingChart::pointsFlushed);
    for (int i = 0; i <= 100; ++i) chart.append("batch_train_loss", i, 1.0 + 0.01 * (i % 7));
    QVERIFY(flushed.wait(5000));
    auto* x = qobject_cast<QValueAxis*>(chart.chart()->axes(Qt::Horizontal).front());
    QCOMPARE(x->max(), 100.0);

    const QPoint centre = chart.viewport()->rect().center();
    QWheelEvent wheel(centre, chart.viewport()->mapToGlobal(centre), QPoint(), QPoint(0, 120),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(chart.viewport(), &wheel);
    QVERIFY(chart.isZoomed());
    const double zoomedMin = x->min(), zoomedMax = x->max();
    QVERIFY(zoomedMax - zoomedMin < 100.0);
    // Ticks follow the zoomed range: 1-2-5 steps, at most ~8 of them.
    QVERIFY(x->tickInterval() >= (zoomedMax - zoomedMin) / 8.0);
    QVERIFY(x->tickInterval() <= (zoomedMax - zoomedMin) / 2.0);
    for (int i = 101; i <= 200; ++i) chart.append("batch_train_loss", i, 5.0);
    QVERIFY(flushed.wait(5000));
    QCOMPARE(chart.pointCount("batch_train_loss"), 201);
    QCOMPARE(x->min(), zoomedMin);  // new points did not move the user's axes
    QCOMPARE(x->max(), zoomedMax);

    // "Reset zoom" heads the context menu and restores the auto-range.
    QCOMPARE(chart.contextMenuPolicy(), Qt::ActionsContextMenu);
    QCOMPARE(chart.actions().front(), chart.resetZoomAction());
    chart.resetZoomAction()->trigger();
    QVERIFY(!chart.isZoomed());
    QCOMPARE(x->max(), 200.0);

    // Zoom again, then a double-click resets it too.
    QApplication::sendEvent(chart.viewport(), &wheel);
    QVERIFY(chart.isZoomed());
    QTest::mouseDClick(chart.viewport(), Qt::LeftButton, Qt::NoModifier, centre);
    QVERIFY(!chart.isZoomed());
    QCOMPARE(x->max(), 200.0);
  }

  /// A long curve is drawn decimated to the lowest and highest point of each bucket: a single
  /// spike among 10 000 points is still drawn.
  void longCurvesKeepTheirSpikes() {
    TrainingChart chart;
    chart.setSmoothing(0.5);
    for (int i = 0; i < 10000; ++i) chart.append("batch_train_loss", i, i == 6543 ? 9.0 : 1.0);
    chart.flushNow();
    QCOMPARE(chart.pointCount("batch_train_loss"), 10000);
    const QList<QPointF> drawn = chart.rawSeries("batch_train_loss")->points();
    QVERIFY(drawn.size() <= 2001);
    QVERIFY(drawn.contains(QPointF(6543, 9.0)));
    QCOMPARE(drawn.back(), QPointF(9999, 1.0));
    for (qsizetype i = 1; i < drawn.size(); ++i) QVERIFY(drawn[i - 1].x() < drawn[i].x());
  }

  void clearRemovesEverything() {
    TrainingChart chart;
    chart.append("a", 1, 1);
    chart.flushNow();
    QCOMPARE(chart.pointCount("a"), 1);
    chart.append("a", 2, 2);
    chart.clear();
    chart.flushNow();
    QCOMPARE(chart.pointCount("a"), 0);
    QVERIFY(chart.metrics().isEmpty());
  }
};

namespace reclab::test {
int runTrainingChartTests(int argc, char** argv) {
  TrainingChartTests t;
  return QTest::qExec(&t, argc, argv);
}
}  // namespace reclab::test

#include "test_training_chart.moc"

/// TrainingChart: buffered appends from another thread, throttled redraw, zoom kept while
/// points arrive, reset and clear.

#include <QChart>
#include <QSignalSpy>
#include <QTest>
#include <QValueAxis>
#include <thread>

#include "test_support.h"
#include "widgets/training_chart.h"

using reclab::widgets::TrainingChart;

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

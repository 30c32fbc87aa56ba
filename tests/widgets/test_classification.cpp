/// ClassificationView: the report table and the confusion-matrix heat map from the documented
/// JSON, the cell click with its rows, precise errors for bad JSON; through the window: a
/// stored run's "classification.json" beside the curves and the drill-down table of a cell
/// with the dataset's original ids.

#include <QApplication>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/main_window.h"
#include "app/gui/run_manager.h"
#include "data/synth/generate.h"
#include "experiment/config.h"
#include "experiment/runner.h"
#include "store/store.h"
#include "test_support.h"
#include "widgets/classification_view.h"
#include "widgets/interaction_log_model.h"
#include "widgets/model_form.h"
#include "widgets/model_panel.h"
#include "widgets/run_list_view.h"
#include "widgets/training_monitor.h"

using reclab::widgets::ClassificationView;
using reclab::widgets::ConfusionMatrixModel;

namespace {

/// The example of docs/user-guide.md ("Run artefacts") with its numbers worked out from the
/// confusion matrix: precision_c = diag / column sum, recall_c = diag / row sum (supports 54,
/// 16, 6), accuracy = 65 / 76.
const char* kJson = R"({
  "epoch": 3, "split": "valid", "classes": ["view", "addtocart", "transaction"],
  "report": {
    "rows": [
      {"label": "view", "precision": 0.925926, "recall": 0.925926, "f1": 0.925926, "support": 54},
      {"label": "addtocart", "precision": 0.714286, "recall": 0.625, "f1": 0.666667, "support": 16},
      {"label": "transaction", "precision": 0.625, "recall": 0.833333, "f1": 0.714286, "support": 6}
    ],
    "accuracy": 0.855263,
    "macro": {"precision": 0.755071, "recall": 0.794753, "f1": 0.768960, "support": 76},
    "weighted": {"precision": 0.857613, "recall": 0.855263, "f1": 0.854637, "support": 76}
  },
  "confusion": [[50, 3, 1], [4, 10, 2], [0, 1, 5]],
  "cell_rows": {"1,0": [17, 245, 3, 9], "0,0": [0, 1]},
  "auc_ovr": [0.81, 0.77, 0.79], "log_loss": 0.52
})";

QString cellText(QStandardItemModel* m, int row, int col) {
  const QStandardItem* item = m->item(row, col);
  return item ? item->text() : QString();
}

}  // namespace

class ClassificationTests : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void reportTableAndHeatMap() {
    ClassificationView view;
    QString error;
    QVERIFY2(view.setJson(kJson, &error), qPrintable(error));
    QStandardItemModel* report = view.reportModel();
    // Three classes, then accuracy, macro avg, weighted avg.
    QCOMPARE(report->rowCount(), 6);
    QCOMPARE(report->columnCount(), 6);  // class, precision, recall, f1, support, AUC
    QCOMPARE(report->horizontalHeaderItem(3)->text(), QString("f1-score"));
    QCOMPARE(cellText(report, 0, 0), QString("view"));
    QCOMPARE(cellText(report, 0, 1), QString("0.926"));
    QCOMPARE(cellText(report, 1, 0), QString("addtocart"));
    QCOMPARE(cellText(report, 1, 1), QString("0.714"));
    QCOMPARE(cellText(report, 1, 2), QString("0.625"));
    QCOMPARE(cellText(report, 1, 3), QString("0.667"));
    QCOMPARE(cellText(report, 1, 4), QString("16"));
    QCOMPARE(cellText(report, 1, 5), QString("0.770"));
    QCOMPARE(cellText(report, 2, 2), QString("0.833"));
    // scikit-learn's layout: accuracy in the f1 column with the total support.
    QCOMPARE(cellText(report, 3, 0), QString("accuracy"));
    QCOMPARE(cellText(report, 3, 1), QString());
    QCOMPARE(cellText(report, 3, 3), QString("0.855"));
    QCOMPARE(cellText(report, 3, 4), QString("76"));
    QCOMPARE(cellText(report, 4, 0), QString("macro avg"));
    QCOMPARE(cellText(report, 4, 3), QString("0.769"));
    QCOMPARE(cellText(report, 5, 0), QString("weighted avg"));
    QCOMPARE(cellText(report, 5, 1), QString("0.858"));
    QVERIFY(view.summaryLabel()->text().contains("epoch 3"));
    QVERIFY(view.summaryLabel()->text().contains("log loss 0.520"));
    QVERIFY(view.summaryLabel()->text().contains("macro AUC (one-vs-rest) 0.790"));

    ConfusionMatrixModel* matrix = view.matrixModel();
    QCOMPARE(matrix->rowCount(), 3);
    QCOMPARE(matrix->columnCount(), 3);
    QCOMPARE(matrix->headerData(0, Qt::Vertical).toString(), QString("view"));
    QCOMPARE(matrix->headerData(2, Qt::Horizontal).toString(), QString("transaction"));
    QCOMPARE(matrix->index(0, 0).data().toLongLong(), 50);
    QCOMPARE(matrix->index(1, 0).data().toLongLong(), 4);
    QCOMPARE(matrix->index(2, 2).data().toLongLong(), 5);
    // Row-normalised shares: 4 of the 16 true addtocart rows, 5 of the 6 transactions.
    QCOMPARE(matrix->index(1, 0).data(ConfusionMatrixModel::ShareRole).toDouble(), 0.25);
    QCOMPARE(matrix->index(2, 2).data(ConfusionMatrixModel::ShareRole).toDouble(), 5.0 / 6.0);
    QVERIFY(matrix->index(1, 0).data(Qt::ToolTipRole).toString().contains("25.0 %"));
  }

  void clickingACellEmitsItsRows() {
    ClassificationView view;
    QVERIFY(view.setJson(kJson));
    view.resize(700, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy activated(&view, &ClassificationView::cellActivated);
    QTableView* table = view.matrixView();
    const QRect cell = table->visualRect(view.matrixModel()->index(1, 0));
    QVERIFY(cell.isValid());
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, cell.center());
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().at(0).toInt(), 1);
    QCOMPARE(activated.first().at(1).toInt(), 0);
    QCOMPARE(activated.first().at(2).value<QList<qint64>>(), QList<qint64>({17, 245, 3, 9}));
    // A cell without listed rows: the signal carries an empty list.
    const QRect other = table->visualRect(view.matrixModel()->index(2, 1));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, other.center());
    QCOMPARE(activated.count(), 2);
    QVERIFY(activated.at(1).at(2).value<QList<qint64>>().isEmpty());
  }

  void badJsonIsRejectedWithTheField() {
    ClassificationView view;
    QVERIFY(view.setJson(kJson));
    QString error;
    QVERIFY(!view.setJson(
        R"({"classes": ["a", "b", "c"], "confusion": [[1, 2, 3], [4, 5], [6, 7, 8]]})", &error));
    QCOMPARE(error, QString("classification JSON: confusion row 1 has 2 entries, expected 3 "
                            "(one per class)"));
    QCOMPARE(view.matrixModel()->rowCount(), 3);  // what was shown stays
    QVERIFY(!view.setJson(R"({"classes": ["a", "b"], "confusion": [[1, 2], [3, 4]],
                              "cell_rows": {"2,0": [1]}})",
                          &error));
    QVERIFY2(error.contains("cell_rows key '2,0'"), qPrintable(error));
    QVERIFY(!view.setJson(R"({"classes": ["a"], "confusion": [[-1]]})", &error));
    QCOMPARE(error, QString("classification JSON: confusion[0][0] must be a non-negative integer"));
    QVERIFY(!view.setJson("{\"classes\": [", &error));
    QVERIFY(error.startsWith("classification JSON: "));
    view.clear();
    QVERIFY(!view.hasResult());
    QCOMPARE(view.matrixModel()->rowCount(), 0);
  }

  /// A stored run with a classification artefact: selecting it shows the report beside the
  /// curves; clicking a cell lists its rows from the loaded dataset with the original ids.
  void storedRunDrillDownInTheWindow() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString data = reclab::test::writeRatings(dir.path(), 20, 10, 5);
    reclab::app::AppOptions options;
    options.dbPath = dir.filePath("runs.sqlite");
    options.datasetPath = data;
    options.format = "movielens";
    reclab::app::MainWindow window(options);
    QSignalSpy loaded(window.runManager(), &reclab::app::RunManager::datasetLoaded);
    QVERIFY(loaded.wait(10000));
    auto* monitor = window.monitor();
    QVERIFY(!monitor->isClassificationVisible());

    // Two runs recorded by "another process": one on this dataset, one on another file.
    auto config = [](const QString& path) {
      return reclab::experiment::ExperimentConfig::fromJson(
          {{"dataset", {{"format", "movielens"}, {"path", path.toStdString()}}},
           {"model", {{"name", "popularity"}}}});
    };
    std::int64_t same = 0, other = 0;
    {
      reclab::store::Store store(options.dbPath.toStdString());
      same = reclab::experiment::enqueueRun(store, config(data));
      store.putArtifact(same, "classification.json", kJson);
      other = reclab::experiment::enqueueRun(store, config(dir.filePath("elsewhere/u.data")));
      store.putArtifact(other, "classification.json", kJson);
    }
    window.runList()->refresh();
    QVERIFY(window.runList()->selectRun(same));
    QCOMPARE(window.monitorRun(), same);
    QVERIFY(monitor->isClassificationVisible());
    ClassificationView* view = monitor->classification();
    QCOMPARE(view->matrixModel()->index(1, 0).data().toLongLong(), 4);

    // Cell (1, 0) lists rows 17, 245 (past the 100 rows: left out), 3 and 9.
    Q_EMIT view->cellActivated(1, 0, {17, 245, 3, 9});
    auto* rows = monitor->rowsModel();
    QCOMPARE(rows->rowCount(), 3);
    const auto& log = window.dataset()->log;
    QCOMPARE(rows->headerData(0, Qt::Horizontal).toString(), QString("user"));
    QCOMPARE(rows->index(0, 0).data().toString(),
             QString::fromStdString(log.users.original(log.user[17])));
    QCOMPARE(rows->index(0, 1).data().toString(),
             QString::fromStdString(log.items.original(log.item[17])));
    QCOMPARE(rows->headerData(1, Qt::Vertical).toInt(), 4);  // log row 3, numbered from 1
    QCOMPARE(rows->index(2, 0).data().toString(),
             QString::fromStdString(log.users.original(log.user[9])));
    QVERIFY2(monitor->rowsCaption()->text().contains("true addtocart, predicted view: 3 of 4"),
             qPrintable(monitor->rowsCaption()->text()));
    QVERIFY(monitor->rowsCaption()->text().contains("1 row indices are past the end"));

    // A run on another dataset: its rows are not listed from this one.
    QVERIFY(window.runList()->selectRun(other));
    QVERIFY(monitor->isClassificationVisible());
    Q_EMIT view->cellActivated(1, 0, {17, 3});
    QCOMPARE(rows->rowCount(), 0);
    QVERIFY(monitor->rowsCaption()->text().contains("Open the run's dataset"));
  }

  /// A classifier trained through the window on a small generated RetailRocket log: its
  /// validation reports arrive live (run manager signal -> monitor), the test report is stored
  /// as "classification.json" and shown for the finished run.
  void liveAndStoredReportOfAClassifier() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    reclab::synth::generate("retailrocket", {{"visitors", 120}, {"items", 60}}, 7,
                            dir.filePath("rr").toStdString(), reclab::nullObserver(),
                            reclab::StopToken());
    reclab::app::AppOptions options;
    options.dbPath = dir.filePath("runs.sqlite");
    options.datasetPath = dir.filePath("rr");
    options.format = "retailrocket";
    reclab::app::MainWindow window(options);
    auto* runs = window.runManager();
    QSignalSpy loaded(runs, &reclab::app::RunManager::datasetLoaded);
    QVERIFY(loaded.wait(20000));
    auto* panel = window.modelPanel();
    QVERIFY(panel->selectModel("hybrid_cnn"));
    panel->form()->setParams({{"epochs", 2},
                              {"embedding_dim", 8},
                              {"conv_filters", 4},
                              {"dense_layers", "16,8"},
                              {"threads", 1}});
    QSignalSpy evaluations(runs, &reclab::app::RunManager::evaluation);
    QSignalSpy finished(runs, &reclab::app::RunManager::runFinished);
    panel->requestRun();
    QVERIFY(evaluations.wait(60000));
    QCOMPARE(evaluations.first().at(1).toString(), QString("classification"));
    auto* monitor = window.monitor();
    QVERIFY(monitor->isClassificationVisible());  // shown from the live report
    const auto& live = monitor->classification()->result();
    QVERIFY(live.has_value());
    QCOMPARE(live->split, QString("valid"));
    QCOMPARE(live->epoch, 1);
    QCOMPARE(live->classes, QStringList({"view", "addtocart", "transaction"}));

    QVERIFY(finished.count() > 0 || finished.wait(120000));
    QCOMPARE(finished.first().at(2).toString(), QString("finished"));
    const qint64 runId = finished.first().at(1).toLongLong();
    // Validations, then the test evaluation, which is the stored artefact.
    QVERIFY(evaluations.count() >= 2);
    const auto last =
        reclab::widgets::ClassificationResult::fromJson(evaluations.last().at(2).toByteArray());
    QCOMPARE(last.split, QString("test"));
    const auto artefact = runs->store()->artifact(runId, "classification.json");
    QVERIFY(artefact.has_value());
    QCOMPARE(QByteArray::fromStdString(*artefact), evaluations.last().at(2).toByteArray());
    QCOMPARE(window.monitorRun(), runId);  // the finished run is selected and shown
    const auto& stored = monitor->classification()->result();
    QVERIFY(stored.has_value());
    QCOMPARE(stored->split, QString("test"));
    qint64 total = 0;
    for (const auto& row : stored->confusion) {
      for (qint64 c : row) total += c;
    }
    QVERIFY(total > 0);
  }
};

namespace reclab::test {
int runClassificationTests(int argc, char** argv) {
  ClassificationTests t;
  return QTest::qExec(&t, argc, argv);
}
}  // namespace reclab::test

#include "test_classification.moc"

// screenshot_tour: drives the real workbench window through every screen and writes one PNG per
// tab and dialog into OUT_DIR (run by tests/widgets/screenshot.sh under xvfb-run):
//
//   dataset.png          the dataset panel's statistics and the "Dataset charts" tab
//   features.png         the "Features" tab: seed A's metadata attributes and their encoded preview
//   model_panel.png      the model panel (svd's generated hyper-parameter form)
//   model_panel_engine.png  dmf's form scrolled to the training engine's settings
//   compare.png          the comparison view over popularity, svd and torch_mf runs
//   inspector.png        the recommendation inspector on the torch_mf run, one user
//   inspector_sessions.png  the inspector in session mode: a session_item_knn run on the
//                        Yoochoose sample, a test session with a prefix of 2 clicks
//   history.png          the run history
//   training.png         the training monitor mid-run: the curves of a hybrid_cnn classifier on
//                        the RetailRocket sample (smoothed per-batch loss over the raw one)
//   classification.png   the same run's Classification page: its report, confusion matrix and
//                        the rows of one clicked cell
//   column_mapping.png   the column-mapping dialog for a file whose format is not detected
//
//   screenshot_tour OUT_DIR
//
// Uses a throw-away store; the datasets are the bundled samples. Exit 1 when a step fails.

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QEventLoop>
#include <QScrollArea>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <cstdio>

#include "app/gui/app_options.h"
#include "app/gui/main_window.h"
#include "app/gui/run_manager.h"
#include "experiment/inspect.h"
#include "widgets/classification_view.h"
#include "widgets/column_mapping_dialog.h"
#include "widgets/comparison_view.h"
#include "widgets/dataset_charts.h"
#include "widgets/dataset_panel.h"
#include "widgets/feature_panel.h"
#include "widgets/model_form.h"
#include "widgets/model_panel.h"
#include "widgets/recommendation_inspector.h"
#include "widgets/run_history.h"
#include "widgets/training_monitor.h"

using reclab::app::MainWindow;
using reclab::app::RunManager;

namespace {

QString g_out;

[[noreturn]] void fail(const QString& what) {
  std::fprintf(stderr, "screenshot_tour: %s\n", qPrintable(what));
  std::exit(1);
}

/// Lets layouts, timers and repaints settle before a grab.
void settle(int ms = 400) {
  QEventLoop loop;
  QTimer::singleShot(ms, &loop, &QEventLoop::quit);
  loop.exec();
}

void save(QWidget* widget, const char* name) {
  settle();
  const QString path = QDir(g_out).filePath(name);
  if (!widget->grab().save(path, "PNG")) fail("cannot write " + path);
  std::printf("wrote %s\n", qPrintable(path));
}

void showTab(MainWindow& window, const QString& label) {
  QTabWidget* tabs = window.centralTabs();
  for (int i = 0; i < tabs->count(); ++i) {
    if (tabs->tabText(i).remove('&') == label) tabs->setCurrentIndex(i);
  }
}

/// Presses Run for `model` with `params`; returns the run id once it finished.
qint64 train(MainWindow& window, const char* model, const nlohmann::json& params) {
  auto* panel = window.modelPanel();
  if (!panel->selectModel(model)) fail(QString("no model ") + model);
  panel->form()->setParams(params);
  QSignalSpy finished(window.runManager(), &RunManager::runFinished);
  panel->requestRun();
  if (!finished.wait(600000)) fail(QString(model) + " did not finish");
  const auto args = finished.takeFirst();
  if (args.at(2).toString() != "finished") {
    fail(QString("%1 %2: %3").arg(model, args.at(2).toString(), args.at(3).toString()));
  }
  return args.at(1).toLongLong();
}

void openAndWait(MainWindow& window, const QString& format, const QString& path) {
  QSignalSpy loaded(window.runManager(), &RunManager::datasetLoaded);
  QSignalSpy charts(window.datasetCharts(), &reclab::widgets::DatasetCharts::chartsReady);
  window.openDataset(format, {path});
  if (!loaded.wait(120000)) fail("could not load " + path);
  if (charts.isEmpty() && !charts.wait(60000)) fail("no dataset charts for " + path);
}

}  // namespace

int main(int argc, char** argv) {
  QStandardPaths::setTestModeEnabled(true);  // no real settings are read or written
  QApplication::setOrganizationName("RecLabTour");
  QApplication::setApplicationName("reclab-tour");
  QApplication app(argc, argv);
  if (argc < 2) fail("usage: screenshot_tour OUT_DIR");
  g_out = QString::fromLocal8Bit(argv[1]);
  if (!QDir().mkpath(g_out)) fail("cannot create " + g_out);
  const QDir source(RECLAB_SOURCE_DIR);

  QTemporaryDir tmp;
  reclab::app::AppOptions options;
  options.dbPath = tmp.filePath("runs.sqlite");
  options.datasetPath = reclab::app::bundledSamplePath();
  options.format = "movielens";
  MainWindow window(options);
  window.resize(1480, 920);
  window.show();
  if (!QTest::qWaitForWindowExposed(&window)) fail("the window is not shown");
  {
    QSignalSpy loaded(window.runManager(), &RunManager::datasetLoaded);
    QSignalSpy charts(window.datasetCharts(), &reclab::widgets::DatasetCharts::chartsReady);
    if (!loaded.wait(120000)) fail("the bundled sample did not load");
    if (charts.isEmpty() && !charts.wait(60000)) fail("no dataset charts");
  }

  // The dataset: statistics in the panel, the charts tab in the middle.
  window.datasetPanel()->tabs()->setCurrentIndex(1);
  showTab(window, "Dataset charts");
  save(&window, "dataset.png");

  // Three runs on the ratings sample for the comparison, the inspector and the history.
  const qint64 popularity = train(window, "popularity", nlohmann::json::object());
  const qint64 svd = train(window, "svd", {{"n_epochs", 20}});
  const qint64 mf = train(window, "torch_mf", {{"epochs", 12}});

  window.modelPanel()->selectModel("svd");
  save(window.findChild<QDockWidget*>("modelDock"), "model_panel.png");
  // A LibTorch model's form ends with the engine's settings (threads, fused_kernels).
  window.modelPanel()->selectModel("dmf");
  QApplication::processEvents();  // the new form is laid out before scrolling to its end
  for (auto* area : window.modelPanel()->findChildren<QScrollArea*>())
    area->ensureWidgetVisible(window.modelPanel()->form()->editor("fused_kernels"));
  save(window.findChild<QDockWidget*>("modelDock"), "model_panel_engine.png");

  auto* compare = window.comparison();
  compare->setCheckedRuns({popularity, svd, mf});
  showTab(window, "Compare");
  save(&window, "compare.png");

  auto* inspector = window.inspector();
  {
    QSignalSpy opened(inspector, &reclab::widgets::RecommendationInspector::runOpened);
    inspector->openRun(mf);
    if (!opened.wait(120000)) fail("the inspector did not open the torch_mf run");
  }
  if (!inspector->selectUser("7")) fail("no user 7 in the sample");
  showTab(window, "Inspect");
  save(&window, "inspector.png");

  window.history()->refresh();
  window.history()->selectRuns({svd});
  showTab(window, "History");
  save(&window, "history.png");

  // Session mode: item-KNN on the Yoochoose sample (the last day's sessions are the test), one
  // test session whose top-10 after 2 clicks holds its next click and a later one.
  {
    openAndWait(window, "yoochoose", source.filePath("datasets/yoochoose-sample"));
    auto* models = window.modelPanel();
    const nlohmann::json before = models->config();
    models->setConfig({{"split", {{"kind", "session_time"}, {"test_days", 1}}}});
    const qint64 knn = train(window, "session_item_knn", nlohmann::json::object());
    models->setConfig({{"split", before.at("split")}});
    QSignalSpy opened(inspector, &reclab::widgets::RecommendationInspector::runOpened);
    inspector->refreshRuns();
    inspector->openRun(knn);
    if (!opened.wait(120000)) fail("the inspector did not open the session_item_knn run");
    const auto run = inspector->openedRun();
    const auto& log = run->data->log;
    QString shown;
    for (const auto& rows : reclab::experiment::testSessions(*run)) {
      if (rows.size() < 6) continue;
      std::vector<std::int32_t> prefix{log.item[rows[0]], log.item[rows[1]]}, rest;
      for (std::size_t k = 2; k < rows.size(); ++k) rest.push_back(log.item[rows[k]]);
      int next = 0, later = 0;
      for (const auto& r : reclab::experiment::recommendNext(*run, prefix, 10, &rest)) {
        next += r.item == rest.front();
        later += r.hit && r.item != rest.front();
      }
      if (next > 0 && later > 0) {
        shown = QString::fromStdString(log.sessions.original(log.session[rows[0]]));
        break;
      }
    }
    if (shown.isEmpty()) fail("no test session with a next and a later hit after 2 clicks");
    QSignalSpy scored(inspector, &reclab::widgets::RecommendationInspector::sessionScored);
    if (!inspector->selectSession(shown)) fail("cannot select session " + shown);
    inspector->setPrefixLength(2);
    if (!scored.wait(120000)) fail("the session prefix was not scored");
    showTab(window, "Inspect");
    save(&window, "inspector_sessions.png");
  }

  // The training monitor mid-run: a classifier on the RetailRocket sample. After its third
  // evaluation the largest off-diagonal cell of the confusion matrix is clicked.
  {
    QSignalSpy preview(window.featurePanel(), &reclab::widgets::FeaturePanel::previewReady);
    openAndWait(window, "retailrocket", source.filePath("datasets/retailrocket-sample"));
    // The feature panel: seed A's metadata attributes with the encoded preview.
    if (preview.isEmpty() && !preview.wait(120000)) fail("no feature preview");
  }
  showTab(window, "Features");
  save(&window, "features.png");
  showTab(window, "Training");
  auto* panel = window.modelPanel();
  if (!panel->selectModel("hybrid_cnn")) fail("no model hybrid_cnn");
  panel->form()->setParams({{"epochs", 40}});
  QSignalSpy evaluations(window.runManager(), &RunManager::evaluation);
  QSignalSpy finished(window.runManager(), &RunManager::runFinished);
  panel->requestRun();
  while (evaluations.count() < 3) {
    if (!finished.isEmpty()) {
      fail("hybrid_cnn ended before its third evaluation: " + finished.first().at(3).toString());
    }
    if (!evaluations.wait(600000)) fail("hybrid_cnn reported no classification");
  }
  auto* view = window.monitor()->classification();
  const auto& result = view->result();
  if (!result) fail("the classification view shows nothing");
  int bestT = 1, bestP = 0;
  qint64 best = -1;
  for (int t = 0; t < result->confusion.size(); ++t) {
    for (int p = 0; p < result->confusion[t].size(); ++p) {
      if (t != p && result->confusion[t][p] > best && result->cellRows.contains({t, p})) {
        best = result->confusion[t][p];
        bestT = t;
        bestP = p;
      }
    }
  }
  save(&window, "training.png");
  window.monitor()->pages()->setCurrentIndex(1);
  settle();
  QTableView* matrix = view->matrixView();
  const QRect cell = matrix->visualRect(view->matrixModel()->index(bestT, bestP));
  QTest::mouseClick(matrix->viewport(), Qt::LeftButton, Qt::NoModifier, cell.center());
  save(&window, "classification.png");
  window.cancelCurrentRun();
  if (finished.isEmpty() && !finished.wait(60000)) fail("hybrid_cnn did not stop");

  // The column-mapping dialog: auto-detection fails on a file with unusual header names.
  window.datasetPanel()->setSelectedFormat("auto");
  QTimer::singleShot(0, [] {
    auto* dialog =
        qobject_cast<reclab::widgets::ColumnMappingDialog*>(QApplication::activeModalWidget());
    if (!dialog) fail("the column-mapping dialog did not open");
    using Role = reclab::widgets::ColumnMappingDialog::Role;
    dialog->setRoleColumn(Role::User, 0);
    dialog->setRoleColumn(Role::Item, 1);
    dialog->setRoleColumn(Role::Event, 2);
    dialog->setRoleColumn(Role::Timestamp, 3);
    dialog->setRoleColumn(Role::Session, 5);
    save(dialog, "column_mapping.png");
    dialog->reject();
  });
  window.datasetPanel()->openFiles({source.filePath("tests/fixtures/csv/odd_headers.csv")});
  return 0;
}

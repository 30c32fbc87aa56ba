#include "app/gui/main_window.h"

#include <QAbstractItemView>
#include <QTableView>
#include <QTableWidget>
#include <QTreeView>
#include <QApplication>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScreen>
#include <QSettings>
#include <QShortcut>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "app/gui/run_manager.h"
#include "experiment/preset.h"
#include "store/store.h"
#include "widgets/chart_exporter.h"
#include "widgets/chart_theme.h"
#include "widgets/comparison_view.h"
#include "widgets/dataset_charts.h"
#include "widgets/dataset_panel.h"
#include "widgets/recommendation_inspector.h"
#include "widgets/run_history.h"
#include "widgets/run_report.h"
#include "widgets/log_pane.h"
#include "widgets/message_bar.h"
#include "widgets/model_form.h"
#include "widgets/model_panel.h"
#include "widgets/run_list_view.h"
#include "widgets/training_chart.h"

namespace reclab::app {

namespace {

/// Epoch values reported but not drawn (other units than the curves).
bool isPlotted(const QString& metric) { return metric != "samples_per_second"; }

QString formatValue(double v) { return QString::number(v, 'g', 5); }

}  // namespace

MainWindow::MainWindow(const AppOptions& options, QWidget* parent)
    : QMainWindow(parent), m_options(options), m_runs(new RunManager(this)) {
  setWindowTitle(tr("RecLab"));
  buildUi();
  buildMenus();
  connectRunManager();
  {
    // The store given on the command line, else the last one used, else the default.
    QSettings settings;
    const QString last = settings.value("store/path").toString();
    openStore(!options.dbPath.isEmpty()                            ? options.dbPath
              : !last.isEmpty() && QFileInfo::exists(last)         ? last
                                                                    : defaultStorePath());
  }

  m_modelPanel->selectModel("torch_mf");
  if (options.epochs > 0) m_modelPanel->form()->setParams({{"epochs", options.epochs}});

  const bool screenshot = !options.screenshotPath.isEmpty();
  QSettings settings;
  const QSize avail = screen() ? screen()->availableGeometry().size() : QSize(1600, 1000);
  resize(std::min(1480, avail.width() * 95 / 100), std::min(920, avail.height() * 92 / 100));
  if (!screenshot && settings.contains("window/geometry")) {
    restoreGeometry(settings.value("window/geometry").toByteArray());
    m_stateRestored = restoreState(settings.value("window/state").toByteArray());
  }
  m_autorunPending = options.autorun;
  updateRunAllowed();
  QTimer::singleShot(0, this, &MainWindow::openInitialDataset);
  if (screenshot && !options.autorun) {
    QTimer::singleShot(options.screenshotAfterMs, this, &MainWindow::takeScreenshot);
  }
}

MainWindow::~MainWindow() { m_runs->shutdown(); }

void MainWindow::buildUi() {
  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(4, 4, 4, 0);
  m_messages = new widgets::MessageBar(central);
  m_centralTabs = new QTabWidget(central);
  m_chart = new widgets::TrainingChart(m_centralTabs);
  m_comparison = new widgets::ComparisonView(QString(), m_centralTabs);
  m_inspector = new widgets::RecommendationInspector(QString(), m_centralTabs);
  m_history = new widgets::RunHistory(QString(), m_centralTabs);
  m_datasetCharts = new widgets::DatasetCharts(m_centralTabs);
  m_centralTabs->addTab(m_chart, tr("&Training"));
  m_centralTabs->addTab(m_comparison, tr("&Compare"));
  m_centralTabs->addTab(m_inspector, tr("&Inspect"));
  m_centralTabs->addTab(m_history, tr("&History"));
  m_centralTabs->addTab(m_datasetCharts, tr("Dataset c&harts"));
  layout->addWidget(m_messages);
  layout->addWidget(m_centralTabs, 1);
  setCentralWidget(central);
  // Charts follow the system's light or dark palette.
  widgets::applyPaletteTheme(m_chart->chart());
  widgets::applyPaletteTheme(m_comparison->rankingChartView()->chart());
  for (auto* view : m_datasetCharts->chartViews()) widgets::applyPaletteTheme(view->chart());
  // Ctrl+1..5 switch between the central tabs.
  for (int i = 0; i < m_centralTabs->count(); ++i) {
    auto* tabShortcut = new QShortcut(QKeySequence(Qt::CTRL | (Qt::Key_1 + i)), this);
    connect(tabShortcut, &QShortcut::activated, this, [this, i] { m_centralTabs->setCurrentIndex(i); });
  }
  // One exporter for every chart and table: context menu (PNG / SVG / CSV / copy), Alt+S.
  using widgets::ChartExporter;
  ChartExporter::attach(m_chart, m_messages, "training_curves");
  ChartExporter::attach(m_comparison->rankingChartView(), m_messages, "ranking_comparison");
  for (auto* view : m_datasetCharts->chartViews()) ChartExporter::attach(view, m_messages);
  const QList<QAbstractItemView*> tables = {
      m_comparison->ratingTable(),   m_comparison->classificationTable(),
      m_comparison->curveTable(),    m_history->view(),
      m_inspector->topNTable(),      m_inspector->historyTable(),
      m_inspector->similarTable()};
  for (auto* table : tables) ChartExporter::attachTable(table, m_messages);
  // Re-running a stored config goes through the same run manager as the Run button.
  connect(m_history, &widgets::RunHistory::rerunRequested, this, [this](nlohmann::json config) {
    m_runs->startRun(config, nullptr);
    m_statusText->setText(tr("Re-run queued"));
  });

  auto addDock = [this](QWidget* widget, const QString& title, const QString& name,
                        Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name);
    dock->setWidget(widget);
    addDockWidget(area, dock);
    return dock;
  };
  m_datasetPanel = new widgets::DatasetPanel(this);
  m_modelPanel = new widgets::ModelPanel(this);
  m_runList = new widgets::RunListView(this);
  widgets::ChartExporter::attachTable(m_runList, m_messages, "runs");
  m_log = new widgets::LogPane(this);
  // Dataset above the log on the left, model on the right, runs under the chart.
  auto* datasetDock = addDock(m_datasetPanel, tr("Dataset"), "datasetDock", Qt::LeftDockWidgetArea);
  addDock(m_modelPanel, tr("Model"), "modelDock", Qt::RightDockWidgetArea);
  addDock(m_runList, tr("Runs"), "runsDock", Qt::BottomDockWidgetArea);
  auto* logDock = addDock(m_log, tr("Log"), "logDock", Qt::LeftDockWidgetArea);
  splitDockWidget(datasetDock, logDock, Qt::Vertical);
  setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
  setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);

  m_statusText = new QLabel(tr("Ready"), this);
  m_statusProgress = new QProgressBar(this);
  m_statusProgress->setRange(0, 1000);
  m_statusProgress->setMaximumWidth(220);
  m_statusProgress->hide();
  statusBar()->addWidget(m_statusText, 1);
  statusBar()->addPermanentWidget(m_statusProgress);

  connect(m_datasetPanel, &widgets::DatasetPanel::openRequested, this, &MainWindow::openDataset);
  connect(m_datasetPanel, &widgets::DatasetPanel::cancelRequested, m_runs, &RunManager::cancelLoad);
  connect(m_modelPanel, &widgets::ModelPanel::runRequested, this, &MainWindow::startRun);
  connect(m_modelPanel, &widgets::ModelPanel::cancelRequested, this, &MainWindow::cancelCurrentRun);
  connect(m_runList, &widgets::RunListView::runSelected, this, &MainWindow::showStoredRun);
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  if (m_layoutDone) return;
  m_layoutDone = true;
  if (m_stateRestored) return;
  // Default proportions, once the window has its size: chart gets what the panels leave.
  auto dock = [this](const char* name) { return findChild<QDockWidget*>(name); };
  const int w = width(), h = height();
  resizeDocks({dock("datasetDock"), dock("modelDock")}, {w * 28 / 100, w * 22 / 100},
              Qt::Horizontal);
  resizeDocks({dock("datasetDock"), dock("logDock"), dock("runsDock")},
              {h * 66 / 100, h * 34 / 100, h * 22 / 100}, Qt::Vertical);
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open =
      file->addAction(tr("&Open dataset..."), m_datasetPanel, &widgets::DatasetPanel::chooseFiles);
  open->setShortcut(QKeySequence::Open);
  file->addAction(tr("Open &store..."), this, &MainWindow::openStoreDialog);
  QAction* report = file->addAction(tr("Export run &report..."), this, &MainWindow::exportRunReport);
  report->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* run = menuBar()->addMenu(tr("&Run"));
  QAction* start = run->addAction(tr("&Run"), m_modelPanel, &widgets::ModelPanel::requestRun);
  start->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  QAction* cancel = run->addAction(tr("&Cancel run"), this, &MainWindow::cancelCurrentRun);
  cancel->setShortcut(QKeySequence(Qt::Key_Escape));

  buildPresetsMenu(menuBar()->addMenu(tr("&Presets")));

  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (auto* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
  view->addSeparator();
  view->addAction(tr("Reset chart &zoom"), m_chart, &widgets::TrainingChart::resetZoom);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&Keyboard shortcuts"), this, &MainWindow::showShortcuts);
  help->addAction(tr("&About RecLab"), this, &MainWindow::showAbout);
}

void MainWindow::connectRunManager() {
  connect(m_runs, &RunManager::loadProgress, this, [this](double f, const QString& stage) {
    m_datasetPanel->setProgress(f, stage);
    m_statusProgress->setValue(static_cast<int>(f * 1000));
  });
  connect(m_runs, &RunManager::datasetLoaded, this, &MainWindow::onDatasetLoaded);
  connect(m_runs, &RunManager::loadFailed, this, [this](const QString& error) {
    m_datasetPanel->setLoading(false);
    m_statusProgress->hide();
    m_statusText->setText(tr("Loading failed"));
    m_messages->showMessage(tr("Could not load the dataset: %1").arg(error));
    m_log->appendLine(widgets::LogPane::Level::Error, error);
    updateRunAllowed();
    abandonAutorun();
  });
  connect(m_runs, &RunManager::loadCancelled, this, [this] {
    m_datasetPanel->setLoading(false);
    m_statusProgress->hide();
    m_statusText->setText(tr("Loading cancelled"));
    updateRunAllowed();
    abandonAutorun();
  });
  connect(m_runs, &RunManager::runQueued, m_runList, &widgets::RunListView::refresh);
  connect(m_runs, &RunManager::runStarted, this, &MainWindow::onRunStarted);
  connect(m_runs, &RunManager::progress, this, &MainWindow::onProgress);
  connect(m_runs, &RunManager::logLine, this, &MainWindow::onLogLine);
  connect(m_runs, &RunManager::batchPoint, this,
          [this](int job, const QString& metric, qint64 step, double value) {
            if (job == m_chartJob) {
              m_chart->append(metric, static_cast<double>(step), value,
                              widgets::TrainingChart::Axis::Step);
            }
          });
  connect(m_runs, &RunManager::epochPoint, this,
          [this](int job, const QString& metric, int epoch, double value) {
            if (job == m_chartJob && isPlotted(metric)) {
              m_chart->append(metric, epoch, value, widgets::TrainingChart::Axis::Epoch);
            }
          });
  connect(m_runs, &RunManager::epochFinished, this,
          [this](int job, int epoch, const QVariantMap& values) {
            QStringList parts;
            for (auto it = values.begin(); it != values.end(); ++it) {
              if (isPlotted(it.key())) parts << it.key() + "=" + formatValue(it.value().toDouble());
            }
            if (values.contains("samples_per_second")) {
              parts << tr("(%1 samples/s)")
                           .arg(std::round(values["samples_per_second"].toDouble()), 0, 'f', 0);
            }
            onLogLine(job, 1, tr("epoch %1: %2").arg(epoch).arg(parts.join("  ")));
          });
  connect(m_runs, &RunManager::runFinished, this, &MainWindow::onRunFinished);
  connect(m_runs, &RunManager::activeJobsChanged, this, [this](int count) {
    m_modelPanel->setRunning(count > 0);
    if (count == 0) m_statusProgress->hide();
  });
}

void MainWindow::openStore(const QString& path) {
  try {
    m_runs->openStore(path);
    m_runList->setStore(m_runs->store());
    m_runList->refresh();
    const QString storePath = m_runs->storePath();
    if (m_options.screenshotPath.isEmpty()) QSettings().setValue("store/path", storePath);
    m_comparison->setStorePath(storePath);
    m_inspector->setStorePath(storePath);
    m_history->setStorePath(storePath);
    setWindowTitle(tr("RecLab - %1").arg(QFileInfo(path).fileName()));
    m_log->appendLine(widgets::LogPane::Level::Info, tr("store: %1").arg(m_runs->storePath()));
  } catch (const std::exception& e) {
    m_messages->showMessage(
        tr("Could not open the store %1: %2").arg(path, QString::fromStdString(e.what())));
  }
}

void MainWindow::exportRunReport() {
  const auto runId = m_runList->selectedRun();
  if (!runId) {
    m_messages->showMessage(tr("Select a run in the run list to export its report."),
                            widgets::MessageBar::Level::Warning);
    return;
  }
  const QString path = widgets::ChartExporter::askSavePath(
      this, QStringLiteral("run_%1_report.html").arg(*runId));
  if (path.isEmpty()) return;
  // The store is read on a worker; the charts are made and written on the GUI thread.
  const std::string store = m_runs->storePath().toStdString();
  const qint64 id = *runId;
  auto* watcher = new QFutureWatcher<widgets::RunReportData>(this);
  connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path, id] {
    watcher->deleteLater();
    try {
      const auto data = watcher->result();
      QString error;
      if (widgets::writeRunReport(path, tr("RecLab run %1").arg(id),
                                  {widgets::makeRunSection(data)}, &error)) {
        m_messages->showMessage(tr("Report written to %1").arg(path),
                                widgets::MessageBar::Level::Info);
      } else {
        m_messages->showMessage(error);
      }
    } catch (const std::exception& e) {
      m_messages->showMessage(tr("Could not make the report: %1").arg(e.what()));
    }
  });
  watcher->setFuture(QtConcurrent::run([store, id] { return widgets::loadRunReportData(store, id); }));
}

void MainWindow::openStoreDialog() {
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Open or create a store"), QFileInfo(m_runs->storePath()).absolutePath(),
      tr("RecLab stores (*.sqlite *.db);;All files (*)"), nullptr,
      QFileDialog::DontConfirmOverwrite);
  if (!path.isEmpty()) openStore(path);
}

void MainWindow::openInitialDataset() {
  if (!m_options.datasetPath.isEmpty()) {
    openDataset(m_options.format, {m_options.datasetPath});
    return;
  }
  QSettings settings;
  const QStringList last = settings.value("dataset/paths").toStringList();
  if (m_options.screenshotPath.isEmpty() && !last.isEmpty() && QFileInfo::exists(last.front())) {
    openDataset(settings.value("dataset/format", "auto").toString(), last);
    return;
  }
  const QString sample = bundledSamplePath();
  if (!sample.isEmpty()) {
    openDataset("movielens", {sample});
    return;
  }
  m_messages->showMessage(tr("No dataset open: use File > Open dataset... (Ctrl+O)."),
                          widgets::MessageBar::Level::Info);
  abandonAutorun();
}

void MainWindow::openDataset(const QString& format, const QStringList& paths) {
  if (paths.isEmpty()) return;
  m_datasetPanel->setLoading(true, paths);
  m_statusText->setText(tr("Loading %1...").arg(QFileInfo(paths.front()).fileName()));
  m_statusProgress->setValue(0);
  m_statusProgress->show();
  m_runs->loadDataset(format, paths);
  updateRunAllowed();
}

void MainWindow::onDatasetLoaded(std::shared_ptr<const data::LoadResult> result,
                                 std::shared_ptr<const widgets::DatasetSummary> summary,
                                 const QStringList& paths) {
  m_dataset = result;
  m_datasetPaths = paths;
  m_datasetPanel->setDataset(result, summary, paths);
  m_datasetCharts->setDataset(result);  // computes its series on a worker
  if (m_runs->activeJobCount() == 0) m_statusProgress->hide();
  const QString name = QFileInfo(paths.front()).fileName();
  m_statusText->setText(tr("Loaded %1: %2 rows").arg(name).arg(result->log.numRows()));
  m_log->appendLine(
      widgets::LogPane::Level::Info,
      tr("loaded %1 (%2): %3 rows, %4 bad rows skipped")
          .arg(paths.join(", "), QString::fromStdString(data::formatName(result->format)))
          .arg(result->log.numRows())
          .arg(result->report.badRowCount));
  if (result->report.badRowCount > 0) {
    m_messages->showMessage(tr("%1 bad rows were skipped while loading %2 (see the Dataset panel).")
                                .arg(result->report.badRowCount)
                                .arg(name),
                            widgets::MessageBar::Level::Warning);
  }
  if (m_options.screenshotPath.isEmpty()) {
    QSettings settings;
    settings.setValue("dataset/paths", paths);
    settings.setValue("dataset/format", QString::fromStdString(data::formatName(result->format)));
  }
  updateRunAllowed();
  if (m_autorunPending) {
    m_modelPanel->requestRun();
    if (m_autorunPending) {  // Run was blocked
      m_messages->showMessage(tr("--autorun: %1").arg(m_modelPanel->blockReason()));
      abandonAutorun();
    }
  }
}

void MainWindow::abandonAutorun() {
  if (!m_autorunPending) return;
  m_autorunPending = false;
  if (!m_options.screenshotPath.isEmpty()) {
    QTimer::singleShot(m_options.screenshotAfterMs, this, &MainWindow::takeScreenshot);
  }
}

void MainWindow::updateRunAllowed() {
  if (m_runs->isLoading()) {
    m_modelPanel->setRunAllowed(false, tr("Loading the dataset..."));
  } else if (!m_dataset) {
    m_modelPanel->setRunAllowed(false, tr("Open a dataset first (File > Open dataset)"));
  } else {
    m_modelPanel->setRunAllowed(true);
  }
}

void MainWindow::startRun(const nlohmann::json& panelConfig) {
  if (!m_dataset) {
    m_messages->showMessage(tr("Open a dataset before starting a run."));
    return;
  }
  nlohmann::json config = panelConfig;
  std::vector<std::string> paths;
  for (const auto& p : m_datasetPaths) paths.push_back(p.toStdString());
  config["dataset"] = {{"format", data::formatName(m_dataset->format)}, {"paths", paths}};
  if (!config.contains("name")) {
    config["name"] = config["model"]["name"].get<std::string>() + " on " +
                     QFileInfo(m_datasetPaths.front()).fileName().toStdString();
  }
  const int job = m_runs->startRun(config, m_dataset);
  if (m_autorunPending) {
    m_autorunPending = false;
    m_autorunJob = job;
  }
  m_statusText->setText(tr("Run queued"));
}

void MainWindow::buildPresetsMenu(QMenu* menu) {
  const QString dir = presetsDirectory();
  std::vector<std::string> errors;
  const auto presets = dir.isEmpty() ? decltype(experiment::listPresets("")){}
                                     : experiment::listPresets(dir.toStdString(), &errors);
  for (const auto& e : errors) m_messages->showMessage(QString::fromStdString(e));
  if (presets.empty()) {
    menu->addAction(tr("(no presets found)"))->setEnabled(false);
    return;
  }
  for (const auto& [path, preset] : presets) {
    QAction* a = menu->addAction(QString::fromStdString(preset.title));
    a->setToolTip(QString::fromStdString(preset.source));
    a->setStatusTip(tr("Queues %n run(s)", nullptr, static_cast<int>(preset.runs.size())));
    const QString file = QString::fromStdString(path);
    connect(a, &QAction::triggered, this, [this, file] { runPreset(file); });
  }
  menu->setToolTipsVisible(true);
}

int MainWindow::runPreset(const QString& presetPath) {
  try {
    const auto preset = experiment::loadPreset(presetPath.toStdString());
    for (const auto& config : preset.runs) m_runs->startRun(config.toJson(), nullptr);
    m_statusText->setText(tr("Preset queued: %1 (%2 runs)")
                              .arg(QString::fromStdString(preset.title))
                              .arg(preset.runs.size()));
    return static_cast<int>(preset.runs.size());
  } catch (const std::exception& e) {
    m_messages->showMessage(QString::fromStdString(e.what()));
    return 0;
  }
}

void MainWindow::cancelCurrentRun() {
  const QList<int> active = m_runs->activeJobs();
  if (active.isEmpty()) return;
  const int job = active.contains(m_chartJob) ? m_chartJob : active.back();
  onLogLine(job, 1, tr("cancelling"));
  m_runs->cancel(job);
}

void MainWindow::onRunStarted(int job, qint64 runId) {
  m_chartJob = job;
  m_chart->clear();
  m_chart->setTitle(runId > 0 ? tr("Run %1 (live)").arg(runId) : tr("Live run"));
  m_statusProgress->setValue(0);
  m_statusProgress->show();
  m_statusText->setText(tr("Run %1 started").arg(runId));
  m_runList->refresh();
}

void MainWindow::onProgress(int job, double fraction, const QString& stage) {
  if (job != m_chartJob) return;
  m_statusProgress->setValue(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000));
  const auto runId = m_runs->runIdOf(job);
  m_statusText->setText(tr("Run %1: %2 %3%")
                            .arg(runId.value_or(0))
                            .arg(stage)
                            .arg(static_cast<int>(std::round(fraction * 100))));
}

void MainWindow::onLogLine(int job, int level, const QString& text) {
  QString prefix;
  if (job > 0) {
    const auto runId = m_runs->runIdOf(job);
    prefix = runId && *runId > 0 ? tr("run %1: ").arg(*runId) : tr("job %1: ").arg(job);
  }
  m_log->appendLine(static_cast<widgets::LogPane::Level>(std::clamp(level, 0, 3)), prefix + text);
}

void MainWindow::onRunFinished(int job, qint64 runId, const QString& status, const QString& error,
                               const QVariantMap& metrics) {
  QStringList parts;
  for (auto it = metrics.begin(); it != metrics.end(); ++it) {
    parts << it.key() + "=" + formatValue(it.value().toDouble());
  }
  const QString what = runId > 0 ? tr("Run %1").arg(runId) : tr("Run");
  m_log->appendLine(
      status == "failed" ? widgets::LogPane::Level::Error : widgets::LogPane::Level::Info,
      tr("%1 %2%3").arg(what, status, parts.isEmpty() ? QString() : ": " + parts.join("  ")));
  if (status == "failed") {
    m_messages->showMessage(tr("%1 failed: %2").arg(what, error));
  }
  QStringList headline;
  for (const char* key : {"rmse", "mae", "recall@10", "ndcg@10"}) {
    if (metrics.contains(key))
      headline << QString("%1 %2").arg(key, formatValue(metrics[key].toDouble()));
  }
  m_statusText->setText(tr("%1 %2").arg(what, status) +
                        (headline.isEmpty() ? QString() : ": " + headline.join(", ")));
  m_runList->refresh();
  m_comparison->refresh();
  m_inspector->refreshRuns();
  m_history->refresh();
  if (job == m_chartJob && runId > 0) {
    m_chartJob = 0;
    m_runList->selectRun(runId);  // shows the stored curves and the metrics row
    m_chart->flushNow();
  }
  if (job == m_autorunJob && !m_options.screenshotPath.isEmpty()) {
    QTimer::singleShot(m_options.screenshotAfterMs, this, &MainWindow::takeScreenshot);
  }
}

void MainWindow::showStoredRun(qint64 runId) {
  const store::Store* st = m_runs->store();
  if (!st) return;
  const auto job = m_runs->jobOfRun(runId);
  m_chartJob = job.value_or(0);
  m_chart->clear();
  const auto record = st->run(runId);
  if (record) {
    m_chart->setTitle(tr("Run %1: %2 (%3)")
                          .arg(runId)
                          .arg(QString::fromStdString(record->name),
                               QString::fromStdString(store::statusName(record->status))));
  }
  for (const auto& p : st->curve(runId)) {
    const QString metric = QString::fromStdString(p.metric);
    if (metric.startsWith("batch_")) {
      m_chart->append(metric, static_cast<double>(p.step), p.value,
                      widgets::TrainingChart::Axis::Step);
    } else if (isPlotted(metric)) {
      m_chart->append(metric, p.epoch, p.value, widgets::TrainingChart::Axis::Epoch);
    }
  }
  m_chart->flushNow();
}

void MainWindow::showShortcuts() {
  QMessageBox::information(
      this, tr("Keyboard shortcuts"),
      tr("<table>"
         "<tr><td><b>Ctrl+O</b></td><td>Open a dataset</td></tr>"
         "<tr><td><b>Ctrl+R</b></td><td>Run the selected model</td></tr>"
         "<tr><td><b>Esc</b></td><td>Cancel the current run</td></tr>"
         "<tr><td><b>Ctrl+E</b></td><td>Export the selected run's report (HTML)</td></tr>"
         "<tr><td><b>Ctrl+1 ... Ctrl+5</b></td><td>Training, Compare, Inspect, History, "
         "Dataset charts</td></tr>"
         "<tr><td><b>Alt+S</b> on a focused chart</td><td>Save the chart as PNG (right-click: "
         "SVG, CSV data, copy)</td></tr>"
         "<tr><td><b>Right-click</b> on a table</td><td>Save the table as CSV, copy it</td></tr>"
         "<tr><td><b>Ctrl+Q</b></td><td>Quit</td></tr>"
         "<tr><td><b>Drag</b> on the chart</td><td>Zoom into a rectangle</td></tr>"
         "<tr><td><b>Right-click / double-click</b></td><td>Reset the chart zoom</td></tr>"
         "</table>"));
}

void MainWindow::showAbout() {
  QMessageBox::about(this, tr("About RecLab"),
                     tr("<b>RecLab %1</b><p>A workbench for recommender-system research: load "
                        "an interaction log, train a model in the background while its curves "
                        "draw, and keep every run in one SQLite store.</p>")
                         .arg(QApplication::applicationVersion()));
}

void MainWindow::takeScreenshot() {
  if (!m_options.tab.isEmpty()) {
    for (int i = 0; i < m_centralTabs->count(); ++i) {
      if (m_centralTabs->tabText(i).remove('&') == m_options.tab) m_centralTabs->setCurrentIndex(i);
    }
    // Let the tab lay itself out and draw before grabbing.
    QCoreApplication::processEvents();
  }
  const QPixmap pixmap = grab();
  const bool saved = pixmap.save(m_options.screenshotPath, "PNG");
  if (!saved) qWarning("could not write the screenshot %s", qPrintable(m_options.screenshotPath));
  m_quitting = true;
  close();
  QCoreApplication::exit(saved ? 0 : 1);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  const int active = m_runs->activeJobCount();
  if (!m_quitting && active > 0) {
    const auto answer = QMessageBox::question(
        this, tr("Quit RecLab"),
        tr("%n run(s) are still active. Cancel them and quit?", nullptr, active),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer != QMessageBox::Yes) {
      event->ignore();
      return;
    }
  }
  m_statusText->setText(tr("Stopping runs..."));
  m_runs->shutdown();
  if (m_options.screenshotPath.isEmpty()) {
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
  }
  event->accept();
}

}  // namespace reclab::app

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
#include "models/registry.h"
#include "store/store.h"
#include "widgets/chart_exporter.h"
#include "widgets/chart_theme.h"
#include "widgets/classification_view.h"
#include "widgets/comparison_view.h"
#include "widgets/dataset_charts.h"
#include "widgets/dataset_panel.h"
#include "widgets/feature_panel.h"
#include "widgets/recommendation_inspector.h"
#include "widgets/run_history.h"
#include "widgets/run_report.h"
#include "widgets/log_pane.h"
#include "widgets/message_bar.h"
#include "widgets/model_form.h"
#include "widgets/model_panel.h"
#include "widgets/run_list_view.h"
#include "widgets/training_chart.h"
#include "widgets/training_monitor.h"

namespace reclab::app {

namespace {

/// A column mapping as kept in QSettings (to reopen the last generic CSV file).
QVariantMap mappingToSettings(const data::ColumnMapping& m) {
  return {{"delimiter", QString(QChar(m.delimiter))},
          {"header", m.hasHeader},
          {"user", QString::fromStdString(m.user)},
          {"item", QString::fromStdString(m.item)},
          {"event", QString::fromStdString(m.event)},
          {"timestamp", QString::fromStdString(m.timestamp)},
          {"value", QString::fromStdString(m.value)},
          {"session", QString::fromStdString(m.session)},
          {"timestamp_unit", QString::fromStdString(m.timestampUnit)}};
}

std::optional<data::ColumnMapping> mappingFromSettings(const QVariantMap& v) {
  const QString delimiter = v.value("delimiter").toString();
  if (delimiter.size() != 1 || v.value("item").toString().isEmpty()) return std::nullopt;
  data::ColumnMapping m;
  m.delimiter = delimiter.front().toLatin1();
  m.hasHeader = v.value("header", true).toBool();
  m.user = v.value("user").toString().toStdString();
  m.item = v.value("item").toString().toStdString();
  m.event = v.value("event").toString().toStdString();
  m.timestamp = v.value("timestamp").toString().toStdString();
  m.value = v.value("value").toString().toStdString();
  m.session = v.value("session").toString().toStdString();
  m.timestampUnit = v.value("timestamp_unit", "unix_s").toString().toStdString();
  return m;
}

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
  if (!screenshot && settings.contains("chart/smoothing")) {
    m_chart->setSmoothing(settings.value("chart/smoothing").toDouble());
  }
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
  m_monitor = new widgets::TrainingMonitor(m_centralTabs);
  m_chart = m_monitor->chart();
  m_comparison = new widgets::ComparisonView(QString(), m_centralTabs);
  m_inspector = new widgets::RecommendationInspector(QString(), m_centralTabs);
  m_history = new widgets::RunHistory(QString(), m_centralTabs);
  m_datasetCharts = new widgets::DatasetCharts(m_centralTabs);
  m_features = new widgets::FeaturePanel(m_centralTabs);
  m_centralTabs->addTab(m_monitor, tr("&Training"));
  m_centralTabs->addTab(m_comparison, tr("&Compare"));
  m_centralTabs->addTab(m_inspector, tr("&Inspect"));
  m_centralTabs->addTab(m_history, tr("&History"));
  m_centralTabs->addTab(m_datasetCharts, tr("Dataset c&harts"));
  m_centralTabs->addTab(m_features, tr("&Features"));
  // A saved feature configuration becomes the "features" parameter of the models that read
  // one (the hybrid CNN), now and whenever such a model is chosen later.
  connect(m_features, &widgets::FeaturePanel::configSaved, this, [this](const QString& path) {
    m_featuresPath = path;
    applyFeaturesPath();
    m_statusText->setText(tr("Feature configuration saved: %1").arg(QFileInfo(path).fileName()));
  });
  layout->addWidget(m_messages);
  layout->addWidget(m_centralTabs, 1);
  setCentralWidget(central);
  // Charts follow the system's light or dark palette.
  widgets::applyPaletteTheme(m_chart->chart());
  widgets::applyPaletteTheme(m_comparison->rankingChartView()->chart());
  for (auto* view : m_datasetCharts->chartViews()) widgets::applyPaletteTheme(view->chart());
  // Ctrl+1..6 switch between the central tabs.
  for (int i = 0; i < m_centralTabs->count(); ++i) {
    auto* tabShortcut = new QShortcut(QKeySequence(Qt::CTRL | (Qt::Key_1 + i)), this);
    connect(tabShortcut, &QShortcut::activated, this, [this, i] { m_centralTabs->setCurrentIndex(i); });
  }
  // One exporter for every chart and table: context menu (PNG / SVG / CSV / copy), Alt+S.
  using widgets::ChartExporter;
  ChartExporter::attach(m_chart, m_messages, "training_curves");
  ChartExporter::attach(m_comparison->rankingChartView(), m_messages, "ranking_comparison");
  for (auto* view : m_datasetCharts->chartViews()) ChartExporter::attach(view, m_messages);
  const QList<QAbstractItemView*> tables = {m_comparison->ratingTable(),
                                            m_comparison->classificationTable(),
                                            m_comparison->curveTable(),
                                            m_history->view(),
                                            m_inspector->topNTable(),
                                            m_inspector->historyTable(),
                                            m_inspector->similarTable(),
                                            m_monitor->classification()->reportView(),
                                            m_monitor->classification()->matrixView(),
                                            m_monitor->rowsView()};
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
  // A new session gap re-reads the open dataset with it (the loaded log is what runs train on).
  connect(m_datasetPanel, &widgets::DatasetPanel::sessionGapChanged, this, [this] {
    if (!m_dataset || m_datasetPaths.isEmpty()) return;
    loadDataset(QString::fromStdString(data::formatName(m_dataset->format)), m_datasetPaths,
                m_datasetMapping);
  });
  connect(m_datasetPanel, &widgets::DatasetPanel::openCsvRequested, this,
          &MainWindow::openCsvDataset);
  connect(m_monitor->classification(), &widgets::ClassificationView::cellActivated, this,
          &MainWindow::onClassificationCell);
  connect(m_datasetPanel, &widgets::DatasetPanel::cancelRequested, m_runs, &RunManager::cancelLoad);
  connect(m_modelPanel, &widgets::ModelPanel::runRequested, this, &MainWindow::startRun);
  connect(m_modelPanel, &widgets::ModelPanel::cancelRequested, this, &MainWindow::cancelCurrentRun);
  connect(m_modelPanel, &widgets::ModelPanel::modelChanged, this, &MainWindow::applyFeaturesPath);
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
  resizeDocks({dock("datasetDock"), dock("modelDock")}, {w * 23 / 100, w * 22 / 100},
              Qt::Horizontal);
  resizeDocks({dock("datasetDock"), dock("logDock"), dock("runsDock")},
              {h * 66 / 100, h * 34 / 100, h * 22 / 100}, Qt::Vertical);
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open =
      file->addAction(tr("&Open dataset..."), m_datasetPanel, &widgets::DatasetPanel::chooseFiles);
  open->setShortcut(QKeySequence::Open);
  file->addAction(tr("Open &generic CSV..."), m_datasetPanel,
                  &widgets::DatasetPanel::chooseGenericCsv);
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
    const QString format = settings.value("dataset/format", "auto").toString();
    const auto mapping = mappingFromSettings(settings.value("dataset/mapping").toMap());
    const QVariant gap = settings.value("dataset/session_gap_minutes");
    m_datasetPanel->setSessionGapMinutes(gap.isValid() ? std::optional<double>(gap.toDouble())
                                                       : std::nullopt);
    if (format != "csv") {
      openDataset(format, last);
      return;
    }
    if (mapping) {
      openCsvDataset(last, *mapping);
      return;
    }
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
  loadDataset(format, paths, std::nullopt);
}

void MainWindow::openCsvDataset(const QStringList& paths, const data::ColumnMapping& mapping) {
  loadDataset("csv", paths, mapping);
}

void MainWindow::loadDataset(const QString& format, const QStringList& paths,
                             const std::optional<data::ColumnMapping>& mapping) {
  if (paths.isEmpty()) return;
  m_pendingMapping = mapping;  // kept with the dataset once it is loaded
  m_pendingGap = m_datasetPanel->sessionGapMinutes();
  m_datasetPanel->setLoading(true, paths);
  m_statusText->setText(tr("Loading %1...").arg(QFileInfo(paths.front()).fileName()));
  m_statusProgress->setValue(0);
  m_statusProgress->show();
  m_runs->loadDataset(format, paths, mapping, m_pendingGap);
  updateRunAllowed();
}

void MainWindow::onDatasetLoaded(std::shared_ptr<const data::LoadResult> result,
                                 std::shared_ptr<const widgets::DatasetSummary> summary,
                                 const QStringList& paths) {
  m_dataset = result;
  m_datasetPaths = paths;
  m_datasetMapping = result->format == data::Format::Csv ? m_pendingMapping : std::nullopt;
  m_datasetGap = m_pendingGap;
  m_datasetPanel->setDataset(result, summary, paths);
  m_datasetCharts->setDataset(result);  // computes its series on a worker
  m_features->setDataset(result);       // defaults for this dataset; preview on a worker
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
    if (m_datasetMapping) {
      settings.setValue("dataset/mapping", mappingToSettings(*m_datasetMapping));
    } else {
      settings.remove("dataset/mapping");
    }
    if (m_datasetGap) {
      settings.setValue("dataset/session_gap_minutes", *m_datasetGap);
    } else {
      settings.remove("dataset/session_gap_minutes");
    }
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

void MainWindow::applyFeaturesPath() {
  if (m_featuresPath.isEmpty()) return;
  const auto* info = models::Registry::instance().find(m_modelPanel->currentModel().toStdString());
  if (!info) return;
  for (const auto& p : info->params) {
    if (p.name == "features") m_modelPanel->form()->setParams({{"features", m_featuresPath.toStdString()}});
  }
}

int MainWindow::runPreset(const QString& presetPath) {
  try {
    const auto preset = experiment::loadPreset(presetPath.toStdString());
    // Runs that start from an earlier run's embeddings get its run id (known once queued) and
    // wait for it to end.
    std::map<std::string, std::int64_t> runIds;
    std::map<std::string, int> jobs;
    for (std::size_t i = 0; i < preset.runs.size(); ++i) {
      const auto& from = preset.embeddingsFrom[i];
      std::vector<int> after;
      experiment::ExperimentConfig config = preset.runs[i];
      if (!from.empty()) {
        config = preset.resolved(i, runIds);
        after.push_back(jobs.at(from));
      }
      const int job = m_runs->startRun(config.toJson(), nullptr, after);
      jobs[config.name] = job;
      if (auto id = m_runs->runIdOf(job)) runIds[config.name] = *id;
    }
    m_statusText->setText(tr("Preset queued: %1 (%2 runs)")
                              .arg(QString::fromStdString(preset.title))
                              .arg(preset.runs.size()));
    return static_cast<int>(preset.runs.size());
  } catch (const std::exception& e) {
    m_messages->showMessage(QString::fromStdString(e.what()));
    return 0;
  }
}

void MainWindow::showShortcuts() {
  QMessageBox::information(
      this, tr("Keyboard shortcuts"),
      tr("<table>"
         "<tr><td><b>Ctrl+O</b></td><td>Open a dataset</td></tr>"
         "<tr><td><b>Ctrl+R</b></td><td>Run the selected model</td></tr>"
         "<tr><td><b>Esc</b></td><td>Cancel the current run</td></tr>"
         "<tr><td><b>Ctrl+E</b></td><td>Export the selected run's report (HTML)</td></tr>"
         "<tr><td><b>Ctrl+1 ... Ctrl+6</b></td><td>Training, Compare, Inspect, History, "
         "Dataset charts, Features</td></tr>"
         "<tr><td><b>Alt+S</b> on a focused chart</td><td>Save the chart as PNG (right-click: "
         "SVG, CSV data, copy)</td></tr>"
         "<tr><td><b>Right-click</b> on a table</td><td>Save the table as CSV, copy it</td></tr>"
         "<tr><td><b>Ctrl+Q</b></td><td>Quit</td></tr>"
         "<tr><td><b>Drag</b> or <b>scroll</b> on the chart</td><td>Zoom (kept while points "
         "arrive)</td></tr>"
         "<tr><td><b>Double-click</b> on the chart</td><td>Reset the chart zoom (also in its "
         "right-click menu)</td></tr>"
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
    settings.setValue("chart/smoothing", m_chart->smoothing());
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
  }
  event->accept();
}

}  // namespace reclab::app

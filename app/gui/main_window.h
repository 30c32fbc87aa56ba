#pragma once
/// The workbench window: central tabs (the training monitor: live curves with smoothing and the
/// classification report / confusion matrix of the run it follows; the comparison view, the
/// recommendation inspector, the run history, the dataset charts) under an in-window message bar,
/// dockable dataset / model / runs / log panels, a status bar with the current progress, and
/// the File / Run / View / Help menus. All long work goes through the RunManager; the window
/// only wires panels to it (and remembers the last dataset and the layout in QSettings).

#include <QMainWindow>
#include <QStringList>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/gui/app_options.h"
#include "data/load.h"
#include "widgets/dataset_summary.h"

class QLabel;
class QProgressBar;

class QMenu;
class QTabWidget;

namespace reclab::widgets {
class ComparisonView;
class DatasetCharts;
class FeaturePanel;
class DatasetPanel;
class RecommendationInspector;
class RunHistory;
class LogPane;
class MessageBar;
class ModelPanel;
class RunListView;
class TrainingChart;
class TrainingMonitor;
}  // namespace reclab::widgets

namespace reclab::app {

class RunManager;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(const AppOptions& options, QWidget* parent = nullptr);
  ~MainWindow() override;

  RunManager* runManager() const { return m_runs; }
  widgets::TrainingChart* chart() const { return m_chart; }
  widgets::TrainingMonitor* monitor() const { return m_monitor; }
  widgets::DatasetPanel* datasetPanel() const { return m_datasetPanel; }
  widgets::ModelPanel* modelPanel() const { return m_modelPanel; }
  widgets::RunListView* runList() const { return m_runList; }
  widgets::MessageBar* messageBar() const { return m_messages; }
  widgets::LogPane* logPane() const { return m_log; }
  QTabWidget* centralTabs() const { return m_centralTabs; }
  widgets::ComparisonView* comparison() const { return m_comparison; }
  widgets::RecommendationInspector* inspector() const { return m_inspector; }
  widgets::RunHistory* history() const { return m_history; }
  widgets::DatasetCharts* datasetCharts() const { return m_datasetCharts; }
  widgets::FeaturePanel* featurePanel() const { return m_features; }
  std::shared_ptr<const data::LoadResult> dataset() const { return m_dataset; }
  /// The job whose curves the chart follows (0 when none).
  int chartJob() const { return m_chartJob; }
  /// The store run the training monitor shows (0 when none).
  qint64 monitorRun() const { return m_monitorRun; }
  /// The column mapping of the loaded dataset when it is a generic CSV file.
  const std::optional<data::ColumnMapping>& datasetMapping() const { return m_datasetMapping; }
  /// The session gap the loaded dataset was cut with (nullopt: the format's default); runs
  /// carry it as dataset.session_gap_minutes.
  std::optional<double> datasetSessionGap() const { return m_datasetGap; }

 public Q_SLOTS:
  void openDataset(const QString& format, const QStringList& paths);
  /// Loads delimited files as Format::Csv with `mapping`; runs on them carry the mapping.
  void openCsvDataset(const QStringList& paths, const data::ColumnMapping& mapping);
  void openStoreDialog();
  /// Writes the HTML report (config, metrics, curves as embedded charts) of the run selected
  /// in the run list.
  void exportRunReport();
  void startRun(const nlohmann::json& panelConfig);
  /// Queues every run of a preset file (each loads the dataset its config names).
  /// Returns the number of runs queued; errors go to the message bar.
  int runPreset(const QString& presetPath);
  void cancelCurrentRun();
  void showShortcuts();
  /// Puts the last saved feature configuration into the model form when the model reads one.
  void applyFeaturesPath();
  void showAbout();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void showEvent(QShowEvent* event) override;

 private:
  void buildUi();
  void buildMenus();
  void buildPresetsMenu(QMenu* menu);
  void connectRunManager();
  void openInitialDataset();
  void openStore(const QString& path);
  void showStoredRun(qint64 runId);
  void loadDataset(const QString& format, const QStringList& paths,
                   const std::optional<data::ColumnMapping>& mapping);
  /// The monitor follows store run `runId`: its classification report goes beside the curves.
  void followRun(qint64 runId);
  /// Shows a classification JSON (live or stored) of the followed run.
  void showClassification(const QByteArray& json, const QString& caption);
  /// Lists the rows of a confusion-matrix cell from the loaded dataset, when it is the run's.
  void onClassificationCell(int trueClass, int predictedClass, const QList<qint64>& rows);
  void updateRunAllowed();
  void takeScreenshot();
  /// --autorun cannot press Run (no dataset): take the screenshot anyway, if one is asked.
  void abandonAutorun();

  void onDatasetLoaded(std::shared_ptr<const data::LoadResult> result,
                       std::shared_ptr<const widgets::DatasetSummary> summary,
                       const QStringList& paths);
  void onRunStarted(int job, qint64 runId);
  void onRunFinished(int job, qint64 runId, const QString& status, const QString& error,
                     const QVariantMap& metrics);
  void onProgress(int job, double fraction, const QString& stage);
  void onLogLine(int job, int level, const QString& text);

  AppOptions m_options;
  RunManager* m_runs;
  widgets::TrainingMonitor* m_monitor = nullptr;
  widgets::TrainingChart* m_chart = nullptr;
  widgets::MessageBar* m_messages = nullptr;
  widgets::DatasetPanel* m_datasetPanel = nullptr;
  widgets::ModelPanel* m_modelPanel = nullptr;
  widgets::RunListView* m_runList = nullptr;
  widgets::LogPane* m_log = nullptr;
  QTabWidget* m_centralTabs = nullptr;
  widgets::ComparisonView* m_comparison = nullptr;
  widgets::RecommendationInspector* m_inspector = nullptr;
  widgets::RunHistory* m_history = nullptr;
  widgets::DatasetCharts* m_datasetCharts = nullptr;
  widgets::FeaturePanel* m_features = nullptr;
  QString m_featuresPath;  ///< the last saved feature configuration
  QLabel* m_statusText = nullptr;
  QProgressBar* m_statusProgress = nullptr;

  std::shared_ptr<const data::LoadResult> m_dataset;
  QStringList m_datasetPaths;
  std::optional<data::ColumnMapping> m_datasetMapping;
  std::optional<data::ColumnMapping> m_pendingMapping;  ///< of the load in progress
  std::optional<double> m_datasetGap;
  std::optional<double> m_pendingGap;  ///< of the load in progress
  int m_chartJob = 0;
  qint64 m_monitorRun = 0;
  QStringList m_monitorRunPaths;  ///< dataset files of m_monitorRun (from its stored config)
  bool m_autorunPending = false;
  int m_autorunJob = 0;
  bool m_quitting = false;
  bool m_layoutDone = false;
  bool m_stateRestored = false;
};

}  // namespace reclab::app

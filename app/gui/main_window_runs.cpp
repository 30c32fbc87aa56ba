/// MainWindow, second half: the run manager's signals, starting and cancelling runs, and the
/// training monitor (live and stored curves, the classification report and its drill-down).

#include <QFileInfo>
#include <QLabel>
#include <QProgressBar>
#include <QTimer>
#include <algorithm>
#include <cmath>

#include "app/gui/main_window.h"
#include "app/gui/run_manager.h"
#include "experiment/config.h"
#include "store/store.h"
#include "widgets/classification_view.h"
#include "widgets/comparison_view.h"
#include "widgets/dataset_panel.h"
#include "widgets/log_pane.h"
#include "widgets/message_bar.h"
#include "widgets/model_panel.h"
#include "widgets/recommendation_inspector.h"
#include "widgets/run_history.h"
#include "widgets/run_list_view.h"
#include "widgets/training_chart.h"
#include "widgets/training_monitor.h"

namespace reclab::app {

namespace {

/// Epoch values reported but not drawn (other units than the curves).
bool isPlotted(const QString& metric) { return metric != "samples_per_second"; }

QString formatValue(double v) { return QString::number(v, 'g', 5); }

}  // namespace

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
  connect(m_runs, &RunManager::evaluation, this,
          [this](int job, const QString& name, const QByteArray& json) {
            if (job != m_chartJob || name != "classification") return;
            const auto runId = m_runs->runIdOf(job).value_or(0);
            showClassification(json, runId > 0 ? tr("Run %1 (live)").arg(runId) : tr("Live run"));
          });
  connect(m_runs, &RunManager::runFinished, this, &MainWindow::onRunFinished);
  connect(m_runs, &RunManager::activeJobsChanged, this, [this](int count) {
    m_modelPanel->setRunning(count > 0);
    if (count == 0) m_statusProgress->hide();
  });
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
  if (m_datasetGap) config["dataset"]["session_gap_minutes"] = *m_datasetGap;
  if (m_datasetMapping) {
    experiment::ExperimentConfig withMapping;
    withMapping.dataset.mapping = m_datasetMapping;
    config["dataset"]["mapping"] = withMapping.toJson()["dataset"]["mapping"];
  }
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
  followRun(runId);
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
  followRun(runId);
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
  if (const auto json = st->artifact(runId, "classification.json")) {
    const QString state =
        record ? QString::fromStdString(store::statusName(record->status)) : QString();
    showClassification(QByteArray::fromStdString(*json), tr("Run %1 (%2)").arg(runId).arg(state));
  }
}

void MainWindow::followRun(qint64 runId) {
  m_monitorRun = runId;
  m_monitorRunPaths.clear();
  m_monitor->classification()->clear();
  m_monitor->clearRows();
  m_monitor->setClassificationVisible(false);
  const store::Store* st = m_runs->store();
  const auto record = st && runId > 0 ? st->run(runId) : std::nullopt;
  if (!record) return;
  try {
    const auto config = nlohmann::json::parse(record->configJson);
    for (const auto& p : config.at("dataset").at("paths")) {
      m_monitorRunPaths << QString::fromStdString(p.get<std::string>());
    }
  } catch (const std::exception&) {
    // A config without dataset paths: its rows cannot be matched to the loaded dataset, which
    // onClassificationCell() says when a cell is clicked.
  }
}

void MainWindow::showClassification(const QByteArray& json, const QString& caption) {
  QString error;
  auto* view = m_monitor->classification();
  if (!view->setJson(json, &error)) {
    m_messages->showMessage(tr("%1: classification.json: %2").arg(caption, error));
    return;
  }
  view->setCaption(caption);
  m_monitor->setClassificationVisible(true);
}

void MainWindow::onClassificationCell(int trueClass, int predictedClass,
                                      const QList<qint64>& rows) {
  const auto& result = m_monitor->classification()->result();
  if (!result) return;
  const QString cell =
      tr("true %1, predicted %2")
          .arg(result->classes.value(trueClass), result->classes.value(predictedClass));
  const qint64 count = result->confusion.value(trueClass).value(predictedClass);
  if (rows.isEmpty()) {
    m_monitor->clearRows(tr("%1: %2 rows, none listed in the report.").arg(cell).arg(count));
    return;
  }
  // Row indices refer to the run's dataset as loaded: list them only from that same dataset.
  auto canonical = [](const QStringList& paths) {
    QStringList out;
    for (const auto& p : paths) {
      const QFileInfo info(p);
      out << (info.exists() ? info.canonicalFilePath() : info.absoluteFilePath());
    }
    return out;
  };
  if (!m_dataset || m_monitorRunPaths.isEmpty() ||
      canonical(m_monitorRunPaths) != canonical(m_datasetPaths)) {
    m_monitor->clearRows(
        tr("%1: %2 rows. Open the run's dataset (%3) to list them.")
            .arg(cell)
            .arg(count)
            .arg(m_monitorRunPaths.isEmpty() ? tr("unknown") : m_monitorRunPaths.join(", ")));
    return;
  }
  const std::size_t n = m_dataset->log.numRows();
  std::vector<std::uint32_t> logRows;
  logRows.reserve(static_cast<std::size_t>(rows.size()));
  for (qint64 r : rows) {
    if (r >= 0 && static_cast<std::size_t>(r) < n) logRows.push_back(static_cast<std::uint32_t>(r));
  }
  QString caption = tr("%1: %2 of %3 rows listed").arg(cell).arg(logRows.size()).arg(count);
  const auto outside = static_cast<std::size_t>(rows.size()) - logRows.size();
  if (outside > 0) {
    caption += tr(" (%1 row indices are past the end of the loaded dataset: it is not the one "
                  "the run was trained on)")
                   .arg(outside);
  }
  m_monitor->showRows(m_dataset, std::move(logRows), caption);
}

}  // namespace reclab::app

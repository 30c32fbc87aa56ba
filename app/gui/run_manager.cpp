#include "app/gui/run_manager.h"

#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

#include "common/errors.h"
#include "store/store.h"

namespace reclab::app {

struct RunManager::Job {
  int id = 0;
  experiment::ExperimentConfig config;
  std::shared_ptr<const data::LoadResult> preloaded;
  std::string dbPath;
  std::int64_t runId = 0;
  StopToken stop;
  /// Set by cancel(): later curve points of the job are dropped.
  std::shared_ptr<std::atomic<bool>> detached = std::make_shared<std::atomic<bool>>(false);
  std::thread thread;
  bool started = false;
  std::vector<int> after;  ///< jobs that must end first
};

namespace {

/// Progress calls are forwarded when the stage changes, at the end, or after a 0.5 % step.
class ProgressThrottle {
 public:
  bool pass(double fraction, std::string_view stage) {
    if (stage == m_stage && fraction < 1.0 && std::abs(fraction - m_last) < 0.005) return false;
    m_stage = stage;
    m_last = fraction;
    return true;
  }

 private:
  std::string m_stage;
  double m_last = -1;
};

}  // namespace

/// Turns a run's core callbacks (worker thread) into queued signals of the manager.
class RunManager::JobObserver : public Observer {
 public:
  JobObserver(RunManager* manager, int job, std::shared_ptr<std::atomic<bool>> detached)
      : m_manager(manager), m_job(job), m_detached(std::move(detached)) {}

  void onProgress(double fraction, std::string_view stage) override {
    if (m_detached->load() || !m_throttle.pass(fraction, stage)) return;
    post([job = m_job, fraction, s = QString::fromUtf8(stage.data(), stage.size())](RunManager* m) {
      Q_EMIT m->progress(job, fraction, s);
    });
  }
  void onLog(LogLevel level, std::string_view message) override {
    post([job = m_job, level, text = QString::fromUtf8(message.data(), message.size())](
             RunManager* m) { Q_EMIT m->logLine(job, static_cast<int>(level), text); });
  }
  void onBatch(const TrainingReport& report) override {
    if (m_detached->load()) return;
    post([job = m_job, report](RunManager* m) {
      for (const auto& [k, v] : report.values) {
        Q_EMIT m->batchPoint(job, QString::fromStdString("batch_" + k), report.step, v);
      }
    });
  }
  void onEpoch(const TrainingReport& report) override {
    if (m_detached->load()) return;
    post([job = m_job, report](RunManager* m) {
      QVariantMap values;
      for (const auto& [k, v] : report.values) {
        const QString name = QString::fromStdString(k);
        values.insert(name, v);
        Q_EMIT m->epochPoint(job, name, report.epoch, v);
      }
      Q_EMIT m->epochFinished(job, report.epoch, values);
    });
  }
  void onEvaluation(std::string_view name, const std::string& json) override {
    if (m_detached->load()) return;
    post([job = m_job, n = QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())),
          bytes = QByteArray::fromStdString(json)](RunManager* m) {
      Q_EMIT m->evaluation(job, n, bytes);
    });
  }

 private:
  template <typename F>
  void post(F&& f) {
    RunManager* m = m_manager;
    QMetaObject::invokeMethod(
        m, [m, f = std::forward<F>(f)] { f(m); }, Qt::QueuedConnection);
  }

  RunManager* m_manager;
  int m_job;
  std::shared_ptr<std::atomic<bool>> m_detached;
  ProgressThrottle m_throttle;
};

/// Forwards a dataset load's progress and log lines; stale loads are filtered by generation.
class RunManager::LoadObserver : public Observer {
 public:
  LoadObserver(RunManager* manager, quint64 generation)
      : m_manager(manager), m_generation(generation) {}
  void onProgress(double fraction, std::string_view stage) override {
    if (!m_throttle.pass(fraction, stage)) return;
    RunManager* m = m_manager;
    QMetaObject::invokeMethod(
        m,
        [m, g = m_generation, fraction, s = QString::fromUtf8(stage.data(), stage.size())] {
          if (g == m->m_loadGeneration) Q_EMIT m->loadProgress(fraction, s);
        },
        Qt::QueuedConnection);
  }
  void onLog(LogLevel level, std::string_view message) override {
    RunManager* m = m_manager;
    QMetaObject::invokeMethod(
        m,
        [m, level, text = QString::fromUtf8(message.data(), message.size())] {
          Q_EMIT m->logLine(0, static_cast<int>(level), text);
        },
        Qt::QueuedConnection);
  }

 private:
  RunManager* m_manager;
  quint64 m_generation;
  ProgressThrottle m_throttle;
};

RunManager::RunManager(QObject* parent) : QObject(parent) {}

RunManager::~RunManager() { shutdown(); }

void RunManager::openStore(const QString& path) {
  const QFileInfo info(path);
  if (!QDir().mkpath(info.absolutePath())) {
    throw InputError(path.toStdString() + ": cannot create the directory " +
                     info.absolutePath().toStdString());
  }
  auto store = std::make_unique<store::Store>(info.absoluteFilePath().toStdString());
  for (auto id : store->recoveredRuns()) {
    Q_EMIT logLine(
        0, static_cast<int>(LogLevel::Warning),
        tr("run %1 was left running by a process that ended; marked interrupted").arg(id));
  }
  m_store = std::move(store);
  m_storePath = info.absoluteFilePath();
}

void RunManager::setConcurrency(int jobs) {
  m_concurrency = std::max(1, jobs);
  startQueued();
}

// ---------------------------------------------------------------- dataset loading

void RunManager::loadDataset(const QString& format, const QStringList& paths,
                             const std::optional<data::ColumnMapping>& mapping,
                             std::optional<double> sessionGapMinutes) {
  if (m_loadThread.joinable()) {
    m_loadStop.requestStop();
    m_loadThread.join();  // loaders check the stop flag every few thousand rows
  }
  const quint64 generation = ++m_loadGeneration;
  m_loadStop = StopToken();
  std::vector<std::string> files;
  for (const auto& p : paths) files.push_back(p.toStdString());
  m_loadThread = std::thread([this, generation, format = format.toStdString(), files, paths,
                              mapping, sessionGapMinutes, stop = m_loadStop] {
    LoadObserver observer(this, generation);
    std::shared_ptr<const data::LoadResult> result;
    std::shared_ptr<const widgets::DatasetSummary> summary;
    QString error;
    bool cancelled = false;
    try {
      const data::Format f =
          format == "auto" ? data::detectFormat(files) : data::parseFormatName(format);
      data::LoadOptions options;
      options.mapping = mapping;
      options.sessionGapMinutes = sessionGapMinutes;
      auto loaded =
          std::make_shared<data::LoadResult>(data::loadDataset(f, files, options, observer, stop));
      stop.throwIfStopped();
      observer.onProgress(1.0, "summarising");
      summary = std::make_shared<widgets::DatasetSummary>(widgets::summarizeDataset(*loaded));
      result = std::move(loaded);
    } catch (const Cancelled&) {
      cancelled = true;
    } catch (const InputError& e) {
      error = QString::fromStdString(e.what());
    } catch (const std::exception& e) {
      error = tr("internal error while loading: %1").arg(QString::fromStdString(e.what()));
    }
    if (stop.stopRequested()) cancelled = true;
    QMetaObject::invokeMethod(
        this,
        [this, generation, result, summary, paths, error, cancelled] {
          onLoadDone(generation, result, summary, paths, error, cancelled);
        },
        Qt::QueuedConnection);
  });
}

void RunManager::cancelLoad() {
  if (m_loadThread.joinable()) m_loadStop.requestStop();
}

void RunManager::onLoadDone(quint64 generation, std::shared_ptr<const data::LoadResult> result,
                            std::shared_ptr<const widgets::DatasetSummary> summary,
                            const QStringList& paths, const QString& error, bool cancelled) {
  if (generation != m_loadGeneration) return;  // superseded; its thread was joined already
  if (m_loadThread.joinable()) m_loadThread.join();
  if (cancelled) {
    Q_EMIT loadCancelled();
  } else if (!error.isEmpty()) {
    Q_EMIT loadFailed(error);
  } else {
    Q_EMIT datasetLoaded(result, summary, paths);
  }
}

// ---------------------------------------------------------------- runs

int RunManager::startRun(const nlohmann::json& config,
                         std::shared_ptr<const data::LoadResult> preloaded, std::vector<int> after) {
  const int id = ++m_nextJob;
  auto job = std::make_unique<Job>();
  job->id = id;
  job->after = std::move(after);
  job->preloaded = std::move(preloaded);
  job->dbPath = m_storePath.toStdString();
  try {
    job->config = experiment::ExperimentConfig::fromJson(config, QDir::currentPath().toStdString());
    if (m_store) job->runId = experiment::enqueueRun(*m_store, job->config);
  } catch (const std::exception& e) {
    failLater(id, QString::fromStdString(e.what()));
    return id;
  }
  const qint64 runId = job->runId;
  m_jobs.emplace(id, std::move(job));
  m_queue.push_back(id);
  QMetaObject::invokeMethod(
      this, [this, id, runId] { Q_EMIT runQueued(id, runId); }, Qt::QueuedConnection);
  Q_EMIT activeJobsChanged(activeJobCount());
  startQueued();
  return id;
}

void RunManager::failLater(int job, const QString& error) {
  QMetaObject::invokeMethod(
      this, [this, job, error] { Q_EMIT runFinished(job, 0, "failed", error, {}); },
      Qt::QueuedConnection);
}

void RunManager::startQueued() {
  int running = 0;
  for (const auto& [id, job] : m_jobs) running += job->started ? 1 : 0;
  // First come first served, except that a job waits for the jobs it depends on (still in
  // m_jobs = queued or running); later independent jobs may pass it.
  for (auto q = m_queue.begin(); running < m_concurrency && q != m_queue.end();) {
    auto it = m_jobs.find(*q);
    if (it == m_jobs.end()) {
      q = m_queue.erase(q);
      continue;
    }
    const auto& after = it->second->after;
    const bool waiting = std::any_of(after.begin(), after.end(),
                                     [this](int dep) { return m_jobs.count(dep) > 0; });
    if (waiting) {
      ++q;
      continue;
    }
    q = m_queue.erase(q);
    launch(*it->second);
    ++running;
  }
}

void RunManager::launch(Job& job) {
  job.started = true;
  auto observer = std::make_shared<JobObserver>(this, job.id, job.detached);
  std::optional<std::int64_t> runId;
  if (job.runId > 0) runId = job.runId;
  job.thread = std::thread([this, id = job.id, config = job.config, db = job.dbPath, runId,
                            stop = job.stop, preloaded = job.preloaded, observer] {
    experiment::RunOutcome outcome =
        experiment::executeRun(config, db, runId, *observer, stop, preloaded);
    QMetaObject::invokeMethod(
        this, [this, id, outcome] { onJobDone(id, outcome); }, Qt::QueuedConnection);
  });
  Q_EMIT runStarted(job.id, job.runId);
}

void RunManager::onJobDone(int id, const experiment::RunOutcome& outcome) {
  auto it = m_jobs.find(id);
  if (it == m_jobs.end()) return;  // shut down meanwhile
  Job& job = *it->second;
  if (job.thread.joinable()) job.thread.join();
  const qint64 runId = outcome.runId > 0 ? outcome.runId : job.runId;
  m_jobs.erase(it);
  QVariantMap metrics;
  for (const auto& [k, v] : outcome.metrics) metrics.insert(QString::fromStdString(k), v);
  Q_EMIT runFinished(id, runId, QString::fromStdString(store::statusName(outcome.status)),
                     QString::fromStdString(outcome.error), metrics);
  Q_EMIT activeJobsChanged(activeJobCount());
  startQueued();
}

void RunManager::cancel(int id) {
  auto it = m_jobs.find(id);
  if (it == m_jobs.end()) return;
  Job& job = *it->second;
  job.detached->store(true);
  job.stop.requestStop();
  if (job.started) return;  // the worker ends within a batch and reports Cancelled
  // Queued: never started, so it ends here.
  std::erase(m_queue, id);
  const qint64 runId = job.runId;
  if (runId > 0) {
    try {
      // The run row lives in the store that was open when the run was queued.
      std::unique_ptr<store::Store> other;
      store::Store* st = m_store.get();
      if (!st || job.dbPath != m_storePath.toStdString()) {
        other = std::make_unique<store::Store>(job.dbPath);
        st = other.get();
      }
      st->finishRun(runId, store::RunStatus::Cancelled, "cancelled before it started");
    } catch (const std::exception& e) {
      Q_EMIT logLine(id, static_cast<int>(LogLevel::Error), QString::fromStdString(e.what()));
    }
  }
  m_jobs.erase(it);
  QMetaObject::invokeMethod(
      this,
      [this, id, runId] {
        Q_EMIT runFinished(id, runId, "cancelled", tr("cancelled before it started"), {});
      },
      Qt::QueuedConnection);
  Q_EMIT activeJobsChanged(activeJobCount());
}

void RunManager::cancelAll() {
  for (int id : activeJobs()) cancel(id);
}

QList<int> RunManager::activeJobs() const {
  QList<int> ids;
  for (const auto& [id, job] : m_jobs) ids << id;
  return ids;
}

std::optional<qint64> RunManager::runIdOf(int job) const {
  auto it = m_jobs.find(job);
  if (it == m_jobs.end()) return std::nullopt;
  return it->second->runId;
}

std::optional<int> RunManager::jobOfRun(qint64 runId) const {
  for (const auto& [id, job] : m_jobs) {
    if (job->runId == runId) return id;
  }
  return std::nullopt;
}

void RunManager::shutdown() {
  cancelLoad();
  if (m_loadThread.joinable()) m_loadThread.join();
  ++m_loadGeneration;  // drop the pending result of that load
  cancelAll();
  for (auto& [id, job] : m_jobs) {
    if (job->thread.joinable()) job->thread.join();
  }
  m_jobs.clear();
  m_queue.clear();
}

}  // namespace reclab::app

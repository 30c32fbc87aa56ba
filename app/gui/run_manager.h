#pragma once
/// The run manager: the only bridge from the widgets to long work. It owns the worker threads
/// (one std::thread per active job plus one for dataset loading), a queue of runs started at
/// most `concurrency()` at a time (default 1), and the GUI thread's store connection.
///
/// Core work reports through reclab::Observer on the worker thread; the manager's observers
/// turn each call into a queued call on the manager's thread, so every signal below is emitted
/// on the GUI thread and receivers need no locking. Cancelling is cooperative: cancel() first
/// detaches the job (its later curve points are dropped, Orange-style, so stale points never
/// land) and then sets its StopToken; the job ends within a batch and is stored as cancelled.
/// Threads are always joined, never terminated.

#include <QObject>
#include <QStringList>
#include <QVariantMap>
#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "common/observer.h"
#include "data/load.h"
#include "experiment/runner.h"
#include "widgets/dataset_summary.h"

namespace reclab::store {
class Store;
}

namespace reclab::app {

class RunManager : public QObject {
  Q_OBJECT

 public:
  explicit RunManager(QObject* parent = nullptr);
  /// Cancels every job and joins the threads.
  ~RunManager() override;

  /// Opens (creating it and its directory) the store used for new runs. Throws InputError
  /// (or std::exception) when the file is not a usable store; the previous store stays open.
  void openStore(const QString& path);
  QString storePath() const { return m_storePath; }
  /// The GUI thread's connection (for small queries such as the run list); may be nullptr.
  const store::Store* store() const { return m_store.get(); }

  void setConcurrency(int jobs);
  int concurrency() const { return m_concurrency; }

  /// Loads `paths` in `format` ("auto" or a format name) on a worker; a load already running
  /// is cancelled first. `mapping` is the column mapping of format "csv"; `sessionGapMinutes`
  /// is data::LoadOptions::sessionGapMinutes. Ends with datasetLoaded(), loadFailed() or
  /// loadCancelled().
  void loadDataset(const QString& format, const QStringList& paths,
                   const std::optional<data::ColumnMapping>& mapping = std::nullopt,
                   std::optional<double> sessionGapMinutes = std::nullopt);
  void cancelLoad();
  bool isLoading() const { return m_loadThread.joinable(); }

  /// Validates `config` (an experiment config JSON), records it as a queued run and starts
  /// it when a slot is free, training on `preloaded` when given. Returns the job id (> 0).
  /// A config that does not validate ends at once (queued) with runFinished(..., "failed").
  /// Jobs in `after` must end (finished, failed or cancelled) before this one starts, whatever
  /// the concurrency: a preset's hybrid CNN waits for the run whose embeddings it uses.
  int startRun(const nlohmann::json& config,
               std::shared_ptr<const data::LoadResult> preloaded = nullptr,
               std::vector<int> after = {});
  /// Cancels a queued or running job (no effect on an unknown or finished one).
  void cancel(int job);
  void cancelAll();
  /// Running and queued jobs.
  int activeJobCount() const { return static_cast<int>(m_jobs.size()); }
  QList<int> activeJobs() const;
  /// The store run id of an active job (0 without a store), nullopt when not active.
  std::optional<qint64> runIdOf(int job) const;
  std::optional<int> jobOfRun(qint64 runId) const;
  /// Cancels everything and waits for the worker threads to end. Signals of the cancelled
  /// jobs are not delivered after this returns.
  void shutdown();

 Q_SIGNALS:
  void loadProgress(double fraction, const QString& stage);
  void datasetLoaded(std::shared_ptr<const reclab::data::LoadResult> result,
                     std::shared_ptr<const reclab::widgets::DatasetSummary> summary,
                     const QStringList& paths);
  void loadFailed(const QString& error);
  void loadCancelled();

  void runQueued(int job, qint64 runId);
  void runStarted(int job, qint64 runId);
  void progress(int job, double fraction, const QString& stage);
  /// `level` is a reclab::LogLevel as int (0 debug, 1 info, 2 warning, 3 error); job 0 is
  /// the dataset load.
  void logLine(int job, int level, const QString& text);
  /// Per-batch value, named "batch_<metric>" as in the store (e.g. batch_train_loss).
  void batchPoint(int job, const QString& metric, qint64 step, double value);
  void epochPoint(int job, const QString& metric, int epoch, double value);
  /// All values of one epoch at once (after the epochPoint signals of that epoch).
  void epochFinished(int job, int epoch, const QVariantMap& values);
  /// A structured result of the job (Observer::onEvaluation), e.g. `name` "classification"
  /// with its JSON text; dropped once the job is cancelled.
  void evaluation(int job, const QString& name, const QByteArray& json);
  /// `status` is "finished", "cancelled" or "failed"; `metrics` name -> double.
  void runFinished(int job, qint64 runId, const QString& status, const QString& error,
                   const QVariantMap& metrics);
  void activeJobsChanged(int count);

 private:
  struct Job;
  class JobObserver;
  class LoadObserver;

  void startQueued();
  void launch(Job& job);
  void onJobDone(int job, const experiment::RunOutcome& outcome);
  void onLoadDone(quint64 generation, std::shared_ptr<const data::LoadResult> result,
                  std::shared_ptr<const widgets::DatasetSummary> summary, const QStringList& paths,
                  const QString& error, bool cancelled);
  void failLater(int job, const QString& error);

  std::unique_ptr<store::Store> m_store;
  QString m_storePath;
  int m_concurrency = 1;
  int m_nextJob = 0;
  std::map<int, std::unique_ptr<Job>> m_jobs;
  std::deque<int> m_queue;

  std::thread m_loadThread;
  StopToken m_loadStop;
  quint64 m_loadGeneration = 0;
};

}  // namespace reclab::app

#pragma once
/// The small interface through which long core work reports to whoever runs it (the CLI, the
/// GUI's run manager, a test) and learns whether it should stop.

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace reclab {

/// A shared, thread-safe stop flag. Copies share the same flag. Every loop in core that can
/// run longer than ~100 ms checks it (directly or through Observer::shouldStop) and throws
/// `Cancelled` or returns early keeping what it produced.
class StopToken {
 public:
  StopToken() : m_flag(std::make_shared<std::atomic<bool>>(false)) {}
  void requestStop() const { m_flag->store(true, std::memory_order_relaxed); }
  bool stopRequested() const { return m_flag->load(std::memory_order_relaxed); }
  /// Throws Cancelled when a stop was requested.
  void throwIfStopped() const;

 private:
  std::shared_ptr<std::atomic<bool>> m_flag;
};

enum class LogLevel { Debug, Info, Warning, Error };

/// Named metric values reported at one step of training, e.g. {"train_loss": 0.93}.
struct TrainingReport {
  int epoch = 0;        ///< 1-based epoch number
  long long batch = -1; ///< batch index within the epoch for per-batch reports, -1 for epoch
  long long step = 0;   ///< global batch counter since training started
  std::map<std::string, double> values;
};

/// Receives progress from core jobs. All methods may be called from a worker thread; an
/// implementation that touches a GUI must forward them as queued signals. Defaults do nothing.
class Observer {
 public:
  virtual ~Observer() = default;
  /// Overall progress of the current stage in [0, 1]; `stage` names it ("loading", "training").
  virtual void onProgress(double /*fraction*/, std::string_view /*stage*/) {}
  virtual void onLog(LogLevel /*level*/, std::string_view /*message*/) {}
  /// One epoch finished; `report.values` holds e.g. train_loss, val_rmse.
  virtual void onEpoch(const TrainingReport& /*report*/) {}
  /// One mini-batch finished (reported at a modest rate, not necessarily every batch).
  virtual void onBatch(const TrainingReport& /*report*/) {}
  /// A structured result produced during or after training, as JSON: e.g. `name` =
  /// "classification" with the classification report and confusion matrix of an evaluation
  /// (format in docs/user-guide.md, "Run artefacts"). The runner stores the latest one of each
  /// name as the run's artefact `<name>.json`.
  virtual void onEvaluation(std::string_view /*name*/, const std::string& /*json*/) {}
};

/// An observer that discards everything, for callers that do not care.
Observer& nullObserver();

}  // namespace reclab

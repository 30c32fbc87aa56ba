#pragma once
/// The experiment runner: dataset -> split -> model -> evaluation -> store.
///
/// Everything a run produces goes to the store as it is produced (curve points at each epoch,
/// final metrics, the trained model, per-user metric values), so a cancelled or failed run
/// keeps what it made and a crash loses at most the epoch in flight.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/observer.h"
#include "data/load.h"
#include "experiment/config.h"
#include "models/model.h"
#include "split/splits.h"
#include "store/store.h"

namespace reclab::experiment {

struct RunOutcome {
  std::int64_t runId = 0;  ///< 0 when run without a store
  store::RunStatus status = store::RunStatus::Finished;
  std::map<std::string, double> metrics;
  std::string error;
};

/// Loads the dataset a config names (format detection when "auto").
std::shared_ptr<const data::LoadResult> loadForConfig(const ExperimentConfig& config,
                                                      Observer& observer, const StopToken& stop);

/// The split a config describes (`fold` is the k-fold fold; ignored by other kinds).
split::Split makeSplit(const ExperimentConfig& config, const data::InteractionLog& log, int fold);

/// Records a queued run for `config` and returns its id.
std::int64_t enqueueRun(store::Store& store, const ExperimentConfig& config);

/// Runs `config`. With a non-empty `dbPath` the run is recorded in that store (as `runId`
/// when given, else as a new run) — the store is opened on the calling thread. `preloaded`
/// avoids reloading a dataset already in memory. Never throws for a failing run: the error is
/// in the outcome (status Failed) and in the store; Cancelled yields status Cancelled.
RunOutcome executeRun(const ExperimentConfig& config, const std::string& dbPath,
                      std::optional<std::int64_t> runId, Observer& observer, const StopToken& stop,
                      std::shared_ptr<const data::LoadResult> preloaded = nullptr);

/// The metrics `config.eval` asks for, of a trained `model` on `test` rows: RMSE / MAE for a
/// rating predictor, full-ranking metrics (items of the `train` rows masked when
/// eval.mask_seen) for a recommender. `perUser`, when given, receives the per-user ranking
/// values ({"users": [...], "values": {"recall@10": [...], ...}}; left null without ranking).
std::map<std::string, double> evaluateModel(
    const ExperimentConfig& config, const data::InteractionLog& log, const models::Model& model,
    const std::vector<std::uint32_t>& train, const std::vector<std::uint32_t>& test,
    Observer& observer, const StopToken& stop, nlohmann::json* perUser = nullptr);

/// Saves `model` as the run's "model.bin" artefact (what openRun loads).
void storeModel(store::Store& store, std::int64_t runId, const models::Model& model);

/// An observer that forwards everything to `inner` and writes epoch reports (with the batch
/// points seen since the previous epoch) to the run's curves, one transaction per epoch, and
/// evaluations to artefacts. `store` may be null (then it only forwards).
std::unique_ptr<Observer> recordingObserver(Observer& inner, store::Store* store,
                                            std::int64_t runId);

/// Runs a run's work and says how it ended: Finished; Cancelled when `body` throws Cancelled or
/// `stop` was triggered by the end ("cancelled by the user"); Failed with the message of an
/// InputError, or "internal error: ..." for any other exception. `error` receives the message.
store::RunStatus runToStatus(const std::function<void()>& body, const StopToken& stop,
                             std::string& error);

/// JSON with library versions, thread count, config hash and dataset hash.
std::string versionsJson(const ExperimentConfig& config, const std::string& datasetHash);

/// FNV-1a 64-bit of the files' sizes, modification times and first 1 MiB, hex.
std::string datasetHash(const std::vector<std::string>& paths);

}  // namespace reclab::experiment

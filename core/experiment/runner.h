#pragma once
/// The experiment runner: dataset -> split -> model -> evaluation -> store.
///
/// Everything a run produces goes to the store as it is produced (curve points at each epoch,
/// final metrics, the trained model, per-user metric values), so a cancelled or failed run
/// keeps what it made and a crash loses at most the epoch in flight.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/observer.h"
#include "data/load.h"
#include "experiment/config.h"
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
                      std::optional<std::int64_t> runId, Observer& observer,
                      const StopToken& stop,
                      std::shared_ptr<const data::LoadResult> preloaded = nullptr);

/// JSON with library versions, thread count, config hash and dataset hash.
std::string versionsJson(const ExperimentConfig& config, const std::string& datasetHash);

/// FNV-1a 64-bit of the files' sizes, modification times and first 1 MiB, hex.
std::string datasetHash(const std::vector<std::string>& paths);

}  // namespace reclab::experiment

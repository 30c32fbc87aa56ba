#pragma once
/// Incremental updates of a finished run (seed C): new interactions are appended to the run's
/// data, the model's tables grow for unseen users and items, a fine-tuning pass runs over the
/// new rows plus a replay sample of old training rows, every user with new rows is folded in,
/// and the result is recorded as a new run whose parent is the updated run.
///
/// Steps of updateRun:
///  1. open the parent (experiment::openRun: its dataset, split and model; a parent that is
///     itself an update is rebuilt with all its updates);
///  2. load the new rows (files in any supported format, or a log given in code) and append
///     them (data::appendRows: old row and id indices unchanged); a share `new_test_ratio` of
///     them (seeded) is held out;
///  3. BEFORE metrics: the parent model on the parent's test rows, the parent config's metric
///     set (so they equal the parent's own metrics);
///  4. a model with models::Incremental grows, fine-tunes for `epochs` passes over the new
///     training rows plus round(replay_ratio x their count) old training rows drawn without
///     replacement (seeded), then folds in every user with new training rows from all of that
///     user's training rows (old and new). A model without it is refit from scratch on old +
///     new training rows (said in the log);
///  5. AFTER metrics on the same test rows (items of old + new training rows masked); with a
///     holdout, "new_<metric>" on the held-out new rows (and, for incremental models,
///     "before_new_<metric>" right after growing, i.e. what the parent knew of them);
///  6. the new run: parent = the updated run, name "<parent name> + update", the parent's
///     config plus an "update" section, metrics = AFTER values plus "before_<metric>" keys,
///     the fine-tuning epochs as curves, the model ("model.bin", so the run opens like any
///     other), the added rows ("update_rows.csv", original ids) and "update.json" (counts and
///     held-out rows), from which openRun rebuilds the run's data.
///
/// Errors found before the new run exists (no such parent, bad options, an unreadable file, a
/// column the dataset has and the new rows lack) throw InputError and record nothing. After
/// that the run is recorded as failed or, when the stop token is triggered, as cancelled
/// (keeping the BEFORE metrics).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/observer.h"
#include "data/load.h"
#include "experiment/config.h"
#include "split/splits.h"
#include "store/store.h"

namespace reclab::experiment {

struct UpdateOptions {
  /// Files holding the new interactions (one dataset, any supported format)...
  std::vector<std::string> paths;
  std::string format = "auto";                 ///< a format name or "auto"
  std::optional<data::ColumnMapping> mapping;  ///< for format "csv"
  data::BadRowPolicy badRows = data::BadRowPolicy::Skip;
  /// ...or, when `paths` is empty, rows given in code (ids are original ids, matched against
  /// the run's dataset).
  std::shared_ptr<const data::InteractionLog> rows;

  int epochs = 1;                     ///< fine-tuning passes; 0 = fold-in only
  double replayRatio = 1.0;           ///< old training rows replayed per new training row
  bool foldIn = true;                 ///< fold in every user with new rows
  double newTestRatio = 0.0;          ///< share of the new rows held out as a test of their own
  std::optional<std::uint64_t> seed;  ///< default: the parent's seed
  std::string name;                   ///< default: "<parent name> + update"

  static UpdateOptions defaults() { return {}; }
  /// Throws InputError "update: epochs must be >= 0, got -1" and the like.
  void validate() const;
};

struct UpdateOutcome {
  std::int64_t runId = 0;  ///< the new run
  std::int64_t parentRunId = 0;
  store::RunStatus status = store::RunStatus::Finished;
  std::string error;
  std::map<std::string, double> before;   ///< the parent model on the parent's test rows
  std::map<std::string, double> after;    ///< the updated model on the same rows
  std::map<std::string, double> metrics;  ///< as stored: after, before_*, new_*, before_new_*
  std::uint32_t rowsAdded = 0;
  std::uint32_t newTrainRows = 0, newTestRows = 0, replayRows = 0;
  std::int32_t usersAdded = 0, itemsAdded = 0;
  std::int32_t usersFoldedIn = 0;
  bool incremental = true;  ///< false: the model has no Incremental interface and was refit
};

/// Updates run `parentRunId` of `store` with new interactions (see the top of this file).
UpdateOutcome updateRun(store::Store& store, std::int64_t parentRunId, const UpdateOptions& options,
                        Observer& observer, const StopToken& stop);

/// For a run made by updateRun (config.update set): returns `base` (the run's original
/// dataset) with the rows of every update from the original run down to `runId` appended, in
/// order, and extends `split` with their training rows (train) and held-out rows (test).
/// Used by openRun. Throws InputError when an update run's stored rows are missing or do not
/// match its record.
std::shared_ptr<const data::LoadResult> rebuildUpdatedData(
    store::Store& store, std::int64_t runId, const ExperimentConfig& config,
    std::shared_ptr<const data::LoadResult> base, split::Split& split, Observer& observer,
    const StopToken& stop);

}  // namespace reclab::experiment

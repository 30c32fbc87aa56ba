#pragma once
/// The experiment config: what to load, how to split, which model with which parameters, what
/// to measure and the seed. Stored verbatim (after validation and defaults) with every run.
///
///   {"name": "svd on ml-100k",
///    "dataset": {"format": "movielens", "path": "u.data", "bad_rows": "skip"},
///    "split": {"kind": "kfold", "folds": 5},
///    "model": {"name": "torch_mf", "params": {"factors": 64}},
///    "eval": {"metrics": ["rmse", "mae", "recall"], "k": [10]},
///    "early_stopping": {"metric": "val_rmse", "patience": 3},
///    "seed": 0, "threads": 2}
///
/// Relative dataset paths are resolved against the config file's directory.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/load.h"

namespace reclab::experiment {

struct DatasetSpec {
  std::string format;               ///< a format name, or "auto"
  std::vector<std::string> paths;   ///< absolute after resolution
  data::BadRowPolicy badRows = data::BadRowPolicy::Skip;
  std::optional<data::ColumnMapping> mapping;
  /// Optional item metadata CSV (item,title,category,keywords) joined to the items.
  std::string itemMeta;
  /// "session_gap_minutes": sessions cut by this inactivity gap after loading
  /// (data::LoadOptions::sessionGapMinutes); unset = the format's default (30 for
  /// RetailRocket, none for the others), 0 = never cut.
  std::optional<double> sessionGapMinutes;
};

struct SplitSpec {
  std::string kind = "random";  ///< random | kfold | temporal | leave_last_n | session_time
  double testRatio = 0.2;
  double validRatio = 0.0;
  int folds = 5;
  int fold = -1;            ///< kfold: -1 = every fold; k >= 0 = only fold k (0-based)
  int n = 1;                ///< leave_last_n: latest rows per user in test
  int validN = 0;           ///< leave_last_n: next-latest rows per user in validation
  double testDays = 1.0;    ///< session_time: sessions ending in the last test_days are test
  double validDays = 0.0;   ///< session_time: then the last valid_days of train are validation
};

/// Preprocessing of the split's rows (split/session_preprocess.h has the order of
/// application). Statistics are fitted on training rows only (the leakage guard checks it),
/// except `classicSrgnn`, which is leaky by construction and flags the run.
struct PreprocessSpec {
  int minItemSupport = 0;  ///< drop training rows of items with fewer interactions; 0 = off
  /// Drop training sessions with fewer clicks (after the other filters); 0 = off.
  int minSessionLength = 0;
  std::string dedup = "off";  ///< "off" | "consecutive" (repeated clicks of the same item)
  /// SR-GNN's whole-dataset filter before the split (items < 5 clicks, sessions of length 1):
  /// LEAKY; the run logs a warning and stores the metric leaky_preprocessing = 1.
  bool classicSrgnn = false;
};

struct ModelSpec {
  std::string name;
  nlohmann::json params = nlohmann::json::object();  ///< validated, defaults filled in
};

struct EvalSpec {
  /// rmse, mae, precision, recall, hit_rate, mrr, ndcg...; session purchase models: auc,
  /// log_loss, accuracy, pr_auc, precision, recall, f1 (the last three at `threshold`)
  std::vector<std::string> metrics;
  std::vector<int> ks = {10};
  /// Ranking models: mask the user's training items (default true). Session next-item models:
  /// mask the items of the prefix (default false: re-clicks are legal next clicks).
  bool maskSeen = true;
  int sampledNegatives = 0;  ///< 0 = full ranking (default); see RankingOptions
  /// Session next-item models only (eval/session_evaluator.h): "next_item" (every prefix
  /// predicts the next click, default) or "thesis" (first 4 clicks -> the later clicks).
  std::string protocol = "next_item";
  /// Session next-item models only: drop targets never seen in training (session-rec).
  bool trainItemsOnly = false;
  /// Session purchase models only: a row is predicted to buy when P(buy) >= threshold
  /// (accuracy, precision, recall, f1); in (0, 1).
  double threshold = 0.5;
};

/// Ends training when a validation metric the model reports stops improving.
struct EarlyStoppingSpec {
  std::string metric;  ///< e.g. "val_rmse"; empty = no early stopping
  int patience = 3;
  std::string mode = "min";  ///< "min" or "max"
  double minDelta = 0.0;
};

/// Present on the config of a run made by an incremental update (experiment/update.h): which
/// run it updates and how. Recorded with the run (openRun rebuilds the run's data from it);
/// `executeRun` ignores it.
///
///   "update": {"parent_run": 12, "paths": ["/data/new.data"], "format": "movielens",
///              "epochs": 1, "replay_ratio": 1.0, "fold_in": true, "new_test_ratio": 0.0,
///              "seed": 0}
struct UpdateSpec {
  std::int64_t parentRun = 0;
  std::vector<std::string> paths;  ///< files the new rows came from; empty for rows given in code
  std::string format;              ///< their format name ("api" for rows given in code)
  int epochs = 1;
  double replayRatio = 1.0;
  bool foldIn = true;
  double newTestRatio = 0.0;
  std::uint64_t seed = 0;

  nlohmann::json toJson() const;
};

struct ExperimentConfig {
  std::string name;
  DatasetSpec dataset;
  SplitSpec split;
  ModelSpec model;
  EvalSpec eval;
  PreprocessSpec preprocess;
  EarlyStoppingSpec earlyStopping;
  std::uint64_t seed = 0;
  int threads = 0;                   ///< 0 = all cores
  std::optional<UpdateSpec> update;  ///< set on incremental-update runs only

  /// Validates and completes `j`. Throws InputError with the JSON path of the problem, e.g.
  /// "config: split.folds must be an integer >= 2, got 1". `baseDir` resolves relative paths.
  static ExperimentConfig fromJson(const nlohmann::json& j, const std::string& baseDir = ".");
  /// Reads and validates a config file (errors are prefixed with the file name).
  static ExperimentConfig fromFile(const std::string& path);
  nlohmann::json toJson() const;
  /// Thread count to use: `threads`, or the number of cores when 0.
  int effectiveThreads() const;
};

/// The metric names valid in eval.metrics.
const std::vector<std::string>& knownMetrics();

}  // namespace reclab::experiment

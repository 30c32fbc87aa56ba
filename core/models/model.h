#pragma once
/// Model interfaces by task. Each task family has its own narrow interface; they share only
/// training, persistence and the description of what they expose.

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/observer.h"
#include "data/interaction_log.h"

namespace reclab::split {
class LeakageGuard;
}

namespace reclab::models {

class HasEmbeddings;

enum class Task { Rating, Ranking, Classification, SessionPurchase, SessionNext };
std::string taskName(Task t);  ///< "rating", "ranking", "classification", ...

/// A training callback: sees every epoch report and returns true to end training early (early
/// stopping, a metric budget...). Ending early is not a cancellation: the run finishes normally.
class TrainingCallback {
 public:
  virtual ~TrainingCallback() = default;
  virtual bool onEpochEnd(const TrainingReport& report) = 0;
};

/// What a model sees while training: the log, which rows are training / validation rows, the
/// seed, the thread budget and the observer / stop token.
struct TrainContext {
  const data::InteractionLog& log;
  const std::vector<std::uint32_t>& trainRows;
  const std::vector<std::uint32_t>* validRows = nullptr;  ///< may be null
  std::uint64_t seed = 0;
  int threads = 1;
  Observer& observer;
  const StopToken& stop;
  std::vector<TrainingCallback*> callbacks = {};
  /// Pretrained user / item embeddings (another run's model), for models that start from them
  /// (the hybrid CNN); null when the config names none.
  const HasEmbeddings* pretrained = nullptr;
  /// Where statistics fitted inside the model (feature encoders) record the rows they saw;
  /// the runner checks it after training. May be null (tests).
  split::LeakageGuard* guard = nullptr;

  /// Reports an epoch to the observer, then to every callback; true when a callback asks to
  /// end training (models then stop after this epoch, keeping what they learned).
  bool endEpoch(const TrainingReport& report) const {
    observer.onEpoch(report);
    bool stopTraining = false;
    for (auto* c : callbacks) stopTraining = c->onEpochEnd(report) || stopTraining;
    return stopTraining;
  }
};

/// Row-major float matrix used for batches of scores (users x items).
using ScoreMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  virtual Task task() const = 0;
  /// Trains on ctx.trainRows. Reports epochs through ctx.observer; returns early (keeping what
  /// it learned) or throws Cancelled when ctx.stop is triggered.
  virtual void fit(const TrainContext& ctx) = 0;
  /// Writes / reads the trained state to a file (format private to the model).
  virtual void save(const std::string& path) const = 0;
  virtual void load(const std::string& path) = 0;
};

/// Scores every item for a batch of users (full ranking). Higher is better.
class Recommender : public Model {
 public:
  /// Fills `out` (users.size() x numItems) with scores. Must be thread-safe for concurrent
  /// calls on different batches.
  virtual void scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const = 0;
  virtual std::int32_t numItems() const = 0;
};

/// Predicts an explicit value (rating) for (user, item) pairs; also a Recommender.
class RatingPredictor : public Recommender {
 public:
  virtual void predict(const std::vector<std::int32_t>& users,
                       const std::vector<std::int32_t>& items, std::vector<float>& out) const = 0;
};

/// Predicts class probabilities for log rows (interaction classification: which event type,
/// e.g. view / addtocart / transaction, a (user, item, context) row will be).
class InteractionClassifier : public virtual Model {
 public:
  virtual int numClasses() const = 0;
  virtual std::vector<std::string> classNames() const = 0;
  /// Fills `out` with rows.size() x numClasses probabilities (row-major). Thread-safe.
  virtual void predictProba(const data::InteractionLog& log,
                            const std::vector<std::uint32_t>& rows,
                            std::vector<float>& out) const = 0;
};

/// Predicts the value column (a rating) of log rows from everything the row carries (user,
/// item, metadata features): the hybrid regressor. Evaluated with RMSE / MAE / R^2.
class RowRegressor : public virtual Model {
 public:
  virtual void predictRows(const data::InteractionLog& log, const std::vector<std::uint32_t>& rows,
                           std::vector<float>& out) const = 0;
};

/// The buy predictions of a set of click rows (see PurchasePredictor).
struct PurchasePredictions {
  std::vector<std::uint32_t> rows;  ///< the click rows predicted (other events left out)
  std::vector<float> labels;        ///< truth per row: 1 when the row's session buys, else 0
  std::vector<float> probs;         ///< predicted P(the session buys) per row
};

/// Session purchase prediction (Task::SessionPurchase, SPEC B Problem 1): for each click row,
/// the probability that its session contains a buy, from the 26 per-(session, click) features
/// of features/session_features.h. LR, FNN, FMNN, PNN, Wide & Deep and the FE-Transformer.
class PurchasePredictor : public virtual Model {
 public:
  /// Predicts the click rows among `rows` (rows of other events, e.g. buys, are left out) and
  /// gives their labels from the log. Thread-safe.
  virtual PurchasePredictions predictPurchase(const data::InteractionLog& log,
                                              const std::vector<std::uint32_t>& rows) const = 0;
};

/// Scores every item as the next click of session prefixes (Task::SessionNext): the
/// session-based recommenders (POP, S-POP, item-KNN, SKNN, GRU4Rec, SR-GNN, the thesis' GNNs).
/// They train on whole sessions: the log's session column, rows of ctx.trainRows grouped by
/// session in time order (data::SessionIndex).
class SessionRecommender : public virtual Model {
 public:
  virtual std::int32_t numItems() const = 0;
  /// `prefixes[j]` = the items clicked so far in one session, oldest first (non-empty). Fills
  /// `out` (prefixes.size() x numItems()) with scores, higher = more likely next. Thread-safe.
  virtual void scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                             ScoreMatrix& out) const = 0;
};

/// Models that take new interactions after training (seed C's incremental learning).
class Incremental {
 public:
  virtual ~Incremental() = default;
  /// Grows the user and item tables to `numUsers` / `numItems` rows (never shrinks): new rows
  /// are initialised as at the start of training (from `seed`), old rows are left untouched,
  /// so predictions for known users and items do not change.
  virtual void grow(std::int32_t numUsers, std::int32_t numItems, std::uint64_t seed) = 0;
  /// Immediate update of one user's vector from their rows of `log` with the item side fixed
  /// (least squares for SVD, a few SGD steps for WARP / BPR).
  virtual void foldInUser(const data::InteractionLog& log, std::int32_t user,
                          const std::vector<std::uint32_t>& rows) = 0;
  /// A fine-tuning pass: `epochs` passes over ctx.trainRows (the new rows plus a replay sample
  /// of old ones), reporting epochs like fit().
  virtual void fineTune(const TrainContext& ctx, int epochs) = 0;
};

/// Models with learned user / item vectors expose them (for KNN, K-Means, the hybrid CNN).
class HasEmbeddings {
 public:
  virtual ~HasEmbeddings() = default;
  virtual Eigen::MatrixXf userEmbeddings() const = 0;
  virtual Eigen::MatrixXf itemEmbeddings() const = 0;
  /// Biased factor models (SVD, torch_mf) also expose r = mu + b_u + b_i + p_u.q_i's biases;
  /// empty vectors when the model has none.
  virtual Eigen::VectorXf ratingUserBiases() const { return {}; }
  virtual Eigen::VectorXf ratingItemBiases() const { return {}; }
  virtual float ratingGlobalMean() const { return 0.0f; }
};

}  // namespace reclab::models

#pragma once
/// LightFM-style hybrid matrix factorisation (Kula 2015, "Metadata Embeddings for User and
/// Item Cold-start Recommendations").
///
/// Every user and item is described by a set of features (by default only its own identity
/// feature). Each feature f has an embedding e_f (no_components floats) and a bias b_f; the
/// representation of an entity is the weighted sum over its features,
///   q_u = sum_f w_uf e_f,   b_u = sum_f w_uf b_f   (likewise for items),
/// and the score is  s(u, i) = q_u . q_i + b_u + b_i.  When attribute features are requested
/// (`item_features` / `user_features`: comma-separated categorical or multi-categorical
/// attribute names), each entity gets its identity feature plus one feature per attribute
/// value, and the rows are normalised to sum to 1 (LightFM's Dataset default), so an item
/// with identity + 3 genres has weight 1/4 on each.
///
/// Losses (as LightFM):
///   - warp: for a positive (u, i) draw negatives j uniformly (skipping the user's positives)
///     until s(u, j) > s(u, i) - 1 or max_sampled draws; a violator found at draw N is
///     weighted by log(max(1, floor((n_items - 1) / N))), capped at 10;
///   - warp-kos: per example, draw min(n, |positives|) of the user's positives, take the k-th
///     highest scored one as the positive, then the WARP step with weight
///     log(floor(n_negatives / N));
///   - bpr: one negative per positive, drawn as the item of a random training example (so by
///     popularity, as LightFM) and not among the user's positives; weight 1 - sigmoid(s_i - s_j);
///   - logistic: label 1 for positive rows, 0 for negative rows, gradient sigmoid(s) - y.
///     With purely implicit data every row is positive (LightFM expects negatives as -1 /
///     values <= 0): negatives are rows whose value is <= 0 or whose event is not in
///     `positive_events`.
/// Per-parameter Adagrad (accumulators start at 1; step lr / sqrt(G), then G += g^2) or
/// Adadelta; LightFM's lazy L2 scaling for item_alpha / user_alpha. Initialisation: embeddings
/// uniform (rand - 0.5) / no_components, biases 0.
///
/// Training positives are the distinct (user, item) pairs of the training rows (all event
/// types by default; `positive_events` restricts them, e.g. "addtocart,transaction").
/// Threads: Hogwild (lock-free, racy float updates as LightFM's OpenMP loop) over contiguous
/// chunks of the shuffled examples; results are reproducible only with threads = 1.
///
/// Incremental learning (lightfm_incremental.cpp):
///   - grow(): new users / items get one new identity feature each (weight 1; attribute
///     features are not derived for them), embedding (rand - 0.5) / no_components and bias 0
///     from the seed; existing features keep their values (attribute feature indices move
///     up past the new identity features), so existing representations are unchanged.
///   - fineTune(): the model's own epochs (same loss, schedule and threads) over the
///     examples of the given rows, starting from the trained parameters with a fresh optimiser
///     state (the model file does not keep Adagrad / Adadelta accumulators).
///   - foldInUser(): `fold_in_passes` passes over the user's positives (from the given rows,
///     same positive rule as training) with the item side fixed, updating only the user's
///     identity-feature embedding (and, for the logistic loss, its bias) by Adagrad steps of
///     `learning_rate` (accumulators start at 1), with `user_alpha` as plain L2 decay. WARP and
///     k-OS WARP take WARP steps (uniform negatives outside the user's positives, weight
///     log(floor((n_items - 1) / N))); BPR takes one uniform negative per positive; logistic
///     steps on every row with its label. Sampling is seeded by the user index.

#include <cstdint>
#include <string>
#include <vector>

#include "models/model.h"
#include "models/registry.h"

namespace reclab::models {

struct LightFmConfig {
  enum class Loss { Warp, WarpKos, Bpr, Logistic };
  enum class Schedule { Adagrad, Adadelta };
  Loss loss = Loss::Warp;
  int noComponents = 10;
  Schedule schedule = Schedule::Adagrad;
  double learningRate = 0.05;
  double rho = 0.95;
  double epsilon = 1e-6;
  double itemAlpha = 0.0;
  double userAlpha = 0.0;
  int maxSampled = 10;
  int k = 5;   ///< warp-kos: the k-th positive
  int n = 10;  ///< warp-kos: positives drawn per example
  int epochs = 30;
  int threads = 0;             ///< 0 = the run's thread budget (TrainContext::threads)
  int foldInPasses = 20;       ///< foldInUser: passes over the user's positives
  std::string itemFeatures;    ///< comma-separated item attribute names
  std::string userFeatures;    ///< comma-separated user attribute names
  std::string positiveEvents;  ///< comma-separated event names; empty = every event

  /// Throws InputError "lightfm: field must be ..., got ..." on a bad value.
  void validate() const;
};

/// Sparse entity x feature matrix (CSR) with the weights used to sum feature embeddings.
struct LightFmFeatures {
  std::vector<std::int64_t> indptr;  ///< rows + 1 entries
  std::vector<std::int32_t> indices;
  std::vector<float> weights;
  std::int32_t numFeatures = 0;
  std::vector<std::string> names;  ///< feature names ("#id" then "attr=value")

  std::int32_t rows() const { return indptr.empty() ? 0 : static_cast<std::int32_t>(indptr.size() - 1); }

  /// Identity feature per entity plus one feature per value of each listed attribute of
  /// `table`; rows normalised to sum 1 when attributes are listed. `what` ("item_features")
  /// names the parameter in errors (unknown or numeric attribute).
  static LightFmFeatures build(std::int32_t entities, const data::AttributeTable& table,
                               const std::string& attributeList, const std::string& what);
};

class LightFm : public Recommender, public HasEmbeddings, public Incremental {
 public:
  explicit LightFm(LightFmConfig config = {});

  std::string name() const override { return "lightfm"; }
  Task task() const override { return Task::Ranking; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  void scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const override;
  std::int32_t numItems() const override { return static_cast<std::int32_t>(m_itemRepr.rows()); }

  void grow(std::int32_t numUsers, std::int32_t numItems, std::uint64_t seed) override;
  /// Throws std::invalid_argument when a row is not the user's or the user / an item is
  /// outside the tables (grow first).
  void foldInUser(const data::InteractionLog& log, std::int32_t user,
                  const std::vector<std::uint32_t>& rows) override;
  /// Throws std::invalid_argument when the log has more users / items than the tables.
  void fineTune(const TrainContext& ctx, int epochs) override;

  /// Summed feature embeddings, one row per user / item (biases not included).
  Eigen::MatrixXf userEmbeddings() const override { return m_userRepr; }
  Eigen::MatrixXf itemEmbeddings() const override { return m_itemRepr; }
  const Eigen::VectorXf& userBiases() const { return m_userBias; }
  const Eigen::VectorXf& itemBiases() const { return m_itemBias; }
  const LightFmConfig& config() const { return m_config; }
  const LightFmFeatures& itemFeatureMatrix() const { return m_itemFeatures; }

 private:
  void computeRepresentations();
  /// Recomputes one user's representation and bias from the feature embeddings.
  void representUser(std::int32_t user);

  LightFmConfig m_config;
  LightFmFeatures m_userFeatures, m_itemFeatures;
  std::vector<float> m_userEmb, m_itemEmb;  ///< features x no_components, row-major
  std::vector<float> m_userFeatBias, m_itemFeatBias;
  Eigen::MatrixXf m_userRepr, m_itemRepr;  ///< entities x no_components
  Eigen::VectorXf m_userBias, m_itemBias;
};

/// Registers "lightfm" (Task::Ranking).
void registerLightFm(Registry& registry);

}  // namespace reclab::models

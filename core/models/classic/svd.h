#pragma once
/// Biased matrix factorisation ("SVD") trained by plain SGD, as Surprise's `SVD` (Funk SVD
/// with biases):
///   r_hat(u, i) = mu + b_u + b_i + q_i . p_u          (biased, the default)
///   r_hat(u, i) = q_i . p_u                            (biased = false)
/// For every training rating, with err = r - r_hat(u, i):
///   b_u += lr_bu * (err - reg_bu * b_u)
///   b_i += lr_bi * (err - reg_bi * b_i)
///   p_u += lr_pu * (err * q_i - reg_pu * p_u)
///   q_i += lr_qi * (err * p_u - reg_qi * q_i)          (p_u before its update)
/// mu is the mean training rating; b = 0 and p, q ~ N(init_mean, init_std_dev^2) at start.
/// Defaults are Surprise's: 100 factors, 20 epochs, lr 0.005, reg 0.02, std 0.1, biased.
///
/// Order of updates. With `threads` = 1 and `shuffle` = false the ratings are visited in
/// Surprise's `trainset.all_ratings()` order: users in order of first appearance in the
/// training rows, each user's ratings in row order. `shuffle` = true draws a new random
/// order every epoch (seeded). With threads T > 1 training is block-stratified SGD (DSGD):
/// users and items are split into T groups balanced by rating count and each epoch runs T
/// sub-epochs in which thread t updates block (t, (t + s) mod T); blocks of one sub-epoch
/// share no user and no item, so the result is deterministic for a given seed and T, but not
/// bit-identical to the sequential (Surprise) order. threads = 1 is the faithful mode.
/// (During parallel training each group's factor rows are copied to contiguous storage so
/// the threads share no cache lines; the inner loop is compiled for AVX2 and for the
/// baseline ISA and picked at load time, so the last bits can differ between machines.)
///
/// Prediction (Surprise's `estimate` + `predict`): an unknown user (no training rating)
/// contributes neither b_u nor p_u, an unknown item neither b_i nor q_i (both unknown: mu);
/// when biased = false and either is unknown the prediction is mu. With `clip` the estimate
/// is clipped to [min, max] of the training ratings (Surprise clips to the reader's rating
/// scale, which for MovieLens is the same [1, 5]). scoreUsers gives the unclipped estimate.
/// Factors are float (Surprise: double). Unknown users' / items' factor rows are zero after
/// fit.
///
/// Incremental learning (svd_incremental.cpp): grow() appends user / item rows drawn from
/// N(init_mean, init_std_dev^2) with zero biases, flagged unknown (so they change no
/// prediction) until fineTune() or foldInUser() trains them. fineTune() runs the SGD above,
/// sequentially, over the given rows (mu is kept; the clip range widens to the new ratings).
/// foldInUser() is the exact ridge solution for (b_u, p_u) with mu, b_i and q_i fixed:
///   min sum_{i in R(u)} (r_ui - mu - b_i - b_u - q_i . p_u)^2
///       + |R(u)| (reg_bu b_u^2 + reg_pu |p_u|^2)
/// i.e. the objective whose stationary point the per-rating SGD updates seek (each rating
/// carries its own regularisation term, as in Surprise's objective). Unknown items contribute
/// neither b_i nor q_i (as in prediction); unbiased models solve for p_u alone.

#include <Eigen/Core>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include "models/model.h"
#include "models/registry.h"

namespace reclab::models {

/// Row-major float matrix (entities x factors) used for the factor tables.
using FactorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct SvdConfig {
  int nFactors = 100;
  int nEpochs = 20;
  bool biased = true;
  double initMean = 0.0;
  double initStdDev = 0.1;
  double lrAll = 0.005;
  double regAll = 0.02;
  /// Per-parameter rates; -1 means "use lrAll / regAll" (Surprise's None).
  double lrBu = -1, lrBi = -1, lrPu = -1, lrQi = -1;
  double regBu = -1, regBi = -1, regPu = -1, regQi = -1;
  bool shuffle = false;  ///< false: Surprise's fixed order; true: a new order every epoch
  bool clip = true;      ///< clip predictions to the training rating range
  int threads = 0;       ///< 0 = the run's thread budget; 1 = faithful sequential SGD

  static SvdConfig defaults() { return {}; }
  /// Throws InputError("svd: n_factors must be > 0, got 0") and the like.
  void validate() const;
  double lr(double specific) const { return specific >= 0 ? specific : lrAll; }
  double reg(double specific) const { return specific >= 0 ? specific : regAll; }
};

class Svd : public RatingPredictor, public HasEmbeddings, public Incremental {
 public:
  explicit Svd(SvdConfig config = SvdConfig::defaults());

  std::string name() const override { return "svd"; }
  Task task() const override { return Task::Rating; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;

  void scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const override;
  std::int32_t numItems() const override { return static_cast<std::int32_t>(m_q.rows()); }
  void predict(const std::vector<std::int32_t>& users, const std::vector<std::int32_t>& items,
               std::vector<float>& out) const override;
  /// One prediction (same rules as predict).
  float predictOne(std::int32_t user, std::int32_t item) const;

  void grow(std::int32_t numUsers, std::int32_t numItems, std::uint64_t seed) override;
  /// Throws std::invalid_argument when a row is not the user's or the user / an item is
  /// outside the tables (grow first).
  void foldInUser(const data::InteractionLog& log, std::int32_t user,
                  const std::vector<std::uint32_t>& rows) override;
  /// Throws std::invalid_argument when the log has more users / items than the tables.
  void fineTune(const TrainContext& ctx, int epochs) override;
  /// Whether the user / item has been trained (fit, fineTune or foldInUser).
  bool userKnown(std::int32_t user) const;
  bool itemKnown(std::int32_t item) const;

  Eigen::MatrixXf userEmbeddings() const override { return m_p; }
  Eigen::MatrixXf itemEmbeddings() const override { return m_q; }

  const SvdConfig& config() const { return m_config; }
  Eigen::VectorXf ratingUserBiases() const override { return m_bu; }
  Eigen::VectorXf ratingItemBiases() const override { return m_bi; }
  float ratingGlobalMean() const override { return m_mu; }
  float globalMean() const { return m_mu; }
  const Eigen::VectorXf& userBias() const { return m_bu; }
  const Eigen::VectorXf& itemBias() const { return m_bi; }
  const FactorMatrix& userFactors() const { return m_p; }
  const FactorMatrix& itemFactors() const { return m_q; }
  /// Rating updates per second of the last fit (training loop only).
  double updatesPerSecond() const { return m_updatesPerSecond; }
  /// Threads (= DSGD blocks) the last fit used.
  int threadsUsed() const { return m_threadsUsed; }

 private:
  SvdConfig m_config;
  float m_mu = 0, m_min = 0, m_max = 0;
  Eigen::VectorXf m_bu, m_bi;
  FactorMatrix m_p, m_q;
  std::vector<std::uint8_t> m_userKnown, m_itemKnown;
  double m_updatesPerSecond = 0;
  int m_threadsUsed = 1;
};

/// Registers "svd" and "svdpp" (see svdpp.h).
void registerSvd(Registry& registry);

namespace svd_detail {

/// Training ratings gathered from the log: users, items, values in Surprise's order (users by
/// first appearance, each user's rows in row order), plus known flags, mean, min and max.
struct RatingData {
  std::vector<std::int32_t> user, item;
  std::vector<float> value;
  std::vector<std::uint8_t> userKnown, itemKnown;
  double mean = 0;
  float min = 0, max = 0;
};
/// Throws InputError (prefixed with `model`) when the log has no users / values or no rows.
RatingData gatherRatings(const TrainContext& ctx, const char* model);

/// Normal(mean, std) initialisation (constant `mean` when std == 0).
void initNormal(FactorMatrix& m, double mean, double std, std::mt19937_64& rng);

/// Checks the settings SVD and SVD++ share, and each per-parameter rate (-1 = use the _all
/// value, else >= 0); throws InputError("<model>: <field> must be <condition>, got <value>").
void validateSgdSettings(const char* model, int nFactors, int nEpochs, double initMean,
                         double initStdDev, double lrAll, double regAll,
                         std::initializer_list<std::pair<const char*, double>> rates);

/// A factor table or bias vector as a flat list (row-major), for the model files.
std::vector<float> flat(const FactorMatrix& m);
std::vector<float> flat(const Eigen::VectorXf& v);

/// One training rating as the SGD loop sees it.
struct Sample {
  std::int32_t u, i;
  float r;
};

/// Learning rates and regularisation of b_u, b_i, p_u, q_i.
struct Rates {
  float lrBu, lrBi, lrPu, lrQi, regBu, regBi, regPu, regQi;
};
Rates ratesOf(const SvdConfig& config);

/// Plain SGD over samples[0, n) in order (Surprise's SVD.sgd inner loop) on row-major factor
/// tables P, Q (k columns) and biases; returns the sum of squared errors before each update
/// and the number of updates made in `done`. Stops early (setting `stopped`) when `stop` is
/// requested, checking every 65536 samples.
double sgdRun(const Sample* samples, std::size_t n, float* __restrict P, float* __restrict Q,
              float* __restrict bu, float* __restrict bi, int k, float mu, bool biased,
              const Rates& rt, const StopToken& stop, std::atomic<bool>& stopped,
              std::size_t& done);

/// Clips x to [lo, hi] when clip is set.
inline float clipTo(float x, bool clip, float lo, float hi) {
  if (!clip) return x;
  return x < lo ? lo : (x > hi ? hi : x);
}

}  // namespace svd_detail

}  // namespace reclab::models

#pragma once
/// SVD++ as Surprise's `SVDpp`: biased MF plus implicit feedback from the set N(u) of items
/// the user rated in training,
///   r_hat(u, i) = mu + b_u + b_i + q_i . (p_u + |N(u)|^-1/2 sum_{j in N(u)} y_j)
/// trained by SGD; for every training rating, with err = r - r_hat and z_u the implicit term:
///   b_u += lr_bu (err - reg_bu b_u);  b_i += lr_bi (err - reg_bi b_i)
///   p_u += lr_pu (err q_i - reg_pu p_u)
///   q_i += lr_qi (err (p_u + z_u) - reg_qi q_i)            (old p_u)
///   y_j += lr_yj (err q_i / sqrt|N(u)| - reg_yj y_j)  for every j in N(u)   (old q_i)
/// Defaults are Surprise's: 20 factors, 20 epochs, init std 0.1, lr 0.007, reg 0.02.
///
/// Ratings are visited grouped by user (Surprise's all_ratings() order: users by first
/// appearance, rows in order; `shuffle` permutes the users and each user's ratings every
/// epoch). Within one user's group every y_j (j in N(u)) receives the same affine update, so
/// the y_j are updated lazily (y_j = alpha y_j0 + d, materialised when the group ends) and
/// the implicit sum is maintained incrementally: O(k) per rating instead of Surprise's
/// O(|N(u)| k); mathematically the same updates, float rounding differs. N(u) counts each
/// distinct item once. Training is sequential (y_j are shared across item blocks).
/// Unknown users / items and clipping behave as in Svd (svd.h).

#include <Eigen/Core>

#include "models/classic/svd.h"

namespace reclab::models {

struct SvdppConfig {
  int nFactors = 20;
  int nEpochs = 20;
  double initMean = 0.0;
  double initStdDev = 0.1;
  double lrAll = 0.007;
  double regAll = 0.02;
  /// -1 means "use lrAll / regAll".
  double lrBu = -1, lrBi = -1, lrPu = -1, lrQi = -1, lrYj = -1;
  double regBu = -1, regBi = -1, regPu = -1, regQi = -1, regYj = -1;
  bool shuffle = false;
  bool clip = true;

  static SvdppConfig defaults() { return {}; }
  void validate() const;  ///< throws InputError("svdpp: n_factors must be > 0, got 0")
  double lr(double specific) const { return specific >= 0 ? specific : lrAll; }
  double reg(double specific) const { return specific >= 0 ? specific : regAll; }
};

class Svdpp : public RatingPredictor, public HasEmbeddings {
 public:
  explicit Svdpp(SvdppConfig config = SvdppConfig::defaults());

  std::string name() const override { return "svdpp"; }
  Task task() const override { return Task::Rating; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;

  void scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const override;
  std::int32_t numItems() const override { return static_cast<std::int32_t>(m_q.rows()); }
  void predict(const std::vector<std::int32_t>& users, const std::vector<std::int32_t>& items,
               std::vector<float>& out) const override;
  float predictOne(std::int32_t user, std::int32_t item) const;

  /// The effective user vectors p_u + |N(u)|^-1/2 sum y_j (what q_i is dotted with).
  Eigen::MatrixXf userEmbeddings() const override { return m_z; }
  Eigen::MatrixXf itemEmbeddings() const override { return m_q; }

  const SvdppConfig& config() const { return m_config; }
  float globalMean() const { return m_mu; }
  const Eigen::VectorXf& userBias() const { return m_bu; }
  const Eigen::VectorXf& itemBias() const { return m_bi; }
  const FactorMatrix& userFactors() const { return m_p; }      ///< p_u
  const FactorMatrix& itemFactors() const { return m_q; }      ///< q_i
  const FactorMatrix& implicitFactors() const { return m_y; }  ///< y_j
  double updatesPerSecond() const { return m_updatesPerSecond; }

 private:
  void computeEffectiveUsers(const std::vector<std::size_t>& offsets,
                             const std::vector<std::int32_t>& itemsOfUser,
                             const std::vector<std::int32_t>& userOfGroup);

  SvdppConfig m_config;
  float m_mu = 0, m_min = 0, m_max = 0;
  Eigen::VectorXf m_bu, m_bi;
  FactorMatrix m_p, m_q, m_y, m_z;
  std::vector<std::uint8_t> m_userKnown, m_itemKnown;
  double m_updatesPerSecond = 0;
};

/// The registry entry for "svdpp" (added by registerSvd).
ModelInfo svdppInfo();

}  // namespace reclab::models

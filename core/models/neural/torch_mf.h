#pragma once
/// Biased matrix factorisation trained with LibTorch by mini-batches:
///   r_hat(u, i) = mu + b_u + b_i + p_u . q_i
/// minimising mean squared error plus reg * (|p_u|^2 + |q_i|^2 + b_u^2 + b_i^2) over each
/// batch, with Adam. Reports per-batch and per-epoch loss and validation RMSE.
/// After training the factors are copied to Eigen matrices, so scoring and persistence do
/// not depend on LibTorch.

#include <Eigen/Core>

#include "models/model.h"

namespace reclab::models::neural {

struct TorchMfConfig {
  int factors = 32;
  int epochs = 20;
  int batchSize = 1024;
  double learningRate = 0.005;
  double reg = 0.1;
  double initStd = 0.1;
  int threads = 0;  ///< 0 = use the run's thread budget
  static TorchMfConfig defaults() { return {}; }
  void validate() const;  ///< throws InputError("torch_mf: factors must be > 0, got 0")
};

class TorchMf : public RatingPredictor, public HasEmbeddings {
 public:
  explicit TorchMf(TorchMfConfig config = TorchMfConfig::defaults());

  std::string name() const override { return "torch_mf"; }
  Task task() const override { return Task::Rating; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;

  void scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const override;
  std::int32_t numItems() const override { return static_cast<std::int32_t>(m_q.rows()); }
  void predict(const std::vector<std::int32_t>& users, const std::vector<std::int32_t>& items,
               std::vector<float>& out) const override;

  Eigen::MatrixXf userEmbeddings() const override { return m_p; }
  Eigen::VectorXf ratingUserBiases() const override { return m_bu; }
  Eigen::VectorXf ratingItemBiases() const override { return m_bi; }
  float ratingGlobalMean() const override { return m_mu; }
  Eigen::MatrixXf itemEmbeddings() const override { return m_q; }

 private:
  TorchMfConfig m_config;
  float m_mu = 0;
  Eigen::VectorXf m_bu, m_bi;
  Eigen::MatrixXf m_p, m_q;  ///< users x factors, items x factors
};

}  // namespace reclab::models::neural

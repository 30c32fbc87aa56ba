#pragma once
/// Small LibTorch helpers shared by the neural models (Keras-compatible initialisation,
/// tensor <-> Eigen). Only core/models/neural includes this.

#include <torch/torch.h>

#include <Eigen/Core>

namespace reclab::models::neural {

/// BatchNorm with Keras' defaults: momentum 0.99 (torch's 0.01) and epsilon 1e-3.
inline torch::nn::BatchNorm1d kerasBatchNorm(std::int64_t features) {
  return torch::nn::BatchNorm1d(torch::nn::BatchNorm1dOptions(features).momentum(0.01).eps(1e-3));
}

/// Keras' Dense initialisation: Glorot-uniform kernel, zero bias.
template <typename Layer>
void kerasDenseInit(Layer& layer) {
  torch::NoGradGuard noGrad;
  torch::nn::init::xavier_uniform_(layer->weight);
  if (layer->bias.defined()) layer->bias.zero_();
}

/// A 2-D float tensor as an Eigen matrix (copied).
inline Eigen::MatrixXf toEigenMatrix(const torch::Tensor& t) {
  auto c = t.detach().contiguous().to(torch::kFloat32);
  const auto rows = c.size(0);
  const auto cols = c.dim() > 1 ? c.size(1) : 1;
  Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(
      c.data_ptr<float>(), rows, cols);
  return m;
}

/// An Eigen matrix as a 2-D float tensor (copied).
inline torch::Tensor fromEigenMatrix(const Eigen::MatrixXf& m) {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = m;
  return torch::from_blob(r.data(), {r.rows(), r.cols()}, torch::kFloat32).clone();
}

}  // namespace reclab::models::neural

#pragma once
/// The LibTorch networks behind PurchaseNet (purchase.h): one module whose parts depend on the
/// architecture. Only core/models/neural includes this header (it includes <torch/torch.h>).

#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "models/neural/purchase.h"

namespace reclab::models::neural {

/// Everything the network's shape depends on besides the config.
struct PurchaseShape {
  std::vector<std::int64_t> cardinalities;  ///< per categorical field, codes 0..card-1
  std::int64_t continuous = 0;
  std::vector<std::pair<int, int>> crossPairs;  ///< wide_deep only
  std::int64_t crossBuckets = 0;

  nlohmann::json toJson() const;
  static PurchaseShape fromJson(const nlohmann::json& j);
};

/// One logit per row. Inputs: categorical codes (N x F, int64, each in [0, card_f)), the
/// scaled continuous block (N x K, float) and, for wide_deep, the cross buckets (N x P, int64,
/// each in [0, buckets)); `cross` is undefined for the other architectures.
struct PurchaseModuleImpl : torch::nn::Module {
  PurchaseModuleImpl(const PurchaseShape& shape, const PurchaseConfig& config);
  torch::Tensor forward(const torch::Tensor& cat, const torch::Tensor& cont,
                        const torch::Tensor& cross);

  std::string architecture;
  torch::Tensor offsets;  ///< first index of each field in the shared tables (not a parameter)
  torch::Tensor bias;     ///< global bias, starts at the weighted prior log-odds
  torch::nn::Embedding firstOrder{nullptr};  ///< one weight per categorical code
  torch::nn::Linear contLinear{nullptr};     ///< linear on the continuous block
  torch::nn::Embedding fields{nullptr};      ///< field vectors of the categorical codes
  torch::Tensor contVec, contBias;           ///< continuous field vectors (K x d)
  torch::nn::Embedding crossWeights{nullptr};
  torch::nn::Sequential mlp{nullptr};
  torch::nn::ModuleList encoder{nullptr};
  torch::Tensor cls;
  torch::Tensor pairRows, pairCols;  ///< pnn: the field pairs i < j

 private:
  torch::Tensor firstOrderTerm(const torch::Tensor& cat, const torch::Tensor& cont);
  /// Categorical field vectors followed by the continuous ones (x_j v_j [+ b_j]): N x F+K x d.
  torch::Tensor fieldVectors(const torch::Tensor& cat, const torch::Tensor& cont);
};
TORCH_MODULE(PurchaseModule);

}  // namespace reclab::models::neural

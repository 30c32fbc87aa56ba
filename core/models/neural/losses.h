#pragma once
/// Losses for the neural classifiers (LibTorch). Only core/models/neural includes this.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace reclab::models::neural {

/// Multi-class focal loss (Lin et al., 2017) on softmax outputs, with class weights:
///   FL_i = - w_{y_i} * alpha * (1 - p_{i,y_i})^gamma * log p_{i,y_i},   loss = mean_i FL_i,
/// p = softmax(logits). The mean is over the batch size, as Keras does with `class_weight`
/// (sum_i w_{y_i} l_i / N), not over the sum of weights. gamma = 0, alpha = 1 and no weights
/// give the cross-entropy. `classWeights` may be undefined (all 1).
torch::Tensor focalLoss(const torch::Tensor& logits, const torch::Tensor& target, double gamma,
                        double alpha, const torch::Tensor& classWeights = {});

/// scikit-learn's compute_class_weight("balanced"): w_c = n / (C * n_c). A class absent from
/// the training rows gets weight 0 (it cannot be learned; sklearn raises there).
std::vector<float> balancedClassWeights(const std::vector<std::int64_t>& counts);

}  // namespace reclab::models::neural

#include "models/neural/losses.h"

#include <gtest/gtest.h>

namespace reclab::models::neural {
namespace {

// Logits (2, 0, -1): softmax p = (0.843795, 0.114195, 0.042010).
torch::Tensor logits(int rows) { return torch::tensor({2.0f, 0.0f, -1.0f}).repeat({rows, 1}); }

TEST(FocalLoss, EqualsCrossEntropyAtGammaZero) {
  auto x = torch::tensor({{2.0f, 0.0f, -1.0f}, {0.5f, 1.5f, -2.0f}, {0.0f, 0.0f, 3.0f}});
  auto y = torch::tensor({0, 1, 1}, torch::kInt64);
  const double ce = torch::cross_entropy_loss(x, y).item<double>();
  EXPECT_NEAR(focalLoss(x, y, 0.0, 1.0).item<double>(), ce, 1e-6);
  // -log p: 0.169846 for class 0 of (2, 0, -1)
  EXPECT_NEAR(focalLoss(logits(1), torch::tensor({0}, torch::kInt64), 0.0, 1.0).item<double>(),
              0.1698460, 1e-6);
}

TEST(FocalLoss, HandComputedGammaTwo) {
  // -(1 - p)^2 log p with p = 0.843795: 0.15621^2 * 0.169846 = 0.0041443
  EXPECT_NEAR(focalLoss(logits(1), torch::tensor({0}, torch::kInt64), 2.0, 1.0).item<double>(),
              0.00414426, 1e-7);
  // class 2, p = 0.042010: 0.95799^2 * 3.169846 = 2.909109; alpha 0.25 -> 0.727277
  EXPECT_NEAR(focalLoss(logits(1), torch::tensor({2}, torch::kInt64), 2.0, 0.25).item<double>(),
              0.72727736, 1e-6);
  // The easy example is down-weighted far more than the hard one (the point of focal loss).
  EXPECT_LT(0.00414426 / 0.1698460, 2.909109 / 3.169846);
}

TEST(FocalLoss, ClassWeightsAsComputedByHand) {
  // Rows of class 0 and 1, weights (1, 3, 0.5), gamma 2, alpha 0.25:
  // (1 * 0.00103606 + 3 * 0.42564250) / 2 = 0.63898178 (Keras: divided by the batch size).
  auto w = torch::tensor({1.0f, 3.0f, 0.5f});
  EXPECT_NEAR(focalLoss(logits(2), torch::tensor({0, 1}, torch::kInt64), 2.0, 0.25, w).item<double>(),
              0.63898178, 1e-6);
  // With gamma 0 / alpha 1 the weights scale each row's cross-entropy.
  EXPECT_NEAR(focalLoss(logits(2), torch::tensor({1, 2}, torch::kInt64), 0.0, 1.0, w).item<double>(),
              (3 * 2.1698460 + 0.5 * 3.1698460) / 2, 1e-5);
}

TEST(BalancedClassWeights, MatchScikitLearn) {
  // n / (C n_c) with n = 10, C = 3
  auto w = balancedClassWeights({6, 3, 1});
  ASSERT_EQ(w.size(), 3u);
  EXPECT_FLOAT_EQ(w[0], 10.0f / 18.0f);
  EXPECT_FLOAT_EQ(w[1], 10.0f / 9.0f);
  EXPECT_FLOAT_EQ(w[2], 10.0f / 3.0f);
  EXPECT_EQ(balancedClassWeights({4, 0})[1], 0.0f);
}

}  // namespace
}  // namespace reclab::models::neural

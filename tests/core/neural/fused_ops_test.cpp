#include "models/neural/fused_ops.h"

#include <gtest/gtest.h>

#include <cmath>

#include "models/neural/trainer.h"

namespace reclab::models::neural {
namespace {

// --- dropout -------------------------------------------------------------------------------

TEST(FusedDropout, KeepsOneMinusPScaledAndPassesTheSameMaskBack) {
  torch::manual_seed(3);
  auto x = (torch::rand({1000, 1001}) + 0.5).requires_grad_(true);  // no zeros, odd size
  const double p = 0.3;
  auto y = fusedDropout(x, p, true);
  auto kept = y.ne(0);
  const double share = kept.to(torch::kFloat64).mean().item<double>();
  // 1,001,000 Bernoulli(0.7) draws: standard error 0.00046.
  EXPECT_NEAR(share, 0.7, 0.003);
  // Both halves of each 64-bit draw are used: even and odd positions keep alike.
  auto flat = kept.reshape({-1}).to(torch::kFloat64);
  EXPECT_NEAR(flat.slice(0, 0, flat.size(0), 2).mean().item<double>(), 0.7, 0.004);
  EXPECT_NEAR(flat.slice(0, 1, flat.size(0), 2).mean().item<double>(), 0.7, 0.004);
  // Neighbours are independent: P(both kept) = 0.49.
  auto both = (flat.slice(0, 0, -1) * flat.slice(0, 1)).mean().item<double>();
  EXPECT_NEAR(both, 0.49, 0.004);
  // Kept values are x / (1 - p), exactly as float scaling gives them.
  const float scale = static_cast<float>(1.0 / (1.0 - p));
  EXPECT_TRUE(torch::equal(y.detach(), torch::where(kept, x.detach() * scale, torch::zeros_like(y))));
  // The gradient goes through the same mask with the same scale.
  y.sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), torch::where(kept, torch::full_like(y, scale), torch::zeros_like(y))));
}

TEST(FusedDropout, SeededByTorchAndTheSameForAnyThreadCount) {
  auto x = torch::ones({300, 257});
  torch::manual_seed(11);
  torch::set_num_threads(1);
  auto a = fusedDropout(x, 0.5, true);
  torch::manual_seed(11);
  torch::set_num_threads(2);
  auto b = fusedDropout(x, 0.5, true);
  auto c = fusedDropout(x, 0.5, true);
  torch::set_num_threads(1);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(b, c));  // the next call draws a new mask
  // Evaluation mode and p = 0 leave the input as it is; p = 1 drops everything.
  EXPECT_TRUE(torch::equal(fusedDropout(x, 0.5, false), x));
  EXPECT_TRUE(torch::equal(fusedDropout(x, 0.0, true), x));
  EXPECT_EQ(fusedDropout(x, 1.0, true).abs().sum().item<float>(), 0.0f);
  EXPECT_THROW(fusedDropout(x, 1.5, true), c10::Error);
  EXPECT_THROW(fusedDropout(x, -0.1, false), c10::Error);
}

// --- Conv1D + ReLU + global max pooling ----------------------------------------------------

torch::Tensor reference(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  return std::get<0>(torch::relu(torch::conv1d(x.unsqueeze(1), w, b)).max(2));
}

TEST(FusedConvMaxPool, EqualsConvReluMaxInValueAndGradients) {
  torch::manual_seed(5);
  auto x = torch::randn({37, 20});
  auto w = torch::randn({6, 1, 3});
  auto b = torch::randn({6});
  {
    torch::NoGradGuard noGrad;
    b[5] = -100.0;  // a filter never active: output 0 and no gradient
  }
  auto x1 = x.clone().requires_grad_(true), w1 = w.clone().requires_grad_(true),
       b1 = b.clone().requires_grad_(true);
  auto x2 = x.clone().requires_grad_(true), w2 = w.clone().requires_grad_(true),
       b2 = b.clone().requires_grad_(true);
  auto fused = conv1dReluMaxPool(x1, w1, b1);
  auto ref = reference(x2, w2, b2);
  ASSERT_EQ(fused.sizes(), ref.sizes());
  EXPECT_TRUE(torch::allclose(fused, ref, 1e-5, 1e-6));
  EXPECT_EQ(fused.select(1, 5).abs().sum().item<float>(), 0.0f);
  EXPECT_GT(fused.gt(0).sum().item<std::int64_t>(), 37 * 3);  // most of the rest is active
  // A weighted sum, so each output's gradient differs.
  auto coeff = torch::randn({37, 6});
  (fused * coeff).sum().backward();
  (ref * coeff).sum().backward();
  EXPECT_TRUE(torch::allclose(w1.grad(), w2.grad(), 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(b1.grad(), b2.grad(), 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(x1.grad(), x2.grad(), 1e-4, 1e-5));
  EXPECT_EQ(b1.grad()[5].item<float>(), 0.0f);
}

TEST(FusedConvMaxPool, NoBiasKernelAsLongAsTheSequenceAndNaNPropagates) {
  torch::manual_seed(6);
  auto x = torch::randn({4, 9});
  auto w = torch::randn({3, 1, 9});  // kernel as long as the sequence: one position
  auto x1 = x.clone().requires_grad_(true), w1 = w.clone().requires_grad_(true);
  auto x2 = x.clone().requires_grad_(true), w2 = w.clone().requires_grad_(true);
  auto fused = conv1dReluMaxPool(x1, w1, torch::Tensor());
  auto ref = reference(x2, w2, torch::Tensor());
  EXPECT_TRUE(torch::allclose(fused, ref, 1e-5, 1e-6));
  auto coeff = torch::randn({4, 3});
  (fused * coeff).sum().backward();
  (ref * coeff).sum().backward();
  EXPECT_TRUE(torch::allclose(w1.grad(), w2.grad(), 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(x1.grad(), x2.grad(), 1e-4, 1e-5));
  // A frozen input (no gradient wanted) still trains the weights.
  auto w3 = w.clone().requires_grad_(true);
  (conv1dReluMaxPool(x, w3, torch::Tensor()) * coeff).sum().backward();
  EXPECT_TRUE(torch::allclose(w3.grad(), w2.grad(), 1e-4, 1e-5));
  EXPECT_THROW(conv1dReluMaxPool(x, w, torch::zeros({2})), c10::Error);  // one bias per filter
  {
    torch::NoGradGuard noGrad;
    x[2][4] = std::numeric_limits<float>::quiet_NaN();
    auto y = conv1dReluMaxPool(x, w, torch::Tensor());
    EXPECT_TRUE(torch::isnan(y[2]).all().item<bool>());
    EXPECT_FALSE(torch::isnan(y[1]).any().item<bool>());
  }
  EXPECT_THROW(conv1dReluMaxPool(x, torch::randn({3, 1, 10}), torch::Tensor()), c10::Error);
}

// --- Adam / AdamW ---------------------------------------------------------------------------

struct TwoLayerImpl : torch::nn::Module {
  TwoLayerImpl() {
    table = register_module("table", torch::nn::Embedding(10, 4));
    hidden = register_module("hidden", torch::nn::Linear(4, 5));
    out = register_module("out", torch::nn::Linear(5, 1));
    spare = register_module("spare", torch::nn::Linear(3, 2));  // penalised, never in the loss
  }
  torch::Tensor forward(const torch::Tensor& idx) {
    return out->forward(torch::tanh(hidden->forward(table->forward(idx)))).view({-1});
  }
  torch::nn::Embedding table{nullptr};
  torch::nn::Linear hidden{nullptr}, out{nullptr}, spare{nullptr};
};
TORCH_MODULE(TwoLayer);

struct StepCase {
  std::string optimizer;
  double weightDecay;
  double clipNorm;
  std::string clipScope;
};

/// Trains two copies of one network for `steps` batches: LibTorch's ops (penalty in the graph,
/// clipGradients, optimizer.step) against fusedAdamStep; `torchTail` more steps of the fused
/// copy are then made by LibTorch's own step on the state the fused step left.
void compareSteps(const StepCase& k, int steps, int torchTail) {
  torch::manual_seed(21);
  TwoLayer a, b;
  {
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < a->parameters().size(); ++i) b->parameters()[i].copy_(a->parameters()[i]);
  }
  TrainerConfig c;
  c.optimizer = k.optimizer;
  c.learningRate = 0.05;
  c.weightDecay = k.weightDecay;
  c.clipNorm = k.clipNorm;
  c.clipScope = k.clipScope;
  auto optA = makeOptimizer(c, *a, "a");
  auto optB = makeOptimizer(c, *b, "b");
  ASSERT_TRUE(canFuseStep(*optB));
  const double lambda = 0.03;
  FusedStepOptions fo{k.clipNorm, k.clipScope == "global",
                      {{b->table->weight, lambda}, {b->hidden->weight, lambda}, {b->spare->weight, lambda}}};
  ASSERT_TRUE(canFuseStep(*optB, fo.l2));
  auto penaltyOf = [&](TwoLayer& m) {
    return lambda * (m->table->weight.pow(2).sum() + m->hidden->weight.pow(2).sum() +
                     m->spare->weight.pow(2).sum());
  };
  auto paramsA = a->parameters();
  const auto initialSpare = b->spare->weight.detach().clone();
  for (int s = 0; s < steps + torchTail; ++s) {
    auto idx = torch::randint(0, 7, {16}, torch::kInt64);
    auto target = torch::randn({16}) * 3;
    for (auto& p : paramsA) p.mutable_grad() = torch::Tensor();
    auto lossA = torch::mse_loss(a->forward(idx), target) + penaltyOf(a);
    lossA.backward();
    clipGradients(paramsA, c);
    optA->step();

    for (auto& p : b->parameters()) p.mutable_grad() = torch::Tensor();
    const double expectedPenalty = penaltyOf(b).item<double>();
    if (s < steps) {
      // spare's gradient stays undefined here: the fused step takes its penalty alone.
      torch::mse_loss(b->forward(idx), target).backward();
      EXPECT_NEAR(fusedAdamStep(*optB, fo), expectedPenalty, 1e-5 * expectedPenalty);
    } else {
      (torch::mse_loss(b->forward(idx), target) + penaltyOf(b)).backward();
      auto paramsB = b->parameters();
      clipGradients(paramsB, c);
      optB->step();
    }
  }
  for (std::size_t i = 0; i < paramsA.size(); ++i) {
    auto pa = paramsA[i], pb = b->parameters()[i];
    EXPECT_TRUE(torch::allclose(pa, pb, 1e-4, 1e-5))
        << k.optimizer << " " << k.clipScope << " parameter " << i << " differs by "
        << (pa - pb).abs().max().item<double>();
  }
  // Every weight of the never-used layer moved (the comparison is not between untouched
  // copies): its penalty's gradient alone.
  EXPECT_GT((b->spare->weight - initialSpare).abs().min().item<double>(), 0.0);
}

TEST(FusedAdam, SameUpdatesAsLibTorchsOpsWithPenaltiesAndClipping) {
  compareSteps({"adam", 0.0, 0.0, "per_tensor"}, 12, 0);
  compareSteps({"adam", 0.01, 0.5, "per_tensor"}, 12, 0);
  compareSteps({"adam", 0.0, 0.3, "global"}, 12, 0);
  compareSteps({"adam", 0.01, 0.3, "global"}, 12, 0);
  compareSteps({"adamw", 0.1, 0.5, "per_tensor"}, 12, 0);
}

TEST(FusedAdam, LeavesLibTorchsOwnStateSoEitherStepContinues) {
  // Fused steps then LibTorch's Adam on the same moments and step count.
  compareSteps({"adam", 0.0, 0.5, "per_tensor"}, 6, 6);
  compareSteps({"adamw", 0.05, 0.0, "per_tensor"}, 6, 6);
}

TEST(FusedAdam, OnlyAdamAndAdamWWithoutAmsgrad) {
  TwoLayer net;
  torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1));
  EXPECT_FALSE(canFuseStep(sgd));
  torch::optim::Adam ams(net->parameters(), torch::optim::AdamOptions(0.1).amsgrad(true));
  EXPECT_FALSE(canFuseStep(ams));
  torch::optim::AdamW amsw(net->parameters(), torch::optim::AdamWOptions(0.1).amsgrad(true));
  EXPECT_FALSE(canFuseStep(amsw));
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(0.1));
  EXPECT_TRUE(canFuseStep(adam));
  // A penalty on a tensor the optimizer does not hold (a view, a frozen weight) cannot be
  // folded into its step: the trainer then keeps LibTorch's path.
  EXPECT_TRUE(canFuseStep(adam, {{net->hidden->weight, 0.1}}));
  EXPECT_FALSE(canFuseStep(adam, {{net->hidden->weight.slice(0, 0, 2), 0.1}}));
  EXPECT_FALSE(canFuseStep(adam, {{torch::ones({3}), 0.1}}));
}

TEST(FusedAdam, ANaNGradientUnderGlobalClippingSpoilsEveryTensorAsInLibTorch) {
  // clip_grad_norm_ multiplies every gradient by a NaN coefficient; so does the fused step.
  TwoLayer net;
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(0.1));
  for (auto& p : net->parameters()) p.mutable_grad() = torch::ones_like(p);
  net->out->bias.mutable_grad().fill_(std::numeric_limits<float>::quiet_NaN());
  fusedAdamStep(adam, {1.0, true, {}});
  for (auto& p : net->parameters()) EXPECT_TRUE(torch::isnan(p).all().item<bool>());
}

TEST(FusedAdam, ANonFinitePenaltyLeavesWeightsAndStateAlone) {
  TwoLayer net;
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(0.1));
  {
    torch::NoGradGuard noGrad;
    net->hidden->weight[0][0] = std::numeric_limits<float>::infinity();
  }
  const auto before = net->out->weight.clone();
  for (auto& p : net->parameters()) p.mutable_grad() = torch::ones_like(p);
  EXPECT_FALSE(std::isfinite(fusedAdamStep(adam, {0.0, false, {{net->hidden->weight, 0.1}}})));
  EXPECT_TRUE(torch::equal(net->out->weight, before));
  EXPECT_TRUE(adam.state().empty());
}

}  // namespace
}  // namespace reclab::models::neural

#pragma once
/// Fused CPU kernels for the training engine: the same mathematics as a chain of LibTorch ops,
/// done in one pass over memory instead of one op (and one temporary tensor) per step.
///
/// - fusedDropout(): inverted dropout whose keep mask comes from a counter-based generator
///   (splitmix64 over the element index, seeded from LibTorch's default generator, so
///   torch::manual_seed still fixes it) instead of LibTorch's serial Bernoulli sampler.
/// - conv1dReluMaxPool(): Conv1D (one input channel, stride 1, no padding) + ReLU + global max
///   pooling over the sequence, without materialising the batch x filters x positions map and
///   its ReLU / max gradients (seed A's hybrid CNN spends most of its time there otherwise).
/// - fusedAdamStep(): Adam / AdamW on every parameter of an optimizer in one pass per tensor,
///   with Keras-style L2 penalties and gradient clipping folded in; the optimizer's own state
///   (step, first and second moments) is used, so checkpoints are LibTorch's.
///
/// Only core/models/neural includes this header.

#include <torch/torch.h>

#include <string>
#include <vector>

namespace reclab::models::neural {

/// Inverted dropout: each element kept with probability 1 - p and scaled by 1 / (1 - p) in
/// training; `x` unchanged otherwise. Float tensors take the fused kernel, others torch::dropout.
torch::Tensor fusedDropout(const torch::Tensor& x, double p, bool training);

/// Dropout as the engine's `fused_kernels` setting says: fusedDropout, or torch::dropout.
torch::Tensor engineDropout(const torch::Tensor& x, double p, bool training, bool fused);

/// engineDropout as a module, for torch::nn::Sequential stacks (no parameters).
struct EngineDropoutImpl : torch::nn::Module {
  EngineDropoutImpl(double p, bool fused) : p(p), fused(fused) {}
  torch::Tensor forward(const torch::Tensor& x) { return engineDropout(x, p, is_training(), fused); }
  double p;
  bool fused;
};
TORCH_MODULE(EngineDropout);

/// max(0, max_t (bias[f] + sum_k weight[f, 0, k] * x[b, t + k])) for a batch `x` (B x L) and a
/// Conv1d weight (F x 1 x K, K <= L) and bias (F, may be undefined): B x F. Differentiable in
/// x, weight and bias; equal to relu(conv1d(x.unsqueeze(1), weight, bias)).max(2) up to float
/// rounding and the choice among tied maxima.
torch::Tensor conv1dReluMaxPool(const torch::Tensor& x, const torch::Tensor& weight,
                                const torch::Tensor& bias);

/// coefficient * sum(weight^2), a Keras kernel / embeddings regularizer.
struct L2Term {
  torch::Tensor weight;
  double coefficient = 0;
};

struct FusedStepOptions {
  double clipNorm = 0;        ///< 0: no clipping
  bool clipGlobal = false;    ///< false: Keras clipnorm (each tensor); true: one global norm
  std::vector<L2Term> l2;     ///< penalties whose gradient 2 * c * w is added before clipping
};

/// True when fusedAdamStep can drive `optimizer` with penalties `l2`: Adam (without amsgrad) or
/// AdamW over float32 CPU parameters, each L2 term (coefficient >= 0) on one of those
/// parameters itself (not a frozen weight or a view).
bool canFuseStep(torch::optim::Optimizer& optimizer, const std::vector<L2Term>& l2 = {});

/// One optimizer step, the same update as adding the L2 terms to the loss, clipping the
/// gradients (clipGradients) and calling optimizer.step(). Returns the L2 penalty's value at
/// the weights before the update.
double fusedAdamStep(torch::optim::Optimizer& optimizer, const FusedStepOptions& options);

}  // namespace reclab::models::neural

#pragma once
/// Settings of the shared LibTorch training engine (trainer.h), without any torch include, so
/// the registry and the config code can describe them cheaply. Every LibTorch model exposes
/// these as hyper-parameters through addTrainerParams() / trainerConfigFrom().

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/registry.h"

namespace reclab::models::neural {

struct TrainerConfig {
  int epochs = 20;
  int batchSize = 256;
  std::string optimizer = "adam";  ///< adam | adamw | sgd | adagrad
  double learningRate = 1e-3;
  double weightDecay = 0.0;  ///< the optimizer's decoupled (adamw) or L2 (adam, sgd) decay
  double momentum = 0.0;     ///< sgd only
  double adamEps = 1e-7;     ///< Keras' default epsilon (torch's is 1e-8); adagrad's too
  double clipNorm = 0.0;     ///< clip gradient norms to this (0 = off)
  /// per_tensor: each parameter's gradient clipped on its own (Keras' `clipnorm`, which seed C
  /// uses); global: the norm of all gradients together (torch's clip_grad_norm_).
  std::string clipScope = "per_tensor";
  std::string schedule = "none";  ///< none | step | plateau
  int stepSize = 10;              ///< step: multiply lr by gamma every stepSize epochs
  double gamma = 0.1;             ///< step and plateau factor
  int plateauPatience = 2;        ///< plateau: epochs without improvement of `monitor`
  double minLearningRate = 0.0;
  std::string monitor = "val_loss";  ///< what plateau / best checkpoint watch
  bool keepBest = true;  ///< restore the weights of the best `monitor` epoch at the end
  int threads = 0;       ///< LibTorch intra-op threads (0 = the run's thread budget)
  int batchReportsPerEpoch = 50;  ///< per-batch reports sent to the observer each epoch
  /// Fused CPU kernels (fused_ops.h) for dropout, the hybrid's Conv1D + max pooling and the
  /// Adam / AdamW step with its clipping and L2 penalties; false: the chain of LibTorch ops.
  /// Same mathematics either way (dropout masks come from another random stream).
  bool fusedKernels = true;

  static TrainerConfig defaults() { return {}; }
  /// Throws InputError("<model>: batch_size must be > 0, got 0").
  void validate(const std::string& model) const;
  /// "min" for losses / errors, "max" for accuracy, AUC, F1...
  bool monitorMaximises() const;
};

/// Appends the trainer's hyper-parameters (epochs, batch_size, optimizer, lr, weight_decay,
/// momentum, clipnorm, clip_scope, lr_schedule, lr_step, lr_gamma, lr_patience, min_lr, monitor,
/// keep_best, threads, fused_kernels) to a model's schema, with the model's own defaults.
void addTrainerParams(std::vector<ParamSpec>& params, const TrainerConfig& defaults);

/// "1, 2.5,10" -> {1, 2.5, 10}: comma-separated numbers, blanks around each allowed. Empty
/// parts and anything that is not a whole number are rejected: throws
/// InputError("<what>: 'x' is not a list of <kind> (e.g. \"<example>\")") when a part does not
/// parse or `accept` returns false for it.
std::vector<double> parseNumberList(const std::string& text, const std::string& what,
                                    const std::string& kind, const std::string& example,
                                    bool (*accept)(double));

/// "512,256,128,64" -> {512, 256, 128, 64}. Throws InputError("<what>: 'x' is not a list of
/// positive layer sizes").
std::vector<int> parseLayerSizes(const std::string& text, const std::string& what);

/// Reads those parameters from validated params.
TrainerConfig trainerConfigFrom(const nlohmann::json& params);

}  // namespace reclab::models::neural

#pragma once
/// The LibTorch training engine shared by every neural model in RecLab.
///
/// A model describes its network (TrainableNet: forward, loss, per-layer penalties) and hands
/// the engine its samples as contiguous column tensors (TensorColumns). The engine does the
/// rest: seeded shuffling, mini-batches gathered with index_select into reused buffers (no
/// per-row allocation), Adam / AdamW / SGD, gradient clipping, learning-rate schedules, the
/// best-weights and early-stopping callbacks, per-batch and per-epoch reports (loss, accuracy,
/// AUC, macro F1 or RMSE / MAE, learning rate, samples per second), the classification report
/// of each validation pass, and a guard that stops on a non-finite loss with the last good
/// weights restored.
///
/// Only files in core/models/neural include this header (it includes <torch/torch.h>).

#include <torch/torch.h>

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/model.h"
#include "models/neural/fused_ops.h"
#include "models/neural/trainer_config.h"

namespace reclab::models::neural {

/// Samples as columns: every tensor has the samples along its first dimension.
struct TensorColumns {
  std::vector<torch::Tensor> columns;
  /// The log row of each sample, when samples are log rows (used to list the rows behind a
  /// confusion-matrix cell); may be empty.
  std::vector<std::uint32_t> logRows;

  std::int64_t size() const { return columns.empty() ? 0 : columns.front().size(0); }
  /// Copies samples `index` (int64) of every column into `out`, reusing out's storage.
  void gather(const torch::Tensor& index, std::vector<torch::Tensor>& out) const;
  /// Samples [begin, end) as views (no copy).
  std::vector<torch::Tensor> slice(std::int64_t begin, std::int64_t end) const;
};

enum class OutputKind { Classification, Regression };

/// What a model gives the engine.
class TrainableNet {
 public:
  virtual ~TrainableNet() = default;
  virtual torch::nn::Module& net() = 0;
  /// Forward pass on a batch's columns: logits (N x C) for classification, predictions (N) for
  /// regression.
  virtual torch::Tensor forward(const std::vector<torch::Tensor>& batch) = 0;
  /// The data loss, averaged over the batch.
  virtual torch::Tensor loss(const torch::Tensor& output,
                             const std::vector<torch::Tensor>& batch) = 0;
  /// Keras-style per-layer penalties (kernel / embeddings regularizers), added to the loss;
  /// an undefined tensor when there are none.
  virtual torch::Tensor penalty() { return {}; }
  /// Keras-style L2 penalties (coefficient * sum(w^2)) on whole parameter tensors. The engine
  /// adds them to the loss itself: folded into the fused Adam step (fused_ops.h), or as graph
  /// ops otherwise. Prefer them to penalty() for plain L2. None by default.
  virtual std::vector<L2Term> l2Terms() { return {}; }
  virtual OutputKind outputKind() const = 0;
  /// Which column of a batch holds the target (class index int64, or value float).
  virtual std::size_t targetColumn() const = 0;
  /// Class names for reports (classification only).
  virtual std::vector<std::string> classNames() const { return {}; }
  /// Extra values of an epoch, computed by the model itself after the epoch's training and
  /// validation passes (the session models' val_recall@20 / val_mrr@20 on their validation
  /// prefixes). They join the epoch report before the learning-rate schedule, the best-weights
  /// keeper and the callbacks see it, so `monitor` may name them. None by default.
  virtual std::map<std::string, double> epochValues(int /*epoch*/) { return {}; }
};

/// Parameter counts as Keras' model.summary() reports them: trainable parameters, and
/// non-trainable ones (frozen parameters plus BatchNorm moving statistics, which torch keeps
/// as buffers). `summary` is a per-layer table for the log.
struct ParameterCounts {
  std::int64_t trainable = 0;
  std::int64_t nonTrainable = 0;
  std::string summary;
};
ParameterCounts countParameters(torch::nn::Module& module);

struct TrainResult {
  int epochs = 0;            ///< epochs completed
  bool stoppedEarly = false; ///< a callback ended training
  int bestEpoch = 0;         ///< epoch whose weights were kept (keep_best), else the last
  double bestValue = std::numeric_limits<double>::quiet_NaN();
};

/// The engine's optimizer for `module`'s trainable parameters (adam, adamw, sgd or adagrad with
/// the config's lr, weight decay, momentum, epsilon), for models that run their own loop.
std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainerConfig& config,
                                                       torch::nn::Module& module,
                                                       const std::string& modelName);
/// The engine's gradient clipping (config.clipNorm, config.clipScope); nothing when clipNorm is 0.
void clipGradients(std::vector<torch::Tensor>& params, const TrainerConfig& config);
/// The learning rate of the optimizer's first parameter group, and setting it on every group.
double currentLr(torch::optim::Optimizer& optimizer);
void setLr(torch::optim::Optimizer& optimizer, double lr);

class Trainer {
 public:
  Trainer(TrainerConfig config, std::string modelName);

  /// Trains `net` on `train`, validating on `valid` (may be null or empty) after each epoch.
  /// Reports to ctx.observer, ends early when a ctx callback asks, throws Cancelled when
  /// ctx.stop is triggered and TrainingDiverged (weights restored to the last good epoch) on a
  /// non-finite loss.
  TrainResult fit(TrainableNet& net, const TensorColumns& train, const TensorColumns* valid,
                  const TrainContext& ctx);

  /// The network's output for every sample, in eval mode without gradients, in batches:
  /// class probabilities (softmax) for classification, predictions for regression.
  static torch::Tensor predict(TrainableNet& net, const TensorColumns& data,
                               std::int64_t batchSize);

  /// The optimizer of the last fit (for checkpoints); null before fit.
  torch::optim::Optimizer* optimizer() const { return m_optimizer.get(); }
  /// Epoch values of the last validation pass, e.g. {"val_loss": 0.41, "val_auc": 0.80}.
  const std::map<std::string, double>& lastValidation() const { return m_lastValidation; }

 private:
  std::map<std::string, double> validate(TrainableNet& net, const TensorColumns& valid,
                                         int epoch, const TrainContext& ctx);

  TrainerConfig m_config;
  std::string m_modelName;
  std::unique_ptr<torch::optim::Optimizer> m_optimizer;
  std::map<std::string, double> m_lastValidation;
};

/// Writes a checkpoint: the module's parameters and buffers, and the optimizer's state when
/// given. `extra` strings (config JSON, feature pipeline state...) are stored alongside.
void saveCheckpoint(const std::string& path, torch::nn::Module& module,
                    torch::optim::Optimizer* optimizer,
                    const std::map<std::string, std::string>& extra = {});
/// Reads a checkpoint written by saveCheckpoint into a module of the same architecture (and
/// the optimizer when given); returns the extra strings. Throws InputError naming the path on
/// a missing file or a mismatching architecture.
std::map<std::string, std::string> loadCheckpoint(const std::string& path,
                                                  torch::nn::Module& module,
                                                  torch::optim::Optimizer* optimizer = nullptr);
/// Reads only the extra strings of a checkpoint (to rebuild the architecture before loading).
std::map<std::string, std::string> readCheckpointExtra(const std::string& path);

/// Copies of every parameter and buffer that can change in training (trainable parameters,
/// buffers); frozen parameters are not copied. restore() writes them back.
class WeightSnapshot {
 public:
  void take(torch::nn::Module& module);
  void restore(torch::nn::Module& module) const;
  bool empty() const { return m_values.empty(); }

 private:
  std::vector<std::pair<std::string, torch::Tensor>> m_values;
};

}  // namespace reclab::models::neural

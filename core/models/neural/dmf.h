#pragma once
/// Deep Matrix Factorization as seed C describes it (SPEC C):
///   user and item embeddings (32, L2 0.01 on the embedding tables), concatenated, Dense
///   256 -> 128 -> 64 -> 1, BatchNorm after each hidden dense layer, LeakyReLU (alpha 1e-4),
///   Dropout 0.2 on the first two, MSE, Adam lr 1e-5 with clipnorm 1.0.
/// Keras' initialisers and BatchNorm settings are used (embeddings U(-0.05, 0.05), dense
/// Glorot-uniform with zero bias, BatchNorm momentum 0.99 / epsilon 1e-3), so the defaults mean
/// what they meant in the seed. One choice of ours: the output bias starts at the training
/// mean rating instead of 0, which only saves the first epochs of walking up to the mean.
///
/// The header hides LibTorch (the network lives in the .cpp).

#include <memory>
#include <string>

#include "models/model.h"
#include "models/neural/trainer_config.h"

namespace reclab::models::neural {

struct DmfConfig {
  int embeddingDim = 32;
  double embeddingL2 = 0.01;
  /// table: the penalty covers the whole embedding tables, as Keras' embeddings_regularizer
  /// (seed C); batch: only the rows in the batch, divided by the batch size.
  std::string l2Scope = "table";
  std::string hiddenLayers = "256,128,64";
  bool batchNorm = true;
  double leakyAlpha = 1e-4;
  double dropout = 0.2;
  int dropoutLayers = 2;  ///< dropout after the first N hidden layers
  bool initOutputToMean = true;
  int foldInSteps = 50;     ///< Adam steps on one user's vector when folding in
  double foldInLr = 0.01;   ///< their learning rate
  TrainerConfig trainer = defaultTrainer();

  static TrainerConfig defaultTrainer() {
    TrainerConfig t;
    t.learningRate = 1e-5;
    t.clipNorm = 1.0;
    t.epochs = 20;
    t.batchSize = 256;
    t.monitor = "val_loss";
    return t;
  }
  static DmfConfig defaults() { return {}; }
  void validate() const;  ///< throws InputError("dmf: embedding_dim must be > 0, got 0")
  std::vector<int> layers() const;
};

class Dmf : public RatingPredictor, public HasEmbeddings, public Incremental {
 public:
  explicit Dmf(DmfConfig config = DmfConfig::defaults());
  ~Dmf() override;

  std::string name() const override { return "dmf"; }
  Task task() const override { return Task::Rating; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;

  void scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const override;
  std::int32_t numItems() const override;
  void predict(const std::vector<std::int32_t>& users, const std::vector<std::int32_t>& items,
               std::vector<float>& out) const override;

  Eigen::MatrixXf userEmbeddings() const override;
  Eigen::MatrixXf itemEmbeddings() const override;

  void grow(std::int32_t numUsers, std::int32_t numItems, std::uint64_t seed) override;
  void foldInUser(const data::InteractionLog& log, std::int32_t user,
                  const std::vector<std::uint32_t>& rows) override;
  void fineTune(const TrainContext& ctx, int epochs) override;

  /// trainable / non-trainable parameter counts (Keras-style), 0 before fit or load.
  std::pair<std::int64_t, std::int64_t> parameterCounts() const;

 private:
  struct Impl;
  void train(const TrainContext& ctx, int epochs);
  DmfConfig m_config;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace reclab::models::neural

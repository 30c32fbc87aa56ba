#pragma once
/// The hybrid CNN of seed A (SPEC A): pretrained user and item embeddings (from a finished
/// LightFM-style or SVD run, frozen by default), a Conv1D + global max pooling over each of
/// the two vectors, their element-wise product, embeddings of the categorical metadata
/// features, Dense + BatchNorm + Dropout on the continuous ones, all concatenated into Dense
/// 512 -> 256 -> 128 -> 64 with L2 (Keras kernel_regularizer), BatchNorm and Dropout; then
///   - "classification": softmax over the log's event types (view / addtocart / transaction)
///     trained with focal loss and class weights, or
///   - "regression": one linear output trained with MSE (ratings).
/// Features come from a metadata feature configuration (core/features), whose encoders are
/// fitted on the training rows only and stored with the model.

#include <memory>
#include <string>

#include "models/model.h"
#include "models/neural/trainer_config.h"

namespace reclab::models::neural {

struct HybridConfig {
  std::string head = "classification";  ///< classification | regression
  int embeddingsRun = 0;    ///< run whose embeddings initialise the tables (0 = learn them)
  int embeddingDim = 128;   ///< used when learning the tables (embeddingsRun = 0)
  bool freezeEmbeddings = true;
  int convFilters = 64;
  int convKernel = 3;
  int categoricalDim = 8;   ///< embedding size of each categorical metadata feature
  int continuousUnits = 64;
  std::string denseLayers = "512,256,128,64";
  double denseL2 = 1e-4;    ///< Keras kernel_regularizer l2 on every dense kernel
  double dropout = 0.3;
  /// Adds a wide path to the output: w . (p_u * q_i), and for the regressor b_u + b_i as well
  /// (initialised from the embeddings run's biases when it has them, e.g. SVD). With w = 1 and
  /// the deep head starting at 0, the regressor starts from the embeddings run's own prediction
  /// and learns the metadata's correction: SPEC A's reading that the deep model should not lose
  /// to its own SVD.
  bool widePath = true;
  double focalGamma = 2.0;
  double focalAlpha = 0.25;
  /// balanced (n / (C n_c) from the training rows), none, or weights "1,10,20" per class
  std::string classWeights = "balanced";
  /// A feature configuration file (JSON, docs/features.md); empty = the default for the data.
  std::string features;
  TrainerConfig trainer = defaultTrainer();

  static TrainerConfig defaultTrainer() {
    TrainerConfig t;
    t.learningRate = 1e-3;
    t.epochs = 10;
    t.batchSize = 1024;
    t.monitor = "val_loss";
    return t;
  }
  static HybridConfig defaults() { return {}; }
  void validate() const;
};

class HybridCnn : public InteractionClassifier, public RowRegressor {
 public:
  explicit HybridCnn(HybridConfig config = HybridConfig::defaults());
  ~HybridCnn() override;

  std::string name() const override;
  Task task() const override;
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;

  int numClasses() const override;
  std::vector<std::string> classNames() const override;
  void predictProba(const data::InteractionLog& log, const std::vector<std::uint32_t>& rows,
                    std::vector<float>& out) const override;
  void predictRows(const data::InteractionLog& log, const std::vector<std::uint32_t>& rows,
                   std::vector<float>& out) const override;

  /// Scores every item for `user` in the context of one of their rows (`contextRow`: its time,
  /// session and user features; the item's own features are those of each candidate item):
  /// expected rating (regression) or the probability of `targetClass` (classification).
  std::vector<float> scoreItemsForUser(const data::InteractionLog& log, std::int32_t user,
                                       std::uint32_t contextRow, int targetClass = -1) const;

  /// Keras-style counts after fit / load.
  std::pair<std::int64_t, std::int64_t> parameterCounts() const;
  /// The user embedding table (to check frozen tables stay bit-identical).
  std::vector<float> userTable() const;

 private:
  struct Impl;
  HybridConfig m_config;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace reclab::models::neural

#pragma once
/// Session purchase prediction (SPEC B Problem 1, "will this session buy?"): six networks over
/// the 26 per-(session, click) features of features/session_features.h, one model class with
/// an `architecture` choice, registered as six models with their own defaults:
///
///   purchase_lr             logit = b + sum_f w_f[code_f] + w_c . x   (one weight per
///                           categorical code, linear on the continuous block)
///   purchase_fnn            field embeddings (13 x d) concatenated with x -> MLP -> 1
///   purchase_fmnn           DeepFM reading of "factorisation-machine NN": 26 field vectors
///                           (categorical by lookup, continuous j as x_j v_j); logit = FM first
///                           order + FM pairwise term sum_{i<j} <e_i, e_j> + an MLP over the
///                           same concatenated vectors (shared embeddings, trained jointly)
///   purchase_pnn            inner-product PNN: the 26 field vectors (linear signals) and their
///                           325 pairwise inner products (product signals) -> MLP -> 1
///   purchase_wide_deep      Wide & Deep as SPEC B: wide = one weight per categorical code +
///                           linear on x + one weight per hashed cross-product bucket of the
///                           chosen categorical pairs (`cross_pairs`); deep = field embeddings
///                           and x -> 400-400-400 ReLU -> 1; P = sigmoid(y_wide + y_deep), both
///                           parts trained together by one optimizer
///   purchase_fe_transformer every attribute embedded (categorical by lookup, numeric j as
///                           x_j w_j + b_j), a stack of Transformer encoder layers over the 26
///                           tokens, mean (or CLS) pooling, an MLP head -> 1
///
/// x = the 13 continuous features after log1p (of max(x, 0)) and standardisation with the
/// mean / std of the TRAINING rows (recorded in the leakage guard, stored with the model).
/// Labels: SessionLabel::SessionBuys. The loss is binary cross-entropy on the logit with class
/// weights (`class_weight`: balanced = n / (2 n_c) from the training labels, none, or a number =
/// the positive class' weight), averaged over the batch size. The shared training engine
/// reports val_loss / val_auc / val_accuracy each epoch on ctx.validRows.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/model.h"
#include "models/neural/trainer_config.h"

namespace reclab::models {
class Registry;
}

namespace reclab::models::neural {

struct PurchaseConfig {
  /// lr | fnn | fmnn | pnn | wide_deep | fe_transformer
  std::string architecture = "fnn";
  int embeddingDim = 16;                 ///< field embedding size (not lr, fe_transformer)
  std::string hiddenLayers = "256,128";  ///< MLP sizes (fe_transformer: the head's)
  double dropout = 0.1;
  /// wide_deep: "a x b, c x d" over the categorical feature names (sessionCategoricalNames()).
  std::string crossPairs = "product_id x previous_product, category_id x click_hour";
  int crossBuckets = 100000;     ///< hash buckets per cross pair
  int dModel = 32;               ///< fe_transformer: token size
  int heads = 4;                 ///< fe_transformer: attention heads (divides d_model)
  int layers = 2;                ///< fe_transformer: encoder layers
  int ffDim = 64;                ///< fe_transformer: feed-forward width of each layer
  std::string pooling = "mean";  ///< fe_transformer: mean | cls
  /// balanced | none | a positive number (weight of the buy class, no-buy weighs 1)
  std::string classWeight = "balanced";
  /// Features from the clicks so far only (no look-ahead); false = the thesis' reading.
  bool prefixOnly = false;
  TrainerConfig trainer = defaultTrainer("fnn");

  static TrainerConfig defaultTrainer(const std::string& architecture);
  /// The registry defaults of one architecture (e.g. wide_deep: hidden 400,400,400).
  static PurchaseConfig defaults(const std::string& architecture = "fnn");
  /// Throws InputError("purchase_fnn: embedding_dim must be > 0, got 0").
  void validate() const;
  /// "purchase_" + architecture
  std::string modelName() const;
};

/// The architectures, in registry order.
const std::vector<std::string>& purchaseArchitectures();

/// Class weights {no-buy, buy} for `spec` (balanced / none / number) and the training label
/// counts. balanced: w_c = n / (2 n_c) (scikit-learn), 0 for an absent class. Throws InputError
/// on a malformed spec.
std::pair<double, double> purchaseClassWeights(const std::string& spec, std::int64_t negatives,
                                               std::int64_t positives);

/// "product_id x previous_product, category_id x click_hour" -> column index pairs into the
/// categorical block. Throws InputError naming an unknown feature or a malformed pair.
std::vector<std::pair<int, int>> parseCrossPairs(const std::string& text);

class PurchaseNet : public PurchasePredictor {
 public:
  explicit PurchaseNet(PurchaseConfig config = PurchaseConfig::defaults());
  ~PurchaseNet() override;

  std::string name() const override;
  Task task() const override { return Task::SessionPurchase; }
  /// Computes the features of ctx.trainRows / ctx.validRows (click rows; buy rows only make the
  /// labels), fits the scaler on the training rows and trains with the shared engine.
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  /// Restores architecture, scaler, class weights and weights; the architecture in the file
  /// wins over the constructor's.
  void load(const std::string& path) override;
  PurchasePredictions predictPurchase(const data::InteractionLog& log,
                                      const std::vector<std::uint32_t>& rows) const override;

  const PurchaseConfig& config() const { return m_config; }
  /// The scaler of the continuous block (after log1p), fitted on the training rows.
  const std::vector<double>& scalerMean() const;
  const std::vector<double>& scalerStd() const;
  /// The class weights {no-buy, buy} of the last fit.
  std::pair<double, double> classWeights() const;

 private:
  struct Impl;
  PurchaseConfig m_config;
  std::unique_ptr<Impl> m_impl;
};

/// Registers the six purchase_* models.
void registerPurchaseModels(Registry& registry);

}  // namespace reclab::models::neural

#pragma once
/// GRU4Rec (Hidasi et al., ICLR 2016 "Session-based Recommendations with Recurrent Neural
/// Networks"; Hidasi & Karatzoglou, CIKM 2018 "Recurrent Neural Networks with Top-k Gains"),
/// written from the papers.
///
/// Session-parallel mini-batches: `batch_size` slots each hold one training session; every
/// step feeds each slot's current click and predicts its next one; a slot whose session has no
/// next click takes the next session in the order (its hidden state reset to 0 before the
/// step); slots are idle when no session is left. The hidden state is carried between steps
/// without back-propagation through earlier steps (as the reference implementation). Layers of
/// GRU cells (`layers`, default one of 100), dropout on each layer's output, the output
/// r_j = final_act(h . W_j + b_j) for the candidate items j: the batch's own targets (in-batch
/// negatives) plus `n_sample` items drawn each step from popularity^sample_alpha. Losses:
///   cross-entropy: -log softmax over the candidates of the target's score;
///   bpr-max:  -log sum_j s_j sigma(r_i - r_j) + bpreg sum_j s_j r_j^2,
///   top1-max: sum_j s_j (sigma(r_j - r_i) + sigma(r_j^2)),
/// with s_j the softmax of the negatives' scores (the target left out).
/// With constrained_embedding the input embedding is the output item matrix W (the 2018
/// version's shared embedding); otherwise a separate input embedding of `embedding` columns.
///
/// Defaults are the official implementation's (GRU4Rec_PyTorch_Official): one layer of 100,
/// cross-entropy, batch 64, Adagrad lr 0.05 (momentum 0, so torch's Adagrad; its epsilon 1e-6),
/// no dropout, n_sample 2048, sample_alpha 0.5, bpreg 1.0, constrained embedding, 10 epochs;
/// final activation linear (the official one for cross-entropy; it uses elu 0.5 for bpr-max).
/// Weights start Glorot-uniform, biases 0.
///
/// Scoring runs the GRU over the prefix from a zero state and scores every item. Validation
/// (ctx.validRows): Recall@20 / MRR@20 over every prefix of the validation sessions each
/// epoch; the best epoch's weights are kept (keep_best) and `patience` stops early.
///
/// The header hides LibTorch (the network lives in the .cpp).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/model.h"
#include "models/neural/trainer_config.h"
#include "models/registry.h"

namespace reclab::models::neural {

struct Gru4RecConfig {
  std::string layers = "100";          ///< GRU layer sizes, e.g. "100" or "200,100"
  std::string loss = "cross-entropy";  ///< cross-entropy | bpr-max | top1-max
  std::string finalAct = "linear";     ///< linear | elu | tanh | relu, on the output scores
  double eluParam = 0.5;               ///< alpha of final_act elu
  double bpreg = 1.0;                  ///< bpr-max score regularisation
  int nSample = 2048;                  ///< extra negatives per step (0 = in-batch only)
  double sampleAlpha = 0.5;            ///< negatives drawn from popularity^sample_alpha
  double dropoutHidden = 0.0;          ///< dropout on each GRU layer's output
  double dropoutEmbed = 0.0;           ///< dropout on the input embedding
  bool constrainedEmbedding = true;    ///< input embedding = output item matrix
  int embedding = 0;                   ///< input embedding size when not constrained (0 = layer)
  std::string sessionOrder = "data";   ///< data: sessions in data order; shuffle: each epoch
  int patience = 0;                    ///< epochs without a better `monitor` (0 = never stop)
  int validBatchSize = 500;            ///< prefixes per forward pass in validation and scoring
  TrainerConfig trainer = defaultTrainer();

  static TrainerConfig defaultTrainer() {
    TrainerConfig t;
    t.epochs = 10;
    t.batchSize = 64;
    t.optimizer = "adagrad";
    t.learningRate = 0.05;
    t.adamEps = 1e-6;
    t.monitor = "val_recall@20";
    t.keepBest = true;
    return t;
  }
  static Gru4RecConfig defaults() { return {}; }
  /// Throws InputError, e.g. "gru4rec: loss must be one of cross-entropy, bpr-max, top1-max,
  /// got 'x'".
  void validate() const;
};

/// One step of session-parallel mini-batches, per slot: the session it holds (-1: idle), the
/// position t of its input click (the target is click t + 1), and 1 when the hidden state is
/// reset before the step (a session entered the slot).
struct SessionParallelStep {
  std::vector<std::int32_t> session;
  std::vector<std::int32_t> position;
  std::vector<std::uint8_t> reset;
};

/// Session-parallel batching over sessions of the given lengths, taken in `order` (indices
/// into `lengths`); sessions shorter than 2 clicks have no target and are skipped.
class SessionParallelBatcher {
 public:
  SessionParallelBatcher(const std::vector<std::uint32_t>& lengths,
                         std::vector<std::uint32_t> order, int batchSize);
  /// The next step; false when every slot is idle.
  bool next(SessionParallelStep& step);

 private:
  void fill(std::size_t slot);
  const std::vector<std::uint32_t>& m_lengths;
  std::vector<std::uint32_t> m_order;
  std::size_t m_next = 0;
  std::vector<std::int32_t> m_session, m_position;
  std::vector<std::uint8_t> m_fresh;
};

class Gru4Rec : public SessionRecommender {
 public:
  explicit Gru4Rec(Gru4RecConfig config = Gru4RecConfig::defaults());
  ~Gru4Rec() override;

  std::string name() const override { return "gru4rec"; }
  Task task() const override { return Task::SessionNext; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  std::int32_t numItems() const override;
  void scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                     ScoreMatrix& out) const override;

  const Gru4RecConfig& config() const { return m_config; }
  int epochsRun() const { return m_epochsRun; }
  int bestEpoch() const { return m_bestEpoch; }

 private:
  struct Impl;
  Gru4RecConfig m_config;
  std::unique_ptr<Impl> m_impl;
  int m_epochsRun = 0;
  int m_bestEpoch = 0;
};

/// Registers "gru4rec" (Task::SessionNext).
void registerGru4Rec(Registry& registry);

}  // namespace reclab::models::neural

#pragma once
/// SR-GNN (Wu et al., AAAI 2019, "Session-based Recommendation with Graph Neural Networks"),
/// written from the paper on the shared LibTorch training engine.
///
/// A prefix s = (x_1 .. x_n) becomes a session graph over its m distinct items: one edge per
/// consecutive pair x_t -> x_{t+1} (repeats counted), A_out[i][j] = count(i -> j) / out-degree
/// of i and A_in[i][j] = count(j -> i) / in-degree of i (the paper's "occurrence of the edge
/// divided by the degree"; rows of nodes without such edges are 0). A gated graph neural
/// network runs `steps` propagation steps over the node vectors v (initially the item
/// embeddings, d = hidden_size):
///   a = [A_out (V H_out) ; A_in (V H_in)] + b
///   z = sigma(W_z a + U_z v), r = sigma(W_r a + U_r v), c = tanh(W_o a + U_o (r * v)),
///   v' = (1 - z) * v + z * c.
/// With v_t the node vector of click t and v_n that of the last click:
///   alpha_t = q^T sigma(W_1 v_n + W_2 v_t + c), s_g = sum_t alpha_t v_t, s_l = v_n,
///   s_h = W_3 [s_l ; s_g],  score(i) = s_h^T e_i over every item embedding e_i,
/// trained with softmax cross-entropy on every prefix of every training session -> its next
/// click. Every parameter starts U(-1/sqrt(d), 1/sqrt(d)) (init "uniform"), or N(0, 0.1) as
/// the paper's text says (init "normal").
///
/// Batches are built with index tensors: a batch's prefixes are padded to its longest one,
/// distinct items found by a row-wise sort, edge counts scattered into B x m x m matrices (m =
/// the most distinct items of a prefix in the batch) and propagated with batched matmuls.
/// Validation (ctx.validRows): Recall@20 / MRR@20 of every prefix of the validation sessions,
/// reported as val_recall@20 / val_mrr@20 each epoch; the best epoch's weights are kept and
/// training stops after `patience` epochs without improvement.
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

struct SrgnnConfig {
  int hiddenSize = 100;          ///< d: item embedding and node vector size
  int steps = 1;                 ///< GGNN propagation steps
  std::string init = "uniform";  ///< uniform: U(-1/sqrt(d), 1/sqrt(d)); normal: N(0, 0.1)
  int patience = 10;             ///< epochs without a better `monitor` before stopping (0 = never)
  int validBatchSize = 500;      ///< prefixes per forward pass in validation and scoring
  TrainerConfig trainer = defaultTrainer();

  /// The paper's settings: batch 100, Adam lr 0.001 x 0.1 every 3 epochs, L2 1e-5, 30 epochs;
  /// torch's Adam epsilon (1e-8); best epoch by validation Recall@20.
  static TrainerConfig defaultTrainer() {
    TrainerConfig t;
    t.epochs = 30;
    t.batchSize = 100;
    t.optimizer = "adam";
    t.learningRate = 1e-3;
    t.weightDecay = 1e-5;
    t.adamEps = 1e-8;
    t.schedule = "step";
    t.stepSize = 3;
    t.gamma = 0.1;
    t.monitor = "val_recall@20";
    t.keepBest = true;
    return t;
  }
  static SrgnnConfig defaults() { return {}; }
  /// Throws InputError, e.g. "srgnn: hidden_size must be > 0, got 0".
  void validate() const;
};

/// The session graphs of a batch of prefixes as the network builds them (packed: nodes, clicks
/// and edge lists of the whole batch), laid out per prefix for inspection and tests (B prefixes,
/// L = longest prefix, m = most distinct items, padding -1 / 0).
struct SrgnnGraphBatch {
  std::int64_t batch = 0, maxLength = 0, maxNodes = 0;
  std::vector<std::int64_t> nodeItems;  ///< B x m: item of each node, -1 for padding nodes
  std::vector<std::int64_t> alias;      ///< B x L: node of each click, -1 for padding clicks
  std::vector<float> outAdjacency;      ///< B x m x m row-major, A_out
  std::vector<float> inAdjacency;       ///< B x m x m row-major, A_in
};

/// Builds the session graphs of `prefixes` with the network's batch code. Nodes are numbered
/// by ascending item index.
SrgnnGraphBatch buildSrgnnGraphs(const std::vector<std::vector<std::int32_t>>& prefixes);

class Srgnn : public SessionRecommender {
 public:
  explicit Srgnn(SrgnnConfig config = SrgnnConfig::defaults());
  ~Srgnn() override;

  std::string name() const override { return "srgnn"; }
  Task task() const override { return Task::SessionNext; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  std::int32_t numItems() const override;
  void scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                     ScoreMatrix& out) const override;

  const SrgnnConfig& config() const { return m_config; }
  /// Epochs run and the epoch whose weights were kept, after fit.
  int epochsRun() const { return m_epochsRun; }
  int bestEpoch() const { return m_bestEpoch; }

 private:
  struct Impl;
  SrgnnConfig m_config;
  std::unique_ptr<Impl> m_impl;
  int m_epochsRun = 0;
  int m_bestEpoch = 0;
};

/// Registers "srgnn" (Task::SessionNext).
void registerSrgnn(Registry& registry);

}  // namespace reclab::models::neural

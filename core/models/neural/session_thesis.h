#pragma once
/// The thesis' top-k models (SPEC B Problem 2, seed 001 chapters 3 and 4) as session next-item
/// recommenders on the shared training engine:
///
///  - FNN.Base  (fnn_base):  Layer.ItemEmbed (n x q) of the 4 input clicks, flatten (4q),
///                           Dense(n) softmax.
///  - GNN.G / GNN.H (gnn_g, gnn_h): each click is its row of graph G / H (its weighted
///                           out-neighbourhood), a normalisation layer (row L1 | L2 | none), a
///                           fully connected layer n -> q (torch embedding_bag over the CSR row
///                           with the normalised weights as per_sample_weights, mode sum: no
///                           dense n-vectors), flatten, Dense(n) softmax. A None click is the
///                           zero vector (the layer's bias only).
///  - GNN.K     (gnn_k):     as GNN.H over graph K: the depth layer (P learned weights, one per
///                           click distance, starting at 1 so that GNN.K starts as GNN.H)
///                           combines K's P channels of each edge before the normalisation; its
///                           gradient reaches the depth weights through per_sample_weights.
///  - FNN.Bin   (fnn_bin):   input = the 4 clicks and a candidate id*; each [e_i, e*] through a
///                           Dense block (q, ReLU), the 4 results concatenated, then Dense blocks
///                           dense_layers (1024-512-256-128-64-32) and Dense(2) softmax: "is id*
///                           a later click?".
///  - GNN.Bin.K (gnn_bin_k): Layer.SessionEmbed: FNN.Bin's pairing, each pair block output d_i
///                           multiplied by s_i = depth(M_K[id_i, id*]) (a Dense P -> 1 with bias
///                           over the normalised K edge vector); the rest as FNN.Bin.
///
/// Training data: NORM.FNN / NORM.GNN / NORM.GNN.Bin (session_thesis_data.h), from the
/// training rows' sessions; the validation rows' sessions give the validation loss. The graphs
/// are built from the training rows only (recorded in ctx.guard as "session_graphs").
/// The multi-label models train with categorical cross-entropy against the multi-hot label
/// normalised to sum 1 (multi_label_loss = softmax) or with a sigmoid per output
/// (multi_label_loss = sigmoid: binary cross-entropy summed over the outputs, averaged over
/// the sessions).
///
/// Scoring (scorePrefixes): the input is the LAST 4 clicks of the prefix, left-padded with None
/// (prefixInput). Multi-label models give each item its softmax (sigmoid) output. Binary models
/// score the test_candidates items with the largest summed H weight from the input clicks by
/// logit(true) - logit(false); every other item scores below the lowest candidate, ordered by
/// its training click count (so a prefix without graph neighbours gets popularity).
///
/// Saved state: the configuration, the network and what scoring reads (the graph CSR for the
/// graph and binary models, the click counts for the binary models) in one checkpoint, so a
/// loaded model scores exactly as the trained one without the training rows.

#include <memory>
#include <string>
#include <vector>

#include "models/model.h"
#include "models/neural/trainer_config.h"

namespace reclab::models {
class Registry;
}

namespace reclab::models::neural {

enum class ThesisModel { FnnBase, GnnG, GnnH, GnnK, FnnBin, GnnBinK };

/// "fnn_base", "gnn_g", "gnn_h", "gnn_k", "fnn_bin", "gnn_bin_k".
const char* thesisModelName(ThesisModel kind);

struct SessionThesisConfig {
  ThesisModel kind = ThesisModel::FnnBase;
  int embeddingDim = 256;                    ///< q: Layer.ItemEmbed and the n -> q layer
  std::string shortSessions = "none_label";  ///< none_label (seed) | skip
  std::string multiLabelLoss = "softmax";    ///< softmax | sigmoid
  std::string normalisation = "l1";          ///< GNN: l1 | l2 | none
  std::string activation = "none";           ///< after the q-wide layer of the multi-label models
  double dropout = 0.0;                      ///< after the q-wide layer / each dense block
  int maxDistance = 4;  ///< P: K's channels (click distances, the last merges > P)
  // Binary models.
  int candidatesPerSession = 10;             ///< n_id*
  double maxPositiveShare = 0.5;             ///< share of n_id* that may be true later clicks
  std::string negativeSampling = "uniform";  ///< uniform | weighted (by edge weight)
  int testCandidates = 100;                  ///< candidates scored per prefix
  std::string denseLayers = "1024,512,256,128,64,32";
  std::string edgeNorm = "l1";  ///< GNN.Bin.K's edge vectors: l1 | log1p | none
  TrainerConfig trainer = defaultTrainer(ThesisModel::FnnBase);

  /// 10 epochs of batches of 256; lr 0.01 for the multi-label models (a session is one sample,
  /// so an epoch of the sample data is only ~15 steps), 1e-3 for the binary ones (n_id* samples
  /// per session and a deep dense stack).
  static TrainerConfig defaultTrainer(ThesisModel kind) {
    TrainerConfig t;
    t.epochs = 10;
    t.batchSize = 256;
    t.learningRate = kind == ThesisModel::FnnBin || kind == ThesisModel::GnnBinK ? 1e-3 : 1e-2;
    return t;
  }
  static SessionThesisConfig defaults(ThesisModel kind) {
    SessionThesisConfig c;
    c.kind = kind;
    c.trainer = defaultTrainer(kind);
    return c;
  }
  bool binary() const { return kind == ThesisModel::FnnBin || kind == ThesisModel::GnnBinK; }
  bool usesGraph() const { return kind != ThesisModel::FnnBase; }
  /// Throws InputError, e.g. "gnn_k: embedding_dim must be > 0, got 0".
  void validate() const;
};

class SessionThesis : public SessionRecommender {
 public:
  explicit SessionThesis(SessionThesisConfig config);
  ~SessionThesis() override;

  std::string name() const override { return thesisModelName(m_config.kind); }
  Task task() const override { return Task::SessionNext; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  std::int32_t numItems() const override;
  void scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                     ScoreMatrix& out) const override;

  const SessionThesisConfig& config() const { return m_config; }
  /// GNN.K: the P depth weights; GNN.Bin.K: the depth layer's P weights then its bias; empty
  /// for the other models or before training.
  std::vector<float> depthWeights() const;
  /// M_K[from, to] of the stored graph (P values; empty for FNN.Base or before training).
  std::vector<float> graphEdge(std::int32_t from, std::int32_t to) const;
  /// The binary models' candidates for a prefix (test_candidates items, best first).
  std::vector<std::int32_t> candidates(const std::vector<std::int32_t>& prefix) const;

 private:
  struct Impl;
  SessionThesisConfig m_config;
  std::unique_ptr<Impl> m_impl;
};

/// Registers fnn_base, gnn_g, gnn_h, gnn_k, fnn_bin and gnn_bin_k (Task::SessionNext).
void registerSessionThesis(Registry& registry);

}  // namespace reclab::models::neural

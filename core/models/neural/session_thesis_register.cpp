#include <nlohmann/json.hpp>

#include "models/neural/session_thesis.h"
#include "models/registry.h"

// The thesis models' registry entries (no LibTorch here: the networks are in
// session_thesis.cpp).

namespace reclab::models::neural {

// ---------------------------------------------------------------------------------------------
// Registration

namespace {

void registerOne(Registry& registry, ThesisModel kind) {
  using T = ParamSpec::Type;
  const auto d = SessionThesisConfig::defaults(kind);
  const bool graph = d.usesGraph();
  const bool binary = d.binary();
  const bool depth = kind == ThesisModel::GnnK || kind == ThesisModel::GnnBinK;
  ModelInfo info;
  info.name = thesisModelName(kind);
  info.task = Task::SessionNext;
  switch (kind) {
    case ThesisModel::FnnBase:
      info.displayName = "FNN.Base (thesis, item embeddings)";
      info.description =
          "Seed B's baseline: the embeddings (Layer.ItemEmbed, n x q) of the first 4 clicks "
          "flattened into Dense(n) softmax over the later clicks id5..idc.";
      break;
    case ThesisModel::GnnG:
    case ThesisModel::GnnH:
      info.displayName = std::string("GNN.") + (kind == ThesisModel::GnnG ? "G" : "H") +
                         " (thesis, session graph)";
      info.description =
          std::string("Each of the first 4 clicks is its row of graph ") +
          (kind == ThesisModel::GnnG ? "G (adjacent clicks)" : "H (any later click)") +
          ", normalised, through a fully connected layer n -> q; flattened into "
          "Dense(n) softmax over the later clicks id5..idc.";
      break;
    case ThesisModel::GnnK:
      info.displayName = "GNN.K (thesis, multi-relational graph)";
      info.description =
          "As GNN.H over graph K: a learned depth layer weighs the P click-distance channels of "
          "each edge before the normalisation.";
      break;
    case ThesisModel::FnnBin:
      info.displayName = "FNN.Bin (thesis, binary candidate scoring)";
      info.description =
          "Is candidate id* a later click? Each click embedding paired with id*'s through a "
          "Dense block, concatenated, Dense 1024-512-256-128-64-32-2 softmax; trained on "
          "candidates sampled among graph neighbours (NORM.GNN.Bin), ranks the test_candidates "
          "strongest graph neighbours of the input.";
      break;
    case ThesisModel::GnnBinK:
      info.displayName = "GNN.Bin.K (thesis, session embedding with graph K)";
      info.description =
          "FNN.Bin with Layer.SessionEmbed: each click / candidate pairing is scaled by a depth "
          "layer over the K edge vector M_K[id_i, id*].";
      break;
  }
  info.params = {
      {"embedding_dim",
       T::Int,
       d.embeddingDim,
       1,
       4096,
       {},
       "q: item embedding size (Layer.ItemEmbed) and width of the graph layer"},
      {"short_sessions",
       T::Choice,
       d.shortSessions,
       {},
       {},
       {"none_label", "skip"},
       "sessions of 1-4 clicks: none_label = padded with None and kept with the label None (the "
       "seed's NORM algorithms; binary models: negatives only); skip = left out"},
      {"dropout", T::Double, d.dropout, 0.0, 0.95, {}, "dropout rate"},
  };
  if (!binary) {
    info.params.push_back({"multi_label_loss",
                           T::Choice,
                           d.multiLabelLoss,
                           {},
                           {},
                           {"softmax", "sigmoid"},
                           "softmax: cross-entropy against the multi-hot label scaled to sum 1; "
                           "sigmoid: binary cross-entropy per output"});
    info.params.push_back({"activation",
                           T::Choice,
                           d.activation,
                           {},
                           {},
                           {"none", "relu", "tanh"},
                           "activation after the q-wide layer (none: the seed's figures)"});
  }
  if (graph && !binary) {
    info.params.push_back({"normalisation",
                           T::Choice,
                           d.normalisation,
                           {},
                           {},
                           {"l1", "l2", "none"},
                           "the norm layer: each click's graph row divided by its L1 or L2 norm"});
  }
  if (depth) {
    info.params.push_back({"max_distance",
                           T::Int,
                           d.maxDistance,
                           1,
                           255,
                           {},
                           "P: channels of graph K (click distances 1..P, farther merged into P)"});
  }
  if (binary) {
    info.params.push_back({"candidates_per_session",
                           T::Int,
                           d.candidatesPerSession,
                           1,
                           10000,
                           {},
                           "n_id*: candidates sampled per training session"});
    info.params.push_back({"max_positive_share",
                           T::Double,
                           d.maxPositiveShare,
                           0.01,
                           1.0,
                           {},
                           "at most this share of a session's candidates are true later clicks; "
                           "the rest are negatives among the graph neighbours"});
    info.params.push_back({"negative_sampling",
                           T::Choice,
                           d.negativeSampling,
                           {},
                           {},
                           {"uniform", "weighted"},
                           "negatives: a neighbour of a random input click, uniformly (close to "
                           "the test candidates) or by edge weight (hard negatives)"});
    info.params.push_back({"test_candidates",
                           T::Int,
                           d.testCandidates,
                           1,
                           100000,
                           {},
                           "candidates scored per prefix: the strongest graph H neighbours of "
                           "its clicks; other items rank below, by popularity"});
    info.params.push_back({"dense_layers",
                           T::String,
                           d.denseLayers,
                           {},
                           {},
                           {},
                           "dense blocks after the pairing (ReLU), before Dense(2)"});
  }
  if (kind == ThesisModel::GnnBinK) {
    info.params.push_back({"edge_norm",
                           T::Choice,
                           d.edgeNorm,
                           {},
                           {},
                           {"l1", "log1p", "none"},
                           "K edge vectors: l1 = divided by the click's H row total, log1p, or "
                           "raw counts"});
  }
  addTrainerParams(info.params, SessionThesisConfig::defaultTrainer(kind));
  info.factory = [kind](const nlohmann::json& p) {
    auto c = SessionThesisConfig::defaults(kind);
    c.embeddingDim = static_cast<int>(paramInt(p, "embedding_dim"));
    c.shortSessions = paramString(p, "short_sessions");
    c.dropout = paramDouble(p, "dropout");
    if (p.contains("multi_label_loss")) c.multiLabelLoss = paramString(p, "multi_label_loss");
    if (p.contains("activation")) c.activation = paramString(p, "activation");
    if (p.contains("normalisation")) c.normalisation = paramString(p, "normalisation");
    if (p.contains("max_distance")) c.maxDistance = static_cast<int>(paramInt(p, "max_distance"));
    if (p.contains("candidates_per_session")) {
      c.candidatesPerSession = static_cast<int>(paramInt(p, "candidates_per_session"));
      c.maxPositiveShare = paramDouble(p, "max_positive_share");
      c.negativeSampling = paramString(p, "negative_sampling");
      c.testCandidates = static_cast<int>(paramInt(p, "test_candidates"));
      c.denseLayers = paramString(p, "dense_layers");
    }
    if (p.contains("edge_norm")) c.edgeNorm = paramString(p, "edge_norm");
    c.trainer = trainerConfigFrom(p);
    return std::make_unique<SessionThesis>(c);
  };
  registry.add(std::move(info));
}

}  // namespace

void registerSessionThesis(Registry& registry) {
  for (auto kind : {ThesisModel::FnnBase, ThesisModel::GnnG, ThesisModel::GnnH, ThesisModel::GnnK,
                    ThesisModel::FnnBin, ThesisModel::GnnBinK})
    registerOne(registry, kind);
}

}  // namespace reclab::models::neural

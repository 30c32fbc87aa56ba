#include "models/neural/session_thesis.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "data/session_sequences.h"
#include "features/session_graphs.h"
#include "models/neural/session_thesis_data.h"
#include "models/neural/session_thesis_nets.h"
#include "models/neural/torch_util.h"
#include "models/neural/trainer.h"
#include "split/leakage.h"

namespace reclab::models::neural {

namespace {

bool oneOf(const std::string& v, std::initializer_list<const char*> choices) {
  return std::any_of(choices.begin(), choices.end(), [&](const char* c) { return v == c; });
}

}  // namespace

const char* thesisModelName(ThesisModel kind) {
  switch (kind) {
    case ThesisModel::FnnBase:
      return "fnn_base";
    case ThesisModel::GnnG:
      return "gnn_g";
    case ThesisModel::GnnH:
      return "gnn_h";
    case ThesisModel::GnnK:
      return "gnn_k";
    case ThesisModel::FnnBin:
      return "fnn_bin";
    case ThesisModel::GnnBinK:
      return "gnn_bin_k";
  }
  return "?";
}

void SessionThesisConfig::validate() const {
  const std::string m = thesisModelName(kind);
  auto fail = [&](const std::string& what) { throw InputError(m + ": " + what); };
  auto choice = [&](const char* name, const std::string& v,
                    std::initializer_list<const char*> choices) {
    if (!oneOf(v, choices)) {
      std::string list;
      for (const char* c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
      fail(fmt::format("{} must be one of {}, got '{}'", name, list, v));
    }
  };
  if (embeddingDim <= 0) fail(fmt::format("embedding_dim must be > 0, got {}", embeddingDim));
  choice("short_sessions", shortSessions, {"none_label", "skip"});
  choice("multi_label_loss", multiLabelLoss, {"softmax", "sigmoid"});
  choice("normalisation", normalisation, {"l1", "l2", "none"});
  choice("activation", activation, {"none", "relu", "tanh"});
  if (!(dropout >= 0 && dropout < 1))
    fail(fmt::format("dropout must be in [0, 1), got {}", dropout));
  if (maxDistance < 1 || maxDistance > 255)
    fail(fmt::format("max_distance must be in [1, 255], got {}", maxDistance));
  if (candidatesPerSession <= 0)
    fail(fmt::format("candidates_per_session must be > 0, got {}", candidatesPerSession));
  if (!(maxPositiveShare > 0 && maxPositiveShare <= 1))
    fail(fmt::format("max_positive_share must be in (0, 1], got {}", maxPositiveShare));
  choice("negative_sampling", negativeSampling, {"weighted", "uniform"});
  if (testCandidates <= 0) fail(fmt::format("test_candidates must be > 0, got {}", testCandidates));
  parseLayerSizes(denseLayers, m + ": dense_layers");
  choice("edge_norm", edgeNorm, {"l1", "log1p", "none"});
  trainer.validate(m);
}

using namespace thesis;  // the networks and trainables of session_thesis_nets.h

// ---------------------------------------------------------------------------------------------
// SessionThesis

struct SessionThesis::Impl {
  std::int32_t numItems = 0;
  std::int64_t outputs = 0;  ///< multi-label outputs: the items (+ None with none_label)
  ThesisGraph graph;
  std::vector<float> popularity;  ///< binary models: training clicks per item
  std::shared_ptr<GraphInput> input;
  std::shared_ptr<ThesisNet> net;
  std::shared_ptr<MultiLabelNet> multi;
  std::shared_ptr<BinaryNet> bin;

  void build(const SessionThesisConfig& c) {
    if (c.binary()) {
      bin = std::make_shared<BinaryNet>(c, numItems);
      net = bin;
      return;
    }
    if (c.usesGraph()) input = makeGraphInput(graph, c.kind, c.normalisation);
    multi = std::make_shared<MultiLabelNet>(c, numItems, outputs, input);
    net = multi;
  }
};

SessionThesis::SessionThesis(SessionThesisConfig config)
    : m_config(std::move(config)), m_impl(std::make_unique<Impl>()) {
  m_config.validate();
}
SessionThesis::~SessionThesis() = default;

std::int32_t SessionThesis::numItems() const { return m_impl->net ? m_impl->numItems : 0; }

void SessionThesis::fit(const TrainContext& ctx) {
  const std::string model = name();
  const auto& log = ctx.log;
  const auto train = data::buildSessionSequences(log, ctx.trainRows);
  if (train.size() == 0) throw InputError(model + ": no training sessions");
  torch::manual_seed(ctx.seed);
  auto& impl = *m_impl;
  impl = Impl{};
  impl.numItems = log.numItems();
  const std::int32_t none = impl.numItems;
  const bool keepShort = m_config.shortSessions == "none_label";
  const auto samples = buildThesisSamples(train, kInputLength, none, keepShort);
  ThesisSamples validSamples;
  if (ctx.validRows && !ctx.validRows->empty()) {
    validSamples = buildThesisSamples(data::buildSessionSequences(log, *ctx.validRows),
                                      kInputLength, none, keepShort);
  }
  if (samples.size() == 0) {
    throw InputError(model +
                     ": no training session has more than 4 clicks (short_sessions = skip)");
  }
  if (m_config.usesGraph()) {
    features::SessionGraphConfig gc;
    gc.maxDistance = m_config.maxDistance;
    gc.clickEvents = clickEvents(log);
    split::LeakageGuard localGuard;
    const auto graphs = features::SessionGraphs::build(
        log, ctx.trainRows, gc, ctx.guard ? *ctx.guard : localGuard, ctx.observer, ctx.stop);
    impl.graph = ThesisGraph::fromSessionGraphs(graphs);
  }
  Trainer trainer(m_config.trainer, model);
  if (!m_config.binary()) {
    impl.outputs = impl.numItems + (keepShort ? 1 : 0);
    impl.build(m_config);
    MultiLabelTrainable trainable(impl.multi, m_config.multiLabelLoss == "sigmoid", impl.numItems);
    auto columns = trainable.add(samples);
    if (validSamples.size() > 0) trainable.setValidation(trainable.add(validSamples));
    trainer.fit(trainable, columns, nullptr, ctx);
  } else {
    impl.popularity.assign(static_cast<std::size_t>(impl.numItems), 0.0f);
    for (auto i : train.items)
      if (i >= 0 && i < impl.numItems) impl.popularity[static_cast<std::size_t>(i)] += 1;
    CandidateSampling cs;
    cs.perSession = m_config.candidatesPerSession;
    cs.maxPositiveShare = m_config.maxPositiveShare;
    cs.weightedNegatives = m_config.negativeSampling == "weighted";
    const auto trainBin = sampleCandidates(samples, impl.graph, cs, ctx.seed);
    if (trainBin.size() == 0) throw InputError(model + ": no candidate could be sampled");
    const auto validBin = sampleCandidates(validSamples, impl.graph, cs, ctx.seed + 1);
    std::size_t positives = 0;
    for (auto l : trainBin.labels) positives += static_cast<std::size_t>(l);
    ctx.observer.onLog(
        LogLevel::Info,
        fmt::format("{}: {} training candidates ({} true later clicks) from {} "
                    "sessions, {} validation candidates",
                    model, trainBin.size(), positives, samples.size(), validBin.size()));
    impl.build(m_config);
    BinaryTrainable trainable(impl.bin);
    auto columns = binaryColumns(trainBin, impl.graph, m_config);
    auto valid = binaryColumns(validBin, impl.graph, m_config);
    trainer.fit(trainable, columns, &valid, ctx);
  }
  impl.net->eval();
}

void SessionThesis::scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                                  ScoreMatrix& out) const {
  if (!m_impl->net) throw InputError(name() + ": scoring needs a trained model");
  torch::NoGradGuard noGrad;
  const auto& impl = *m_impl;
  const auto n = impl.numItems;
  const auto rows = static_cast<std::int64_t>(prefixes.size());
  out.resize(rows, n);
  std::vector<std::int32_t> inputs(static_cast<std::size_t>(rows * kInputLength));
  for (std::int64_t r = 0; r < rows; ++r) {
    prefixInput(prefixes[static_cast<std::size_t>(r)], kInputLength, n,
                std::span<std::int32_t>(inputs).subspan(static_cast<std::size_t>(r * kInputLength),
                                                        kInputLength));
  }
  if (!m_config.binary()) {
    auto x = inputTensor(inputs, rows);
    const std::int64_t bs = 512;
    for (std::int64_t lo = 0; lo < rows; lo += bs) {
      const auto hi = std::min(rows, lo + bs);
      auto logits = impl.net->forward({x.slice(0, lo, hi)});
      auto p = (m_config.multiLabelLoss == "sigmoid" ? torch::sigmoid(logits)
                                                     : torch::softmax(logits, 1))
                   .slice(1, 0, n)
                   .contiguous();
      std::copy_n(p.data_ptr<float>(), (hi - lo) * n, out.row(lo).data());
    }
    return;
  }
  // Binary models: the candidates of every prefix, scored in one pass.
  std::vector<std::int32_t> pairInputs, pairCandidates;
  std::vector<std::size_t> firstPair(static_cast<std::size_t>(rows) + 1, 0);
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto in = std::span<const std::int32_t>(inputs).subspan(
        static_cast<std::size_t>(r * kInputLength), kInputLength);
    for (auto c : impl.graph.topNeighbours(in, m_config.testCandidates)) {
      pairInputs.insert(pairInputs.end(), in.begin(), in.end());
      pairCandidates.push_back(c);
    }
    firstPair[static_cast<std::size_t>(r) + 1] = pairCandidates.size();
  }
  std::vector<float> scores(pairCandidates.size());
  const auto pairs = static_cast<std::int64_t>(pairCandidates.size());
  if (pairs > 0) {
    BinarySamples all;
    all.inputs = std::move(pairInputs);
    all.candidates = std::move(pairCandidates);
    all.labels.assign(all.candidates.size(), 0);
    auto cols = binaryColumns(all, impl.graph, m_config);
    const std::int64_t bs = 4096;
    for (std::int64_t lo = 0; lo < pairs; lo += bs) {
      const auto hi = std::min(pairs, lo + bs);
      std::vector<torch::Tensor> batch;
      for (auto& c : cols.columns) batch.push_back(c.slice(0, lo, hi));
      auto logits = impl.net->forward(batch);
      auto diff = (logits.select(1, 1) - logits.select(1, 0)).contiguous();
      std::copy_n(diff.data_ptr<float>(), hi - lo, scores.data() + lo);
    }
    pairCandidates = std::move(all.candidates);
  }
  const float maxPop = impl.popularity.empty()
                           ? 0.0f
                           : *std::max_element(impl.popularity.begin(), impl.popularity.end());
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto b = firstPair[static_cast<std::size_t>(r)];
    const auto e = firstPair[static_cast<std::size_t>(r) + 1];
    float lowest = 2.0f;
    for (auto k = b; k < e; ++k) lowest = std::min(lowest, scores[k]);
    // Below every candidate by at least 1, ordered by training clicks.
    auto row = out.row(r);
    for (std::int32_t i = 0; i < n; ++i)
      row[i] = lowest - 2.0f + impl.popularity[static_cast<std::size_t>(i)] / (maxPop + 1.0f);
    for (auto k = b; k < e; ++k) row[pairCandidates[k]] = scores[k];
  }
}

std::vector<std::int32_t> SessionThesis::candidates(const std::vector<std::int32_t>& prefix) const {
  std::vector<std::int32_t> in(kInputLength);
  prefixInput(prefix, kInputLength, m_impl->numItems, in);
  return m_impl->graph.topNeighbours(in, m_config.testCandidates);
}

std::vector<float> SessionThesis::depthWeights() const {
  torch::Tensor w;
  if (m_impl->multi && m_impl->multi->depth.defined()) {
    w = m_impl->multi->depth;
  } else if (m_impl->bin && m_impl->bin->depth) {
    w = torch::cat({m_impl->bin->depth->weight.reshape({-1}), m_impl->bin->depth->bias});
  } else {
    return {};
  }
  auto c = w.detach().contiguous();
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

std::vector<float> SessionThesis::graphEdge(std::int32_t from, std::int32_t to) const {
  if (!m_config.usesGraph() || !m_impl->net) return {};
  std::vector<float> e(static_cast<std::size_t>(m_impl->graph.numChannels));
  m_impl->graph.edge(from, to, e);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Persistence: the network and what scoring reads, in one checkpoint.

namespace {

/// The checkpoint's module: the network (absent when only the graph is read back) and the
/// arrays scoring reads as buffers.
struct SavedState : torch::nn::Module {
  SavedState(std::shared_ptr<ThesisNet> net, std::int64_t items, std::int64_t edges, int channels,
             bool hasPopularity) {
    if (net) register_module("net", std::move(net));
    const bool graph = edges >= 0;
    const auto e = std::max<std::int64_t>(edges, 0);
    offsets =
        register_buffer("graph_offsets", torch::zeros({graph ? items + 1 : 0}, torch::kInt64));
    columns = register_buffer("graph_columns", torch::zeros({e}, torch::kInt32));
    weights = register_buffer("graph_channels", torch::zeros({e * channels}));
    totals = register_buffer("graph_row_totals", torch::zeros({graph ? items : 0}));
    popularity = register_buffer("popularity", torch::zeros({hasPopularity ? items : 0}));
  }
  torch::Tensor offsets, columns, weights, totals, popularity;
};

template <typename T>
std::vector<T> toVector(const torch::Tensor& t) {
  auto c = t.contiguous();
  return {c.data_ptr<T>(), c.data_ptr<T>() + c.numel()};
}

template <typename T>
torch::Tensor fromVector(const std::vector<T>& v, torch::Dtype type) {
  return torch::from_blob(const_cast<T*>(v.data()), {static_cast<std::int64_t>(v.size())}, type)
      .clone();
}

nlohmann::json configJson(const SessionThesisConfig& c) {
  return {{"embedding_dim", c.embeddingDim},
          {"short_sessions", c.shortSessions},
          {"multi_label_loss", c.multiLabelLoss},
          {"normalisation", c.normalisation},
          {"activation", c.activation},
          {"dropout", c.dropout},
          {"max_distance", c.maxDistance},
          {"candidates_per_session", c.candidatesPerSession},
          {"max_positive_share", c.maxPositiveShare},
          {"negative_sampling", c.negativeSampling},
          {"test_candidates", c.testCandidates},
          {"dense_layers", c.denseLayers},
          {"edge_norm", c.edgeNorm}};
}

}  // namespace

void SessionThesis::save(const std::string& path) const {
  if (!m_impl->net) throw InputError(name() + ": nothing to save before training");
  const auto& impl = *m_impl;
  const bool graph = m_config.usesGraph();
  SavedState state(impl.net, impl.numItems,
                   graph ? static_cast<std::int64_t>(impl.graph.numEdges()) : -1,
                   impl.graph.numChannels, !impl.popularity.empty());
  if (graph) {
    state.offsets.copy_(fromVector(impl.graph.offsets, torch::kInt64));
    state.columns.copy_(fromVector(impl.graph.columns, torch::kInt32));
    state.weights.copy_(fromVector(impl.graph.channels, torch::kFloat32));
    state.totals.copy_(fromVector(impl.graph.rowTotals, torch::kFloat32));
  }
  if (!impl.popularity.empty())
    state.popularity.copy_(fromVector(impl.popularity, torch::kFloat32));
  const nlohmann::json shape = {
      {"items", impl.numItems},
      {"outputs", impl.outputs},
      {"edges", graph ? static_cast<std::int64_t>(impl.graph.numEdges()) : -1},
      {"channels", impl.graph.numChannels},
      {"popularity", !impl.popularity.empty()}};
  saveCheckpoint(
      path, state, nullptr,
      {{"model", name()}, {"config", configJson(m_config).dump()}, {"shape", shape.dump()}});
}

void SessionThesis::load(const std::string& path) {
  auto extra = readCheckpointExtra(path);
  if (extra["model"] != name())
    throw InputError(
        fmt::format("{}: not a {} model file (it holds '{}')", path, name(), extra["model"]));
  SessionThesisConfig c = m_config;
  std::int64_t edges = 0;
  int channels = 0;
  bool popularity = false;
  auto fresh = std::make_unique<Impl>();
  try {
    const auto j = nlohmann::json::parse(extra.at("config"));
    c.embeddingDim = j.at("embedding_dim").get<int>();
    c.shortSessions = j.at("short_sessions").get<std::string>();
    c.multiLabelLoss = j.at("multi_label_loss").get<std::string>();
    c.normalisation = j.at("normalisation").get<std::string>();
    c.activation = j.at("activation").get<std::string>();
    c.dropout = j.at("dropout").get<double>();
    c.maxDistance = j.at("max_distance").get<int>();
    c.candidatesPerSession = j.at("candidates_per_session").get<int>();
    c.maxPositiveShare = j.at("max_positive_share").get<double>();
    c.negativeSampling = j.at("negative_sampling").get<std::string>();
    c.testCandidates = j.at("test_candidates").get<int>();
    c.denseLayers = j.at("dense_layers").get<std::string>();
    c.edgeNorm = j.at("edge_norm").get<std::string>();
    const auto s = nlohmann::json::parse(extra.at("shape"));
    fresh->numItems = s.at("items").get<std::int32_t>();
    fresh->outputs = s.at("outputs").get<std::int64_t>();
    edges = s.at("edges").get<std::int64_t>();
    channels = s.at("channels").get<int>();
    popularity = s.at("popularity").get<bool>();
  } catch (const std::exception& e) {
    throw InputError(fmt::format("{}: {} model file without a valid configuration ({})", path,
                                 name(), e.what()));
  }
  c.validate();
  // The graph arrays first (a GNN net reads them when built), then the whole state.
  {
    SavedState arrays(nullptr, fresh->numItems, edges, channels, popularity);
    loadCheckpoint(path, arrays);
    if (edges >= 0) {
      auto& g = fresh->graph;
      g.numItems = fresh->numItems;
      g.numChannels = channels;
      g.offsets = toVector<std::int64_t>(arrays.offsets);
      g.columns = toVector<std::int32_t>(arrays.columns);
      g.channels = toVector<float>(arrays.weights);
      g.rowTotals = toVector<float>(arrays.totals);
      g.validate((path + ": " + name()).c_str());
    }
    if (popularity) fresh->popularity = toVector<float>(arrays.popularity);
  }
  if (fresh->numItems <= 0 || (c.usesGraph() && edges < 0) ||
      (c.binary() && fresh->popularity.size() != static_cast<std::size_t>(fresh->numItems))) {
    throw InputError(fmt::format("{}: {} model file with inconsistent shapes", path, name()));
  }
  fresh->build(c);
  SavedState state(fresh->net, fresh->numItems, edges, channels, popularity);
  loadCheckpoint(path, state);
  fresh->net->eval();
  m_config = c;
  m_impl = std::move(fresh);
}

}  // namespace reclab::models::neural

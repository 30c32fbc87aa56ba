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

namespace {

constexpr int kInputLength = 4;  // the thesis' x = {id1, id2, id3, id4}

// ---------------------------------------------------------------------------------------------
// The graph as the GNN input layer reads it.

/// The CSR entries a GNN reads (G: the entries with a distance-1 count; H and K: all) as
/// tensors: `weights` is the normalised row weight (G, H: fixed) or the P raw channel counts
/// (K: combined by the depth layer and normalised in the forward pass).
struct GraphInput {
  std::vector<std::int64_t> offsets;
  torch::Tensor columns;  ///< E int64
  torch::Tensor weights;  ///< E (G, H) or E x P (K) float
};

void normaliseRows(std::vector<float>& w, const std::vector<std::int64_t>& offsets,
                   const std::string& mode) {
  if (mode == "none") return;
  for (std::size_t r = 0; r + 1 < offsets.size(); ++r) {
    double s = 0;
    for (auto e = offsets[r]; e < offsets[r + 1]; ++e) {
      const double v = w[static_cast<std::size_t>(e)];
      s += mode == "l1" ? std::abs(v) : v * v;
    }
    if (mode == "l2") s = std::sqrt(s);
    if (s <= 0) continue;
    for (auto e = offsets[r]; e < offsets[r + 1]; ++e)
      w[static_cast<std::size_t>(e)] = static_cast<float>(w[static_cast<std::size_t>(e)] / s);
  }
}

std::shared_ptr<GraphInput> makeGraphInput(const ThesisGraph& g, ThesisModel kind,
                                           const std::string& norm) {
  auto in = std::make_shared<GraphInput>();
  const auto p = static_cast<std::size_t>(g.numChannels);
  std::vector<std::int64_t> cols;
  std::vector<float> w;
  in->offsets.assign(1, 0);
  for (std::size_t r = 0; r + 1 < g.offsets.size(); ++r) {
    for (auto e = static_cast<std::size_t>(g.offsets[r]);
         e < static_cast<std::size_t>(g.offsets[r + 1]); ++e) {
      if (kind == ThesisModel::GnnG) {
        if (g.channels[e * p] <= 0) continue;
        w.push_back(g.channels[e * p]);
      } else if (kind == ThesisModel::GnnH) {
        w.push_back(g.total(e));
      } else {
        w.insert(w.end(), g.channels.begin() + static_cast<std::ptrdiff_t>(e * p),
                 g.channels.begin() + static_cast<std::ptrdiff_t>((e + 1) * p));
      }
      cols.push_back(g.columns[e]);
    }
    in->offsets.push_back(static_cast<std::int64_t>(cols.size()));
  }
  if (kind != ThesisModel::GnnK) normaliseRows(w, in->offsets, norm);
  in->columns = torch::tensor(cols, torch::kInt64);
  in->weights = torch::tensor(w, torch::kFloat32);
  if (kind == ThesisModel::GnnK) in->weights = in->weights.view({-1, g.numChannels});
  return in;
}

/// The embedding_bag inputs of a batch of clicks (B x L, None = an id outside the graph): the
/// entries of each click's row, one bag per click, and each entry's bag.
struct Bags {
  torch::Tensor entries, offsets, bagOfEntry;
};

Bags bagsOf(const GraphInput& g, const torch::Tensor& clicks) {
  auto c = clicks.contiguous();
  const auto* p = c.data_ptr<std::int64_t>();
  const std::int64_t nb = c.numel();
  const auto rows = static_cast<std::int64_t>(g.offsets.size()) - 1;
  Bags b;
  b.offsets = torch::empty({nb}, torch::kInt64);
  auto* off = b.offsets.data_ptr<std::int64_t>();
  std::int64_t m = 0;
  for (std::int64_t k = 0; k < nb; ++k) {
    off[k] = m;
    if (p[k] >= 0 && p[k] < rows) m += g.offsets[p[k] + 1] - g.offsets[p[k]];
  }
  b.entries = torch::empty({m}, torch::kInt64);
  b.bagOfEntry = torch::empty({m}, torch::kInt64);
  auto* ent = b.entries.data_ptr<std::int64_t>();
  auto* bag = b.bagOfEntry.data_ptr<std::int64_t>();
  std::int64_t w = 0;
  for (std::int64_t k = 0; k < nb; ++k) {
    if (p[k] < 0 || p[k] >= rows) continue;
    for (auto e = g.offsets[p[k]]; e < g.offsets[p[k] + 1]; ++e, ++w) {
      ent[w] = e;
      bag[w] = k;
    }
  }
  return b;
}

// ---------------------------------------------------------------------------------------------
// Networks

struct ThesisNet : torch::nn::Module {
  /// Multi-label nets: logits (B x outputs) from batch[0] (B x 4 clicks). Binary nets: logits
  /// (B x 2) from batch[0] (clicks), batch[1] (candidate) and, for GNN.Bin.K, batch[3] (B x 4 x P
  /// normalised K edge vectors).
  virtual torch::Tensor forward(const std::vector<torch::Tensor>& batch) = 0;
};

torch::Tensor activate(torch::Tensor x, const std::string& a) {
  if (a == "relu") return torch::relu(x);
  if (a == "tanh") return torch::tanh(x);
  return x;
}

/// FNN.Base and GNN.G / H / K: q-wide layer per click, flatten, Dense(outputs).
struct MultiLabelNet : ThesisNet {
  MultiLabelNet(const SessionThesisConfig& c, std::int64_t items, std::int64_t outputs,
                std::shared_ptr<const GraphInput> graph)
      : config(c), graph(std::move(graph)) {
    const std::int64_t q = c.embeddingDim;
    if (c.kind == ThesisModel::FnnBase) {
      embed = register_module(
          "item_embed",
          torch::nn::Embedding(torch::nn::EmbeddingOptions(items + 1, q).padding_idx(items)));
      torch::NoGradGuard noGrad;
      embed->weight.uniform_(-0.05, 0.05);
      embed->weight[items].zero_();
    } else {
      // The fully connected layer n -> q as a table for embedding_bag (Glorot-uniform).
      const double a = std::sqrt(6.0 / static_cast<double>(items + q));
      table = register_parameter("graph_dense_weight", torch::empty({items, q}).uniform_(-a, a));
      bias = register_parameter("graph_dense_bias", torch::zeros({q}));
      if (c.kind == ThesisModel::GnnK)
        depth = register_parameter("depth", torch::ones({c.maxDistance}));
    }
    out = register_module("output", torch::nn::Linear(kInputLength * q, outputs));
    kerasDenseInit(out);
  }

  torch::Tensor clickLayer(const torch::Tensor& clicks) {
    const auto b = clicks.size(0);
    if (embed) return embed->forward(clicks).view({b, -1});
    const auto q = table.size(1);
    const auto bags = bagsOf(*graph, clicks);
    torch::Tensor h;
    if (bags.entries.numel() == 0) {
      h = torch::zeros({clicks.numel(), q});
    } else {
      auto cols = graph->columns.index_select(0, bags.entries);
      auto w = graph->weights.index_select(0, bags.entries);
      if (depth.defined()) {
        w = torch::matmul(w, depth);  // the depth layer: P channels -> 1
        const auto& norm = config.normalisation;
        if (norm != "none") {
          auto s = torch::zeros({clicks.numel()})
                       .index_add(0, bags.bagOfEntry, norm == "l1" ? w.abs() : w * w);
          if (norm == "l2") s = s.sqrt();
          w = w / (s.index_select(0, bags.bagOfEntry) + 1e-12);
        }
      }
      namespace F = torch::nn::functional;
      h = F::embedding_bag(cols, table,
                           F::EmbeddingBagFuncOptions()
                               .offsets(bags.offsets)
                               .mode(torch::kSum)
                               .per_sample_weights(w));
    }
    return (h + bias).view({b, -1});
  }

  torch::Tensor forward(const std::vector<torch::Tensor>& batch) override {
    auto x = activate(clickLayer(batch[0]), config.activation);
    if (config.dropout > 0) x = torch::dropout(x, config.dropout, is_training());
    return out->forward(x);
  }

  SessionThesisConfig config;
  std::shared_ptr<const GraphInput> graph;
  torch::nn::Embedding embed{nullptr};
  torch::Tensor table, bias, depth;
  torch::nn::Linear out{nullptr};
};

/// FNN.Bin and GNN.Bin.K.
struct BinaryNet : ThesisNet {
  BinaryNet(const SessionThesisConfig& c, std::int64_t items) : config(c) {
    const std::int64_t q = c.embeddingDim;
    embed = register_module(
        "item_embed",
        torch::nn::Embedding(torch::nn::EmbeddingOptions(items + 1, q).padding_idx(items)));
    {
      torch::NoGradGuard noGrad;
      embed->weight.uniform_(-0.05, 0.05);
      embed->weight[items].zero_();
    }
    for (int i = 0; i < kInputLength; ++i) {
      pair.push_back(register_module(fmt::format("pair{}", i + 1), torch::nn::Linear(2 * q, q)));
      kerasDenseInit(pair.back());
    }
    if (c.kind == ThesisModel::GnnBinK) {
      depth = register_module("depth", torch::nn::Linear(c.maxDistance, 1));
      torch::NoGradGuard noGrad;
      depth->weight.fill_(1.0);
      depth->bias.fill_(1.0);
    }
    std::int64_t in = kInputLength * q;
    for (int size : parseLayerSizes(c.denseLayers, "dense_layers")) {
      dense.push_back(
          register_module(fmt::format("dense{}", dense.size() + 1), torch::nn::Linear(in, size)));
      kerasDenseInit(dense.back());
      in = size;
    }
    out = register_module("output", torch::nn::Linear(in, 2));
    kerasDenseInit(out);
  }

  torch::Tensor forward(const std::vector<torch::Tensor>& batch) override {
    auto e = embed->forward(batch[0]);     // B x 4 x q
    auto star = embed->forward(batch[1]);  // B x q
    torch::Tensor scale;
    if (depth) scale = depth->forward(batch[3]);  // B x 4 x 1
    std::vector<torch::Tensor> d;
    for (int i = 0; i < kInputLength; ++i) {
      auto x = torch::relu(
          pair[static_cast<std::size_t>(i)]->forward(torch::cat({e.select(1, i), star}, 1)));
      if (depth) x = x * scale.select(1, i);
      d.push_back(x);
    }
    auto x = torch::cat(d, 1);
    if (config.dropout > 0) x = torch::dropout(x, config.dropout, is_training());
    for (auto& layer : dense) {
      x = torch::relu(layer->forward(x));
      if (config.dropout > 0) x = torch::dropout(x, config.dropout, is_training());
    }
    return out->forward(x);
  }

  SessionThesisConfig config;
  torch::nn::Embedding embed{nullptr};
  std::vector<torch::nn::Linear> pair, dense;
  torch::nn::Linear depth{nullptr}, out{nullptr};
};

// ---------------------------------------------------------------------------------------------
// What the engine trains

torch::Tensor inputTensor(const std::vector<std::int32_t>& v, std::int64_t rows) {
  return torch::tensor(std::vector<std::int64_t>(v.begin(), v.end()), torch::kInt64)
      .view({rows, kInputLength});
}

/// Multi-label samples: columns {clicks B x 4, label begin, label end} into one label store
/// (training labels then validation labels). The engine gets no validation set: the
/// validation loss (and Recall@20 of the thesis protocol) is computed in epochValues.
class MultiLabelTrainable : public TrainableNet {
 public:
  MultiLabelTrainable(std::shared_ptr<MultiLabelNet> net, bool sigmoid, std::int64_t items)
      : m_net(std::move(net)), m_sigmoid(sigmoid), m_items(items) {}

  /// Adds samples whose labels are item ids, noneId = items (the None output).
  TensorColumns add(const ThesisSamples& s) {
    const auto n = static_cast<std::int64_t>(s.size());
    auto begin = torch::empty({n}, torch::kInt64);
    auto end = torch::empty({n}, torch::kInt64);
    const auto base = static_cast<std::int64_t>(m_labels.size());
    for (std::int64_t j = 0; j < n; ++j) {
      begin[j] = base + s.labelOffsets[static_cast<std::size_t>(j)];
      end[j] = base + s.labelOffsets[static_cast<std::size_t>(j) + 1];
    }
    m_labels.insert(m_labels.end(), s.labels.begin(), s.labels.end());
    TensorColumns t;
    t.columns = {inputTensor(s.inputs, n), begin, end};
    return t;
  }
  void setValidation(TensorColumns v) { m_valid = std::move(v); }

  torch::nn::Module& net() override { return *m_net; }
  torch::Tensor forward(const std::vector<torch::Tensor>& b) override { return m_net->forward(b); }
  torch::Tensor loss(const torch::Tensor& out, const std::vector<torch::Tensor>& b) override {
    const auto rows = out.size(0);
    const auto outputs = out.size(1);
    auto begin = b[1].contiguous();
    auto end = b[2].contiguous();
    const auto* pb = begin.data_ptr<std::int64_t>();
    const auto* pe = end.data_ptr<std::int64_t>();
    std::vector<std::int64_t> flat;
    std::vector<float> weight;
    for (std::int64_t r = 0; r < rows; ++r) {
      const float w = pe[r] > pb[r] ? 1.0f / static_cast<float>(pe[r] - pb[r]) : 0.0f;
      for (auto k = pb[r]; k < pe[r]; ++k) {
        flat.push_back(r * outputs + m_labels[static_cast<std::size_t>(k)]);
        weight.push_back(w);
      }
    }
    auto index = torch::tensor(flat, torch::kInt64);
    if (m_sigmoid) {
      auto target = torch::zeros({rows * outputs});
      target.index_fill_(0, index, 1.0);
      return torch::binary_cross_entropy_with_logits(out.reshape({-1}), target, {}, {},
                                                     at::Reduction::Sum) /
             static_cast<double>(rows);
    }
    auto picked = torch::log_softmax(out, 1).reshape({-1}).index_select(0, index);
    return -(picked * torch::tensor(weight)).sum() / static_cast<double>(rows);
  }
  OutputKind outputKind() const override { return OutputKind::Regression; }
  std::size_t targetColumn() const override { return 1; }

  std::map<std::string, double> epochValues(int /*epoch*/) override {
    const auto n = m_valid.size();
    if (n == 0) return {};
    torch::NoGradGuard noGrad;
    m_net->eval();
    double lossSum = 0, recallSum = 0;
    std::int64_t recallUnits = 0;
    const std::int64_t bs = 1024;
    const auto k = std::min<std::int64_t>(20, m_items);
    for (std::int64_t lo = 0; lo < n; lo += bs) {
      auto batch = m_valid.slice(lo, std::min(n, lo + bs));
      auto out = m_net->forward(batch);
      lossSum += loss(out, batch).item<double>() * static_cast<double>(out.size(0));
      auto top = std::get<1>(out.slice(1, 0, m_items).topk(k, 1)).contiguous();
      const auto* pt = top.data_ptr<std::int64_t>();
      auto begin = batch[1].contiguous();
      auto end = batch[2].contiguous();
      for (std::int64_t r = 0; r < out.size(0); ++r) {
        const auto b = begin.data_ptr<std::int64_t>()[r];
        const auto e = end.data_ptr<std::int64_t>()[r];
        if (e - b < 1 || m_labels[static_cast<std::size_t>(b)] >= m_items) continue;
        std::int64_t hits = 0;
        const std::int64_t* lb = m_labels.data() + b;
        const std::int64_t* le = m_labels.data() + e;
        for (std::int64_t j = 0; j < k; ++j)
          if (std::binary_search(lb, le, pt[r * k + j])) ++hits;
        recallSum += static_cast<double>(hits) / static_cast<double>(e - b);
        ++recallUnits;
      }
    }
    m_net->train();
    std::map<std::string, double> v{{"val_loss", lossSum / static_cast<double>(n)}};
    if (recallUnits > 0) v["val_recall@20"] = recallSum / static_cast<double>(recallUnits);
    return v;
  }

 private:
  std::shared_ptr<MultiLabelNet> m_net;
  bool m_sigmoid;
  std::int64_t m_items;
  std::vector<std::int64_t> m_labels;
  TensorColumns m_valid;
};

/// Binary samples: columns {clicks B x 4, candidate, label (0/1), [K edges B x 4 x P]}.
class BinaryTrainable : public TrainableNet {
 public:
  explicit BinaryTrainable(std::shared_ptr<BinaryNet> net) : m_net(std::move(net)) {}
  torch::nn::Module& net() override { return *m_net; }
  torch::Tensor forward(const std::vector<torch::Tensor>& b) override { return m_net->forward(b); }
  torch::Tensor loss(const torch::Tensor& out, const std::vector<torch::Tensor>& b) override {
    return torch::nn::functional::cross_entropy(out, b[2]);
  }
  OutputKind outputKind() const override { return OutputKind::Classification; }
  std::size_t targetColumn() const override { return 2; }
  std::vector<std::string> classNames() const override { return {"not_later", "later"}; }

 private:
  std::shared_ptr<BinaryNet> m_net;
};

/// GNN.Bin.K's normalised K edge vectors from each input click to the candidate (B x 4 x P).
torch::Tensor edgeTensor(const ThesisGraph& g, const std::string& norm,
                         const std::vector<std::int32_t>& inputs,
                         const std::vector<std::int32_t>& candidates) {
  const auto rows = static_cast<std::int64_t>(candidates.size());
  const auto p = g.numChannels;
  auto t = torch::zeros({rows, kInputLength, p});
  auto* d = t.data_ptr<float>();
  for (std::int64_t r = 0; r < rows; ++r) {
    for (int i = 0; i < kInputLength; ++i) {
      const auto click = inputs[static_cast<std::size_t>(r * kInputLength + i)];
      std::span<float> e(d + (r * kInputLength + i) * p, static_cast<std::size_t>(p));
      g.edge(click, candidates[static_cast<std::size_t>(r)], e);
      if (click >= 0 && click < g.numItems)
        normaliseEdge(e, g.rowTotals[static_cast<std::size_t>(click)], norm);
    }
  }
  return t;
}

TensorColumns binaryColumns(const BinarySamples& s, const ThesisGraph& g,
                            const SessionThesisConfig& c) {
  const auto n = static_cast<std::int64_t>(s.size());
  TensorColumns t;
  t.columns = {
      inputTensor(s.inputs, n),
      torch::tensor(std::vector<std::int64_t>(s.candidates.begin(), s.candidates.end()),
                    torch::kInt64),
      torch::tensor(std::vector<std::int64_t>(s.labels.begin(), s.labels.end()), torch::kInt64)};
  if (c.kind == ThesisModel::GnnBinK)
    t.columns.push_back(edgeTensor(g, c.edgeNorm, s.inputs, s.candidates));
  return t;
}

/// The click events of the log (every event but "buy", as data::buildSessionSequences reads
/// sessions); empty = every row.
std::vector<std::string> clickEvents(const data::InteractionLog& log) {
  std::vector<std::string> events;
  for (const auto& e : log.eventNames)
    if (e != data::event_names::kBuy) events.push_back(e);
  return events;
}

}  // namespace

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

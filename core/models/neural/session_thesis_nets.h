#pragma once
/// The thesis' top-k networks (SPEC B Problem 2) and what the engine needs to train them: the
/// graph input layer (CSR rows as embedding bags), Layer.ItemEmbed / SessionEmbed nets, the
/// multi-label and binary trainables. Internal to session_thesis.cpp (includes <torch/torch.h>).

#include <fmt/format.h>
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/interaction_log.h"
#include "models/neural/fused_ops.h"
#include "models/neural/session_thesis.h"
#include "models/neural/session_thesis_data.h"
#include "models/neural/torch_util.h"
#include "models/neural/trainer.h"

namespace reclab::models::neural::thesis {

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
                   const std::string& mode);

std::shared_ptr<GraphInput> makeGraphInput(const ThesisGraph& g, ThesisModel kind,
                                           const std::string& norm);

/// The embedding_bag inputs of a batch of clicks (B x L, None = an id outside the graph): the
/// entries of each click's row, one bag per click, and each entry's bag.
struct Bags {
  torch::Tensor entries, offsets, bagOfEntry;
};

Bags bagsOf(const GraphInput& g, const torch::Tensor& clicks);

// ---------------------------------------------------------------------------------------------
// Networks

struct ThesisNet : torch::nn::Module {
  /// Multi-label nets: logits (B x outputs) from batch[0] (B x 4 clicks). Binary nets: logits
  /// (B x 2) from batch[0] (clicks), batch[1] (candidate) and, for GNN.Bin.K, batch[3] (B x 4 x P
  /// normalised K edge vectors).
  virtual torch::Tensor forward(const std::vector<torch::Tensor>& batch) = 0;
};

torch::Tensor activate(torch::Tensor x, const std::string& a);

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
    if (config.dropout > 0)
      x = engineDropout(x, config.dropout, is_training(), config.trainer.fusedKernels);
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
    if (config.dropout > 0)
      x = engineDropout(x, config.dropout, is_training(), config.trainer.fusedKernels);
    for (auto& layer : dense) {
      x = torch::relu(layer->forward(x));
      if (config.dropout > 0)
        x = engineDropout(x, config.dropout, is_training(), config.trainer.fusedKernels);
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

torch::Tensor inputTensor(const std::vector<std::int32_t>& v, std::int64_t rows);

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
                         const std::vector<std::int32_t>& candidates);

TensorColumns binaryColumns(const BinarySamples& s, const ThesisGraph& g,
                            const SessionThesisConfig& c);

/// The click events of the log (every event but "buy", as data::buildSessionSequences reads
/// sessions); empty = every row.
std::vector<std::string> clickEvents(const data::InteractionLog& log);

}  // namespace reclab::models::neural::thesis

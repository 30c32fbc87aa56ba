#include "models/neural/srgnn.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "data/session_sequences.h"
#include "models/callbacks.h"
#include "models/neural/session_torch.h"
#include "models/neural/trainer.h"

namespace reclab::models::neural {

void SrgnnConfig::validate() const {
  auto fail = [](const std::string& what) { throw InputError("srgnn: " + what); };
  if (hiddenSize <= 0) fail(fmt::format("hidden_size must be > 0, got {}", hiddenSize));
  if (steps < 1) fail(fmt::format("steps must be >= 1, got {}", steps));
  if (init != "uniform" && init != "normal")
    fail("init must be uniform or normal, got '" + init + "'");
  if (patience < 0) fail(fmt::format("patience must be >= 0, got {}", patience));
  if (validBatchSize <= 0)
    fail(fmt::format("valid_batch_size must be > 0, got {}", validBatchSize));
  trainer.validate("srgnn");
}

namespace {

/// The session graphs of a batch of prefixes, packed: the distinct items of every prefix are
/// the nodes (numbered by ascending item within the prefix, prefixes one after another), and
/// the two normalised adjacency matrices are edge lists, so every tensor is as long as the
/// batch's real nodes, clicks and edges (no padding to the longest prefix of the batch; a
/// padded B x m x m batch costs max / mean of the prefix lengths more, ~10x on Yoochoose-like
/// data). With counts c(i, j) of the click transitions i -> j of one prefix:
///   A_out[i, j] = c(i, j) / sum_k c(i, k),   A_in[i, j] = c(j, i) / sum_k c(k, i).
struct GraphTensors {
  torch::Tensor nodeItems;    ///< N: item of each node (int64)
  torch::Tensor clickNode;    ///< C: node of each click, prefixes one after another
  torch::Tensor clickPrefix;  ///< C: prefix (batch row) of each click
  torch::Tensor lastNode;     ///< B: node of the prefix's last click
  torch::Tensor outRow, outCol, outWeight;  ///< A_out's non-zeros (row, column, value)
  torch::Tensor inRow, inCol, inWeight;     ///< A_in's non-zeros
  std::vector<std::int64_t> nodeOffset;     ///< B + 1: nodes of prefix b are [off[b], off[b+1])
};

GraphTensors buildGraphs(const torch::Tensor& items, const torch::Tensor& start,
                         const torch::Tensor& length) {
  const auto itemsC = items.contiguous();
  const auto startC = start.contiguous(), lengthC = length.contiguous();
  const auto* it = itemsC.data_ptr<std::int64_t>();
  const auto* st = startC.data_ptr<std::int64_t>();
  const auto* ln = lengthC.data_ptr<std::int64_t>();
  const std::int64_t b = start.size(0);
  std::int64_t clicks = 0;
  for (std::int64_t r = 0; r < b; ++r) clicks += ln[r];
  std::vector<std::int64_t> nodeItems, clickNode, clickPrefix, lastNode;
  std::vector<std::int64_t> outRow, outCol, inRow, inCol;
  std::vector<float> outWeight, inWeight;
  nodeItems.reserve(static_cast<std::size_t>(clicks));
  clickNode.reserve(static_cast<std::size_t>(clicks));
  clickPrefix.reserve(static_cast<std::size_t>(clicks));
  lastNode.reserve(static_cast<std::size_t>(b));
  GraphTensors g;
  g.nodeOffset.reserve(static_cast<std::size_t>(b) + 1);
  g.nodeOffset.push_back(0);
  std::vector<std::int64_t> unique, local;
  std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
  std::vector<float> outDegree, inDegree;
  for (std::int64_t r = 0; r < b; ++r) {
    const std::int64_t* seq = it + st[r];
    const std::int64_t len = ln[r];
    unique.assign(seq, seq + len);
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    const auto base = static_cast<std::int64_t>(nodeItems.size());
    nodeItems.insert(nodeItems.end(), unique.begin(), unique.end());
    local.resize(static_cast<std::size_t>(len));
    for (std::int64_t t = 0; t < len; ++t) {
      local[static_cast<std::size_t>(t)] =
          std::lower_bound(unique.begin(), unique.end(), seq[t]) - unique.begin();
      clickNode.push_back(base + local[static_cast<std::size_t>(t)]);
      clickPrefix.push_back(r);
    }
    lastNode.push_back(base + local.back());
    pairs.clear();
    for (std::int64_t t = 0; t + 1 < len; ++t)
      pairs.emplace_back(local[static_cast<std::size_t>(t)], local[static_cast<std::size_t>(t) + 1]);
    std::sort(pairs.begin(), pairs.end());
    outDegree.assign(unique.size(), 0.0f);
    inDegree.assign(unique.size(), 0.0f);
    for (const auto& [i, j] : pairs) {
      outDegree[static_cast<std::size_t>(i)] += 1.0f;
      inDegree[static_cast<std::size_t>(j)] += 1.0f;
    }
    for (std::size_t e = 0; e < pairs.size();) {
      std::size_t f = e;
      while (f < pairs.size() && pairs[f] == pairs[e]) ++f;
      const auto [i, j] = pairs[e];
      const auto count = static_cast<float>(f - e);
      outRow.push_back(base + i);
      outCol.push_back(base + j);
      outWeight.push_back(count / outDegree[static_cast<std::size_t>(i)]);
      inRow.push_back(base + j);
      inCol.push_back(base + i);
      inWeight.push_back(count / inDegree[static_cast<std::size_t>(j)]);
      e = f;
    }
    g.nodeOffset.push_back(static_cast<std::int64_t>(nodeItems.size()));
  }
  auto longs = [](const std::vector<std::int64_t>& v) {
    return torch::from_blob(const_cast<std::int64_t*>(v.data()),
                            {static_cast<std::int64_t>(v.size())}, torch::kInt64)
        .clone();
  };
  auto floats = [](const std::vector<float>& v) {
    return torch::from_blob(const_cast<float*>(v.data()), {static_cast<std::int64_t>(v.size())},
                            torch::kFloat32)
        .clone();
  };
  g.nodeItems = longs(nodeItems);
  g.clickNode = longs(clickNode);
  g.clickPrefix = longs(clickPrefix);
  g.lastNode = longs(lastNode);
  g.outRow = longs(outRow);
  g.outCol = longs(outCol);
  g.outWeight = floats(outWeight);
  g.inRow = longs(inRow);
  g.inCol = longs(inCol);
  g.inWeight = floats(inWeight);
  return g;
}

/// sum_j A[i, j] x[j] for the edge list (row, col, weight): one gather, one scatter-add.
torch::Tensor propagate(const torch::Tensor& x, const torch::Tensor& row, const torch::Tensor& col,
                        const torch::Tensor& weight) {
  return torch::zeros_like(x).index_add(0, row, x.index_select(0, col) * weight.unsqueeze(1));
}

struct SrgnnNetImpl : torch::nn::Module {
  SrgnnNetImpl(std::int64_t items, const SrgnnConfig& c) : d(c.hiddenSize), steps(c.steps) {
    using torch::nn::Linear;
    using torch::nn::LinearOptions;
    embedding = register_module("embedding", torch::nn::Embedding(items, d));
    edgeOut = register_module("edge_out", Linear(LinearOptions(d, d).bias(false)));
    edgeIn = register_module("edge_in", Linear(LinearOptions(d, d).bias(false)));
    edgeBias = register_parameter("edge_bias", torch::zeros({2 * d}));
    gateW = register_module("gate_w", Linear(LinearOptions(2 * d, 3 * d).bias(false)));
    gateU = register_module("gate_u", Linear(LinearOptions(d, 2 * d).bias(false)));
    candU = register_module("cand_u", Linear(LinearOptions(d, d).bias(false)));
    attLast = register_module("att_w1", Linear(LinearOptions(d, d).bias(false)));
    attItem = register_module("att_w2", Linear(LinearOptions(d, d).bias(true)));
    attQ = register_module("att_q", Linear(LinearOptions(d, 1).bias(false)));
    combine = register_module("w3", Linear(LinearOptions(2 * d, d).bias(false)));
    torch::NoGradGuard noGrad;
    const double bound = 1.0 / std::sqrt(static_cast<double>(d));
    for (auto& p : parameters()) {
      if (c.init == "normal") {
        p.normal_(0.0, 0.1);
      } else {
        p.uniform_(-bound, bound);
      }
    }
  }

  /// s_h of every prefix of the batch (B x d).
  torch::Tensor sessionVectors(const GraphTensors& g) {
    const auto b = g.lastNode.size(0);
    auto h = embedding(g.nodeItems);  // N x d
    for (int s = 0; s < steps; ++s) {
      auto a = torch::cat({propagate(edgeOut(h), g.outRow, g.outCol, g.outWeight),
                           propagate(edgeIn(h), g.inRow, g.inCol, g.inWeight)},
                          1) +
               edgeBias;
      auto gw = gateW(a).chunk(3, 1);
      auto gu = gateU(h).chunk(2, 1);
      auto z = torch::sigmoid(gw[0] + gu[0]);
      auto r = torch::sigmoid(gw[1] + gu[1]);
      auto cand = torch::tanh(gw[2] + candU(r * h));
      h = (1 - z) * h + z * cand;
    }
    auto seqH = h.index_select(0, g.clickNode);  // C x d
    auto last = h.index_select(0, g.lastNode);   // B x d
    // alpha_i = q^T sigmoid(W1 v_n + W2 v_i + c), s_g = sum_i alpha_i v_i over the prefix.
    auto alpha = attQ(torch::sigmoid(attLast(last).index_select(0, g.clickPrefix) + attItem(seqH)));
    auto global = torch::zeros({b, d}, seqH.options()).index_add(0, g.clickPrefix, alpha * seqH);
    return combine(torch::cat({last, global}, 1));
  }

  torch::Tensor scores(const GraphTensors& g) {
    return torch::matmul(sessionVectors(g), embedding->weight.t());
  }

  std::int64_t d;
  int steps;
  torch::nn::Embedding embedding{nullptr};
  torch::nn::Linear edgeOut{nullptr}, edgeIn{nullptr}, gateW{nullptr}, gateU{nullptr},
      candU{nullptr}, attLast{nullptr}, attItem{nullptr}, attQ{nullptr}, combine{nullptr};
  torch::Tensor edgeBias;
};
TORCH_MODULE(SrgnnNet);

torch::Tensor scoreBatch(SrgnnNet& net, const torch::Tensor& items, const torch::Tensor& start,
                         const torch::Tensor& length) {
  return net->scores(buildGraphs(items, start, length));
}

/// The engine's view of SR-GNN: samples are (start, length, target) of training prefixes into
/// the flat item tensor; validation prefixes are ranked by epochValues.
class SrgnnTrainable : public TrainableNet {
 public:
  SrgnnTrainable(SrgnnNet net, torch::Tensor items, PrefixTensors valid, int validBatch,
                 const StopToken& stop)
      : m_net(std::move(net)),
        m_items(std::move(items)),
        m_valid(std::move(valid)),
        m_validBatch(validBatch),
        m_stop(stop) {}

  torch::nn::Module& net() override { return *m_net; }
  torch::Tensor forward(const std::vector<torch::Tensor>& batch) override {
    return scoreBatch(m_net, m_items, batch[0], batch[1]);
  }
  torch::Tensor loss(const torch::Tensor& output,
                     const std::vector<torch::Tensor>& batch) override {
    return torch::nn::functional::cross_entropy(output, batch[2]);
  }
  OutputKind outputKind() const override { return OutputKind::Classification; }
  std::size_t targetColumn() const override { return 2; }

  std::map<std::string, double> epochValues(int) override {
    std::map<std::string, double> values;
    const auto n = m_valid.size();
    if (n == 0) return values;
    torch::NoGradGuard noGrad;
    m_net->eval();
    double hits = 0, rr = 0, loss = 0;
    for (std::int64_t lo = 0; lo < n; lo += m_validBatch) {
      m_stop.throwIfStopped();
      const auto hi = std::min(n, lo + m_validBatch);
      auto target = m_valid.target.slice(0, lo, hi);
      auto s = scoreBatch(m_net, m_valid.items, m_valid.start.slice(0, lo, hi),
                          m_valid.length.slice(0, lo, hi));
      loss +=
          torch::nn::functional::cross_entropy(
              s, target, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
              .item<double>();
      const auto [h, r] = hitsAndReciprocalRanks(s, target, 20);
      hits += h;
      rr += r;
    }
    m_net->train();
    const auto count = static_cast<double>(n);
    values["val_recall@20"] = hits / count;
    values["val_mrr@20"] = rr / count;
    values["val_loss"] = loss / count;
    return values;
  }

 private:
  SrgnnNet m_net;
  torch::Tensor m_items;
  PrefixTensors m_valid;
  std::int64_t m_validBatch;
  const StopToken& m_stop;
};

nlohmann::json configJson(const SrgnnConfig& c) {
  return {{"hidden_size", c.hiddenSize}, {"steps", c.steps}, {"init", c.init}};
}

}  // namespace

SrgnnGraphBatch buildSrgnnGraphs(const std::vector<std::vector<std::int32_t>>& prefixes) {
  SrgnnGraphBatch out;
  if (prefixes.empty()) return out;
  auto p = prefixListTensors(prefixes, std::numeric_limits<std::int32_t>::max(), "srgnn graphs");
  const auto g = buildGraphs(p.items, p.start, p.length);
  const auto b = static_cast<std::int64_t>(prefixes.size());
  std::int64_t m = 0, l = 0;
  for (std::int64_t r = 0; r < b; ++r) {
    m = std::max(m, g.nodeOffset[static_cast<std::size_t>(r) + 1] - g.nodeOffset[static_cast<std::size_t>(r)]);
    l = std::max(l, static_cast<std::int64_t>(prefixes[static_cast<std::size_t>(r)].size()));
  }
  out.batch = b;
  out.maxLength = l;
  out.maxNodes = m;
  out.nodeItems.assign(static_cast<std::size_t>(b * m), -1);
  out.alias.assign(static_cast<std::size_t>(b * l), -1);
  out.outAdjacency.assign(static_cast<std::size_t>(b * m * m), 0.0f);
  out.inAdjacency.assign(out.outAdjacency.size(), 0.0f);
  // Back to the per-prefix (padded) layout, node numbers relative to their prefix.
  std::vector<std::int64_t> prefixOfNode(static_cast<std::size_t>(g.nodeItems.size(0)));
  for (std::int64_t r = 0; r < b; ++r) {
    const auto lo = g.nodeOffset[static_cast<std::size_t>(r)];
    for (auto v = lo; v < g.nodeOffset[static_cast<std::size_t>(r) + 1]; ++v) {
      prefixOfNode[static_cast<std::size_t>(v)] = r;
      out.nodeItems[static_cast<std::size_t>(r * m + v - lo)] = g.nodeItems[v].item<std::int64_t>();
    }
  }
  std::vector<std::int64_t> seen(static_cast<std::size_t>(b), 0);
  for (std::int64_t c = 0; c < g.clickNode.size(0); ++c) {
    const auto r = g.clickPrefix[c].item<std::int64_t>();
    const auto v = g.clickNode[c].item<std::int64_t>() - g.nodeOffset[static_cast<std::size_t>(r)];
    out.alias[static_cast<std::size_t>(r * l + seen[static_cast<std::size_t>(r)]++)] = v;
  }
  auto fill = [&](const torch::Tensor& row, const torch::Tensor& col, const torch::Tensor& w,
                  std::vector<float>& dense) {
    for (std::int64_t e = 0; e < row.size(0); ++e) {
      const auto i = row[e].item<std::int64_t>(), j = col[e].item<std::int64_t>();
      const auto r = prefixOfNode[static_cast<std::size_t>(i)];
      const auto off = g.nodeOffset[static_cast<std::size_t>(r)];
      dense[static_cast<std::size_t>((r * m + i - off) * m + j - off)] = w[e].item<float>();
    }
  };
  fill(g.outRow, g.outCol, g.outWeight, out.outAdjacency);
  fill(g.inRow, g.inCol, g.inWeight, out.inAdjacency);
  return out;
}

struct Srgnn::Impl {
  SrgnnNet net{nullptr};
  std::int64_t numItems = 0;
};

Srgnn::Srgnn(SrgnnConfig config) : m_config(std::move(config)), m_impl(std::make_unique<Impl>()) {
  m_config.validate();
}

Srgnn::~Srgnn() = default;

std::int32_t Srgnn::numItems() const { return static_cast<std::int32_t>(m_impl->numItems); }

void Srgnn::fit(const TrainContext& ctx) {
  const auto seqs = data::buildSessionSequences(ctx.log, ctx.trainRows);
  auto train = buildPrefixTensors(seqs);
  if (train.size() == 0) {
    throw InputError(
        "srgnn: the training sessions give no prefix to learn from (every "
        "training session has a single click)");
  }
  PrefixTensors valid;
  if (ctx.validRows && !ctx.validRows->empty())
    valid = buildPrefixTensors(data::buildSessionSequences(ctx.log, *ctx.validRows));
  torch::manual_seed(ctx.seed);
  m_impl->numItems = ctx.log.numItems();
  m_impl->net = SrgnnNet(m_impl->numItems, m_config);
  ctx.observer.onLog(LogLevel::Info,
                     fmt::format("srgnn: {} training prefixes from {} sessions, {} validation "
                                 "prefixes, {} items",
                                 train.size(), seqs.size(), valid.size(), m_impl->numItems));
  SrgnnTrainable trainable(m_impl->net, train.items, valid, m_config.validBatchSize, ctx.stop);
  TensorColumns columns;
  columns.columns = {train.start, train.length, train.target};
  TrainContext local = ctx;
  EarlyStopping early(
      m_config.trainer.monitor, m_config.patience,
      m_config.trainer.monitorMaximises() ? EarlyStopping::Mode::Max : EarlyStopping::Mode::Min);
  if (m_config.patience > 0) local.callbacks.push_back(&early);
  Trainer trainer(m_config.trainer, "srgnn");
  const auto result = trainer.fit(trainable, columns, nullptr, local);
  m_epochsRun = result.epochs;
  m_bestEpoch = result.bestEpoch;
  m_impl->net->eval();
}

void Srgnn::scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                          ScoreMatrix& out) const {
  if (!m_impl->net) throw InputError("srgnn: the model is not trained");
  torch::NoGradGuard noGrad;
  const auto n = static_cast<std::int64_t>(prefixes.size());
  out.resize(n, m_impl->numItems);
  if (n == 0) return;
  auto p = prefixListTensors(prefixes, m_impl->numItems, "srgnn");
  for (std::int64_t lo = 0; lo < n; lo += m_config.validBatchSize) {
    const auto hi = std::min(n, lo + m_config.validBatchSize);
    auto net = m_impl->net;
    auto s = scoreBatch(net, p.items, p.start.slice(0, lo, hi), p.length.slice(0, lo, hi))
                 .to(torch::kFloat32)
                 .contiguous();
    std::copy_n(s.data_ptr<float>(), s.numel(), out.row(lo).data());
  }
}

void Srgnn::save(const std::string& path) const {
  if (!m_impl->net) throw InputError("srgnn: nothing to save, the model is not trained");
  saveCheckpoint(
      path, *m_impl->net, nullptr,
      {{"config", configJson(m_config).dump()}, {"num_items", std::to_string(m_impl->numItems)}});
}

void Srgnn::load(const std::string& path) {
  const auto extra = readCheckpointExtra(path);
  if (!extra.contains("config") || !extra.contains("num_items"))
    throw InputError(path + ": not an srgnn checkpoint (no config / num_items)");
  const auto j = nlohmann::json::parse(extra.at("config"));
  m_config.hiddenSize = j.at("hidden_size").get<int>();
  m_config.steps = j.at("steps").get<int>();
  m_config.init = j.at("init").get<std::string>();
  m_config.validate();
  m_impl->numItems = std::stoll(extra.at("num_items"));
  m_impl->net = SrgnnNet(m_impl->numItems, m_config);
  loadCheckpoint(path, *m_impl->net);
  m_impl->net->eval();
}

void registerSrgnn(Registry& registry) {
  using T = ParamSpec::Type;
  const SrgnnConfig d = SrgnnConfig::defaults();
  ModelInfo info;
  info.name = "srgnn";
  info.displayName = "SR-GNN (session graph neural network)";
  info.task = Task::SessionNext;
  info.description =
      "SR-GNN (Wu et al. 2019): each prefix becomes a graph over its distinct items (in / out "
      "adjacency normalised by degree), a gated GNN refines the item vectors, soft attention "
      "over the clicks plus the last click make the session vector, which scores every item "
      "embedding. Trained on every prefix -> next click with cross-entropy; Adam lr 0.001 "
      "decayed x0.1 every 3 epochs, L2 1e-5, best epoch by validation Recall@20.";
  info.params = {
      {"hidden_size", T::Int, d.hiddenSize, 1, 4096, {}, "item embedding / node vector size d"},
      {"steps", T::Int, d.steps, 1, 16, {}, "gated GNN propagation steps"},
      {"init",
       T::Choice,
       d.init,
       {},
       {},
       {"uniform", "normal"},
       "uniform: every parameter U(-1/sqrt(d), 1/sqrt(d)); normal: N(0, 0.1) (the paper's text)"},
      {"patience",
       T::Int,
       d.patience,
       0,
       10000,
       {},
       "stop after this many epochs without a better `monitor` on the validation prefixes (0 = "
       "never)"},
      {"valid_batch_size",
       T::Int,
       d.validBatchSize,
       1,
       1 << 20,
       {},
       "prefixes per forward pass when validating and scoring"},
      {"adam_eps", T::Double, d.trainer.adamEps, 1e-12, 1.0, {}, "Adam / Adagrad epsilon"},
  };
  addTrainerParams(info.params, SrgnnConfig::defaultTrainer());
  info.factory = [](const nlohmann::json& p) {
    SrgnnConfig c;
    c.hiddenSize = static_cast<int>(paramInt(p, "hidden_size"));
    c.steps = static_cast<int>(paramInt(p, "steps"));
    c.init = paramString(p, "init");
    c.patience = static_cast<int>(paramInt(p, "patience"));
    c.validBatchSize = static_cast<int>(paramInt(p, "valid_batch_size"));
    c.trainer = trainerConfigFrom(p);
    c.trainer.adamEps = paramDouble(p, "adam_eps");
    return std::make_unique<Srgnn>(c);
  };
  registry.add(std::move(info));
}

}  // namespace reclab::models::neural

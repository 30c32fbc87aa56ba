#include "models/neural/srgnn.h"

#include <fmt/format.h>

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

/// The session graphs of a padded batch (see the header for the definitions).
struct GraphTensors {
  torch::Tensor nodeItems;  ///< B x m int64 (padding nodes: item 0)
  torch::Tensor nodeMask;   ///< B x m bool
  torch::Tensor alias;      ///< B x L int64 (padding clicks: node 0)
  torch::Tensor mask;       ///< B x L bool
  torch::Tensor length;     ///< B int64
  torch::Tensor outAdj;     ///< B x m x m float
  torch::Tensor inAdj;      ///< B x m x m float
};

GraphTensors buildGraphs(const PaddedPrefixes& p, const torch::Tensor& length) {
  const auto& seq = p.seq;
  const auto& mask = p.mask;
  const std::int64_t b = seq.size(0), l = seq.size(1);
  // Distinct items per row: sort each row (padding last), mark the first of each run of equal
  // values; the running count of marks numbers the nodes by ascending item.
  const std::int64_t sentinel = std::numeric_limits<std::int64_t>::max();
  auto [sorted, perm] = seq.masked_fill(~mask, sentinel).sort(1);
  auto validSorted = sorted != sentinel;
  auto isNew = torch::ones({b, l}, torch::kBool);
  if (l > 1) isNew.slice(1, 1, l).copy_(sorted.slice(1, 1, l) != sorted.slice(1, 0, l - 1));
  auto nodeSorted = isNew.to(torch::kInt64).cumsum(1) - 1;
  auto nodes = (isNew & validSorted).sum(1);
  const std::int64_t m = nodes.max().item<std::int64_t>();
  GraphTensors g;
  g.mask = mask;
  g.length = length;
  g.alias = torch::empty_like(nodeSorted).scatter_(1, perm, nodeSorted).masked_fill(~mask, 0);
  // Padding clicks share node `nodes[b]` <= m: one spare column takes them, then is dropped.
  g.nodeItems = torch::zeros({b, m + 1}, torch::kInt64)
                    .scatter_(1, nodeSorted, sorted.masked_fill(~validSorted, 0))
                    .slice(1, 0, m);
  g.nodeMask = torch::arange(m, torch::kInt64).unsqueeze(0) < nodes.unsqueeze(1);
  // Edge counts: click t -> t + 1 of each row, scattered into B x m x m.
  auto counts = torch::zeros({b * m * m}, torch::kFloat32);
  if (l > 1) {
    auto src = g.alias.slice(1, 0, l - 1);
    auto dst = g.alias.slice(1, 1, l);
    auto weight = mask.slice(1, 1, l).to(torch::kFloat32);
    auto flat = (torch::arange(b, torch::kInt64) * (m * m)).unsqueeze(1) + src * m + dst;
    counts.index_add_(0, flat.reshape({-1}), weight.reshape({-1}));
  }
  counts = counts.view({b, m, m});
  g.outAdj = counts / counts.sum(2, true).clamp_min(1.0f);
  auto transposed = counts.transpose(1, 2);
  g.inAdj = transposed / transposed.sum(2, true).clamp_min(1.0f);
  return g;
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
    const auto b = g.alias.size(0), l = g.alias.size(1);
    auto h = embedding(g.nodeItems);  // B x m x d
    for (int s = 0; s < steps; ++s) {
      auto a = torch::cat({torch::bmm(g.outAdj, edgeOut(h)), torch::bmm(g.inAdj, edgeIn(h))}, 2) +
               edgeBias;
      auto gw = gateW(a).chunk(3, 2);
      auto gu = gateU(h).chunk(2, 2);
      auto z = torch::sigmoid(gw[0] + gu[0]);
      auto r = torch::sigmoid(gw[1] + gu[1]);
      auto cand = torch::tanh(gw[2] + candU(r * h));
      h = (1 - z) * h + z * cand;
    }
    auto seqH = h.gather(1, g.alias.unsqueeze(2).expand({b, l, d}));  // B x L x d
    auto last = seqH.gather(1, (g.length - 1).view({b, 1, 1}).expand({b, 1, d})).squeeze(1);
    auto alpha = attQ(torch::sigmoid(attLast(last).unsqueeze(1) + attItem(seqH)));  // B x L x 1
    auto global = (alpha * seqH * g.mask.unsqueeze(2).to(seqH.scalar_type())).sum(1);
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
  return net->scores(buildGraphs(padPrefixes(items, start, length), length));
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
  auto g = buildGraphs(padPrefixes(p.items, p.start, p.length), p.length);
  out.batch = g.alias.size(0);
  out.maxLength = g.alias.size(1);
  out.maxNodes = g.nodeItems.size(1);
  auto copy = [](const torch::Tensor& t, auto& v) {
    using V = typename std::decay_t<decltype(v)>::value_type;
    auto c = t.contiguous();
    v.assign(c.data_ptr<V>(), c.data_ptr<V>() + c.numel());
  };
  copy(g.nodeItems.masked_fill(~g.nodeMask, -1), out.nodeItems);
  copy(g.alias.masked_fill(~g.mask, -1), out.alias);
  copy(g.outAdj, out.outAdjacency);
  copy(g.inAdj, out.inAdjacency);
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

#include "models/neural/gru4rec.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>

#include "common/errors.h"
#include "common/process.h"
#include "data/session_sequences.h"
#include "models/callbacks.h"
#include "models/neural/fused_ops.h"
#include "models/neural/session_torch.h"
#include "models/neural/trainer.h"

namespace reclab::models::neural {

void Gru4RecConfig::validate() const {
  auto fail = [](const std::string& what) { throw InputError("gru4rec: " + what); };
  parseLayerSizes(layers, "gru4rec: layers");
  if (loss != "cross-entropy" && loss != "bpr-max" && loss != "top1-max")
    fail("loss must be one of cross-entropy, bpr-max, top1-max, got '" + loss + "'");
  if (finalAct != "linear" && finalAct != "elu" && finalAct != "tanh" && finalAct != "relu")
    fail("final_act must be one of linear, elu, tanh, relu, got '" + finalAct + "'");
  if (!(eluParam > 0)) fail(fmt::format("elu_param must be > 0, got {}", eluParam));
  if (bpreg < 0) fail(fmt::format("bpreg must be >= 0, got {}", bpreg));
  if (nSample < 0) fail(fmt::format("n_sample must be >= 0, got {}", nSample));
  if (sampleAlpha < 0) fail(fmt::format("sample_alpha must be >= 0, got {}", sampleAlpha));
  if (dropoutHidden < 0 || dropoutHidden >= 1)
    fail(fmt::format("dropout_hidden must be in [0, 1), got {}", dropoutHidden));
  if (dropoutEmbed < 0 || dropoutEmbed >= 1)
    fail(fmt::format("dropout_embed must be in [0, 1), got {}", dropoutEmbed));
  if (embedding < 0) fail(fmt::format("embedding must be >= 0, got {}", embedding));
  if (sessionOrder != "data" && sessionOrder != "shuffle")
    fail("session_order must be data or shuffle, got '" + sessionOrder + "'");
  if (patience < 0) fail(fmt::format("patience must be >= 0, got {}", patience));
  if (validBatchSize <= 0)
    fail(fmt::format("valid_batch_size must be > 0, got {}", validBatchSize));
  trainer.validate("gru4rec");
}

// ---------------------------------------------------------------------------------------------
// Session-parallel batching

SessionParallelBatcher::SessionParallelBatcher(const std::vector<std::uint32_t>& lengths,
                                               std::vector<std::uint32_t> order, int batchSize)
    : m_lengths(lengths),
      m_order(std::move(order)),
      m_session(static_cast<std::size_t>(batchSize), -1),
      m_position(static_cast<std::size_t>(batchSize), 0),
      m_fresh(static_cast<std::size_t>(batchSize), 0) {
  for (std::size_t b = 0; b < m_session.size(); ++b) fill(b);
}

void SessionParallelBatcher::fill(std::size_t slot) {
  while (m_next < m_order.size() && m_lengths[m_order[m_next]] < 2) ++m_next;
  if (m_next < m_order.size()) {
    m_session[slot] = static_cast<std::int32_t>(m_order[m_next++]);
    m_position[slot] = 0;
    m_fresh[slot] = 1;
  } else {
    m_session[slot] = -1;
  }
}

bool SessionParallelBatcher::next(SessionParallelStep& step) {
  if (std::all_of(m_session.begin(), m_session.end(), [](auto s) { return s < 0; })) return false;
  step.session = m_session;
  step.position = m_position;
  step.reset = m_fresh;
  for (std::size_t b = 0; b < m_session.size(); ++b) {
    m_fresh[b] = 0;
    if (m_session[b] < 0) continue;
    if (static_cast<std::uint32_t>(++m_position[b] + 1) >= m_lengths[m_session[b]]) fill(b);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The network

namespace {

struct Gru4RecNetImpl : torch::nn::Module {
  Gru4RecNetImpl(std::int64_t items, const Gru4RecConfig& c) : config(c) {
    const auto sizes = parseLayerSizes(c.layers, "gru4rec: layers");
    const std::int64_t out = sizes.back();
    itemWeight = register_parameter("item_weight", torch::empty({items, out}));
    itemBias = register_parameter("item_bias", torch::zeros({items}));
    std::int64_t in = out;
    if (!c.constrainedEmbedding) {
      in = c.embedding > 0 ? c.embedding : sizes.front();
      inputEmbedding = register_parameter("input_embedding", torch::empty({items, in}));
    }
    for (std::size_t l = 0; l < sizes.size(); ++l) {
      cells.push_back(
          register_module(fmt::format("gru{}", l + 1), torch::nn::GRUCell(in, sizes[l])));
      in = sizes[l];
    }
    torch::NoGradGuard noGrad;
    auto glorot = [](torch::Tensor& w) {
      const double s = std::sqrt(6.0 / static_cast<double>(w.size(0) + w.size(1)));
      w.uniform_(-s, s);
    };
    glorot(itemWeight);
    if (inputEmbedding.defined()) glorot(inputEmbedding);
    for (auto& cell : cells) {
      glorot(cell->weight_ih);
      glorot(cell->weight_hh);
      cell->bias_ih.zero_();
      cell->bias_hh.zero_();
    }
  }

  torch::Tensor embed(const torch::Tensor& items) {
    auto x = (inputEmbedding.defined() ? inputEmbedding : itemWeight).index_select(0, items);
    return config.dropoutEmbed > 0
               ? engineDropout(x, config.dropoutEmbed, is_training(), config.trainer.fusedKernels)
               : x;
  }

  /// One step for the rows `h` (one tensor per layer); returns the new states (the last one
  /// after dropout is the output).
  std::vector<torch::Tensor> step(torch::Tensor x, const std::vector<torch::Tensor>& h) {
    std::vector<torch::Tensor> next;
    for (std::size_t l = 0; l < cells.size(); ++l) {
      auto hl = cells[l]->forward(x, h[l]);
      next.push_back(hl);
      x = config.dropoutHidden > 0
              ? engineDropout(hl, config.dropoutHidden, is_training(), config.trainer.fusedKernels)
              : hl;
    }
    next.push_back(x);
    return next;
  }

  torch::Tensor activate(const torch::Tensor& r) const {
    if (config.finalAct == "elu") return torch::elu(r, config.eluParam);
    if (config.finalAct == "tanh") return torch::tanh(r);
    if (config.finalAct == "relu") return torch::relu(r);
    return r;
  }

  /// Scores of every item after each padded prefix, run from a zero state.
  torch::Tensor scorePrefixes(const PaddedPrefixes& p) {
    const auto b = p.seq.size(0), l = p.seq.size(1);
    std::vector<torch::Tensor> h;
    for (auto& cell : cells) h.push_back(torch::zeros({b, cell->options.hidden_size()}));
    torch::Tensor out = h.back();
    for (std::int64_t t = 0; t < l; ++t) {
      auto next = step(embed(p.seq.select(1, t)), h);
      auto live = p.mask.select(1, t).unsqueeze(1);
      for (std::size_t k = 0; k < h.size(); ++k) h[k] = torch::where(live, next[k], h[k]);
      out = torch::where(live, next.back(), out);
    }
    return activate(torch::addmm(itemBias, out, itemWeight.t()));
  }

  Gru4RecConfig config;
  torch::Tensor itemWeight, itemBias, inputEmbedding;
  std::vector<torch::nn::GRUCell> cells;
};
TORCH_MODULE(Gru4RecNet);

/// The loss of a step: scores r (A x C) of A sessions over C candidates, session a's target in
/// column a.
torch::Tensor stepLoss(const torch::Tensor& r, const Gru4RecConfig& c) {
  const auto a = r.size(0);
  auto diag = torch::arange(a, torch::kInt64);
  if (c.loss == "cross-entropy") return torch::nn::functional::cross_entropy(r, diag);
  auto target = r.gather(1, diag.unsqueeze(1));  // A x 1
  auto notTarget = torch::ones_like(r, torch::kBool);
  notTarget.index_put_({diag, diag}, false);
  // Softmax over the negatives only (the target's column masked out).
  auto s = torch::softmax(r.masked_fill(~notTarget, -std::numeric_limits<float>::infinity()), 1);
  if (c.loss == "bpr-max") {
    auto ranked = (torch::sigmoid(target - r) * s).sum(1);
    return (-torch::log(ranked + 1e-24) + c.bpreg * (r * r * s).sum(1)).mean();
  }
  return ((torch::sigmoid(r - target) + torch::sigmoid(r * r)) * s).sum(1).mean();
}

nlohmann::json configJson(const Gru4RecConfig& c) {
  return {{"layers", c.layers},
          {"loss", c.loss},
          {"final_act", c.finalAct},
          {"elu_param", c.eluParam},
          {"constrained_embedding", c.constrainedEmbedding},
          {"embedding", c.embedding},
          {"dropout_hidden", c.dropoutHidden},
          {"dropout_embed", c.dropoutEmbed}};
}

}  // namespace

struct Gru4Rec::Impl {
  Gru4RecNet net{nullptr};
  std::int64_t numItems = 0;

  torch::Tensor score(const PrefixTensors& p, std::int64_t lo, std::int64_t hi) {
    return net->scorePrefixes(
        padPrefixes(p.items, p.start.slice(0, lo, hi), p.length.slice(0, lo, hi)));
  }

  /// val_recall@20, val_mrr@20 of the validation prefixes (eval mode, no gradients).
  std::map<std::string, double> validate(const PrefixTensors& valid, std::int64_t batch,
                                         const StopToken& stop) {
    std::map<std::string, double> values;
    const auto n = valid.size();
    if (n == 0) return values;
    torch::NoGradGuard noGrad;
    net->eval();
    double hits = 0, rr = 0;
    for (std::int64_t lo = 0; lo < n; lo += batch) {
      stop.throwIfStopped();
      const auto hi = std::min(n, lo + batch);
      const auto [h, r] =
          hitsAndReciprocalRanks(score(valid, lo, hi), valid.target.slice(0, lo, hi), 20);
      hits += h;
      rr += r;
    }
    net->train();
    values["val_recall@20"] = hits / static_cast<double>(n);
    values["val_mrr@20"] = rr / static_cast<double>(n);
    return values;
  }
};

Gru4Rec::Gru4Rec(Gru4RecConfig config)
    : m_config(std::move(config)), m_impl(std::make_unique<Impl>()) {
  m_config.validate();
}

Gru4Rec::~Gru4Rec() = default;

std::int32_t Gru4Rec::numItems() const { return static_cast<std::int32_t>(m_impl->numItems); }

void Gru4Rec::fit(const TrainContext& ctx) {
  const auto& c = m_config;
  const auto& tc = c.trainer;
  const auto seqs = data::buildSessionSequences(ctx.log, ctx.trainRows);
  std::vector<std::uint32_t> lengths(seqs.size());
  std::int64_t pairs = 0;
  for (std::size_t s = 0; s < seqs.size(); ++s) {
    lengths[s] = static_cast<std::uint32_t>(seqs.length(s));
    if (lengths[s] > 1) pairs += lengths[s] - 1;
  }
  if (pairs == 0) {
    throw InputError(
        "gru4rec: the training sessions give no click -> next click pair (every "
        "training session has a single click)");
  }
  PrefixTensors valid;
  if (ctx.validRows && !ctx.validRows->empty())
    valid = buildPrefixTensors(data::buildSessionSequences(ctx.log, *ctx.validRows));
  torch::set_num_threads(tc.threads > 0 ? tc.threads : std::max(1, ctx.threads));
  tuneAllocatorForTraining();
  torch::manual_seed(ctx.seed);
  auto& impl = *m_impl;
  impl.numItems = ctx.log.numItems();
  impl.net = Gru4RecNet(impl.numItems, c);
  auto& net = impl.net;
  net->train();
  auto optimizer = makeOptimizer(tc, *net, "gru4rec");
  std::vector<torch::Tensor> params;
  for (auto& p : net->parameters()) params.push_back(p);

  // Negative sampling distribution: training click counts ^ sample_alpha.
  torch::Tensor sampling;
  if (c.nSample > 0) {
    std::vector<double> pop(static_cast<std::size_t>(impl.numItems), 0.0);
    for (auto i : seqs.items) pop[static_cast<std::size_t>(i)] += 1.0;
    for (auto& v : pop) v = v > 0 ? std::pow(v, c.sampleAlpha) : 0.0;
    sampling = torch::tensor(pop, torch::kFloat64);
  }
  const auto itemsT =
      torch::tensor(std::vector<std::int64_t>(seqs.items.begin(), seqs.items.end()), torch::kInt64);
  const auto* items = itemsT.data_ptr<std::int64_t>();
  ctx.observer.onLog(LogLevel::Info,
                     fmt::format("gru4rec: {} training sessions, {} click pairs, {} validation "
                                 "prefixes, {} items",
                                 seqs.size(), pairs, valid.size(), impl.numItems));

  EarlyStopping early(tc.monitor, c.patience,
                      tc.monitorMaximises() ? EarlyStopping::Mode::Max : EarlyStopping::Mode::Min);
  TrainContext local = ctx;
  if (c.patience > 0) local.callbacks.push_back(&early);
  WeightSnapshot best, lastGood;
  lastGood.take(*net);
  double bestValue = 0;
  int bestEpoch = 0, lastGoodEpoch = 0;
  const bool maximise = tc.monitorMaximises();
  double plateauBest = 0;
  bool plateauSeen = false;
  int plateauBad = 0;

  std::mt19937_64 rng(ctx.seed);
  std::vector<std::uint32_t> order(seqs.size());
  std::iota(order.begin(), order.end(), 0u);
  const std::int64_t batch = tc.batchSize;
  const std::int64_t expectedSteps = std::max<std::int64_t>(1, pairs / batch);
  const std::int64_t reportEvery =
      std::max<std::int64_t>(1, expectedSteps / std::max(1, tc.batchReportsPerEpoch));
  std::vector<torch::Tensor> hidden;
  for (auto& cell : net->cells)
    hidden.push_back(torch::zeros({batch, cell->options.hidden_size()}));
  std::vector<std::int64_t> slots, inputs, targets, resets;
  SessionParallelStep step;
  long long globalStep = 0;
  m_epochsRun = 0;
  m_bestEpoch = 0;
  for (int epoch = 1; epoch <= tc.epochs; ++epoch) {
    if (c.sessionOrder == "shuffle") std::shuffle(order.begin(), order.end(), rng);
    SessionParallelBatcher batcher(lengths, order, static_cast<int>(batch));
    for (auto& h : hidden) h.zero_();
    const auto start = std::chrono::steady_clock::now();
    double lossSum = 0;
    std::int64_t events = 0, steps = 0;
    while (batcher.next(step)) {
      ctx.stop.throwIfStopped();
      slots.clear();
      inputs.clear();
      targets.clear();
      resets.clear();
      for (std::size_t b = 0; b < step.session.size(); ++b) {
        if (step.session[b] < 0) continue;
        const auto at = seqs.offsets[static_cast<std::size_t>(step.session[b])] +
                        static_cast<std::uint32_t>(step.position[b]);
        slots.push_back(static_cast<std::int64_t>(b));
        inputs.push_back(items[at]);
        targets.push_back(items[at + 1]);
        if (step.reset[b]) resets.push_back(static_cast<std::int64_t>(b));
      }
      const auto active = static_cast<std::int64_t>(slots.size());
      // In-batch cross-entropy needs two candidates (the reference stops the epoch here).
      if (active < 2 && c.nSample == 0) break;
      auto slotT = torch::tensor(slots, torch::kInt64);
      auto targetT = torch::tensor(targets, torch::kInt64);
      if (!resets.empty()) {
        auto r = torch::tensor(resets, torch::kInt64);
        for (auto& h : hidden) h.index_fill_(0, r, 0.0);
      }
      std::vector<torch::Tensor> hIn;
      for (auto& h : hidden) hIn.push_back(h.index_select(0, slotT));
      auto next = net->step(net->embed(torch::tensor(inputs, torch::kInt64)), hIn);
      {
        torch::NoGradGuard noGrad;
        for (std::size_t k = 0; k < hidden.size(); ++k)
          hidden[k].index_copy_(0, slotT, next[k].detach());
      }
      auto candidates = targetT;
      if (c.nSample > 0)
        candidates = torch::cat({targetT, torch::multinomial(sampling, c.nSample, true)});
      auto r = net->activate(torch::addmm(net->itemBias.index_select(0, candidates), next.back(),
                                          net->itemWeight.index_select(0, candidates).t()));
      auto loss = stepLoss(r, c);
      const double value = loss.item<double>();
      if (!std::isfinite(value)) {
        lastGood.restore(*net);
        const std::string msg = fmt::format(
            "gru4rec: training diverged: the loss became {} at epoch {}, step {}; the weights "
            "of {} were kept. Lower the learning rate or enable gradient clipping (clipnorm).",
            value, epoch, steps + 1,
            lastGoodEpoch == 0 ? std::string("the initialisation")
                               : fmt::format("epoch {}", lastGoodEpoch));
        ctx.observer.onLog(LogLevel::Error, msg);
        net->eval();
        throw TrainingDiverged(msg);
      }
      for (auto& p : params) p.mutable_grad() = torch::Tensor();
      loss.backward();
      clipGradients(params, tc);
      optimizer->step();
      lossSum += value * static_cast<double>(active);
      events += active;
      ++steps;
      ++globalStep;
      if (steps % reportEvery == 0) {
        TrainingReport rep;
        rep.epoch = epoch;
        rep.batch = steps - 1;
        rep.step = globalStep;
        rep.values["train_loss"] = value;
        rep.values["lr"] = currentLr(*optimizer);
        ctx.observer.onBatch(rep);
        ctx.observer.onProgress(
            (epoch - 1 + std::min(1.0, static_cast<double>(events) / static_cast<double>(pairs))) /
                tc.epochs,
            "training");
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    TrainingReport rep;
    rep.epoch = epoch;
    rep.step = globalStep;
    rep.values["train_loss"] = events > 0 ? lossSum / static_cast<double>(events) : 0.0;
    rep.values["lr"] = currentLr(*optimizer);
    rep.values["samples_per_second"] = seconds > 0 ? static_cast<double>(events) / seconds : 0.0;
    for (const auto& [k, v] : impl.validate(valid, c.validBatchSize, ctx.stop)) rep.values[k] = v;
    lastGood.take(*net);
    lastGoodEpoch = epoch;
    m_epochsRun = epoch;
    if (auto it = rep.values.find(tc.monitor);
        it != rep.values.end() && std::isfinite(it->second)) {
      if (bestEpoch == 0 || (maximise ? it->second > bestValue : it->second < bestValue)) {
        bestValue = it->second;
        bestEpoch = epoch;
        if (tc.keepBest) best.take(*net);
      }
      if (tc.schedule == "plateau") {
        const bool better = maximise ? it->second > plateauBest : it->second < plateauBest;
        if (!plateauSeen || better) {
          plateauSeen = true;
          plateauBest = it->second;
          plateauBad = 0;
        } else if (++plateauBad > tc.plateauPatience) {
          setLr(*optimizer, std::max(tc.minLearningRate, currentLr(*optimizer) * tc.gamma));
          plateauBad = 0;
        }
      }
    }
    if (tc.schedule == "step" && epoch % tc.stepSize == 0)
      setLr(*optimizer, std::max(tc.minLearningRate, currentLr(*optimizer) * tc.gamma));
    if (local.endEpoch(rep)) break;
  }
  m_bestEpoch = m_epochsRun;
  if (tc.keepBest && bestEpoch > 0) {
    if (bestEpoch != m_epochsRun) {
      best.restore(*net);
      ctx.observer.onLog(LogLevel::Info,
                         fmt::format("gru4rec: kept the weights of epoch {} (best {} = {:.6g})",
                                     bestEpoch, tc.monitor, bestValue));
    }
    m_bestEpoch = bestEpoch;
  }
  net->eval();
}

void Gru4Rec::scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                            ScoreMatrix& out) const {
  if (!m_impl->net) throw InputError("gru4rec: the model is not trained");
  torch::NoGradGuard noGrad;
  const auto n = static_cast<std::int64_t>(prefixes.size());
  out.resize(n, m_impl->numItems);
  if (n == 0) return;
  auto p = prefixListTensors(prefixes, m_impl->numItems, "gru4rec");
  for (std::int64_t lo = 0; lo < n; lo += m_config.validBatchSize) {
    const auto hi = std::min(n, lo + m_config.validBatchSize);
    auto s = m_impl->score(p, lo, hi).to(torch::kFloat32).contiguous();
    std::copy_n(s.data_ptr<float>(), s.numel(), out.row(lo).data());
  }
}

void Gru4Rec::save(const std::string& path) const {
  if (!m_impl->net) throw InputError("gru4rec: nothing to save, the model is not trained");
  saveCheckpoint(
      path, *m_impl->net, nullptr,
      {{"config", configJson(m_config).dump()}, {"num_items", std::to_string(m_impl->numItems)}});
}

void Gru4Rec::load(const std::string& path) {
  const auto extra = readCheckpointExtra(path);
  if (!extra.contains("config") || !extra.contains("num_items"))
    throw InputError(path + ": not a gru4rec checkpoint (no config / num_items)");
  const auto j = nlohmann::json::parse(extra.at("config"));
  m_config.layers = j.at("layers").get<std::string>();
  m_config.loss = j.at("loss").get<std::string>();
  m_config.finalAct = j.at("final_act").get<std::string>();
  m_config.eluParam = j.at("elu_param").get<double>();
  m_config.constrainedEmbedding = j.at("constrained_embedding").get<bool>();
  m_config.embedding = j.at("embedding").get<int>();
  m_config.dropoutHidden = j.at("dropout_hidden").get<double>();
  m_config.dropoutEmbed = j.at("dropout_embed").get<double>();
  m_config.validate();
  m_impl->numItems = std::stoll(extra.at("num_items"));
  m_impl->net = Gru4RecNet(m_impl->numItems, m_config);
  loadCheckpoint(path, *m_impl->net);
  m_impl->net->eval();
}

void registerGru4Rec(Registry& registry) {
  using T = ParamSpec::Type;
  const Gru4RecConfig d = Gru4RecConfig::defaults();
  ModelInfo info;
  info.name = "gru4rec";
  info.displayName = "GRU4Rec (session-parallel GRU)";
  info.task = Task::SessionNext;
  info.description =
      "GRU4Rec (Hidasi et al. 2016, 2018): a GRU reads the session click by click and scores "
      "every item as the next click. Session-parallel mini-batches, in-batch plus popularity-"
      "sampled negatives, cross-entropy / BPR-max / TOP1-max; the official implementation's "
      "defaults (one layer of 100, batch 64, Adagrad lr 0.05, 2048 samples with alpha 0.5).";
  info.params = {
      {"layers", T::String, d.layers, {}, {}, {}, "GRU layer sizes, e.g. \"100\" or \"200,100\""},
      {"loss",
       T::Choice,
       d.loss,
       {},
       {},
       {"cross-entropy", "bpr-max", "top1-max"},
       "ranking loss over the target and the negatives"},
      {"final_act",
       T::Choice,
       d.finalAct,
       {},
       {},
       {"linear", "elu", "tanh", "relu"},
       "activation of the output scores (the official bpr-max uses elu with elu_param 0.5)"},
      {"elu_param", T::Double, d.eluParam, 1e-6, 100.0, {}, "alpha of final_act elu"},
      {"bpreg", T::Double, d.bpreg, 0.0, 100.0, {}, "bpr-max score regularisation"},
      {"n_sample",
       T::Int,
       d.nSample,
       0,
       1 << 20,
       {},
       "extra negatives per step from popularity^sample_alpha (0 = in-batch only)"},
      {"sample_alpha",
       T::Double,
       d.sampleAlpha,
       0.0,
       10.0,
       {},
       "popularity exponent of the sampled negatives (0 = uniform, 1 = popularity)"},
      {"dropout_hidden", T::Double, d.dropoutHidden, 0.0, 0.95, {}, "dropout on the GRU outputs"},
      {"dropout_embed", T::Double, d.dropoutEmbed, 0.0, 0.95, {}, "dropout on the input embedding"},
      {"constrained_embedding",
       T::Bool,
       d.constrainedEmbedding,
       {},
       {},
       {},
       "input embedding = the output item matrix (shared)"},
      {"embedding",
       T::Int,
       d.embedding,
       0,
       4096,
       {},
       "input embedding size when not constrained (0 = the first layer's size)"},
      {"session_order",
       T::Choice,
       d.sessionOrder,
       {},
       {},
       {"data", "shuffle"},
       "order sessions enter the batch: data order (time for Yoochoose) or reshuffled each epoch"},
      {"patience",
       T::Int,
       d.patience,
       0,
       10000,
       {},
       "stop after this many epochs without a better `monitor` (0 = never)"},
      {"valid_batch_size",
       T::Int,
       d.validBatchSize,
       1,
       1 << 20,
       {},
       "prefixes per forward pass when validating and scoring"},
      {"adam_eps", T::Double, d.trainer.adamEps, 1e-12, 1.0, {}, "Adagrad / Adam epsilon"},
  };
  addTrainerParams(info.params, Gru4RecConfig::defaultTrainer());
  info.factory = [](const nlohmann::json& p) {
    Gru4RecConfig c;
    c.layers = paramString(p, "layers");
    c.loss = paramString(p, "loss");
    c.finalAct = paramString(p, "final_act");
    c.eluParam = paramDouble(p, "elu_param");
    c.bpreg = paramDouble(p, "bpreg");
    c.nSample = static_cast<int>(paramInt(p, "n_sample"));
    c.sampleAlpha = paramDouble(p, "sample_alpha");
    c.dropoutHidden = paramDouble(p, "dropout_hidden");
    c.dropoutEmbed = paramDouble(p, "dropout_embed");
    c.constrainedEmbedding = paramBool(p, "constrained_embedding");
    c.embedding = static_cast<int>(paramInt(p, "embedding"));
    c.sessionOrder = paramString(p, "session_order");
    c.patience = static_cast<int>(paramInt(p, "patience"));
    c.validBatchSize = static_cast<int>(paramInt(p, "valid_batch_size"));
    c.trainer = trainerConfigFrom(p);
    c.trainer.adamEps = paramDouble(p, "adam_eps");
    return std::make_unique<Gru4Rec>(c);
  };
  registry.add(std::move(info));
}

}  // namespace reclab::models::neural

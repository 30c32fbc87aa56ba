#include "models/neural/trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>

#include "common/errors.h"
#include "common/process.h"
#include "eval/classification_summary.h"
#include "eval/metrics.h"

namespace reclab::models::neural {

// ---------------------------------------------------------------------------------------------
// TensorColumns

void TensorColumns::gather(const torch::Tensor& index, std::vector<torch::Tensor>& out) const {
  out.resize(columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (!out[c].defined()) out[c] = torch::empty({0}, columns[c].options());
    // A short last batch: shrink to empty first, so index_select_out may resize the buffer.
    if (out[c].numel() > 0 && out[c].size(0) != index.size(0)) out[c].resize_({0});
    torch::index_select_out(out[c], columns[c], 0, index);
  }
}

std::vector<torch::Tensor> TensorColumns::slice(std::int64_t begin, std::int64_t end) const {
  std::vector<torch::Tensor> out;
  out.reserve(columns.size());
  for (const auto& c : columns) out.push_back(c.slice(0, begin, end));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parameter counts and snapshots

ParameterCounts countParameters(torch::nn::Module& module) {
  ParameterCounts counts;
  std::string table = fmt::format("{:<44} {:>18} {:>12} {}\n", "parameter", "shape", "count", "");
  for (const auto& p : module.named_parameters()) {
    const auto n = p.value().numel();
    const bool trainable = p.value().requires_grad();
    (trainable ? counts.trainable : counts.nonTrainable) += n;
    table += fmt::format("{:<44} {:>18} {:>12} {}\n", p.key(),
                         fmt::format("{}", fmt::join(p.value().sizes(), "x")), n,
                         trainable ? "" : "frozen");
  }
  for (const auto& b : module.named_buffers()) {
    // BatchNorm's moving mean / variance are Keras' non-trainable weights; the batch counter is
    // torch bookkeeping that Keras does not have.
    if (b.key().ends_with("num_batches_tracked")) continue;
    counts.nonTrainable += b.value().numel();
    table += fmt::format("{:<44} {:>18} {:>12} {}\n", b.key(),
                         fmt::format("{}", fmt::join(b.value().sizes(), "x")), b.value().numel(),
                         "statistic");
  }
  table += fmt::format("total {} = trainable {} + non-trainable {}",
                       counts.trainable + counts.nonTrainable, counts.trainable,
                       counts.nonTrainable);
  counts.summary = table;
  return counts;
}

void WeightSnapshot::take(torch::nn::Module& module) {
  torch::NoGradGuard noGrad;
  m_values.clear();
  for (const auto& p : module.named_parameters())
    if (p.value().requires_grad()) m_values.emplace_back(p.key(), p.value().detach().clone());
  for (const auto& b : module.named_buffers())
    m_values.emplace_back("buffer:" + b.key(), b.value().detach().clone());
}

void WeightSnapshot::restore(torch::nn::Module& module) const {
  torch::NoGradGuard noGrad;
  auto params = module.named_parameters();
  auto buffers = module.named_buffers();
  for (const auto& [name, value] : m_values) {
    if (name.starts_with("buffer:")) {
      if (auto* b = buffers.find(name.substr(7))) b->copy_(value);
    } else if (auto* p = params.find(name)) {
      p->copy_(value);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

void saveCheckpoint(const std::string& path, torch::nn::Module& module,
                    torch::optim::Optimizer* optimizer,
                    const std::map<std::string, std::string>& extra) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive modelArchive;
  module.save(modelArchive);
  archive.write("model", modelArchive);
  if (optimizer) {
    torch::serialize::OutputArchive optArchive;
    optimizer->save(optArchive);
    archive.write("optimizer", optArchive);
  }
  for (const auto& [k, v] : extra) archive.write("extra." + k, c10::IValue(v));
  c10::List<std::string> keys;
  for (const auto& kv : extra) keys.push_back(kv.first);
  archive.write("extra_keys", c10::IValue(keys));
  archive.save_to(path);
}

namespace {

torch::serialize::InputArchive openArchive(const std::string& path) {
  if (!std::filesystem::exists(path)) throw InputError(path + ": no such checkpoint file");
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    throw InputError(path + ": not a RecLab checkpoint (" + std::string(e.what_without_backtrace()) +
                     ")");
  }
  return archive;
}

std::map<std::string, std::string> readExtra(torch::serialize::InputArchive& archive) {
  std::map<std::string, std::string> extra;
  c10::IValue keys;
  if (!archive.try_read("extra_keys", keys)) return extra;
  for (const auto& k : keys.toList()) {
    const std::string key = static_cast<c10::IValue>(k).toStringRef();
    c10::IValue v;
    if (archive.try_read("extra." + key, v)) extra[key] = v.toStringRef();
  }
  return extra;
}

}  // namespace

std::map<std::string, std::string> readCheckpointExtra(const std::string& path) {
  auto archive = openArchive(path);
  return readExtra(archive);
}

std::map<std::string, std::string> loadCheckpoint(const std::string& path,
                                                  torch::nn::Module& module,
                                                  torch::optim::Optimizer* optimizer) {
  auto archive = openArchive(path);
  try {
    torch::serialize::InputArchive modelArchive;
    archive.read("model", modelArchive);
    module.load(modelArchive);
    if (optimizer) {
      torch::serialize::InputArchive optArchive;
      if (archive.try_read("optimizer", optArchive)) optimizer->load(optArchive);
    }
  } catch (const c10::Error& e) {
    throw InputError(path + ": checkpoint does not match the model's architecture (" +
                     std::string(e.what_without_backtrace()) + ")");
  }
  return readExtra(archive);
}

// ---------------------------------------------------------------------------------------------
// Trainer

Trainer::Trainer(TrainerConfig config, std::string modelName)
    : m_config(std::move(config)), m_modelName(std::move(modelName)) {
  m_config.validate(m_modelName);
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainerConfig& c,
                                                       torch::nn::Module& module,
                                                       const std::string& modelName) {
  std::vector<torch::Tensor> params;
  for (auto& p : module.parameters())
    if (p.requires_grad()) params.push_back(p);
  if (params.empty()) throw InputError(modelName + ": the network has no trainable parameters");
  if (c.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        params, torch::optim::SGDOptions(c.learningRate).momentum(c.momentum).weight_decay(c.weightDecay));
  }
  if (c.optimizer == "adamw") {
    return std::make_unique<torch::optim::AdamW>(
        params, torch::optim::AdamWOptions(c.learningRate).eps(c.adamEps).weight_decay(c.weightDecay));
  }
  if (c.optimizer == "adagrad") {
    return std::make_unique<torch::optim::Adagrad>(
        params, torch::optim::AdagradOptions(c.learningRate).eps(c.adamEps).weight_decay(c.weightDecay));
  }
  return std::make_unique<torch::optim::Adam>(
      params, torch::optim::AdamOptions(c.learningRate).eps(c.adamEps).weight_decay(c.weightDecay));
}

double currentLr(torch::optim::Optimizer& opt) {
  return opt.param_groups().front().options().get_lr();
}

void setLr(torch::optim::Optimizer& opt, double lr) {
  for (auto& g : opt.param_groups()) g.options().set_lr(lr);
}

void clipGradients(std::vector<torch::Tensor>& params, const TrainerConfig& c) {
  if (c.clipNorm <= 0) return;
  if (c.clipScope == "global") {
    torch::nn::utils::clip_grad_norm_(params, c.clipNorm);
    return;
  }
  // Keras clipnorm: g <- g * clipnorm / max(|g|, clipnorm), each tensor on its own. Computed
  // with tensor ops (no read-back of each norm).
  torch::NoGradGuard noGrad;
  for (auto& p : params) {
    if (!p.grad().defined()) continue;
    p.grad().mul_(c.clipNorm / torch::clamp_min(p.grad().norm(), c.clipNorm));
  }
}

namespace {

/// Keeps the weights of the best epoch of `monitor` (ensmallen's StoreBestCoordinates).
class BestWeights : public TrainingCallback {
 public:
  BestWeights(torch::nn::Module& module, std::string monitor, bool maximise)
      : m_module(module), m_monitor(std::move(monitor)), m_maximise(maximise) {}
  bool onEpochEnd(const TrainingReport& report) override {
    auto it = report.values.find(m_monitor);
    if (it == report.values.end() || !std::isfinite(it->second)) return false;
    const double v = it->second;
    if (m_bestEpoch == 0 || (m_maximise ? v > m_best : v < m_best)) {
      m_best = v;
      m_bestEpoch = report.epoch;
      m_snapshot.take(m_module);
    }
    return false;
  }
  int bestEpoch() const { return m_bestEpoch; }
  double best() const { return m_best; }
  void restore() const {
    if (!m_snapshot.empty()) m_snapshot.restore(m_module);
  }

 private:
  torch::nn::Module& m_module;
  std::string m_monitor;
  bool m_maximise;
  double m_best = 0;
  int m_bestEpoch = 0;
  WeightSnapshot m_snapshot;
};

}  // namespace

torch::Tensor Trainer::predict(TrainableNet& net, const TensorColumns& data,
                               std::int64_t batchSize) {
  torch::NoGradGuard noGrad;
  auto& module = net.net();
  const bool wasTraining = module.is_training();
  module.eval();
  std::vector<torch::Tensor> parts;
  const auto n = data.size();
  for (std::int64_t lo = 0; lo < n; lo += batchSize) {
    auto out = net.forward(data.slice(lo, std::min(n, lo + batchSize)));
    if (net.outputKind() == OutputKind::Classification) out = torch::softmax(out, 1);
    parts.push_back(out);
  }
  module.train(wasTraining);
  if (parts.empty()) {
    return net.outputKind() == OutputKind::Classification
               ? torch::empty({0, static_cast<std::int64_t>(net.classNames().size())})
               : torch::empty({0});
  }
  return torch::cat(parts, 0);
}

std::map<std::string, double> Trainer::validate(TrainableNet& net, const TensorColumns& valid,
                                                int epoch, const TrainContext& ctx) {
  std::map<std::string, double> values;
  torch::NoGradGuard noGrad;
  auto& module = net.net();
  module.eval();
  const auto n = valid.size();
  const std::int64_t bs = std::max(m_config.batchSize, 1024);
  double lossSum = 0;
  std::vector<torch::Tensor> outputs;
  for (std::int64_t lo = 0; lo < n; lo += bs) {
    auto batch = valid.slice(lo, std::min(n, lo + bs));
    auto out = net.forward(batch);
    lossSum += net.loss(out, batch).item<double>() * static_cast<double>(batch.front().size(0));
    outputs.push_back(out);
  }
  module.train();
  if (n == 0) return values;
  values["val_loss"] = lossSum / static_cast<double>(n);
  auto output = torch::cat(outputs, 0);
  const auto& target = valid.columns[net.targetColumn()];
  if (net.outputKind() == OutputKind::Classification) {
    auto probs = torch::softmax(output, 1).contiguous().to(torch::kFloat32);
    auto labels = target.to(torch::kInt32).contiguous();
    const int classes = static_cast<int>(probs.size(1));
    std::span<const float> p(probs.data_ptr<float>(), static_cast<std::size_t>(probs.numel()));
    std::span<const std::int32_t> y(labels.data_ptr<std::int32_t>(), static_cast<std::size_t>(n));
    auto summary = eval::summariseClassification(p, classes, y);
    for (const auto& [k, v] : summary.metrics("val_")) {
      if (k != "val_log_loss") values[k] = v;
    }
    ctx.observer.onEvaluation(
        "classification", summary.toJson(net.classNames(), valid.logRows, epoch, "valid").dump());
  } else {
    auto pred = output.reshape({-1}).to(torch::kFloat32).contiguous();
    auto truth = target.reshape({-1}).to(torch::kFloat32).contiguous();
    std::span<const float> pp(pred.data_ptr<float>(), static_cast<std::size_t>(n));
    std::span<const float> tt(truth.data_ptr<float>(), static_cast<std::size_t>(n));
    values["val_rmse"] = eval::rmse(tt, pp);
    values["val_mae"] = eval::mae(tt, pp);
  }
  return values;
}

TrainResult Trainer::fit(TrainableNet& net, const TensorColumns& train,
                         const TensorColumns* valid, const TrainContext& ctx) {
  const auto& c = m_config;
  const int threads = c.threads > 0 ? c.threads : std::max(1, ctx.threads);
  torch::set_num_threads(threads);  // per thread in LibTorch: set in the thread that trains
  tuneAllocatorForTraining();
  auto& module = net.net();
  module.train();
  m_optimizer = makeOptimizer(c, module, m_modelName);
  auto& opt = *m_optimizer;
  std::vector<torch::Tensor> trainableParams;
  for (auto& p : module.parameters())
    if (p.requires_grad()) trainableParams.push_back(p);

  const std::int64_t n = train.size();
  if (n == 0) throw InputError(m_modelName + ": no training rows");
  const bool haveValid = valid && valid->size() > 0;
  const auto counts = countParameters(module);
  ctx.observer.onLog(LogLevel::Info,
                     fmt::format("{}: {} trainable and {} non-trainable parameters", m_modelName,
                                 counts.trainable, counts.nonTrainable));
  ctx.observer.onLog(LogLevel::Debug, counts.summary);

  const std::int64_t bs = std::min<std::int64_t>(c.batchSize, n);
  const std::int64_t batches = (n + bs - 1) / bs;
  const std::int64_t reportEvery =
      std::max<std::int64_t>(1, batches / std::max(1, c.batchReportsPerEpoch));
  std::mt19937_64 rng(ctx.seed);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  auto orderTensor = torch::from_blob(order.data(), {n}, torch::kInt64);
  std::vector<torch::Tensor> batch;

  BestWeights best(module, c.monitor, c.monitorMaximises());
  TrainContext local = ctx;
  if (c.keepBest) local.callbacks.insert(local.callbacks.begin(), &best);
  WeightSnapshot lastGood;
  lastGood.take(module);
  int lastGoodEpoch = 0;

  // Plateau schedule state.
  double plateauBest = 0;
  bool plateauSeen = false;
  int plateauBad = 0;

  // The fused Adam step takes the L2 terms' gradients, the clipping and the update in one
  // pass per tensor; otherwise the terms join the graph and LibTorch's ops do each part.
  FusedStepOptions stepOptions{c.clipNorm, c.clipScope == "global", net.l2Terms()};
  const bool fused = c.fusedKernels && canFuseStep(opt, stepOptions.l2);

  TrainResult result;
  long long step = 0;
  for (int epoch = 1; epoch <= c.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    const auto start = std::chrono::steady_clock::now();
    double lossSum = 0;
    auto correct = torch::zeros({}, torch::kInt64);
    const bool classification = net.outputKind() == OutputKind::Classification;
    for (std::int64_t b = 0; b < batches; ++b) {
      ctx.stop.throwIfStopped();
      const std::int64_t lo = b * bs;
      const std::int64_t m = std::min(bs, n - lo);
      train.gather(orderTensor.slice(0, lo, lo + m), batch);
      auto out = net.forward(batch);
      auto loss = net.loss(out, batch);
      auto pen = net.penalty();
      if (!fused) {
        for (const auto& t : stepOptions.l2) {
          auto term = t.coefficient * t.weight.pow(2).sum();
          pen = pen.defined() ? pen + term : term;
        }
      }
      auto total = pen.defined() ? loss + pen : loss;
      double value = total.item<double>();
      auto diverged = [&] {
        lastGood.restore(module);
        const std::string msg = fmt::format(
            "{}: training diverged: the loss became {} at epoch {}, batch {}; the weights of "
            "{} were kept. Lower the learning rate or enable gradient clipping (clipnorm).",
            m_modelName, value, epoch, b + 1,
            lastGoodEpoch == 0 ? std::string("the initialisation")
                               : fmt::format("epoch {}", lastGoodEpoch));
        ctx.observer.onLog(LogLevel::Error, msg);
        throw TrainingDiverged(msg);
      };
      if (!std::isfinite(value)) diverged();
      // Gradients are released rather than zeroed (set_to_none): no memset of large embedding
      // gradients; backward allocates what it needs.
      for (auto& p : trainableParams) p.mutable_grad() = torch::Tensor();
      total.backward();
      if (fused) {
        // The L2 terms' value at the weights the batch saw.
        value += fusedAdamStep(opt, stepOptions);
        if (!std::isfinite(value)) diverged();
      } else {
        clipGradients(trainableParams, c);
        opt.step();
      }
      lossSum += value * static_cast<double>(m);
      if (classification) {
        torch::NoGradGuard noGrad;
        correct += out.argmax(1).eq(batch[net.targetColumn()]).sum();
      }
      ++step;
      if (b % reportEvery == 0 || b + 1 == batches) {
        TrainingReport rep;
        rep.epoch = epoch;
        rep.batch = b;
        rep.step = step;
        rep.values["train_loss"] = value;
        rep.values["lr"] = currentLr(opt);
        ctx.observer.onBatch(rep);
        ctx.observer.onProgress(
            (static_cast<double>(epoch - 1) + static_cast<double>(b + 1) / static_cast<double>(batches)) /
                c.epochs,
            "training");
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    TrainingReport rep;
    rep.epoch = epoch;
    rep.step = step;
    rep.values["train_loss"] = lossSum / static_cast<double>(n);
    if (classification) {
      rep.values["train_accuracy"] = static_cast<double>(correct.item<std::int64_t>()) / static_cast<double>(n);
    }
    rep.values["lr"] = currentLr(opt);
    rep.values["samples_per_second"] = seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
    if (haveValid) {
      m_lastValidation = validate(net, *valid, epoch, ctx);
      for (const auto& [k, v] : m_lastValidation) rep.values[k] = v;
    }
    for (const auto& [k, v] : net.epochValues(epoch)) rep.values[k] = v;
    lastGood.take(module);
    lastGoodEpoch = epoch;
    result.epochs = epoch;

    // Learning-rate schedules act on the next epoch.
    if (c.schedule == "step" && epoch % c.stepSize == 0) {
      setLr(opt, std::max(c.minLearningRate, currentLr(opt) * c.gamma));
    } else if (c.schedule == "plateau") {
      auto it = rep.values.find(c.monitor);
      if (it != rep.values.end()) {
        const bool better = c.monitorMaximises() ? it->second > plateauBest : it->second < plateauBest;
        if (!plateauSeen || better) {
          plateauSeen = true;
          plateauBest = it->second;
          plateauBad = 0;
        } else if (++plateauBad > c.plateauPatience) {
          setLr(opt, std::max(c.minLearningRate, currentLr(opt) * c.gamma));
          plateauBad = 0;
        }
      }
    }
    if (local.endEpoch(rep)) {
      result.stoppedEarly = true;
      break;
    }
  }
  result.bestEpoch = result.epochs;
  if (c.keepBest && best.bestEpoch() > 0) {
    if (best.bestEpoch() != result.epochs) {
      best.restore();
      ctx.observer.onLog(LogLevel::Info,
                         fmt::format("{}: kept the weights of epoch {} (best {} = {:.6g})",
                                     m_modelName, best.bestEpoch(), c.monitor, best.best()));
    }
    result.bestEpoch = best.bestEpoch();
    result.bestValue = best.best();
  }
  module.eval();
  return result;
}

}  // namespace reclab::models::neural

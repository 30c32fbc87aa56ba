#include "models/neural/purchase.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "features/session_features.h"
#include "models/neural/purchase_nets.h"
#include "models/neural/trainer.h"
#include "models/registry.h"
#include "split/leakage.h"

namespace reclab::models::neural {

// ---------------------------------------------------------------------------------------------
// Config

const std::vector<std::string>& purchaseArchitectures() {
  static const std::vector<std::string> a = {"lr",  "fnn",       "fmnn",
                                             "pnn", "wide_deep", "fe_transformer"};
  return a;
}

TrainerConfig PurchaseConfig::defaultTrainer(const std::string& architecture) {
  TrainerConfig t;
  t.epochs = 10;
  t.batchSize = 512;
  t.learningRate = architecture == "lr" ? 1e-2 : architecture == "fe_transformer" ? 5e-4 : 1e-3;
  t.monitor = "val_auc";
  t.keepBest = true;
  return t;
}

PurchaseConfig PurchaseConfig::defaults(const std::string& architecture) {
  PurchaseConfig c;
  c.architecture = architecture;
  if (architecture == "wide_deep") c.hiddenLayers = "400,400,400";
  if (architecture == "fe_transformer") c.hiddenLayers = "64";
  c.trainer = defaultTrainer(architecture);
  return c;
}

std::string PurchaseConfig::modelName() const { return "purchase_" + architecture; }

namespace {

/// A class_weight number, or NaN when `spec` is not a plain number.
double parseWeightNumber(const std::string& spec) {
  try {
    std::size_t used = 0;
    const double v = std::stod(spec, &used);
    if (used == spec.size()) return v;
  } catch (const std::exception&) {
  }
  return std::nan("");
}

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  return s;
}

}  // namespace

std::pair<double, double> purchaseClassWeights(const std::string& spec, std::int64_t negatives,
                                               std::int64_t positives) {
  if (spec == "none") return {1.0, 1.0};
  if (spec == "balanced") {
    const double n = static_cast<double>(negatives + positives);
    auto w = [n](std::int64_t count) {
      return count > 0 ? n / (2.0 * static_cast<double>(count)) : 0.0;
    };
    return {w(negatives), w(positives)};
  }
  const double v = parseWeightNumber(spec);
  if (!(v > 0) || !std::isfinite(v)) {
    throw InputError(
        "class_weight must be balanced, none or a positive number (the buy class' "
        "weight), got '" +
        spec + "'");
  }
  return {1.0, v};
}

std::vector<std::pair<int, int>> parseCrossPairs(const std::string& text) {
  std::vector<std::pair<int, int>> pairs;
  if (trim(text).empty()) return pairs;
  const auto& names = features::sessionCategoricalNames();
  auto column = [&](const std::string& name) {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return static_cast<int>(i);
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    throw InputError("cross_pairs: '" + name +
                     "' is not a categorical session feature (known: " + known + ")");
  };
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    const std::string part = trim(text.substr(pos, comma - pos));
    const auto x = part.find(" x ");
    if (x == std::string::npos) {
      throw InputError("cross_pairs: '" + part +
                       "' is not a pair like \"product_id x previous_product\"");
    }
    const int a = column(trim(part.substr(0, x)));
    const int b = column(trim(part.substr(x + 3)));
    if (a == b) throw InputError("cross_pairs: '" + part + "' crosses a feature with itself");
    pairs.emplace_back(a, b);
    pos = comma + 1;
  }
  return pairs;
}

void PurchaseConfig::validate() const {
  const std::string model = modelName();
  auto fail = [&](const std::string& m) { throw InputError(model + ": " + m); };
  const auto& archs = purchaseArchitectures();
  if (std::find(archs.begin(), archs.end(), architecture) == archs.end()) {
    throw InputError(fmt::format("purchase: architecture must be one of {}, got '{}'",
                                 fmt::join(archs, ", "), architecture));
  }
  if (embeddingDim <= 0) fail(fmt::format("embedding_dim must be > 0, got {}", embeddingDim));
  if (!(dropout >= 0 && dropout < 1))
    fail(fmt::format("dropout must be in [0, 1), got {}", dropout));
  if (!hiddenLayers.empty()) parseLayerSizes(hiddenLayers, model + ": hidden_layers");
  if (crossBuckets <= 0) fail(fmt::format("cross_buckets must be > 0, got {}", crossBuckets));
  try {
    parseCrossPairs(crossPairs);
    purchaseClassWeights(classWeight, 1, 1);
  } catch (const InputError& e) {
    fail(e.what());
  }
  if (dModel <= 0) fail(fmt::format("d_model must be > 0, got {}", dModel));
  if (heads <= 0) fail(fmt::format("heads must be > 0, got {}", heads));
  if (dModel % heads != 0)
    fail(fmt::format("heads must divide d_model, got d_model {} and heads {}", dModel, heads));
  if (layers <= 0) fail(fmt::format("layers must be > 0, got {}", layers));
  if (ffDim <= 0) fail(fmt::format("ff_dim must be > 0, got {}", ffDim));
  if (pooling != "mean" && pooling != "cls")
    fail("pooling must be mean or cls, got '" + pooling + "'");
  trainer.validate(model);
}

namespace {

nlohmann::json configJson(const PurchaseConfig& c) {
  return {{"architecture", c.architecture},
          {"embedding_dim", c.embeddingDim},
          {"hidden_layers", c.hiddenLayers},
          {"dropout", c.dropout},
          {"cross_pairs", c.crossPairs},
          {"cross_buckets", c.crossBuckets},
          {"d_model", c.dModel},
          {"heads", c.heads},
          {"layers", c.layers},
          {"ff_dim", c.ffDim},
          {"pooling", c.pooling},
          {"class_weight", c.classWeight},
          {"prefix_only", c.prefixOnly}};
}

void configFromJson(const nlohmann::json& j, PurchaseConfig& c) {
  c.architecture = j.at("architecture");
  c.embeddingDim = j.at("embedding_dim");
  c.hiddenLayers = j.at("hidden_layers");
  c.dropout = j.at("dropout");
  c.crossPairs = j.at("cross_pairs");
  c.crossBuckets = j.at("cross_buckets");
  c.dModel = j.at("d_model");
  c.heads = j.at("heads");
  c.layers = j.at("layers");
  c.ffDim = j.at("ff_dim");
  c.pooling = j.at("pooling");
  c.classWeight = j.at("class_weight");
  c.prefixOnly = j.at("prefix_only");
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// The engine's view of the network: two-class logits [0, z] (softmax = sigmoid(z)), so the
/// engine's validation reports val_auc / val_accuracy of P(buy); the loss is the weighted
/// binary cross-entropy on z, averaged over the batch size.
class PurchaseTrainable : public TrainableNet {
 public:
  PurchaseTrainable(PurchaseModule net, double w0, double w1)
      : m_net(std::move(net)), m_w0(w0), m_w1(w1) {}
  torch::nn::Module& net() override { return *m_net; }
  torch::Tensor forward(const std::vector<torch::Tensor>& b) override {
    auto z = m_net->forward(b[0], b[1], b.size() > 3 ? b[3] : torch::Tensor());
    return torch::stack({torch::zeros_like(z), z}, 1);
  }
  torch::Tensor loss(const torch::Tensor& out, const std::vector<torch::Tensor>& b) override {
    auto y = b[2].to(torch::kFloat32);
    auto w = y * (m_w1 - m_w0) + m_w0;
    return torch::binary_cross_entropy_with_logits(out.select(1, 1), y, w);
  }
  OutputKind outputKind() const override { return OutputKind::Classification; }
  std::size_t targetColumn() const override { return 2; }
  std::vector<std::string> classNames() const override { return {"no_buy", "buy"}; }

 private:
  PurchaseModule m_net;
  double m_w0, m_w1;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// PurchaseNet

struct PurchaseNet::Impl {
  PurchaseModule net{nullptr};
  PurchaseShape shape;
  std::vector<double> mean, std;
  double w0 = 1, w1 = 1;
  mutable std::mutex forwardMutex;

  features::SessionFeatureRows features(const data::InteractionLog& log,
                                        const std::vector<std::uint32_t>& rows, bool prefixOnly,
                                        const StopToken& stop) const {
    features::SessionFeatureConfig fc;
    fc.prefixOnly = prefixOnly;
    fc.label = features::SessionLabel::SessionBuys;
    if (!log.itemAttributes.find(fc.categoryAttribute)) fc.categoryAttribute.clear();
    return features::computeSessionFeatures(log, rows, fc, nullObserver(), stop);
  }

  /// Columns [categorical, scaled continuous, label, (cross buckets)].
  TensorColumns columns(const features::SessionFeatureRows& f) const {
    const auto& enc = f.features;
    const auto n = static_cast<std::int64_t>(f.rows.size());
    const auto nf = static_cast<std::int64_t>(shape.cardinalities.size());
    const auto k = shape.continuous;
    if (static_cast<std::int64_t>(enc.categoricalNames.size()) != nf ||
        static_cast<std::int64_t>(enc.continuousNames.size()) != k) {
      throw InputError(
          fmt::format("purchase: the features have {} categorical and {} continuous "
                      "columns, the model {} and {}",
                      enc.categoricalNames.size(), enc.continuousNames.size(), nf, k));
    }
    auto cat = torch::empty({n, nf}, torch::kInt64);
    auto cont = torch::empty({n, k}, torch::kFloat32);
    auto target = torch::empty({n}, torch::kInt64);
    auto* pc = cat.data_ptr<std::int64_t>();
    auto* px = cont.data_ptr<float>();
    auto* pt = target.data_ptr<std::int64_t>();
    const auto pairs = static_cast<std::int64_t>(shape.crossPairs.size());
    torch::Tensor cross;
    if (pairs > 0) cross = torch::empty({n, pairs}, torch::kInt64);
    for (std::int64_t i = 0; i < n; ++i) {
      for (std::int64_t f = 0; f < nf; ++f) {
        const auto code = enc.categorical[static_cast<std::size_t>(i * nf + f)];
        // A code beyond the training log's cardinality (another log) is out of vocabulary.
        pc[i * nf + f] =
            code >= 0 && code < shape.cardinalities[static_cast<std::size_t>(f)] ? code : 0;
      }
      for (std::int64_t j = 0; j < k; ++j) {
        const double raw = enc.continuous[static_cast<std::size_t>(i * k + j)];
        const double v = std::log1p(std::max(0.0, raw));
        px[i * k + j] = static_cast<float>((v - mean[static_cast<std::size_t>(j)]) /
                                           std[static_cast<std::size_t>(j)]);
      }
      pt[i] = f.labels.empty()
                  ? 0
                  : static_cast<std::int64_t>(f.labels[static_cast<std::size_t>(i)] > 0.5f);
      for (std::int64_t p = 0; p < pairs; ++p) {
        const auto [a, b] = shape.crossPairs[static_cast<std::size_t>(p)];
        const auto ca = static_cast<std::uint64_t>(pc[i * nf + a]);
        const auto cb = static_cast<std::uint64_t>(pc[i * nf + b]);
        const auto bucket =
            splitmix64((ca << 32) ^ cb) % static_cast<std::uint64_t>(shape.crossBuckets);
        cross.data_ptr<std::int64_t>()[i * pairs + p] =
            p * shape.crossBuckets + static_cast<std::int64_t>(bucket);
      }
    }
    TensorColumns t;
    t.columns = {cat, cont, target};
    if (pairs > 0) t.columns.push_back(cross);
    t.logRows = f.rows;
    return t;
  }
};

PurchaseNet::PurchaseNet(PurchaseConfig config)
    : m_config(std::move(config)), m_impl(std::make_unique<Impl>()) {
  m_config.validate();
}
PurchaseNet::~PurchaseNet() = default;

std::string PurchaseNet::name() const { return m_config.modelName(); }
const std::vector<double>& PurchaseNet::scalerMean() const { return m_impl->mean; }
const std::vector<double>& PurchaseNet::scalerStd() const { return m_impl->std; }
std::pair<double, double> PurchaseNet::classWeights() const { return {m_impl->w0, m_impl->w1}; }

void PurchaseNet::fit(const TrainContext& ctx) {
  const std::string model = name();
  auto& impl = *m_impl;
  ctx.observer.onProgress(0.0, "session features");
  auto train = impl.features(ctx.log, ctx.trainRows, m_config.prefixOnly, ctx.stop);
  const auto n = static_cast<std::int64_t>(train.rows.size());
  if (n == 0) throw InputError(model + ": the training rows hold no click rows");
  std::int64_t positives = 0;
  for (float y : train.labels) positives += y > 0.5f ? 1 : 0;
  if (positives == 0 || positives == n) {
    throw InputError(
        fmt::format("{}: the training rows need both buying and non-buying sessions; "
                    "{} of {} click rows belong to buying sessions",
                    model, positives, n));
  }

  // The scaler of the continuous block: log1p, then mean / std over the training rows.
  split::LeakageGuard localGuard;
  auto& guard = ctx.guard ? *ctx.guard : localGuard;
  guard.record("purchase_continuous_scaler", train.rows);
  const auto k = train.features.continuousNames.size();
  impl.mean.assign(k, 0.0);
  impl.std.assign(k, 0.0);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < k; ++j)
      impl.mean[j] += std::log1p(std::max(0.0, double(train.features.continuous[i * k + j])));
  for (auto& m : impl.mean) m /= static_cast<double>(n);
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      const double d =
          std::log1p(std::max(0.0, double(train.features.continuous[i * k + j]))) - impl.mean[j];
      impl.std[j] += d * d;
    }
  }
  for (auto& s : impl.std) {
    s = std::sqrt(s / static_cast<double>(n));
    if (!(s > 1e-12)) s = 1.0;  // a constant column stays centred at 0
  }

  impl.shape = PurchaseShape{};
  for (auto c : train.features.cardinalities) impl.shape.cardinalities.push_back(c);
  impl.shape.continuous = static_cast<std::int64_t>(k);
  if (m_config.architecture == "wide_deep") {
    impl.shape.crossPairs = parseCrossPairs(m_config.crossPairs);
    impl.shape.crossBuckets = m_config.crossBuckets;
  }
  std::tie(impl.w0, impl.w1) = purchaseClassWeights(m_config.classWeight, n - positives, positives);
  ctx.observer.onLog(
      LogLevel::Info,
      fmt::format("{}: {} training click rows, buy rate {:.4f}; class weights {:.4g} (no buy), "
                  "{:.4g} (buy)",
                  model, n, static_cast<double>(positives) / static_cast<double>(n), impl.w0,
                  impl.w1));

  torch::manual_seed(ctx.seed);
  impl.net = PurchaseModule(impl.shape, m_config);
  {
    // Start at the weighted prior: logit = ln(w1 P / (w0 N)).
    torch::NoGradGuard noGrad;
    impl.net->bias.fill_(std::log(impl.w1 * static_cast<double>(positives) /
                                  (impl.w0 * static_cast<double>(n - positives))));
  }
  auto trainCols = impl.columns(train);
  train = {};
  TensorColumns validCols;
  if (ctx.validRows && !ctx.validRows->empty()) {
    auto valid = impl.features(ctx.log, *ctx.validRows, m_config.prefixOnly, ctx.stop);
    validCols = impl.columns(valid);
  }
  PurchaseTrainable trainable(impl.net, impl.w0, impl.w1);
  Trainer trainer(m_config.trainer, model);
  trainer.fit(trainable, trainCols, &validCols, ctx);
  impl.net->eval();
}

PurchasePredictions PurchaseNet::predictPurchase(const data::InteractionLog& log,
                                                 const std::vector<std::uint32_t>& rows) const {
  if (!m_impl->net) throw InputError(name() + ": the model is not trained");
  auto f = m_impl->features(log, rows, m_config.prefixOnly, StopToken());
  auto cols = m_impl->columns(f);
  PurchasePredictions out;
  out.rows = f.rows;
  out.labels = f.labels;
  out.probs.resize(f.rows.size());
  const auto n = cols.size();
  std::lock_guard lock(m_impl->forwardMutex);
  torch::NoGradGuard noGrad;
  m_impl->net->eval();
  for (std::int64_t lo = 0; lo < n; lo += 8192) {
    auto b = cols.slice(lo, std::min(n, lo + 8192));
    auto p = torch::sigmoid(m_impl->net->forward(b[0], b[1], b.size() > 3 ? b[3] : torch::Tensor()))
                 .contiguous();
    std::copy(p.data_ptr<float>(), p.data_ptr<float>() + p.numel(), out.probs.begin() + lo);
  }
  return out;
}

void PurchaseNet::save(const std::string& path) const {
  if (!m_impl->net) throw InputError(name() + ": nothing to save before training");
  const nlohmann::json scaler = {{"mean", m_impl->mean}, {"std", m_impl->std}};
  const nlohmann::json weights = {m_impl->w0, m_impl->w1};
  saveCheckpoint(path, *m_impl->net, nullptr,
                 {{"model", "purchase"},
                  {"config", configJson(m_config).dump()},
                  {"shape", m_impl->shape.toJson().dump()},
                  {"scaler", scaler.dump()},
                  {"class_weights", weights.dump()}});
}

void PurchaseNet::load(const std::string& path) {
  auto extra = readCheckpointExtra(path);
  if (extra["model"] != "purchase")
    throw InputError(path + ": not a purchase-prediction model file");
  try {
    configFromJson(nlohmann::json::parse(extra.at("config")), m_config);
    m_impl->shape = PurchaseShape::fromJson(nlohmann::json::parse(extra.at("shape")));
    const auto scaler = nlohmann::json::parse(extra.at("scaler"));
    m_impl->mean = scaler.at("mean").get<std::vector<double>>();
    m_impl->std = scaler.at("std").get<std::vector<double>>();
    const auto w = nlohmann::json::parse(extra.at("class_weights"));
    m_impl->w0 = w.at(0);
    m_impl->w1 = w.at(1);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ": malformed purchase model state (" + e.what() + ")");
  } catch (const std::out_of_range&) {
    throw InputError(path + ": purchase model file lacks its config, shape or scaler");
  }
  m_config.validate();
  m_impl->net = PurchaseModule(m_impl->shape, m_config);
  loadCheckpoint(path, *m_impl->net);
  m_impl->net->eval();
}

// ---------------------------------------------------------------------------------------------
// Registration

namespace {

void registerPurchase(Registry& registry, const std::string& arch) {
  using T = ParamSpec::Type;
  const PurchaseConfig d = PurchaseConfig::defaults(arch);
  static const std::map<std::string, std::pair<std::string, std::string>> text = {
      {"lr",
       {"Logistic regression (purchase, SPEC B)",
        "One weight per categorical code of the 13 categorical session features plus a linear "
        "term on the 13 continuous ones (log1p, standardised on the training rows)."}},
      {"fnn",
       {"FNN (purchase, SPEC B)",
        "Field embeddings of the 13 categorical features concatenated with the continuous "
        "block, an MLP, sigmoid."}},
      {"fmnn",
       {"FMNN / DeepFM (purchase, SPEC B)",
        "Factorisation-machine NN read as DeepFM: FM first order + pairwise inner products of "
        "26 field vectors (numeric j as x_j v_j), summed with an MLP over the same vectors."}},
      {"pnn",
       {"PNN, inner product (purchase, SPEC B)",
        "Product NN: the 26 field vectors and their pairwise inner products into an MLP."}},
      {"wide_deep",
       {"Wide & Deep (purchase, SPEC B)",
        "Wide: linear over the raw features plus hashed cross-product transforms of chosen "
        "categorical pairs; deep: field embeddings -> 400-400-400 ReLU -> 1; "
        "sigmoid(y_wide + y_deep), trained jointly."}},
      {"fe_transformer",
       {"FE-Transformer (purchase, SPEC B)",
        "Every attribute embedded (categorical by lookup, numeric as x w + b), Transformer "
        "encoder layers over the 26 tokens, pooled, MLP head."}},
  };
  ModelInfo info;
  info.name = d.modelName();
  info.displayName = text.at(arch).first;
  info.task = Task::SessionPurchase;
  info.description =
      text.at(arch).second +
      " Predicts P(the session buys) for each click row from the 26 session features; weighted "
      "binary cross-entropy (class_weight).";
  auto& p = info.params;
  const bool embeds = arch != "lr" && arch != "fe_transformer";
  if (embeds)
    p.push_back({"embedding_dim", T::Int, d.embeddingDim, 1, 1024, {}, "field embedding size"});
  if (arch == "fe_transformer") {
    p.push_back({"d_model", T::Int, d.dModel, 1, 1024, {}, "token size of every attribute"});
    p.push_back({"heads", T::Int, d.heads, 1, 64, {}, "attention heads (must divide d_model)"});
    p.push_back({"layers", T::Int, d.layers, 1, 24, {}, "Transformer encoder layers"});
    p.push_back({"ff_dim", T::Int, d.ffDim, 1, 16384, {}, "feed-forward width of each layer"});
    p.push_back({"pooling",
                 T::Choice,
                 d.pooling,
                 {},
                 {},
                 {"mean", "cls"},
                 "mean over the tokens, or a learned CLS token"});
  }
  if (arch != "lr") {
    p.push_back({"hidden_layers",
                 T::String,
                 d.hiddenLayers,
                 {},
                 {},
                 {},
                 arch == "fe_transformer" ? "hidden sizes of the classifier head (empty = linear)"
                                          : "hidden ReLU layer sizes of the MLP (empty = linear)"});
    p.push_back({"dropout", T::Double, d.dropout, 0.0, 0.95, {}, "dropout rate"});
  }
  if (arch == "wide_deep") {
    p.push_back({"cross_pairs",
                 T::String,
                 d.crossPairs,
                 {},
                 {},
                 {},
                 "categorical pairs crossed in the wide part, \"a x b, c x d\" (empty = none)"});
    p.push_back(
        {"cross_buckets", T::Int, d.crossBuckets, 1, 1 << 26, {}, "hash buckets per cross pair"});
  }
  p.push_back({"class_weight",
               T::String,
               d.classWeight,
               {},
               {},
               {},
               "balanced (n / (2 n_c) from the training labels), none, or the buy class' weight"});
  p.push_back({"prefix_only",
               T::Bool,
               d.prefixOnly,
               {},
               {},
               {},
               "features from the clicks so far only (no look-ahead; the thesis looks ahead)"});
  addTrainerParams(p, d.trainer);
  info.factory = [arch](const nlohmann::json& j) {
    PurchaseConfig c = PurchaseConfig::defaults(arch);
    auto getInt = [&](const char* key, int& field) {
      if (j.contains(key)) field = static_cast<int>(paramInt(j, key));
    };
    auto getString = [&](const char* key, std::string& field) {
      if (j.contains(key)) field = paramString(j, key);
    };
    getInt("embedding_dim", c.embeddingDim);
    getInt("d_model", c.dModel);
    getInt("heads", c.heads);
    getInt("layers", c.layers);
    getInt("ff_dim", c.ffDim);
    getInt("cross_buckets", c.crossBuckets);
    getString("pooling", c.pooling);
    getString("hidden_layers", c.hiddenLayers);
    getString("cross_pairs", c.crossPairs);
    getString("class_weight", c.classWeight);
    if (j.contains("dropout")) c.dropout = paramDouble(j, "dropout");
    if (j.contains("prefix_only")) c.prefixOnly = paramBool(j, "prefix_only");
    c.trainer = trainerConfigFrom(j);
    return std::make_unique<PurchaseNet>(c);
  };
  registry.add(std::move(info));
}

}  // namespace

void registerPurchaseModels(Registry& registry) {
  for (const auto& arch : purchaseArchitectures()) registerPurchase(registry, arch);
}

}  // namespace reclab::models::neural

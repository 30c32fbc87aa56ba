#include "models/neural/hybrid.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "features/feature_pipeline.h"
#include "models/neural/losses.h"
#include "models/neural/torch_util.h"
#include "models/neural/trainer.h"
#include "split/leakage.h"

namespace reclab::models::neural {

namespace {

/// class_weights given as numbers, "1,10,20": one positive weight per class.
std::vector<double> parseClassWeights(const std::string& text) {
  return parseNumberList(text, "hybrid_cnn: class_weights", "positive numbers, or balanced / none",
                         "1,10,20", [](double v) { return v > 0; });
}

}  // namespace

void HybridConfig::validate() const {
  auto fail = [](const std::string& m) { throw InputError("hybrid_cnn: " + m); };
  if (head != "classification" && head != "regression")
    fail("head must be classification or regression, got '" + head + "'");
  if (embeddingsRun < 0) fail(fmt::format("embeddings_run must be >= 0, got {}", embeddingsRun));
  if (embeddingDim <= 0) fail(fmt::format("embedding_dim must be > 0, got {}", embeddingDim));
  if (convFilters <= 0) fail(fmt::format("conv_filters must be > 0, got {}", convFilters));
  if (convKernel <= 0) fail(fmt::format("conv_kernel must be > 0, got {}", convKernel));
  if (categoricalDim <= 0) fail(fmt::format("categorical_dim must be > 0, got {}", categoricalDim));
  if (continuousUnits <= 0) fail(fmt::format("continuous_units must be > 0, got {}", continuousUnits));
  if (denseL2 < 0) fail(fmt::format("dense_l2 must be >= 0, got {}", denseL2));
  if (!(dropout >= 0 && dropout < 1)) fail(fmt::format("dropout must be in [0, 1), got {}", dropout));
  if (focalGamma < 0) fail(fmt::format("focal_gamma must be >= 0, got {}", focalGamma));
  if (!(focalAlpha > 0)) fail(fmt::format("focal_alpha must be > 0, got {}", focalAlpha));
  parseLayerSizes(denseLayers, "hybrid_cnn: dense_layers");
  if (classWeights != "balanced" && classWeights != "none") parseClassWeights(classWeights);
  trainer.validate("hybrid_cnn");
}

namespace {

/// Everything the network's shape depends on.
struct Architecture {
  std::int64_t users = 0, items = 0, dim = 0;
  std::vector<std::int64_t> cardinalities;
  std::int64_t continuous = 0;
  std::int64_t outputs = 1;  ///< classes, or 1 for regression
  nlohmann::json toJson() const {
    return {{"users", users},   {"items", items},           {"dim", dim},
            {"cardinalities", cardinalities}, {"continuous", continuous}, {"outputs", outputs}};
  }
  static Architecture fromJson(const nlohmann::json& j) {
    Architecture a;
    a.users = j.at("users");
    a.items = j.at("items");
    a.dim = j.at("dim");
    a.cardinalities = j.at("cardinalities").get<std::vector<std::int64_t>>();
    a.continuous = j.at("continuous");
    a.outputs = j.at("outputs");
    return a;
  }
};

struct HybridNetImpl : torch::nn::Module {
  HybridNetImpl(const Architecture& a, const HybridConfig& c) : config(c) {
    user = register_module("user_embedding", torch::nn::Embedding(a.users, a.dim));
    item = register_module("item_embedding", torch::nn::Embedding(a.items, a.dim));
    const auto kernel = std::min<std::int64_t>(c.convKernel, a.dim);
    convUser = register_module("conv_user", torch::nn::Conv1d(torch::nn::Conv1dOptions(1, c.convFilters, kernel)));
    convItem = register_module("conv_item", torch::nn::Conv1d(torch::nn::Conv1dOptions(1, c.convFilters, kernel)));
    std::int64_t width = 2 * c.convFilters + a.dim;
    for (std::size_t k = 0; k < a.cardinalities.size(); ++k) {
      categorical.push_back(register_module(fmt::format("categorical{}", k + 1),
                                            torch::nn::Embedding(a.cardinalities[k], c.categoricalDim)));
      width += c.categoricalDim;
    }
    if (a.continuous > 0) {
      continuous = register_module("continuous_dense", torch::nn::Linear(a.continuous, c.continuousUnits));
      continuousBn = register_module("continuous_bn", kerasBatchNorm(c.continuousUnits));
      kerasDenseInit(continuous);
      width += c.continuousUnits;
    }
    for (int size : parseLayerSizes(c.denseLayers, "hybrid_cnn: dense_layers")) {
      dense.push_back(register_module(fmt::format("dense{}", dense.size() + 1), torch::nn::Linear(width, size)));
      bn.push_back(register_module(fmt::format("bn{}", bn.size() + 1), kerasBatchNorm(size)));
      kerasDenseInit(dense.back());
      width = size;
    }
    out = register_module("output", torch::nn::Linear(width, a.outputs));
    kerasDenseInit(out);
    torch::NoGradGuard noGrad;
    if (c.widePath) {
      wide = register_module("wide_product", torch::nn::Linear(torch::nn::LinearOptions(a.dim, a.outputs).bias(false)));
      // The regressor's wide path starts as the factor model's dot product, its deep head at 0.
      wide->weight.fill_(c.head == "regression" ? 1.0 : 0.0);
      if (c.head == "regression") {
        out->weight.zero_();
        userBias = register_module("user_bias", torch::nn::Embedding(a.users, 1));
        itemBias = register_module("item_bias", torch::nn::Embedding(a.items, 1));
        userBias->weight.zero_();
        itemBias->weight.zero_();
      }
    }
    user->weight.uniform_(-0.05, 0.05);
    item->weight.uniform_(-0.05, 0.05);
    for (auto& e : categorical) e->weight.uniform_(-0.05, 0.05);
  }

  torch::Tensor forward(const std::vector<torch::Tensor>& b) {
    auto eu = user->forward(b[0]);
    auto ei = item->forward(b[1]);
    // Conv1D over the embedding vector seen as a 1-channel sequence, then global max pooling.
    torch::Tensor cu, ci;
    if (config.trainer.fusedKernels) {
      cu = conv1dReluMaxPool(eu, convUser->weight, convUser->bias);
      ci = conv1dReluMaxPool(ei, convItem->weight, convItem->bias);
    } else {
      cu = std::get<0>(torch::relu(convUser->forward(eu.unsqueeze(1))).max(2));
      ci = std::get<0>(torch::relu(convItem->forward(ei.unsqueeze(1))).max(2));
    }
    std::vector<torch::Tensor> parts{cu, ci, eu * ei};
    for (std::size_t k = 0; k < categorical.size(); ++k)
      parts.push_back(categorical[k]->forward(b[2].select(1, static_cast<std::int64_t>(k))));
    if (continuous) {
      auto x = torch::relu(continuousBn->forward(continuous->forward(b[3])));
      parts.push_back(drop(x));
    }
    auto x = torch::cat(parts, 1);
    for (std::size_t k = 0; k < dense.size(); ++k) x = drop(torch::relu(bn[k]->forward(dense[k]->forward(x))));
    auto y = out->forward(x);
    if (wide) y = y + wide->forward(eu * ei);
    if (userBias) y = y + userBias->forward(b[0]) + itemBias->forward(b[1]);
    return config.head == "regression" ? y.view({-1}) : y;
  }

  torch::Tensor drop(const torch::Tensor& x) {
    return engineDropout(x, config.dropout, is_training(), config.trainer.fusedKernels);
  }

  /// Keras kernel_regularizer on the dense layers.
  std::vector<L2Term> l2Terms() {
    std::vector<L2Term> terms;
    if (config.denseL2 > 0)
      for (auto& d : dense) terms.push_back({d->weight, config.denseL2});
    return terms;
  }

  HybridConfig config;
  torch::nn::Embedding user{nullptr}, item{nullptr};
  torch::nn::Conv1d convUser{nullptr}, convItem{nullptr};
  std::vector<torch::nn::Embedding> categorical;
  torch::nn::Linear continuous{nullptr};
  torch::nn::BatchNorm1d continuousBn{nullptr};
  std::vector<torch::nn::Linear> dense;
  std::vector<torch::nn::BatchNorm1d> bn;
  torch::nn::Linear out{nullptr};
  torch::nn::Linear wide{nullptr};
  torch::nn::Embedding userBias{nullptr}, itemBias{nullptr};
};
TORCH_MODULE(HybridNet);

class HybridTrainable : public TrainableNet {
 public:
  HybridTrainable(HybridNet net, std::vector<std::string> classes, torch::Tensor weights)
      : m_net(std::move(net)), m_classes(std::move(classes)), m_weights(std::move(weights)) {}
  torch::nn::Module& net() override { return *m_net; }
  torch::Tensor forward(const std::vector<torch::Tensor>& b) override { return m_net->forward(b); }
  torch::Tensor loss(const torch::Tensor& out, const std::vector<torch::Tensor>& b) override {
    if (m_net->config.head == "regression") return torch::mse_loss(out, b[4]);
    return focalLoss(out, b[4], m_net->config.focalGamma, m_net->config.focalAlpha, m_weights);
  }
  std::vector<L2Term> l2Terms() override { return m_net->l2Terms(); }
  OutputKind outputKind() const override {
    return m_net->config.head == "regression" ? OutputKind::Regression : OutputKind::Classification;
  }
  std::size_t targetColumn() const override { return 4; }
  std::vector<std::string> classNames() const override { return m_classes; }

 private:
  HybridNet m_net;
  std::vector<std::string> m_classes;
  torch::Tensor m_weights;
};

bool itemDependent(const features::AttributeSpec& a) {
  using features::Source;
  if (a.source == Source::ItemProperty) return true;
  if (a.source == Source::Column) return a.from == "item";
  if (a.source == Source::Derived) {
    return a.from == "price" || a.from == "category" || a.from == "available" ||
           a.from == "item_popularity_so_far";
  }
  return false;
}

}  // namespace

struct HybridCnn::Impl {
  HybridNet net{nullptr};
  Architecture arch;
  std::unique_ptr<features::FeaturePipeline> pipeline;
  std::vector<std::string> classes;
  std::int64_t trainable = 0, nonTrainable = 0;

  // Raw features of the last log seen (derivations run over a whole log once).
  mutable std::mutex cacheMutex;
  mutable const data::InteractionLog* cachedLog = nullptr;
  mutable std::size_t cachedRows = 0;
  mutable std::shared_ptr<const features::RawFeatures> cachedRaw;

  std::shared_ptr<const features::RawFeatures> raw(const data::InteractionLog& log) const {
    std::lock_guard lock(cacheMutex);
    if (cachedLog != &log || cachedRows != log.numRows() || !cachedRaw) {
      StopToken never;
      cachedRaw = std::make_shared<features::RawFeatures>(pipeline->derive(log, never));
      cachedLog = &log;
      cachedRows = log.numRows();
    }
    return cachedRaw;
  }

  /// Columns [user, item, categorical, continuous, target] of encoded rows.
  TensorColumns columns(const data::InteractionLog& log, const features::EncodedFeatures& enc,
                        const std::vector<std::uint32_t>& rows, const std::string& head) const {
    const auto n = static_cast<std::int64_t>(rows.size());
    auto u = torch::empty({n}, torch::kInt64), i = torch::empty({n}, torch::kInt64);
    auto* pu = u.data_ptr<std::int64_t>();
    auto* pi = i.data_ptr<std::int64_t>();
    torch::Tensor target = head == "regression" ? torch::zeros({n}) : torch::zeros({n}, torch::kInt64);
    for (std::int64_t j = 0; j < n; ++j) {
      const auto r = rows[static_cast<std::size_t>(j)];
      pu[j] = log.hasUsers() ? log.user[r] : 0;
      pi[j] = log.item[r];
      if (head == "regression") {
        if (log.hasValues()) target.data_ptr<float>()[j] = log.value[r];
      } else {
        target.data_ptr<std::int64_t>()[j] = log.eventAt(r);
      }
    }
    const auto c = static_cast<std::int64_t>(enc.categoricalNames.size());
    const auto k = static_cast<std::int64_t>(enc.continuousNames.size());
    auto cat = torch::from_blob(const_cast<std::int64_t*>(enc.categorical.data()), {n, c}, torch::kInt64).clone();
    auto cont = torch::from_blob(const_cast<float*>(enc.continuous.data()), {n, k}, torch::kFloat32).clone();
    TensorColumns t;
    t.columns = {u, i, cat, cont, target};
    t.logRows = rows;
    return t;
  }

  torch::Tensor outputs(const TensorColumns& cols) const {
    torch::NoGradGuard noGrad;
    auto& model = *net.ptr();  // inference only: eval mode, no state changes
    model.eval();
    std::vector<torch::Tensor> parts;
    const auto n = cols.size();
    for (std::int64_t lo = 0; lo < n; lo += 8192) {
      auto y = model.forward(cols.slice(lo, std::min(n, lo + 8192)));
      parts.push_back(net->config.head == "regression" ? y : torch::softmax(y, 1));
    }
    if (parts.empty()) return net->config.head == "regression" ? torch::empty({0}) : torch::empty({0, arch.outputs});
    return torch::cat(parts, 0).contiguous();
  }
};

HybridCnn::HybridCnn(HybridConfig config)
    : m_config(std::move(config)), m_impl(std::make_unique<Impl>()) {
  m_config.validate();
}
HybridCnn::~HybridCnn() = default;

std::string HybridCnn::name() const {
  return m_config.head == "regression" ? "hybrid_cnn_regressor" : "hybrid_cnn";
}
Task HybridCnn::task() const {
  return m_config.head == "regression" ? Task::Rating : Task::Classification;
}
int HybridCnn::numClasses() const { return static_cast<int>(m_impl->classes.size()); }
std::vector<std::string> HybridCnn::classNames() const { return m_impl->classes; }

void HybridCnn::fit(const TrainContext& ctx) {
  const auto& log = ctx.log;
  const bool regression = m_config.head == "regression";
  if (ctx.trainRows.empty()) throw InputError("hybrid_cnn: no training rows");
  if (regression && !log.hasValues())
    throw InputError("hybrid_cnn_regressor needs a value (rating) column; this dataset has none");
  if (!regression && log.eventNames.size() < 2) {
    throw InputError(fmt::format(
        "hybrid_cnn classifies event types and needs at least 2; this dataset has {}",
        log.eventNames.size()));
  }
  // The feature configuration: a file, or the default for this dataset.
  features::FeatureConfig fc = m_config.features.empty() ? features::defaultFeatureConfig(log)
                                                         : features::FeatureConfig::load(m_config.features);
  for (const auto& a : fc.attributes) {
    if (!a.enabled || a.source != features::Source::Column) continue;
    if ((!regression && a.from == "event") || (regression && a.from == "value")) {
      throw InputError(fmt::format("hybrid_cnn: feature '{}' reads the '{}' column, which is what "
                                   "the model predicts; disable it in the feature configuration",
                                   a.name, a.from));
    }
  }
  fc.validate(&log);
  m_impl->pipeline = std::make_unique<features::FeaturePipeline>(fc);
  split::LeakageGuard localGuard;
  auto& guard = ctx.guard ? *ctx.guard : localGuard;
  auto raw = std::make_shared<features::RawFeatures>(m_impl->pipeline->derive(log, ctx.stop));
  m_impl->pipeline->fit(*raw, ctx.trainRows, guard);
  {
    std::lock_guard lock(m_impl->cacheMutex);
    m_impl->cachedLog = &log;
    m_impl->cachedRows = log.numRows();
    m_impl->cachedRaw = raw;
  }
  auto encTrain = m_impl->pipeline->transform(*raw, ctx.trainRows);
  ctx.observer.onLog(LogLevel::Info,
                     fmt::format("hybrid_cnn: {} categorical and {} continuous inputs from {} "
                                 "metadata attributes",
                                 encTrain.categoricalNames.size(), encTrain.continuousNames.size(),
                                 fc.attributes.size()));

  // Architecture: embedding tables from the pretrained run, or learnt.
  bool pretrainedMean = false;  // the output bias is the embeddings run's global mean
  Architecture a;
  a.users = std::max<std::int64_t>(1, log.numUsers());
  a.items = log.numItems();
  a.dim = m_config.embeddingDim;
  Eigen::MatrixXf pu, qi;
  if (ctx.pretrained) {
    pu = ctx.pretrained->userEmbeddings();
    qi = ctx.pretrained->itemEmbeddings();
    if (pu.rows() != log.numUsers() || qi.rows() != log.numItems() || pu.cols() != qi.cols()) {
      throw InputError(fmt::format(
          "hybrid_cnn: the embeddings run has {} users x {} and {} items x {}, this dataset {} "
          "users and {} items: the run must be on the same dataset",
          pu.rows(), pu.cols(), qi.rows(), qi.cols(), log.numUsers(), log.numItems()));
    }
    a.dim = pu.cols();
  } else if (m_config.embeddingsRun > 0) {
    throw InputError("hybrid_cnn: embeddings_run is set but no run's embeddings were given");
  }
  for (auto c : encTrain.cardinalities) a.cardinalities.push_back(c);
  a.continuous = static_cast<std::int64_t>(encTrain.continuousNames.size());
  m_impl->classes = regression ? std::vector<std::string>{} : log.eventNames;
  a.outputs = regression ? 1 : static_cast<std::int64_t>(log.eventNames.size());
  m_impl->arch = a;

  torch::manual_seed(ctx.seed);
  m_impl->net = HybridNet(a, m_config);
  auto& net = m_impl->net;
  if (ctx.pretrained) {
    torch::NoGradGuard noGrad;
    net->user->weight.copy_(fromEigenMatrix(pu));
    net->item->weight.copy_(fromEigenMatrix(qi));
    ctx.observer.onLog(LogLevel::Info,
                       fmt::format("hybrid_cnn: {}-d user and item embeddings from run {} ({})",
                                   a.dim, m_config.embeddingsRun,
                                   m_config.freezeEmbeddings ? "frozen" : "fine-tuned"));
  }
  if (ctx.pretrained && net->userBias) {
    const Eigen::VectorXf bu = ctx.pretrained->ratingUserBiases(), bi = ctx.pretrained->ratingItemBiases();
    if (bu.size() == log.numUsers() && bi.size() == log.numItems()) {
      torch::NoGradGuard noGrad;
      net->userBias->weight.copy_(fromEigenMatrix(bu).view({-1, 1}));
      net->itemBias->weight.copy_(fromEigenMatrix(bi).view({-1, 1}));
      net->out->bias.fill_(ctx.pretrained->ratingGlobalMean());
      pretrainedMean = true;
    }
  }
  if (ctx.pretrained && m_config.freezeEmbeddings) {
    net->user->weight.set_requires_grad(false);
    net->item->weight.set_requires_grad(false);
  }

  auto train = m_impl->columns(log, encTrain, ctx.trainRows, m_config.head);
  TensorColumns valid;
  if (ctx.validRows && !ctx.validRows->empty())
    valid = m_impl->columns(log, m_impl->pipeline->transform(*raw, *ctx.validRows), *ctx.validRows, m_config.head);

  torch::Tensor weights;
  if (regression && !pretrainedMean) {
    double sum = 0;
    for (auto r : ctx.trainRows) sum += log.value[r];
    torch::NoGradGuard noGrad;
    net->out->bias.fill_(sum / static_cast<double>(ctx.trainRows.size()));
  } else if (regression) {
    ctx.observer.onLog(LogLevel::Info,
                       "hybrid_cnn_regressor: starts from the embeddings run's prediction "
                       "(mu + b_u + b_i + p_u.q_i) and learns the metadata's correction");
  } else if (m_config.classWeights != "none") {
    std::vector<float> w;
    if (m_config.classWeights == "balanced") {
      std::vector<std::int64_t> counts(static_cast<std::size_t>(a.outputs), 0);
      for (auto r : ctx.trainRows) ++counts[log.eventAt(r)];
      w = balancedClassWeights(counts);
    } else {
      for (double v : parseClassWeights(m_config.classWeights)) w.push_back(static_cast<float>(v));
      if (static_cast<std::int64_t>(w.size()) != a.outputs) {
        throw InputError(fmt::format("hybrid_cnn: class_weights gives {} weights for {} classes ({})",
                                     w.size(), a.outputs, fmt::join(log.eventNames, ", ")));
      }
    }
    weights = torch::tensor(w);
    ctx.observer.onLog(LogLevel::Info, fmt::format("hybrid_cnn: class weights {:.4g} for {}",
                                                   fmt::join(w, ", "), fmt::join(log.eventNames, ", ")));
  }

  HybridTrainable trainable(net, m_impl->classes, weights);
  Trainer trainer(m_config.trainer, name());
  trainer.fit(trainable, train, &valid, ctx);
  const auto counts = countParameters(*net);
  m_impl->trainable = counts.trainable;
  m_impl->nonTrainable = counts.nonTrainable;
}

void HybridCnn::predictProba(const data::InteractionLog& log, const std::vector<std::uint32_t>& rows,
                             std::vector<float>& out) const {
  if (!m_impl->net) throw InputError("hybrid_cnn: the model is not trained");
  auto raw = m_impl->raw(log);
  auto cols = m_impl->columns(log, m_impl->pipeline->transform(*raw, rows), rows, m_config.head);
  auto y = m_impl->outputs(cols);
  out.assign(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
}

void HybridCnn::predictRows(const data::InteractionLog& log, const std::vector<std::uint32_t>& rows,
                            std::vector<float>& out) const {
  if (m_config.head != "regression") {
    throw InputError("hybrid_cnn: predictRows is for the regression head; use predictProba");
  }
  predictProba(log, rows, out);
}

std::vector<float> HybridCnn::scoreItemsForUser(const data::InteractionLog& log, std::int32_t user,
                                                std::uint32_t contextRow, int targetClass) const {
  if (!m_impl->net) throw InputError("hybrid_cnn: the model is not trained");
  auto raw = m_impl->raw(log);
  const auto nItems = static_cast<std::size_t>(m_impl->arch.items);
  // A representative row of each item (its latest) supplies the item's own attributes.
  std::vector<std::int64_t> itemRow(nItems, -1);
  for (std::uint32_t r = 0; r < log.numRows(); ++r) {
    const auto i = static_cast<std::size_t>(log.item[r]);
    if (i < nItems) itemRow[i] = r;
  }
  features::RawFeatures synth;
  synth.rows = nItems;
  synth.attributeOf = raw->attributeOf;
  const auto& attrs = m_impl->pipeline->config().attributes;
  for (std::size_t k = 0; k < raw->columns.size(); ++k) {
    const auto& src = raw->columns[k];
    features::RawColumn col;
    col.categorical = src.categorical;
    col.numCodes = src.numCodes;
    col.keyOf = src.keyOf;
    col.source = src.source;
    const bool fromItem = itemDependent(attrs[raw->attributeOf[k]]);
    for (std::size_t i = 0; i < nItems; ++i) {
      const std::int64_t r = fromItem ? itemRow[i] : static_cast<std::int64_t>(contextRow);
      if (src.categorical) {
        col.codes.push_back(r < 0 ? -1 : src.codes[static_cast<std::size_t>(r)]);
      } else {
        col.numeric.push_back(r < 0 ? std::numeric_limits<float>::quiet_NaN()
                                    : src.numeric[static_cast<std::size_t>(r)]);
      }
    }
    synth.columns.push_back(std::move(col));
  }
  std::vector<std::uint32_t> all(nItems);
  for (std::size_t i = 0; i < nItems; ++i) all[i] = static_cast<std::uint32_t>(i);
  auto enc = m_impl->pipeline->transform(synth, all);
  TensorColumns cols;
  auto u = torch::full({static_cast<std::int64_t>(nItems)}, static_cast<std::int64_t>(user), torch::kInt64);
  auto it = torch::arange(static_cast<std::int64_t>(nItems), torch::kInt64);
  const auto n = static_cast<std::int64_t>(nItems);
  auto cat = torch::from_blob(enc.categorical.data(), {n, static_cast<std::int64_t>(enc.categoricalNames.size())}, torch::kInt64).clone();
  auto cont = torch::from_blob(enc.continuous.data(), {n, static_cast<std::int64_t>(enc.continuousNames.size())}, torch::kFloat32).clone();
  cols.columns = {u, it, cat, cont, torch::zeros({n})};
  auto y = m_impl->outputs(cols);
  if (m_config.head != "regression") {
    const int c = targetClass >= 0 ? targetClass : static_cast<int>(m_impl->arch.outputs) - 1;
    y = y.select(1, c).contiguous();
  }
  return std::vector<float>(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
}

std::pair<std::int64_t, std::int64_t> HybridCnn::parameterCounts() const {
  return {m_impl->trainable, m_impl->nonTrainable};
}

std::vector<float> HybridCnn::userTable() const {
  auto w = m_impl->net->user->weight.detach().contiguous();
  return std::vector<float>(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
}

void HybridCnn::save(const std::string& path) const {
  if (!m_impl->net) throw InputError("hybrid_cnn: nothing to save before training");
  nlohmann::json cfg = {{"head", m_config.head},
                        {"conv_filters", m_config.convFilters},
                        {"conv_kernel", m_config.convKernel},
                        {"categorical_dim", m_config.categoricalDim},
                        {"continuous_units", m_config.continuousUnits},
                        {"dense_layers", m_config.denseLayers},
                        {"dropout", m_config.dropout},
                        {"wide_path", m_config.widePath},
                        {"classes", m_impl->classes},
                        {"frozen", !m_impl->net->user->weight.requires_grad()}};
  saveCheckpoint(path, *m_impl->net, nullptr,
                 {{"model", "hybrid_cnn"},
                  {"architecture", m_impl->arch.toJson().dump()},
                  {"config", cfg.dump()},
                  {"features", m_impl->pipeline->state().dump()}});
}

void HybridCnn::load(const std::string& path) {
  auto extra = readCheckpointExtra(path);
  if (extra["model"] != "hybrid_cnn") throw InputError(path + ": not a hybrid CNN model file");
  auto cfg = nlohmann::json::parse(extra.at("config"));
  m_config.head = cfg.at("head");
  m_config.convFilters = cfg.at("conv_filters");
  m_config.convKernel = cfg.at("conv_kernel");
  m_config.categoricalDim = cfg.at("categorical_dim");
  m_config.continuousUnits = cfg.at("continuous_units");
  m_config.denseLayers = cfg.at("dense_layers");
  m_config.dropout = cfg.at("dropout");
  m_config.widePath = cfg.value("wide_path", false);
  m_impl->classes = cfg.at("classes").get<std::vector<std::string>>();
  m_impl->arch = Architecture::fromJson(nlohmann::json::parse(extra.at("architecture")));
  m_impl->pipeline = std::make_unique<features::FeaturePipeline>(
      features::FeaturePipeline::fromState(nlohmann::json::parse(extra.at("features"))));
  m_impl->net = HybridNet(m_impl->arch, m_config);
  loadCheckpoint(path, *m_impl->net);
  if (cfg.value("frozen", false)) {
    m_impl->net->user->weight.set_requires_grad(false);
    m_impl->net->item->weight.set_requires_grad(false);
  }
  m_impl->net->eval();
  const auto counts = countParameters(*m_impl->net);
  m_impl->trainable = counts.trainable;
  m_impl->nonTrainable = counts.nonTrainable;
}

}  // namespace reclab::models::neural

#include "models/neural/dmf.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/errors.h"
#include "models/neural/trainer.h"
#include "models/neural/torch_util.h"

namespace reclab::models::neural {

void DmfConfig::validate() const {
  auto fail = [](const std::string& m) { throw InputError("dmf: " + m); };
  if (embeddingDim <= 0) fail(fmt::format("embedding_dim must be > 0, got {}", embeddingDim));
  if (embeddingL2 < 0) fail(fmt::format("embedding_l2 must be >= 0, got {}", embeddingL2));
  if (l2Scope != "table" && l2Scope != "batch")
    fail("l2_scope must be table or batch, got '" + l2Scope + "'");
  if (!(dropout >= 0 && dropout < 1)) fail(fmt::format("dropout must be in [0, 1), got {}", dropout));
  if (leakyAlpha < 0) fail(fmt::format("leaky_alpha must be >= 0, got {}", leakyAlpha));
  if (dropoutLayers < 0) fail(fmt::format("dropout_layers must be >= 0, got {}", dropoutLayers));
  layers();
  trainer.validate("dmf");
}

std::vector<int> DmfConfig::layers() const {
  return parseLayerSizes(hiddenLayers, "dmf: hidden_layers");
}

namespace {

struct DmfNetImpl : torch::nn::Module {
  DmfNetImpl(std::int64_t users, std::int64_t items, const DmfConfig& c) : config(c) {
    user = register_module("user_embedding", torch::nn::Embedding(users, c.embeddingDim));
    item = register_module("item_embedding", torch::nn::Embedding(items, c.embeddingDim));
    std::int64_t in = 2 * c.embeddingDim;
    const auto sizes = c.layers();
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      dense.push_back(register_module(fmt::format("dense{}", k + 1), torch::nn::Linear(in, sizes[k])));
      if (c.batchNorm) bn.push_back(register_module(fmt::format("bn{}", k + 1), kerasBatchNorm(sizes[k])));
      in = sizes[k];
    }
    out = register_module("output", torch::nn::Linear(in, 1));
    torch::NoGradGuard noGrad;
    user->weight.uniform_(-0.05, 0.05);
    item->weight.uniform_(-0.05, 0.05);
    for (auto& d : dense) kerasDenseInit(d);
    kerasDenseInit(out);
  }

  /// Everything after the first dense layer's affine map.
  torch::Tensor fromFirst(torch::Tensor x) {
    for (std::size_t k = 0; k < dense.size(); ++k) {
      if (k > 0) x = dense[k]->forward(x);
      if (!bn.empty()) x = bn[k]->forward(x);
      x = torch::leaky_relu(x, config.leakyAlpha);
      if (static_cast<int>(k) < config.dropoutLayers && config.dropout > 0) {
        x = engineDropout(x, config.dropout, is_training(), config.trainer.fusedKernels);
      }
    }
    return out->forward(x).view({-1});
  }

  torch::Tensor forward(const torch::Tensor& u, const torch::Tensor& i) {
    auto x = torch::cat({user->forward(u), item->forward(i)}, 1);
    return fromFirst(dense.front()->forward(x));
  }

  DmfConfig config;
  torch::nn::Embedding user{nullptr}, item{nullptr};
  std::vector<torch::nn::Linear> dense;
  std::vector<torch::nn::BatchNorm1d> bn;
  torch::nn::Linear out{nullptr};
};
TORCH_MODULE(DmfNet);

class DmfTrainable : public TrainableNet {
 public:
  explicit DmfTrainable(DmfNet net) : m_net(std::move(net)) {}
  torch::nn::Module& net() override { return *m_net; }
  torch::Tensor forward(const std::vector<torch::Tensor>& b) override {
    return m_net->forward(b[0], b[1]);
  }
  torch::Tensor loss(const torch::Tensor& out, const std::vector<torch::Tensor>& b) override {
    auto mse = torch::mse_loss(out, b[2]);
    const auto& c = m_net->config;
    if (c.embeddingL2 > 0 && c.l2Scope == "batch" && m_net->is_training()) {
      auto pu = m_net->user->weight.index_select(0, b[0]);
      auto qi = m_net->item->weight.index_select(0, b[1]);
      mse = mse + c.embeddingL2 * (pu.pow(2).sum() + qi.pow(2).sum()) / static_cast<double>(out.size(0));
    }
    return mse;
  }
  std::vector<L2Term> l2Terms() override {
    const auto& c = m_net->config;
    if (c.embeddingL2 <= 0 || c.l2Scope != "table") return {};
    return {{m_net->user->weight, c.embeddingL2}, {m_net->item->weight, c.embeddingL2}};
  }
  OutputKind outputKind() const override { return OutputKind::Regression; }
  std::size_t targetColumn() const override { return 2; }

 private:
  DmfNet m_net;
};

TensorColumns ratingColumns(const data::InteractionLog& log, const std::vector<std::uint32_t>& rows) {
  const auto n = static_cast<std::int64_t>(rows.size());
  auto u = torch::empty({n}, torch::kInt64);
  auto i = torch::empty({n}, torch::kInt64);
  auto r = torch::empty({n}, torch::kFloat32);
  auto* pu = u.data_ptr<std::int64_t>();
  auto* pi = i.data_ptr<std::int64_t>();
  auto* pr = r.data_ptr<float>();
  for (std::int64_t j = 0; j < n; ++j) {
    const auto row = rows[static_cast<std::size_t>(j)];
    pu[j] = log.user[row];
    pi[j] = log.item[row];
    pr[j] = log.value[row];
  }
  TensorColumns t;
  t.columns = {u, i, r};
  t.logRows = rows;
  return t;
}

}  // namespace

struct Dmf::Impl {
  DmfNet net{nullptr};
  /// item embeddings times the item half of the first dense layer (items x h1), for scoring.
  torch::Tensor itemFirst;
  std::int64_t trainable = 0, nonTrainable = 0;

  void prepareScoring() {
    torch::NoGradGuard noGrad;
    net->eval();
    const auto k = net->config.embeddingDim;
    auto w = net->dense.front()->weight;  // h1 x 2k
    itemFirst = torch::matmul(net->item->weight, w.slice(1, k, 2 * k).t()).contiguous();
  }
};

Dmf::Dmf(DmfConfig config) : m_config(std::move(config)), m_impl(std::make_unique<Impl>()) {
  m_config.validate();
}
Dmf::~Dmf() = default;

std::int32_t Dmf::numItems() const {
  return m_impl->net ? static_cast<std::int32_t>(m_impl->net->item->weight.size(0)) : 0;
}

void Dmf::fit(const TrainContext& ctx) {
  const auto& log = ctx.log;
  if (!log.hasUsers() || !log.hasValues()) {
    throw InputError("dmf needs a user and a value (rating) column; this dataset has " +
                     std::string(log.hasUsers() ? "no values" : "no users"));
  }
  if (ctx.trainRows.empty()) throw InputError("dmf: no training rows");
  torch::manual_seed(ctx.seed);
  m_impl->net = DmfNet(log.numUsers(), log.numItems(), m_config);
  if (m_config.initOutputToMean) {
    double sum = 0;
    for (auto r : ctx.trainRows) sum += log.value[r];
    torch::NoGradGuard noGrad;
    m_impl->net->out->bias.fill_(sum / static_cast<double>(ctx.trainRows.size()));
  }
  train(ctx, m_config.trainer.epochs);
}

void Dmf::train(const TrainContext& ctx, int epochs) {
  TrainerConfig tc = m_config.trainer;
  tc.epochs = epochs;
  Trainer trainer(tc, "dmf");
  DmfTrainable trainable(m_impl->net);
  auto train = ratingColumns(ctx.log, ctx.trainRows);
  TensorColumns valid;
  if (ctx.validRows && !ctx.validRows->empty()) valid = ratingColumns(ctx.log, *ctx.validRows);
  try {
    trainer.fit(trainable, train, &valid, ctx);
  } catch (const TrainingDiverged&) {
    m_impl->prepareScoring();
    throw;
  }
  const auto counts = countParameters(*m_impl->net);
  m_impl->trainable = counts.trainable;
  m_impl->nonTrainable = counts.nonTrainable;
  m_impl->prepareScoring();
}

void Dmf::fineTune(const TrainContext& ctx, int epochs) {
  if (!m_impl->net) throw InputError("dmf: fine-tuning needs a trained model");
  m_impl->net->train();
  train(ctx, epochs);
}

std::pair<std::int64_t, std::int64_t> Dmf::parameterCounts() const {
  return {m_impl->trainable, m_impl->nonTrainable};
}

void Dmf::scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const {
  torch::NoGradGuard noGrad;
  auto& net = m_impl->net;
  const auto k = m_config.embeddingDim;
  const auto nItems = m_impl->itemFirst.size(0);
  out.resize(static_cast<Eigen::Index>(users.size()), nItems);
  auto w = net->dense.front()->weight;  // h1 x 2k
  auto b = net->dense.front()->bias;
  for (std::size_t j = 0; j < users.size(); ++j) {
    auto e = net->user->weight[users[j]];
    auto userPart = torch::matmul(w.slice(1, 0, k), e) + b;  // h1
    auto scores = net->fromFirst(m_impl->itemFirst + userPart).contiguous();
    std::copy_n(scores.data_ptr<float>(), nItems, out.row(static_cast<Eigen::Index>(j)).data());
  }
}

void Dmf::predict(const std::vector<std::int32_t>& users, const std::vector<std::int32_t>& items,
                  std::vector<float>& out) const {
  torch::NoGradGuard noGrad;
  out.resize(users.size());
  const auto n = static_cast<std::int64_t>(users.size());
  const std::int64_t bs = 65536;
  for (std::int64_t lo = 0; lo < n; lo += bs) {
    const auto m = std::min(bs, n - lo);
    auto u = torch::from_blob(const_cast<std::int32_t*>(users.data()) + lo, {m}, torch::kInt32).to(torch::kInt64);
    auto i = torch::from_blob(const_cast<std::int32_t*>(items.data()) + lo, {m}, torch::kInt32).to(torch::kInt64);
    auto p = m_impl->net->forward(u, i).contiguous();
    std::copy_n(p.data_ptr<float>(), m, out.data() + lo);
  }
}

Eigen::MatrixXf Dmf::userEmbeddings() const { return toEigenMatrix(m_impl->net->user->weight); }
Eigen::MatrixXf Dmf::itemEmbeddings() const { return toEigenMatrix(m_impl->net->item->weight); }

void Dmf::grow(std::int32_t numUsers, std::int32_t numItems, std::uint64_t seed) {
  if (!m_impl->net) throw InputError("dmf: growing needs a trained model");
  torch::manual_seed(seed);
  auto widen = [](torch::nn::Embedding& emb, std::int64_t n) {
    const auto old = emb->weight.size(0);
    if (n <= old) return;
    torch::NoGradGuard noGrad;
    auto extra = torch::empty({n - old, emb->weight.size(1)}).uniform_(-0.05, 0.05);
    emb->weight.set_data(torch::cat({emb->weight.detach(), extra}, 0));
  };
  widen(m_impl->net->user, numUsers);
  widen(m_impl->net->item, numItems);
  m_impl->prepareScoring();
}

void Dmf::foldInUser(const data::InteractionLog& log, std::int32_t user,
                     const std::vector<std::uint32_t>& rows) {
  if (!m_impl->net) throw InputError("dmf: fold-in needs a trained model");
  if (rows.empty()) return;
  auto& net = m_impl->net;
  net->eval();  // BatchNorm statistics and dropout fixed: only the user's vector moves
  // Small problems: one thread, and no gradients for the network's own weights.
  const int threadsBefore = torch::get_num_threads();
  torch::set_num_threads(1);
  std::vector<std::pair<torch::Tensor, bool>> frozen;
  for (auto& p : net->parameters()) {
    frozen.emplace_back(p, p.requires_grad());
    p.set_requires_grad(false);
  }
  auto cols = ratingColumns(log, rows);
  auto e = net->user->weight[user].detach().clone().requires_grad_(true);
  torch::optim::Adam opt({e}, torch::optim::AdamOptions(m_config.foldInLr));
  auto itemVecs = net->item->weight.index_select(0, cols.columns[1]).detach();
  // The item half of the first layer does not change during the fold-in: computed once.
  const auto k = m_config.embeddingDim;
  auto w = net->dense.front()->weight;
  auto itemPart = torch::matmul(itemVecs, w.slice(1, k, 2 * k).t()) + net->dense.front()->bias;
  auto userW = w.slice(1, 0, k);
  for (int s = 0; s < m_config.foldInSteps; ++s) {
    auto pred = net->fromFirst(itemPart + torch::matmul(userW, e));
    auto loss = torch::mse_loss(pred, cols.columns[2]) +
                m_config.embeddingL2 * e.pow(2).sum() / static_cast<double>(rows.size());
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  torch::NoGradGuard noGrad;
  net->user->weight[user].copy_(e.detach());
  for (auto& [p, req] : frozen) p.set_requires_grad(req);
  torch::set_num_threads(threadsBefore);
}

namespace {

nlohmann::json archJson(const DmfConfig& c, std::int64_t users, std::int64_t items) {
  return {{"embedding_dim", c.embeddingDim}, {"hidden_layers", c.hiddenLayers},
          {"batch_norm", c.batchNorm},       {"leaky_alpha", c.leakyAlpha},
          {"dropout", c.dropout},            {"dropout_layers", c.dropoutLayers},
          {"users", users},                  {"items", items}};
}

}  // namespace

void Dmf::save(const std::string& path) const {
  if (!m_impl->net) throw InputError("dmf: nothing to save before training");
  auto arch = archJson(m_config, m_impl->net->user->weight.size(0), numItems());
  saveCheckpoint(path, *m_impl->net, nullptr, {{"model", "dmf"}, {"architecture", arch.dump()}});
}

void Dmf::load(const std::string& path) {
  auto extra = readCheckpointExtra(path);
  if (extra["model"] != "dmf") throw InputError(path + ": not a DMF model file");
  auto arch = nlohmann::json::parse(extra["architecture"]);
  m_config.embeddingDim = arch.at("embedding_dim").get<int>();
  m_config.hiddenLayers = arch.at("hidden_layers").get<std::string>();
  m_config.batchNorm = arch.at("batch_norm").get<bool>();
  m_config.leakyAlpha = arch.at("leaky_alpha").get<double>();
  m_config.dropout = arch.at("dropout").get<double>();
  m_config.dropoutLayers = arch.at("dropout_layers").get<int>();
  m_impl->net = DmfNet(arch.at("users").get<std::int64_t>(), arch.at("items").get<std::int64_t>(),
                       m_config);
  loadCheckpoint(path, *m_impl->net);
  const auto counts = countParameters(*m_impl->net);
  m_impl->trainable = counts.trainable;
  m_impl->nonTrainable = counts.nonTrainable;
  m_impl->prepareScoring();
}

}  // namespace reclab::models::neural

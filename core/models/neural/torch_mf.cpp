#include "models/neural/torch_mf.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "common/binary_io.h"
#include "common/errors.h"

namespace reclab::models::neural {

void TorchMfConfig::validate() const {
  auto positive = [](const char* name, double v) {
    if (!(v > 0)) throw InputError(std::string("torch_mf: ") + name + " must be > 0, got " +
                                   std::to_string(v));
  };
  positive("factors", factors);
  positive("epochs", epochs);
  positive("batch_size", batchSize);
  positive("lr", learningRate);
  positive("init_std", initStd);
  if (reg < 0) throw InputError("torch_mf: reg must be >= 0, got " + std::to_string(reg));
  if (threads < 0) throw InputError("torch_mf: threads must be >= 0");
}

TorchMf::TorchMf(TorchMfConfig config) : m_config(config) { m_config.validate(); }

namespace {

Eigen::MatrixXf toEigen(const torch::Tensor& t) {
  auto c = t.detach().contiguous().to(torch::kFloat32);
  const auto rows = c.size(0);
  const auto cols = c.dim() > 1 ? c.size(1) : 1;
  Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(
      c.data_ptr<float>(), rows, cols);
  return m;
}

}  // namespace

void TorchMf::fit(const TrainContext& ctx) {
  const auto& log = ctx.log;
  if (!log.hasUsers() || !log.hasValues()) {
    throw InputError("torch_mf needs a user and a value (rating) column; this dataset has " +
                     std::string(log.hasUsers() ? "no values" : "no users"));
  }
  if (ctx.trainRows.empty()) throw InputError("torch_mf: no training rows");
  const int threads = m_config.threads > 0 ? m_config.threads : std::max(1, ctx.threads);
  torch::set_num_threads(threads);  // per thread in LibTorch: set in the thread that trains
  torch::manual_seed(ctx.seed);

  const int64_t nUsers = log.numUsers();
  const int64_t nItems = log.numItems();
  const int64_t k = m_config.factors;

  // Global mean of training ratings initialises mu.
  double sum = 0;
  for (auto r : ctx.trainRows) sum += log.value[r];
  const double mean = sum / static_cast<double>(ctx.trainRows.size());

  auto P = (torch::randn({nUsers, k}) * m_config.initStd).requires_grad_(true);
  auto Q = (torch::randn({nItems, k}) * m_config.initStd).requires_grad_(true);
  auto bu = torch::zeros({nUsers}).requires_grad_(true);
  auto bi = torch::zeros({nItems}).requires_grad_(true);
  auto mu = torch::full({1}, mean).requires_grad_(true);
  torch::optim::Adam optimizer({P, Q, bu, bi, mu},
                               torch::optim::AdamOptions(m_config.learningRate));

  // Training rows gathered once into contiguous arrays; each batch is a slice of a permutation.
  const auto n = static_cast<int64_t>(ctx.trainRows.size());
  std::vector<int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::vector<int64_t> users(static_cast<std::size_t>(n)), items(static_cast<std::size_t>(n));
  std::vector<float> ratings(static_cast<std::size_t>(n));
  std::vector<int64_t> bu_idx(static_cast<std::size_t>(m_config.batchSize)),
      bi_idx(static_cast<std::size_t>(m_config.batchSize));
  std::vector<float> br(static_cast<std::size_t>(m_config.batchSize));
  std::mt19937_64 rng(ctx.seed);

  auto validRmse = [&]() -> double {
    if (!ctx.validRows || ctx.validRows->empty()) return std::nan("");
    torch::NoGradGuard guard;
    std::vector<int64_t> vu, vi;
    std::vector<float> vr;
    for (auto r : *ctx.validRows) {
      vu.push_back(log.user[r]);
      vi.push_back(log.item[r]);
      vr.push_back(log.value[r]);
    }
    auto tu = torch::from_blob(vu.data(), {static_cast<int64_t>(vu.size())}, torch::kInt64);
    auto ti = torch::from_blob(vi.data(), {static_cast<int64_t>(vi.size())}, torch::kInt64);
    auto tr = torch::from_blob(vr.data(), {static_cast<int64_t>(vr.size())}, torch::kFloat32);
    auto pred = mu + bu.index_select(0, tu) + bi.index_select(0, ti) +
                (P.index_select(0, tu) * Q.index_select(0, ti)).sum(1);
    return std::sqrt((pred - tr).pow(2).mean().item<double>());
  };

  const int64_t bs = m_config.batchSize;
  const int64_t batchesPerEpoch = (n + bs - 1) / bs;
  const int64_t reportEvery = std::max<int64_t>(1, batchesPerEpoch / 50);
  long long step = 0;
  for (int epoch = 1; epoch <= m_config.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    for (int64_t j = 0; j < n; ++j) {
      auto r = ctx.trainRows[static_cast<std::size_t>(order[static_cast<std::size_t>(j)])];
      users[static_cast<std::size_t>(j)] = log.user[r];
      items[static_cast<std::size_t>(j)] = log.item[r];
      ratings[static_cast<std::size_t>(j)] = log.value[r];
    }
    double sse = 0, objective = 0;
    auto start = std::chrono::steady_clock::now();
    for (int64_t b = 0; b < batchesPerEpoch; ++b) {
      if (ctx.stop.stopRequested()) break;
      const int64_t lo = b * bs;
      const int64_t m = std::min(bs, n - lo);
      auto tu = torch::from_blob(users.data() + lo, {m}, torch::kInt64);
      auto ti = torch::from_blob(items.data() + lo, {m}, torch::kInt64);
      auto tr = torch::from_blob(ratings.data() + lo, {m}, torch::kFloat32);
      auto pu = P.index_select(0, tu);
      auto qi = Q.index_select(0, ti);
      auto bub = bu.index_select(0, tu);
      auto bib = bi.index_select(0, ti);
      auto pred = mu + bub + bib + (pu * qi).sum(1);
      auto mse = (pred - tr).pow(2).mean();
      auto penalty = (pu.pow(2).sum() + qi.pow(2).sum() + bub.pow(2).sum() + bib.pow(2).sum()) /
                     static_cast<double>(m);
      auto loss = mse + m_config.reg * penalty;
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      const double batchMse = mse.item<double>();
      const double batchLoss = loss.item<double>();
      sse += batchMse * static_cast<double>(m);
      objective += batchLoss * static_cast<double>(m);
      ++step;
      if (b % reportEvery == 0) {
        TrainingReport rep;
        rep.epoch = epoch;
        rep.batch = b;
        rep.step = step;
        rep.values["train_loss"] = batchLoss;
        ctx.observer.onBatch(rep);
        ctx.observer.onProgress(
            (static_cast<double>(epoch - 1) + static_cast<double>(b + 1) / batchesPerEpoch) /
                m_config.epochs,
            "training");
      }
    }
    if (ctx.stop.stopRequested()) break;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    TrainingReport rep;
    rep.epoch = epoch;
    rep.step = step;
    rep.values["train_rmse"] = std::sqrt(sse / static_cast<double>(n));
    // Same quantity as the per-batch train_loss: squared error plus the L2 penalty.
    rep.values["train_loss"] = objective / static_cast<double>(n);
    rep.values["samples_per_second"] = seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
    const double v = validRmse();
    if (!std::isnan(v)) rep.values["val_rmse"] = v;
    if (!std::isfinite(rep.values["train_loss"])) {
      throw std::runtime_error("torch_mf: training diverged (loss is not finite) at epoch " +
                               std::to_string(epoch) + "; lower the learning rate");
    }
    if (ctx.endEpoch(rep)) break;
  }
  m_mu = mu.item<float>();
  m_bu = toEigen(bu);
  m_bi = toEigen(bi);
  m_p = toEigen(P);
  m_q = toEigen(Q);
}

void TorchMf::scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const {
  Eigen::MatrixXf pu(static_cast<Eigen::Index>(users.size()), m_p.cols());
  for (std::size_t j = 0; j < users.size(); ++j) pu.row(static_cast<Eigen::Index>(j)) = m_p.row(users[j]);
  out.noalias() = pu * m_q.transpose();
  out.rowwise() += m_bi.transpose();
}

void TorchMf::predict(const std::vector<std::int32_t>& users,
                      const std::vector<std::int32_t>& items, std::vector<float>& out) const {
  out.resize(users.size());
  for (std::size_t j = 0; j < users.size(); ++j) {
    out[j] = m_mu + m_bu(users[j]) + m_bi(items[j]) + m_p.row(users[j]).dot(m_q.row(items[j]));
  }
}

namespace {

std::vector<float> flat(const Eigen::MatrixXf& m) {
  return std::vector<float>(m.data(), m.data() + m.size());
}

}  // namespace

void TorchMf::save(const std::string& path) const {
  BinaryWriter w(path, "reclab.torch_mf", 1);
  w.write<std::int64_t>(m_p.rows());
  w.write<std::int64_t>(m_q.rows());
  w.write<std::int64_t>(m_p.cols());
  w.write(m_mu);
  w.writeVector(flat(m_bu));
  w.writeVector(flat(m_bi));
  w.writeVector(flat(m_p));
  w.writeVector(flat(m_q));
  w.close();
}

void TorchMf::load(const std::string& path) {
  BinaryReader r(path, "reclab.torch_mf", 1);
  auto nu = r.read<std::int64_t>(), ni = r.read<std::int64_t>(), k = r.read<std::int64_t>();
  m_mu = r.read<float>();
  auto bu = r.readVector<float>(), bi = r.readVector<float>();
  auto p = r.readVector<float>(), q = r.readVector<float>();
  if (static_cast<int64_t>(bu.size()) != nu || static_cast<int64_t>(bi.size()) != ni ||
      static_cast<int64_t>(p.size()) != nu * k || static_cast<int64_t>(q.size()) != ni * k) {
    throw InputError(path + ": inconsistent torch_mf file");
  }
  m_bu = Eigen::Map<Eigen::VectorXf>(bu.data(), nu);
  m_bi = Eigen::Map<Eigen::VectorXf>(bi.data(), ni);
  m_p = Eigen::Map<Eigen::MatrixXf>(p.data(), nu, k);
  m_q = Eigen::Map<Eigen::MatrixXf>(q.data(), ni, k);
  m_config.factors = static_cast<int>(k);
}

}  // namespace reclab::models::neural

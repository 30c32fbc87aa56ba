// Incremental learning for Svd (seed C): table growth, least-squares fold-in of one user,
// fine-tuning SGD passes over new rows. The rules are in svd.h.

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/classic/svd.h"

namespace reclab::models {

namespace {

template <typename Vector>
void growVector(Vector& v, Eigen::Index n) {
  const auto old = v.size();
  if (n <= old) return;
  v.conservativeResize(n);
  v.tail(n - old).setZero();
}

/// Appends rows to a factor table, drawn as at the start of training.
void growFactors(FactorMatrix& m, Eigen::Index rows, const SvdConfig& c, std::mt19937_64& rng) {
  const auto old = m.rows();
  if (rows <= old) return;
  FactorMatrix fresh(rows - old, m.cols());
  svd_detail::initNormal(fresh, c.initMean, c.initStdDev, rng);
  m.conservativeResize(rows, Eigen::NoChange);
  m.bottomRows(rows - old) = fresh;
}

}  // namespace

bool Svd::userKnown(std::int32_t user) const {
  return user >= 0 && static_cast<std::size_t>(user) < m_userKnown.size() &&
         m_userKnown[static_cast<std::size_t>(user)];
}

bool Svd::itemKnown(std::int32_t item) const {
  return item >= 0 && static_cast<std::size_t>(item) < m_itemKnown.size() &&
         m_itemKnown[static_cast<std::size_t>(item)];
}

void Svd::grow(std::int32_t numUsers, std::int32_t numItems, std::uint64_t seed) {
  if (m_q.cols() == 0) m_q.resize(m_q.rows(), m_config.nFactors);
  if (m_p.cols() == 0) m_p.resize(m_p.rows(), m_config.nFactors);
  std::mt19937_64 rng(seed);
  growFactors(m_p, numUsers, m_config, rng);
  growFactors(m_q, numItems, m_config, rng);
  growVector(m_bu, m_p.rows());
  growVector(m_bi, m_q.rows());
  m_userKnown.resize(static_cast<std::size_t>(m_p.rows()), 0);
  m_itemKnown.resize(static_cast<std::size_t>(m_q.rows()), 0);
}

void Svd::foldInUser(const data::InteractionLog& log, std::int32_t user,
                     const std::vector<std::uint32_t>& rows) {
  if (user < 0 || user >= m_p.rows()) {
    throw std::invalid_argument("svd: foldInUser: user " + std::to_string(user) +
                                " is outside the table of " + std::to_string(m_p.rows()) +
                                " users (grow first)");
  }
  if (rows.empty()) return;
  if (!log.hasUsers() || !log.hasValues()) {
    throw std::invalid_argument("svd: foldInUser needs a log with user and value columns");
  }
  const bool biased = m_config.biased;
  const Eigen::Index k = m_p.cols();
  const Eigen::Index off = biased ? 1 : 0;
  const Eigen::Index dim = k + off;
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(dim, dim);
  Eigen::VectorXd b = Eigen::VectorXd::Zero(dim);
  Eigen::VectorXd x(dim);
  float lo = m_min, hi = m_max;
  for (auto r : rows) {
    if (log.user[r] != user) {
      throw std::invalid_argument("svd: foldInUser: row " + std::to_string(r) +
                                  " is not a row of user " + std::to_string(user));
    }
    const auto i = log.item[r];
    if (i < 0 || i >= m_q.rows()) {
      throw std::invalid_argument("svd: foldInUser: item " + std::to_string(i) +
                                  " is outside the table of " + std::to_string(m_q.rows()) +
                                  " items (grow first)");
    }
    const bool ki = itemKnown(i);
    x.setZero();
    if (biased) x(0) = 1.0;
    if (ki) x.tail(k) = m_q.row(i).transpose().cast<double>();
    double y = log.value[r];
    if (biased) y -= static_cast<double>(m_mu) + (ki ? static_cast<double>(m_bi(i)) : 0.0);
    a.selfadjointView<Eigen::Lower>().rankUpdate(x);
    b += y * x;
    lo = std::min(lo, log.value[r]);
    hi = std::max(hi, log.value[r]);
  }
  const double n = static_cast<double>(rows.size());
  const double regPu = m_config.reg(m_config.regPu), regBu = m_config.reg(m_config.regBu);
  for (Eigen::Index d = off; d < dim; ++d) a(d, d) += n * regPu;
  if (biased) a(0, 0) += n * regBu;
  a = a.selfadjointView<Eigen::Lower>();
  Eigen::VectorXd sol;
  if (regPu > 0 && (!biased || regBu > 0)) {
    sol = a.ldlt().solve(b);
  } else {  // no regularisation: the minimum-norm least-squares solution
    sol = a.completeOrthogonalDecomposition().solve(b);
  }
  if (!sol.allFinite()) {
    throw std::runtime_error("svd: foldInUser: the least-squares solution for user " +
                             std::to_string(user) + " is not finite");
  }
  if (biased) m_bu(user) = static_cast<float>(sol(0));
  m_p.row(user) = sol.tail(k).cast<float>().transpose();
  m_userKnown[static_cast<std::size_t>(user)] = 1;
  m_min = lo;
  m_max = hi;
}

void Svd::fineTune(const TrainContext& ctx, int epochs) {
  if (epochs <= 0) throw std::invalid_argument("svd: fineTune: epochs must be > 0");
  if (ctx.log.numUsers() > m_p.rows() || ctx.log.numItems() > m_q.rows()) {
    throw std::invalid_argument("svd: fineTune: the log has " + std::to_string(ctx.log.numUsers()) +
                                " users and " + std::to_string(ctx.log.numItems()) +
                                " items, the model " + std::to_string(m_p.rows()) + " and " +
                                std::to_string(m_q.rows()) + " (grow first)");
  }
  if (ctx.trainRows.empty()) return;
  auto data = svd_detail::gatherRatings(ctx, "svd");
  for (std::size_t u = 0; u < data.userKnown.size(); ++u)
    if (data.userKnown[u]) m_userKnown[u] = 1;
  for (std::size_t i = 0; i < data.itemKnown.size(); ++i)
    if (data.itemKnown[i]) m_itemKnown[i] = 1;
  m_min = std::min(m_min, data.min);
  m_max = std::max(m_max, data.max);

  std::vector<svd_detail::Sample> samples(data.value.size());
  for (std::size_t j = 0; j < samples.size(); ++j) {
    samples[j] = {data.user[j], data.item[j], data.value[j]};
  }
  data = {};
  const auto rt = svd_detail::ratesOf(m_config);
  const bool biased = m_config.biased;
  const float mu = biased ? m_mu : 0.0f;
  const int k = static_cast<int>(m_p.cols());
  std::mt19937_64 rng(ctx.seed);
  std::atomic<bool> stopped{false};
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    if (ctx.stop.stopRequested()) break;
    if (m_config.shuffle) std::shuffle(samples.begin(), samples.end(), rng);
    std::size_t done = 0;
    const auto start = std::chrono::steady_clock::now();
    const double sse =
        svd_detail::sgdRun(samples.data(), samples.size(), m_p.data(), m_q.data(), m_bu.data(),
                           m_bi.data(), k, mu, biased, rt, ctx.stop, stopped, done);
    const double sec =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ctx.observer.onProgress(static_cast<double>(epoch) / epochs, "fine-tuning");
    if (stopped || ctx.stop.stopRequested()) break;
    TrainingReport rep;
    rep.epoch = epoch;
    rep.step = epoch;
    rep.values["train_rmse"] = std::sqrt(sse / static_cast<double>(std::max<std::size_t>(1, done)));
    rep.values["updates_per_second"] = sec > 0 ? static_cast<double>(done) / sec : 0.0;
    if (ctx.validRows && !ctx.validRows->empty()) {
      double vsse = 0;
      for (auto r : *ctx.validRows) {
        const double e = predictOne(ctx.log.user[r], ctx.log.item[r]) - ctx.log.value[r];
        vsse += e * e;
      }
      rep.values["val_rmse"] = std::sqrt(vsse / static_cast<double>(ctx.validRows->size()));
    }
    if (!std::isfinite(rep.values["train_rmse"])) {
      throw std::runtime_error("svd: fine-tuning diverged (error is not finite) at epoch " +
                               std::to_string(epoch) + "; lower the learning rate");
    }
    if (ctx.endEpoch(rep)) break;
  }
}

}  // namespace reclab::models

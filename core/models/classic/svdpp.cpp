#include "models/classic/svdpp.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "common/binary_io.h"
#include "common/errors.h"

namespace reclab::models {

using svd_detail::flat;

void SvdppConfig::validate() const {
  svd_detail::validateSgdSettings(
      "svdpp", nFactors, nEpochs, initMean, initStdDev, lrAll, regAll,
      {{"lr_bu", lrBu}, {"lr_bi", lrBi}, {"lr_pu", lrPu}, {"lr_qi", lrQi}, {"lr_yj", lrYj},
       {"reg_bu", regBu}, {"reg_bi", regBi}, {"reg_pu", regPu}, {"reg_qi", regQi}, {"reg_yj", regYj}});
}

Svdpp::Svdpp(SvdppConfig config) : m_config(config) { m_config.validate(); }

void Svdpp::fit(const TrainContext& ctx) {
  auto data = svd_detail::gatherRatings(ctx, "svdpp");
  const auto nU = static_cast<Eigen::Index>(ctx.log.numUsers());
  const auto nI = static_cast<Eigen::Index>(ctx.log.numItems());
  const int k = m_config.nFactors;
  m_mu = static_cast<float>(data.mean);
  m_min = data.min;
  m_max = data.max;
  m_userKnown = std::move(data.userKnown);
  m_itemKnown = std::move(data.itemKnown);

  std::mt19937_64 rng(ctx.seed);
  m_bu = Eigen::VectorXf::Zero(nU);
  m_bi = Eigen::VectorXf::Zero(nI);
  m_p.resize(nU, k);
  m_q.resize(nI, k);
  m_y.resize(nI, k);
  svd_detail::initNormal(m_p, m_config.initMean, m_config.initStdDev, rng);
  svd_detail::initNormal(m_q, m_config.initMean, m_config.initStdDev, rng);
  svd_detail::initNormal(m_y, m_config.initMean, m_config.initStdDev, rng);

  // Groups of consecutive rows per user (gatherRatings groups them) and N(u) per group.
  const std::size_t n = data.value.size();
  std::vector<std::size_t> offsets{0};
  std::vector<std::int32_t> groupUser;
  for (std::size_t j = 0; j < n; ++j) {
    if (j > 0 && data.user[j] != data.user[j - 1]) offsets.push_back(j);
    if (j == 0 || data.user[j] != data.user[j - 1]) groupUser.push_back(data.user[j]);
  }
  offsets.push_back(n);
  const std::size_t nGroups = groupUser.size();
  std::vector<std::size_t> nOff{0};
  std::vector<std::int32_t> nItems;
  for (std::size_t g = 0; g < nGroups; ++g) {
    std::vector<std::int32_t> items(data.item.begin() + static_cast<std::ptrdiff_t>(offsets[g]),
                                    data.item.begin() + static_cast<std::ptrdiff_t>(offsets[g + 1]));
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    nItems.insert(nItems.end(), items.begin(), items.end());
    nOff.push_back(nItems.size());
  }

  const float lrBu = static_cast<float>(m_config.lr(m_config.lrBu));
  const float lrBi = static_cast<float>(m_config.lr(m_config.lrBi));
  const float lrPu = static_cast<float>(m_config.lr(m_config.lrPu));
  const float lrQi = static_cast<float>(m_config.lr(m_config.lrQi));
  const float lrYj = static_cast<float>(m_config.lr(m_config.lrYj));
  const float regBu = static_cast<float>(m_config.reg(m_config.regBu));
  const float regBi = static_cast<float>(m_config.reg(m_config.regBi));
  const float regPu = static_cast<float>(m_config.reg(m_config.regPu));
  const float regQi = static_cast<float>(m_config.reg(m_config.regQi));
  const float regYj = static_cast<float>(m_config.reg(m_config.regYj));
  const float decay = 1.0f - lrYj * regYj;

  auto validRmse = [&]() -> double {
    if (!ctx.validRows || ctx.validRows->empty()) return std::nan("");
    computeEffectiveUsers(nOff, nItems, groupUser);
    double sse = 0;
    for (auto r : *ctx.validRows) {
      const double e = predictOne(ctx.log.user[r], ctx.log.item[r]) - ctx.log.value[r];
      sse += e * e;
    }
    return std::sqrt(sse / static_cast<double>(ctx.validRows->size()));
  };

  std::vector<std::size_t> groupOrder(nGroups);
  std::iota(groupOrder.begin(), groupOrder.end(), 0);
  Eigen::VectorXf s(k), d(k);
  double seconds = 0;
  std::size_t totalUpdates = 0;
  bool stopped = false;
  for (int epoch = 1; epoch <= m_config.nEpochs && !stopped; ++epoch) {
    if (ctx.stop.stopRequested()) break;
    if (m_config.shuffle) {
      std::shuffle(groupOrder.begin(), groupOrder.end(), rng);
      for (std::size_t g = 0; g < nGroups; ++g) {
        // Same permutation applied to items and values of the group.
        const auto lo = offsets[g], len = offsets[g + 1] - offsets[g];
        for (std::size_t a = len; a > 1; --a) {
          const auto b = static_cast<std::size_t>(rng() % a);
          std::swap(data.item[lo + a - 1], data.item[lo + b]);
          std::swap(data.value[lo + a - 1], data.value[lo + b]);
        }
      }
    }
    const auto start = std::chrono::steady_clock::now();
    double sse = 0;
    std::size_t updates = 0, sinceCheck = 0;
    for (std::size_t gi = 0; gi < nGroups && !stopped; ++gi) {
      const auto g = groupOrder[gi];
      const auto u = groupUser[g];
      const auto* nu = nItems.data() + nOff[g];
      const auto nuSize = nOff[g + 1] - nOff[g];
      const float invSqrt = 1.0f / std::sqrt(static_cast<float>(nuSize));
      s.setZero();
      for (std::size_t a = 0; a < nuSize; ++a) s += m_y.row(nu[a]).transpose() * invSqrt;
      d.setZero();
      float alpha = 1.0f;
      float* __restrict p = m_p.data() + static_cast<std::ptrdiff_t>(u) * k;
      for (std::size_t j = offsets[g]; j < offsets[g + 1]; ++j) {
        const auto i = data.item[j];
        float* __restrict q = m_q.data() + static_cast<std::ptrdiff_t>(i) * k;
        float dot = 0;
        for (int f = 0; f < k; ++f) dot += q[f] * (p[f] + s[f]);
        const float err = data.value[j] - (m_mu + m_bu(u) + m_bi(i) + dot);
        sse += static_cast<double>(err) * err;
        m_bu(u) += lrBu * (err - regBu * m_bu(u));
        m_bi(i) += lrBi * (err - regBi * m_bi(i));
        const float gy = lrYj * err;
        for (int f = 0; f < k; ++f) {
          const float puf = p[f], qif = q[f], sf = s[f];
          p[f] = puf + lrPu * (err * qif - regPu * puf);
          q[f] = qif + lrQi * (err * (puf + sf) - regQi * qif);
          d[f] = decay * d[f] + gy * invSqrt * qif;
          s[f] = decay * sf + gy * qif;
        }
        alpha *= decay;
      }
      for (std::size_t a = 0; a < nuSize; ++a) {
        auto row = m_y.row(nu[a]);
        row = alpha * row + d.transpose();
      }
      const auto len = offsets[g + 1] - offsets[g];
      updates += len;
      sinceCheck += len;
      if (sinceCheck >= (1u << 16)) {
        sinceCheck = 0;
        if (ctx.stop.stopRequested()) stopped = true;
        ctx.observer.onProgress((epoch - 1 + static_cast<double>(gi + 1) / nGroups) /
                                    m_config.nEpochs,
                                "training");
      }
    }
    const double sec =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    seconds += sec;
    totalUpdates += updates;
    if (stopped || ctx.stop.stopRequested()) break;
    TrainingReport rep;
    rep.epoch = epoch;
    rep.step = epoch;
    rep.values["train_rmse"] = std::sqrt(sse / static_cast<double>(std::max<std::size_t>(1, updates)));
    rep.values["updates_per_second"] = sec > 0 ? static_cast<double>(updates) / sec : 0.0;
    const double v = validRmse();
    if (!std::isnan(v)) rep.values["val_rmse"] = v;
    if (!std::isfinite(rep.values["train_rmse"])) {
      throw std::runtime_error("svdpp: training diverged (error is not finite) at epoch " +
                               std::to_string(epoch) + "; lower the learning rate");
    }
    if (ctx.endEpoch(rep)) break;
  }
  m_updatesPerSecond = seconds > 0 ? static_cast<double>(totalUpdates) / seconds : 0.0;
  // Entities never seen in training keep no (random) factors, as in Svd.
  for (Eigen::Index u = 0; u < m_p.rows(); ++u)
    if (!m_userKnown[static_cast<std::size_t>(u)]) m_p.row(u).setZero();
  for (Eigen::Index i = 0; i < nI; ++i) {
    if (!m_itemKnown[static_cast<std::size_t>(i)]) {
      m_q.row(i).setZero();
      m_y.row(i).setZero();
    }
  }
  computeEffectiveUsers(nOff, nItems, groupUser);
}

void Svdpp::computeEffectiveUsers(const std::vector<std::size_t>& offsets,
                                  const std::vector<std::int32_t>& itemsOfUser,
                                  const std::vector<std::int32_t>& userOfGroup) {
  m_z = FactorMatrix::Zero(m_p.rows(), m_p.cols());
  for (std::size_t g = 0; g < userOfGroup.size(); ++g) {
    const auto u = userOfGroup[g];
    const auto len = offsets[g + 1] - offsets[g];
    Eigen::RowVectorXf sum = Eigen::RowVectorXf::Zero(m_p.cols());
    for (std::size_t a = offsets[g]; a < offsets[g + 1]; ++a) sum += m_y.row(itemsOfUser[a]);
    m_z.row(u) = m_p.row(u) + sum / std::sqrt(static_cast<float>(len));
  }
}

float Svdpp::predictOne(std::int32_t user, std::int32_t item) const {
  const bool ku = user >= 0 && static_cast<std::size_t>(user) < m_userKnown.size() &&
                  m_userKnown[static_cast<std::size_t>(user)];
  const bool ki = item >= 0 && static_cast<std::size_t>(item) < m_itemKnown.size() &&
                  m_itemKnown[static_cast<std::size_t>(item)];
  float est = m_mu;
  if (ku) est += m_bu(user);
  if (ki) est += m_bi(item);
  if (ku && ki) est += m_q.row(item).dot(m_z.row(user));
  return svd_detail::clipTo(est, m_config.clip, m_min, m_max);
}

void Svdpp::predict(const std::vector<std::int32_t>& users, const std::vector<std::int32_t>& items,
                    std::vector<float>& out) const {
  if (users.size() != items.size()) throw std::invalid_argument("svdpp: users / items size differ");
  out.resize(users.size());
  for (std::size_t j = 0; j < users.size(); ++j) out[j] = predictOne(users[j], items[j]);
}

void Svdpp::scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const {
  const auto m = static_cast<Eigen::Index>(users.size());
  FactorMatrix zb = FactorMatrix::Zero(m, m_q.cols());
  Eigen::VectorXf base = Eigen::VectorXf::Constant(m, m_mu);
  for (Eigen::Index j = 0; j < m; ++j) {
    const auto u = users[static_cast<std::size_t>(j)];
    if (u < 0 || static_cast<std::size_t>(u) >= m_userKnown.size() ||
        !m_userKnown[static_cast<std::size_t>(u)])
      continue;
    zb.row(j) = m_z.row(u);
    base(j) += m_bu(u);
  }
  out.resize(m, m_q.rows());
  out.noalias() = zb * m_q.transpose();
  out.rowwise() += m_bi.transpose();
  out.colwise() += base;
}

void Svdpp::save(const std::string& path) const {
  BinaryWriter w(path, "reclab.svdpp", 1);
  w.write<std::int64_t>(m_p.rows());
  w.write<std::int64_t>(m_q.rows());
  w.write<std::int64_t>(m_p.cols());
  w.write<std::uint8_t>(m_config.clip ? 1 : 0);
  w.write(m_mu);
  w.write(m_min);
  w.write(m_max);
  w.writeVector(m_userKnown);
  w.writeVector(m_itemKnown);
  w.writeVector(flat(m_bu));
  w.writeVector(flat(m_bi));
  w.writeVector(flat(m_p));
  w.writeVector(flat(m_q));
  w.writeVector(flat(m_y));
  w.writeVector(flat(m_z));
  w.close();
}

void Svdpp::load(const std::string& path) {
  BinaryReader r(path, "reclab.svdpp", 1);
  const auto nu = r.read<std::int64_t>(), ni = r.read<std::int64_t>(), k = r.read<std::int64_t>();
  const bool clip = r.read<std::uint8_t>() != 0;
  const float mu = r.read<float>(), mn = r.read<float>(), mx = r.read<float>();
  auto uk = r.readVector<std::uint8_t>(), ik = r.readVector<std::uint8_t>();
  auto bu = r.readVector<float>(), bi = r.readVector<float>();
  auto p = r.readVector<float>(), q = r.readVector<float>();
  auto y = r.readVector<float>(), z = r.readVector<float>();
  auto sz = [](const auto& v) { return static_cast<std::int64_t>(v.size()); };
  if (nu < 0 || ni < 0 || k <= 0 || sz(uk) != nu || sz(ik) != ni || sz(bu) != nu ||
      sz(bi) != ni || sz(p) != nu * k || sz(z) != nu * k || sz(q) != ni * k || sz(y) != ni * k) {
    throw InputError(path + ": inconsistent svdpp file");
  }
  m_config.clip = clip;
  m_config.nFactors = static_cast<int>(k);
  m_mu = mu;
  m_min = mn;
  m_max = mx;
  m_userKnown = std::move(uk);
  m_itemKnown = std::move(ik);
  m_bu = Eigen::Map<Eigen::VectorXf>(bu.data(), nu);
  m_bi = Eigen::Map<Eigen::VectorXf>(bi.data(), ni);
  m_p = Eigen::Map<FactorMatrix>(p.data(), nu, k);
  m_q = Eigen::Map<FactorMatrix>(q.data(), ni, k);
  m_y = Eigen::Map<FactorMatrix>(y.data(), ni, k);
  m_z = Eigen::Map<FactorMatrix>(z.data(), nu, k);
}

ModelInfo svdppInfo() {
  using T = ParamSpec::Type;
  auto rate = [](const char* name, const char* help) {
    return ParamSpec{name, T::Double, -1.0, -1.0, 10.0, {}, help};
  };
  ModelInfo info;
  info.name = "svdpp";
  info.displayName = "SVD++ (Surprise-style)";
  info.task = Task::Rating;
  info.description =
      "Surprise's SVDpp: r(u,i) = mu + b_u + b_i + q_i.(p_u + |N(u)|^-1/2 sum y_j) with N(u) "
      "the items u rated, trained by sequential SGD in Surprise's order (Surprise's defaults).";
  info.params = {
      {"n_factors", T::Int, 20, 1, 4096, {}, "number of latent factors"},
      {"n_epochs", T::Int, 20, 1, 100000, {}, "passes over the training ratings"},
      {"init_mean", T::Double, 0.0, -10.0, 10.0, {}, "mean of the normal factor initialisation"},
      {"init_std_dev", T::Double, 0.1, 0.0, 10.0, {}, "std of the normal factor initialisation"},
      {"lr_all", T::Double, 0.007, 0.0, 10.0, {}, "learning rate of every parameter"},
      {"reg_all", T::Double, 0.02, 0.0, 100.0, {}, "regularisation of every parameter"},
      rate("lr_bu", "learning rate of b_u (-1: lr_all)"),
      rate("lr_bi", "learning rate of b_i (-1: lr_all)"),
      rate("lr_pu", "learning rate of p_u (-1: lr_all)"),
      rate("lr_qi", "learning rate of q_i (-1: lr_all)"),
      rate("lr_yj", "learning rate of y_j (-1: lr_all)"),
      rate("reg_bu", "regularisation of b_u (-1: reg_all)"),
      rate("reg_bi", "regularisation of b_i (-1: reg_all)"),
      rate("reg_pu", "regularisation of p_u (-1: reg_all)"),
      rate("reg_qi", "regularisation of q_i (-1: reg_all)"),
      rate("reg_yj", "regularisation of y_j (-1: reg_all)"),
      {"shuffle", T::Bool, false, std::nullopt, std::nullopt, {},
       "false: Surprise's order; true: users and each user's ratings reshuffled every epoch"},
      {"clip", T::Bool, true, std::nullopt, std::nullopt, {},
       "clip predictions to the training rating range"},
  };
  info.factory = [](const nlohmann::json& p) {
    SvdppConfig c;
    c.nFactors = static_cast<int>(paramInt(p, "n_factors"));
    c.nEpochs = static_cast<int>(paramInt(p, "n_epochs"));
    c.initMean = paramDouble(p, "init_mean");
    c.initStdDev = paramDouble(p, "init_std_dev");
    c.lrAll = paramDouble(p, "lr_all");
    c.regAll = paramDouble(p, "reg_all");
    c.lrBu = paramDouble(p, "lr_bu");
    c.lrBi = paramDouble(p, "lr_bi");
    c.lrPu = paramDouble(p, "lr_pu");
    c.lrQi = paramDouble(p, "lr_qi");
    c.lrYj = paramDouble(p, "lr_yj");
    c.regBu = paramDouble(p, "reg_bu");
    c.regBi = paramDouble(p, "reg_bi");
    c.regPu = paramDouble(p, "reg_pu");
    c.regQi = paramDouble(p, "reg_qi");
    c.regYj = paramDouble(p, "reg_yj");
    c.shuffle = paramBool(p, "shuffle");
    c.clip = paramBool(p, "clip");
    return std::make_unique<Svdpp>(c);
  };
  return info;
}

}  // namespace reclab::models

#include "models/classic/svd.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <numeric>
#include <thread>

#include "common/binary_io.h"
#include "common/errors.h"
#include "models/classic/svdpp.h"

namespace reclab::models {

namespace svd_detail {

RatingData gatherRatings(const TrainContext& ctx, const char* model) {
  const auto& log = ctx.log;
  if (!log.hasUsers() || !log.hasValues()) {
    throw InputError(std::string(model) +
                     " needs a user and a value (rating) column; this dataset has no " +
                     (log.hasUsers() ? "values" : "users"));
  }
  if (ctx.trainRows.empty()) throw InputError(std::string(model) + ": no training rows");
  const auto nU = static_cast<std::size_t>(log.numUsers());
  const auto nI = static_cast<std::size_t>(log.numItems());
  RatingData d;
  d.userKnown.assign(nU, 0);
  d.itemKnown.assign(nI, 0);
  // Surprise's all_ratings(): users by inner id (= first appearance), rows in order.
  std::vector<std::int32_t> rank(nU, -1);
  std::vector<std::size_t> count;
  for (auto r : ctx.trainRows) {
    const auto u = static_cast<std::size_t>(log.user[r]);
    if (rank[u] < 0) {
      rank[u] = static_cast<std::int32_t>(count.size());
      count.push_back(0);
    }
    ++count[static_cast<std::size_t>(rank[u])];
  }
  std::vector<std::size_t> offset(count.size() + 1, 0);
  for (std::size_t g = 0; g < count.size(); ++g) offset[g + 1] = offset[g] + count[g];
  const std::size_t n = ctx.trainRows.size();
  d.user.resize(n);
  d.item.resize(n);
  d.value.resize(n);
  double sum = 0;
  d.min = log.value[ctx.trainRows[0]];
  d.max = d.min;
  for (auto r : ctx.trainRows) {
    const auto u = log.user[r];
    const auto pos = offset[static_cast<std::size_t>(rank[static_cast<std::size_t>(u)])]++;
    const float v = log.value[r];
    d.user[pos] = u;
    d.item[pos] = log.item[r];
    d.value[pos] = v;
    d.userKnown[static_cast<std::size_t>(u)] = 1;
    d.itemKnown[static_cast<std::size_t>(log.item[r])] = 1;
    sum += v;
    d.min = std::min(d.min, v);
    d.max = std::max(d.max, v);
  }
  d.mean = sum / static_cast<double>(n);
  return d;
}

void initNormal(FactorMatrix& m, double mean, double std, std::mt19937_64& rng) {
  if (std == 0) {
    m.setConstant(static_cast<float>(mean));
    return;
  }
  std::normal_distribution<double> dist(mean, std);
  float* x = m.data();
  for (Eigen::Index j = 0; j < m.size(); ++j) x[j] = static_cast<float>(dist(rng));
}

void validateSgdSettings(const char* model, int nFactors, int nEpochs, double initMean,
                         double initStdDev, double lrAll, double regAll,
                         std::initializer_list<std::pair<const char*, double>> rates) {
  auto fail = [model](const char* field, const std::string& cond, double v) {
    throw InputError(std::string(model) + ": " + field + " must be " + cond + ", got " +
                     std::to_string(v));
  };
  if (nFactors <= 0) fail("n_factors", "> 0", nFactors);
  if (nEpochs <= 0) fail("n_epochs", "> 0", nEpochs);
  if (!(initStdDev >= 0)) fail("init_std_dev", ">= 0", initStdDev);
  if (!std::isfinite(initMean)) fail("init_mean", "finite", initMean);
  if (!(lrAll >= 0)) fail("lr_all", ">= 0", lrAll);
  if (!(regAll >= 0)) fail("reg_all", ">= 0", regAll);
  for (const auto& [name, v] : rates) {
    if (!(v == -1 || v >= 0)) fail(name, "-1 (use the _all value) or >= 0", v);
  }
}

std::vector<float> flat(const FactorMatrix& m) {
  return std::vector<float>(m.data(), m.data() + m.size());
}

std::vector<float> flat(const Eigen::VectorXf& v) {
  return std::vector<float>(v.data(), v.data() + v.size());
}

}  // namespace svd_detail

namespace {

constexpr std::size_t kStopCheckEvery = 1 << 16;

}  // namespace

namespace svd_detail {

Rates ratesOf(const SvdConfig& c) {
  return {static_cast<float>(c.lr(c.lrBu)),   static_cast<float>(c.lr(c.lrBi)),
          static_cast<float>(c.lr(c.lrPu)),   static_cast<float>(c.lr(c.lrQi)),
          static_cast<float>(c.reg(c.regBu)), static_cast<float>(c.reg(c.regBi)),
          static_cast<float>(c.reg(c.regPu)), static_cast<float>(c.reg(c.regQi))};
}

/// Plain SGD over samples[0, n) in order (Surprise's SVD.sgd inner loop). Returns the sum of
/// squared errors before each update; `done` receives the number of updates made.
/// Compiled twice (AVX2 and baseline); the CPU picks at load time. The dot product's
/// summation order differs between the two, so results can differ in the last bits across
/// machines (not between runs on one machine).
__attribute__((target_clones("avx2", "default"))) double sgdRun(const Sample* samples, std::size_t n, float* __restrict P, float* __restrict Q,
              float* __restrict bu, float* __restrict bi, int k, float mu, bool biased,
              const Rates& rt, const StopToken& stop, std::atomic<bool>& stopped,
              std::size_t& done) {
  double sse = 0;
  std::size_t j = 0;
  for (; j < n; ++j) {
    if ((j % kStopCheckEvery) == 0 && j > 0 && (stopped.load(std::memory_order_relaxed) ||
                                                stop.stopRequested())) {
      stopped.store(true, std::memory_order_relaxed);
      break;
    }
    const Sample s = samples[j];
    float* __restrict p = P + static_cast<std::ptrdiff_t>(s.u) * k;
    float* __restrict q = Q + static_cast<std::ptrdiff_t>(s.i) * k;
    float dot = 0;
#pragma omp simd reduction(+ : dot)
    for (int f = 0; f < k; ++f) dot += p[f] * q[f];
    const float err = s.r - (biased ? mu + bu[s.u] + bi[s.i] + dot : dot);
    sse += static_cast<double>(err) * err;
    if (biased) {
      bu[s.u] += rt.lrBu * (err - rt.regBu * bu[s.u]);
      bi[s.i] += rt.lrBi * (err - rt.regBi * bi[s.i]);
    }
    const float a = rt.lrPu * err, b = rt.lrPu * rt.regPu;
    const float c = rt.lrQi * err, e = rt.lrQi * rt.regQi;
    for (int f = 0; f < k; ++f) {
      const float puf = p[f], qif = q[f];
      p[f] = puf + (a * qif - b * puf);
      q[f] = qif + (c * puf - e * qif);
    }
  }
  done = j;
  return sse;
}

}  // namespace svd_detail

namespace {

using svd_detail::clipTo;
using svd_detail::flat;
using svd_detail::Rates;
using svd_detail::Sample;
using svd_detail::sgdRun;

/// Splits entities into `groups` groups balanced by rating count (greedy, largest first;
/// ties by index), so DSGD blocks have similar sizes.
std::vector<int> balancedGroups(const std::vector<std::int32_t>& ids, std::size_t nEntities,
                                int groups) {
  std::vector<std::size_t> count(nEntities, 0);
  for (auto x : ids) ++count[static_cast<std::size_t>(x)];
  std::vector<std::size_t> order(nEntities);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return count[a] > count[b]; });
  std::vector<std::size_t> load(static_cast<std::size_t>(groups), 0);
  std::vector<int> group(nEntities, 0);
  for (auto x : order) {
    const auto g = static_cast<std::size_t>(
        std::min_element(load.begin(), load.end()) - load.begin());
    group[x] = static_cast<int>(g);
    load[g] += count[x];
  }
  return group;
}

/// New index of each entity when the entities of group 0 come first, then group 1, ...
/// (original order within a group).
std::vector<std::int32_t> contiguousOrder(const std::vector<int>& group, int groups) {
  std::vector<std::int32_t> start(static_cast<std::size_t>(groups) + 1, 0);
  for (int g : group) ++start[static_cast<std::size_t>(g) + 1];
  for (std::size_t g = 1; g < start.size(); ++g) start[g] += start[g - 1];
  std::vector<std::int32_t> out(group.size());
  for (std::size_t x = 0; x < group.size(); ++x) out[x] = start[static_cast<std::size_t>(group[x])]++;
  return out;
}

}  // namespace

void SvdConfig::validate() const {
  svd_detail::validateSgdSettings("svd", nFactors, nEpochs, initMean, initStdDev, lrAll, regAll,
                                  {{"lr_bu", lrBu},
                                   {"lr_bi", lrBi},
                                   {"lr_pu", lrPu},
                                   {"lr_qi", lrQi},
                                   {"reg_bu", regBu},
                                   {"reg_bi", regBi},
                                   {"reg_pu", regPu},
                                   {"reg_qi", regQi}});
  if (threads < 0) throw InputError("svd: threads must be >= 0, got " + std::to_string(threads));
}

Svd::Svd(SvdConfig config) : m_config(config) { m_config.validate(); }

void Svd::fit(const TrainContext& ctx) {
  auto data = svd_detail::gatherRatings(ctx, "svd");
  const auto nU = static_cast<Eigen::Index>(ctx.log.numUsers());
  const auto nI = static_cast<Eigen::Index>(ctx.log.numItems());
  const int k = m_config.nFactors;
  const bool biased = m_config.biased;
  m_mu = static_cast<float>(data.mean);
  m_min = data.min;
  m_max = data.max;
  m_userKnown = std::move(data.userKnown);
  m_itemKnown = std::move(data.itemKnown);
  const float muTrain = biased ? m_mu : 0.0f;  // Surprise: global_mean = 0 when unbiased

  std::mt19937_64 rng(ctx.seed);
  m_bu = Eigen::VectorXf::Zero(nU);
  m_bi = Eigen::VectorXf::Zero(nI);
  m_p.resize(nU, k);
  m_q.resize(nI, k);
  svd_detail::initNormal(m_p, m_config.initMean, m_config.initStdDev, rng);
  svd_detail::initNormal(m_q, m_config.initMean, m_config.initStdDev, rng);

  const Rates rt = svd_detail::ratesOf(m_config);

  // Blocks: T x T (user group, item group); T = 1 is the whole set in Surprise's order.
  const std::size_t n = data.value.size();
  int T = m_config.threads > 0 ? m_config.threads : std::max(1, ctx.threads);
  const auto knownUsers = std::count(m_userKnown.begin(), m_userKnown.end(), 1);
  const auto knownItems = std::count(m_itemKnown.begin(), m_itemKnown.end(), 1);
  T = static_cast<int>(std::max<std::ptrdiff_t>(
      1, std::min<std::ptrdiff_t>({T, knownUsers, knownItems, 64})));
  m_threadsUsed = T;
  const auto nb = static_cast<std::size_t>(T);
  std::vector<std::vector<Sample>> blocks(nb * nb);
  // With T > 1 the factor rows and biases of each group are made contiguous in training
  // copies (so threads do not share cache lines) and copied back afterwards.
  std::vector<std::int32_t> uNew, iNew;
  FactorMatrix pT, qT;
  Eigen::VectorXf buT, biT;
  {
    auto ug = balancedGroups(data.user, static_cast<std::size_t>(nU), T);
    auto ig = balancedGroups(data.item, static_cast<std::size_t>(nI), T);
    if (T > 1) {
      uNew = contiguousOrder(ug, T);
      iNew = contiguousOrder(ig, T);
      pT.resize(nU, k);
      qT.resize(nI, k);
      buT.resize(nU);
      biT.resize(nI);
      for (Eigen::Index u = 0; u < nU; ++u) pT.row(uNew[static_cast<std::size_t>(u)]) = m_p.row(u);
      for (Eigen::Index i = 0; i < nI; ++i) qT.row(iNew[static_cast<std::size_t>(i)]) = m_q.row(i);
      buT.setZero();
      biT.setZero();
    }
    for (std::size_t j = 0; j < n; ++j) {
      const auto u = static_cast<std::size_t>(data.user[j]);
      const auto i = static_cast<std::size_t>(data.item[j]);
      const auto b = static_cast<std::size_t>(ug[u]) * nb + static_cast<std::size_t>(ig[i]);
      if (T > 1) {
        blocks[b].push_back({uNew[u], iNew[i], data.value[j]});
      } else {
        blocks[b].push_back({data.user[j], data.item[j], data.value[j]});
      }
    }
  }
  float* P = T > 1 ? pT.data() : m_p.data();
  float* Q = T > 1 ? qT.data() : m_q.data();
  float* BU = T > 1 ? buT.data() : m_bu.data();
  float* BI = T > 1 ? biT.data() : m_bi.data();
  auto syncBack = [&]() {
    if (T == 1) return;
    for (Eigen::Index u = 0; u < nU; ++u) {
      m_p.row(u) = pT.row(uNew[static_cast<std::size_t>(u)]);
      m_bu(u) = buT(uNew[static_cast<std::size_t>(u)]);
    }
    for (Eigen::Index i = 0; i < nI; ++i) {
      m_q.row(i) = qT.row(iNew[static_cast<std::size_t>(i)]);
      m_bi(i) = biT(iNew[static_cast<std::size_t>(i)]);
    }
  };
  data = {};

  auto validRmse = [&]() -> double {
    if (!ctx.validRows || ctx.validRows->empty()) return std::nan("");
    double sse = 0;
    for (auto r : *ctx.validRows) {
      const double e = predictOne(ctx.log.user[r], ctx.log.item[r]) - ctx.log.value[r];
      sse += e * e;
    }
    return std::sqrt(sse / static_cast<double>(ctx.validRows->size()));
  };

  std::atomic<bool> stopped{false};
  double seconds = 0;
  std::size_t totalUpdates = 0;
  for (int epoch = 1; epoch <= m_config.nEpochs && !stopped; ++epoch) {
    if (ctx.stop.stopRequested()) break;
    if (m_config.shuffle) {
      for (auto& b : blocks) std::shuffle(b.begin(), b.end(), rng);
    }
    double sse = 0;
    std::size_t updates = 0;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t s = 0; s < nb && !stopped; ++s) {
      std::vector<double> part(nb, 0.0);
      std::vector<std::size_t> done(nb, 0);
      auto work = [&](std::size_t t) {
        const auto& blk = blocks[t * nb + (t + s) % nb];
        part[t] = sgdRun(blk.data(), blk.size(), P, Q, BU, BI, k, muTrain, biased, rt, ctx.stop,
                         stopped, done[t]);
      };
      std::vector<std::thread> pool;
      for (std::size_t t = 1; t < nb; ++t) pool.emplace_back(work, t);
      work(0);
      for (auto& th : pool) th.join();
      for (std::size_t t = 0; t < nb; ++t) {
        sse += part[t];
        updates += done[t];
      }
      ctx.observer.onProgress((epoch - 1 + static_cast<double>(s + 1) / static_cast<double>(nb)) /
                                  m_config.nEpochs,
                              "training");
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
    const bool validating = ctx.validRows && !ctx.validRows->empty();
    if (validating) syncBack();
    const double v = validRmse();
    if (!std::isnan(v)) rep.values["val_rmse"] = v;
    if (!std::isfinite(rep.values["train_rmse"])) {
      throw std::runtime_error("svd: training diverged (error is not finite) at epoch " +
                               std::to_string(epoch) + "; lower the learning rate");
    }
    if (ctx.endEpoch(rep)) break;
  }
  m_updatesPerSecond = seconds > 0 ? static_cast<double>(totalUpdates) / seconds : 0.0;
  syncBack();
  // Entities never seen in training keep no (random) factors.
  for (Eigen::Index u = 0; u < nU; ++u)
    if (!m_userKnown[static_cast<std::size_t>(u)]) m_p.row(u).setZero();
  for (Eigen::Index i = 0; i < nI; ++i)
    if (!m_itemKnown[static_cast<std::size_t>(i)]) m_q.row(i).setZero();
}

float Svd::predictOne(std::int32_t user, std::int32_t item) const {
  const bool ku = user >= 0 && static_cast<std::size_t>(user) < m_userKnown.size() &&
                  m_userKnown[static_cast<std::size_t>(user)];
  const bool ki = item >= 0 && static_cast<std::size_t>(item) < m_itemKnown.size() &&
                  m_itemKnown[static_cast<std::size_t>(item)];
  float est;
  if (m_config.biased) {
    est = m_mu;
    if (ku) est += m_bu(user);
    if (ki) est += m_bi(item);
    if (ku && ki) est += m_q.row(item).dot(m_p.row(user));
  } else {
    est = (ku && ki) ? m_q.row(item).dot(m_p.row(user)) : m_mu;
  }
  return clipTo(est, m_config.clip, m_min, m_max);
}

void Svd::predict(const std::vector<std::int32_t>& users, const std::vector<std::int32_t>& items,
                  std::vector<float>& out) const {
  if (users.size() != items.size()) throw std::invalid_argument("svd: users / items size differ");
  out.resize(users.size());
  for (std::size_t j = 0; j < users.size(); ++j) out[j] = predictOne(users[j], items[j]);
}

void Svd::scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const {
  const auto m = static_cast<Eigen::Index>(users.size());
  const Eigen::Index k = m_q.cols();
  FactorMatrix pb = FactorMatrix::Zero(m, k);
  Eigen::VectorXf base = Eigen::VectorXf::Zero(m);
  std::vector<std::uint8_t> known(users.size(), 0);
  for (Eigen::Index j = 0; j < m; ++j) {
    const auto u = users[static_cast<std::size_t>(j)];
    known[static_cast<std::size_t>(j)] =
        u >= 0 && static_cast<std::size_t>(u) < m_userKnown.size() &&
        m_userKnown[static_cast<std::size_t>(u)];
    if (!known[static_cast<std::size_t>(j)]) continue;
    pb.row(j) = m_p.row(u);
    if (m_config.biased) base(j) = m_bu(u);
  }
  out.resize(m, m_q.rows());
  out.noalias() = pb * m_q.transpose();
  if (m_config.biased) {
    out.rowwise() += m_bi.transpose();
    out.colwise() += (base.array() + m_mu).matrix();
    // Items never trained (their rows are zero after fit, random after grow) give mu + b_u,
    // as in predictOne.
    for (Eigen::Index i = 0; i < out.cols(); ++i)
      if (!m_itemKnown[static_cast<std::size_t>(i)]) out.col(i) = (base.array() + m_mu).matrix();
  } else {
    // Surprise: mu when the user or the item is unknown.
    for (Eigen::Index j = 0; j < m; ++j)
      if (!known[static_cast<std::size_t>(j)]) out.row(j).setConstant(m_mu);
    for (Eigen::Index i = 0; i < out.cols(); ++i)
      if (!m_itemKnown[static_cast<std::size_t>(i)]) out.col(i).setConstant(m_mu);
  }
}

void Svd::save(const std::string& path) const {
  BinaryWriter w(path, "reclab.svd", 1);
  w.write<std::int64_t>(m_p.rows());
  w.write<std::int64_t>(m_q.rows());
  w.write<std::int64_t>(m_p.cols());
  w.write<std::uint8_t>(m_config.biased ? 1 : 0);
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
  w.close();
}

void Svd::load(const std::string& path) {
  BinaryReader r(path, "reclab.svd", 1);
  const auto nu = r.read<std::int64_t>(), ni = r.read<std::int64_t>(), k = r.read<std::int64_t>();
  const bool biased = r.read<std::uint8_t>() != 0;
  const bool clip = r.read<std::uint8_t>() != 0;
  const float mu = r.read<float>(), mn = r.read<float>(), mx = r.read<float>();
  auto uk = r.readVector<std::uint8_t>(), ik = r.readVector<std::uint8_t>();
  auto bu = r.readVector<float>(), bi = r.readVector<float>();
  auto p = r.readVector<float>(), q = r.readVector<float>();
  if (nu < 0 || ni < 0 || k <= 0 || static_cast<std::int64_t>(uk.size()) != nu ||
      static_cast<std::int64_t>(ik.size()) != ni || static_cast<std::int64_t>(bu.size()) != nu ||
      static_cast<std::int64_t>(bi.size()) != ni ||
      static_cast<std::int64_t>(p.size()) != nu * k ||
      static_cast<std::int64_t>(q.size()) != ni * k) {
    throw InputError(path + ": inconsistent svd file");
  }
  m_config.biased = biased;
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
}

void registerSvd(Registry& registry) {
  using T = ParamSpec::Type;
  auto rate = [](const char* name, const char* help) {
    return ParamSpec{name, T::Double, -1.0, -1.0, 10.0, {}, help};
  };
  ModelInfo info;
  info.name = "svd";
  info.displayName = "Biased MF (SVD, Surprise-style)";
  info.task = Task::Rating;
  info.description =
      "Surprise's SVD: r(u,i) = mu + b_u + b_i + q_i.p_u trained by plain SGD over the "
      "training ratings (Surprise's defaults). threads = 1 visits ratings in Surprise's order; "
      "threads > 1 uses deterministic block-stratified parallel SGD (not bit-identical).";
  info.params = {
      {"n_factors", T::Int, 100, 1, 4096, {}, "number of latent factors"},
      {"n_epochs", T::Int, 20, 1, 100000, {}, "passes over the training ratings"},
      {"biased", T::Bool, true, std::nullopt, std::nullopt, {}, "use mu + b_u + b_i (else q.p only)"},
      {"init_mean", T::Double, 0.0, -10.0, 10.0, {}, "mean of the normal factor initialisation"},
      {"init_std_dev", T::Double, 0.1, 0.0, 10.0, {}, "std of the normal factor initialisation"},
      {"lr_all", T::Double, 0.005, 0.0, 10.0, {}, "learning rate of every parameter"},
      {"reg_all", T::Double, 0.02, 0.0, 100.0, {}, "regularisation of every parameter"},
      rate("lr_bu", "learning rate of b_u (-1: lr_all)"),
      rate("lr_bi", "learning rate of b_i (-1: lr_all)"),
      rate("lr_pu", "learning rate of p_u (-1: lr_all)"),
      rate("lr_qi", "learning rate of q_i (-1: lr_all)"),
      rate("reg_bu", "regularisation of b_u (-1: reg_all)"),
      rate("reg_bi", "regularisation of b_i (-1: reg_all)"),
      rate("reg_pu", "regularisation of p_u (-1: reg_all)"),
      rate("reg_qi", "regularisation of q_i (-1: reg_all)"),
      {"shuffle", T::Bool, false, std::nullopt, std::nullopt, {},
       "false: Surprise's fixed rating order; true: a new seeded order every epoch"},
      {"clip", T::Bool, true, std::nullopt, std::nullopt, {},
       "clip predictions to the training rating range"},
      {"threads", T::Int, 0, 0, 64, {},
       "0 = the run's budget; 1 = sequential (Surprise's order); >1 = block-parallel SGD"},
  };
  info.factory = [](const nlohmann::json& p) {
    SvdConfig c;
    c.nFactors = static_cast<int>(paramInt(p, "n_factors"));
    c.nEpochs = static_cast<int>(paramInt(p, "n_epochs"));
    c.biased = paramBool(p, "biased");
    c.initMean = paramDouble(p, "init_mean");
    c.initStdDev = paramDouble(p, "init_std_dev");
    c.lrAll = paramDouble(p, "lr_all");
    c.regAll = paramDouble(p, "reg_all");
    c.lrBu = paramDouble(p, "lr_bu");
    c.lrBi = paramDouble(p, "lr_bi");
    c.lrPu = paramDouble(p, "lr_pu");
    c.lrQi = paramDouble(p, "lr_qi");
    c.regBu = paramDouble(p, "reg_bu");
    c.regBi = paramDouble(p, "reg_bi");
    c.regPu = paramDouble(p, "reg_pu");
    c.regQi = paramDouble(p, "reg_qi");
    c.shuffle = paramBool(p, "shuffle");
    c.clip = paramBool(p, "clip");
    c.threads = static_cast<int>(paramInt(p, "threads"));
    return std::make_unique<Svd>(c);
  };
  registry.add(std::move(info));
  registry.add(svdppInfo());
}

}  // namespace reclab::models

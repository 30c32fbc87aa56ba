// One epoch of LightFM-style SGD for the WARP, k-OS WARP, BPR and logistic losses.
//
// Follows the update rules of LightFM's _lightfm_fast (per-parameter Adagrad / Adadelta, lazy
// L2 scaling, WARP weight log(floor((n - 1) / N)) clipped at 10). Parameters are stored
// feature-major so each update touches contiguous rows, vectorised through Eigen arrays.

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <thread>

#include "models/classic/lightfm_train.h"

namespace reclab::models::lightfm_detail {

namespace {

constexpr double kMaxLoss = 10.0;
constexpr double kMaxRegScale = 1e6;
constexpr int kStopCheckEvery = 2048;

using ArrayMap = Eigen::Map<Eigen::ArrayXf>;
using ConstArrayMap = Eigen::Map<const Eigen::ArrayXf>;
using ConstVecMap = Eigen::Map<const Eigen::VectorXf>;

inline double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

class Worker {
 public:
  Worker(TrainState& s, std::uint64_t seed)
      : m_s(s),
        m_cfg(s.cfg),
        m_nc(s.cfg.noComponents),
        m_nItems(s.itemF.rows()),
        m_rng(seed),
        m_buf(static_cast<std::size_t>(m_nc + 1) * 8, 0.0f) {
    m_adadelta = m_cfg.schedule == LightFmConfig::Schedule::Adadelta;
    m_lr = static_cast<float>(m_cfg.learningRate);
    m_rho = static_cast<float>(m_cfg.rho);
    m_eps = static_cast<float>(m_cfg.epsilon);
    m_regularised = m_cfg.itemAlpha > 0 || m_cfg.userAlpha > 0;
  }

  void run(const std::uint32_t* order, std::size_t count, const StopToken& stop) {
    for (std::size_t t = 0; t < count; ++t) {
      if (t % kStopCheckEvery == 0 && stop.stopRequested()) return;
      const std::uint32_t e = order[t];
      switch (m_cfg.loss) {
        case LightFmConfig::Loss::Warp: warpExample(e); break;
        case LightFmConfig::Loss::WarpKos: warpKosExample(e); break;
        case LightFmConfig::Loss::Bpr: bprExample(e); break;
        case LightFmConfig::Loss::Logistic: logisticExample(e); break;
      }
      ++stats.examples;
      if (m_regularised && (m_s.items.scale.load(std::memory_order_relaxed) > kMaxRegScale ||
                            m_s.users.scale.load(std::memory_order_relaxed) > kMaxRegScale)) {
        std::lock_guard<std::mutex> lock(m_s.regLock);
        if (m_s.items.scale.load() > kMaxRegScale || m_s.users.scale.load() > kMaxRegScale)
          m_s.regularize();
      }
    }
  }

  EpochStats stats;

 private:
  float* bufU() { return m_buf.data(); }
  float* bufP() { return m_buf.data() + (m_nc + 1); }
  float* bufN() { return m_buf.data() + 2 * (m_nc + 1); }
  float* bufG() { return m_buf.data() + 3 * (m_nc + 1); }
  float* bufLr() { return m_buf.data() + 4 * (m_nc + 1); }

  /// out[0..nc) = sum_f w_f * scale * e_f, out[nc] = sum_f w_f * scale * b_f.
  void represent(const LightFmFeatures& f, const SideState& side, std::int32_t row, float* out) {
    const float scale = static_cast<float>(side.scale.load(std::memory_order_relaxed));
    ArrayMap o(out, m_nc);
    o.setZero();
    float bias = 0;
    for (auto p = f.indptr[row]; p < f.indptr[row + 1]; ++p) {
      const auto feat = f.indices[p];
      const float w = f.weights[p] * scale;
      o += w * ConstArrayMap(side.emb.data() + static_cast<std::size_t>(feat) * m_nc, m_nc);
      bias += w * side.bias[feat];
    }
    out[m_nc] = bias;
  }

  float score(const float* u, const float* i) const {
    return u[m_nc] + i[m_nc] + ConstVecMap(u, m_nc).dot(ConstVecMap(i, m_nc));
  }

  bool inPositives(std::int32_t user, std::int32_t item) const {
    const auto* b = m_s.ex.posItems.data() + m_s.ex.posPtr[user];
    const auto* e = m_s.ex.posItems.data() + m_s.ex.posPtr[user + 1];
    return std::binary_search(b, e, item);
  }

  /// SGD step on the biases of `row`'s features; returns the summed local learning rates.
  double updateBiases(const LightFmFeatures& f, SideState& side, std::int32_t row, double gradient,
                      double alpha) {
    double sumLr = 0;
    for (auto p = f.indptr[row]; p < f.indptr[row + 1]; ++p) {
      const auto feat = f.indices[p];
      const double w = f.weights[p];
      double lr;
      if (m_adadelta) {
        side.biasGrad[feat] = static_cast<float>(m_rho * side.biasGrad[feat] +
                                                 (1 - m_rho) * (w * gradient) * (w * gradient));
        lr = std::sqrt(side.biasMom[feat] + m_eps) / std::sqrt(side.biasGrad[feat] + m_eps);
        const double update = lr * gradient * w;
        side.biasMom[feat] =
            static_cast<float>(m_rho * side.biasMom[feat] + (1 - m_rho) * update * update);
        side.bias[feat] -= static_cast<float>(update);
      } else {
        lr = m_lr / std::sqrt(static_cast<double>(side.biasGrad[feat]));
        side.bias[feat] -= static_cast<float>(lr * w * gradient);
        side.biasGrad[feat] += static_cast<float>((gradient * w) * (gradient * w));
      }
      if (alpha > 0) side.bias[feat] *= static_cast<float>(1.0 + alpha * lr);
      sumLr += lr;
    }
    return sumLr;
  }

  /// SGD step on the embeddings of `row`'s features with per-component gradient g[0..nc).
  double updateFeatures(const LightFmFeatures& f, SideState& side, std::int32_t row,
                        const float* g, double alpha) {
    double sumLr = 0;
    ConstArrayMap grad(g, m_nc);
    ArrayMap lr(bufLr(), m_nc);
    for (auto p = f.indptr[row]; p < f.indptr[row + 1]; ++p) {
      const std::size_t off = static_cast<std::size_t>(f.indices[p]) * m_nc;
      const float w = f.weights[p];
      ArrayMap par(side.emb.data() + off, m_nc);
      ArrayMap acc(side.embGrad.data() + off, m_nc);
      if (m_adadelta) {
        ArrayMap mom(side.embMom.data() + off, m_nc);
        acc = m_rho * acc + (1 - m_rho) * (w * grad).square();
        lr = (mom + m_eps).sqrt() / (acc + m_eps).sqrt();
        mom = m_rho * mom + (1 - m_rho) * (lr * grad * w).square();
        par -= lr * grad * w;
      } else {
        lr = m_lr / acc.sqrt();
        par -= lr * (w * grad);
        acc += (w * grad).square();
      }
      if (alpha > 0) {
        par *= 1.0f + static_cast<float>(alpha) * lr;
        sumLr += lr.sum();
      }
    }
    return sumLr;
  }

  void updateScales(double sumLr, std::int64_t featureRows) {
    if (!m_regularised) return;
    const double avg = sumLr / static_cast<double>((m_nc + 1) * featureRows);
    auto bump = [](std::atomic<double>& s, double factor) {
      s.store(s.load(std::memory_order_relaxed) * factor, std::memory_order_relaxed);
    };
    bump(m_s.items.scale, 1.0 + m_cfg.itemAlpha * avg);
    bump(m_s.users.scale, 1.0 + m_cfg.userAlpha * avg);
  }

  std::int64_t rowLength(const LightFmFeatures& f, std::int32_t row) const {
    return f.indptr[row + 1] - f.indptr[row];
  }

  /// Pairwise step: pushes the positive up and the negative down with weight `loss`.
  void pairUpdate(double loss, std::int32_t u, std::int32_t ip, std::int32_t in, const float* U,
                  const float* P, const float* N) {
    const double ia = m_cfg.itemAlpha, ua = m_cfg.userAlpha;
    double sumLr = 0;
    sumLr += updateBiases(m_s.itemF, m_s.items, ip, -loss, ia);
    sumLr += updateBiases(m_s.itemF, m_s.items, in, loss, ia);
    sumLr += updateBiases(m_s.userF, m_s.users, u, loss, ua);
    float* g = bufG();
    const float l = static_cast<float>(loss);
    ArrayMap G(g, m_nc);
    G = -l * ConstArrayMap(U, m_nc);
    sumLr += updateFeatures(m_s.itemF, m_s.items, ip, g, ia);
    G = l * ConstArrayMap(U, m_nc);
    sumLr += updateFeatures(m_s.itemF, m_s.items, in, g, ia);
    G = l * (ConstArrayMap(N, m_nc) - ConstArrayMap(P, m_nc));
    sumLr += updateFeatures(m_s.userF, m_s.users, u, g, ua);
    updateScales(sumLr, rowLength(m_s.userF, u) + rowLength(m_s.itemF, ip) +
                            rowLength(m_s.itemF, in));
  }

  /// WARP negative search for a positive with score `sp`; `negatives` is the WARP weight's
  /// numerator. Returns true when a violator was found and the update applied.
  bool warpStep(std::int32_t u, std::int32_t ip, float sp, std::int64_t numerator) {
    const std::int64_t nPos = m_s.ex.posPtr[u + 1] - m_s.ex.posPtr[u];
    if (nPos >= m_nItems) return false;  // no negative exists
    float* U = bufU();
    float* P = bufP();
    float* N = bufN();
    int sampled = 0;
    long long tries = 0;
    const long long maxTries = 1000LL * m_cfg.maxSampled + m_nItems;
    while (sampled < m_cfg.maxSampled && tries++ < maxTries) {
      const auto in = static_cast<std::int32_t>(m_rng.below(static_cast<std::uint32_t>(m_nItems)));
      if (inPositives(u, in)) continue;
      ++sampled;
      represent(m_s.itemF, m_s.items, in, N);
      const float sn = score(U, N);
      if (sn > sp - 1.0f) {
        double loss = std::log(std::max(1.0, std::floor(static_cast<double>(numerator / sampled))));
        loss = std::min(loss, kMaxLoss);
        pairUpdate(loss, u, ip, in, U, P, N);
        stats.lossSum += loss;
        ++stats.violations;
        return true;
      }
    }
    return false;
  }

  void warpExample(std::uint32_t e) {
    const auto u = m_s.ex.user[e], ip = m_s.ex.item[e];
    represent(m_s.userF, m_s.users, u, bufU());
    represent(m_s.itemF, m_s.items, ip, bufP());
    warpStep(u, ip, score(bufU(), bufP()), m_nItems - 1);
  }

  void warpKosExample(std::uint32_t e) {
    const auto u = m_s.ex.user[e];
    const auto b = m_s.ex.posPtr[u], count = m_s.ex.posPtr[u + 1] - b;
    if (count == 0) return;
    represent(m_s.userF, m_s.users, u, bufU());
    const int draws = static_cast<int>(std::min<std::int64_t>(m_cfg.n, count));
    m_pairs.clear();
    for (int j = 0; j < draws; ++j) {
      const auto item = m_s.ex.posItems[b + m_rng.below(static_cast<std::uint32_t>(count))];
      represent(m_s.itemF, m_s.items, item, bufP());
      m_pairs.emplace_back(score(bufU(), bufP()), item);
    }
    std::sort(m_pairs.begin(), m_pairs.end(),
              [](const auto& a, const auto& c) { return a.first > c.first; });
    const auto& chosen = m_pairs[static_cast<std::size_t>(std::min(m_cfg.k, draws) - 1)];
    represent(m_s.itemF, m_s.items, chosen.second, bufP());
    warpStep(u, chosen.second, chosen.first, m_nItems - count);
  }

  void bprExample(std::uint32_t e) {
    const auto u = m_s.ex.user[e], ip = m_s.ex.item[e];
    const auto nEx = static_cast<std::uint32_t>(m_s.ex.item.size());
    std::int32_t in = ip;
    for (std::uint32_t t = 0; t < nEx; ++t) {
      in = m_s.ex.item[m_rng.below(nEx)];
      if (!inPositives(u, in)) break;
    }
    float *U = bufU(), *P = bufP(), *N = bufN();
    represent(m_s.userF, m_s.users, u, U);
    represent(m_s.itemF, m_s.items, ip, P);
    represent(m_s.itemF, m_s.items, in, N);
    const double diff = static_cast<double>(score(U, P)) - score(U, N);
    pairUpdate(1.0 - sigmoid(diff), u, ip, in, U, P, N);
    stats.lossSum += diff > 0 ? std::log1p(std::exp(-diff)) : -diff + std::log1p(std::exp(diff));
  }

  void logisticExample(std::uint32_t e) {
    const auto u = m_s.ex.user[e], i = m_s.ex.item[e];
    float *U = bufU(), *I = bufP();
    represent(m_s.userF, m_s.users, u, U);
    represent(m_s.itemF, m_s.items, i, I);
    const double pred = sigmoid(score(U, I));
    const int y = m_s.ex.label[e];
    const double loss = pred - y;
    stats.lossSum += -std::log(std::max(1e-12, y ? pred : 1.0 - pred));
    const double ia = m_cfg.itemAlpha, ua = m_cfg.userAlpha;
    double sumLr = updateBiases(m_s.itemF, m_s.items, i, loss, ia);
    sumLr += updateBiases(m_s.userF, m_s.users, u, loss, ua);
    float* g = bufG();
    ArrayMap G(g, m_nc);
    const float l = static_cast<float>(loss);
    G = l * ConstArrayMap(U, m_nc);
    sumLr += updateFeatures(m_s.itemF, m_s.items, i, g, ia);
    G = l * ConstArrayMap(I, m_nc);
    sumLr += updateFeatures(m_s.userF, m_s.users, u, g, ua);
    updateScales(sumLr, rowLength(m_s.userF, u) + rowLength(m_s.itemF, i));
  }

  TrainState& m_s;
  const LightFmConfig& m_cfg;
  int m_nc;
  std::int32_t m_nItems;
  Rng m_rng;
  std::vector<float> m_buf;
  std::vector<std::pair<float, std::int32_t>> m_pairs;
  bool m_adadelta = false, m_regularised = false;
  float m_lr = 0, m_rho = 0, m_eps = 0;
};

/// Fresh optimiser state for the side's current parameters.
void resetOptimiser(SideState& side, bool adadelta) {
  side.embGrad.assign(side.emb.size(), adadelta ? 0.0f : 1.0f);
  side.embMom.assign(side.emb.size(), 0.0f);
  side.biasGrad.assign(side.bias.size(), adadelta ? 0.0f : 1.0f);
  side.biasMom.assign(side.bias.size(), 0.0f);
  side.scale.store(1.0);
}

void initSide(SideState& side, std::int32_t features, int nc, bool adadelta, Rng& rng) {
  const auto n = static_cast<std::size_t>(features) * static_cast<std::size_t>(nc);
  side.emb.resize(n);
  for (auto& v : side.emb) v = (rng.uniform() - 0.5f) / static_cast<float>(nc);
  side.bias.assign(static_cast<std::size_t>(features), 0.0f);
  resetOptimiser(side, adadelta);
}

void divideSide(SideState& side) {
  const double s = side.scale.load();
  if (s != 1.0) {
    const auto inv = static_cast<float>(1.0 / s);
    for (auto& v : side.emb) v *= inv;
    for (auto& v : side.bias) v *= inv;
  }
  side.scale.store(1.0);
}

}  // namespace

void TrainState::initialise(std::uint64_t seed) {
  Rng rng(seed);
  const bool adadelta = cfg.schedule == LightFmConfig::Schedule::Adadelta;
  initSide(items, itemF.numFeatures, cfg.noComponents, adadelta, rng);
  initSide(users, userF.numFeatures, cfg.noComponents, adadelta, rng);
}

void TrainState::adopt(std::vector<float> userEmb, std::vector<float> userBias,
                       std::vector<float> itemEmb, std::vector<float> itemBias) {
  const bool adadelta = cfg.schedule == LightFmConfig::Schedule::Adadelta;
  users.emb = std::move(userEmb);
  users.bias = std::move(userBias);
  items.emb = std::move(itemEmb);
  items.bias = std::move(itemBias);
  resetOptimiser(users, adadelta);
  resetOptimiser(items, adadelta);
}

void TrainState::regularize() {
  divideSide(items);
  divideSide(users);
}

EpochStats runEpoch(TrainState& state, const std::vector<std::uint32_t>& order, int threads,
                    std::uint64_t seed, const StopToken& stop) {
  threads = std::max(1, std::min<int>(threads, static_cast<int>(order.size() / 64) + 1));
  std::vector<Worker> workers;
  workers.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t)
    workers.emplace_back(state, seed ^ (0xA24BAED4963EE407ULL * static_cast<std::uint64_t>(t + 1)));
  const std::size_t chunk = (order.size() + threads - 1) / threads;
  auto runOne = [&](int t) {
    const std::size_t begin = std::min(order.size(), chunk * t);
    const std::size_t end = std::min(order.size(), begin + chunk);
    workers[t].run(order.data() + begin, end - begin, stop);
  };
  if (threads == 1) {
    runOne(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(runOne, t);
    for (auto& th : pool) th.join();
  }
  state.regularize();
  EpochStats total;
  for (const auto& w : workers) {
    total.lossSum += w.stats.lossSum;
    total.examples += w.stats.examples;
    total.violations += w.stats.violations;
  }
  return total;
}

}  // namespace reclab::models::lightfm_detail

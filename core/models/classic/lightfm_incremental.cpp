// Incremental learning for the LightFM-style model (seed C): table growth, fold-in of one
// user with the item side fixed, fine-tuning epochs over new rows. The rules are in lightfm.h.

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "common/errors.h"
#include "models/classic/lightfm.h"
#include "models/classic/lightfm_train.h"

namespace reclab::models {

namespace {

using lightfm_detail::Rng;

constexpr double kMaxWarpWeight = 10.0;

/// Inserts identity features for entities [rows(), n) right after the existing identity
/// features (attribute feature indices move up), with fresh embeddings and zero biases.
void growSide(LightFmFeatures& f, std::vector<float>& emb, std::vector<float>& bias, std::int32_t n,
              int nc, Rng& rng) {
  const std::int32_t old = f.rows();
  if (n <= old) return;
  const std::int32_t delta = n - old;
  for (auto& idx : f.indices)
    if (idx >= old) idx += delta;
  for (std::int32_t e = old; e < n; ++e) {
    f.indices.push_back(e);
    f.weights.push_back(1.0f);
    f.indptr.push_back(static_cast<std::int64_t>(f.indices.size()));
  }
  std::vector<float> fresh(static_cast<std::size_t>(delta) * static_cast<std::size_t>(nc));
  for (auto& v : fresh) v = (rng.uniform() - 0.5f) / static_cast<float>(nc);
  emb.insert(emb.begin() + static_cast<std::ptrdiff_t>(old) * nc, fresh.begin(), fresh.end());
  bias.insert(bias.begin() + old, static_cast<std::size_t>(delta), 0.0f);
  if (!f.names.empty()) {
    std::vector<std::string> names;
    for (std::int32_t e = old; e < n; ++e) names.push_back("#" + std::to_string(e));
    f.names.insert(f.names.begin() + old, names.begin(), names.end());
  }
  f.numFeatures += delta;
}

inline double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

}  // namespace

void LightFm::grow(std::int32_t numUsers, std::int32_t numItems, std::uint64_t seed) {
  if (m_userFeatures.indptr.empty() || m_itemFeatures.indptr.empty()) {
    throw std::logic_error("lightfm: grow() needs a trained or loaded model");
  }
  Rng rng(seed ^ 0x67726F77ULL);
  growSide(m_itemFeatures, m_itemEmb, m_itemFeatBias, numItems, m_config.noComponents, rng);
  growSide(m_userFeatures, m_userEmb, m_userFeatBias, numUsers, m_config.noComponents, rng);
  computeRepresentations();
}

void LightFm::fineTune(const TrainContext& ctx, int epochs) {
  using namespace lightfm_detail;
  if (epochs <= 0) throw std::invalid_argument("lightfm: fineTune: epochs must be > 0");
  const auto& log = ctx.log;
  if (!log.hasUsers()) throw InputError("lightfm: the log has no user column");
  if (log.numUsers() > m_userFeatures.rows() || log.numItems() > m_itemFeatures.rows()) {
    throw std::invalid_argument("lightfm: fineTune: the log has " + std::to_string(log.numUsers()) +
                                " users and " + std::to_string(log.numItems()) +
                                " items, the model " + std::to_string(m_userFeatures.rows()) +
                                " and " + std::to_string(m_itemFeatures.rows()) + " (grow first)");
  }
  const auto ex = buildExamples(log, ctx.trainRows, m_config, m_userFeatures.rows());
  if (ex.user.empty() || (ex.posItems.empty() && m_config.loss != LightFmConfig::Loss::Logistic)) {
    ctx.observer.onLog(LogLevel::Warning,
                       "lightfm: fine-tuning skipped: no positive interactions among the rows");
    return;
  }
  TrainState state(m_config, m_userFeatures, m_itemFeatures, ex);
  state.adopt(std::move(m_userEmb), std::move(m_userFeatBias), std::move(m_itemEmb),
              std::move(m_itemFeatBias));
  Rng seeder(ctx.seed ^ 0x66696E6574756EULL);
  const int threads = m_config.threads > 0 ? m_config.threads : std::max(1, ctx.threads);
  trainEpochs(state, epochs, threads, seeder, ctx, "fine-tuning");
  m_userEmb = std::move(state.users.emb);
  m_userFeatBias = std::move(state.users.bias);
  m_itemEmb = std::move(state.items.emb);
  m_itemFeatBias = std::move(state.items.bias);
  computeRepresentations();
}

void LightFm::foldInUser(const data::InteractionLog& log, std::int32_t user,
                         const std::vector<std::uint32_t>& rows) {
  const std::int32_t nItems = m_itemFeatures.rows();
  if (user < 0 || user >= m_userFeatures.rows()) {
    throw std::invalid_argument("lightfm: foldInUser: user " + std::to_string(user) +
                                " is outside the table of " +
                                std::to_string(m_userFeatures.rows()) + " users (grow first)");
  }
  if (rows.empty()) return;
  if (!log.hasUsers()) throw InputError("lightfm: the log has no user column");
  const lightfm_detail::PositiveRule positive(log, m_config);
  std::vector<std::int32_t> items, positives;
  std::vector<std::uint8_t> labels;
  for (auto r : rows) {
    if (log.user[r] != user) {
      throw std::invalid_argument("lightfm: foldInUser: row " + std::to_string(r) +
                                  " is not a row of user " + std::to_string(user));
    }
    const auto i = log.item[r];
    if (i < 0 || i >= nItems) {
      throw std::invalid_argument("lightfm: foldInUser: item " + std::to_string(i) +
                                  " is outside the table of " + std::to_string(nItems) +
                                  " items (grow first)");
    }
    const bool pos = positive(log, r);
    items.push_back(i);
    labels.push_back(pos ? 1 : 0);
    if (pos) positives.push_back(i);
  }
  std::sort(positives.begin(), positives.end());
  positives.erase(std::unique(positives.begin(), positives.end()), positives.end());
  const bool logistic = m_config.loss == LightFmConfig::Loss::Logistic;
  if (!logistic && (positives.empty() || positives.size() >= static_cast<std::size_t>(nItems))) {
    return;  // nothing to rank against
  }

  // The user's identity feature is feature `user`; its weight in the user's row.
  const int nc = m_config.noComponents;
  float weight = 0;
  for (auto p = m_userFeatures.indptr[user]; p < m_userFeatures.indptr[user + 1]; ++p)
    if (m_userFeatures.indices[p] == user) weight = m_userFeatures.weights[p];
  if (weight == 0) return;
  Eigen::Map<Eigen::ArrayXf> emb(m_userEmb.data() + static_cast<std::size_t>(user) * nc, nc);
  float& bias = m_userFeatBias[static_cast<std::size_t>(user)];
  Eigen::ArrayXf acc = Eigen::ArrayXf::Ones(nc);
  float biasAcc = 1.0f;
  const float lr = static_cast<float>(m_config.learningRate);
  const float alpha = static_cast<float>(m_config.userAlpha);
  Eigen::ArrayXf g(nc);
  // One Adagrad step on the identity feature for a gradient `grad` w.r.t. the representation.
  auto step = [&](const Eigen::ArrayXf& grad, float biasGrad) {
    g = weight * grad;
    emb -= lr / acc.sqrt() * (g + alpha * emb);
    acc += g.square();
    if (biasGrad != 0) {
      const float gb = weight * biasGrad;
      bias -= lr / std::sqrt(biasAcc) * (gb + alpha * bias);
      biasAcc += gb * gb;
    }
    representUser(user);
  };
  auto inPositives = [&](std::int32_t i) {
    return std::binary_search(positives.begin(), positives.end(), i);
  };
  auto score = [&](std::int32_t i) {
    return m_userRepr.row(user).dot(m_itemRepr.row(i)) + m_userBias(user) + m_itemBias(i);
  };

  Rng rng(0x666F6C64ULL ^ (static_cast<std::uint64_t>(user) * 0x9E3779B97F4A7C15ULL));
  std::vector<std::size_t> order(logistic ? items.size() : positives.size());
  for (std::size_t j = 0; j < order.size(); ++j) order[j] = j;
  for (int pass = 0; pass < m_config.foldInPasses; ++pass) {
    for (std::size_t j = order.size(); j > 1; --j)
      std::swap(order[j - 1], order[rng.below(static_cast<std::uint32_t>(j))]);
    for (auto j : order) {
      if (logistic) {
        const auto i = items[j];
        const float err = static_cast<float>(sigmoid(score(i)) - labels[j]);
        step(err * m_itemRepr.row(i).transpose().array(), err);
        continue;
      }
      const auto ip = positives[j];
      const float sp = score(ip);
      const bool bpr = m_config.loss == LightFmConfig::Loss::Bpr;
      const int maxSampled = bpr ? 1 : m_config.maxSampled;
      int sampled = 0;
      for (long long tries = 0; sampled < maxSampled && tries < 1000LL * maxSampled + nItems;
           ++tries) {
        const auto in = static_cast<std::int32_t>(rng.below(static_cast<std::uint32_t>(nItems)));
        if (inPositives(in)) continue;
        ++sampled;
        const float sn = score(in);
        float loss;
        if (bpr) {
          loss = static_cast<float>(1.0 - sigmoid(static_cast<double>(sp) - sn));
        } else {
          if (!(sn > sp - 1.0f)) continue;
          loss = static_cast<float>(std::min(
              kMaxWarpWeight,
              std::log(std::max(1.0, std::floor(static_cast<double>(nItems - 1) / sampled)))));
        }
        step(loss * (m_itemRepr.row(in) - m_itemRepr.row(ip)).transpose().array(), 0.0f);
        break;
      }
    }
  }
}

}  // namespace reclab::models

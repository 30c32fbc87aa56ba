#include "models/classic/lightfm.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <sstream>
#include <tuple>

#include "common/binary_io.h"
#include "common/errors.h"
#include "common/text.h"
#include "models/classic/lightfm_train.h"

namespace reclab::models {

namespace {

std::vector<std::string> splitList(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string part;
  while (std::getline(ss, part, ',')) {
    auto t = std::string(text::trim(part));
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) {
    if (!s.empty()) s += ", ";
    s += n;
  }
  return s.empty() ? "none" : s;
}

template <typename T>
void require(bool ok, const char* field, const char* rule, T got) {
  if (!ok) {
    std::ostringstream os;
    os << "lightfm: " << field << " must be " << rule << ", got " << got;
    throw InputError(os.str());
  }
}

void writeFeatures(BinaryWriter& w, const LightFmFeatures& f) {
  w.write<std::int32_t>(f.numFeatures);
  w.writeVector(f.indptr);
  w.writeVector(f.indices);
  w.writeVector(f.weights);
}

LightFmFeatures readFeatures(BinaryReader& r) {
  LightFmFeatures f;
  f.numFeatures = r.read<std::int32_t>();
  f.indptr = r.readVector<std::int64_t>();
  f.indices = r.readVector<std::int32_t>();
  f.weights = r.readVector<float>();
  return f;
}

/// Row r of the representation: weighted sum of its feature embeddings and biases.
void representRow(const LightFmFeatures& f, const std::vector<float>& emb,
                  const std::vector<float>& bias, int nc, std::int32_t r, Eigen::MatrixXf& repr,
                  Eigen::VectorXf& reprBias) {
  repr.row(r).setZero();
  reprBias(r) = 0;
  for (auto p = f.indptr[r]; p < f.indptr[r + 1]; ++p) {
    const auto feat = f.indices[p];
    const float w = f.weights[p];
    repr.row(r) += w * Eigen::Map<const Eigen::RowVectorXf>(
                           emb.data() + static_cast<std::size_t>(feat) * nc, nc);
    reprBias(r) += w * bias[feat];
  }
}

/// rows x nc representation: weighted sums of feature embeddings and biases.
void represent(const LightFmFeatures& f, const std::vector<float>& emb,
               const std::vector<float>& bias, int nc, Eigen::MatrixXf& repr,
               Eigen::VectorXf& reprBias) {
  const auto rows = f.rows();
  repr.setZero(rows, nc);
  reprBias.setZero(rows);
  for (std::int32_t r = 0; r < rows; ++r) representRow(f, emb, bias, nc, r, repr, reprBias);
}

}  // namespace

namespace lightfm_detail {

PositiveRule::PositiveRule(const data::InteractionLog& log, const LightFmConfig& cfg) {
  const auto events = splitList(cfg.positiveEvents);
  if (events.empty()) return;
  m_event.assign(std::max<std::size_t>(log.eventNames.size(), 1), false);
  for (const auto& name : events) {
    const int idx = log.findEvent(name);
    if (idx < 0)
      throw InputError("lightfm: positive_events: unknown event '" + name +
                       "' (known: " + joinNames(log.eventNames) + ")");
    m_event[static_cast<std::size_t>(idx)] = true;
  }
}

Examples buildExamples(const data::InteractionLog& log, const std::vector<std::uint32_t>& trainRows,
                       const LightFmConfig& cfg, std::int32_t numUsers) {
  const PositiveRule positive(log, cfg);
  const bool logistic = cfg.loss == LightFmConfig::Loss::Logistic;
  std::vector<std::tuple<std::int32_t, std::int32_t, std::uint8_t>> rows;
  rows.reserve(trainRows.size());
  for (auto r : trainRows) {
    const bool pos = positive(log, r);
    if (pos || logistic) rows.emplace_back(log.user[r], log.item[r], pos ? 1 : 0);
  }
  // Sort by (user, item, label descending) so a pair's first entry carries its positive label.
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) < std::get<0>(b);
    if (std::get<1>(a) != std::get<1>(b)) return std::get<1>(a) < std::get<1>(b);
    return std::get<2>(a) > std::get<2>(b);
  });
  Examples ex;
  ex.posPtr.assign(static_cast<std::size_t>(numUsers) + 1, 0);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto [u, i, y] = rows[k];
    if (k > 0 && std::get<0>(rows[k - 1]) == u && std::get<1>(rows[k - 1]) == i) continue;
    ex.user.push_back(u);
    ex.item.push_back(i);
    ex.label.push_back(y);
    if (y) {
      ex.posItems.push_back(i);
      ++ex.posPtr[static_cast<std::size_t>(u) + 1];
    }
  }
  std::partial_sum(ex.posPtr.begin(), ex.posPtr.end(), ex.posPtr.begin());
  return ex;
}

void trainEpochs(TrainState& state, int epochs, int threads, Rng& seeder, const TrainContext& ctx,
                 const char* stage) {
  std::vector<std::uint32_t> order(state.ex.user.size());
  std::iota(order.begin(), order.end(), 0u);
  Rng shuffler(seeder.next());
  const bool warp =
      state.cfg.loss == LightFmConfig::Loss::Warp || state.cfg.loss == LightFmConfig::Loss::WarpKos;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    if (ctx.stop.stopRequested()) break;
    for (std::size_t k = order.size(); k > 1; --k)
      std::swap(order[k - 1], order[shuffler.below(static_cast<std::uint32_t>(k))]);
    const auto stats = runEpoch(state, order, threads, seeder.next(), ctx.stop);
    TrainingReport report;
    report.epoch = epoch;
    const double n = std::max<long long>(1, stats.examples);
    report.values["train_loss"] = stats.lossSum / n;
    if (warp) report.values["violation_rate"] = static_cast<double>(stats.violations) / n;
    ctx.observer.onProgress(static_cast<double>(epoch) / epochs, stage);
    if (ctx.endEpoch(report)) break;
  }
}

}  // namespace lightfm_detail

void LightFmConfig::validate() const {
  require(noComponents > 0, "no_components", "> 0", noComponents);
  require(learningRate > 0, "learning_rate", "> 0", learningRate);
  require(rho > 0 && rho < 1, "rho", "in (0, 1)", rho);
  require(epsilon > 0, "epsilon", "> 0", epsilon);
  require(itemAlpha >= 0, "item_alpha", ">= 0", itemAlpha);
  require(userAlpha >= 0, "user_alpha", ">= 0", userAlpha);
  require(maxSampled > 0, "max_sampled", "> 0", maxSampled);
  require(k > 0, "k", "> 0", k);
  require(n > 0, "n", "> 0", n);
  require(epochs > 0, "epochs", "> 0", epochs);
  require(threads >= 0, "threads", ">= 0", threads);
  require(foldInPasses > 0, "fold_in_passes", "> 0", foldInPasses);
}

LightFmFeatures LightFmFeatures::build(std::int32_t entities, const data::AttributeTable& table,
                                       const std::string& attributeList, const std::string& what) {
  LightFmFeatures f;
  const auto attrs = splitList(attributeList);
  std::vector<const data::Attribute*> used;
  for (const auto& name : attrs) {
    const auto* a = table.find(name);
    if (a == nullptr) {
      std::vector<std::string> known;
      for (const auto& x : table.attributes()) known.push_back(x.name);
      throw InputError("lightfm: " + what + ": no attribute '" + name +
                       "' (available: " + joinNames(known) + ")");
    }
    if (a->kind == data::Attribute::Kind::Numeric)
      throw InputError("lightfm: " + what + ": attribute '" + name +
                       "' is numeric; only categorical attributes can be features");
    if (std::find(used.begin(), used.end(), a) == used.end()) used.push_back(a);
  }
  f.numFeatures = entities;
  f.names.reserve(static_cast<std::size_t>(entities));
  for (std::int32_t e = 0; e < entities; ++e) f.names.push_back("#" + std::to_string(e));
  std::vector<std::int32_t> offsets;
  for (const auto* a : used) {
    offsets.push_back(f.numFeatures);
    f.numFeatures += static_cast<std::int32_t>(a->vocabulary.size());
    for (const auto& v : a->vocabulary) f.names.push_back(a->name + "=" + v);
  }
  f.indptr.reserve(static_cast<std::size_t>(entities) + 1);
  f.indptr.push_back(0);
  std::vector<std::int32_t> row;
  for (std::int32_t e = 0; e < entities; ++e) {
    row.assign(1, e);
    for (std::size_t a = 0; a < used.size(); ++a) {
      const auto* attr = used[a];
      const auto idx = static_cast<std::size_t>(e);
      if (attr->kind == data::Attribute::Kind::Categorical) {
        if (idx < attr->categorical.size() && attr->categorical[idx] >= 0)
          row.push_back(offsets[a] + attr->categorical[idx]);
      } else if (idx < attr->multi.size()) {
        for (auto code : attr->multi[idx]) row.push_back(offsets[a] + code);
      }
    }
    std::sort(row.begin() + 1, row.end());
    row.erase(std::unique(row.begin() + 1, row.end()), row.end());
    const float w = used.empty() ? 1.0f : 1.0f / static_cast<float>(row.size());
    for (auto feat : row) {
      f.indices.push_back(feat);
      f.weights.push_back(w);
    }
    f.indptr.push_back(static_cast<std::int64_t>(f.indices.size()));
  }
  return f;
}

LightFm::LightFm(LightFmConfig config) : m_config(std::move(config)) { m_config.validate(); }

void LightFm::fit(const TrainContext& ctx) {
  using namespace lightfm_detail;
  m_config.validate();
  const auto& log = ctx.log;
  if (!log.hasUsers()) throw InputError("lightfm: the log has no user column");
  const auto nUsers = log.numUsers(), nItems = log.numItems();
  if (nItems < 2) throw InputError("lightfm: needs at least 2 items, got " + std::to_string(nItems));
  m_userFeatures = LightFmFeatures::build(nUsers, log.userAttributes, m_config.userFeatures,
                                          "user_features");
  m_itemFeatures = LightFmFeatures::build(nItems, log.itemAttributes, m_config.itemFeatures,
                                          "item_features");

  const auto ex = buildExamples(log, ctx.trainRows, m_config, nUsers);
  if (ex.posItems.empty() && m_config.loss != LightFmConfig::Loss::Logistic)
    throw InputError("lightfm: no positive training interactions (check positive_events)");

  TrainState state(m_config, m_userFeatures, m_itemFeatures, ex);
  Rng seeder(ctx.seed ^ 0x6C69676874666DULL);
  state.initialise(seeder.next());
  const int threads = m_config.threads > 0 ? m_config.threads : std::max(1, ctx.threads);
  trainEpochs(state, m_config.epochs, threads, seeder, ctx, "training");
  m_userEmb = std::move(state.users.emb);
  m_userFeatBias = std::move(state.users.bias);
  m_itemEmb = std::move(state.items.emb);
  m_itemFeatBias = std::move(state.items.bias);
  computeRepresentations();
}

void LightFm::computeRepresentations() {
  represent(m_userFeatures, m_userEmb, m_userFeatBias, m_config.noComponents, m_userRepr,
            m_userBias);
  represent(m_itemFeatures, m_itemEmb, m_itemFeatBias, m_config.noComponents, m_itemRepr,
            m_itemBias);
}

void LightFm::representUser(std::int32_t user) {
  representRow(m_userFeatures, m_userEmb, m_userFeatBias, m_config.noComponents, user, m_userRepr,
               m_userBias);
}

void LightFm::scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const {
  const auto b = static_cast<Eigen::Index>(users.size());
  const int nc = m_config.noComponents;
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> u(b, nc);
  Eigen::VectorXf ub(b);
  for (Eigen::Index r = 0; r < b; ++r) {
    const auto id = users[static_cast<std::size_t>(r)];
    if (id >= 0 && id < m_userRepr.rows()) {
      u.row(r) = m_userRepr.row(id);
      ub(r) = m_userBias(id);
    } else {  // unknown user: zero representation, items ranked by their biases
      u.row(r).setZero();
      ub(r) = 0;
    }
  }
  out.resize(b, m_itemRepr.rows());
  out.noalias() = u * m_itemRepr.transpose();
  out.rowwise() += m_itemBias.transpose();
  out.colwise() += ub;
}

void LightFm::save(const std::string& path) const {
  BinaryWriter w(path, "reclab.lightfm", 1);
  w.write<std::int32_t>(m_config.noComponents);
  w.write<std::int32_t>(static_cast<std::int32_t>(m_config.loss));
  writeFeatures(w, m_userFeatures);
  writeFeatures(w, m_itemFeatures);
  w.writeVector(m_userEmb);
  w.writeVector(m_userFeatBias);
  w.writeVector(m_itemEmb);
  w.writeVector(m_itemFeatBias);
  w.close();
}

void LightFm::load(const std::string& path) {
  BinaryReader r(path, "reclab.lightfm", 1);
  const auto nc = r.read<std::int32_t>();
  const auto loss = r.read<std::int32_t>();
  auto uf = readFeatures(r);
  auto itf = readFeatures(r);
  auto ue = r.readVector<float>();
  auto ub = r.readVector<float>();
  auto ie = r.readVector<float>();
  auto ib = r.readVector<float>();
  auto consistent = [nc](const LightFmFeatures& f, const std::vector<float>& e,
                         const std::vector<float>& b) {
    if (nc <= 0 || f.indptr.empty() || e.size() != static_cast<std::size_t>(f.numFeatures) * nc ||
        b.size() != static_cast<std::size_t>(f.numFeatures) ||
        f.indices.size() != f.weights.size() ||
        f.indptr.back() != static_cast<std::int64_t>(f.indices.size()))
      return false;
    return std::all_of(f.indices.begin(), f.indices.end(),
                       [&](std::int32_t x) { return x >= 0 && x < f.numFeatures; });
  };
  if (!consistent(uf, ue, ub) || !consistent(itf, ie, ib))
    throw InputError(path + ": inconsistent lightfm model file");
  m_config.noComponents = nc;
  m_config.loss = static_cast<LightFmConfig::Loss>(loss);
  m_userFeatures = std::move(uf);
  m_itemFeatures = std::move(itf);
  m_userEmb = std::move(ue);
  m_userFeatBias = std::move(ub);
  m_itemEmb = std::move(ie);
  m_itemFeatBias = std::move(ib);
  computeRepresentations();
}

void registerLightFm(Registry& registry) {
  using T = ParamSpec::Type;
  ModelInfo info;
  info.name = "lightfm";
  info.displayName = "LightFM-style hybrid MF (WARP / BPR / logistic)";
  info.task = Task::Ranking;
  info.description =
      "Users and items are sums of their feature embeddings (identity features by default, "
      "optionally attribute features); trained with LightFM's WARP, k-OS WARP, BPR or "
      "logistic loss and per-parameter Adagrad / Adadelta. Score = q_u . q_i + b_u + b_i.";
  info.params = {
      {"loss", T::Choice, "warp", std::nullopt, std::nullopt, {"warp", "warp-kos", "bpr", "logistic"},
       "warp: sample negatives until a rank violator; warp-kos: k-th of n sampled positives; "
       "bpr: one popularity-sampled negative; logistic: labels from positive / negative rows"},
      {"no_components", T::Int, 10, 1, 4096, {}, "embedding dimension"},
      {"learning_schedule", T::Choice, "adagrad", std::nullopt, std::nullopt, {"adagrad", "adadelta"},
       "per-parameter learning-rate schedule"},
      {"learning_rate", T::Double, 0.05, 1e-9, 100.0, {}, "Adagrad initial learning rate"},
      {"rho", T::Double, 0.95, 1e-9, 0.999999, {}, "Adadelta moving-average decay"},
      {"epsilon", T::Double, 1e-6, 1e-12, 1.0, {}, "Adadelta numerical constant"},
      {"item_alpha", T::Double, 0.0, 0.0, 10.0, {}, "L2 penalty on item features (lazy, as LightFM)"},
      {"user_alpha", T::Double, 0.0, 0.0, 10.0, {}, "L2 penalty on user features (lazy, as LightFM)"},
      {"max_sampled", T::Int, 10, 1, 100000, {}, "WARP: negatives drawn before giving up"},
      {"k", T::Int, 5, 1, 10000, {}, "warp-kos: the k-th positive is used"},
      {"n", T::Int, 10, 1, 10000, {}, "warp-kos: positives drawn per example"},
      {"epochs", T::Int, 30, 1, 100000, {}, "passes over the training positives"},
      {"threads", T::Int, 0, 0, 256, {},
       "Hogwild training threads (0 = the run's thread budget); reproducible only with 1"},
      {"item_features", T::String, "", std::nullopt, std::nullopt, {},
       "comma-separated categorical item attributes added as features (rows normalised to sum 1)"},
      {"user_features", T::String, "", std::nullopt, std::nullopt, {},
       "comma-separated categorical user attributes added as features (rows normalised to sum 1)"},
      {"positive_events", T::String, "", std::nullopt, std::nullopt, {},
       "comma-separated event names counted as positives (empty = every event)"},
      {"fold_in_passes", T::Int, 20, 1, 100000, {},
       "incremental updates: SGD passes over a user's positives when folding the user in"},
  };
  info.factory = [](const nlohmann::json& p) {
    LightFmConfig c;
    const auto loss = paramString(p, "loss");
    c.loss = loss == "warp"      ? LightFmConfig::Loss::Warp
             : loss == "warp-kos" ? LightFmConfig::Loss::WarpKos
             : loss == "bpr"      ? LightFmConfig::Loss::Bpr
                                  : LightFmConfig::Loss::Logistic;
    c.noComponents = static_cast<int>(paramInt(p, "no_components"));
    c.schedule = paramString(p, "learning_schedule") == "adadelta"
                     ? LightFmConfig::Schedule::Adadelta
                     : LightFmConfig::Schedule::Adagrad;
    c.learningRate = paramDouble(p, "learning_rate");
    c.rho = paramDouble(p, "rho");
    c.epsilon = paramDouble(p, "epsilon");
    c.itemAlpha = paramDouble(p, "item_alpha");
    c.userAlpha = paramDouble(p, "user_alpha");
    c.maxSampled = static_cast<int>(paramInt(p, "max_sampled"));
    c.k = static_cast<int>(paramInt(p, "k"));
    c.n = static_cast<int>(paramInt(p, "n"));
    c.epochs = static_cast<int>(paramInt(p, "epochs"));
    c.threads = static_cast<int>(paramInt(p, "threads"));
    c.itemFeatures = paramString(p, "item_features");
    c.userFeatures = paramString(p, "user_features");
    c.positiveEvents = paramString(p, "positive_events");
    c.foldInPasses = static_cast<int>(paramInt(p, "fold_in_passes"));
    return std::make_unique<LightFm>(c);
  };
  registry.add(std::move(info));
}

}  // namespace reclab::models

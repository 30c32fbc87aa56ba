#include "models/classic/session_item_knn.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/errors.h"
#include "data/session_sequences.h"
#include "models/classic/cooccurrence_neighbours.h"

namespace reclab::models {

void SessionItemKnnConfig::validate() const {
  if (k <= 0) throw InputError(fmt::format("session_item_knn: k must be > 0, got {}", k));
  if (!(lambda >= 0) || !std::isfinite(lambda)) {
    throw InputError(fmt::format("session_item_knn: lambda must be >= 0, got {}", lambda));
  }
  if (!(alpha >= 0 && alpha <= 1)) {
    throw InputError(fmt::format("session_item_knn: alpha must be in [0, 1], got {}", alpha));
  }
}

SessionItemKnn::SessionItemKnn(SessionItemKnnConfig config) : m_config(config) {
  m_config.validate();
}

namespace {

/// Session x item incidence of the training sessions: one entry per distinct item.
SparseRows sessionItemMatrix(const data::SessionSequences& train, std::int32_t numItems) {
  SparseRows m;
  m.numCols = numItems;
  m.offsets.reserve(train.size() + 1);
  std::vector<std::int32_t> items;
  for (std::size_t s = 0; s < train.size(); ++s) {
    const auto seq = train.sequence(s);
    items.assign(seq.begin(), seq.end());
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    for (auto i : items) {
      if (i < 0 || i >= numItems) continue;
      m.cols.push_back(i);
      m.weights.push_back(1.0f);
    }
    m.offsets.push_back(static_cast<std::int64_t>(m.cols.size()));
  }
  return m;
}

}  // namespace

void SessionItemKnn::fit(const TrainContext& ctx) {
  const std::int32_t n = ctx.log.numItems();
  const auto train = data::buildSessionSequences(ctx.log, ctx.trainRows);
  const SparseRows bySession = sessionItemMatrix(train, n);
  const SparseRows byItem = bySession.transposed();
  std::vector<double> support(static_cast<std::size_t>(n));
  for (std::int32_t i = 0; i < n; ++i)
    support[static_cast<std::size_t>(i)] = static_cast<double>(byItem.end(i) - byItem.begin(i));
  const double lambda = m_config.lambda, alpha = m_config.alpha;
  // session-rec's similarity: co(i, j) / ((sup(i) + lambda)^alpha * (sup(j) + lambda)^(1-alpha)).
  auto similarity = [&](std::int32_t i, std::int32_t j, float co) {
    const double den = std::pow(support[static_cast<std::size_t>(i)] + lambda, alpha) *
                       std::pow(support[static_cast<std::size_t>(j)] + lambda, 1.0 - alpha);
    return den > 0 ? static_cast<float>(co / den) : std::numeric_limits<float>::quiet_NaN();
  };
  m_neighbours = topCoOccurrenceNeighbours(byItem, bySession, n, m_config.k, ctx.threads,
                                           similarity, ctx.observer, ctx.stop);
  TrainingReport report;
  report.epoch = 1;
  report.values["training_sessions"] = static_cast<double>(train.size());
  report.values["neighbour_pairs"] = static_cast<double>(m_neighbours.cols.size());
  ctx.endEpoch(report);
}

void SessionItemKnn::save(const std::string& path) const {
  BinaryWriter w(path, "reclab.session_item_knn", 1);
  w.write<std::int32_t>(m_config.k);
  w.write<double>(m_config.lambda);
  w.write<double>(m_config.alpha);
  m_neighbours.write(w);
  w.close();
}

void SessionItemKnn::load(const std::string& path) {
  BinaryReader r(path, "reclab.session_item_knn", 1);
  SessionItemKnnConfig c;
  c.k = r.read<std::int32_t>();
  c.lambda = r.read<double>();
  c.alpha = r.read<double>();
  c.validate();
  SparseRows neighbours;
  neighbours.read(r);
  if (neighbours.numRows() != neighbours.numCols)
    throw InputError(path + ": session_item_knn: neighbour table is not items x items");
  m_config = c;
  m_neighbours = std::move(neighbours);
}

void SessionItemKnn::scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                                   ScoreMatrix& out) const {
  const std::int32_t n = numItems();
  out.setZero(static_cast<Eigen::Index>(prefixes.size()), n);
  for (std::size_t r = 0; r < prefixes.size(); ++r) {
    if (prefixes[r].empty()) continue;
    const auto last = prefixes[r].back();
    if (last < 0 || last >= n) continue;
    float* row = out.row(static_cast<Eigen::Index>(r)).data();
    for (auto e = m_neighbours.begin(last); e < m_neighbours.end(last); ++e)
      row[m_neighbours.cols[static_cast<std::size_t>(e)]] =
          m_neighbours.weights[static_cast<std::size_t>(e)];
  }
}

void registerSessionItemKnn(Registry& registry) {
  ModelInfo info;
  info.name = "session_item_knn";
  info.displayName = "Item-KNN (session, last item)";
  info.task = Task::SessionNext;
  info.description =
      "Session baseline (Hidasi et al. 2016): the next item is scored by its similarity to the "
      "prefix's last item, sim(i,j) = co(i,j) / ((supp(i)+lambda)^alpha "
      "(supp(j)+lambda)^(1-alpha)) "
      "over training sessions; lambda = 0, alpha = 0.5 is the cosine.";
  info.params = {
      {"k", ParamSpec::Type::Int, 100, 1.0, std::nullopt, {}, "neighbours kept per item"},
      {"lambda",
       ParamSpec::Type::Double,
       20.0,
       0.0,
       std::nullopt,
       {},
       "added to both supports (damps pairs seen in few sessions); 0 = plain cosine"},
      {"alpha",
       ParamSpec::Type::Double,
       0.5,
       0.0,
       1.0,
       {},
       "weight of the last item's support in the denominator: 0.5 cosine, 1 confidence"}};
  info.factory = [](const nlohmann::json& p) {
    SessionItemKnnConfig c;
    c.k = static_cast<int>(paramInt(p, "k"));
    c.lambda = paramDouble(p, "lambda");
    c.alpha = paramDouble(p, "alpha");
    return std::make_unique<SessionItemKnn>(c);
  };
  registry.add(std::move(info));
}

}  // namespace reclab::models

#include "models/classic/item_knn.h"


#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "common/errors.h"
#include "models/classic/cooccurrence_neighbours.h"

namespace reclab::models {

SparseRows SparseRows::transposed() const {
  SparseRows t;
  t.numCols = numRows();
  t.offsets.assign(static_cast<std::size_t>(numCols) + 1, 0);
  for (auto c : cols) ++t.offsets[static_cast<std::size_t>(c) + 1];
  for (std::size_t i = 1; i < t.offsets.size(); ++i) t.offsets[i] += t.offsets[i - 1];
  t.cols.resize(cols.size());
  t.weights.resize(cols.size());
  std::vector<std::int64_t> pos(t.offsets.begin(), t.offsets.end() - 1);
  // Rows are visited in increasing order, so each transposed row comes out sorted.
  for (std::int32_t r = 0; r < numRows(); ++r) {
    for (auto e = begin(r); e < end(r); ++e) {
      auto& p = pos[static_cast<std::size_t>(cols[static_cast<std::size_t>(e)])];
      t.cols[static_cast<std::size_t>(p)] = r;
      t.weights[static_cast<std::size_t>(p)] = weights[static_cast<std::size_t>(e)];
      ++p;
    }
  }
  return t;
}

void SparseRows::write(BinaryWriter& w) const {
  w.write<std::int32_t>(numCols);
  w.writeVector(offsets);
  w.writeVector(cols);
  w.writeVector(weights);
}

void SparseRows::read(BinaryReader& r) {
  numCols = r.read<std::int32_t>();
  offsets = r.readVector<std::int64_t>();
  cols = r.readVector<std::int32_t>();
  weights = r.readVector<float>();
  if (offsets.empty() || cols.size() != weights.size() ||
      offsets.back() != static_cast<std::int64_t>(cols.size()))
    throw InputError("sparse matrix: inconsistent sizes in saved model");
}

SparseRows buildUserItemMatrix(const data::InteractionLog& log,
                               const std::vector<std::uint32_t>& rows, bool useValues) {
  if (!log.hasUsers()) throw InputError("user-item matrix: the data set has no user column");
  const bool values = useValues && log.hasValues();
  const auto nu = static_cast<std::size_t>(log.numUsers());
  SparseRows m;
  m.numCols = log.numItems();
  std::vector<std::int64_t> start(nu + 1, 0);
  for (auto r : rows) ++start[static_cast<std::size_t>(log.user[r]) + 1];
  for (std::size_t u = 1; u <= nu; ++u) start[u] += start[u - 1];
  std::vector<std::pair<std::int32_t, float>> raw(rows.size());
  {
    std::vector<std::int64_t> pos(start.begin(), start.end() - 1);
    for (auto r : rows) {
      auto u = static_cast<std::size_t>(log.user[r]);
      raw[static_cast<std::size_t>(pos[u]++)] = {log.item[r], values ? log.value[r] : 1.0f};
    }
  }
  m.offsets.assign(nu + 1, 0);
  m.cols.reserve(raw.size());
  m.weights.reserve(raw.size());
  for (std::size_t u = 0; u < nu; ++u) {
    auto b = raw.begin() + start[u], e = raw.begin() + start[u + 1];
    std::stable_sort(b, e, [](const auto& x, const auto& y) { return x.first < y.first; });
    for (auto it = b; it != e; ++it) {
      if (!m.cols.empty() && static_cast<std::int64_t>(m.cols.size()) > m.offsets[u] &&
          m.cols.back() == it->first) {
        if (values) m.weights.back() += it->second;  // binary: duplicates count once
      } else {
        m.cols.push_back(it->first);
        m.weights.push_back(it->second);
      }
    }
    m.offsets[u + 1] = static_cast<std::int64_t>(m.cols.size());
  }
  return m;
}

void ItemKnnConfig::validate() const {
  if (k <= 0) throw InputError("item_knn: k must be > 0, got " + std::to_string(k));
  if (!(shrinkage >= 0))
    throw InputError("item_knn: shrinkage must be >= 0, got " + std::to_string(shrinkage));
}

ItemKnn::ItemKnn(ItemKnnConfig config) : m_config(config) { m_config.validate(); }

void ItemKnn::fit(const TrainContext& ctx) {
  m_history = buildUserItemMatrix(ctx.log, ctx.trainRows, m_config.valueWeighted);
  const SparseRows byItem = m_history.transposed();
  const std::int32_t n = m_history.numCols;
  std::vector<float> norm(static_cast<std::size_t>(n), 0.0f);
  for (std::int32_t i = 0; i < n; ++i) {
    double s = 0;
    for (auto e = byItem.begin(i); e < byItem.end(i); ++e)
      s += double(byItem.weights[static_cast<std::size_t>(e)]) *
           byItem.weights[static_cast<std::size_t>(e)];
    norm[static_cast<std::size_t>(i)] = static_cast<float>(std::sqrt(s));
  }
  const float shrink = static_cast<float>(m_config.shrinkage);
  auto cosine = [&](std::int32_t i, std::int32_t j, float dot) {
    const float den = norm[static_cast<std::size_t>(i)] * norm[static_cast<std::size_t>(j)] + shrink;
    return den > 0 ? dot / den : std::numeric_limits<float>::quiet_NaN();
  };
  m_neighbours = topCoOccurrenceNeighbours(byItem, m_history, n, m_config.k, ctx.threads, cosine,
                                           ctx.observer, ctx.stop);
  TrainingReport report;
  report.epoch = 1;
  report.values["neighbour_pairs"] = static_cast<double>(m_neighbours.cols.size());
  ctx.endEpoch(report);
}

std::size_t ItemKnn::memoryBytes() const {
  auto bytes = [](const SparseRows& s) {
    return s.offsets.capacity() * sizeof(std::int64_t) + s.cols.capacity() * sizeof(std::int32_t) +
           s.weights.capacity() * sizeof(float);
  };
  return bytes(m_history) + bytes(m_neighbours);
}

void ItemKnn::writeState(BinaryWriter& w) const {
  w.write<std::int32_t>(m_config.k);
  w.write<double>(m_config.shrinkage);
  w.write<std::uint8_t>(m_config.valueWeighted ? 1 : 0);
  m_history.write(w);
  m_neighbours.write(w);
}

void ItemKnn::readState(BinaryReader& r) {
  m_config.k = r.read<std::int32_t>();
  m_config.shrinkage = r.read<double>();
  m_config.valueWeighted = r.read<std::uint8_t>() != 0;
  m_history.read(r);
  m_neighbours.read(r);
}

void ItemKnn::save(const std::string& path) const {
  BinaryWriter w(path, "reclab.item_knn", 1);
  writeState(w);
  w.close();
}

void ItemKnn::load(const std::string& path) {
  BinaryReader r(path, "reclab.item_knn", 1);
  readState(r);
}

void ItemKnn::scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const {
  out.setZero(static_cast<Eigen::Index>(users.size()), m_neighbours.numCols);
  for (std::size_t b = 0; b < users.size(); ++b) {
    const auto u = users[b];
    if (u < 0 || u >= m_history.numRows()) continue;  // unseen user: all zeros
    float* row = out.row(static_cast<Eigen::Index>(b)).data();
    for (auto e = m_history.begin(u); e < m_history.end(u); ++e) {
      const auto j = m_history.cols[static_cast<std::size_t>(e)];
      const float w = m_history.weights[static_cast<std::size_t>(e)];
      for (auto f = m_neighbours.begin(j); f < m_neighbours.end(j); ++f)
        row[m_neighbours.cols[static_cast<std::size_t>(f)]] +=
            w * m_neighbours.weights[static_cast<std::size_t>(f)];
    }
  }
}

void registerItemKnn(Registry& registry) {
  ModelInfo info;
  info.name = "item_knn";
  info.displayName = "Item-KNN (cosine)";
  info.task = Task::Ranking;
  info.description =
      "Item-item nearest neighbours: cosine similarity of the items' user vectors, "
      "sim(i,j) = x_i.x_j / (|x_i||x_j| + shrinkage), top-k neighbours kept per item; a user's "
      "score for item n is the sum of n's similarities to the user's training items.";
  info.params = {
      {"k", ParamSpec::Type::Int, 50, 1.0, std::nullopt, {}, "neighbours kept per item"},
      {"shrinkage", ParamSpec::Type::Double, 0.0, 0.0, std::nullopt, {},
       "added to the cosine denominator (damps similarities supported by few users)"},
      {"weighting", ParamSpec::Type::Choice, "binary", std::nullopt, std::nullopt,
       {"binary", "value"},
       "binary: 1 per (user, item) pair; value: the sum of the pair's values (e.g. ratings)"}};
  info.factory = [](const nlohmann::json& p) {
    ItemKnnConfig c;
    c.k = static_cast<int>(paramInt(p, "k"));
    c.shrinkage = paramDouble(p, "shrinkage");
    c.valueWeighted = paramString(p, "weighting") == "value";
    return std::make_unique<ItemKnn>(c);
  };
  registry.add(std::move(info));
}

}  // namespace reclab::models

#include "models/classic/sknn.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <queue>
#include <tuple>

#include "common/binary_io.h"
#include "common/errors.h"
#include "data/session_sequences.h"

namespace reclab::models {

void SknnConfig::validate() const {
  if (k <= 0) throw InputError(fmt::format("sknn: k must be > 0, got {}", k));
  if (sampleSize < 0) {
    throw InputError(fmt::format("sknn: sample_size must be >= 0 (0 = all), got {}", sampleSize));
  }
}

Sknn::Sknn(SknnConfig config) : m_config(config) { m_config.validate(); }

void Sknn::fit(const TrainContext& ctx) {
  const auto train = data::buildSessionSequences(ctx.log, ctx.trainRows);
  m_numItems = ctx.log.numItems();
  std::vector<std::uint32_t> order(train.size());
  std::iota(order.begin(), order.end(), 0U);
  // Most recent first; equal last click: the higher session index first.
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (train.lastTime[a] != train.lastTime[b]) return train.lastTime[a] > train.lastTime[b];
    return train.session[a] > train.session[b];
  });
  m_sessionOffsets.assign(1, 0);
  m_sessionItems.clear();
  std::vector<std::int32_t> items;
  for (auto s : order) {
    ctx.stop.throwIfStopped();
    const auto seq = train.sequence(s);
    items.assign(seq.begin(), seq.end());
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    for (auto i : items)
      if (i >= 0 && i < m_numItems) m_sessionItems.push_back(i);
    m_sessionOffsets.push_back(static_cast<std::uint32_t>(m_sessionItems.size()));
  }
  buildIndex();
  TrainingReport report;
  report.epoch = 1;
  report.values["training_sessions"] = static_cast<double>(numSessions());
  report.values["index_entries"] = static_cast<double>(m_itemSessions.size());
  ctx.endEpoch(report);
}

void Sknn::buildIndex() {
  const auto n = static_cast<std::size_t>(m_numItems);
  m_itemOffsets.assign(n + 1, 0);
  for (auto i : m_sessionItems) ++m_itemOffsets[static_cast<std::size_t>(i) + 1];
  for (std::size_t i = 0; i < n; ++i) m_itemOffsets[i + 1] += m_itemOffsets[i];
  m_itemSessions.resize(m_sessionItems.size());
  std::vector<std::uint32_t> fill(m_itemOffsets.begin(), m_itemOffsets.end() - 1);
  // Ranks are visited in increasing order, so every item's list comes out ascending.
  for (std::uint32_t rank = 0; rank + 1 < m_sessionOffsets.size(); ++rank) {
    for (auto e = m_sessionOffsets[rank]; e < m_sessionOffsets[rank + 1]; ++e)
      m_itemSessions[fill[static_cast<std::size_t>(m_sessionItems[e])]++] = rank;
  }
}

std::vector<std::int32_t> Sknn::sessionItems(std::uint32_t rank) const {
  return {m_sessionItems.begin() + m_sessionOffsets[rank],
          m_sessionItems.begin() + m_sessionOffsets[rank + 1]};
}

std::vector<std::pair<std::uint32_t, float>> Sknn::neighbours(
    const std::vector<std::int32_t>& prefix) const {
  std::vector<std::int32_t> distinct(prefix.begin(), prefix.end());
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  const double prefixSize = static_cast<double>(distinct.size());
  std::erase_if(distinct, [&](std::int32_t i) { return i < 0 || i >= m_numItems; });

  // Candidates: merge the items' recency-ordered session lists, most recent first.
  using Head = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>;  // rank, position, end
  std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
  for (auto i : distinct) {
    const auto b = m_itemOffsets[static_cast<std::size_t>(i)];
    const auto e = m_itemOffsets[static_cast<std::size_t>(i) + 1];
    if (b < e) heads.emplace(m_itemSessions[b], b, e);
  }
  const auto limit = m_config.sampleSize > 0 ? static_cast<std::size_t>(m_config.sampleSize)
                                             : m_sessionOffsets.size();
  std::vector<std::uint32_t> candidates;
  while (!heads.empty() && candidates.size() < limit) {
    const auto [rank, pos, end] = heads.top();
    heads.pop();
    if (candidates.empty() || candidates.back() != rank) candidates.push_back(rank);
    if (pos + 1 < end) heads.emplace(m_itemSessions[pos + 1], pos + 1, end);
  }

  std::vector<std::pair<std::uint32_t, float>> scored;
  scored.reserve(candidates.size());
  for (auto rank : candidates) {
    const auto* b = m_sessionItems.data() + m_sessionOffsets[rank];
    const auto* e = m_sessionItems.data() + m_sessionOffsets[rank + 1];
    std::size_t common = 0;
    auto p = distinct.begin();
    for (const auto* q = b; q != e && p != distinct.end();) {
      if (*q < *p) {
        ++q;
      } else if (*p < *q) {
        ++p;
      } else {
        ++common;
        ++p;
        ++q;
      }
    }
    const double size = static_cast<double>(e - b);
    const double c = static_cast<double>(common);
    const double sim = m_config.similarity == SknnConfig::Similarity::Cosine
                           ? c / std::sqrt(prefixSize * size)
                           : c / (prefixSize + size - c);
    if (sim > 0) scored.emplace_back(rank, static_cast<float>(sim));
  }
  const auto keep = std::min(scored.size(), static_cast<std::size_t>(m_config.k));
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(keep),
                    scored.end(), [](const auto& x, const auto& y) {
                      return x.second > y.second || (x.second == y.second && x.first < y.first);
                    });
  scored.resize(keep);
  return scored;
}

void Sknn::scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                         ScoreMatrix& out) const {
  out.setZero(static_cast<Eigen::Index>(prefixes.size()), m_numItems);
  for (std::size_t r = 0; r < prefixes.size(); ++r) {
    float* row = out.row(static_cast<Eigen::Index>(r)).data();
    for (const auto& [rank, sim] : neighbours(prefixes[r])) {
      for (auto e = m_sessionOffsets[rank]; e < m_sessionOffsets[rank + 1]; ++e)
        row[m_sessionItems[e]] += sim;
    }
  }
}

void Sknn::save(const std::string& path) const {
  BinaryWriter w(path, "reclab.sknn", 1);
  w.write<std::int32_t>(m_config.k);
  w.write<std::int32_t>(m_config.sampleSize);
  w.write<std::int32_t>(m_config.similarity == SknnConfig::Similarity::Cosine ? 0 : 1);
  w.write<std::int32_t>(m_numItems);
  w.writeVector(m_sessionOffsets);
  w.writeVector(m_sessionItems);
  w.close();
}

void Sknn::load(const std::string& path) {
  BinaryReader r(path, "reclab.sknn", 1);
  SknnConfig c;
  c.k = r.read<std::int32_t>();
  c.sampleSize = r.read<std::int32_t>();
  const auto sim = r.read<std::int32_t>();
  if (sim != 0 && sim != 1) throw InputError(path + ": sknn: unknown similarity code");
  c.similarity = sim == 0 ? SknnConfig::Similarity::Cosine : SknnConfig::Similarity::Jaccard;
  c.validate();
  const auto numItems = r.read<std::int32_t>();
  auto offsets = r.readVector<std::uint32_t>();
  auto items = r.readVector<std::int32_t>();
  if (numItems < 0 || offsets.empty() || offsets.front() != 0 || offsets.back() != items.size() ||
      !std::is_sorted(offsets.begin(), offsets.end()) ||
      std::any_of(items.begin(), items.end(),
                  [&](std::int32_t i) { return i < 0 || i >= numItems; })) {
    throw InputError(path + ": sknn: inconsistent session table in saved model");
  }
  m_config = c;
  m_numItems = numItems;
  m_sessionOffsets = std::move(offsets);
  m_sessionItems = std::move(items);
  buildIndex();
}

void registerSknn(Registry& registry) {
  ModelInfo info;
  info.name = "sknn";
  info.displayName = "SKNN (session-based kNN)";
  info.task = Task::SessionNext;
  info.description =
      "Session-based kNN (Ludewig & Jannach 2018): among the sample_size most recent training "
      "sessions sharing an item with the prefix, the k most similar (cosine or Jaccard of the "
      "item sets) vote for their items with their similarity.";
  info.params = {{"k", ParamSpec::Type::Int, 100, 1.0, std::nullopt, {}, "neighbour sessions"},
                 {"sample_size",
                  ParamSpec::Type::Int,
                  500,
                  0.0,
                  std::nullopt,
                  {},
                  "most recent candidate sessions considered (0 = all sharing an item)"},
                 {"similarity",
                  ParamSpec::Type::Choice,
                  "cosine",
                  std::nullopt,
                  std::nullopt,
                  {"cosine", "jaccard"},
                  "similarity of the prefix's and a session's item sets"}};
  info.factory = [](const nlohmann::json& p) {
    SknnConfig c;
    c.k = static_cast<int>(paramInt(p, "k"));
    c.sampleSize = static_cast<int>(paramInt(p, "sample_size"));
    c.similarity = paramString(p, "similarity") == "cosine" ? SknnConfig::Similarity::Cosine
                                                            : SknnConfig::Similarity::Jaccard;
    return std::make_unique<Sknn>(c);
  };
  registry.add(std::move(info));
}

}  // namespace reclab::models

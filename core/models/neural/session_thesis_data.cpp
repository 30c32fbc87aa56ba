#include "models/neural/session_thesis_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "common/errors.h"
#include "features/session_graphs.h"

namespace reclab::models::neural {

ThesisSamples buildThesisSamples(const data::SessionSequences& sessions, int inputLength,
                                 std::int32_t noneId, bool keepShort) {
  ThesisSamples out;
  out.inputLength = inputLength;
  const auto valid = [&](std::int32_t i) { return i >= 0 && i < noneId ? i : noneId; };
  std::vector<std::int32_t> z;
  for (std::size_t s = 0; s < sessions.size(); ++s) {
    const auto seq = sessions.sequence(s);
    if (seq.empty()) continue;
    const bool isShort = seq.size() <= static_cast<std::size_t>(inputLength);
    if (isShort && !keepShort) continue;
    // Padded at the end with None up to inputLength + 1 clicks (Algorithm 3.1, lines 1-4).
    for (int i = 0; i < inputLength; ++i) {
      const auto u = static_cast<std::size_t>(i);
      out.inputs.push_back(u < seq.size() ? valid(seq[u]) : noneId);
    }
    z.clear();
    if (isShort) {
      z.push_back(noneId);
    } else {
      for (std::size_t t = static_cast<std::size_t>(inputLength); t < seq.size(); ++t)
        z.push_back(valid(seq[t]));
      std::sort(z.begin(), z.end());
      z.erase(std::unique(z.begin(), z.end()), z.end());
    }
    out.labels.insert(out.labels.end(), z.begin(), z.end());
    out.labelOffsets.push_back(static_cast<std::uint32_t>(out.labels.size()));
  }
  return out;
}

void prefixInput(std::span<const std::int32_t> prefix, int inputLength, std::int32_t noneId,
                 std::span<std::int32_t> out) {
  const auto len = static_cast<std::ptrdiff_t>(inputLength);
  const auto n = static_cast<std::ptrdiff_t>(prefix.size());
  for (std::ptrdiff_t i = 0; i < len; ++i) {
    const std::ptrdiff_t t = n - len + i;  // position in the prefix of slot i
    const std::int32_t item = t >= 0 ? prefix[static_cast<std::size_t>(t)] : noneId;
    out[static_cast<std::size_t>(i)] = item >= 0 && item < noneId ? item : noneId;
  }
}

// ---------------------------------------------------------------------------------------------
// ThesisGraph

ThesisGraph ThesisGraph::fromSessionGraphs(const features::SessionGraphs& graphs) {
  using features::SessionGraphKind;
  ThesisGraph g;
  g.numItems = graphs.numItems();
  g.numChannels = graphs.maxDistance();
  const auto& h = graphs.matrix(SessionGraphKind::H);
  const auto n = static_cast<std::size_t>(g.numItems);
  const auto p = static_cast<std::size_t>(g.numChannels);
  g.offsets.assign(h.offsets.begin(), h.offsets.end());
  g.columns = h.columns;
  g.channels.assign(h.numEdges() * p, 0.0f);
  g.rowTotals.assign(n, 0.0f);
  for (std::size_t c = 0; c < p; ++c) {
    const auto& k = graphs.matrix(SessionGraphKind::K, static_cast<int>(c) + 1);
    for (std::size_t i = 0; i < n; ++i) {
      // K_p's row is a subset of H's row (both ascending): one merge walk.
      auto e = h.offsets[i];
      for (auto f = k.offsets[i]; f < k.offsets[i + 1]; ++f) {
        while (h.columns[e] != k.columns[f]) ++e;
        g.channels[e * p + c] = k.weights[f];
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (auto e = h.offsets[i]; e < h.offsets[i + 1]; ++e) g.rowTotals[i] += h.weights[e];
  }
  return g;
}

void ThesisGraph::validate(const char* what) const {
  const auto n = static_cast<std::size_t>(numItems);
  const bool ok = numItems >= 0 && numChannels >= 1 && offsets.size() == n + 1 &&
                  offsets.front() == 0 &&
                  static_cast<std::size_t>(offsets.back()) == columns.size() &&
                  std::is_sorted(offsets.begin(), offsets.end()) &&
                  channels.size() == columns.size() * static_cast<std::size_t>(numChannels) &&
                  rowTotals.size() == n &&
                  std::all_of(columns.begin(), columns.end(),
                              [&](std::int32_t c) { return c >= 0 && c < numItems; });
  if (!ok) throw InputError(fmt::format("{}: inconsistent session graph", what));
}

float ThesisGraph::total(std::size_t e) const {
  const auto p = static_cast<std::size_t>(numChannels);
  float t = 0;
  for (std::size_t c = 0; c < p; ++c) t += channels[e * p + c];
  return t;
}

std::int64_t ThesisGraph::find(std::int32_t from, std::int32_t to) const {
  if (from < 0 || from >= numItems) return -1;
  const auto b = columns.begin() + offsets[static_cast<std::size_t>(from)];
  const auto e = columns.begin() + offsets[static_cast<std::size_t>(from) + 1];
  const auto it = std::lower_bound(b, e, to);
  return it != e && *it == to ? static_cast<std::int64_t>(it - columns.begin()) : -1;
}

void ThesisGraph::edge(std::int32_t from, std::int32_t to, std::span<float> out) const {
  const auto e = find(from, to);
  const auto p = static_cast<std::size_t>(numChannels);
  for (std::size_t c = 0; c < p; ++c)
    out[c] = e < 0 ? 0.0f : channels[static_cast<std::size_t>(e) * p + c];
}

std::vector<std::int32_t> ThesisGraph::topNeighbours(std::span<const std::int32_t> clicks,
                                                     int k) const {
  std::vector<std::pair<std::int32_t, float>> acc;
  for (auto i : clicks) {
    if (i < 0 || i >= numItems) continue;
    const auto u = static_cast<std::size_t>(i);
    for (auto e = offsets[u]; e < offsets[u + 1]; ++e)
      acc.emplace_back(columns[static_cast<std::size_t>(e)], total(static_cast<std::size_t>(e)));
  }
  std::sort(acc.begin(), acc.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::size_t w = 0;
  for (std::size_t r = 0; r < acc.size(); ++r) {
    if (w > 0 && acc[w - 1].first == acc[r].first) {
      acc[w - 1].second += acc[r].second;
    } else {
      acc[w++] = acc[r];
    }
  }
  acc.resize(w);
  const auto keep = std::min(acc.size(), static_cast<std::size_t>(std::max(k, 0)));
  std::partial_sort(acc.begin(), acc.begin() + static_cast<std::ptrdiff_t>(keep), acc.end(),
                    [](const auto& a, const auto& b) {
                      return a.second > b.second || (a.second == b.second && a.first < b.first);
                    });
  std::vector<std::int32_t> out(keep);
  for (std::size_t r = 0; r < keep; ++r) out[r] = acc[r].first;
  return out;
}

void normaliseEdge(std::span<float> edge, float rowTotal, const std::string& mode) {
  if (mode == "l1") {
    const float d = rowTotal > 0 ? rowTotal : 1.0f;
    for (auto& v : edge) v /= d;
  } else if (mode == "log1p") {
    for (auto& v : edge) v = std::log1p(v);
  }
}

// ---------------------------------------------------------------------------------------------
// NORM.GNN.Bin

BinarySamples sampleCandidates(const ThesisSamples& samples, const ThesisGraph& graph,
                               const CandidateSampling& config, std::uint64_t seed) {
  BinarySamples out;
  out.inputLength = samples.inputLength;
  std::mt19937_64 rng(seed);
  const int maxPositives =
      std::max(1, static_cast<int>(std::floor(config.maxPositiveShare * config.perSession)));
  std::vector<std::int32_t> clicks, chosen, positives;
  for (std::size_t s = 0; s < samples.size(); ++s) {
    const auto in = samples.input(s);
    const auto z = samples.label(s);  // ascending
    clicks.clear();
    for (auto i : in) {
      if (i >= 0 && i < graph.numItems &&
          graph.offsets[static_cast<std::size_t>(i) + 1] >
              graph.offsets[static_cast<std::size_t>(i)])
        clicks.push_back(i);
    }
    if (clicks.empty()) continue;
    auto isNeighbour = [&](std::int32_t o) {
      return std::any_of(clicks.begin(), clicks.end(),
                         [&](std::int32_t i) { return graph.find(i, o) >= 0; });
    };
    positives.clear();
    for (auto o : z)
      if (o >= 0 && o < graph.numItems && isNeighbour(o)) positives.push_back(o);
    std::shuffle(positives.begin(), positives.end(), rng);
    chosen.assign(
        positives.begin(),
        positives.begin() + std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(positives.size()),
                                                     std::min(maxPositives, config.perSession)));
    const std::size_t numPositive = chosen.size();
    const int missing = config.perSession - static_cast<int>(chosen.size());
    std::uniform_int_distribution<std::size_t> pickClick(0, clicks.size() - 1);
    for (int draw = 0; draw < 20 * missing && static_cast<int>(chosen.size()) < config.perSession;
         ++draw) {
      const auto i = static_cast<std::size_t>(clicks[pickClick(rng)]);
      const auto b = static_cast<std::size_t>(graph.offsets[i]);
      const auto e = static_cast<std::size_t>(graph.offsets[i + 1]);
      std::size_t pick = b;
      if (config.weightedNegatives) {
        std::uniform_real_distribution<double> u(0.0, graph.rowTotals[i]);
        double r = u(rng);
        for (pick = b; pick + 1 < e; ++pick) {
          r -= graph.total(pick);
          if (r < 0) break;
        }
      } else {
        pick = std::uniform_int_distribution<std::size_t>(b, e - 1)(rng);
      }
      const auto o = graph.columns[pick];
      if (std::binary_search(z.begin(), z.end(), o)) continue;
      if (std::find(chosen.begin() + static_cast<std::ptrdiff_t>(numPositive), chosen.end(), o) !=
          chosen.end())
        continue;
      chosen.push_back(o);
    }
    for (std::size_t c = 0; c < chosen.size(); ++c) {
      out.inputs.insert(out.inputs.end(), in.begin(), in.end());
      out.candidates.push_back(chosen[c]);
      out.labels.push_back(c < numPositive ? 1 : 0);
    }
  }
  return out;
}

}  // namespace reclab::models::neural

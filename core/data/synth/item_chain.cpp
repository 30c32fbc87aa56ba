#include "data/synth/item_chain.h"

#include <algorithm>
#include <numeric>

#include "common/errors.h"
#include "data/synth/random.h"

namespace reclab::synth {

namespace {

constexpr std::int64_t kFirstItemId = 214500000;  // Yoochoose-like large ids

}  // namespace

ItemChain ItemChain::build(const ItemChainParams& p) {
  ItemChain chain;
  Rng rng(mixSeed(p.seed, 21));
  const auto n = static_cast<std::size_t>(p.items);
  chain.m_itemIds = distinctIntegers(rng, n, kFirstItemId,
                                     kFirstItemId + std::max<std::int64_t>(400000, 4 * p.items));
  chain.m_popularity = zipfWeights(n, p.popularityExponent);
  rng.shuffle(chain.m_popularity);
  chain.m_cluster.resize(n);
  std::vector<std::vector<std::uint32_t>> members(static_cast<std::size_t>(p.clusters));
  for (std::size_t i = 0; i < n; ++i) {
    chain.m_cluster[i] = static_cast<int>(rng.below(static_cast<std::uint64_t>(p.clusters)));
    members[static_cast<std::size_t>(chain.m_cluster[i])].push_back(static_cast<std::uint32_t>(i));
  }
  std::vector<std::uint32_t> byPopularity(n);
  std::iota(byPopularity.begin(), byPopularity.end(), 0U);
  std::stable_sort(byPopularity.begin(), byPopularity.end(), [&](std::uint32_t a, std::uint32_t b) {
    return chain.m_popularity[a] > chain.m_popularity[b];
  });
  const std::size_t nHubs = std::min<std::size_t>(n, static_cast<std::size_t>(p.popularItems));
  chain.m_hubs.assign(byPopularity.begin(),
                      byPopularity.begin() + static_cast<std::ptrdiff_t>(nHubs));

  const double pJump = std::max(0.0, 1.0 - p.pStay - p.pRepeat);
  std::vector<std::pair<std::uint32_t, double>> row;
  std::vector<std::uint32_t> picked;
  for (std::size_t i = 0; i < n; ++i) {
    row.clear();
    const auto& mates = members[static_cast<std::size_t>(chain.m_cluster[i])];
    // Strong successors: distinct cluster mates other than i.
    picked.clear();
    const std::size_t want =
        std::min<std::size_t>(static_cast<std::size_t>(p.successors), mates.size() - 1);
    if (want == mates.size() - 1) {
      for (std::uint32_t m : mates) {
        if (m != i) picked.push_back(m);
      }
      rng.shuffle(picked);
    } else {
      while (picked.size() < want) {
        const std::uint32_t m = mates[rng.below(mates.size())];
        if (m != i && std::find(picked.begin(), picked.end(), m) == picked.end())
          picked.push_back(m);
      }
    }
    double harmonic = 0.0;
    for (std::size_t r = 0; r < picked.size(); ++r) harmonic += 1.0 / static_cast<double>(r + 1);
    for (std::size_t r = 0; r < picked.size(); ++r) {
      row.emplace_back(picked[r], p.pStay / static_cast<double>(r + 1) / harmonic);
    }
    // Jumps to the hubs of other clusters.
    double hubTotal = 0.0;
    for (std::uint32_t h : chain.m_hubs) {
      if (chain.m_cluster[h] != chain.m_cluster[i]) hubTotal += chain.m_popularity[h];
    }
    if (hubTotal > 0.0 && pJump > 0.0) {
      for (std::uint32_t h : chain.m_hubs) {
        if (chain.m_cluster[h] != chain.m_cluster[i]) {
          row.emplace_back(h, pJump * chain.m_popularity[h] / hubTotal);
        }
      }
    }
    if (p.pRepeat > 0.0) row.emplace_back(static_cast<std::uint32_t>(i), p.pRepeat);
    double mass = 0.0;
    for (const auto& e : row) mass += e.second;
    if (row.empty() || !(mass > 0.0)) {
      row.assign(1, {static_cast<std::uint32_t>(i), 1.0});
      mass = 1.0;
    }
    std::sort(row.begin(), row.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    for (const auto& [j, prob] : row) {
      chain.m_next.push_back(j);
      chain.m_prob.push_back(prob / mass);
    }
    chain.m_rowStart.push_back(chain.m_next.size());
  }
  chain.finishRows();
  return chain;
}

void ItemChain::finishRows() {
  m_cdf.resize(m_prob.size());
  for (std::size_t i = 0; i + 1 < m_rowStart.size(); ++i) {
    double acc = 0.0;
    for (std::size_t k = m_rowStart[i]; k < m_rowStart[i + 1]; ++k) {
      acc += m_prob[k];
      m_cdf[k] = acc;
    }
  }
}

double ItemChain::probability(std::size_t i, std::size_t j) const {
  for (std::size_t k = m_rowStart[i]; k < m_rowStart[i + 1]; ++k) {
    if (m_next[k] == j) return m_prob[k];
  }
  return 0.0;
}

nlohmann::json ItemChain::toJson() const {
  nlohmann::json items = nlohmann::json::array(), probs = nlohmann::json::array();
  for (std::size_t i = 0; i < size(); ++i) {
    items.push_back(std::vector<std::uint32_t>(rowItems(i), rowItems(i) + rowSize(i)));
    probs.push_back(std::vector<double>(rowProbs(i), rowProbs(i) + rowSize(i)));
  }
  return {{"items", m_itemIds},         {"cluster", m_cluster},     {"hubs", m_hubs},
          {"popularity", m_popularity}, {"successor_items", items}, {"successor_probs", probs}};
}

ItemChain ItemChain::fromJson(const nlohmann::json& j) {
  ItemChain chain;
  try {
    chain.m_itemIds = j.at("items").get<std::vector<std::int64_t>>();
    chain.m_cluster = j.at("cluster").get<std::vector<int>>();
    chain.m_hubs = j.at("hubs").get<std::vector<std::uint32_t>>();
    chain.m_popularity = j.at("popularity").get<std::vector<double>>();
    const auto& items = j.at("successor_items");
    const auto& probs = j.at("successor_probs");
    const std::size_t n = chain.m_itemIds.size();
    if (items.size() != n || probs.size() != n || chain.m_cluster.size() != n) {
      throw InputError("chain: array sizes differ");
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto next = items[i].get<std::vector<std::uint32_t>>();
      const auto prob = probs[i].get<std::vector<double>>();
      if (next.size() != prob.size() || next.empty()) {
        throw InputError("chain: row " + std::to_string(i) + " is malformed");
      }
      for (std::uint32_t s : next) {
        if (s >= n)
          throw InputError("chain: row " + std::to_string(i) + " names item " + std::to_string(s));
      }
      chain.m_next.insert(chain.m_next.end(), next.begin(), next.end());
      chain.m_prob.insert(chain.m_prob.end(), prob.begin(), prob.end());
      chain.m_rowStart.push_back(chain.m_next.size());
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError(std::string("chain: ") + e.what());
  }
  chain.finishRows();
  return chain;
}

double optimalHitRate(const ItemChain& chain, const std::vector<std::uint64_t>& sourceCounts,
                      int k) {
  double hit = 0.0, total = 0.0;
  for (std::size_t i = 0; i < chain.size() && i < sourceCounts.size(); ++i) {
    if (sourceCounts[i] == 0) continue;
    const std::size_t top =
        std::min<std::size_t>(chain.rowSize(i), static_cast<std::size_t>(std::max(k, 0)));
    double mass = 0.0;
    for (std::size_t r = 0; r < top; ++r) mass += chain.rowProbs(i)[r];
    hit += static_cast<double>(sourceCounts[i]) * mass;
    total += static_cast<double>(sourceCounts[i]);
  }
  return total > 0.0 ? hit / total : 0.0;
}

}  // namespace reclab::synth

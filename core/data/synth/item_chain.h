#pragma once
/// The clustered item Markov chain behind the Yoochoose generator, stored as sparse rows, and
/// the optimal next-item hit rate it implies.
///
/// Row of item i (cluster c):
///   P(i -> i)              = p_repeat                                   (re-click)
///   P(i -> s_r)            = p_stay * (1 / (r + 1)) / H                 (the few strong
///                            successors s_0, s_1, ... drawn from cluster c, H normalises)
///   P(i -> h)              = (1 - p_stay - p_repeat) * pop(h) / sum     (hubs: the most popular
///                            items, those outside cluster c)
/// When a part is empty (a one-item cluster, every hub in c) the row is renormalised.

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace reclab::synth {

struct ItemChainParams {
  std::int64_t items = 2000;
  int clusters = 40;
  int successors = 5;     ///< strong within-cluster successors per item
  int popularItems = 20;  ///< hubs that out-of-cluster jumps land on
  double pStay = 0.8;
  double pRepeat = 0.05;
  double popularityExponent = 1.0;  ///< Zipf exponent of the session-start popularity
  std::uint64_t seed = 42;
};

class ItemChain {
 public:
  ItemChain() = default;
  /// Draws a chain (deterministic in params.seed). Params are assumed validated.
  static ItemChain build(const ItemChainParams& params);
  /// Reads the "chain" object of a Yoochoose ground_truth.json (throws InputError if malformed).
  static ItemChain fromJson(const nlohmann::json& chain);
  /// {"items", "cluster", "hubs", "popularity", "successor_items", "successor_probs"}; rows
  /// hold item indices (into "items") sorted by decreasing probability.
  nlohmann::json toJson() const;

  std::size_t size() const { return m_itemIds.size(); }
  std::int64_t itemId(std::size_t i) const { return m_itemIds[i]; }
  int cluster(std::size_t i) const { return m_cluster[i]; }
  const std::vector<std::int64_t>& itemIds() const { return m_itemIds; }
  const std::vector<double>& popularity() const { return m_popularity; }
  const std::vector<std::uint32_t>& hubs() const { return m_hubs; }

  /// Row of item i: successors by decreasing probability and their probabilities.
  std::size_t rowSize(std::size_t i) const { return m_rowStart[i + 1] - m_rowStart[i]; }
  const std::uint32_t* rowItems(std::size_t i) const { return m_next.data() + m_rowStart[i]; }
  const double* rowProbs(std::size_t i) const { return m_prob.data() + m_rowStart[i]; }
  /// P(next = j | current = i); 0 when j is not in the row.
  double probability(std::size_t i, std::size_t j) const;

  /// Next item after i given u uniform in [0, 1).
  std::size_t sampleNext(std::size_t i, double u) const {
    const std::size_t begin = m_rowStart[i], end = m_rowStart[i + 1];
    for (std::size_t k = begin; k + 1 < end; ++k) {
      if (u < m_cdf[k]) return m_next[k];
    }
    return m_next[end - 1];
  }

 private:
  void finishRows();

  std::vector<std::int64_t> m_itemIds;
  std::vector<int> m_cluster;
  std::vector<double> m_popularity;  ///< session-start weights (unnormalised)
  std::vector<std::uint32_t> m_hubs;
  std::vector<std::size_t> m_rowStart{0};
  std::vector<std::uint32_t> m_next;
  std::vector<double> m_prob;
  std::vector<double> m_cdf;
};

/// Expected probability that the true next click is among the k most likely successors of the
/// current item, the current items weighted by `sourceCounts` (how often each item was followed
/// by another click). Returns 0 when all counts are 0.
double optimalHitRate(const ItemChain& chain, const std::vector<std::uint64_t>& sourceCounts,
                      int k);

}  // namespace reclab::synth

#pragma once
/// Pieces shared by the LibTorch session next-item models (SR-GNN, GRU4Rec): training prefixes
/// as tensors, padded prefix batches gathered with index tensors, and the Recall@k / MRR@k of a
/// score matrix. Only core/models/neural includes this (it includes <torch/torch.h>).

#include <torch/torch.h>

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/errors.h"
#include "data/session_sequences.h"

namespace reclab::models::neural {

/// Every prefix of a set of sessions with its next click (the SR-GNN / GRU4Rec augmentation):
/// a session s[0..L-1] gives the prefixes s[0..t-1] -> s[t], t = 1..L-1. The items of all
/// sessions are one flat int64 tensor; a prefix is (start, length) into it.
struct PrefixTensors {
  torch::Tensor items;   ///< all items of the sessions, concatenated (int64)
  torch::Tensor start;   ///< per prefix: offset of its session in `items` (int64)
  torch::Tensor length;  ///< per prefix: clicks in the prefix (int64, >= 1)
  torch::Tensor target;  ///< per prefix: the next click (int64)

  std::int64_t size() const { return start.defined() ? start.size(0) : 0; }
};

inline PrefixTensors buildPrefixTensors(const data::SessionSequences& seqs) {
  std::vector<std::int64_t> items(seqs.items.begin(), seqs.items.end());
  std::vector<std::int64_t> start, length, target;
  for (std::size_t s = 0; s < seqs.size(); ++s) {
    const auto off = static_cast<std::int64_t>(seqs.offsets[s]);
    const auto len = static_cast<std::int64_t>(seqs.length(s));
    for (std::int64_t t = 1; t < len; ++t) {
      start.push_back(off);
      length.push_back(t);
      target.push_back(items[static_cast<std::size_t>(off + t)]);
    }
  }
  auto toTensor = [](const std::vector<std::int64_t>& v) {
    return torch::tensor(v.empty() ? std::vector<std::int64_t>{} : v, torch::kInt64);
  };
  return {toTensor(items), toTensor(start), toTensor(length), toTensor(target)};
}

/// Prefixes given as lists (scorePrefixes) as a flat item tensor with starts and lengths.
/// Throws InputError naming the prefix when one is empty or holds an item outside
/// [0, numItems).
inline PrefixTensors prefixListTensors(const std::vector<std::vector<std::int32_t>>& prefixes,
                                       std::int64_t numItems, const std::string& model) {
  std::vector<std::int64_t> items, start, length;
  for (std::size_t j = 0; j < prefixes.size(); ++j) {
    if (prefixes[j].empty()) throw InputError(fmt::format("{}: prefix {} is empty", model, j));
    start.push_back(static_cast<std::int64_t>(items.size()));
    length.push_back(static_cast<std::int64_t>(prefixes[j].size()));
    for (auto i : prefixes[j]) {
      if (i < 0 || i >= numItems) {
        throw InputError(
            fmt::format("{}: prefix {} holds item {}, outside the {} items the "
                        "model was trained with",
                        model, j, i, numItems));
      }
      items.push_back(i);
    }
  }
  return {torch::tensor(items, torch::kInt64), torch::tensor(start, torch::kInt64),
          torch::tensor(length, torch::kInt64), torch::Tensor()};
}

/// A batch of prefixes as a padded B x L matrix (L = the longest prefix of the batch), gathered
/// with one index tensor; padding positions hold item 0 and are false in `mask`.
struct PaddedPrefixes {
  torch::Tensor seq;   ///< B x L int64
  torch::Tensor mask;  ///< B x L bool
};

inline PaddedPrefixes padPrefixes(const torch::Tensor& items, const torch::Tensor& start,
                                  const torch::Tensor& length) {
  const std::int64_t maxLen = length.max().item<std::int64_t>();
  auto pos = torch::arange(maxLen, torch::kInt64).unsqueeze(0);  // 1 x L
  auto mask = pos < length.unsqueeze(1);                         // B x L
  auto index = (start.unsqueeze(1) + pos).masked_fill(~mask, 0);
  auto seq = items.index({index.reshape({-1})}).reshape(index.sizes()).masked_fill(~mask, 0);
  return {seq, mask};
}

/// Hits and reciprocal ranks at k of a B x I score matrix against B targets. The rank of the
/// target is 1 + the items scoring strictly higher, + the items with an equal score and a lower
/// index (eval::topK's tie order). Returns {sum of hits, sum of 1 / rank over hits}.
inline std::pair<double, double> hitsAndReciprocalRanks(const torch::Tensor& scores,
                                                        const torch::Tensor& target, int k) {
  auto t = scores.gather(1, target.unsqueeze(1));  // B x 1
  auto lowerIndex = torch::arange(scores.size(1), torch::kInt64).unsqueeze(0) < target.unsqueeze(1);
  auto rank = (scores > t).sum(1) + ((scores == t) & lowerIndex).sum(1) + 1;
  auto hit = rank <= k;
  const double hits = hit.sum().item<double>();
  const double rr =
      torch::where(hit, 1.0 / rank.to(torch::kFloat64), torch::zeros({1}, torch::kFloat64))
          .sum()
          .item<double>();
  return {hits, rr};
}

}  // namespace reclab::models::neural

#include "models/classic/embedding_neighbours.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/errors.h"

namespace reclab::models {

std::vector<std::pair<std::int32_t, float>> nearestByEmbedding(const Eigen::MatrixXf& emb,
                                                               std::int32_t row, int k) {
  if (row < 0 || row >= emb.rows())
    throw InputError("nearest neighbours: row " + std::to_string(row) + " out of range [0, " +
                     std::to_string(emb.rows()) + ")");
  if (k < 1) throw InputError("nearest neighbours: k must be > 0, got " + std::to_string(k));
  const Eigen::VectorXf norms = emb.rowwise().norm();
  const Eigen::VectorXf dots = emb * emb.row(row).transpose();
  const float qn = norms(row);
  std::vector<std::pair<std::int32_t, float>> cand;
  cand.reserve(static_cast<std::size_t>(emb.rows()));
  for (Eigen::Index r = 0; r < emb.rows(); ++r) {
    if (r == row) continue;
    const float den = qn * norms(r);
    cand.emplace_back(static_cast<std::int32_t>(r), den > 0 ? dots(r) / den : 0.0f);
  }
  const auto keep = std::min(cand.size(), static_cast<std::size_t>(k));
  std::partial_sort(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(keep), cand.end(),
                    [](const auto& a, const auto& b) {
                      return a.second > b.second || (a.second == b.second && a.first < b.first);
                    });
  cand.resize(keep);
  return cand;
}

}  // namespace reclab::models

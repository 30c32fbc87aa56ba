#pragma once
/// Nearest neighbours by cosine similarity over any matrix of learned embeddings (rows =
/// users or items), e.g. a run's HasEmbeddings::itemEmbeddings() (seed C's "KNN with cosine
/// metric over the learned embeddings").

#include <Eigen/Core>
#include <cstdint>
#include <utility>
#include <vector>

namespace reclab::models {

/// The `k` rows most similar to `row` by cosine, (row index, similarity) sorted by similarity
/// descending, ties by ascending index; `row` itself is excluded. A zero row has similarity 0
/// to everything. Throws InputError when `row` is out of range or k < 1.
std::vector<std::pair<std::int32_t, float>> nearestByEmbedding(const Eigen::MatrixXf& emb,
                                                               std::int32_t row, int k);

}  // namespace reclab::models

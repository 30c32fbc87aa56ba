#pragma once
/// Item-KNN (implicit's ItemItemRecommender style) with cosine similarity on interaction
/// vectors, plus the sparse user-item matrix shared by the classic content models.
///
/// Similarity of items i and j over their user vectors x_i, x_j (binary: 1 per distinct
/// (user, item) pair; "value": the sum of the pair's values):
///     sim(i, j) = (x_i . x_j) / (|x_i| |x_j| + shrinkage)
/// Only the top-k neighbours j != i of each item are kept (ties: lower item index first).
/// Score of item n for user u = sum over the user's training items j of w_uj * sim_k(j, n),
/// where sim_k(j, n) is 0 unless n is among j's kept neighbours and w_uj is u's weight of j.
///
/// Memory: the similarity pass walks item -> users -> items with one dense float accumulator
/// of n_items per thread; no n_items x n_items matrix is ever built. Cost is
/// sum over users of |items(u)|^2.

#include <cstdint>
#include <vector>

#include "common/binary_io.h"
#include "models/model.h"
#include "models/registry.h"

namespace reclab::models {

/// Compressed sparse rows: row r holds cols[offsets[r] .. offsets[r+1]) with weights.
struct SparseRows {
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int32_t> cols;
  std::vector<float> weights;
  std::int32_t numCols = 0;

  std::int32_t numRows() const { return static_cast<std::int32_t>(offsets.size()) - 1; }
  std::int64_t begin(std::int32_t r) const { return offsets[static_cast<std::size_t>(r)]; }
  std::int64_t end(std::int32_t r) const { return offsets[static_cast<std::size_t>(r) + 1]; }
  /// The transpose (columns become rows), column indices sorted within each row.
  SparseRows transposed() const;
  void write(BinaryWriter& w) const;
  void read(BinaryReader& r);
};

/// User x item matrix of the given rows: one entry per distinct (user, item) pair, columns
/// sorted. Weight 1 when `useValues` is false (or the log has no values), else the sum of the
/// pair's values. Requires a user column (throws InputError otherwise).
SparseRows buildUserItemMatrix(const data::InteractionLog& log,
                               const std::vector<std::uint32_t>& rows, bool useValues);

struct ItemKnnConfig {
  int k = 50;               ///< neighbours kept per item
  double shrinkage = 0.0;   ///< added to the cosine denominator
  bool valueWeighted = false;
  void validate() const;    ///< throws InputError "item_knn: k must be > 0, got 0"
};

class ItemKnn : public Recommender {
 public:
  explicit ItemKnn(ItemKnnConfig config = {});

  std::string name() const override { return "item_knn"; }
  Task task() const override { return Task::Ranking; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  void scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const override;
  std::int32_t numItems() const override { return m_neighbours.numCols; }

  /// Kept neighbours of every item (row = item, cols = neighbour items sorted by similarity
  /// descending, weights = cosine similarities).
  const SparseRows& neighbours() const { return m_neighbours; }
  /// The training user x item matrix the scores are computed from.
  const SparseRows& history() const { return m_history; }
  /// Bytes held by the fitted state.
  std::size_t memoryBytes() const;

  /// State without the file header, for models that embed an Item-KNN.
  void writeState(BinaryWriter& w) const;
  void readState(BinaryReader& r);

 private:
  ItemKnnConfig m_config;
  SparseRows m_history;
  SparseRows m_neighbours;
};

/// Registers "item_knn" (Task::Ranking).
void registerItemKnn(Registry& registry);

}  // namespace reclab::models

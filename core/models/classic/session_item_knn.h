#pragma once
/// Item-KNN for session next-item prediction (the baseline of Hidasi et al. 2016, session-rec's
/// ItemKNN): the next item is predicted from the last clicked item alone.
///
/// Over the training sessions, with supp(i) = number of sessions containing item i and
/// co(i, j) = number of sessions containing both (each session counted once, however often
/// it clicks the items):
///     sim(i, j) = co(i, j) / ((supp(i) + lambda)^alpha * (supp(j) + lambda)^(1 - alpha))
/// lambda = 0, alpha = 0.5 is the cosine of the items' binary session vectors,
/// co / sqrt(supp(i) supp(j)); lambda > 0 damps pairs supported by few sessions; alpha = 1 gives
/// the confidence co / supp(i) of association rules. (session-rec counts events rather than
/// distinct sessions; the two agree when no session re-clicks an item.)
/// Only the k most similar j != i are kept per item i (ties: lower item index first).
/// score(j | prefix) = sim(last item of the prefix, j) when j is kept for it, else 0; a last
/// item never seen in training scores every item 0.
///
/// Memory: sparse; the similarity pass walks item -> sessions -> items with one dense
/// accumulator of n_items per thread (cost: sum over sessions of distinct items squared).

#include <cstdint>
#include <vector>

#include "models/classic/item_knn.h"
#include "models/model.h"
#include "models/registry.h"

namespace reclab::models {

struct SessionItemKnnConfig {
  int k = 100;         ///< neighbours kept per item (session-rec's n_sims)
  double lambda = 20;  ///< support regulariser (session-rec's lmbd)
  double alpha = 0.5;  ///< 0.5: cosine-like; 1: confidence

  static SessionItemKnnConfig defaults() { return {}; }
  /// Throws InputError, e.g. "session_item_knn: k must be > 0, got 0".
  void validate() const;
};

class SessionItemKnn : public SessionRecommender {
 public:
  explicit SessionItemKnn(SessionItemKnnConfig config = SessionItemKnnConfig::defaults());

  std::string name() const override { return "session_item_knn"; }
  Task task() const override { return Task::SessionNext; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  std::int32_t numItems() const override { return m_neighbours.numCols; }
  void scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                     ScoreMatrix& out) const override;

  /// Row i = item i's kept neighbours by decreasing similarity, weights = sim(i, j).
  const SparseRows& neighbours() const { return m_neighbours; }
  const SessionItemKnnConfig& config() const { return m_config; }

 private:
  SessionItemKnnConfig m_config;
  SparseRows m_neighbours;
};

/// Registers "session_item_knn" (Task::SessionNext).
void registerSessionItemKnn(Registry& registry);

}  // namespace reclab::models

#pragma once
/// S-POP (session popularity, session-rec's SessionPop): items clicked more often in the
/// current prefix rank first, ties broken by global popularity:
///   score(i | prefix) = c(i) + p(i) / (P + 1)
/// where c(i) = clicks on i in the prefix, p(i) = clicks on i in the training sessions and
/// P = max_j p(j). The popularity term lies in [0, 1), so it only orders items with the same
/// prefix count. session-rec writes the term as p(i) / (p(i) + 1); both are increasing in p(i)
/// and below 1, so the rankings are the same, but the linear form keeps distinct popularities
/// distinct in float scores (p / (p + 1) runs out of float resolution near 1).

#include <cstdint>
#include <vector>

#include "models/model.h"
#include "models/registry.h"

namespace reclab::models {

class SPop : public SessionRecommender {
 public:
  std::string name() const override { return "s_pop"; }
  Task task() const override { return Task::SessionNext; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  std::int32_t numItems() const override { return static_cast<std::int32_t>(m_popularity.size()); }
  void scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                     ScoreMatrix& out) const override;
  /// p(i) / (P + 1) per item.
  const std::vector<float>& popularityTerm() const { return m_popularity; }

 private:
  std::vector<float> m_popularity;
};

/// Registers "s_pop" (Task::SessionNext).
void registerSPop(Registry& registry);

}  // namespace reclab::models

#pragma once
/// POP for session next-item prediction: every prefix gets the same item order,
///   score(i) = number of clicks on i in the training sessions.
/// The simplest baseline of session-rec and of Hidasi et al. (2016).

#include <cstdint>
#include <vector>

#include "data/session_sequences.h"
#include "models/model.h"
#include "models/registry.h"

namespace reclab::models {

/// Clicks per item (index < numItems) over the given sequences; items outside the range are
/// ignored.
std::vector<double> sessionClickCounts(const data::SessionSequences& sessions,
                                       std::int32_t numItems);

class SessionPop : public SessionRecommender {
 public:
  std::string name() const override { return "session_pop"; }
  Task task() const override { return Task::SessionNext; }
  /// Counts the clicks of ctx.trainRows' sessions (data::buildSessionSequences).
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  std::int32_t numItems() const override { return static_cast<std::int32_t>(m_scores.size()); }
  void scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                     ScoreMatrix& out) const override;
  const std::vector<float>& scores() const { return m_scores; }

 private:
  std::vector<float> m_scores;
};

/// Registers "session_pop" (Task::SessionNext).
void registerSessionPop(Registry& registry);

}  // namespace reclab::models

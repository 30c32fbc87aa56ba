#pragma once
/// Popularity rankers: every user gets the same item order.
///   - "count": score(i) = number of training interactions with i;
///   - "count_x_mean_rating" (seed C): score(i) = count(i) * mean rating(i), divided by the
///     maximum so scores lie in [0, 1]; used for cold-start users.

#include "models/model.h"
#include "models/registry.h"

namespace reclab::models {

class Popularity : public Recommender {
 public:
  enum class Mode { Count, CountTimesMeanRating };
  explicit Popularity(Mode mode = Mode::Count) : m_mode(mode) {}

  std::string name() const override { return "popularity"; }
  Task task() const override { return Task::Ranking; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  void scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const override;
  std::int32_t numItems() const override { return static_cast<std::int32_t>(m_scores.size()); }
  const std::vector<float>& scores() const { return m_scores; }

 private:
  Mode m_mode;
  std::vector<float> m_scores;
};

void registerPopularity(Registry& registry);

}  // namespace reclab::models

#pragma once
// A Recommender that gives every user the same fixed item scores: evaluator tests use it to
// make the expected ranking obvious.

#include <string>
#include <vector>

#include "models/model.h"

namespace reclab::testing {

class FixedScores : public models::Recommender {
 public:
  explicit FixedScores(std::vector<float> s) : m_s(std::move(s)) {}
  std::string name() const override { return "fixed"; }
  models::Task task() const override { return models::Task::Ranking; }
  void fit(const models::TrainContext&) override {}
  void save(const std::string&) const override {}
  void load(const std::string&) override {}
  std::int32_t numItems() const override { return static_cast<std::int32_t>(m_s.size()); }
  void scoreUsers(const std::vector<std::int32_t>& users,
                  models::ScoreMatrix& out) const override {
    out.resize(static_cast<Eigen::Index>(users.size()), numItems());
    for (Eigen::Index u = 0; u < out.rows(); ++u)
      for (Eigen::Index i = 0; i < out.cols(); ++i) out(u, i) = m_s[static_cast<std::size_t>(i)];
  }

 private:
  std::vector<float> m_s;
};

}  // namespace reclab::testing

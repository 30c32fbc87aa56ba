#include "models/classic/s_pop.h"

#include <algorithm>

#include "common/binary_io.h"
#include "models/classic/session_pop.h"

namespace reclab::models {

void SPop::fit(const TrainContext& ctx) {
  const auto train = data::buildSessionSequences(ctx.log, ctx.trainRows);
  const auto count = sessionClickCounts(train, ctx.log.numItems());
  const double maxCount = count.empty() ? 0.0 : *std::max_element(count.begin(), count.end());
  m_popularity.resize(count.size());
  for (std::size_t i = 0; i < count.size(); ++i)
    m_popularity[i] = static_cast<float>(count[i] / (maxCount + 1.0));
  TrainingReport report;
  report.epoch = 1;
  report.values["training_sessions"] = static_cast<double>(train.size());
  report.values["training_clicks"] = static_cast<double>(train.items.size());
  ctx.endEpoch(report);
}

void SPop::save(const std::string& path) const {
  BinaryWriter w(path, "reclab.s_pop", 1);
  w.writeVector(m_popularity);
  w.close();
}

void SPop::load(const std::string& path) {
  BinaryReader r(path, "reclab.s_pop", 1);
  m_popularity = r.readVector<float>();
}

void SPop::scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                         ScoreMatrix& out) const {
  const std::int32_t n = numItems();
  out.resize(static_cast<Eigen::Index>(prefixes.size()), n);
  Eigen::Map<const Eigen::RowVectorXf> pop(m_popularity.data(), n);
  for (std::size_t r = 0; r < prefixes.size(); ++r) {
    const auto row = static_cast<Eigen::Index>(r);
    out.row(row) = pop;
    for (auto i : prefixes[r]) {
      if (i >= 0 && i < n) out(row, i) += 1.0f;
    }
  }
}

void registerSPop(Registry& registry) {
  ModelInfo info;
  info.name = "s_pop";
  info.displayName = "S-POP (session popularity)";
  info.task = Task::SessionNext;
  info.description =
      "Session baseline: score(i) = clicks on i in the prefix + p(i) / (P + 1), p(i) = clicks "
      "on i in training, P = the largest p; items of the current session first, ties by "
      "global popularity (session-rec's SessionPop).";
  info.factory = [](const nlohmann::json&) { return std::make_unique<SPop>(); };
  registry.add(std::move(info));
}

}  // namespace reclab::models

#include "models/classic/session_pop.h"

#include "common/binary_io.h"

namespace reclab::models {

std::vector<double> sessionClickCounts(const data::SessionSequences& sessions,
                                       std::int32_t numItems) {
  std::vector<double> count(static_cast<std::size_t>(std::max(0, numItems)), 0.0);
  for (auto i : sessions.items) {
    if (i >= 0 && i < numItems) count[static_cast<std::size_t>(i)] += 1.0;
  }
  return count;
}

void SessionPop::fit(const TrainContext& ctx) {
  const auto train = data::buildSessionSequences(ctx.log, ctx.trainRows);
  const auto count = sessionClickCounts(train, ctx.log.numItems());
  m_scores.assign(count.begin(), count.end());
  TrainingReport report;
  report.epoch = 1;
  report.values["training_sessions"] = static_cast<double>(train.size());
  report.values["training_clicks"] = static_cast<double>(train.items.size());
  ctx.endEpoch(report);
}

void SessionPop::save(const std::string& path) const {
  BinaryWriter w(path, "reclab.session_pop", 1);
  w.writeVector(m_scores);
  w.close();
}

void SessionPop::load(const std::string& path) {
  BinaryReader r(path, "reclab.session_pop", 1);
  m_scores = r.readVector<float>();
}

void SessionPop::scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                               ScoreMatrix& out) const {
  out.resize(static_cast<Eigen::Index>(prefixes.size()), numItems());
  Eigen::Map<const Eigen::RowVectorXf> s(m_scores.data(), numItems());
  for (Eigen::Index r = 0; r < out.rows(); ++r) out.row(r) = s;
}

void registerSessionPop(Registry& registry) {
  ModelInfo info;
  info.name = "session_pop";
  info.displayName = "POP (session)";
  info.task = Task::SessionNext;
  info.description =
      "Session baseline: every prefix gets the items ordered by their number of clicks in the "
      "training sessions.";
  info.factory = [](const nlohmann::json&) { return std::make_unique<SessionPop>(); };
  registry.add(std::move(info));
}

}  // namespace reclab::models

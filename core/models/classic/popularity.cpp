#include "models/classic/popularity.h"

#include <algorithm>

#include "common/binary_io.h"

namespace reclab::models {

void Popularity::fit(const TrainContext& ctx) {
  const auto& log = ctx.log;
  const auto n = static_cast<std::size_t>(log.numItems());
  std::vector<double> count(n, 0.0), sum(n, 0.0);
  for (auto r : ctx.trainRows) {
    auto i = static_cast<std::size_t>(log.item[r]);
    count[i] += 1.0;
    if (log.hasValues()) sum[i] += log.value[r];
  }
  m_scores.assign(n, 0.0f);
  if (m_mode == Mode::Count || !log.hasValues()) {
    for (std::size_t i = 0; i < n; ++i) m_scores[i] = static_cast<float>(count[i]);
  } else {
    double best = 0;
    // count * mean = sum of ratings; kept explicit to mirror the seed's definition.
    std::vector<double> raw(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      raw[i] = count[i] > 0 ? count[i] * (sum[i] / count[i]) : 0.0;
      best = std::max(best, raw[i]);
    }
    for (std::size_t i = 0; i < n; ++i)
      m_scores[i] = best > 0 ? static_cast<float>(raw[i] / best) : 0.0f;
  }
  TrainingReport report;
  report.epoch = 1;
  report.values["items_scored"] = static_cast<double>(n);
  ctx.endEpoch(report);
}

void Popularity::save(const std::string& path) const {
  BinaryWriter w(path, "reclab.popularity", 1);
  w.write<std::int32_t>(static_cast<std::int32_t>(m_mode));
  w.writeVector(m_scores);
  w.close();
}

void Popularity::load(const std::string& path) {
  BinaryReader r(path, "reclab.popularity", 1);
  m_mode = static_cast<Mode>(r.read<std::int32_t>());
  m_scores = r.readVector<float>();
}

void Popularity::scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const {
  out.resize(static_cast<Eigen::Index>(users.size()), static_cast<Eigen::Index>(m_scores.size()));
  Eigen::Map<const Eigen::RowVectorXf> s(m_scores.data(), static_cast<Eigen::Index>(m_scores.size()));
  for (Eigen::Index u = 0; u < out.rows(); ++u) out.row(u) = s;
}

void registerPopularity(Registry& registry) {
  ModelInfo info;
  info.name = "popularity";
  info.displayName = "Popularity";
  info.task = Task::Ranking;
  info.description =
      "Ranks items by how often they occur in training ('count'), or by count x mean rating "
      "normalised to [0, 1] (seed C's cold-start model).";
  info.params = {{"mode", ParamSpec::Type::Choice, "count", std::nullopt, std::nullopt,
                  {"count", "count_x_mean_rating"},
                  "count: interactions per item; count_x_mean_rating: count times mean rating, "
                  "scaled to [0, 1]"}};
  info.factory = [](const nlohmann::json& p) {
    return std::make_unique<Popularity>(paramString(p, "mode") == "count"
                                            ? Popularity::Mode::Count
                                            : Popularity::Mode::CountTimesMeanRating);
  };
  registry.add(std::move(info));
}

}  // namespace reclab::models

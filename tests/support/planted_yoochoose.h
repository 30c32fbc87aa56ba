#pragma once
// Planted-Markov sessions for the session models' tests: the Yoochoose generator's clustered
// item chain, written to a folder private to the test, loaded, and the folder removed; with the
// chain's optimal next-click hit rate at 20 (ground_truth.json), the ceiling of any model.

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/load.h"
#include "data/synth/yoochoose.h"
#include "support/temp_path.h"

namespace reclab::testing {

struct PlantedYoochoose {
  data::InteractionLog log;
  double optimalRecall20 = 0;  ///< the chain's optimal hit rate at 20
};

inline PlantedYoochoose plantedYoochoose(const synth::YoochooseConfig& config) {
  const auto dir = uniqueTempPath("reclab_planted_yoochoose");
  std::filesystem::remove_all(dir);
  StopToken stop;
  synth::generateYoochoose(config, dir.string(), nullObserver(), stop);
  nlohmann::json truth;
  std::ifstream(dir / "ground_truth.json") >> truth;
  PlantedYoochoose out;
  out.optimalRecall20 = truth.at("optimal_hit_rate_at").at("20").get<double>();
  auto loaded = data::loadDataset(data::Format::Yoochoose, {(dir / "yoochoose-clicks.dat").string()},
                                  {}, nullObserver(), stop);
  std::filesystem::remove_all(dir);
  out.log = std::move(loaded.log);
  return out;
}

}  // namespace reclab::testing

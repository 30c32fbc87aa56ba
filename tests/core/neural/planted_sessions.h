#pragma once
// Planted-Markov sessions for the session neural models' tests: the Yoochoose generator's
// clustered item chain (the SKNN tests' data, smaller), split by time as SR-GNN does, with the
// chain's optimal next-click hit rate at 20 from ground_truth.json.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "data/load.h"
#include "data/synth/yoochoose.h"
#include "split/session_split.h"

namespace reclab::neuraltest {

struct PlantedSessions {
  data::InteractionLog log;
  split::Split split;          ///< train / valid / test by time (last 2 days test, 1 day valid)
  double optimalRecall20 = 0;  ///< the chain's optimal hit rate at 20
};

inline PlantedSessions plantedSessions(std::int64_t sessions, std::int64_t items, int clusters) {
  namespace fs = std::filesystem;
  const auto dir =
      fs::temp_directory_path() /
      ("reclab_neural_planted_" + std::to_string(::getpid()) + "_" + std::to_string(sessions));
  fs::remove_all(dir);
  auto sc = synth::YoochooseConfig::defaults();
  sc.sessions = sessions;
  sc.items = items;
  sc.clusters = clusters;
  sc.days = 12;
  sc.seed = 3;
  sc.maxSessionLength = 40;  // the net pads a batch to its longest prefix: keep tests quick
  StopToken stop;
  synth::generateYoochoose(sc, dir.string(), nullObserver(), stop);
  nlohmann::json truth;
  std::ifstream(dir / "ground_truth.json") >> truth;
  PlantedSessions out;
  out.optimalRecall20 = truth.at("optimal_hit_rate_at").at("20").get<double>();
  auto loaded = data::loadDataset(
      data::Format::Yoochoose, {(dir / "yoochoose-clicks.dat").string()}, {}, nullObserver(), stop);
  fs::remove_all(dir);
  out.log = std::move(loaded.log);
  split::SessionSplitConfig cfg;
  cfg.testDays = 2.0;
  cfg.validDays = 1.0;
  out.split = split::sessionTimeSplit(out.log, cfg);
  return out;
}

}  // namespace reclab::neuraltest

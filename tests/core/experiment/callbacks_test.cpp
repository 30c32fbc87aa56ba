#include "models/callbacks.h"

#include <gtest/gtest.h>

#include "common/errors.h"
#include "experiment/config.h"

namespace reclab::models {
namespace {

TrainingReport epoch(int e, double v) {
  TrainingReport r;
  r.epoch = e;
  r.values["val_rmse"] = v;
  return r;
}

TEST(EarlyStopping, StopsAfterPatienceEpochsWithoutImprovement) {
  EarlyStopping es("val_rmse", 2);
  EXPECT_FALSE(es.onEpochEnd(epoch(1, 1.0)));
  EXPECT_FALSE(es.onEpochEnd(epoch(2, 0.9)));
  EXPECT_FALSE(es.onEpochEnd(epoch(3, 0.95)));  // 1 bad epoch
  EXPECT_TRUE(es.onEpochEnd(epoch(4, 0.91)));   // 2 bad epochs -> stop
  EXPECT_DOUBLE_EQ(es.best(), 0.9);
  EXPECT_EQ(es.bestEpoch(), 2);
}

TEST(EarlyStopping, MinDeltaAndMaxModeAndMissingMetric) {
  EarlyStopping es("val_auc", 1, EarlyStopping::Mode::Max, 0.01);
  TrainingReport r;
  r.epoch = 1;
  r.values["val_auc"] = 0.80;
  EXPECT_FALSE(es.onEpochEnd(r));
  r.epoch = 2;
  r.values["val_auc"] = 0.805;  // better, but by less than min_delta
  EXPECT_TRUE(es.onEpochEnd(r));
  EarlyStopping other("val_rmse", 1);
  EXPECT_FALSE(other.onEpochEnd(r));  // metric absent: ignored
}

TEST(EarlyStopping, ConfigNeedsAValidationSetForValMetrics) {
  nlohmann::json j = {{"dataset", {{"path", "u.data"}}},
                      {"model", {{"name", "torch_mf"}}},
                      {"early_stopping", {{"metric", "val_rmse"}, {"patience", 2}}}};
  try {
    experiment::ExperimentConfig::fromJson(j);
    FAIL() << "accepted early stopping without a validation split";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("split.valid_ratio is 0"), std::string::npos);
  }
  j["split"] = {{"valid_ratio", 0.1}};
  auto c = experiment::ExperimentConfig::fromJson(j);
  EXPECT_EQ(c.earlyStopping.patience, 2);
  EXPECT_EQ(experiment::ExperimentConfig::fromJson(c.toJson()).toJson(), c.toJson());
}

}  // namespace
}  // namespace reclab::models

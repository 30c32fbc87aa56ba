#include "experiment/config.h"

#include <gtest/gtest.h>

#include "common/errors.h"
#include "models/registry.h"

namespace reclab::experiment {
namespace {

using nlohmann::json;

std::string errorOf(const json& j) {
  try {
    ExperimentConfig::fromJson(j, "/data");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

json valid() {
  return json::parse(R"({"dataset": {"format": "movielens", "path": "u.data"},
    "split": {"kind": "kfold", "folds": 5},
    "model": {"name": "torch_mf", "params": {"factors": 100}},
    "eval": {"metrics": ["rmse", "mae"]}, "seed": 0})");
}

TEST(Config, TheIssueExampleIsValidAndCompleted) {
  auto c = ExperimentConfig::fromJson(valid(), "/data");
  EXPECT_EQ(c.dataset.paths.at(0), "/data/u.data");
  EXPECT_EQ(c.split.kind, "kfold");
  EXPECT_EQ(c.split.folds, 5);
  EXPECT_EQ(c.model.params.at("factors"), 100);
  EXPECT_EQ(c.model.params.at("epochs"), 20);  // default filled in
  EXPECT_EQ(c.eval.metrics, (std::vector<std::string>{"rmse", "mae"}));
}

TEST(Config, RoundTripsThroughJson) {
  auto c = ExperimentConfig::fromJson(valid(), "/data");
  auto again = ExperimentConfig::fromJson(c.toJson(), "/elsewhere");
  EXPECT_EQ(again.toJson(), c.toJson());
}

TEST(Config, PreciseMessages) {
  auto j = valid();
  j["split"]["folds"] = 1;
  EXPECT_EQ(errorOf(j), "config: split.folds must be an integer in [2, 100], got 1");
  j = valid();
  j["datset"] = 1;
  EXPECT_NE(errorOf(j).find("'datset' is not a known key"), std::string::npos);
  j = valid();
  j["model"]["params"]["factors"] = -3;
  EXPECT_NE(errorOf(j).find("parameter 'factors' must be an integer in [1, 1024], got -3"),
            std::string::npos);
  j = valid();
  j["model"]["params"]["factorz"] = 3;
  EXPECT_NE(errorOf(j).find("unknown parameter 'factorz'"), std::string::npos);
  j = valid();
  j["model"]["name"] = "nope";
  EXPECT_NE(errorOf(j).find("unknown model 'nope'"), std::string::npos);
  j = valid();
  j["dataset"]["format"] = "parquet";
  EXPECT_NE(errorOf(j).find("dataset.format"), std::string::npos);
  j = valid();
  j["eval"]["metrics"] = {"rmse", "auc2"};
  EXPECT_NE(errorOf(j).find("unknown metric 'auc2'"), std::string::npos);
  j = valid();
  j["dataset"].erase("path");
  EXPECT_EQ(errorOf(j), "config: dataset needs 'path' or 'paths'");
  j = valid();
  j["model"] = {{"name", "popularity"}};
  j["eval"]["metrics"] = {"rmse"};
  EXPECT_NE(errorOf(j).find("does not predict ratings"), std::string::npos);
}

TEST(Config, SplitKindsAndPreprocess) {
  auto j = valid();
  j["split"] = {{"kind", "leave_last_n"}, {"n", 2}, {"valid_n", 1}};
  j["preprocess"] = {{"min_item_support", 5}};
  auto c = ExperimentConfig::fromJson(j, "/d");
  EXPECT_EQ(c.split.n, 2);
  EXPECT_EQ(c.split.validN, 1);
  EXPECT_EQ(c.preprocess.minItemSupport, 5);
  EXPECT_EQ(ExperimentConfig::fromJson(c.toJson()).toJson(), c.toJson());
  j["split"] = {{"kind", "session_time"}, {"test_days", 0}};
  EXPECT_EQ(errorOf(j), "config: split.test_days must be a number > 0, got 0");
  j["split"] = {{"kind", "by_magic"}};
  EXPECT_NE(errorOf(j).find("leave_last_n, session_time or session_random, got 'by_magic'"), std::string::npos);
}

TEST(Config, CsvNeedsAMapping) {
  auto j = valid();
  j["dataset"]["format"] = "csv";
  EXPECT_EQ(errorOf(j), "config: dataset.mapping is required for format 'csv'");
  j["dataset"]["mapping"] = {{"user", 0}, {"item", "movieId"}, {"delimiter", "\\t"}};
  auto c = ExperimentConfig::fromJson(j, "/d");
  ASSERT_TRUE(c.dataset.mapping.has_value());
  EXPECT_EQ(c.dataset.mapping->delimiter, '\t');
  EXPECT_EQ(c.dataset.mapping->user, "0");
  EXPECT_EQ(c.dataset.mapping->item, "movieId");
}

TEST(Registry, SchemasAreComplete) {
  for (const auto* info : models::Registry::instance().all()) {
    EXPECT_FALSE(info->displayName.empty()) << info->name;
    for (const auto& p : info->params) {
      EXPECT_FALSE(p.help.empty()) << info->name << "." << p.name;
      // Every default passes its own validation.
      EXPECT_NO_THROW(models::Registry::instance().validate(info->name, json::object()));
    }
  }
  EXPECT_NE(models::Registry::instance().find("torch_mf"), nullptr);
  EXPECT_NE(models::Registry::instance().find("popularity"), nullptr);
}

TEST(Registry, IntegralDoublesAreAcceptedForIntegers) {
  auto p = models::Registry::instance().validate("torch_mf", {{"factors", 8.0}});
  EXPECT_TRUE(p.at("factors").is_number_integer());
  EXPECT_THROW(models::Registry::instance().validate("torch_mf", {{"factors", 8.5}}), InputError);
  EXPECT_THROW(models::Registry::instance().validate("popularity", {{"mode", "loudest"}}),
               InputError);
}

}  // namespace
}  // namespace reclab::experiment

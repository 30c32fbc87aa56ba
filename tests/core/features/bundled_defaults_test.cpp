// Each bundled default in resources/features/ against its sample dataset in datasets/: the
// config validates against the loaded log, fits on a random split's training rows and encodes
// every row into in-range indices and finite values.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "common/text.h"
#include "data/load.h"
#include "features/feature_pipeline.h"
#include "split/splits.h"

namespace reclab::features {
namespace {

const std::string kSource = RECLAB_SOURCE_DIR;

std::size_t enabledCount(const FeatureConfig& c) {
  std::size_t n = 0;
  for (const auto& a : c.attributes) n += a.enabled ? 1 : 0;
  return n;
}

/// The item categories of the ratings sample's items_meta.csv (item,title,category,keywords),
/// as the runner's item_meta loader gives them (models/classic/item_meta.h; read here so this
/// test does not link the model library).
void addItemCategories(data::InteractionLog& log, const std::string& path) {
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::string line;
  std::getline(in, line);
  ASSERT_EQ(line, "item,title,category,keywords");
  std::vector<std::string_view> fields;
  std::vector<std::string> storage;
  while (std::getline(in, line)) {
    ASSERT_TRUE(text::splitCsvQuoted(line, ',', fields, storage)) << line;
    ASSERT_EQ(fields.size(), 4u) << line;
    if (const auto item = log.items.find(fields[0])) {
      log.itemAttributes.setCategorical("category", *item, std::string(fields[2]));
    }
  }
  log.itemAttributes.resize(log.numItems());
}

void encodeEveryRow(const data::InteractionLog& log, const FeatureConfig& config) {
  ASSERT_NO_THROW(config.validate(&log));
  const auto s = split::randomSplit(log, 0.2, 0.0, 1);
  FeaturePipeline p(config);
  split::LeakageGuard guard;
  p.fit(log, s.train, guard, StopToken());
  EXPECT_NO_THROW(guard.check(s));
  std::vector<std::uint32_t> all(log.numRows());
  for (std::uint32_t r = 0; r < all.size(); ++r) all[r] = r;
  const EncodedFeatures e = p.transform(log, all);
  ASSERT_EQ(e.rows, log.numRows());
  const std::size_t nCat = e.categoricalNames.size(), nCont = e.continuousNames.size();
  ASSERT_EQ(e.categorical.size(), e.rows * nCat);
  ASSERT_EQ(e.continuous.size(), e.rows * nCont);
  EXPECT_GT(nCat + nCont, 0u);
  for (std::size_t i = 0; i < e.categorical.size(); ++i) {
    const auto card = e.cardinalities[i % nCat];
    ASSERT_GE(e.categorical[i], 0);
    ASSERT_LT(e.categorical[i], card) << e.categoricalNames[i % nCat];
  }
  for (std::size_t i = 0; i < e.continuous.size(); ++i) {
    ASSERT_TRUE(std::isfinite(e.continuous[i])) << e.continuousNames[i % nCont];
  }
  // A standardised feature has mean ~0 over the training rows.
  for (std::size_t c = 0; c < nCont; ++c) {
    if (e.continuousNames[c] != "timestamp") continue;
    double sum = 0;
    for (std::uint32_t r : s.train) sum += e.continuous[r * nCont + c];
    EXPECT_NEAR(sum / static_cast<double>(s.train.size()), 0.0, 1e-3);
  }
}

TEST(BundledDefaults, RetailRocketSample) {
  auto loaded =
      data::loadDataset(data::Format::RetailRocket, {kSource + "/datasets/retailrocket-sample"}, {},
                        nullObserver(), StopToken());
  const auto config = FeatureConfig::load(kSource + "/resources/features/retailrocket-sample.json");
  EXPECT_EQ(config.attributes.size(), 17u);
  EXPECT_EQ(enabledCount(config), 15u);  // no user table: age and gender are off
  // The bundled file enables exactly what the default config finds in the sample.
  const auto defaults = defaultFeatureConfig(loaded.log);
  EXPECT_EQ(defaults.attributes.size(), 15u);
  encodeEveryRow(loaded.log, config);
}

TEST(BundledDefaults, RatingsSample) {
  const std::string dir = kSource + "/datasets/ratings-sample";
  auto loaded = data::loadDataset(data::Format::MovieLens, {dir}, {}, nullObserver(), StopToken());
  addItemCategories(loaded.log, dir + "/items_meta.csv");
  const auto config = FeatureConfig::load(kSource + "/resources/features/ratings-sample.json");
  EXPECT_EQ(enabledCount(config), 7u);
  encodeEveryRow(loaded.log, config);
}

TEST(BundledDefaults, YoochooseSample) {
  auto loaded = data::loadDataset(data::Format::Yoochoose, {kSource + "/datasets/yoochoose-sample"},
                                  {}, nullObserver(), StopToken());
  ASSERT_TRUE(loaded.log.hasEvents());  // the buys were loaded
  const auto config = FeatureConfig::load(kSource + "/resources/features/yoochoose-sample.json");
  EXPECT_EQ(config.attributes.size(), 17u);
  EXPECT_EQ(enabledCount(config), 12u);  // no price, add-to-carts, availability, age, gender
  encodeEveryRow(loaded.log, config);
}

}  // namespace
}  // namespace reclab::features

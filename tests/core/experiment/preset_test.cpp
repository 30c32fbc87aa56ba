#include "experiment/preset.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/errors.h"
#include "support/temp_path.h"

namespace reclab::experiment {
namespace {

namespace fs = std::filesystem;

TEST(Presets, EveryShippedPresetLoadsAndNamesExistingFiles) {
  std::vector<std::string> errors;
  auto presets = listPresets(std::string(RECLAB_SOURCE_DIR) + "/resources/presets", &errors);
  for (const auto& e : errors) ADD_FAILURE() << e;
  ASSERT_GE(presets.size(), 2u);
  for (const auto& [path, preset] : presets) {
    EXPECT_FALSE(preset.title.empty()) << path;
    ASSERT_FALSE(preset.runs.empty()) << path;
    for (const auto& run : preset.runs) {
      for (const auto& p : run.dataset.paths) EXPECT_TRUE(fs::exists(p)) << path << ": " << p;
      if (!run.dataset.itemMeta.empty()) {
        EXPECT_TRUE(fs::exists(run.dataset.itemMeta)) << path;
      }
    }
  }
}

TEST(Presets, ErrorsNameTheFileAndTheRun) {
  auto dir = reclab::testing::uniqueTempPath("reclab_preset_test");
  fs::create_directories(dir);
  auto file = (dir / "bad.json").string();
  std::ofstream(file) << R"({"title": "t", "runs": [
      {"dataset": {"path": "x"}, "model": {"name": "popularity"}},
      {"dataset": {"path": "x"}, "model": {"name": "nope"}}]})";
  try {
    loadPreset(file);
    FAIL() << "accepted an unknown model";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json: runs[1]: config: model: unknown model 'nope'"),
              std::string::npos)
        << e.what();
  }
  std::ofstream(file) << R"({"title": "t"})";
  EXPECT_THROW(loadPreset(file), InputError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace reclab::experiment

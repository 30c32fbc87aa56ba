#pragma once
/// Presets: a titled list of experiment configs reproducing one source document's pipeline
/// (resources/presets/*.json). Each entry is an ordinary config, validated as such.
///
///   {"title": "...", "source": "...", "runs": [CONFIG, CONFIG, ...]}

#include <string>
#include <vector>

#include "experiment/config.h"

namespace reclab::experiment {

struct Preset {
  std::string title;
  std::string source;
  std::vector<ExperimentConfig> runs;
};

/// Reads and validates a preset; relative dataset paths resolve against the file's folder.
/// Errors are prefixed with the file and the run index ("seed_c.json: runs[2]: config: ...").
Preset loadPreset(const std::string& path);

/// The presets shipped in `dir` (sorted by file name); files that fail to load are skipped
/// and their errors returned in `errors`.
std::vector<std::pair<std::string, Preset>> listPresets(const std::string& dir,
                                                        std::vector<std::string>* errors = nullptr);

}  // namespace reclab::experiment

#pragma once
/// Presets: a titled list of experiment configs reproducing one source document's pipeline
/// (resources/presets/*.json). Each entry is an ordinary config, validated as such.
///
///   {"title": "...", "source": "...", "runs": [CONFIG, CONFIG, ...]}
///
/// A run may add "embeddings_from": "<name of an earlier run of the preset>": when the preset
/// is executed, that run's id becomes this run's model.params.embeddings_run (seed A's hybrid
/// CNN over the LightFM / SVD run's embeddings).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "experiment/config.h"

namespace reclab::experiment {

struct Preset {
  std::string title;
  std::string source;
  std::vector<ExperimentConfig> runs;
  /// Per run: the name of the earlier run whose embeddings it starts from, or empty.
  std::vector<std::string> embeddingsFrom;

  /// runs[i] with embeddings_run set from the ids of the runs executed so far (by name).
  /// Throws InputError when the run it depends on has no id (it failed or was not run).
  ExperimentConfig resolved(std::size_t i, const std::map<std::string, std::int64_t>& idsByName) const;
};

/// Reads and validates a preset; relative dataset paths resolve against the file's folder.
/// Errors are prefixed with the file and the run index ("seed_c.json: runs[2]: config: ...").
Preset loadPreset(const std::string& path);

/// The presets shipped in `dir` (sorted by file name); files that fail to load are skipped
/// and their errors returned in `errors`.
std::vector<std::pair<std::string, Preset>> listPresets(const std::string& dir,
                                                        std::vector<std::string>* errors = nullptr);

}  // namespace reclab::experiment

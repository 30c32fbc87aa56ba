#pragma once
/// reclab-cli subcommands. Each returns the process exit code: 0 ok, 2 bad input (message on
/// stderr), 1 internal error. Output meant for scripts is JSON on stdout.

#include <cstdint>
#include <string>
#include <vector>

namespace reclab::cli {

struct StatsArgs {
  std::string format = "auto";
  std::vector<std::string> paths;
  bool stopOnBadRow = false;
};
int runStats(const StatsArgs& args);

struct SynthArgs {
  std::string kind;
  std::string outDir;
  std::uint64_t seed = 0;
  std::vector<std::string> settings;  ///< "key=value" size options
  bool overwrite = false;
};
int runSynth(const SynthArgs& args);

struct RunArgs {
  std::string configPath;
  std::string dbPath;
  bool quiet = false;
};
int runRun(const RunArgs& args);

/// Runs every config of a preset (resources/presets/*.json) and prints their outcomes.
int runPreset(const RunArgs& args);

/// Opening a finished run again (see experiment/inspect.h).
struct InspectArgs {
  std::int64_t runId = 0;
  std::string dbPath;
  std::string user;      ///< original user id (recommend)
  std::string item;      ///< original item id (similar)
  int n = 10;
  bool keepSeen = false;
  std::string of = "users";  ///< cluster: users | items
  int k = 8;
  std::uint64_t seed = 0;
};
int runRecommend(const InspectArgs& args);
int runSimilar(const InspectArgs& args);
int runCluster(const InspectArgs& args);

/// Incremental update of a finished run with new interactions (see experiment/update.h).
struct UpdateArgs {
  std::int64_t runId = 0;
  std::vector<std::string> paths;
  std::string format = "auto";
  std::string dbPath;
  int epochs = 1;
  double replayRatio = 1.0;
  bool noFoldIn = false;
  double newTestRatio = 0.0;
  std::int64_t seed = -1;  ///< -1: the parent's seed
  std::string name;
  bool quiet = false;
};
/// Prints the new run's id, counts and before / after metrics as JSON.
int runUpdate(const UpdateArgs& args);

int runList(const std::string& dbPath, bool includeArchived);
int runShow(std::int64_t runId, const std::string& dbPath);
/// The model registry (names, tasks, hyper-parameter schemas) as JSON.
int runModels();

}  // namespace reclab::cli

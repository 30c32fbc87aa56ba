// reclab-cli: the headless face of RecLab (same core as the GUI), for scripted sweeps and
// cluster jobs; results land in the same SQLite store the GUI opens.

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "common/process.h"

int main(int argc, char** argv) {
  reclab::tuneAllocator();
  CLI::App app{"RecLab command line: dataset statistics, synthetic data, experiment runs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "reclab-cli 0.1.0");

  reclab::cli::StatsArgs stats;
  auto* s = app.add_subcommand("stats", "Load a dataset and print its statistics as JSON");
  s->add_option("--format,-f", stats.format,
                "retailrocket, yoochoose, diginetica, sessionrec, movielens, amazon-csv, "
                "amazon-jsonl, csv, or auto (default)");
  s->add_option("paths", stats.paths, "dataset files (or a directory)")->required();
  s->add_flag("--stop-on-bad-row", stats.stopOnBadRow, "fail at the first bad row instead of skipping");

  reclab::cli::SynthArgs synth;
  auto* y = app.add_subcommand("synth", "Generate a dataset with planted structure in a real format");
  y->add_option("kind", synth.kind, "ratings | retailrocket | yoochoose")->required();
  y->add_option("--out,-o", synth.outDir, "output directory")->required();
  y->add_option("--seed", synth.seed, "random seed (default 0)");
  y->add_option("--set", synth.settings, "size option key=value (repeatable), e.g. --set users=943");
  y->add_flag("--overwrite", synth.overwrite, "replace existing files in the output directory");

  reclab::cli::RunArgs run;
  auto* r = app.add_subcommand("run", "Run an experiment config and print its final metrics as JSON");
  r->add_option("config", run.configPath, "experiment config (JSON)")->required();
  r->add_option("--db", run.dbPath, "experiment store (SQLite); created if absent")->required();
  r->add_flag("--quiet,-q", run.quiet, "no progress on stderr");

  reclab::cli::RunArgs preset;
  auto* pr = app.add_subcommand("preset", "Run every config of a preset (resources/presets/*.json)");
  pr->add_option("preset", preset.configPath, "preset file")->required();
  pr->add_option("--db", preset.dbPath, "experiment store (SQLite); created if absent")->required();
  pr->add_flag("--quiet,-q", preset.quiet, "no progress on stderr");

  reclab::cli::InspectArgs rec;
  auto* rc = app.add_subcommand("recommend", "Top-N items of a finished run for one user");
  rc->add_option("run", rec.runId, "run id")->required();
  rc->add_option("--db", rec.dbPath, "experiment store")->required();
  rc->add_option("--user", rec.user, "original user id")->required();
  rc->add_option("--n", rec.n, "number of items (default 10)");
  rc->add_flag("--keep-seen", rec.keepSeen, "do not filter the user's training items");

  reclab::cli::InspectArgs sim;
  auto* si = app.add_subcommand("similar", "Nearest items by cosine over a run's item embeddings");
  si->add_option("run", sim.runId, "run id")->required();
  si->add_option("--db", sim.dbPath, "experiment store")->required();
  si->add_option("--item", sim.item, "original item id")->required();
  si->add_option("--n", sim.n, "number of items (default 10)");

  reclab::cli::InspectArgs clu;
  auto* cl = app.add_subcommand("cluster", "K-Means over a run's user or item embeddings (stored on the run)");
  cl->add_option("run", clu.runId, "run id")->required();
  cl->add_option("--db", clu.dbPath, "experiment store")->required();
  cl->add_option("--of", clu.of, "users or items (default users)");
  cl->add_option("--k", clu.k, "number of clusters (default 8)");
  cl->add_option("--seed", clu.seed, "seed of the k-means++ initialisation (default 0)");

  reclab::cli::UpdateArgs upd;
  auto* up = app.add_subcommand(
      "update", "Add new interactions to a finished run (grow, fine-tune, fold in) as a new run");
  up->add_option("run", upd.runId, "run id to update")->required();
  up->add_option("paths", upd.paths, "files holding the new interactions (or a directory)")
      ->required();
  up->add_option("--db", upd.dbPath, "experiment store")->required();
  up->add_option("--format,-f", upd.format,
                 "format of the new files: retailrocket, yoochoose, diginetica, sessionrec, "
                 "movielens, amazon-csv, amazon-jsonl, or auto (default)");
  up->add_option("--epochs", upd.epochs, "fine-tuning passes (default 1; 0 = fold-in only)");
  up->add_option("--replay-ratio", upd.replayRatio,
                 "old training rows replayed per new row while fine-tuning (default 1)");
  up->add_flag("--no-fold-in", upd.noFoldIn, "do not fold in the users with new rows");
  up->add_option("--new-test-ratio", upd.newTestRatio,
                 "share of the new rows held out and scored as new_<metric> (default 0)");
  up->add_option("--seed", upd.seed, "seed of the replay sample and holdout (default: the run's)");
  up->add_option("--name", upd.name, "name of the new run (default: '<run name> + update')");
  up->add_flag("--quiet,-q", upd.quiet, "no progress on stderr");

  std::string listDb;
  bool archived = false;
  auto* l = app.add_subcommand("list", "List the runs in a store as JSON");
  l->add_option("--db", listDb, "experiment store")->required();
  l->add_flag("--archived", archived, "include archived runs");

  std::string showDb;
  std::int64_t showId = 0;
  auto* w = app.add_subcommand("show", "Show one run (config, metrics, curves) as JSON");
  w->add_option("run", showId, "run id")->required();
  w->add_option("--db", showDb, "experiment store")->required();

  auto* m = app.add_subcommand("models", "List the registered models and their hyper-parameters");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*s) return reclab::cli::runStats(stats);
  if (*y) return reclab::cli::runSynth(synth);
  if (*r) return reclab::cli::runRun(run);
  if (*pr) return reclab::cli::runPreset(preset);
  if (*rc) return reclab::cli::runRecommend(rec);
  if (*si) return reclab::cli::runSimilar(sim);
  if (*cl) return reclab::cli::runCluster(clu);
  if (*up) return reclab::cli::runUpdate(upd);
  if (*l) return reclab::cli::runList(listDb, archived);
  if (*w) return reclab::cli::runShow(showId, showDb);
  if (*m) return reclab::cli::runModels();
  return 2;
}

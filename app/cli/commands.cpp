#include "cli/commands.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "common/observer.h"
#include "data/load.h"
#include "data/stats.h"
#include "data/synth/generate.h"
#include "experiment/config.h"
#include "experiment/inspect.h"
#include "experiment/preset.h"
#include "experiment/runner.h"
#include "experiment/update.h"
#include "models/registry.h"
#include "store/store.h"

namespace reclab::cli {

using nlohmann::json;

namespace {

StopToken& globalStop() {
  static StopToken token;
  return token;
}

extern "C" void onSignal(int) { globalStop().requestStop(); }

void installSignalHandlers() {
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
}

/// Progress and epoch lines on stderr, throttled to a few per second.
class StderrObserver : public Observer {
 public:
  explicit StderrObserver(bool quiet) : m_quiet(quiet) {}
  void onProgress(double f, std::string_view stage) override {
    if (m_quiet) return;
    auto now = std::chrono::steady_clock::now();
    if (now - m_last < std::chrono::milliseconds(500) && f < 1.0) return;
    m_last = now;
    std::cerr << fmt::format("{} {:5.1f}%\n", stage, 100.0 * f);
  }
  void onLog(LogLevel level, std::string_view msg) override {
    if (m_quiet && level < LogLevel::Warning) return;
    std::cerr << msg << '\n';
  }
  void onEpoch(const TrainingReport& r) override {
    if (m_quiet) return;
    std::string line = fmt::format("epoch {}", r.epoch);
    for (const auto& [k, v] : r.values) line += fmt::format("  {} {:.5g}", k, v);
    std::cerr << line << '\n';
  }

 private:
  bool m_quiet;
  std::chrono::steady_clock::time_point m_last{};
};

template <typename F>
int guarded(F&& body) {
  try {
    return body();
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 2;
  } catch (const Cancelled&) {
    std::cerr << "cancelled\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << '\n';
    return 1;
  }
}

json runJson(const store::Store& st, const store::RunRecord& r) {
  json j;
  j["id"] = r.id;
  j["name"] = r.name;
  j["model"] = r.modelName;
  j["task"] = r.task;
  j["status"] = store::statusName(r.status);
  j["seed"] = r.seed;
  j["started_at"] = r.startedAt;
  j["ended_at"] = r.endedAt;
  j["epochs_done"] = r.epochsDone;
  if (r.parentRunId) j["parent_run_id"] = *r.parentRunId;
  if (!r.errorText.empty()) j["error"] = r.errorText;
  j["archived"] = r.archived;
  j["metrics"] = st.metrics(r.id);
  return j;
}

}  // namespace

int runStats(const StatsArgs& args) {
  return guarded([&] {
    installSignalHandlers();
    data::Format format = args.format == "auto" ? data::detectFormat(args.paths)
                                                : data::parseFormatName(args.format);
    data::LoadOptions opt;
    opt.policy = args.stopOnBadRow ? data::BadRowPolicy::Stop : data::BadRowPolicy::Skip;
    if (format == data::Format::Csv) {
      throw InputError("format 'csv' needs a column mapping: use 'reclab-cli run' with a config");
    }
    StderrObserver obs(true);
    auto result = data::loadDataset(format, args.paths, opt, obs, globalStop());
    auto index = data::SessionIndex::build(result.log);
    json j = data::toJson(data::computeStats(result.log, result.log.hasSessions() ? &index : nullptr));
    j["format"] = data::formatName(result.format);
    j["bad_rows"] = result.report.badRowCount;
    for (const auto& b : result.report.badRows) std::cerr << "bad row: " << b.message() << '\n';
    if (result.report.badRowCount > result.report.badRows.size()) {
      std::cerr << fmt::format("... {} bad rows in all\n", result.report.badRowCount);
    }
    for (const auto& w : result.report.warnings) std::cerr << "warning: " << w << '\n';
    std::cout << j.dump(2) << std::endl;
    return 0;
  });
}

int runSynth(const SynthArgs& args) {
  return guarded([&] {
    installSignalHandlers();
    json options = json::object();
    for (const auto& kv : args.settings) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        throw InputError("--set expects key=value, got '" + kv + "'");
      }
      std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
      json parsed = json::parse(value, nullptr, false);
      options[key] = parsed.is_discarded() ? json(value) : parsed;
    }
    if (args.overwrite) options["overwrite"] = true;
    StderrObserver obs(false);
    synth::generate(args.kind, options, args.seed, args.outDir, obs, globalStop());
    return 0;
  });
}

int runRun(const RunArgs& args) {
  return guarded([&] {
    installSignalHandlers();
    auto config = experiment::ExperimentConfig::fromFile(args.configPath);
    StderrObserver obs(args.quiet);
    auto outcome = experiment::executeRun(config, args.dbPath, std::nullopt, obs, globalStop());
    json j;
    j["run_id"] = outcome.runId;
    j["status"] = store::statusName(outcome.status);
    j["metrics"] = outcome.metrics;
    if (!outcome.error.empty()) j["error"] = outcome.error;
    std::cout << j.dump(2) << std::endl;
    switch (outcome.status) {
      case store::RunStatus::Finished:
        return 0;
      case store::RunStatus::Failed:
        std::cerr << "error: " << outcome.error << '\n';
        return outcome.error.rfind("internal error", 0) == 0 ? 1 : 2;
      default:
        return 1;
    }
  });
}

int runPreset(const RunArgs& args) {
  return guarded([&] {
    installSignalHandlers();
    auto preset = experiment::loadPreset(args.configPath);
    StderrObserver obs(args.quiet);
    json out = json::array();
    int code = 0;
    std::map<std::string, std::int64_t> finished;
    for (std::size_t i = 0; i < preset.runs.size(); ++i) {
      if (globalStop().stopRequested()) break;
      const auto& config = preset.runs[i];
      obs.onLog(LogLevel::Info, "preset run: " + config.name);
      experiment::RunOutcome outcome;
      try {
        outcome = experiment::executeRun(preset.resolved(i, finished), args.dbPath, std::nullopt,
                                         obs, globalStop());
      } catch (const InputError& e) {
        outcome.status = store::RunStatus::Failed;
        outcome.error = e.what();
      }
      if (outcome.status == store::RunStatus::Finished) finished[config.name] = outcome.runId;
      json j = {{"name", config.name},
                {"run_id", outcome.runId},
                {"status", store::statusName(outcome.status)},
                {"metrics", outcome.metrics}};
      if (!outcome.error.empty()) {
        j["error"] = outcome.error;
        std::cerr << "error: " << config.name << ": " << outcome.error << '\n';
        code = outcome.error.rfind("internal error", 0) == 0 ? 1 : std::max(code, 2);
      }
      out.push_back(j);
    }
    std::cout << json{{"preset", preset.title}, {"runs", out}}.dump(2) << std::endl;
    return code;
  });
}

namespace {

std::int32_t denseId(const data::IdMap& map, const std::string& original, const char* what) {
  auto id = map.find(original);
  if (!id) throw InputError(fmt::format("no {} with id '{}' in the run's dataset", what, original));
  return *id;
}

}  // namespace

int runRecommend(const InspectArgs& args) {
  return guarded([&] {
    store::Store st(args.dbPath);
    StderrObserver obs(true);
    auto run = experiment::openRun(st, args.runId, obs, globalStop());
    const auto& log = run.data->log;
    const auto user = denseId(log.users, args.user, "user");
    json items = json::array();
    for (const auto& r : experiment::recommendFor(run, user, args.n, !args.keepSeen)) {
      items.push_back({{"item", log.items.original(r.item)}, {"score", r.score}, {"hit", r.hit}});
    }
    json j = {{"run_id", args.runId},
              {"user", args.user},
              {"filter_seen", !args.keepSeen},
              {"training_items", run.trainItems[static_cast<std::size_t>(user)].size()},
              {"test_items", run.testItems[static_cast<std::size_t>(user)].size()},
              {"recommendations", items}};
    std::cout << j.dump(2) << std::endl;
    return 0;
  });
}

int runSimilar(const InspectArgs& args) {
  return guarded([&] {
    store::Store st(args.dbPath);
    StderrObserver obs(true);
    auto run = experiment::openRun(st, args.runId, obs, globalStop());
    const auto& log = run.data->log;
    const auto item = denseId(log.items, args.item, "item");
    json items = json::array();
    for (const auto& [i, cosine] : experiment::similarItems(run, item, args.n)) {
      items.push_back({{"item", log.items.original(i)}, {"cosine", cosine}});
    }
    std::cout << json{{"run_id", args.runId}, {"item", args.item}, {"similar", items}}.dump(2)
              << std::endl;
    return 0;
  });
}

int runCluster(const InspectArgs& args) {
  return guarded([&] {
    store::Store st(args.dbPath);
    StderrObserver obs(true);
    auto run = experiment::openRun(st, args.runId, obs, globalStop());
    auto j = experiment::clusterRun(st, run, args.of, args.k, args.seed, globalStop());
    json summary = {{"run_id", args.runId},   {"of", j.at("of")},
                    {"k", j.at("k")},         {"sizes", j.at("sizes")},
                    {"inertia", j.at("inertia")}, {"iterations", j.at("iterations")},
                    {"artifact", "kmeans_" + args.of + ".json"}};
    std::cout << summary.dump(2) << std::endl;
    return 0;
  });
}

int runUpdate(const UpdateArgs& args) {
  return guarded([&] {
    installSignalHandlers();
    experiment::UpdateOptions opt;
    opt.paths = args.paths;
    opt.format = args.format;
    if (opt.format == "csv") {
      throw InputError("format 'csv' needs a column mapping: give the new rows in a real format");
    }
    opt.epochs = args.epochs;
    opt.replayRatio = args.replayRatio;
    opt.foldIn = !args.noFoldIn;
    opt.newTestRatio = args.newTestRatio;
    if (args.seed >= 0) opt.seed = static_cast<std::uint64_t>(args.seed);
    opt.name = args.name;
    store::Store st(args.dbPath);
    StderrObserver obs(args.quiet);
    const auto out = experiment::updateRun(st, args.runId, opt, obs, globalStop());
    json j = {{"run_id", out.runId},
              {"parent_run_id", out.parentRunId},
              {"status", store::statusName(out.status)},
              {"rows_added", out.rowsAdded},
              {"new_test_rows", out.newTestRows},
              {"replayed_rows", out.replayRows},
              {"new_users", out.usersAdded},
              {"new_items", out.itemsAdded},
              {"users_folded_in", out.usersFoldedIn},
              {"incremental", out.incremental},
              {"before", out.before},
              {"after", out.after},
              {"metrics", out.metrics}};
    if (!out.error.empty()) j["error"] = out.error;
    std::cout << j.dump(2) << std::endl;
    switch (out.status) {
      case store::RunStatus::Finished:
        return 0;
      case store::RunStatus::Failed:
        std::cerr << "error: " << out.error << '\n';
        return out.error.rfind("internal error", 0) == 0 ? 1 : 2;
      default:
        return 1;
    }
  });
}

int runList(const std::string& dbPath, bool includeArchived) {
  return guarded([&] {
    store::Store st(dbPath);
    json out = json::array();
    for (const auto& r : st.runs(includeArchived)) out.push_back(runJson(st, r));
    std::cout << out.dump(2) << std::endl;
    return 0;
  });
}

int runShow(std::int64_t runId, const std::string& dbPath) {
  return guarded([&] {
    store::Store st(dbPath);
    auto r = st.run(runId);
    if (!r) throw InputError(fmt::format("{}: no run with id {}", dbPath, runId));
    json j = runJson(st, *r);
    j["config"] = json::parse(r->configJson, nullptr, false);
    j["versions"] = json::parse(r->versionsJson.empty() ? "{}" : r->versionsJson, nullptr, false);
    json curves = json::object();
    for (const auto& p : st.curve(runId)) {
      if (p.metric.rfind("batch_", 0) == 0) continue;
      curves[p.metric].push_back({{"epoch", p.epoch}, {"value", p.value}});
    }
    j["curves"] = curves;
    j["artifacts"] = st.artifactNames(runId);
    std::cout << j.dump(2) << std::endl;
    return 0;
  });
}

int runModels() {
  return guarded([&] {
    json out = json::array();
    for (const auto* m : models::Registry::instance().all()) {
      json j = {{"name", m->name},
                {"display_name", m->displayName},
                {"task", models::taskName(m->task)},
                {"description", m->description}};
      json params = json::array();
      for (const auto& p : m->params) {
        json pj = {{"name", p.name},
                   {"type", models::paramTypeName(p.type)},
                   {"default", p.defaultValue},
                   {"help", p.help}};
        if (p.min) pj["min"] = *p.min;
        if (p.max) pj["max"] = *p.max;
        if (!p.choices.empty()) pj["choices"] = p.choices;
        params.push_back(pj);
      }
      j["params"] = params;
      out.push_back(j);
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
  });
}

}  // namespace reclab::cli

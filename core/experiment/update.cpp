#include "experiment/update.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "common/errors.h"
#include "data/append.h"
#include "experiment/inspect.h"
#include "experiment/runner.h"
#include "models/registry.h"
#include "split/fitted_statistics.h"
#include "split/leakage.h"

namespace reclab::experiment {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kRowsArtifact = "update_rows.csv";
constexpr const char* kInfoArtifact = "update.json";
constexpr std::uint64_t kHoldoutSalt = 0x686F6C646F7574ULL;
constexpr std::uint64_t kReplaySalt = 0x7265706C6179ULL;

/// RFC-4180 field: quoted when it holds a delimiter, a quote or a line break.
std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

/// The columns the added rows are written with (those the log has).
std::vector<std::string> rowColumns(const data::InteractionLog& log) {
  std::vector<std::string> cols;
  if (log.hasUsers()) cols.push_back("user");
  cols.push_back("item");
  if (!log.eventNames.empty()) cols.push_back("event");
  if (log.hasTimestamps()) cols.push_back("timestamp");
  if (log.hasValues()) cols.push_back("value");
  if (log.hasSessions()) cols.push_back("session");
  return cols;
}

/// Rows [first, end) of `log` as CSV with original ids, event names, timestamps in ms.
std::string rowsCsv(const data::InteractionLog& log, const std::vector<std::string>& cols,
                    std::uint32_t first, std::uint32_t end) {
  std::string out;
  for (std::size_t c = 0; c < cols.size(); ++c) out += (c ? "," : "") + cols[c];
  out += '\n';
  for (std::uint32_t r = first; r < end; ++r) {
    std::string line;
    for (const auto& c : cols) {
      if (&c != &cols.front()) line += ',';
      if (c == "user") line += csvField(log.users.original(log.user[r]));
      if (c == "item") line += csvField(log.items.original(log.item[r]));
      if (c == "event") line += csvField(log.eventNames[log.eventAt(r)]);
      if (c == "timestamp") line += std::to_string(log.timestamp[r]);
      if (c == "value") line += fmt::format("{}", log.value[r]);
      if (c == "session") line += csvField(log.sessions.original(log.session[r]));
    }
    out += line;
    out += '\n';
  }
  return out;
}

/// Reads back what rowsCsv wrote (through the generic CSV loader, stopping at a bad row).
data::InteractionLog readRowsCsv(const std::string& bytes, const std::vector<std::string>& cols,
                                 std::int64_t runId, Observer& observer, const StopToken& stop) {
  data::ColumnMapping m;
  for (const auto& c : cols) {
    if (c == "user") m.user = c;
    if (c == "item") m.item = c;
    if (c == "event") m.event = c;
    if (c == "timestamp") m.timestamp = c;
    if (c == "value") m.value = c;
    if (c == "session") m.session = c;
  }
  m.timestampUnit = "unix_ms";
  data::LoadOptions opt;
  opt.policy = data::BadRowPolicy::Stop;
  opt.mapping = m;
  opt.threads = 1;
  const auto tmp = fs::temp_directory_path() /
                   fmt::format("reclab-update-{}-{}.csv", runId,
                               std::hash<std::thread::id>()(std::this_thread::get_id()));
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  try {
    auto result = data::loadDataset(data::Format::Csv, {tmp.string()}, opt, observer, stop);
    fs::remove(tmp);
    return std::move(result.log);
  } catch (...) {
    fs::remove(tmp);
    throw;
  }
}

std::map<std::string, double> prefixed(const std::string& prefix,
                                       const std::map<std::string, double>& m) {
  std::map<std::string, double> out;
  for (const auto& [k, v] : m) out[prefix + k] = v;
  return out;
}

/// Positions (0-based, ascending) of the added rows held out as their own test set.
std::vector<std::uint32_t> holdoutPositions(std::uint32_t n, double ratio, std::uint64_t seed) {
  const auto count = static_cast<std::uint32_t>(std::llround(ratio * n));
  if (count == 0) return {};
  std::vector<std::uint32_t> pos(n);
  for (std::uint32_t j = 0; j < n; ++j) pos[j] = j;
  std::mt19937_64 rng(seed ^ kHoldoutSalt);
  for (std::uint32_t j = 0; j < count; ++j) {
    std::uniform_int_distribution<std::uint32_t> pick(j, n - 1);
    std::swap(pos[j], pos[pick(rng)]);
  }
  pos.resize(count);
  std::sort(pos.begin(), pos.end());
  return pos;
}

/// `count` rows of `pool` drawn without replacement (seeded), ascending.
std::vector<std::uint32_t> replaySample(std::vector<std::uint32_t> pool, std::size_t count,
                                        std::uint64_t seed) {
  count = std::min(count, pool.size());
  std::mt19937_64 rng(seed ^ kReplaySalt);
  for (std::size_t j = 0; j < count; ++j) {
    std::uniform_int_distribution<std::size_t> pick(j, pool.size() - 1);
    std::swap(pool[j], pool[pick(rng)]);
  }
  pool.resize(count);
  std::sort(pool.begin(), pool.end());
  return pool;
}

/// Appends the added rows of update run `runId` to `data` and `split` (see rebuildUpdatedData).
void applyOneUpdate(store::Store& store, std::int64_t runId, data::LoadResult& data,
                    split::Split& split, Observer& observer, const StopToken& stop) {
  const auto rows = store.artifact(runId, kRowsArtifact);
  const auto infoText = store.artifact(runId, kInfoArtifact);
  if (!rows || !infoText) {
    throw InputError(
        fmt::format("run {}: its added rows are not stored ({} / {} missing); the "
                    "update cannot be rebuilt",
                    runId, kRowsArtifact, kInfoArtifact));
  }
  const auto info = json::parse(*infoText, nullptr, false);
  if (info.is_discarded() || !info.contains("columns") || !info.contains("rows") ||
      !info.contains("test_rows")) {
    throw InputError(fmt::format("run {}: {} is not a valid update record", runId, kInfoArtifact));
  }
  const auto extra =
      readRowsCsv(*rows, info.at("columns").get<std::vector<std::string>>(), runId, observer, stop);
  const auto added = data::appendRows(data.log, extra);
  if (added.numRows() != info.at("rows").get<std::uint32_t>()) {
    throw InputError(fmt::format("run {}: {} holds {} rows, its record says {}", runId,
                                 kRowsArtifact, added.numRows(), info.at("rows").dump()));
  }
  const auto held = info.at("test_rows").get<std::vector<std::uint32_t>>();
  std::size_t h = 0;
  for (std::uint32_t j = 0; j < added.numRows(); ++j) {
    const bool test = h < held.size() && held[h] == j;
    h += test;
    (test ? split.test : split.train).push_back(added.firstRow + j);
  }
}

}  // namespace

void UpdateOptions::validate() const {
  auto fail = [](const std::string& what) { throw InputError("update: " + what); };
  if (epochs < 0) fail(fmt::format("epochs must be >= 0, got {}", epochs));
  if (!(replayRatio >= 0) || !std::isfinite(replayRatio)) {
    fail(fmt::format("replay_ratio must be a finite number >= 0, got {}", replayRatio));
  }
  if (!(newTestRatio >= 0 && newTestRatio < 1)) {
    fail(fmt::format("new_test_ratio must be in [0, 1), got {}", newTestRatio));
  }
  if (paths.empty() && !rows) fail("no new interactions: give files or rows");
  if (paths.empty() && rows->numRows() == 0) fail("the rows given hold no interactions");
  if (seed && *seed > (1ULL << 53)) fail(fmt::format("seed must be <= 2^53, got {}", *seed));
}

std::shared_ptr<const data::LoadResult> rebuildUpdatedData(
    store::Store& store, std::int64_t runId, const ExperimentConfig& config,
    std::shared_ptr<const data::LoadResult> base, split::Split& split, Observer& observer,
    const StopToken& stop) {
  if (!config.update) return base;
  // The chain of updates from the original run down to runId, oldest first.
  std::vector<std::int64_t> chain{runId};
  std::int64_t parent = config.update->parentRun;
  for (;;) {
    if (chain.size() > 10000) throw InputError(fmt::format("run {}: update chain loops", runId));
    auto record = store.run(parent);
    if (!record) {
      throw InputError(
          fmt::format("run {}: it updates run {}, which is not in the store", runId, parent));
    }
    auto j = json::parse(record->configJson, nullptr, false);
    if (j.is_discarded())
      throw InputError(fmt::format("run {}: stored config is not JSON", parent));
    const auto c = ExperimentConfig::fromJson(j);
    if (!c.update) break;
    chain.push_back(parent);
    parent = c.update->parentRun;
  }
  auto data = std::make_shared<data::LoadResult>(*base);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    stop.throwIfStopped();
    applyOneUpdate(store, *it, *data, split, observer, stop);
  }
  return data;
}

UpdateOutcome updateRun(store::Store& store, std::int64_t parentRunId, const UpdateOptions& options,
                        Observer& observer, const StopToken& stop) {
  options.validate();
  UpdateOutcome out;
  out.parentRunId = parentRunId;
  auto parent = openRun(store, parentRunId, observer, stop);
  const auto parentRecord = store.run(parentRunId);
  const ExperimentConfig& config = parent.config;
  const std::uint64_t seed = options.seed.value_or(config.seed);

  // The new rows, appended to a copy of the parent's data (errors here record nothing).
  data::InteractionLog extra;
  std::string format = "api";
  if (!options.paths.empty()) {
    const auto f = options.format == "auto" ? data::detectFormat(options.paths)
                                            : data::parseFormatName(options.format);
    format = data::formatName(f);
    data::LoadOptions opt;
    opt.policy = options.badRows;
    opt.mapping = options.mapping;
    opt.threads = config.effectiveThreads();
    auto loaded = data::loadDataset(f, options.paths, opt, observer, stop);
    if (loaded.report.badRowCount > 0) {
      observer.onLog(
          LogLevel::Warning,
          fmt::format("update: {} bad rows skipped{}", loaded.report.badRowCount,
                      loaded.report.badRows.empty()
                          ? std::string()
                          : " (first: " + loaded.report.badRows.front().message() + ")"));
    }
    extra = std::move(loaded.log);
    if (extra.numRows() == 0) throw InputError("update: the new files hold no interactions");
  } else {
    extra = *options.rows;
  }
  auto data = std::make_shared<data::LoadResult>(*parent.data);
  const auto added = data::appendRows(data->log, extra);
  for (const auto& w : added.warnings) observer.onLog(LogLevel::Warning, "update: " + w);
  const auto& log = data->log;
  out.rowsAdded = added.numRows();
  out.usersAdded = added.newUsers;
  out.itemsAdded = added.newItems;
  const auto held = holdoutPositions(added.numRows(), options.newTestRatio, seed);
  std::vector<std::uint32_t> newTrain, newTest;
  for (std::uint32_t j = 0, h = 0; j < added.numRows(); ++j) {
    const bool test = h < held.size() && held[h] == j;
    h += test;
    (test ? newTest : newTrain).push_back(added.firstRow + j);
  }
  out.newTrainRows = static_cast<std::uint32_t>(newTrain.size());
  out.newTestRows = static_cast<std::uint32_t>(newTest.size());
  auto oldTrain = parent.split.train;
  if (config.preprocess.minItemSupport > 0) {  // as the runner trained the parent
    split::LeakageGuard guard;
    split::ItemSupportFilter filter(config.preprocess.minItemSupport);
    filter.fit(parent.data->log, oldTrain, guard);
    oldTrain = filter.apply(parent.data->log, oldTrain);
  }

  // The new run.
  ExperimentConfig runConfig = config;
  runConfig.name =
      options.name.empty()
          ? (parentRecord->name.empty() ? config.model.name : parentRecord->name) + " + update"
          : options.name;
  UpdateSpec spec;
  spec.parentRun = parentRunId;
  spec.paths = options.paths;
  spec.format = format;
  spec.epochs = options.epochs;
  spec.replayRatio = options.replayRatio;
  spec.foldIn = options.foldIn;
  spec.newTestRatio = options.newTestRatio;
  spec.seed = seed;
  runConfig.update = spec;
  store::RunRecord record;
  record.name = runConfig.name;
  record.parentRunId = parentRunId;
  record.datasetId = parentRecord->datasetId;
  record.modelName = parentRecord->modelName;
  record.task = parentRecord->task;
  record.configJson = runConfig.toJson().dump(2);
  record.seed = static_cast<std::int64_t>(seed);
  record.status = store::RunStatus::Queued;
  out.runId = store.createRun(record);
  store.startRun(out.runId);
  if (!parentRecord->versionsJson.empty()) store.setVersions(out.runId, parentRecord->versionsJson);
  auto rec = recordingObserver(observer, &store, out.runId);

  out.status = runToStatus(
      [&] {
        const auto cols = rowColumns(log);
        store.putArtifact(out.runId, kRowsArtifact,
                          rowsCsv(log, cols, added.firstRow, added.endRow));
        json info = {{"columns", cols},
                     {"rows", added.numRows()},
                     {"test_rows", held},
                     {"new_users", added.newUsers},
                     {"new_items", added.newItems},
                     {"new_events", added.newEvents},
                     {"sources", options.paths},
                     {"format", format}};
        store.putArtifact(out.runId, kInfoArtifact, info.dump());
        rec->onLog(LogLevel::Info,
                   fmt::format("update of run {}: {} new rows ({} held out), {} new users, {} new "
                               "items",
                               parentRunId, added.numRows(), newTest.size(), added.newUsers,
                               added.newItems));

        out.before = evaluateModel(config, parent.data->log, *parent.model, oldTrain,
                                   parent.split.test, *rec, stop);
        out.metrics = prefixed("before_", out.before);
        store.setMetrics(out.runId, out.metrics);

        std::vector<std::uint32_t> allTrain = oldTrain;
        allTrain.insert(allTrain.end(), newTrain.begin(), newTrain.end());
        const auto* valid = parent.split.valid.empty() ? nullptr : &parent.split.valid;
        std::unique_ptr<models::Model> model = std::move(parent.model);
        auto* inc = dynamic_cast<models::Incremental*>(model.get());
        out.incremental = inc != nullptr;
        if (inc) {
          inc->grow(log.numUsers(), log.numItems(), seed);
          if (!newTest.empty()) {
            const auto m = evaluateModel(config, log, *model, allTrain, newTest, *rec, stop);
            for (const auto& [k, v] : m) out.metrics["before_new_" + k] = v;
          }
          if (options.epochs > 0 && !newTrain.empty()) {
            auto tuneRows = replaySample(
                oldTrain,
                static_cast<std::size_t>(
                    std::llround(options.replayRatio * static_cast<double>(newTrain.size()))),
                seed);
            out.replayRows = static_cast<std::uint32_t>(tuneRows.size());
            tuneRows.insert(tuneRows.end(), newTrain.begin(), newTrain.end());
            rec->onLog(
                LogLevel::Info,
                fmt::format("fine-tuning {} for {} epochs on {} new + {} replayed rows",
                            config.model.name, options.epochs, newTrain.size(), out.replayRows));
            models::TrainContext ctx{log,  tuneRows, valid, seed, config.effectiveThreads(),
                                     *rec, stop};
            inc->fineTune(ctx, options.epochs);
            stop.throwIfStopped();
          }
          if (options.foldIn && log.hasUsers()) {
            std::vector<std::uint8_t> touched(static_cast<std::size_t>(log.numUsers()), 0);
            for (auto r : newTrain) touched[static_cast<std::size_t>(log.user[r])] = 1;
            std::vector<std::vector<std::uint32_t>> rowsOf(touched.size());
            for (auto r : allTrain)
              if (touched[static_cast<std::size_t>(log.user[r])])
                rowsOf[static_cast<std::size_t>(log.user[r])].push_back(r);
            for (std::size_t u = 0; u < touched.size(); ++u) {
              if (!touched[u]) continue;
              if ((out.usersFoldedIn & 255) == 0) stop.throwIfStopped();
              inc->foldInUser(log, static_cast<std::int32_t>(u), rowsOf[u]);
              ++out.usersFoldedIn;
            }
            rec->onLog(LogLevel::Info, fmt::format("folded in {} users", out.usersFoldedIn));
          }
        } else {
          rec->onLog(LogLevel::Warning,
                     fmt::format("model '{}' has no incremental update: refitting it from scratch "
                                 "on {} old + {} new training rows",
                                 config.model.name, oldTrain.size(), newTrain.size()));
          model = models::Registry::instance().create(config.model.name, config.model.params);
          models::TrainContext ctx{log,  allTrain, valid, seed, config.effectiveThreads(),
                                   *rec, stop};
          model->fit(ctx);
          stop.throwIfStopped();
        }

        json perUser;
        out.after =
            evaluateModel(config, log, *model, allTrain, parent.split.test, *rec, stop, &perUser);
        for (const auto& [k, v] : out.after) out.metrics[k] = v;
        if (!newTest.empty()) {
          const auto m = evaluateModel(config, log, *model, allTrain, newTest, *rec, stop);
          for (const auto& [k, v] : m) out.metrics["new_" + k] = v;
        }
        store.setMetrics(out.runId, out.metrics);
        if (!perUser.is_null())
          store.putArtifact(out.runId, "per_user_metrics.json", perUser.dump());
        storeModel(store, out.runId, *model);
      },
      stop, out.error);
  try {
    store.finishRun(out.runId, out.status, out.error);
  } catch (const std::exception& e) {
    rec->onLog(LogLevel::Error, std::string("could not record the run's end: ") + e.what());
  }
  return out;
}

}  // namespace reclab::experiment

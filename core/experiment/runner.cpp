#include "experiment/runner.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <numeric>
#include <thread>
#include <unordered_map>

#include "common/errors.h"
#include "eval/classification_summary.h"
#include "eval/metrics.h"
#include "eval/purchase_metrics.h"
#include "eval/ranking_evaluator.h"
#include "eval/session_evaluator.h"
#include "experiment/inspect.h"
#include "models/callbacks.h"
#include "models/classic/item_meta.h"
#include "models/neural/neural_models.h"
#include "models/registry.h"
#include "split/cold_start.h"
#include "split/leakage.h"
#include "split/leave_last_n.h"
#include "split/session_preprocess.h"
#include "split/session_split.h"
#include "split/splits.h"

namespace reclab::experiment {

namespace fs = std::filesystem;

namespace {

std::uint64_t fnv1a(const void* data, std::size_t n, std::uint64_t h = 1469598103934665603ULL) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h;
}

/// Forwards to the caller's observer and writes epoch reports (with the batch points seen
/// since the previous epoch) to the store, one transaction per epoch.
class RecordingObserver : public Observer {
 public:
  RecordingObserver(Observer& inner, store::Store* store, std::int64_t runId)
      : m_inner(inner), m_store(store), m_runId(runId) {}
  void onProgress(double f, std::string_view stage) override { m_inner.onProgress(f, stage); }
  void onLog(LogLevel l, std::string_view m) override { m_inner.onLog(l, m); }
  void onBatch(const TrainingReport& r) override {
    for (const auto& [k, v] : r.values) m_pending.push_back({"batch_" + k, r.epoch, r.step, v});
    m_inner.onBatch(r);
  }
  void onEpoch(const TrainingReport& r) override {
    for (const auto& [k, v] : r.values) m_pending.push_back({k, r.epoch, r.step, v});
    if (m_store) m_store->addCurvePoints(m_runId, m_pending, r.epoch);
    m_pending.clear();
    m_inner.onEpoch(r);
  }
  void onEvaluation(std::string_view name, const std::string& json) override {
    if (m_store) m_store->putArtifact(m_runId, std::string(name) + ".json", json);
    m_inner.onEvaluation(name, json);
  }

 private:
  Observer& m_inner;
  store::Store* m_store;
  std::int64_t m_runId;
  std::vector<store::CurvePoint> m_pending;
};

}  // namespace

std::unique_ptr<Observer> recordingObserver(Observer& inner, store::Store* store,
                                            std::int64_t runId) {
  return std::make_unique<RecordingObserver>(inner, store, runId);
}

split::Split makeSplit(const ExperimentConfig& c, const data::InteractionLog& log, int fold) {
  if (c.split.kind == "kfold") {
    return split::kfoldSplit(log, c.split.folds, fold, c.split.validRatio, c.seed);
  }
  if (c.split.kind == "temporal") {
    return split::temporalSplit(log, c.split.testRatio, c.split.validRatio, c.seed);
  }
  if (c.split.kind == "leave_last_n") {
    split::LeaveLastNConfig cfg;
    cfg.n = c.split.n;
    cfg.validN = c.split.validN;
    return split::leaveLastNSplit(log, cfg);
  }
  if (c.split.kind == "session_time") {
    split::SessionSplitConfig cfg;
    cfg.testDays = c.split.testDays;
    cfg.validDays = c.split.validDays;
    return split::sessionTimeSplit(log, cfg);
  }
  if (c.split.kind == "session_random") {
    return split::randomSessionSplit(log, c.split.testRatio, c.split.validRatio, c.seed);
  }
  return split::randomSplit(log, c.split.testRatio, c.split.validRatio, c.seed);
}

namespace {

bool wants(const ExperimentConfig& c, const char* metric) {
  return std::find(c.eval.metrics.begin(), c.eval.metrics.end(), metric) != c.eval.metrics.end();
}

/// RMSE / MAE / R^2 on the test rows and, as seed A reports them, on its cold-start parts
/// (cold users, cold items, warm); a sample of actual vs predicted values is stored.
void addRatingMetrics(const ExperimentConfig& c, const data::InteractionLog& log,
                      const std::vector<std::uint32_t>& train,
                      const std::vector<std::uint32_t>& test, const std::vector<float>& truth,
                      const std::vector<float>& pred, std::map<std::string, double>& metrics,
                      Observer& obs) {
  if (wants(c, "rmse")) metrics["rmse"] = eval::rmse(truth, pred);
  if (wants(c, "mae")) metrics["mae"] = eval::mae(truth, pred);
  if (wants(c, "r2")) metrics["r2"] = eval::r2(truth, pred);
  if (!log.hasUsers()) return;
  std::unordered_map<std::uint32_t, std::size_t> at;
  at.reserve(test.size());
  for (std::size_t j = 0; j < test.size(); ++j) at.emplace(test[j], j);
  const auto parts = split::partitionColdStart(log, train, test);
  for (const auto& [name, rows] :
       {std::pair<const char*, const std::vector<std::uint32_t>*>{"cold_user", &parts.coldUser},
        {"cold_item", &parts.coldItem},
        {"warm", &parts.warm}}) {
    metrics[std::string("rows_") + name] = static_cast<double>(rows->size());
    if (rows->empty()) continue;
    std::vector<float> t, p;
    for (auto r : *rows) {
      t.push_back(truth[at.at(r)]);
      p.push_back(pred[at.at(r)]);
    }
    if (wants(c, "rmse")) metrics[std::string("rmse_") + name] = eval::rmse(t, p);
    if (wants(c, "mae")) metrics[std::string("mae_") + name] = eval::mae(t, p);
  }
  {
    nlohmann::json sample = nlohmann::json::array();
    for (std::size_t j = 0; j < std::min<std::size_t>(200, test.size()); ++j) {
      const auto r = test[j];
      sample.push_back({{"user", log.users.original(log.user[r])},
                        {"item", log.items.original(log.item[r])},
                        {"actual", truth[j]},
                        {"predicted", pred[j]}});
    }
    obs.onEvaluation("predictions_sample", sample.dump());
  }
}

}  // namespace

std::map<std::string, double> evaluateModel(const ExperimentConfig& c,
                                            const data::InteractionLog& log,
                                            const models::Model& model,
                                            const std::vector<std::uint32_t>& train,
                                            const std::vector<std::uint32_t>& test, Observer& obs,
                                            const StopToken& stop, nlohmann::json* perUser) {
  std::map<std::string, double> metrics;
  if (auto* rp = dynamic_cast<const models::RatingPredictor*>(&model);
      rp && (wants(c, "rmse") || wants(c, "mae"))) {
    std::vector<std::int32_t> us, is;
    std::vector<float> truth, pred;
    for (auto r : test) {
      us.push_back(log.user[r]);
      is.push_back(log.item[r]);
      truth.push_back(log.value[r]);
    }
    rp->predict(us, is, pred);
    addRatingMetrics(c, log, train, test, truth, pred, metrics, obs);
  }
  // (The hybrid CNN implements both row interfaces; its task says which head it has.)
  if (auto* rr = dynamic_cast<const models::RowRegressor*>(&model);
      rr && model.task() == models::Task::Rating && log.hasValues() && !test.empty()) {
    std::vector<float> truth, pred;
    for (auto r : test) truth.push_back(log.value[r]);
    rr->predictRows(log, test, pred);
    addRatingMetrics(c, log, train, test, truth, pred, metrics, obs);
  }
  if (auto* cl = dynamic_cast<const models::InteractionClassifier*>(&model);
      cl && model.task() == models::Task::Classification && !test.empty()) {
    std::vector<float> probs;
    cl->predictProba(log, test, probs);
    std::vector<std::int32_t> truth;
    truth.reserve(test.size());
    for (auto r : test) truth.push_back(log.eventAt(r));
    auto summary = eval::summariseClassification(probs, cl->numClasses(), truth);
    for (const auto& [k, v] : summary.metrics()) {
      if (wants(c, k.c_str())) metrics[k] = v;
    }
    obs.onEvaluation("classification", summary.toJson(cl->classNames(), test, 0, "test").dump());
    obs.onLog(LogLevel::Info,
              fmt::format("test: accuracy {:.4f}, macro F1 {:.4f}, log loss {:.4f}",
                          summary.report.accuracy, summary.report.macroAvg.f1, summary.logLoss));
  }
  // Session purchase models (SPEC B Problem 1): P(buy) of each test click row.
  if (auto* pp = dynamic_cast<const models::PurchasePredictor*>(&model); pp && !test.empty()) {
    const auto pred = pp->predictPurchase(log, test);
    const auto summary = eval::summarisePurchase(pred.probs, pred.labels, c.eval.threshold);
    for (const auto& [k, v] : summary.metrics()) {
      if (wants(c, k.c_str())) metrics[k] = v;
    }
    obs.onEvaluation("purchase_evaluation", summary.toJson().dump());
    obs.onLog(LogLevel::Info,
              fmt::format("test: {} click rows, buy rate {:.4f}; AUC {:.4f}, log loss {:.4f}, "
                          "accuracy {:.4f} at threshold {}",
                          summary.rows,
                          static_cast<double>(summary.positives) /
                              static_cast<double>(std::max<std::int64_t>(1, summary.rows)),
                          summary.auc, summary.logLoss, summary.counts.accuracy(),
                          c.eval.threshold));
    return metrics;
  }
  bool ranking = false;
  for (const char* m : {"precision", "recall", "hit_rate", "mrr", "ndcg", "map"})
    ranking = ranking || wants(c, m);
  if (auto* rec = dynamic_cast<const models::Recommender*>(&model); rec && ranking) {
    if (!log.hasUsers()) {
      obs.onLog(LogLevel::Warning, "ranking metrics skipped: the dataset has no user column");
    } else {
      eval::RankingOptions opt;
      opt.ks = c.eval.ks;
      opt.maskTrainItems = c.eval.maskSeen;
      opt.threads = c.effectiveThreads();
      opt.sampledNegatives = c.eval.sampledNegatives;
      opt.seed = c.seed;
      auto r = eval::evaluateRanking(*rec, log, train, test, opt, obs, stop);
      for (const auto& [name, v] : r.means) {
        std::string base = name.substr(0, name.find('@'));
        if (wants(c, base.c_str())) metrics[name] = v;
      }
      if (perUser) {
        (*perUser)["users"] = r.users;
        for (const auto& [name, vals] : r.perUser) (*perUser)["values"][name] = vals;
      }
    }
  }
  // Session next-item models: the test rows grouped into sessions, one unit per prefix
  // (next_item) or per session (thesis); the units' values are the per-user artefact.
  if (auto* sr = dynamic_cast<const models::SessionRecommender*>(&model)) {
    if (c.split.kind != "session_time" && c.split.kind != "session_random") {
      obs.onLog(LogLevel::Warning,
                fmt::format("split '{}' is not a session split: one session's clicks can be in "
                            "both train and test; use split.kind session_time or session_random",
                            c.split.kind));
    }
    eval::SessionEvalOptions opt;
    opt.protocol = eval::parseSessionProtocol(c.eval.protocol);
    opt.ks = c.eval.ks;
    opt.maskInputItems = c.eval.maskSeen;
    opt.trainItemsOnly = c.eval.trainItemsOnly;
    opt.threads = c.effectiveThreads();
    auto r = eval::evaluateSessions(*sr, log, train, test, opt, obs, stop);
    for (const auto& [name, v] : r.means) {
      if (wants(c, name.substr(0, name.find('@')).c_str())) metrics[name] = v;
    }
    obs.onEvaluation("session_evaluation", r.summaryJson().dump());
    if (perUser) *perUser = r.perUnitJson();
  }
  return metrics;
}

void storeModel(store::Store& st, std::int64_t runId, const models::Model& model) {
  auto tmp = fs::temp_directory_path() /
             fmt::format("reclab-model-{}-{}.bin", runId,
                         std::hash<std::thread::id>()(std::this_thread::get_id()));
  model.save(tmp.string());
  std::ifstream in(tmp, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  fs::remove(tmp);
  st.putArtifact(runId, "model.bin", bytes);
}

namespace {

/// Trains and evaluates one split; returns the metrics and fills per-user values.
std::map<std::string, double> trainAndEvaluate(const ExperimentConfig& c,
                                               std::shared_ptr<const data::LoadResult> data,
                                               split::Split s, Observer& obs, const StopToken& stop,
                                               store::Store* st, std::int64_t runId) {
  const auto& log = data->log;
  // Statistics are fitted on training rows only; the guard fails the run if one saw test rows.
  // Preprocessing (order in split/session_preprocess.h); only classic_srgnn sees test rows.
  split::LeakageGuard guard;
  split::SessionPreprocessConfig pre;
  pre.classicSrgnn = c.preprocess.classicSrgnn;
  pre.dedup = split::parseDedupMode(c.preprocess.dedup);
  pre.minItemSupport = c.preprocess.minItemSupport;
  pre.minSessionLength = c.preprocess.minSessionLength;
  const auto preprocessed = split::preprocessSplit(log, pre, s, guard);
  if (preprocessed.leaky) {
    obs.onLog(LogLevel::Warning,
              "preprocess.classic_srgnn is LEAKY: its item counts and session filter saw the "
              "validation and test sessions (as SR-GNN's published preprocessing); the run is "
              "flagged with the metric leaky_preprocessing = 1");
  }
  for (const auto& line : preprocessed.messages) obs.onLog(LogLevel::Info, line);
  guard.check(s);
  auto model = models::Registry::instance().create(c.model.name, c.model.params);
  models::TrainContext ctx{
      log, s.train, s.valid.empty() ? nullptr : &s.valid, c.seed, c.effectiveThreads(), obs, stop};
  ctx.guard = &guard;
  // Models that start from another run's embeddings (the hybrid CNN's embeddings_run).
  OpenedRun source;
  if (c.model.params.contains("embeddings_run") &&
      c.model.params.at("embeddings_run").get<long long>() > 0) {
    const auto sourceId = c.model.params.at("embeddings_run").get<std::int64_t>();
    if (!st)
      throw InputError("model.params.embeddings_run needs a run store (--db) to read run " +
                       std::to_string(sourceId) + " from");
    auto rec = st->run(sourceId);
    if (!rec)
      throw InputError(fmt::format("model.params.embeddings_run: there is no run {}", sourceId));
    auto sourceConfig = ExperimentConfig::fromJson(nlohmann::json::parse(rec->configJson));
    if (datasetHash(sourceConfig.dataset.paths) != datasetHash(c.dataset.paths)) {
      throw InputError(
          fmt::format("model.params.embeddings_run: run {} was trained on another "
                      "dataset ({}); its embeddings do not index this one's users and items",
                      sourceId, fmt::join(sourceConfig.dataset.paths, ", ")));
    }
    source = openRun(*st, sourceId, obs, stop, data);
    ctx.pretrained = dynamic_cast<const models::HasEmbeddings*>(source.model.get());
    if (!ctx.pretrained) {
      throw InputError(
          fmt::format("model.params.embeddings_run: run {} ({}) has no user / item "
                      "embeddings; use a LightFM-style, SVD, DMF or torch_mf run",
                      sourceId, rec->modelName));
    }
  }
  std::unique_ptr<models::EarlyStopping> early;
  if (!c.earlyStopping.metric.empty()) {
    early = std::make_unique<models::EarlyStopping>(
        c.earlyStopping.metric, c.earlyStopping.patience,
        c.earlyStopping.mode == "max" ? models::EarlyStopping::Mode::Max
                                      : models::EarlyStopping::Mode::Min,
        c.earlyStopping.minDelta);
    ctx.callbacks.push_back(early.get());
  }
  obs.onLog(LogLevel::Info,
            fmt::format("training {} on {} rows ({} validation, {} test)", c.model.name,
                        s.train.size(), s.valid.size(), s.test.size()));
  try {
    model->fit(ctx);
  } catch (const TrainingDiverged& e) {
    // Keep the last good weights with the run, then fail it with the trainer's message.
    if (st) storeModel(*st, runId, *model);
    throw InputError(e.what());
  }
  stop.throwIfStopped();
  guard.check(s);  // statistics fitted inside the model (feature encoders) saw training rows only
  if (early && early->triggered()) {
    obs.onLog(LogLevel::Info, fmt::format("early stopping: {} did not improve for {} epochs; best "
                                          "{:.6g} at epoch {}",
                                          c.earlyStopping.metric, c.earlyStopping.patience,
                                          early->best(), early->bestEpoch()));
  }

  nlohmann::json perUser;
  auto metrics = evaluateModel(c, log, *model, s.train, s.test, obs, stop, st ? &perUser : nullptr);
  if (preprocessed.leaky) metrics["leaky_preprocessing"] = 1.0;
  if (st && !perUser.is_null()) st->putArtifact(runId, "per_user_metrics.json", perUser.dump());
  if (st) {
    st->setMetrics(runId, metrics);
    storeModel(*st, runId, *model);
  }
  return metrics;
}

}  // namespace

store::RunStatus runToStatus(const std::function<void()>& body, const StopToken& stop,
                             std::string& error) {
  store::RunStatus status = store::RunStatus::Finished;
  try {
    body();
  } catch (const Cancelled&) {
    status = store::RunStatus::Cancelled;
    error = "cancelled by the user";
  } catch (const InputError& e) {
    status = store::RunStatus::Failed;
    error = e.what();
  } catch (const std::exception& e) {
    status = store::RunStatus::Failed;
    error = std::string("internal error: ") + e.what();
  }
  if (status == store::RunStatus::Finished && stop.stopRequested()) {
    status = store::RunStatus::Cancelled;
    error = "cancelled by the user";
  }
  return status;
}

std::string datasetHash(const std::vector<std::string>& paths) {
  std::uint64_t h = 1469598103934665603ULL;
  std::vector<char> buf(1 << 20);
  for (const auto& p : paths) {
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    h = fnv1a(&size, sizeof size, h);
    h = fnv1a(p.data(), p.size(), h);
    std::ifstream in(p, std::ios::binary);
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h = fnv1a(buf.data(), static_cast<std::size_t>(in.gcount()), h);
  }
  return fmt::format("{:016x}", h);
}

std::string versionsJson(const ExperimentConfig& config, const std::string& dsHash) {
  nlohmann::json j;
  j["reclab"] = "0.1.0";
  j["libtorch"] = models::neural::torchVersion();
  j["eigen"] =
      fmt::format("{}.{}.{}", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION);
  j["sqlite"] = sqlite3_libversion();
  j["compiler"] = fmt::format("g++ {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
  j["threads"] = config.effectiveThreads();
  auto cfg = config.toJson().dump();
  j["config_hash"] = fmt::format("{:016x}", fnv1a(cfg.data(), cfg.size()));
  j["dataset_hash"] = dsHash;
  return j.dump();
}

std::shared_ptr<const data::LoadResult> loadForConfig(const ExperimentConfig& config,
                                                      Observer& observer, const StopToken& stop) {
  data::Format format = config.dataset.format == "auto"
                            ? data::detectFormat(config.dataset.paths)
                            : data::parseFormatName(config.dataset.format);
  data::LoadOptions opt;
  opt.policy = config.dataset.badRows;
  opt.mapping = config.dataset.mapping;
  opt.threads = config.effectiveThreads();
  opt.sessionGapMinutes = config.dataset.sessionGapMinutes;
  auto result = std::make_shared<data::LoadResult>(
      data::loadDataset(format, config.dataset.paths, opt, observer, stop));
  if (!config.dataset.itemMeta.empty()) {
    auto stats = models::loadItemMeta(result->log, config.dataset.itemMeta);
    observer.onLog(LogLevel::Info, fmt::format("item metadata: {} rows, {} items matched",
                                               stats.rows, stats.matched));
  }
  return result;
}

std::int64_t enqueueRun(store::Store& store, const ExperimentConfig& config) {
  store::RunRecord r;
  r.name = config.name.empty() ? config.model.name : config.name;
  r.modelName = config.model.name;
  const auto* info = models::Registry::instance().find(config.model.name);
  r.task = info ? models::taskName(info->task) : "";
  r.configJson = config.toJson().dump(2);
  r.seed = static_cast<std::int64_t>(config.seed);
  r.status = store::RunStatus::Queued;
  return store.createRun(r);
}

RunOutcome executeRun(const ExperimentConfig& config, const std::string& dbPath,
                      std::optional<std::int64_t> runId, Observer& observer, const StopToken& stop,
                      std::shared_ptr<const data::LoadResult> preloaded) {
  RunOutcome out;
  std::unique_ptr<store::Store> st;
  try {
    if (!dbPath.empty()) {
      st = std::make_unique<store::Store>(dbPath);
      out.runId = runId ? *runId : enqueueRun(*st, config);
      st->startRun(out.runId);
    }
  } catch (const std::exception& e) {
    out.status = store::RunStatus::Failed;
    out.error = e.what();
    return out;
  }
  RecordingObserver rec(observer, st.get(), out.runId);
  out.status = runToStatus(
      [&] {
        auto data = preloaded ? preloaded : loadForConfig(config, rec, stop);
        const std::string dsHash = datasetHash(config.dataset.paths);
        if (st) {
          // Record the dataset and the reproducibility record on the run.
          store::DatasetRecord d;
          d.name = fs::path(config.dataset.paths.front()).filename().string();
          d.format = data::formatName(data->format);
          d.paths = nlohmann::json(config.dataset.paths).dump();
          d.contentHash = dsHash;
          st->addDataset(d);
          st->setVersions(out.runId, versionsJson(config, dsHash));
        }
        stop.throwIfStopped();
        if (config.split.kind == "kfold") {
          std::map<std::string, std::vector<double>> perFold;
          for (int f = 0; f < config.split.folds; ++f) {
            if (config.split.fold >= 0 && f != config.split.fold) continue;
            stop.throwIfStopped();
            rec.onLog(LogLevel::Info, fmt::format("fold {} of {}", f + 1, config.split.folds));
            std::int64_t foldRun = 0;
            std::unique_ptr<RecordingObserver> foldObs;
            if (st) {
              store::RunRecord child;
              child.parentRunId = out.runId;
              child.name = fmt::format(
                  "{} fold {}", config.name.empty() ? config.model.name : config.name, f + 1);
              child.modelName = config.model.name;
              ExperimentConfig foldConfig = config;
              foldConfig.split.fold = f;
              child.configJson = foldConfig.toJson().dump(2);
              child.seed = static_cast<std::int64_t>(config.seed);
              child.status = store::RunStatus::Queued;
              foldRun = st->createRun(child);
              st->startRun(foldRun);
            }
            foldObs = std::make_unique<RecordingObserver>(observer, st.get(), foldRun);
            std::map<std::string, double> m;
            try {
              auto s = makeSplit(config, data->log, f);
              m = trainAndEvaluate(config, data, s, *foldObs, stop, st.get(), foldRun);
            } catch (const Cancelled&) {
              if (st) st->finishRun(foldRun, store::RunStatus::Cancelled, "cancelled by the user");
              throw;
            } catch (const std::exception& e) {
              if (st) st->finishRun(foldRun, store::RunStatus::Failed, e.what());
              throw;
            }
            if (st) st->finishRun(foldRun, store::RunStatus::Finished);
            for (const auto& [k, v] : m) perFold[k].push_back(v);
          }
          for (const auto& [k, vals] : perFold) {
            double mean =
                std::accumulate(vals.begin(), vals.end(), 0.0) / static_cast<double>(vals.size());
            double var = 0;
            for (double v : vals) var += (v - mean) * (v - mean);
            out.metrics[k] = mean;
            out.metrics[k + "_std"] =
                vals.size() > 1 ? std::sqrt(var / static_cast<double>(vals.size() - 1)) : 0.0;
          }
          if (st) st->setMetrics(out.runId, out.metrics);
        } else {
          auto s = makeSplit(config, data->log, 0);
          out.metrics = trainAndEvaluate(config, data, s, rec, stop, st.get(), out.runId);
        }
      },
      stop, out.error);
  if (st) {
    try {
      st->finishRun(out.runId, out.status, out.error);
    } catch (const std::exception& e) {
      rec.onLog(LogLevel::Error, std::string("could not record the run's end: ") + e.what());
    }
  }
  return out;
}

}  // namespace reclab::experiment

#include "experiment/inspect.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/errors.h"
#include "eval/ranking_evaluator.h"
#include "experiment/runner.h"
#include "experiment/update.h"
#include "models/classic/embedding_neighbours.h"
#include "models/classic/kmeans.h"
#include "models/neural/hybrid.h"
#include "models/registry.h"

namespace reclab::experiment {

namespace fs = std::filesystem;

namespace {

std::vector<std::vector<std::int32_t>> itemsPerUser(const data::InteractionLog& log,
                                                    const std::vector<std::uint32_t>& rows) {
  std::vector<std::vector<std::int32_t>> out(static_cast<std::size_t>(log.numUsers()));
  if (!log.hasUsers()) return out;
  for (auto r : rows) out[static_cast<std::size_t>(log.user[r])].push_back(log.item[r]);
  for (auto& v : out) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  return out;
}

}  // namespace

OpenedRun openRun(store::Store& store, std::int64_t runId, Observer& observer,
                  const StopToken& stop, std::shared_ptr<const data::LoadResult> preloaded) {
  auto record = store.run(runId);
  if (!record) throw InputError(fmt::format("{}: no run with id {}", store.path(), runId));
  auto bytes = store.artifact(runId, "model.bin");
  if (!bytes) {
    throw InputError(fmt::format(
        "run {} has no stored model{}", runId,
        record->status != store::RunStatus::Finished
            ? " (it is " + store::statusName(record->status) + ")"
            : " (a k-fold run stores its models on its fold runs: open one of those)"));
  }
  OpenedRun run;
  run.runId = runId;
  auto j = nlohmann::json::parse(record->configJson, nullptr, false);
  if (j.is_discarded()) throw InputError(fmt::format("run {}: stored config is not JSON", runId));
  run.config = ExperimentConfig::fromJson(j);
  if (!record->versionsJson.empty()) {
    auto versions = nlohmann::json::parse(record->versionsJson, nullptr, false);
    if (!versions.is_discarded() && versions.contains("dataset_hash") &&
        versions.at("dataset_hash") != datasetHash(run.config.dataset.paths)) {
      throw InputError(fmt::format(
          "run {}: the dataset files changed since the run (content hash differs); its split "
          "and ids can no longer be rebuilt",
          runId));
    }
  }
  run.data = preloaded ? preloaded : loadForConfig(run.config, observer, stop);
  const int fold = run.config.split.fold >= 0 ? run.config.split.fold : 0;
  run.split = makeSplit(run.config, run.data->log, fold);
  if (run.config.update) {  // an incremental update: the parent's data plus the added rows
    run.data = rebuildUpdatedData(store, runId, run.config, run.data, run.split, observer, stop);
  }
  run.trainItems = itemsPerUser(run.data->log, run.split.train);
  run.testItems = itemsPerUser(run.data->log, run.split.test);

  run.model = models::Registry::instance().create(run.config.model.name, run.config.model.params);
  const auto tmp = fs::temp_directory_path() /
                   fmt::format("reclab-open-{}-{}.bin", runId,
                               std::hash<std::thread::id>()(std::this_thread::get_id()));
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  }
  try {
    run.model->load(tmp.string());
  } catch (...) {
    fs::remove(tmp);
    throw;
  }
  fs::remove(tmp);
  return run;
}

std::vector<Recommendation> recommendFor(const OpenedRun& run, std::int32_t user, int n,
                                         bool filterSeen) {
  const auto* rec = dynamic_cast<const models::Recommender*>(run.model.get());
  const auto* hybrid = dynamic_cast<const models::neural::HybridCnn*>(run.model.get());
  if (!rec && !hybrid) throw InputError("model '" + run.model->name() + "' does not rank items");
  if (user < 0 || user >= run.data->log.numUsers()) {
    throw InputError(fmt::format("user index {} out of range", user));
  }
  if (n < 1) throw InputError(fmt::format("n must be >= 1, got {}", n));
  models::ScoreMatrix scores;
  std::int32_t numItems = 0;
  if (rec) {
    rec->scoreUsers({user}, scores);
    numItems = rec->numItems();
  } else {
    // The hybrid CNN scores (user, item) pairs in the context of a row: the user's latest
    // training row supplies the time, session and user features (seed A's "top-5 items for a
    // user"); classifiers rank by the probability of the last event type (e.g. transaction).
    const auto& log = run.data->log;
    std::int64_t context = -1;
    for (auto r : run.split.train) {
      if (log.user[r] != user) continue;
      if (context < 0 || (log.hasTimestamps() && log.timestamp[r] >= log.timestamp[static_cast<std::size_t>(context)]))
        context = r;
    }
    if (context < 0) throw InputError(fmt::format("user index {} has no training rows to take a context from", user));
    auto v = hybrid->scoreItemsForUser(log, user, static_cast<std::uint32_t>(context));
    numItems = static_cast<std::int32_t>(v.size());
    scores = Eigen::Map<models::ScoreMatrix>(v.data(), 1, numItems);
  }
  static const std::vector<std::int32_t> none;
  const auto& seen = filterSeen ? run.trainItems[static_cast<std::size_t>(user)] : none;
  const auto top = eval::topK(scores.row(0).data(), numItems, n, seen);
  const auto& test = run.testItems[static_cast<std::size_t>(user)];
  std::vector<Recommendation> out;
  for (auto i : top) {
    out.push_back({i, scores(0, i), std::binary_search(test.begin(), test.end(), i)});
  }
  return out;
}

std::vector<Recommendation> recommendNext(const OpenedRun& run,
                                          const std::vector<std::int32_t>& prefix, int n,
                                          const std::vector<std::int32_t>* actualNext,
                                          bool filterPrefix) {
  const auto* rec = dynamic_cast<const models::SessionRecommender*>(run.model.get());
  if (!rec) {
    throw InputError("model '" + run.model->name() + "' is a " +
                     models::taskName(run.model->task()) +
                     " model, not a session next-item model: it cannot score a session prefix");
  }
  if (prefix.empty()) throw InputError("session prefix is empty: give at least one item");
  if (n < 1) throw InputError(fmt::format("n must be >= 1, got {}", n));
  const std::int32_t numItems = rec->numItems();
  for (std::size_t k = 0; k < prefix.size(); ++k) {
    if (prefix[k] < 0 || prefix[k] >= numItems) {
      throw InputError(
          fmt::format("session prefix: item index {} at position {} out of range "
                      "(the model knows {} items)",
                      prefix[k], k + 1, numItems));
    }
  }
  models::ScoreMatrix scores;
  rec->scorePrefixes({prefix}, scores);
  std::vector<std::int32_t> exclude;
  if (filterPrefix) {
    exclude = prefix;
    std::sort(exclude.begin(), exclude.end());
    exclude.erase(std::unique(exclude.begin(), exclude.end()), exclude.end());
  }
  std::vector<std::int32_t> later;
  if (actualNext) {
    later = *actualNext;
    std::sort(later.begin(), later.end());
  }
  const auto top = eval::topK(scores.row(0).data(), numItems, n, exclude);
  std::vector<Recommendation> out;
  out.reserve(top.size());
  for (auto i : top) {
    out.push_back({i, scores(0, i), std::binary_search(later.begin(), later.end(), i)});
  }
  return out;
}

std::vector<std::vector<std::uint32_t>> testSessions(const OpenedRun& run) {
  const auto& log = run.data->log;
  if (!log.hasSessions()) {
    throw InputError("run " + std::to_string(run.runId) +
                     ": the data set has no session column, so the run has no test sessions");
  }
  const int buy = log.findEvent(data::event_names::kBuy);
  std::vector<std::uint32_t> rows;
  rows.reserve(run.split.test.size());
  for (auto r : run.split.test) {
    if (buy >= 0 && log.eventAt(r) == buy) continue;
    rows.push_back(r);
  }
  const bool timed = log.hasTimestamps();
  std::sort(rows.begin(), rows.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (log.session[a] != log.session[b]) return log.session[a] < log.session[b];
    if (timed && log.timestamp[a] != log.timestamp[b]) return log.timestamp[a] < log.timestamp[b];
    return a < b;
  });
  std::vector<std::vector<std::uint32_t>> out;
  for (std::size_t j = 0; j < rows.size(); ++j) {
    if (j == 0 || log.session[rows[j]] != log.session[rows[j - 1]]) out.emplace_back();
    out.back().push_back(rows[j]);
  }
  return out;
}

std::vector<std::pair<std::int32_t, float>> similarItems(const OpenedRun& run, std::int32_t item,
                                                         int n) {
  const auto* emb = dynamic_cast<const models::HasEmbeddings*>(run.model.get());
  if (!emb) throw InputError("model '" + run.model->name() + "' has no learned item embeddings");
  const Eigen::MatrixXf items = emb->itemEmbeddings();
  if (item < 0 || item >= items.rows()) {
    throw InputError(fmt::format("item index {} out of range", item));
  }
  return models::nearestByEmbedding(items, item, n);
}

nlohmann::json clusterRun(store::Store& store, const OpenedRun& run, const std::string& of, int k,
                          std::uint64_t seed, const StopToken& stop) {
  const auto* emb = dynamic_cast<const models::HasEmbeddings*>(run.model.get());
  if (!emb) throw InputError("model '" + run.model->name() + "' has no learned embeddings");
  if (of != "users" && of != "items") {
    throw InputError("cluster: 'of' must be users or items, got '" + of + "'");
  }
  const Eigen::MatrixXf x = of == "users" ? emb->userEmbeddings() : emb->itemEmbeddings();
  models::KMeansConfig cfg;
  cfg.k = k;
  cfg.seed = seed;
  const auto result = models::kmeans(x, cfg, &stop);
  nlohmann::json j;
  j["of"] = of;
  j["k"] = k;
  j["seed"] = seed;
  j["inertia"] = result.inertia;
  j["iterations"] = result.iterations;
  j["sizes"] = result.sizes;
  j["assignments"] = result.assignments;
  std::vector<std::vector<float>> centroids;
  for (Eigen::Index c = 0; c < result.centroids.rows(); ++c) {
    std::vector<float> row(static_cast<std::size_t>(result.centroids.cols()));
    for (Eigen::Index d = 0; d < result.centroids.cols(); ++d) {
      row[static_cast<std::size_t>(d)] = result.centroids(c, d);
    }
    centroids.push_back(std::move(row));
  }
  j["centroids"] = centroids;
  store.putArtifact(run.runId, "kmeans_" + of + ".json", j.dump());
  return j;
}

}  // namespace reclab::experiment

// SR-GNN training throughput and quality, for comparison with the same network written from
// the paper in PyTorch (tests/bench/srgnn_pytorch.py).
//
//   build/tests/bench/bench_session_neural [--threads 1,2] [--epochs 3] [--large-epochs 1] [--seed 1]
//       [--clicks 1000000] [--out /tmp/reclab_srgnn_bench] [--skip-large]
//   /usr/bin/python3 tests/bench/srgnn_pytorch.py /tmp/reclab_srgnn_bench/sample
//   /usr/bin/python3 tests/bench/srgnn_pytorch.py /tmp/reclab_srgnn_bench/large
//
// Two data sets: the bundled datasets/yoochoose-sample and a generated Yoochoose-format log of
// about --clicks clicks (the planted-chain generator, 5,000 items). Each is split by time (the
// last 2 days' sessions are test, SR-GNN's protocol) and trained with the paper's settings
// (hidden 100, batch 100, Adam 0.001 x0.1 every 3 epochs, L2 1e-5) for --epochs epochs, once
// per thread count. Printed per run: training prefixes per second (median over epochs after
// the first, the engine's figure, validation excluded), seconds per epoch (median), and the
// next-item Recall@20 / MRR@20 over every test prefix after the last epoch. The exact data
// (train.txt / test.txt: one session of dense item indices per line) and the settings
// (meta.json, with these figures) are written to --out/<set> for the PyTorch twin.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/process.h"
#include "data/load.h"
#include "data/session_sequences.h"
#include "data/synth/yoochoose.h"
#include "eval/session_evaluator.h"
#include "models/neural/srgnn.h"
#include "models/registry.h"
#include "split/session_split.h"

using namespace reclab;
namespace fs = std::filesystem;

namespace {

struct EpochTimes : Observer {
  std::vector<double> rate, seconds;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  void onEpoch(const TrainingReport& r) override {
    const auto now = std::chrono::steady_clock::now();
    const double perSecond = r.values.at("samples_per_second");
    rate.push_back(perSecond);
    seconds.push_back(std::chrono::duration<double>(now - start).count());
    start = now;
  }
  static double median(std::vector<double> v) {
    if (v.size() > 1) v.erase(v.begin());  // the first epoch warms caches and allocators
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
  }
};

void writeSessions(const data::SessionSequences& s, const fs::path& path) {
  std::ofstream out(path);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto seq = s.sequence(i);
    for (std::size_t t = 0; t < seq.size(); ++t) out << (t ? " " : "") << seq[t];
    out << '\n';
  }
}

std::vector<int> parseList(const char* text) {
  std::vector<int> v;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) v.push_back(std::atoi(part.c_str()));
  return v;
}

/// Trains SR-GNN on `log` once per thread count and writes the data and figures to `dir`.
/// --seed: the training seed (shuffling and initial values); 1 by default.
std::uint64_t g_seed = 1;

void runSet(const std::string& name, const data::InteractionLog& log, int epochs,
            const std::vector<int>& threads, const fs::path& dir) {
  StopToken stop;
  split::SessionSplitConfig sc;
  sc.testDays = 2.0;
  const auto split = split::sessionTimeSplit(log, sc);
  const auto train = data::buildSessionSequences(log, split.train);
  const auto test = data::buildSessionSequences(log, split.test);
  std::vector<std::vector<std::int32_t>> testSessions;
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < test.size(); ++i) {
    const auto seq = test.sequence(i);
    testSessions.emplace_back(seq.begin(), seq.end());
    ids.push_back(std::to_string(i));
  }
  std::size_t trainPrefixes = 0, testPrefixes = 0;
  for (std::size_t i = 0; i < train.size(); ++i) trainPrefixes += train.length(i) - 1;
  for (std::size_t i = 0; i < test.size(); ++i) testPrefixes += test.length(i) - 1;
  fs::create_directories(dir);
  writeSessions(train, dir / "train.txt");
  writeSessions(test, dir / "test.txt");
  const auto defaults = models::neural::SrgnnConfig::defaults();
  nlohmann::json meta = {{"set", name},
                         {"num_items", log.numItems()},
                         {"clicks", train.items.size() + test.items.size()},
                         {"train_sessions", train.size()},
                         {"train_prefixes", trainPrefixes},
                         {"test_sessions", test.size()},
                         {"test_prefixes", testPrefixes},
                         {"hidden_size", defaults.hiddenSize},
                         {"steps", defaults.steps},
                         {"batch_size", defaults.trainer.batchSize},
                         {"lr", defaults.trainer.learningRate},
                         {"lr_step", defaults.trainer.stepSize},
                         {"lr_gamma", defaults.trainer.gamma},
                         {"weight_decay", defaults.trainer.weightDecay},
                         {"adam_eps", defaults.trainer.adamEps},
                         {"epochs", epochs},
                         {"reclab", nlohmann::json::array()}};
  fmt::print("{}: {} items, {} training sessions -> {} prefixes, {} test prefixes\n", name,
             log.numItems(), train.size(), trainPrefixes, testPrefixes);
  for (int t : threads) {
    // Through the registry, as a run would create it: the paper's defaults.
    auto created = models::Registry::instance().create(
        "srgnn", {{"epochs", epochs}, {"threads", t}, {"keep_best", false}, {"patience", 0}});
    auto& model = dynamic_cast<models::SessionRecommender&>(*created);
    EpochTimes times;
    models::TrainContext ctx{log, split.train, nullptr, g_seed, t, times, stop};
    model.fit(ctx);
    auto opt = eval::SessionEvalOptions::defaults();
    opt.ks = {20};
    opt.threads = 1;
    const auto r = eval::evaluateSessionSequences(model, testSessions, ids, nullptr, opt,
                                                  nullObserver(), stop);
    const double rate = EpochTimes::median(times.rate);
    const double secs = EpochTimes::median(times.seconds);
    fmt::print(
        "  reclab srgnn  {} thread(s): {:>7.0f} prefixes/s  {:>7.1f} s/epoch (with "
        "overheads)  after {} epochs Recall@20 {:.4f} MRR@20 {:.4f}\n",
        t, rate, secs, epochs, r.means.at("recall@20"), r.means.at("mrr@20"));
    meta["reclab"].push_back({{"threads", t},
                              {"prefixes_per_second", rate},
                              {"seconds_per_epoch", secs},
                              {"recall@20", r.means.at("recall@20")},
                              {"mrr@20", r.means.at("mrr@20")}});
    std::ofstream(dir / "meta.json") << meta.dump(2);
  }
  std::ofstream(dir / "meta.json") << meta.dump(2);
}

}  // namespace

int main(int argc, char** argv) {
  tuneAllocator();
  int epochs = 3, largeEpochs = 1;
  long long clicks = 1000000;
  bool skipLarge = false;
  std::vector<int> threads = {1, 2};
  fs::path out = "/tmp/reclab_srgnn_bench";
  for (int a = 1; a < argc; ++a) {
    const bool hasValue = a + 1 < argc;
    if (!std::strcmp(argv[a], "--skip-large")) {
      skipLarge = true;
    } else if (hasValue && !std::strcmp(argv[a], "--threads")) {
      threads = parseList(argv[++a]);
    } else if (hasValue && !std::strcmp(argv[a], "--seed")) {
      g_seed = std::strtoull(argv[++a], nullptr, 10);
    } else if (hasValue && !std::strcmp(argv[a], "--epochs")) {
      epochs = std::atoi(argv[++a]);
    } else if (hasValue && !std::strcmp(argv[a], "--large-epochs")) {
      largeEpochs = std::atoi(argv[++a]);
    } else if (hasValue && !std::strcmp(argv[a], "--clicks")) {
      clicks = std::atoll(argv[++a]);
    } else if (hasValue && !std::strcmp(argv[a], "--out")) {
      out = argv[++a];
    } else {
      fmt::print(stderr, "unknown or incomplete argument '{}'\n", argv[a]);
      return 2;
    }
  }
  StopToken stop;
  {
    auto loaded = data::loadDataset(
        data::Format::Yoochoose,
        {std::string(RECLAB_SOURCE_DIR) + "/datasets/yoochoose-sample/yoochoose-clicks.dat"},
        data::LoadOptions{}, nullObserver(), stop);
    runSet("yoochoose-sample", loaded.log, epochs, threads, out / "sample");
  }
  if (!skipLarge) {
    const auto gen = out / "generated";
    auto sc = synth::YoochooseConfig::defaults();
    sc.sessions = std::max<long long>(1, clicks / 4);  // mean session length 4
    sc.items = 5000;
    sc.clusters = 100;
    sc.seed = 7;
    sc.overwrite = true;
    synth::generateYoochoose(sc, gen.string(), nullObserver(), stop);
    auto loaded =
        data::loadDataset(data::Format::Yoochoose, {(gen / "yoochoose-clicks.dat").string()},
                          data::LoadOptions{}, nullObserver(), stop);
    fs::remove_all(gen);
    runSet(fmt::format("generated-{}-clicks", loaded.log.numRows()), loaded.log, largeEpochs,
           threads, out / "large");
  }
  fmt::print(
      "data and figures written under {}; now run /usr/bin/python3 "
      "tests/bench/srgnn_pytorch.py {}/sample (and {}/large)\n",
      out.string(), out.string(), out.string());
  return 0;
}

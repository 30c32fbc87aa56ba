// Training throughput of the LibTorch models (DMF and the hybrid CNN) on the bundled samples,
// for comparison with the same architectures written in PyTorch (tests/bench/neural_pytorch.py).
//
//   build/tests/bench/bench_neural [--threads 2] [--epochs 3] [--arch /tmp/reclab_neural_arch.json]
//                                  [--only dmf|hybrid] [--fused 0|1]
//   /usr/bin/python3 tests/bench/neural_pytorch.py /tmp/reclab_neural_arch.json
//
// RECLAB_BENCH_L2_SCOPE=batch runs DMF with the per-batch embedding penalty instead of seed C's
// whole-table one (to see what the penalty costs).
// --fused 0 trains with LibTorch's chain of ops instead of RecLab's fused kernels
// (TrainerConfig::fusedKernels), to see what they bring. --only runs one model (for a profiler;
// the shapes file then lacks the other). Prints training samples per second (median over epochs after the first) and writes the shapes
// the PyTorch script needs (users, items, feature cardinalities, batch sizes, rows) to --arch.

#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/process.h"
#include "data/load.h"
#include "features/feature_config.h"
#include "features/feature_pipeline.h"
#include "models/neural/dmf.h"
#include "models/neural/hybrid.h"
#include "split/leakage.h"
#include "split/splits.h"
#include "throughput.h"

using namespace reclab;

namespace {

using bench::Throughput;

struct Pretrained : models::HasEmbeddings {
  Eigen::MatrixXf u, i;
  Eigen::MatrixXf userEmbeddings() const override { return u; }
  Eigen::MatrixXf itemEmbeddings() const override { return i; }
};

data::LoadResult load(const std::string& dir, data::Format f) {
  StopToken stop;
  return data::loadDataset(f, {std::string(RECLAB_SOURCE_DIR) + "/datasets/" + dir},
                           data::LoadOptions{}, nullObserver(), stop);
}

}  // namespace

int main(int argc, char** argv) {
  tuneAllocator();
  int threads = 2, epochs = 3;
  std::string archPath = "/tmp/reclab_neural_arch.json";
  std::string only;
  bool fused = true;
  for (int a = 1; a + 1 < argc; a += 2) {
    if (!std::strcmp(argv[a], "--threads")) threads = std::atoi(argv[a + 1]);
    if (!std::strcmp(argv[a], "--epochs")) epochs = std::atoi(argv[a + 1]);
    if (!std::strcmp(argv[a], "--arch")) archPath = argv[a + 1];
    if (!std::strcmp(argv[a], "--only")) only = argv[a + 1];
    if (!std::strcmp(argv[a], "--fused")) fused = std::atoi(argv[a + 1]) != 0;
  }
  nlohmann::json arch;
  arch["threads"] = threads;
  arch["epochs"] = epochs;
  StopToken stop;

  if (only.empty() || only == "dmf") {  // DMF, seed C's defaults, on the ratings sample
    auto data = load("ratings-sample", data::Format::MovieLens);
    const auto& log = data.log;
    auto s = split::randomSplit(log, 0.2, 0.0, 1);
    models::neural::DmfConfig c;
    if (const char* scope = std::getenv("RECLAB_BENCH_L2_SCOPE")) c.l2Scope = scope;
    c.trainer.epochs = epochs;
    c.trainer.threads = threads;
    c.trainer.keepBest = false;
    c.trainer.fusedKernels = fused;
    Throughput t;
    models::TrainContext ctx{log, s.train, nullptr, 1, threads, t, stop};
    models::neural::Dmf model(c);
    model.fit(ctx);
    fmt::print("dmf        {:>8} rows  batch {:>4}  {} thread(s): {:>9.0f} samples/s\n", s.train.size(),
               c.trainer.batchSize, threads, t.median());
    arch["dmf"] = {{"users", log.numUsers()}, {"items", log.numItems()}, {"rows", s.train.size()},
                   {"batch", c.trainer.batchSize}, {"reclab_samples_per_second", t.median()}};
  }
  if (only.empty() || only == "hybrid") {  // Hybrid CNN over frozen 128-d embeddings, on the RetailRocket-format sample
    auto data = load("retailrocket-sample", data::Format::RetailRocket);
    const auto& log = data.log;
    auto s = split::randomSplit(log, 0.2, 0.0, 1);
    Pretrained pre;
    pre.u = Eigen::MatrixXf::Random(log.numUsers(), 128);
    pre.i = Eigen::MatrixXf::Random(log.numItems(), 128);
    models::neural::HybridConfig c;
    c.embeddingsRun = 1;
    c.trainer.epochs = epochs;
    c.trainer.threads = threads;
    c.trainer.keepBest = false;
    c.trainer.fusedKernels = fused;
    Throughput t;
    models::TrainContext ctx{log, s.train, nullptr, 1, threads, t, stop};
    ctx.pretrained = &pre;
    models::neural::HybridCnn model(c);
    model.fit(ctx);
    // The same inputs the model built, for the PyTorch twin.
    features::FeaturePipeline pipeline(features::defaultFeatureConfig(log));
    split::LeakageGuard guard;
    pipeline.fit(log, s.train, guard, stop);
    auto enc = pipeline.transform(log, {s.train.front()});
    fmt::print("hybrid_cnn {:>8} rows  batch {:>4}  {} thread(s): {:>9.0f} samples/s "
               "({} categorical, {} continuous inputs)\n",
               s.train.size(), c.trainer.batchSize, threads, t.median(),
               enc.categoricalNames.size(), enc.continuousNames.size());
    arch["hybrid"] = {{"users", log.numUsers()},
                      {"items", log.numItems()},
                      {"dim", 128},
                      {"cardinalities", enc.cardinalities},
                      {"continuous", enc.continuousNames.size()},
                      {"classes", log.eventNames.size()},
                      {"rows", s.train.size()},
                      {"batch", c.trainer.batchSize},
                      {"reclab_samples_per_second", t.median()}};
  }
  std::ofstream(archPath) << arch.dump(2);
  fmt::print("shapes written to {}; now run: /usr/bin/python3 tests/bench/neural_pytorch.py {}\n",
             archPath, archPath);
  return 0;
}

// GNN.K training and scoring throughput (SPEC B Problem 2, the thesis' graph model) on the
// bundled Yoochoose sample and on a generated Yoochoose-format set of ~1 million clicks.
//
//   build/tests/bench/bench_session_thesis [--epochs 2] [--sessions 250000] [--dim 256]
//
// For 1 and 2 threads prints: training sessions per second (the engine's samples_per_second,
// one sample per training session; median over the epochs after the first when there are
// several), training clicks per second (the same epochs' clicks), and scoring prefixes per
// second (scorePrefixes on the next-item prefixes of up to 20,000 held-out prefixes, batches
// of 256).

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "common/process.h"
#include "data/load.h"
#include "data/session_sequences.h"
#include "data/synth/yoochoose.h"
#include "models/neural/session_thesis.h"
#include "split/session_split.h"
#include "throughput.h"

using namespace reclab;

namespace {

using bench::Throughput;

void run(const std::string& label, const data::InteractionLog& log, int epochs, int dim) {
  split::SessionSplitConfig sc;
  sc.testDays = 1.0;
  const auto s = split::sessionTimeSplit(log, sc);
  const auto train = data::buildSessionSequences(log, s.train);
  const auto test = data::buildSessionSequences(log, s.test);
  std::vector<std::vector<std::int32_t>> prefixes;
  for (std::size_t k = 0; k < test.size() && prefixes.size() < 20000; ++k) {
    const auto seq = test.sequence(k);
    for (std::size_t t = 1; t < seq.size() && prefixes.size() < 20000; ++t)
      prefixes.emplace_back(seq.begin(), seq.begin() + static_cast<std::ptrdiff_t>(t));
  }
  fmt::print("{}: {} items, {} training sessions ({} clicks), {} scoring prefixes\n", label,
             log.numItems(), train.size(), train.items.size(), prefixes.size());
  for (int threads : {1, 2}) {
    auto c = models::neural::SessionThesisConfig::defaults(models::neural::ThesisModel::GnnK);
    c.embeddingDim = dim;
    c.trainer.epochs = epochs;
    c.trainer.threads = threads;
    c.trainer.keepBest = false;
    models::neural::SessionThesis model(c);
    Throughput t;
    StopToken stop;
    models::TrainContext ctx{log, s.train, nullptr, 1, threads, t, stop};
    const auto start = std::chrono::steady_clock::now();
    model.fit(ctx);
    const double fitSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double sessionsPerSecond = t.median();
    const double clicksPerSession =
        static_cast<double>(train.items.size()) / static_cast<double>(train.size());
    // Scoring on as many threads as training (LibTorch intra-op threads).
    const auto s0 = std::chrono::steady_clock::now();
    models::ScoreMatrix out;
    for (std::size_t lo = 0; lo < prefixes.size(); lo += 256) {
      const auto hi = std::min(prefixes.size(), lo + 256);
      std::vector<std::vector<std::int32_t>> batch(
          prefixes.begin() + static_cast<std::ptrdiff_t>(lo),
          prefixes.begin() + static_cast<std::ptrdiff_t>(hi));
      model.scorePrefixes(batch, out);
    }
    const double scoreSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
    fmt::print(
        "  gnn_k q={} {} thread(s): {:>9.0f} training sessions/s ({:>9.0f} clicks/s), fit {:.1f} s "
        "for {} epoch(s) incl. graphs; scoring {:>8.0f} prefixes/s\n",
        dim, threads, sessionsPerSecond, sessionsPerSecond * clicksPerSession, fitSeconds, epochs,
        static_cast<double>(prefixes.size()) / scoreSeconds);
  }
}

}  // namespace

int main(int argc, char** argv) {
  tuneAllocator();
  int epochs = 2, dim = 256;
  long long sessions = 250000;
  for (int a = 1; a + 1 < argc; a += 2) {
    if (!std::strcmp(argv[a], "--epochs")) epochs = std::atoi(argv[a + 1]);
    if (!std::strcmp(argv[a], "--sessions")) sessions = std::atoll(argv[a + 1]);
    if (!std::strcmp(argv[a], "--dim")) dim = std::atoi(argv[a + 1]);
  }
  StopToken stop;
  {
    auto data = data::loadDataset(
        data::Format::Yoochoose,
        {std::string(RECLAB_SOURCE_DIR) + "/datasets/yoochoose-sample/yoochoose-clicks.dat"},
        data::LoadOptions{}, nullObserver(), stop);
    run("bundled sample", data.log, epochs, dim);
  }
  {
    namespace fs = std::filesystem;
    const auto dir = fs::temp_directory_path() / "reclab_thesis_bench";
    fs::remove_all(dir);
    auto sc = synth::YoochooseConfig::defaults();
    sc.sessions = sessions;  // mean length ~4: ~1M clicks at 250k sessions
    sc.overwrite = true;
    synth::generateYoochoose(sc, dir.string(), nullObserver(), stop);
    auto data =
        data::loadDataset(data::Format::Yoochoose, {(dir / "yoochoose-clicks.dat").string()},
                          data::LoadOptions{}, nullObserver(), stop);
    fs::remove_all(dir);
    run(fmt::format("generated ({} sessions)", sessions), data.log, epochs, dim);
  }
  return 0;
}

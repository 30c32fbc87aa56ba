/// Memory benchmark of the session graphs (G, H, K) and the 26 purchase features at Yoochoose
/// scale (issue: "graphs plus features within 8 GB; report the peak").
///
///   bench_session_memory [--sessions 8000000] [--items 52000] [--mean-length 4]
///                        [--max-distance 4] [--buy-rate 0.055] [--zipf 0.9] [--seed 42]
///
/// The log is generated in memory (no file: writing and parsing 1.4 GB of text would measure the
/// loader, which bench_load does): session lengths are the mixture of two geometrics of
/// core/data/synth/yoochoose.h (90% mean 0.75 L, 10% mean 3.25 L, capped at 200; L = 4 gives
/// ~32M clicks for 8M sessions), the first click of a session and every "jump" are drawn from a
/// Zipf item popularity, the other clicks re-click (5%) or follow one of 5 fixed successors of
/// the current item (55%), clicks are log-normally 1 s to 30 min apart over 183 days, and
/// --buy-rate of the sessions end with 1-3 "buy" rows of clicked items. Items carry the
/// MultiCategorical "category" attribute like the Yoochoose loader's (15% in 1..12, some "S").
/// Then: an 80 / 20 random session split, the graphs on the training rows, and the features of
/// every training click row. Prints the bytes of each structure, the RSS after each stage, the
/// wall time per stage, and the peak (getrusage ru_maxrss and /proc/self/status VmHWM).

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "common/process.h"
#include "data/interaction_log.h"
#include "features/session_features.h"
#include "features/session_graphs.h"
#include "split/leakage.h"
#include "split/session_split.h"

namespace {

using reclab::data::InteractionLog;
using reclab::features::SessionGraphKind;

constexpr double kMB = 1e6;
constexpr double kGB = 1e9;

struct Options {
  std::int64_t sessions = 8'000'000;
  std::int32_t items = 52'000;
  double meanLength = 4.0;
  int maxDistance = 4;
  double buyRate = 0.055;
  double zipf = 0.9;
  std::uint64_t seed = 42;
};

std::size_t residentBytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

std::string statusField(const char* key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key, 0) == 0) {
      const auto b = line.find_first_not_of(" \t", std::strlen(key));
      return b == std::string::npos ? "" : line.substr(b);
    }
  }
  return "?";
}

/// Wall time and RSS of one stage, printed when the stage ends.
class Stage {
 public:
  explicit Stage(const char* name) : m_name(name), m_start(std::chrono::steady_clock::now()) {
    std::printf("-- %s ...\n", name);
    std::fflush(stdout);
  }
  void done() {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    malloc_trim(0);
    std::printf("   %-10s %8.1f s   RSS %8.1f MB   (VmHWM so far %s)\n", m_name, secs,
                static_cast<double>(residentBytes()) / kMB, statusField("VmHWM:").c_str());
    std::fflush(stdout);
  }

 private:
  const char* m_name;
  std::chrono::steady_clock::time_point m_start;
};

/// Geometric session length >= 1 with the given mean.
int geometricLength(std::mt19937_64& rng, double mean) {
  std::geometric_distribution<int> g(1.0 / mean);
  return 1 + g(rng);
}

InteractionLog generateLog(const Options& o) {
  std::mt19937_64 rng(o.seed);
  const auto n = static_cast<std::size_t>(o.items);
  // Zipf popularity over a random permutation of the items.
  std::vector<double> weight(n);
  for (std::size_t r = 0; r < n; ++r)
    weight[r] = 1.0 / std::pow(static_cast<double>(r + 1), o.zipf);
  std::vector<std::int32_t> byRank(n);
  for (std::size_t i = 0; i < n; ++i) byRank[i] = static_cast<std::int32_t>(i);
  std::shuffle(byRank.begin(), byRank.end(), rng);
  std::discrete_distribution<std::size_t> popularity(weight.begin(), weight.end());
  auto popular = [&] { return byRank[popularity(rng)]; };
  constexpr int kSuccessors = 5;
  std::vector<std::int32_t> successors(n * kSuccessors);
  for (auto& s : successors) s = popular();

  constexpr std::int64_t kStart = 1396310400000;  // 2014-04-01T00:00:00Z
  constexpr std::int64_t kSpan = 183LL * 86'400'000;
  constexpr int kMaxLength = 200;
  const auto expectedRows = static_cast<std::size_t>(static_cast<double>(o.sessions) *
                                                     (o.meanLength + o.buyRate * 2.0) * 1.01);
  InteractionLog log;
  log.item.reserve(expectedRows);
  log.session.reserve(expectedRows);
  log.event.reserve(expectedRows);
  log.timestamp.reserve(expectedRows);
  log.eventNames = {"click", "buy"};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::lognormal_distribution<double> gapSeconds(std::log(30.0), 1.2);
  std::vector<std::int32_t> clicked;
  for (std::int64_t s = 0; s < o.sessions; ++s) {
    const double mean = unit(rng) < 0.9 ? 0.75 * o.meanLength : 3.25 * o.meanLength;
    const int length = std::min(kMaxLength, geometricLength(rng, std::max(1.0, mean)));
    std::int64_t t = kStart + kSpan * s / o.sessions + static_cast<std::int64_t>(unit(rng) * 6e6);
    std::int32_t item = popular();
    clicked.clear();
    for (int c = 0; c < length; ++c) {
      if (c > 0) {
        const double roll = unit(rng);
        if (roll < 0.05) {
          // re-click
        } else if (roll < 0.60) {
          item = successors[static_cast<std::size_t>(item) * kSuccessors + rng() % kSuccessors];
        } else {
          item = popular();
        }
        t += static_cast<std::int64_t>(std::clamp(gapSeconds(rng), 1.0, 1800.0) * 1000.0);
      }
      clicked.push_back(item);
      log.item.push_back(item);
      log.session.push_back(static_cast<std::int32_t>(s));
      log.event.push_back(0);
      log.timestamp.push_back(t);
    }
    if (unit(rng) < o.buyRate) {
      const int buys = 1 + static_cast<int>(rng() % 3);
      for (int b = 0; b < buys; ++b) {
        t += 60'000;
        log.item.push_back(clicked[rng() % clicked.size()]);
        log.session.push_back(static_cast<std::int32_t>(s));
        log.event.push_back(1);
        log.timestamp.push_back(t);
      }
    }
  }
  std::vector<std::int64_t> ids(n);
  for (std::size_t i = 0; i < n; ++i) ids[i] = 214'500'000 + static_cast<std::int64_t>(i);
  log.items.assignDistinctInts(ids);
  ids.assign(static_cast<std::size_t>(o.sessions), 0);
  for (std::size_t s = 0; s < ids.size(); ++s) ids[s] = static_cast<std::int64_t>(s) + 1;
  log.sessions.assignDistinctInts(ids);
  ids = {};
  for (std::size_t i = 0; i < n; ++i) {
    const auto id = static_cast<std::int32_t>(i);
    if (unit(rng) < 0.15) {
      log.itemAttributes.addMulti("category", id, std::to_string(1 + rng() % 12));
    }
    if (unit(rng) < 0.03) log.itemAttributes.addMulti("category", id, "S");
  }
  log.itemAttributes.resize(o.items);
  log.shrinkToFit();
  log.validate();
  return log;
}

double bytesOf(const std::vector<std::uint32_t>& v) {
  return static_cast<double>(v.capacity() * sizeof(std::uint32_t));
}

/// FNV-1a over raw bytes, to compare the output of two builds (same flags, same values).
std::uint64_t fnv(std::uint64_t h, const void* data, std::size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

template <class T>
std::uint64_t fnv(std::uint64_t h, const std::vector<T>& v) {
  return fnv(h, v.data(), v.size() * sizeof(T));
}

constexpr std::uint64_t kFnvBasis = 14695981039346656037ULL;

void printGraphs(const reclab::features::SessionGraphs& g) {
  std::uint64_t h = kFnvBasis;
  auto hash = [&](const reclab::features::CsrMatrix& m) {
    h = fnv(fnv(fnv(h, m.offsets), m.columns), m.weights);
  };
  hash(g.matrix(SessionGraphKind::G));
  hash(g.matrix(SessionGraphKind::H));
  for (int p = 1; p <= g.maxDistance(); ++p) hash(g.matrix(SessionGraphKind::K, p));
  auto line = [](const char* name, int p, const reclab::features::CsrMatrix& m) {
    std::printf("   %s p=%d  %12zu edges  %9.1f MB  %5.2f bytes/edge\n", name, p, m.numEdges(),
                static_cast<double>(m.memoryBytes()) / kMB,
                m.numEdges() == 0
                    ? 0.0
                    : static_cast<double>(m.memoryBytes()) / static_cast<double>(m.numEdges()));
  };
  line("G", 1, g.matrix(SessionGraphKind::G));
  line("H", 1, g.matrix(SessionGraphKind::H));
  for (int p = 1; p <= g.maxDistance(); ++p) line("K", p, g.matrix(SessionGraphKind::K, p));
  std::printf(
      "   all      %12zu edges  %9.1f MB  %5.2f bytes/edge; %lu sessions, %lu clicks, "
      "longest %lu, %lu pairs merged into K's last channel\n",
      g.numEdges(), static_cast<double>(g.memoryBytes()) / kMB, g.bytesPerEdge(),
      static_cast<unsigned long>(g.numSessions()), static_cast<unsigned long>(g.numClicks()),
      static_cast<unsigned long>(g.longestSession()),
      static_cast<unsigned long>(
          g.statistics().at("pairs_merged_into_last_channel").get<std::uint64_t>()));
  std::printf("   content checksum %016llx\n", static_cast<unsigned long long>(h));
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* v = argv[i + 1];
    if (key == "--sessions") {
      o.sessions = std::strtoll(v, nullptr, 10);
    } else if (key == "--items") {
      o.items = static_cast<std::int32_t>(std::strtol(v, nullptr, 10));
    } else if (key == "--mean-length") {
      o.meanLength = std::strtod(v, nullptr);
    } else if (key == "--max-distance") {
      o.maxDistance = std::atoi(v);
    } else if (key == "--buy-rate") {
      o.buyRate = std::strtod(v, nullptr);
    } else if (key == "--zipf") {
      o.zipf = std::strtod(v, nullptr);
    } else if (key == "--seed") {
      o.seed = std::strtoull(v, nullptr, 10);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", key.c_str());
      return 2;
    }
  }
  if (o.sessions <= 0 || o.sessions > 2'000'000'000 || o.items <= 0 || o.meanLength < 1.0 ||
      o.maxDistance < 1 || o.maxDistance > 255 || o.buyRate <= 0 || o.buyRate >= 1) {
    std::fprintf(stderr,
                 "bad flags: sessions in [1, 2e9], items > 0, mean-length >= 1, "
                 "max-distance in [1, 255], buy-rate in (0, 1)\n");
    return 2;
  }
  reclab::tuneAllocator();  // as reclab and reclab-cli do
  std::printf(
      "sessions %lld, items %d, mean length %.2f, P %d, buy rate %.3f, zipf %.2f, "
      "seed %llu\n",
      static_cast<long long>(o.sessions), o.items, o.meanLength, o.maxDistance, o.buyRate, o.zipf,
      static_cast<unsigned long long>(o.seed));
  std::printf("RSS at start %.1f MB\n", static_cast<double>(residentBytes()) / kMB);

  Stage genStage("log");
  const InteractionLog log = generateLog(o);
  genStage.done();
  std::size_t clicks = 0;
  for (const auto e : log.event) clicks += e == 0 ? 1 : 0;
  const double logBytes = static_cast<double>(log.memoryBytes());
  std::printf(
      "   %zu rows (%zu clicks, %zu buys), %d sessions, %d items; log %.1f MB "
      "(%.2f bytes/row)\n",
      log.numRows(), clicks, log.numRows() - clicks, log.numSessions(), log.numItems(),
      logBytes / kMB, logBytes / static_cast<double>(log.numRows()));

  Stage splitStage("split");
  reclab::split::Split split = reclab::split::randomSessionSplit(log, 0.2, 0.0, o.seed);
  split.test.clear();
  split.test.shrink_to_fit();
  splitStage.done();
  std::printf("   %zu training rows (%.1f MB of row indices)\n", split.train.size(),
              bytesOf(split.train) / kMB);

  Stage graphStage("graphs");
  reclab::split::LeakageGuard guard;
  reclab::features::SessionGraphConfig gc = reclab::features::SessionGraphConfig::defaults();
  gc.maxDistance = o.maxDistance;
  gc.clickEvents = {"click"};
  const auto graphs = reclab::features::SessionGraphs::build(log, split.train, gc, guard);
  graphStage.done();
  printGraphs(graphs);

  Stage featureStage("features");
  reclab::features::SessionFeatureConfig fc = reclab::features::SessionFeatureConfig::defaults();
  const auto features = reclab::features::computeSessionFeatures(log, split.train, fc);
  featureStage.done();
  const auto& f = features.features;
  const double catBytes = static_cast<double>(f.categorical.capacity() * sizeof(f.categorical[0]));
  const double contBytes = static_cast<double>(f.continuous.capacity() * sizeof(float));
  const double rowBytes = bytesOf(features.rows);
  const double labelBytes = static_cast<double>(features.labels.capacity() * sizeof(float));
  const double featureBytes = catBytes + contBytes + rowBytes + labelBytes;
  const std::uint64_t checksum =
      fnv(fnv(fnv(fnv(kFnvBasis, f.categorical), f.continuous), features.rows), features.labels);
  std::printf("   content checksum %016llx\n", static_cast<unsigned long long>(checksum));
  double positives = 0;
  for (const float l : features.labels) positives += l;
  std::printf(
      "   %zu rows (%.1f%% positive): categorical %.1f MB, continuous %.1f MB, rows %.1f "
      "MB, labels %.1f MB = %.1f MB (%.1f bytes/row)\n",
      f.rows, 100.0 * positives / std::max<double>(1.0, static_cast<double>(f.rows)),
      catBytes / kMB, contBytes / kMB, rowBytes / kMB, labelBytes / kMB, featureBytes / kMB,
      featureBytes / std::max<double>(1.0, static_cast<double>(f.rows)));

  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const double graphBytes = static_cast<double>(graphs.memoryBytes());
  const double held = logBytes + bytesOf(split.train) + graphBytes + featureBytes;
  std::printf(
      "held: log %.2f GB + training rows %.2f GB + graphs %.2f GB + features %.2f GB = "
      "%.2f GB\n",
      logBytes / kGB, bytesOf(split.train) / kGB, graphBytes / kGB, featureBytes / kGB, held / kGB);
  std::printf("RSS now %.2f GB\n", static_cast<double>(residentBytes()) / kGB);
  std::printf("peak RSS: ru_maxrss %.2f GB, VmHWM %s\n",
              static_cast<double>(usage.ru_maxrss) * 1024.0 / kGB, statusField("VmHWM:").c_str());
  return 0;
}

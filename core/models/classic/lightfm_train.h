#pragma once
/// Internal to the LightFM model: the training state and one epoch of SGD for each loss.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "common/observer.h"
#include "models/classic/lightfm.h"

namespace reclab::models::lightfm_detail {

/// Parameters of one side (users or items) with their optimiser state.
struct SideState {
  std::vector<float> emb, embGrad, embMom;    ///< features x nc
  std::vector<float> bias, biasGrad, biasMom;  ///< features
  std::atomic<double> scale{1.0};              ///< LightFM's lazy-regularisation scale
};

/// Training examples: (user, item, label) sorted by (user, item), and the positives per user
/// (CSR, items ascending) used to reject sampled negatives.
struct Examples {
  std::vector<std::int32_t> user, item;
  std::vector<std::uint8_t> label;  ///< 1 positive, 0 negative (logistic only)
  std::vector<std::int64_t> posPtr;  ///< numUsers + 1
  std::vector<std::int32_t> posItems;
};

struct EpochStats {
  double lossSum = 0;
  long long examples = 0;
  long long violations = 0;  ///< WARP: positives for which a violator was found
};

struct TrainState {
  const LightFmConfig& cfg;
  const LightFmFeatures& userF;
  const LightFmFeatures& itemF;
  const Examples& ex;
  SideState users, items;
  std::mutex regLock;

  TrainState(const LightFmConfig& c, const LightFmFeatures& uf, const LightFmFeatures& itf,
             const Examples& e)
      : cfg(c), userF(uf), itemF(itf), ex(e) {}

  /// LightFM initialisation: embeddings (rand - 0.5) / nc, biases 0, Adagrad accumulators 1.
  void initialise(std::uint64_t seed);
  /// Starts from trained parameters (features x nc embeddings, per-feature biases) with a
  /// fresh optimiser state (Adagrad accumulators 1, Adadelta averages 0): the model file does
  /// not keep the accumulators, so fine-tuning restarts the per-parameter schedule.
  void adopt(std::vector<float> userEmb, std::vector<float> userBias, std::vector<float> itemEmb,
             std::vector<float> itemBias);
  /// Divides every parameter by its side's scale and resets the scales to 1.
  void regularize();
};

/// The training examples of `rows`: distinct (user, item) pairs, positive when the row's event
/// is one of cfg.positiveEvents (every event when empty) and its value (if any) is > 0; the
/// logistic loss also keeps the negative pairs. `numUsers` sizes posPtr. Throws InputError for
/// an unknown event name in positiveEvents.
Examples buildExamples(const data::InteractionLog& log, const std::vector<std::uint32_t>& rows,
                       const LightFmConfig& cfg, std::int32_t numUsers);

/// Whether a row counts as a positive under cfg (the rule buildExamples applies).
class PositiveRule {
 public:
  PositiveRule(const data::InteractionLog& log, const LightFmConfig& cfg);
  bool operator()(const data::InteractionLog& log, std::uint32_t row) const {
    if (!m_event.empty() && !m_event[log.eventAt(row)]) return false;
    return !log.hasValues() || log.value[row] > 0;
  }

 private:
  std::vector<bool> m_event;  ///< empty = every event
};

/// Runs one epoch over `order` (example indices, already shuffled) with `threads` Hogwild
/// workers. Returns early (partial epoch) when `stop` is requested.
EpochStats runEpoch(TrainState& state, const std::vector<std::uint32_t>& order, int threads,
                    std::uint64_t seed, const StopToken& stop);

struct Rng;

/// `epochs` epochs over every example of state.ex, each in a new shuffled order, reporting
/// train_loss (and violation_rate for WARP) through ctx.endEpoch and progress as `stage`.
/// Stops after an epoch when ctx.stop is requested or a callback asks.
void trainEpochs(TrainState& state, int epochs, int threads, Rng& seeder, const TrainContext& ctx,
                 const char* stage);

/// splitmix64: the generator used for shuffles, initialisation and sampling.
struct Rng {
  std::uint64_t s;
  explicit Rng(std::uint64_t seed) : s(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform integer in [0, n).
  std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>(((next() >> 32) * static_cast<std::uint64_t>(n)) >> 32);
  }
  /// Uniform float in [0, 1).
  float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
};

}  // namespace reclab::models::lightfm_detail

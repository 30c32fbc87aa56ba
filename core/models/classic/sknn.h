#pragma once
/// SKNN, session-based k-nearest neighbours (Ludewig & Jannach 2018; session-rec's ContextKNN
/// with "recent" sampling). For a prefix with distinct item set P:
///  1. candidates = the training sessions sharing at least one item with P; when there are
///     more than sample_size, only the sample_size most recent are kept (recency = the
///     session's last click; equal times: the higher session index counts as more recent);
///     sample_size 0 keeps all;
///  2. each candidate session c (its distinct item set) gets
///       cosine:  sim(P, c) = |P ∩ c| / sqrt(|P| |c|)
///       jaccard: sim(P, c) = |P ∩ c| / |P ∪ c|
///     (|P| counts every distinct item of the prefix, also items unseen in training);
///  3. the k most similar candidates are the neighbours (equal similarity: more recent first);
///  4. score(i | prefix) = sum of sim(P, c) over the neighbours c that contain i.
/// session-rec additionally divides the scores by their maximum, which does not change the
/// ranking and is not done here.
///
/// State: the training sessions' distinct items (CSR, most recent session first) and the
/// inverted index item -> sessions in recency order; no session x session matrix. Candidates
/// are taken by merging the inverted lists of P's items (a heap over their heads), so a
/// prefix touches at most sample_size sessions.

#include <cstdint>
#include <vector>

#include "models/model.h"
#include "models/registry.h"

namespace reclab::models {

struct SknnConfig {
  enum class Similarity { Cosine, Jaccard };
  int k = 100;           ///< neighbour sessions
  int sampleSize = 500;  ///< most recent candidate sessions considered; 0 = all
  Similarity similarity = Similarity::Cosine;

  static SknnConfig defaults() { return {}; }
  /// Throws InputError, e.g. "sknn: k must be > 0, got 0".
  void validate() const;
};

class Sknn : public SessionRecommender {
 public:
  explicit Sknn(SknnConfig config = SknnConfig::defaults());

  std::string name() const override { return "sknn"; }
  Task task() const override { return Task::SessionNext; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  std::int32_t numItems() const override { return m_numItems; }
  void scorePrefixes(const std::vector<std::vector<std::int32_t>>& prefixes,
                     ScoreMatrix& out) const override;

  /// The neighbours of a prefix: (recency rank, similarity), most similar first. Rank 0 is
  /// the most recent training session.
  std::vector<std::pair<std::uint32_t, float>> neighbours(
      const std::vector<std::int32_t>& prefix) const;
  /// Distinct items of the training session of recency rank `rank`, ascending.
  std::vector<std::int32_t> sessionItems(std::uint32_t rank) const;
  std::size_t numSessions() const { return m_sessionOffsets.size() - 1; }
  const SknnConfig& config() const { return m_config; }

 private:
  void buildIndex();

  SknnConfig m_config;
  std::int32_t m_numItems = 0;
  std::vector<std::uint32_t> m_sessionOffsets{0};  ///< by recency rank
  std::vector<std::int32_t> m_sessionItems;
  std::vector<std::uint32_t> m_itemOffsets{0};  ///< item -> ranks, ascending
  std::vector<std::uint32_t> m_itemSessions;
};

/// Registers "sknn" (Task::SessionNext).
void registerSknn(Registry& registry);

}  // namespace reclab::models

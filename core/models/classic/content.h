#pragma once
/// Content-based rankers over item attributes (log.itemAttributes):
///
/// "tfidf": each item's document is the text of its selected categorical and multi-categorical
/// attributes (title, category, genres, keywords...). Tokens: lowercased, split on every byte
/// that is not an ASCII letter or digit (bytes >= 0x80 are kept, so UTF-8 words survive),
/// tokens shorter than 2 characters dropped (scikit-learn's default token pattern \w\w+).
///     tf(t, d)  = number of occurrences of t in d
///     idf(t)    = ln((1 + N) / (1 + df(t))) + 1      (N items, df = items containing t;
///                                                       scikit-learn TfidfVectorizer's
///                                                       smooth_idf=True default)
///     x_d[t]    = tf * idf, then the row is L2-normalised.
/// A user's profile p_u is the mean of the profiles of their training items (optionally
/// weighted by the interaction value); score(u, i) = cosine(p_u, x_i). Users without training
/// items score 0 everywhere.
///
/// "jaccard": each item's set S_i holds its selected attribute values (whole values, per field:
/// "category=Drama" and "keywords=war" are different elements). J(A, B) = |A n B| / |A u B|
/// (0 when both are empty). score(u, i) = max (or mean) over the user's training items j of
/// J(S_i, S_j).

#include <string>
#include <string_view>
#include <vector>

#include "models/classic/item_knn.h"
#include "models/model.h"
#include "models/registry.h"

namespace reclab::models {

/// Splits text into tokens as described above.
std::vector<std::string> tokenizeText(std::string_view text);

/// The attributes named in `commaList` ("title,genres"; empty = every categorical and
/// multi-categorical attribute). Throws InputError naming `model` for an unknown or numeric
/// field, listing the usable ones, or when nothing is usable.
std::vector<const data::Attribute*> selectTextAttributes(const data::AttributeTable& attrs,
                                                         const std::string& commaList,
                                                         const std::string& model);

/// L2-normalised TF-IDF rows (item x term) over `numItems` items; `vocabulary` receives the
/// term of each column when not null.
SparseRows buildTfIdf(const std::vector<const data::Attribute*>& fields, std::int32_t numItems,
                      std::vector<std::string>* vocabulary = nullptr);

/// Item x element sets (weights 1), elements = (field, value code) pairs.
SparseRows buildAttributeSets(const std::vector<const data::Attribute*>& fields,
                              std::int32_t numItems);

/// Jaccard similarity of two sorted sets (0 when both are empty).
double jaccard(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b);

struct TfIdfConfig {
  std::string fields;          ///< comma list; empty = all text-ish attributes
  bool valueWeighted = false;  ///< weight the user's items by their interaction values
};

class TfIdf : public Recommender {
 public:
  explicit TfIdf(TfIdfConfig config = {}) : m_config(std::move(config)) {}
  std::string name() const override { return "tfidf"; }
  Task task() const override { return Task::Ranking; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  void scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const override;
  std::int32_t numItems() const override { return m_profiles.numRows(); }

  const SparseRows& profiles() const { return m_profiles; }
  const std::vector<std::string>& vocabulary() const { return m_vocabulary; }
  void writeState(BinaryWriter& w) const;
  void readState(BinaryReader& r);

 private:
  TfIdfConfig m_config;
  SparseRows m_profiles;  ///< item x term
  SparseRows m_history;   ///< user x item
  std::vector<std::string> m_vocabulary;  ///< not saved
};

struct JaccardConfig {
  std::string fields;
  enum class Aggregate { Max, Mean } aggregate = Aggregate::Max;
};

class JaccardRanker : public Recommender {
 public:
  explicit JaccardRanker(JaccardConfig config = {}) : m_config(std::move(config)) {}
  std::string name() const override { return "jaccard"; }
  Task task() const override { return Task::Ranking; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  void scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const override;
  std::int32_t numItems() const override { return m_sets.numRows(); }

 private:
  JaccardConfig m_config;
  SparseRows m_sets;     ///< item x element
  SparseRows m_members;  ///< element x item
  SparseRows m_history;  ///< user x item
};

/// Registers "tfidf" and "jaccard" (Task::Ranking).
void registerContent(Registry& registry);

}  // namespace reclab::models

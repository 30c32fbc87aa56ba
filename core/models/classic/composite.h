#pragma once
/// Seed C's composite scorer. For a user u with training history H (|H| > 0):
///
///   score(u, i) = w_cos * cos(u, i) + w_pop * pop(i) + w_cat * cat(u, i) + w_kw * kw(u, i)
///
///   cos(u, i): the Item-KNN score (sum over j in H of the cosine similarity of i and j over
///              their binary user-interaction vectors, top-k neighbours per item, see
///              item_knn.h) divided by the user's maximum over all items, so it lies in [0, 1]
///              (0 everywhere when the user's items have no neighbours);
///   pop(i):    the popularity "count x mean rating" normalised to [0, 1] (plain count,
///              normalised, when the data has no values), see popularity.h;
///   cat(u, i): the share of the user's training items that have at least one value of the
///              category attribute in common with i (in [0, 1]; 0 when the attribute is absent);
///   kw(u, i):  the TF-IDF cosine (content.h) between the user's mean keyword profile and i's,
///              over the keyword attribute (0 when the attribute is absent).
///
/// Users without training history get pop(i) alone (the cold-start fallback).
/// Defaults: w_cos 0.3, w_pop 0.1, w_cat 0.3, w_kw 0.3 (the seed's "category 20-30%").

#include "models/classic/content.h"
#include "models/classic/item_knn.h"
#include "models/model.h"
#include "models/registry.h"

namespace reclab::models {

struct CompositeConfig {
  double wCos = 0.3;
  double wPop = 0.1;
  double wCat = 0.3;
  double wKw = 0.3;
  int k = 50;                               ///< Item-KNN neighbours per item
  std::string categoryField = "category";   ///< falls back to "genres" when absent
  std::string keywordField = "keywords";
  void validate() const;  ///< weights >= 0 and not all 0, k > 0
};

class Composite : public Recommender {
 public:
  explicit Composite(CompositeConfig config = {});
  std::string name() const override { return "composite"; }
  Task task() const override { return Task::Ranking; }
  void fit(const TrainContext& ctx) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  void scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const override;
  std::int32_t numItems() const override { return static_cast<std::int32_t>(m_popularity.size()); }

  const CompositeConfig& config() const { return m_config; }
  /// Changes the weights of a fitted model (they are only used when scoring).
  void setWeights(double wCos, double wPop, double wCat, double wKw);

 private:
  CompositeConfig m_config;
  ItemKnn m_knn;
  TfIdf m_keywords;
  bool m_hasKeywords = false;
  std::vector<float> m_popularity;
  SparseRows m_categories;   ///< item x category value (empty when no category attribute)
  SparseRows m_catMembers;   ///< category value x item
};

/// Registers "composite" (Task::Ranking).
void registerComposite(Registry& registry);

}  // namespace reclab::models

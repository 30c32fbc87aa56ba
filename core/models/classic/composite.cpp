#include "models/classic/composite.h"

#include <algorithm>

#include "common/errors.h"
#include "models/classic/popularity.h"

namespace reclab::models {

void CompositeConfig::validate() const {
  auto check = [](double w, const char* name) {
    if (!(w >= 0))
      throw InputError(std::string("composite: ") + name + " must be >= 0, got " +
                       std::to_string(w));
  };
  check(wCos, "w_cos");
  check(wPop, "w_pop");
  check(wCat, "w_cat");
  check(wKw, "w_kw");
  if (wCos + wPop + wCat + wKw <= 0)
    throw InputError("composite: at least one weight must be > 0, got all 0");
  if (k <= 0) throw InputError("composite: k must be > 0, got " + std::to_string(k));
}

Composite::Composite(CompositeConfig config)
    : m_config(std::move(config)), m_knn(ItemKnnConfig{m_config.k, 0.0, false}) {
  m_config.validate();
}

void Composite::setWeights(double wCos, double wPop, double wCat, double wKw) {
  CompositeConfig c = m_config;
  c.wCos = wCos;
  c.wPop = wPop;
  c.wCat = wCat;
  c.wKw = wKw;
  c.validate();
  m_config = c;
}

void Composite::fit(const TrainContext& ctx) {
  const TrainContext quiet{ctx.log,  ctx.trainRows, ctx.validRows, ctx.seed,
                           ctx.threads, nullObserver(), ctx.stop};
  m_knn = ItemKnn(ItemKnnConfig{m_config.k, 0.0, false});
  m_knn.fit(quiet);
  ctx.stop.throwIfStopped();

  Popularity pop(Popularity::Mode::CountTimesMeanRating);
  pop.fit(quiet);
  m_popularity = pop.scores();
  const float top = m_popularity.empty()
                        ? 0.0f
                        : *std::max_element(m_popularity.begin(), m_popularity.end());
  if (top > 0)
    for (auto& s : m_popularity) s /= top;  // already in [0, 1] when the data has values

  const auto& attrs = ctx.log.itemAttributes;
  const data::Attribute* cat = attrs.find(m_config.categoryField);
  if (!cat) cat = attrs.find("genres");
  if (cat && cat->kind != data::Attribute::Kind::Numeric) {
    m_categories = buildAttributeSets({cat}, ctx.log.numItems());
  } else {
    m_categories = SparseRows{};
    m_categories.offsets.assign(static_cast<std::size_t>(ctx.log.numItems()) + 1, 0);
    ctx.observer.onLog(LogLevel::Warning,
                       "composite: no category attribute '" + m_config.categoryField +
                           "' (or 'genres'); the category part is 0");
  }
  m_catMembers = m_categories.transposed();

  const data::Attribute* kw = attrs.find(m_config.keywordField);
  m_hasKeywords = kw && kw->kind != data::Attribute::Kind::Numeric;
  if (m_hasKeywords) {
    m_keywords = TfIdf(TfIdfConfig{m_config.keywordField, false});
    m_keywords.fit(quiet);
  } else {
    ctx.observer.onLog(LogLevel::Warning, "composite: no keyword attribute '" +
                                              m_config.keywordField + "'; the keyword part is 0");
  }
  TrainingReport report;
  report.epoch = 1;
  report.values["neighbour_pairs"] = static_cast<double>(m_knn.neighbours().cols.size());
  report.values["category_values"] = static_cast<double>(m_categories.numCols);
  ctx.endEpoch(report);
}

void Composite::scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const {
  const auto n = static_cast<Eigen::Index>(m_popularity.size());
  ScoreMatrix knn, kw;
  m_knn.scoreUsers(users, knn);
  if (m_hasKeywords) m_keywords.scoreUsers(users, kw);
  out.resize(static_cast<Eigen::Index>(users.size()), n);
  Eigen::Map<const Eigen::RowVectorXf> pop(m_popularity.data(), n);
  const auto& hist = m_knn.history();
  std::vector<float> share(static_cast<std::size_t>(n));
  std::vector<std::int64_t> stamp(static_cast<std::size_t>(n), -1);
  std::int64_t tick = 0;
  for (std::size_t b = 0; b < users.size(); ++b) {
    const auto row = static_cast<Eigen::Index>(b);
    const auto u = users[b];
    const bool known = u >= 0 && u < hist.numRows() && hist.begin(u) < hist.end(u);
    if (!known) {
      out.row(row) = pop;  // cold start: popularity alone
      continue;
    }
    out.row(row) = static_cast<float>(m_config.wPop) * pop;
    const float maxKnn = knn.row(row).maxCoeff();
    if (maxKnn > 0) out.row(row) += static_cast<float>(m_config.wCos / maxKnn) * knn.row(row);
    if (m_hasKeywords) out.row(row) += static_cast<float>(m_config.wKw) * kw.row(row);
    if (m_config.wCat > 0 && m_categories.numCols > 0) {
      std::fill(share.begin(), share.end(), 0.0f);
      const auto h = static_cast<float>(hist.end(u) - hist.begin(u));
      for (auto e = hist.begin(u); e < hist.end(u); ++e) {
        const auto j = hist.cols[static_cast<std::size_t>(e)];
        ++tick;  // counts each item at most once per training item j
        for (auto f = m_categories.begin(j); f < m_categories.end(j); ++f) {
          const auto c = m_categories.cols[static_cast<std::size_t>(f)];
          for (auto g = m_catMembers.begin(c); g < m_catMembers.end(c); ++g) {
            const auto i = static_cast<std::size_t>(m_catMembers.cols[static_cast<std::size_t>(g)]);
            if (stamp[i] != tick) {
              stamp[i] = tick;
              share[i] += 1.0f;
            }
          }
        }
      }
      const float w = static_cast<float>(m_config.wCat) / h;
      for (Eigen::Index i = 0; i < n; ++i) out(row, i) += w * share[static_cast<std::size_t>(i)];
    }
  }
}

void Composite::save(const std::string& path) const {
  BinaryWriter w(path, "reclab.composite", 1);
  w.write<double>(m_config.wCos);
  w.write<double>(m_config.wPop);
  w.write<double>(m_config.wCat);
  w.write<double>(m_config.wKw);
  w.write<std::int32_t>(m_config.k);
  w.writeString(m_config.categoryField);
  w.writeString(m_config.keywordField);
  m_knn.writeState(w);
  w.write<std::uint8_t>(m_hasKeywords ? 1 : 0);
  if (m_hasKeywords) m_keywords.writeState(w);
  w.writeVector(m_popularity);
  m_categories.write(w);
  w.close();
}

void Composite::load(const std::string& path) {
  BinaryReader r(path, "reclab.composite", 1);
  m_config.wCos = r.read<double>();
  m_config.wPop = r.read<double>();
  m_config.wCat = r.read<double>();
  m_config.wKw = r.read<double>();
  m_config.k = r.read<std::int32_t>();
  m_config.categoryField = r.readString();
  m_config.keywordField = r.readString();
  m_knn.readState(r);
  m_hasKeywords = r.read<std::uint8_t>() != 0;
  if (m_hasKeywords) m_keywords.readState(r);
  m_popularity = r.readVector<float>();
  m_categories.read(r);
  m_catMembers = m_categories.transposed();
}

void registerComposite(Registry& registry) {
  ModelInfo info;
  info.name = "composite";
  info.displayName = "Composite (seed C)";
  info.task = Task::Ranking;
  info.description =
      "Seed C's blend for users with history: w_cos x Item-KNN cosine (scaled to [0,1] per "
      "user) + w_pop x popularity (count x mean rating, [0,1]) + w_cat x share of the user's "
      "items in the item's category + w_kw x TF-IDF keyword cosine. Users without history get "
      "popularity alone.";
  using T = ParamSpec::Type;
  info.params = {
      {"w_cos", T::Double, 0.3, 0.0, std::nullopt, {}, "weight of the interaction cosine part"},
      {"w_pop", T::Double, 0.1, 0.0, std::nullopt, {}, "weight of the popularity part"},
      {"w_cat", T::Double, 0.3, 0.0, std::nullopt, {}, "weight of the category match part"},
      {"w_kw", T::Double, 0.3, 0.0, std::nullopt, {}, "weight of the keyword TF-IDF part"},
      {"k", T::Int, 50, 1.0, std::nullopt, {}, "Item-KNN neighbours kept per item"},
      {"category_field", T::String, "category", std::nullopt, std::nullopt, {},
       "item attribute holding the category ('genres' is used when it is absent)"},
      {"keyword_field", T::String, "keywords", std::nullopt, std::nullopt, {},
       "item attribute holding the keywords"}};
  info.factory = [](const nlohmann::json& p) {
    CompositeConfig c;
    c.wCos = paramDouble(p, "w_cos");
    c.wPop = paramDouble(p, "w_pop");
    c.wCat = paramDouble(p, "w_cat");
    c.wKw = paramDouble(p, "w_kw");
    c.k = static_cast<int>(paramInt(p, "k"));
    c.categoryField = paramString(p, "category_field");
    c.keywordField = paramString(p, "keyword_field");
    return std::make_unique<Composite>(c);
  };
  registry.add(std::move(info));
}

}  // namespace reclab::models

#include "models/classic/content.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "common/errors.h"

namespace reclab::models {

namespace {

bool isWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

std::vector<std::string> splitComma(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    auto b = cur.find_first_not_of(" \t");
    auto e = cur.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
    cur.clear();
  };
  for (char c : s) {
    if (c == ',') flush();
    else cur += c;
  }
  flush();
  return out;
}

/// Calls f(text) for every value the entity has in the attribute.
template <typename F>
void forEachValue(const data::Attribute& a, std::int32_t item, F&& f) {
  const auto i = static_cast<std::size_t>(item);
  if (a.kind == data::Attribute::Kind::Categorical) {
    if (i < a.categorical.size() && a.categorical[i] >= 0) f(a.categorical[i]);
  } else if (a.kind == data::Attribute::Kind::MultiCategorical) {
    if (i < a.multi.size())
      for (auto c : a.multi[i]) f(c);
  }
}

}  // namespace

std::vector<std::string> tokenizeText(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (cur.size() >= 2) out.push_back(cur);
    cur.clear();
  };
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (isWordByte(c)) cur += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : ch;
    else flush();
  }
  flush();
  return out;
}

std::vector<const data::Attribute*> selectTextAttributes(const data::AttributeTable& attrs,
                                                         const std::string& commaList,
                                                         const std::string& model) {
  std::string usable;
  for (const auto& a : attrs.attributes())
    if (a.kind != data::Attribute::Kind::Numeric) usable += (usable.empty() ? "" : ", ") + a.name;
  std::vector<const data::Attribute*> out;
  const auto names = splitComma(commaList);
  if (names.empty()) {
    for (const auto& a : attrs.attributes())
      if (a.kind != data::Attribute::Kind::Numeric) out.push_back(&a);
  } else {
    for (const auto& n : names) {
      const auto* a = attrs.find(n);
      if (!a || a->kind == data::Attribute::Kind::Numeric)
        throw InputError(model + ": field 'fields': '" + n +
                         "' is not a text attribute of the items (usable: " +
                         (usable.empty() ? "none" : usable) + ")");
      out.push_back(a);
    }
  }
  if (out.empty())
    throw InputError(model +
                     ": the data set has no item text attributes (categorical or "
                     "multi-categorical); load item metadata first");
  return out;
}

SparseRows buildTfIdf(const std::vector<const data::Attribute*>& fields, std::int32_t numItems,
                      std::vector<std::string>* vocabulary) {
  std::unordered_map<std::string, std::int32_t> termIds;
  std::vector<std::string> terms;
  std::vector<std::int64_t> df;
  // Tokens of each attribute value, computed once per (field, code).
  std::vector<std::vector<std::vector<std::int32_t>>> valueTokens(fields.size());
  for (std::size_t f = 0; f < fields.size(); ++f) {
    for (const auto& text : fields[f]->vocabulary) {
      std::vector<std::int32_t> ids;
      for (auto& t : tokenizeText(text)) {
        auto [it, added] = termIds.emplace(t, static_cast<std::int32_t>(terms.size()));
        if (added) terms.push_back(t);
        ids.push_back(it->second);
      }
      valueTokens[f].push_back(std::move(ids));
    }
  }
  df.assign(terms.size(), 0);
  SparseRows m;
  m.numCols = static_cast<std::int32_t>(terms.size());
  m.offsets.assign(static_cast<std::size_t>(numItems) + 1, 0);
  std::vector<std::int32_t> doc;
  for (std::int32_t i = 0; i < numItems; ++i) {
    doc.clear();
    for (std::size_t f = 0; f < fields.size(); ++f)
      forEachValue(*fields[f], i, [&](std::int32_t code) {
        const auto& ids = valueTokens[f][static_cast<std::size_t>(code)];
        doc.insert(doc.end(), ids.begin(), ids.end());
      });
    std::sort(doc.begin(), doc.end());
    for (std::size_t a = 0; a < doc.size();) {
      std::size_t b = a;
      while (b < doc.size() && doc[b] == doc[a]) ++b;
      m.cols.push_back(doc[a]);
      m.weights.push_back(static_cast<float>(b - a));  // raw tf for now
      ++df[static_cast<std::size_t>(doc[a])];
      a = b;
    }
    m.offsets[static_cast<std::size_t>(i) + 1] = static_cast<std::int64_t>(m.cols.size());
  }
  const double n = numItems;
  for (std::int32_t i = 0; i < numItems; ++i) {
    double sq = 0;
    for (auto e = m.begin(i); e < m.end(i); ++e) {
      auto& w = m.weights[static_cast<std::size_t>(e)];
      const double d = static_cast<double>(df[static_cast<std::size_t>(m.cols[static_cast<std::size_t>(e)])]);
      const double v = w * (std::log((1.0 + n) / (1.0 + d)) + 1.0);
      w = static_cast<float>(v);
      sq += v * v;
    }
    const double norm = std::sqrt(sq);
    if (norm > 0)
      for (auto e = m.begin(i); e < m.end(i); ++e)
        m.weights[static_cast<std::size_t>(e)] =
            static_cast<float>(m.weights[static_cast<std::size_t>(e)] / norm);
  }
  if (vocabulary) *vocabulary = std::move(terms);
  return m;
}

SparseRows buildAttributeSets(const std::vector<const data::Attribute*>& fields,
                              std::int32_t numItems) {
  std::vector<std::int32_t> base(fields.size(), 0);
  std::int32_t total = 0;
  for (std::size_t f = 0; f < fields.size(); ++f) {
    base[f] = total;
    total += static_cast<std::int32_t>(fields[f]->vocabulary.size());
  }
  SparseRows m;
  m.numCols = total;
  m.offsets.assign(static_cast<std::size_t>(numItems) + 1, 0);
  std::vector<std::int32_t> set;
  for (std::int32_t i = 0; i < numItems; ++i) {
    set.clear();
    for (std::size_t f = 0; f < fields.size(); ++f)
      forEachValue(*fields[f], i, [&](std::int32_t code) { set.push_back(base[f] + code); });
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    m.cols.insert(m.cols.end(), set.begin(), set.end());
    m.weights.insert(m.weights.end(), set.size(), 1.0f);
    m.offsets[static_cast<std::size_t>(i) + 1] = static_cast<std::int64_t>(m.cols.size());
  }
  return m;
}

double jaccard(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b) {
  std::size_t i = 0, j = 0, inter = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) { ++inter; ++i; ++j; }
    else if (a[i] < b[j]) ++i;
    else ++j;
  }
  const std::size_t uni = a.size() + b.size() - inter;
  return uni == 0 ? 0.0 : static_cast<double>(inter) / static_cast<double>(uni);
}

// ---------------------------------------------------------------- TF-IDF

void TfIdf::fit(const TrainContext& ctx) {
  auto fields = selectTextAttributes(ctx.log.itemAttributes, m_config.fields, "tfidf");
  m_profiles = buildTfIdf(fields, ctx.log.numItems(), &m_vocabulary);
  m_history = buildUserItemMatrix(ctx.log, ctx.trainRows, m_config.valueWeighted);
  TrainingReport report;
  report.epoch = 1;
  report.values["vocabulary_size"] = static_cast<double>(m_profiles.numCols);
  ctx.endEpoch(report);
}

void TfIdf::writeState(BinaryWriter& w) const {
  w.write<std::uint8_t>(m_config.valueWeighted ? 1 : 0);
  w.writeString(m_config.fields);
  m_profiles.write(w);
  m_history.write(w);
}

void TfIdf::readState(BinaryReader& r) {
  m_config.valueWeighted = r.read<std::uint8_t>() != 0;
  m_config.fields = r.readString();
  m_profiles.read(r);
  m_history.read(r);
  m_vocabulary.clear();
}

void TfIdf::save(const std::string& path) const {
  BinaryWriter w(path, "reclab.tfidf", 1);
  writeState(w);
  w.close();
}

void TfIdf::load(const std::string& path) {
  BinaryReader r(path, "reclab.tfidf", 1);
  readState(r);
}

void TfIdf::scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const {
  const std::int32_t n = m_profiles.numRows();
  out.setZero(static_cast<Eigen::Index>(users.size()), n);
  std::vector<double> p(static_cast<std::size_t>(m_profiles.numCols), 0.0);
  std::vector<std::int32_t> touched;
  for (std::size_t b = 0; b < users.size(); ++b) {
    const auto u = users[b];
    if (u < 0 || u >= m_history.numRows() || m_history.begin(u) == m_history.end(u)) continue;
    touched.clear();
    double wsum = 0;
    for (auto e = m_history.begin(u); e < m_history.end(u); ++e) {
      const auto j = m_history.cols[static_cast<std::size_t>(e)];
      const double w = m_history.weights[static_cast<std::size_t>(e)];
      wsum += w;
      for (auto f = m_profiles.begin(j); f < m_profiles.end(j); ++f) {
        const auto t = static_cast<std::size_t>(m_profiles.cols[static_cast<std::size_t>(f)]);
        if (p[t] == 0.0) touched.push_back(static_cast<std::int32_t>(t));
        p[t] += w * m_profiles.weights[static_cast<std::size_t>(f)];
      }
    }
    double sq = 0;
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (auto t : touched) {
      p[static_cast<std::size_t>(t)] /= (wsum != 0 ? wsum : 1.0);  // the mean profile
      sq += p[static_cast<std::size_t>(t)] * p[static_cast<std::size_t>(t)];
    }
    const double norm = std::sqrt(sq);
    if (norm > 0) {
      float* row = out.row(static_cast<Eigen::Index>(b)).data();
      for (std::int32_t i = 0; i < n; ++i) {
        double s = 0;
        for (auto f = m_profiles.begin(i); f < m_profiles.end(i); ++f)
          s += p[static_cast<std::size_t>(m_profiles.cols[static_cast<std::size_t>(f)])] *
               m_profiles.weights[static_cast<std::size_t>(f)];
        row[i] = static_cast<float>(s / norm);  // item rows have norm 1 (or are empty)
      }
    }
    for (auto t : touched) p[static_cast<std::size_t>(t)] = 0.0;
  }
}

// ---------------------------------------------------------------- Jaccard

void JaccardRanker::fit(const TrainContext& ctx) {
  auto fields = selectTextAttributes(ctx.log.itemAttributes, m_config.fields, "jaccard");
  m_sets = buildAttributeSets(fields, ctx.log.numItems());
  m_members = m_sets.transposed();
  m_history = buildUserItemMatrix(ctx.log, ctx.trainRows, false);
  TrainingReport report;
  report.epoch = 1;
  report.values["attribute_values"] = static_cast<double>(m_sets.numCols);
  ctx.endEpoch(report);
}

void JaccardRanker::save(const std::string& path) const {
  BinaryWriter w(path, "reclab.jaccard", 1);
  w.write<std::int32_t>(static_cast<std::int32_t>(m_config.aggregate));
  w.writeString(m_config.fields);
  m_sets.write(w);
  m_history.write(w);
  w.close();
}

void JaccardRanker::load(const std::string& path) {
  BinaryReader r(path, "reclab.jaccard", 1);
  m_config.aggregate = static_cast<JaccardConfig::Aggregate>(r.read<std::int32_t>());
  m_config.fields = r.readString();
  m_sets.read(r);
  m_history.read(r);
  m_members = m_sets.transposed();
}

void JaccardRanker::scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const {
  const std::int32_t n = m_sets.numRows();
  out.setZero(static_cast<Eigen::Index>(users.size()), n);
  std::vector<std::int32_t> inter(static_cast<std::size_t>(n), 0);
  std::vector<std::int32_t> touched;
  const bool mean = m_config.aggregate == JaccardConfig::Aggregate::Mean;
  for (std::size_t b = 0; b < users.size(); ++b) {
    const auto u = users[b];
    if (u < 0 || u >= m_history.numRows()) continue;
    const auto hist = m_history.end(u) - m_history.begin(u);
    if (hist == 0) continue;
    float* row = out.row(static_cast<Eigen::Index>(b)).data();
    for (auto e = m_history.begin(u); e < m_history.end(u); ++e) {
      const auto j = m_history.cols[static_cast<std::size_t>(e)];
      const auto sizeJ = m_sets.end(j) - m_sets.begin(j);
      touched.clear();
      for (auto f = m_sets.begin(j); f < m_sets.end(j); ++f) {
        const auto el = m_sets.cols[static_cast<std::size_t>(f)];
        for (auto g = m_members.begin(el); g < m_members.end(el); ++g) {
          const auto i = m_members.cols[static_cast<std::size_t>(g)];
          if (inter[static_cast<std::size_t>(i)]++ == 0) touched.push_back(i);
        }
      }
      for (auto i : touched) {
        const auto in = inter[static_cast<std::size_t>(i)];
        inter[static_cast<std::size_t>(i)] = 0;
        const auto sizeI = m_sets.end(i) - m_sets.begin(i);
        const float jac = static_cast<float>(static_cast<double>(in) /
                                             static_cast<double>(sizeI + sizeJ - in));
        if (mean) row[i] += jac / static_cast<float>(hist);
        else row[i] = std::max(row[i], jac);
      }
    }
  }
}

void registerContent(Registry& registry) {
  ModelInfo tf;
  tf.name = "tfidf";
  tf.displayName = "Content: TF-IDF cosine";
  tf.task = Task::Ranking;
  tf.description =
      "TF-IDF item profiles from the items' text attributes (smooth idf = ln((1+N)/(1+df)) + 1, "
      "rows L2-normalised); a user's profile is the mean of their training items' profiles; "
      "score = cosine(user profile, item profile).";
  tf.params = {
      {"fields", ParamSpec::Type::String, "", std::nullopt, std::nullopt, {},
       "comma-separated item attributes (e.g. title,genres,keywords); empty = every "
       "categorical / multi-categorical attribute"},
      {"value_weighted", ParamSpec::Type::Bool, false, std::nullopt, std::nullopt, {},
       "weight each training item by its interaction value in the user's profile"}};
  tf.factory = [](const nlohmann::json& p) {
    return std::make_unique<TfIdf>(
        TfIdfConfig{paramString(p, "fields"), paramBool(p, "value_weighted")});
  };
  registry.add(std::move(tf));

  ModelInfo jc;
  jc.name = "jaccard";
  jc.displayName = "Content: Jaccard on attributes";
  jc.task = Task::Ranking;
  jc.description =
      "Jaccard similarity |A n B| / |A u B| between items' attribute-value sets; an item's "
      "score is the max (or mean) similarity to the user's training items.";
  jc.params = {
      {"fields", ParamSpec::Type::String, "", std::nullopt, std::nullopt, {},
       "comma-separated item attributes; empty = every categorical / multi-categorical one"},
      {"aggregate", ParamSpec::Type::Choice, "max", std::nullopt, std::nullopt, {"max", "mean"},
       "how the similarities to the user's training items are combined"}};
  jc.factory = [](const nlohmann::json& p) {
    JaccardConfig c;
    c.fields = paramString(p, "fields");
    c.aggregate = paramString(p, "aggregate") == "mean" ? JaccardConfig::Aggregate::Mean
                                                        : JaccardConfig::Aggregate::Max;
    return std::make_unique<JaccardRanker>(c);
  };
  registry.add(std::move(jc));
}

}  // namespace reclab::models

#include "widgets/comparison_model.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "store/store.h"

namespace reclab::widgets {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QString stripPrefix(QString name) {
  for (const char* p : {"batch_train_", "batch_", "val_", "train_", "test_"}) {
    if (name.startsWith(QLatin1String(p))) return name.mid(int(qstrlen(p)));
  }
  return name;
}

QString scalarText(const QJsonValue& v) {
  switch (v.type()) {
    case QJsonValue::String:
      return v.toString();
    case QJsonValue::Bool:
      return v.toBool() ? "true" : "false";
    case QJsonValue::Null:
      return "null";
    case QJsonValue::Double: {
      // Integers as integers; other numbers with enough digits to tell them apart.
      const double d = v.toDouble();
      if (std::floor(d) == d && std::abs(d) < 1e15) return QString::number(qint64(d));
      return QString::number(d, 'g', 12);
    }
    default:
      return QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact));
  }
}

void flattenInto(const QJsonValue& v, const QString& key, std::map<QString, QString>& out) {
  if (v.isObject()) {
    const QJsonObject o = v.toObject();
    if (o.isEmpty()) out[key] = "{}";
    for (auto it = o.begin(); it != o.end(); ++it) {
      flattenInto(it.value(), key.isEmpty() ? it.key() : key + '.' + it.key(), out);
    }
  } else if (v.isArray()) {
    const QJsonArray a = v.toArray();
    const bool nested = std::any_of(
        a.begin(), a.end(), [](const QJsonValue& e) { return e.isObject() || e.isArray(); });
    if (!nested) {
      out[key] = QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
    } else {
      for (int i = 0; i < a.size(); ++i)
        flattenInto(a[i], key + '[' + QString::number(i) + ']', out);
    }
  } else {
    out[key] = scalarText(v);
  }
}

}  // namespace

QString RunMetrics::label() const {
  QString s = QStringLiteral("run %1").arg(id);
  const QString detail = !name.isEmpty() ? name : model;
  if (!detail.isEmpty()) s += QStringLiteral(" (%1)").arg(detail);
  return s;
}

std::vector<RunMetrics> loadRunMetrics(const store::Store& store, const QList<qint64>& runIds) {
  std::vector<RunMetrics> out;
  for (qint64 id : runIds) {
    auto r = store.run(id);
    if (!r) continue;
    RunMetrics m;
    m.id = id;
    m.name = QString::fromStdString(r->name);
    m.model = QString::fromStdString(r->modelName);
    m.task = QString::fromStdString(r->task);
    m.configJson = QString::fromStdString(r->configJson);
    m.metrics = store.metrics(id);
    out.push_back(std::move(m));
  }
  return out;
}

QString familyKey(RankingFamily f) {
  switch (f) {
    case RankingFamily::Recall:
      return "recall";
    case RankingFamily::Mrr:
      return "mrr";
    case RankingFamily::HitRate:
      return "hit_rate";
    case RankingFamily::Ndcg:
      return "ndcg";
    case RankingFamily::Precision:
      return "precision";
    case RankingFamily::Map:
      return "map";
  }
  return {};
}

QString familyLabel(RankingFamily f) {
  switch (f) {
    case RankingFamily::Recall:
      return "Recall@k";
    case RankingFamily::Mrr:
      return "MRR@k";
    case RankingFamily::HitRate:
      return "HitRate@k (ACCs@k)";
    case RankingFamily::Ndcg:
      return "NDCG@k";
    case RankingFamily::Precision:
      return "Precision@k";
    case RankingFamily::Map:
      return "MAP@k";
  }
  return {};
}

QList<int> rankingKs(const std::vector<RunMetrics>& runs, RankingFamily f) {
  const std::string prefix = familyKey(f).toStdString() + "@";
  std::set<int> ks;
  for (const auto& r : runs) {
    for (const auto& [name, v] : r.metrics) {
      if (name.rfind(prefix, 0) != 0) continue;
      bool ok = false;
      const int k = QString::fromStdString(name.substr(prefix.size())).toInt(&ok);
      if (ok && k > 0) ks.insert(k);  // "recall@10_std" does not parse as an int
    }
  }
  return QList<int>(ks.begin(), ks.end());
}

double rankingValue(const RunMetrics& run, RankingFamily f, int k) {
  auto it = run.metrics.find(familyKey(f).toStdString() + "@" + std::to_string(k));
  return it == run.metrics.end() ? kNaN : it->second;
}

bool lowerIsBetter(const QString& metric) {
  const QString base = stripPrefix(metric.toLower());
  for (const char* s : {"loss", "rmse", "mae", "mse", "error", "violation"}) {
    if (base.contains(QLatin1String(s))) return true;
  }
  return false;
}

std::vector<CurveSummary> summarizeCurves(const std::vector<store::CurvePoint>& points) {
  struct Acc {
    CurveSummary s;
    bool haveBest = false;
    int lastEpoch = std::numeric_limits<int>::min();
    std::int64_t lastStep = std::numeric_limits<std::int64_t>::min();
  };
  std::map<QString, Acc> acc;
  for (const auto& p : points) {
    const QString name = QString::fromStdString(p.metric);
    if (name.startsWith(QLatin1String("batch_"))) continue;
    Acc& a = acc[name];
    a.s.metric = name;
    ++a.s.points;
    if (p.epoch > a.lastEpoch || (p.epoch == a.lastEpoch && p.step >= a.lastStep)) {
      a.lastEpoch = p.epoch;
      a.lastStep = p.step;
      a.s.last = p.value;
      a.s.lastEpoch = p.epoch;
    }
    if (!std::isfinite(p.value)) continue;
    const bool lower = lowerIsBetter(name);
    const bool better = !a.haveBest || (lower ? p.value < a.s.best : p.value > a.s.best) ||
                        (p.value == a.s.best && p.epoch < a.s.bestEpoch);
    if (better) {
      a.s.best = p.value;
      a.s.bestEpoch = p.epoch;
      a.haveBest = true;
    }
  }
  std::vector<CurveSummary> out;
  for (auto& [name, a] : acc) {
    if (!a.haveBest) a.s.best = kNaN;
    out.push_back(a.s);
  }
  return out;
}

std::map<QString, QString> flattenConfig(const QString& json) {
  std::map<QString, QString> out;
  QJsonParseError err{};
  const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &err);
  if (err.error != QJsonParseError::NoError || !doc.isObject()) {
    if (!json.trimmed().isEmpty()) out[QString()] = json;
    return out;
  }
  flattenInto(doc.object(), QString(), out);
  return out;
}

std::vector<ConfigDiffRow> diffConfigs(const QString& jsonA, const QString& jsonB) {
  const auto a = flattenConfig(jsonA);
  const auto b = flattenConfig(jsonB);
  std::set<QString> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : b) keys.insert(k);
  std::vector<ConfigDiffRow> rows;
  for (const auto& k : keys) {
    ConfigDiffRow r;
    r.key = k;
    auto ia = a.find(k), ib = b.find(k);
    r.presentA = ia != a.end();
    r.presentB = ib != b.end();
    if (r.presentA) r.a = ia->second;
    if (r.presentB) r.b = ib->second;
    r.differs = r.presentA != r.presentB || r.a != r.b;
    rows.push_back(r);
  }
  return rows;
}

PerUserValues parsePerUserValues(const std::string& json) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("per_user_metrics.json is not valid JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("users") || !j["users"].is_array()) {
    throw std::runtime_error("per_user_metrics.json has no \"users\" array");
  }
  PerUserValues out;
  for (const auto& u : j["users"]) {
    out.users.push_back(u.is_string() ? u.get<std::string>() : u.dump());
  }
  if (j.contains("values") && j["values"].is_object()) {
    for (const auto& [name, arr] : j["values"].items()) {
      if (!arr.is_array() || arr.size() != out.users.size()) {
        throw std::runtime_error("per_user_metrics.json: \"" + name + "\" has " +
                                 std::to_string(arr.is_array() ? arr.size() : 0) + " values for " +
                                 std::to_string(out.users.size()) + " users");
      }
      std::vector<double> v;
      v.reserve(arr.size());
      for (const auto& x : arr) v.push_back(x.is_number() ? x.get<double>() : kNaN);
      out.values.emplace(name, std::move(v));
    }
  }
  return out;
}

QString formatP(double p) {
  if (std::isnan(p)) return "n/a";
  if (p <= 0) return "< 1e-300";
  if (p < 1e-3) return QString::number(p, 'e', 1);
  return QString::number(p, 'g', 3);
}

SignificanceResult compareOnUsers(const PerUserValues& a, const QString& labelA, qint64 runA,
                                  const PerUserValues& b, const QString& labelB, qint64 runB,
                                  const QString& metric) {
  SignificanceResult r;
  r.metric = metric;
  r.runA = runA;
  r.runB = runB;
  r.usersA = a.users.size();
  r.usersB = b.users.size();
  const std::string m = metric.toStdString();
  auto va = a.values.find(m), vb = b.values.find(m);
  if (va == a.values.end() || vb == b.values.end()) {
    const QString& who = va == a.values.end() ? labelA : labelB;
    r.message = QStringLiteral("%1 has no per-user values of %2.").arg(who, metric);
    return r;
  }
  std::unordered_map<std::string, std::size_t> indexB;
  indexB.reserve(b.users.size());
  for (std::size_t i = 0; i < b.users.size(); ++i) indexB.emplace(b.users[i], i);
  std::vector<double> xa, xb;
  for (std::size_t i = 0; i < a.users.size(); ++i) {
    auto it = indexB.find(a.users[i]);
    if (it == indexB.end()) continue;
    const double x = va->second[i], y = vb->second[it->second];
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    xa.push_back(x);
    xb.push_back(y);
  }
  r.n = xa.size();
  if (r.n < 2) {
    r.message = QStringLiteral(
                    "%1 and %2 share %3 evaluated user(s) with finite %4: at least 2 "
                    "are needed for a paired test.")
                    .arg(labelA, labelB)
                    .arg(r.n)
                    .arg(metric);
    return r;
  }
  double sa = 0, sb = 0;
  for (std::size_t i = 0; i < r.n; ++i) {
    sa += xa[i];
    sb += xb[i];
  }
  r.meanA = sa / double(r.n);
  r.meanB = sb / double(r.n);
  r.tTest = eval::pairedTTest(xa, xb);
  r.wilcoxon = eval::wilcoxonSignedRank(xa, xb);
  r.ok = true;
  const double d = r.tTest.meanDiff;
  const QString ps = QStringLiteral("p = %1 (paired t), %2 (Wilcoxon%3)")
                         .arg(formatP(r.tTest.pValue), formatP(r.wilcoxon.pValue),
                              r.wilcoxon.exact ? ", exact" : "");
  if (d == 0) {
    r.better = 0;
    r.message = QStringLiteral("%1 and %2 have the same mean %3 over %4 shared users (%5); %6.")
                    .arg(labelA, labelB, metric)
                    .arg(r.n)
                    .arg(r.meanA, 0, 'g', 4)
                    .arg(ps);
    return r;
  }
  const bool aBetter = lowerIsBetter(metric) ? d < 0 : d > 0;
  r.better = aBetter ? 1 : 2;
  const double pMax = std::max(r.tTest.pValue, r.wilcoxon.pValue);
  const QString verdict = pMax < 0.05 ? QStringLiteral("significant at 0.05 by both tests")
                          : std::min(r.tTest.pValue, r.wilcoxon.pValue) < 0.05
                              ? QStringLiteral("significant at 0.05 by one test only")
                              : QStringLiteral("not significant at 0.05");
  r.message = QStringLiteral("%1 is better on %2 (mean %3 vs %4 over %5 shared users), %6: %7.")
                  .arg(aBetter ? labelA : labelB, metric)
                  .arg(aBetter ? r.meanA : r.meanB, 0, 'g', 4)
                  .arg(aBetter ? r.meanB : r.meanA, 0, 'g', 4)
                  .arg(r.n)
                  .arg(ps, verdict);
  return r;
}

SignificanceResult compareRunsInStore(const QString& storePath, qint64 runA, qint64 runB,
                                      const QString& metric) {
  SignificanceResult r;
  r.metric = metric;
  r.runA = runA;
  r.runB = runB;
  try {
    store::Store st(storePath.toStdString());
    auto load = [&](qint64 id, QString& label) -> std::optional<PerUserValues> {
      auto rec = st.run(id);
      if (!rec) {
        r.message = QStringLiteral("No run with id %1 in the store.").arg(id);
        return std::nullopt;
      }
      RunMetrics m;
      m.id = id;
      m.name = QString::fromStdString(rec->name);
      m.model = QString::fromStdString(rec->modelName);
      label = m.label();
      auto bytes = st.artifact(id, "per_user_metrics.json");
      if (!bytes) {
        r.message = QStringLiteral(
                        "%1 has no per-user metric values (artifact "
                        "per_user_metrics.json): it was not evaluated on a ranking "
                        "metric, or it predates per-user values.")
                        .arg(label);
        return std::nullopt;
      }
      try {
        return parsePerUserValues(*bytes);
      } catch (const std::exception& e) {
        r.message = QStringLiteral("%1: %2").arg(label, QString::fromUtf8(e.what()));
        return std::nullopt;
      }
    };
    QString labelA, labelB;
    auto a = load(runA, labelA);
    if (!a) return r;
    auto b = load(runB, labelB);
    if (!b) return r;
    return compareOnUsers(*a, labelA, runA, *b, labelB, runB, metric);
  } catch (const std::exception& e) {
    r.message = QString::fromUtf8(e.what());
    return r;
  }
}

}  // namespace reclab::widgets

#include "experiment/config.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "common/errors.h"
#include "models/registry.h"

namespace reclab::experiment {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string>& knownMetrics() {
  static const std::vector<std::string> names = {
      "rmse", "mae", "r2", "precision", "recall", "hit_rate", "mrr", "ndcg", "map",
      "accuracy", "auc", "log_loss", "macro_f1", "pr_auc", "f1"};
  return names;
}

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw InputError(fmt::format("config: {} {}", path, what));
}

void onlyKeys(const json& obj, const std::string& path, std::initializer_list<const char*> keys) {
  if (!obj.is_object()) fail(path, "must be an object, got " + std::string(obj.type_name()));
  for (const auto& [k, v] : obj.items()) {
    bool ok = false;
    std::string list;
    for (const char* key : keys) {
      ok = ok || k == key;
      list += (list.empty() ? "" : ", ") + std::string(key);
    }
    if (!ok) {
      fail(path.empty() ? "'" + k + "'" : path + "." + k,
           "is not a known key (known: " + list + ")");
    }
  }
}

std::string getString(const json& obj, const std::string& path, const char* key,
                      const std::string& def, bool required = false) {
  if (!obj.contains(key)) {
    if (required) fail(path + "." + key, "is required");
    return def;
  }
  const auto& v = obj.at(key);
  if (!v.is_string()) fail(path + "." + key, "must be a string, got " + v.dump());
  return v.get<std::string>();
}

double getRatio(const json& obj, const std::string& path, const char* key, double def,
                bool allowZero) {
  if (!obj.contains(key)) return def;
  const auto& v = obj.at(key);
  if (!v.is_number() || v.get<double>() >= 1.0 || v.get<double>() < 0.0 ||
      (!allowZero && v.get<double>() == 0.0)) {
    fail(path + "." + key,
         fmt::format("must be a number in {}0, 1), got {}", allowZero ? "[" : "(", v.dump()));
  }
  return v.get<double>();
}

long long getInt(const json& obj, const std::string& path, const char* key, long long def,
                 long long min, long long max) {
  if (!obj.contains(key)) return def;
  const auto& v = obj.at(key);
  if (!v.is_number_integer() || v.get<long long>() < min || v.get<long long>() > max) {
    fail(path + "." + key, fmt::format("must be an integer in [{}, {}], got {}", min, max, v.dump()));
  }
  return v.get<long long>();
}

std::string resolve(const std::string& p, const std::string& baseDir) {
  fs::path path(p);
  if (path.is_absolute()) return path.lexically_normal().string();
  return (fs::path(baseDir) / path).lexically_normal().string();
}

}  // namespace

ExperimentConfig ExperimentConfig::fromJson(const json& j, const std::string& baseDir) {
  onlyKeys(j, "", {"name", "dataset", "split", "model", "eval", "preprocess", "early_stopping",
                   "seed", "threads", "update", "version"});
  ExperimentConfig c;
  c.name = getString(j, "", "name", "");

  // dataset
  if (!j.contains("dataset")) fail("dataset", "is required");
  const json& d = j.at("dataset");
  onlyKeys(d, "dataset",
           {"format", "path", "paths", "bad_rows", "mapping", "item_meta", "session_gap_minutes"});
  if (d.contains("session_gap_minutes")) {
    const auto& v = d.at("session_gap_minutes");
    if (!v.is_number() || !(v.get<double>() >= 0) || !std::isfinite(v.get<double>())) {
      fail("dataset.session_gap_minutes",
           "must be a number >= 0 (0 = do not cut sessions), got " + v.dump());
    }
    c.dataset.sessionGapMinutes = v.get<double>();
  }
  if (d.contains("item_meta")) {
    c.dataset.itemMeta = resolve(getString(d, "dataset", "item_meta", ""), baseDir);
  }
  c.dataset.format = getString(d, "dataset", "format", "auto");
  if (c.dataset.format != "auto") {
    try {
      data::parseFormatName(c.dataset.format);
    } catch (const InputError& e) {
      fail("dataset.format", e.what());
    }
  }
  if (d.contains("path") && d.contains("paths")) fail("dataset", "has both 'path' and 'paths'");
  if (d.contains("path")) {
    c.dataset.paths.push_back(resolve(getString(d, "dataset", "path", ""), baseDir));
  } else if (d.contains("paths")) {
    const auto& ps = d.at("paths");
    if (!ps.is_array() || ps.empty()) fail("dataset.paths", "must be a non-empty array of strings");
    for (const auto& p : ps) {
      if (!p.is_string()) fail("dataset.paths", "must hold strings, got " + p.dump());
      c.dataset.paths.push_back(resolve(p.get<std::string>(), baseDir));
    }
  } else {
    fail("dataset", "needs 'path' or 'paths'");
  }
  std::string bad = getString(d, "dataset", "bad_rows", "skip");
  if (bad != "skip" && bad != "stop") fail("dataset.bad_rows", "must be 'skip' or 'stop', got '" + bad + "'");
  c.dataset.badRows = bad == "skip" ? data::BadRowPolicy::Skip : data::BadRowPolicy::Stop;
  if (d.contains("mapping")) {
    const json& m = d.at("mapping");
    onlyKeys(m, "dataset.mapping", {"delimiter", "header", "user", "item", "event", "timestamp",
                                    "value", "session", "timestamp_unit"});
    data::ColumnMapping cm;
    std::string delim = getString(m, "dataset.mapping", "delimiter", ",");
    if (delim == "\\t" || delim == "tab") delim = "\t";
    if (delim.size() != 1) fail("dataset.mapping.delimiter", "must be one character, got '" + delim + "'");
    cm.delimiter = delim[0];
    if (m.contains("header")) {
      if (!m.at("header").is_boolean()) fail("dataset.mapping.header", "must be true or false");
      cm.hasHeader = m.at("header").get<bool>();
    }
    auto col = [&](const char* key, bool required) {
      if (!m.contains(key)) {
        if (required) fail(std::string("dataset.mapping.") + key, "is required");
        return std::string();
      }
      const auto& v = m.at(key);
      if (v.is_number_integer() && v.get<long long>() >= 0) return std::to_string(v.get<long long>());
      if (v.is_string() && !v.get<std::string>().empty()) return v.get<std::string>();
      fail(std::string("dataset.mapping.") + key, "must be a column index >= 0 or a header name");
    };
    cm.item = col("item", true);
    cm.user = col("user", false);
    cm.event = col("event", false);
    cm.timestamp = col("timestamp", false);
    cm.value = col("value", false);
    cm.session = col("session", false);
    cm.timestampUnit = getString(m, "dataset.mapping", "timestamp_unit", "unix_s");
    if (cm.timestampUnit != "unix_s" && cm.timestampUnit != "unix_ms" && cm.timestampUnit != "iso8601") {
      fail("dataset.mapping.timestamp_unit", "must be unix_s, unix_ms or iso8601, got '" + cm.timestampUnit + "'");
    }
    c.dataset.mapping = cm;
  }
  if (c.dataset.format == "csv" && !c.dataset.mapping) fail("dataset.mapping", "is required for format 'csv'");

  // split
  if (j.contains("split")) {
    const json& s = j.at("split");
    onlyKeys(s, "split", {"kind", "test_ratio", "valid_ratio", "folds", "fold", "n", "valid_n",
                          "test_days", "valid_days"});
    c.split.kind = getString(s, "split", "kind", "random");
    if (c.split.kind != "random" && c.split.kind != "kfold" && c.split.kind != "temporal" &&
        c.split.kind != "leave_last_n" && c.split.kind != "session_time" &&
        c.split.kind != "session_random") {
      fail("split.kind",
           "must be random, kfold, temporal, leave_last_n, session_time or session_random, got '" +
               c.split.kind + "'");
    }
    c.split.n = static_cast<int>(getInt(s, "split", "n", 1, 1, 1000000));
    c.split.validN = static_cast<int>(getInt(s, "split", "valid_n", 0, 0, 1000000));
    auto days = [&](const char* key, double def, bool allowZero) {
      if (!s.contains(key)) return def;
      const auto& v = s.at(key);
      if (!v.is_number() || v.get<double>() < 0 || (!allowZero && v.get<double>() == 0)) {
        fail(std::string("split.") + key,
             std::string("must be a number ") + (allowZero ? ">= 0" : "> 0") + ", got " + v.dump());
      }
      return v.get<double>();
    };
    c.split.testDays = days("test_days", 1.0, false);
    c.split.validDays = days("valid_days", 0.0, true);
    c.split.testRatio = getRatio(s, "split", "test_ratio", 0.2, false);
    c.split.validRatio = getRatio(s, "split", "valid_ratio", 0.0, true);
    c.split.folds = static_cast<int>(getInt(s, "split", "folds", 5, 2, 100));
    c.split.fold = static_cast<int>(getInt(s, "split", "fold", -1, -1, 99));
    if (c.split.fold >= c.split.folds) {
      fail("split.fold", "must be < split.folds (" + std::to_string(c.split.folds) + "), got " +
                             std::to_string(c.split.fold));
    }
  }

  // model
  if (!j.contains("model")) fail("model", "is required");
  const json& m = j.at("model");
  onlyKeys(m, "model", {"name", "params"});
  c.model.name = getString(m, "model", "name", "", true);
  try {
    c.model.params = models::Registry::instance().validate(
        c.model.name, m.contains("params") ? m.at("params") : json::object());
  } catch (const InputError& e) {
    fail("model:", e.what());
  }
  // File parameters (a feature configuration) resolve against the config's folder like the
  // dataset paths, so a preset can name files beside it.
  if (c.model.params.contains("features") && c.model.params.at("features").is_string() &&
      !c.model.params.at("features").get<std::string>().empty()) {
    c.model.params["features"] = resolve(c.model.params.at("features").get<std::string>(), baseDir);
  }

  // eval
  const auto* info = models::Registry::instance().find(c.model.name);
  if (j.contains("eval")) {
    const json& e = j.at("eval");
    onlyKeys(e, "eval", {"metrics", "k", "mask_seen", "sampled_negatives", "protocol",
                         "train_items_only", "threshold"});
    const bool session = info->task == models::Task::SessionNext;
    for (const char* key : {"protocol", "train_items_only"}) {
      if (e.contains(key) && !session) {
        fail(std::string("eval.") + key, "applies to session next-item models only; model '" +
                                             c.model.name + "' is a " +
                                             models::taskName(info->task) + " model");
      }
    }
    c.eval.protocol = getString(e, "eval", "protocol", "next_item");
    if (c.eval.protocol != "next_item" && c.eval.protocol != "thesis") {
      fail("eval.protocol", "must be 'next_item' or 'thesis', got '" + c.eval.protocol + "'");
    }
    if (e.contains("train_items_only")) {
      if (!e.at("train_items_only").is_boolean()) {
        fail("eval.train_items_only",
             "must be true or false, got " + e.at("train_items_only").dump());
      }
      c.eval.trainItemsOnly = e.at("train_items_only").get<bool>();
    }
    if (e.contains("threshold")) {
      if (info->task != models::Task::SessionPurchase) {
        fail("eval.threshold", "applies to session purchase models only; model '" +
                                   c.model.name + "' is a " + models::taskName(info->task) +
                                   " model");
      }
      const auto& t = e.at("threshold");
      if (!t.is_number() || !(t.get<double>() > 0.0 && t.get<double>() < 1.0)) {
        fail("eval.threshold", "must be a number in (0, 1), got " + t.dump());
      }
      c.eval.threshold = t.get<double>();
    }
    c.eval.sampledNegatives =
        static_cast<int>(getInt(e, "eval", "sampled_negatives", 0, 0, 1000000));
    if (e.contains("metrics")) {
      const auto& ms = e.at("metrics");
      if (!ms.is_array()) fail("eval.metrics", "must be an array of metric names");
      for (const auto& name : ms) {
        if (!name.is_string()) fail("eval.metrics", "must hold strings, got " + name.dump());
        std::string n = name.get<std::string>();
        const auto& known = knownMetrics();
        if (std::find(known.begin(), known.end(), n) == known.end()) {
          std::string list;
          for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
          fail("eval.metrics", "has unknown metric '" + n + "' (known: " + list + ")");
        }
        c.eval.metrics.push_back(n);
      }
    }
    if (e.contains("k")) {
      const auto& k = e.at("k");
      c.eval.ks.clear();
      auto addK = [&](const json& v) {
        if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 10000) {
          fail("eval.k", "must be an integer in [1, 10000] or a list of them, got " + v.dump());
        }
        c.eval.ks.push_back(v.get<int>());
      };
      if (k.is_array()) {
        if (k.empty()) fail("eval.k", "must not be empty");
        for (const auto& v : k) addK(v);
      } else {
        addK(k);
      }
    }
    if (e.contains("mask_seen")) {
      if (!e.at("mask_seen").is_boolean()) fail("eval.mask_seen", "must be true or false");
      c.eval.maskSeen = e.at("mask_seen").get<bool>();
    }
  }
  if (info->task == models::Task::SessionNext) {
    // Session defaults: the thesis' metrics at its cut-offs; prefix items are not masked.
    const json noEval = json::object();
    const json& e = j.contains("eval") ? j.at("eval") : noEval;
    if (!e.contains("k")) c.eval.ks = {1, 5, 10, 20};
    if (!e.contains("mask_seen")) c.eval.maskSeen = false;
    if (c.eval.metrics.empty()) c.eval.metrics = {"recall", "mrr", "hit_rate"};
    for (const auto& n : c.eval.metrics) {
      if (n != "recall" && n != "mrr" && n != "hit_rate") {
        fail("eval.metrics", "asks for '" + n + "' but session next-item model '" + c.model.name +
                                 "' is evaluated with recall, mrr and hit_rate only");
      }
    }
  }
  if (info->task == models::Task::SessionPurchase) {
    if (c.eval.metrics.empty()) c.eval.metrics = {"auc", "log_loss", "accuracy", "pr_auc"};
    for (const auto& n : c.eval.metrics) {
      if (n != "auc" && n != "log_loss" && n != "accuracy" && n != "pr_auc" &&
          n != "precision" && n != "recall" && n != "f1") {
        fail("eval.metrics", "asks for '" + n + "' but session purchase model '" + c.model.name +
                                 "' is evaluated with auc, log_loss, accuracy, pr_auc, precision, "
                                 "recall and f1 only");
      }
    }
  }
  if (c.eval.metrics.empty()) {
    if (info->task == models::Task::Rating) c.eval.metrics = {"rmse", "mae", "r2", "recall", "ndcg"};
    else if (info->task == models::Task::Classification)
      c.eval.metrics = {"accuracy", "auc", "log_loss", "macro_f1"};
    else c.eval.metrics = {"precision", "recall", "hit_rate", "mrr", "ndcg"};
  }
  const auto isClassificationMetric = [](const std::string& n) {
    return n == "accuracy" || n == "auc" || n == "log_loss" || n == "macro_f1";
  };
  for (const auto& n : c.eval.metrics) {
    if (info->task == models::Task::SessionPurchase) break;  // checked above
    if (n == "pr_auc" || n == "f1") {
      fail("eval.metrics", "asks for '" + n + "' but model '" + c.model.name + "' is a " +
                               models::taskName(info->task) +
                               " model (it is a session purchase metric)");
    }
    if ((n == "rmse" || n == "mae" || n == "r2") && info->task != models::Task::Rating) {
      fail("eval.metrics", "asks for '" + n + "' but model '" + c.model.name +
                               "' does not predict ratings");
    }
    if (isClassificationMetric(n) != (info->task == models::Task::Classification)) {
      fail("eval.metrics", "asks for '" + n + "' but model '" + c.model.name + "' is a " +
                               models::taskName(info->task) + " model");
    }
  }

  if (j.contains("preprocess")) {
    const json& p = j.at("preprocess");
    onlyKeys(p, "preprocess", {"min_item_support", "min_session_length", "dedup", "classic_srgnn"});
    c.preprocess.minItemSupport =
        static_cast<int>(getInt(p, "preprocess", "min_item_support", 0, 0, 1000000000));
    c.preprocess.minSessionLength =
        static_cast<int>(getInt(p, "preprocess", "min_session_length", 0, 0, 1000000));
    c.preprocess.dedup = getString(p, "preprocess", "dedup", "off");
    if (c.preprocess.dedup != "off" && c.preprocess.dedup != "consecutive") {
      fail("preprocess.dedup", "must be 'off' or 'consecutive', got '" + c.preprocess.dedup + "'");
    }
    if (p.contains("classic_srgnn")) {
      if (!p.at("classic_srgnn").is_boolean()) {
        fail("preprocess.classic_srgnn",
             "must be true or false, got " + p.at("classic_srgnn").dump());
      }
      c.preprocess.classicSrgnn = p.at("classic_srgnn").get<bool>();
    }
  }

  if (j.contains("early_stopping")) {
    const json& e = j.at("early_stopping");
    onlyKeys(e, "early_stopping", {"metric", "patience", "mode", "min_delta"});
    c.earlyStopping.metric = getString(e, "early_stopping", "metric", "", true);
    c.earlyStopping.patience = static_cast<int>(getInt(e, "early_stopping", "patience", 3, 1, 10000));
    c.earlyStopping.mode = getString(e, "early_stopping", "mode", "min");
    if (c.earlyStopping.mode != "min" && c.earlyStopping.mode != "max") {
      fail("early_stopping.mode", "must be 'min' or 'max', got '" + c.earlyStopping.mode + "'");
    }
    if (e.contains("min_delta")) {
      const auto& v = e.at("min_delta");
      if (!v.is_number() || v.get<double>() < 0) {
        fail("early_stopping.min_delta", "must be a number >= 0, got " + v.dump());
      }
      c.earlyStopping.minDelta = v.get<double>();
    }
    if (c.earlyStopping.metric.rfind("val_", 0) == 0 && c.split.validRatio <= 0) {
      fail("early_stopping", "watches '" + c.earlyStopping.metric +
                                 "' but split.valid_ratio is 0: carve a validation set");
    }
  }

  const long long seed = getInt(j, "", "seed", 0, 0, (1LL << 53));
  c.seed = static_cast<std::uint64_t>(seed);
  c.threads = static_cast<int>(getInt(j, "", "threads", 0, 0, 256));

  if (j.contains("update")) {
    const json& u = j.at("update");
    onlyKeys(u, "update", {"parent_run", "paths", "format", "epochs", "replay_ratio", "fold_in",
                           "new_test_ratio", "seed"});
    UpdateSpec spec;
    if (!u.contains("parent_run")) fail("update.parent_run", "is required");
    spec.parentRun = getInt(u, "update", "parent_run", 0, 1, (1LL << 53));
    if (u.contains("paths")) {
      const auto& ps = u.at("paths");
      if (!ps.is_array()) fail("update.paths", "must be an array of strings, got " + ps.dump());
      for (const auto& p : ps) {
        if (!p.is_string()) fail("update.paths", "must hold strings, got " + p.dump());
        spec.paths.push_back(p.get<std::string>());
      }
    }
    spec.format = getString(u, "update", "format", "");
    spec.epochs = static_cast<int>(getInt(u, "update", "epochs", 1, 0, 100000));
    if (u.contains("replay_ratio")) {
      const auto& v = u.at("replay_ratio");
      if (!v.is_number() || v.get<double>() < 0) {
        fail("update.replay_ratio", "must be a number >= 0, got " + v.dump());
      }
      spec.replayRatio = v.get<double>();
    }
    if (u.contains("fold_in")) {
      if (!u.at("fold_in").is_boolean()) {
        fail("update.fold_in", "must be true or false, got " + u.at("fold_in").dump());
      }
      spec.foldIn = u.at("fold_in").get<bool>();
    }
    spec.newTestRatio = getRatio(u, "update", "new_test_ratio", 0.0, true);
    spec.seed = static_cast<std::uint64_t>(getInt(u, "update", "seed", 0, 0, (1LL << 53)));
    c.update = spec;
  }
  return c;
}

json UpdateSpec::toJson() const {
  return {{"parent_run", parentRun},
          {"paths", paths},
          {"format", format},
          {"epochs", epochs},
          {"replay_ratio", replayRatio},
          {"fold_in", foldIn},
          {"new_test_ratio", newTestRatio},
          {"seed", seed}};
}

ExperimentConfig ExperimentConfig::fromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open config file");
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded()) throw InputError(path + ": not valid JSON");
  try {
    auto base = fs::path(path).parent_path().string();
    return fromJson(j, base.empty() ? "." : base);
  } catch (const InputError& e) {
    throw InputError(path + ": " + e.what());
  }
}

json ExperimentConfig::toJson() const {
  json j;
  j["version"] = 1;
  if (!name.empty()) j["name"] = name;
  j["dataset"]["format"] = dataset.format;
  j["dataset"]["paths"] = dataset.paths;
  j["dataset"]["bad_rows"] = dataset.badRows == data::BadRowPolicy::Skip ? "skip" : "stop";
  if (!dataset.itemMeta.empty()) j["dataset"]["item_meta"] = dataset.itemMeta;
  if (dataset.sessionGapMinutes) j["dataset"]["session_gap_minutes"] = *dataset.sessionGapMinutes;
  if (dataset.mapping) {
    const auto& m = *dataset.mapping;
    json mj;
    mj["delimiter"] = std::string(1, m.delimiter);
    mj["header"] = m.hasHeader;
    mj["item"] = m.item;
    if (!m.user.empty()) mj["user"] = m.user;
    if (!m.event.empty()) mj["event"] = m.event;
    if (!m.timestamp.empty()) mj["timestamp"] = m.timestamp;
    if (!m.value.empty()) mj["value"] = m.value;
    if (!m.session.empty()) mj["session"] = m.session;
    mj["timestamp_unit"] = m.timestampUnit;
    j["dataset"]["mapping"] = mj;
  }
  j["split"] = {{"kind", split.kind},
                {"test_ratio", split.testRatio},
                {"valid_ratio", split.validRatio},
                {"folds", split.folds},
                {"fold", split.fold},
                {"n", split.n},
                {"valid_n", split.validN},
                {"test_days", split.testDays},
                {"valid_days", split.validDays}};
  if (preprocess.minItemSupport > 0) {
    j["preprocess"]["min_item_support"] = preprocess.minItemSupport;
  }
  if (preprocess.minSessionLength > 0) {
    j["preprocess"]["min_session_length"] = preprocess.minSessionLength;
  }
  if (preprocess.dedup != "off") j["preprocess"]["dedup"] = preprocess.dedup;
  if (preprocess.classicSrgnn) j["preprocess"]["classic_srgnn"] = true;
  j["model"] = {{"name", model.name}, {"params", model.params}};
  j["eval"] = {{"metrics", eval.metrics}, {"k", eval.ks}, {"mask_seen", eval.maskSeen}};
  if (eval.sampledNegatives > 0) j["eval"]["sampled_negatives"] = eval.sampledNegatives;
  if (const auto* info = models::Registry::instance().find(model.name);
      info && info->task == models::Task::SessionNext) {
    j["eval"]["protocol"] = eval.protocol;
    j["eval"]["train_items_only"] = eval.trainItemsOnly;
  }
  if (const auto* info = models::Registry::instance().find(model.name);
      info && info->task == models::Task::SessionPurchase) {
    j["eval"]["threshold"] = eval.threshold;
  }
  if (!earlyStopping.metric.empty()) {
    j["early_stopping"] = {{"metric", earlyStopping.metric},
                           {"patience", earlyStopping.patience},
                           {"mode", earlyStopping.mode},
                           {"min_delta", earlyStopping.minDelta}};
  }
  j["seed"] = seed;
  j["threads"] = threads;
  if (update) j["update"] = update->toJson();
  return j;
}

int ExperimentConfig::effectiveThreads() const {
  if (threads > 0) return threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace reclab::experiment

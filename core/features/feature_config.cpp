#include "features/feature_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "common/errors.h"
#include "features/derivations.h"

namespace reclab::features {

using nlohmann::json;

namespace {

constexpr int kFormatVersion = 1;

template <typename E>
struct NamedValue {
  const char* text;
  E value;
};

constexpr NamedValue<Source> kSources[] = {{"column", Source::Column},
                                           {"item_property", Source::ItemProperty},
                                           {"user_property", Source::UserProperty},
                                           {"derived", Source::Derived}};
constexpr NamedValue<Encoder> kEncoders[] = {{"index", Encoder::Index},
                                             {"standardise", Encoder::Standardise},
                                             {"minmax", Encoder::MinMax},
                                             {"log", Encoder::Log},
                                             {"cyclic_hour", Encoder::CyclicHour},
                                             {"cyclic_weekday", Encoder::CyclicWeekday},
                                             {"identity", Encoder::Identity}};
constexpr NamedValue<Missing> kMissing[] = {{"zero", Missing::Zero},
                                            {"mean", Missing::Mean},
                                            {"bucket", Missing::Bucket},
                                            {"error", Missing::Error}};

template <typename E, std::size_t N>
std::string nameOf(const NamedValue<E> (&table)[N], E value) {
  for (const auto& nv : table)
    if (nv.value == value) return nv.text;
  return "?";
}

template <typename E, std::size_t N>
std::string joinNames(const NamedValue<E> (&table)[N]) {
  std::string out;
  for (const auto& nv : table) out += (out.empty() ? "" : ", ") + std::string(nv.text);
  return out;
}

std::string joinList(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

/// Throws "<origin>: <path>: <what>".
[[noreturn]] void fail(const std::string& origin, const std::string& path,
                       const std::string& what) {
  if (path.empty()) throw InputError(fmt::format("{}: {}", origin, what));
  throw InputError(fmt::format("{}: {}: {}", origin, path, what));
}

std::string child(const std::string& path, const char* key) {
  return path.empty() ? std::string(key) : path + "." + key;
}

void onlyKeys(const json& obj, const std::string& origin, const std::string& path,
              std::initializer_list<const char*> keys) {
  if (!obj.is_object()) {
    fail(origin, path, fmt::format("must be an object, got {}", obj.type_name()));
  }
  for (const auto& [k, v] : obj.items()) {
    const bool known =
        std::any_of(keys.begin(), keys.end(), [&](const char* key) { return k == key; });
    if (!known) {
      std::string list;
      for (const char* key : keys) list += (list.empty() ? "" : ", ") + std::string(key);
      fail(origin, path, fmt::format("'{}' is not a known key (known: {})", k, list));
    }
  }
}

std::string getString(const json& obj, const std::string& origin, const std::string& path,
                      const char* key, bool required, const std::string& def = {}) {
  if (!obj.contains(key)) {
    if (required) fail(origin, path, fmt::format("'{}' is required", key));
    return def;
  }
  const auto& v = obj.at(key);
  if (!v.is_string()) {
    fail(origin, child(path, key), fmt::format("must be a string, got {}", v.dump()));
  }
  return v.get<std::string>();
}

template <typename E, std::size_t N>
E getEnum(const json& obj, const std::string& origin, const std::string& path, const char* key,
          const NamedValue<E> (&table)[N], E def) {
  if (!obj.contains(key)) return def;
  const auto& v = obj.at(key);
  if (!v.is_string()) {
    fail(origin, child(path, key),
         fmt::format("must be a string, one of {}; got {}", joinNames(table), v.dump()));
  }
  const auto text = v.get<std::string>();
  for (const auto& nv : table)
    if (text == nv.text) return nv.value;
  fail(origin, child(path, key), fmt::format("'{}' is not one of {}", text, joinNames(table)));
}

/// What an attribute's source is, for messages: "item property 'price'".
std::string describeSource(const AttributeSpec& a) {
  switch (a.source) {
    case Source::Column:
      return fmt::format("column '{}'", a.from);
    case Source::ItemProperty:
      return fmt::format("item property '{}'", a.from);
    case Source::UserProperty:
      return fmt::format("user property '{}'", a.from);
    case Source::Derived:
      return fmt::format("derivation '{}'", a.from);
  }
  return a.from;
}

std::vector<std::string> propertyNames(const data::AttributeTable& table) {
  std::vector<std::string> names;
  for (const auto& a : table.attributes()) names.push_back(a.name);
  return names;
}

/// Checks an enabled attribute against the log; returns the reason it cannot be computed, or
/// an empty string.
std::string checkAgainstLog(const AttributeSpec& a, const data::InteractionLog& log) {
  switch (a.source) {
    case Source::Column: {
      const bool present = (a.from == "user" && log.hasUsers()) || a.from == "item" ||
                           (a.from == "event" && log.hasEvents()) ||
                           (a.from == "timestamp" && log.hasTimestamps()) ||
                           (a.from == "value" && log.hasValues()) ||
                           (a.from == "session" && log.hasSessions());
      return present ? std::string() : fmt::format("the log has no '{}' column", a.from);
    }
    case Source::ItemProperty:
    case Source::UserProperty: {
      const bool item = a.source == Source::ItemProperty;
      const auto& table = item ? log.itemAttributes : log.userAttributes;
      if (!item && !log.hasUsers()) return "the log has no user column";
      const data::Attribute* attr = table.find(a.from);
      if (!attr) {
        const auto names = propertyNames(table);
        return fmt::format(
            "the log has no {} property '{}' ({})", item ? "item" : "user", a.from,
            names.empty() ? std::string("it has none") : "it has: " + joinList(names));
      }
      if (attr->kind != data::Attribute::Kind::Numeric && a.encoder != Encoder::Index) {
        return fmt::format("the property is categorical; encoder '{}' needs a number (use index)",
                           toString(a.encoder));
      }
      return {};
    }
    case Source::Derived:
      return derivationUnavailable(a, log);
  }
  return {};
}

}  // namespace

std::string toString(Source s) { return nameOf(kSources, s); }
std::string toString(Encoder e) { return nameOf(kEncoders, e); }
std::string toString(Missing m) { return nameOf(kMissing, m); }

std::vector<std::string> columnNames() {
  return {"user", "item", "event", "timestamp", "value", "session"};
}

bool isAlwaysCategorical(const AttributeSpec& spec) {
  if (spec.source == Source::Column) {
    return spec.from == "user" || spec.from == "item" || spec.from == "event" ||
           spec.from == "session";
  }
  return spec.source == Source::Derived && spec.from == "session_id";
}

FeatureConfig FeatureConfig::fromJson(const json& j, const std::string& origin) {
  onlyKeys(j, origin, "", {"version", "description", "session_gap_minutes", "attributes"});
  FeatureConfig c;
  if (j.contains("version")) {
    const auto& v = j.at("version");
    if (!v.is_number_integer()) fail(origin, "version", "must be an integer, got " + v.dump());
    c.version = v.get<int>();
    if (c.version > kFormatVersion) {
      fail(origin, "version",
           fmt::format("{} is newer than this RecLab reads ({}); update RecLab", c.version,
                       kFormatVersion));
    }
  }
  c.description = getString(j, origin, "", "description", false);
  if (j.contains("session_gap_minutes")) {
    const auto& v = j.at("session_gap_minutes");
    if (!v.is_number()) fail(origin, "session_gap_minutes", "must be a number, got " + v.dump());
    c.sessionGapMinutes = v.get<double>();
  }
  if (!j.contains("attributes")) fail(origin, "", "'attributes' is required");
  const auto& attrs = j.at("attributes");
  if (!attrs.is_array()) {
    fail(origin, "attributes", fmt::format("must be an array, got {}", attrs.type_name()));
  }
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    const std::string path = fmt::format("attributes[{}]", i);
    const json& a = attrs[i];
    onlyKeys(a, origin, path,
             {"name", "source", "from", "encoder", "missing", "enabled", "max_categories"});
    AttributeSpec s;
    s.name = getString(a, origin, path, "name", true);
    s.source = getEnum(a, origin, path, "source", kSources, Source::Derived);
    s.from = getString(a, origin, path, "from", true);
    s.encoder = getEnum(a, origin, path, "encoder", kEncoders, Encoder::Identity);
    s.missing = getEnum(a, origin, path, "missing", kMissing, Missing::Zero);
    if (a.contains("enabled")) {
      if (!a.at("enabled").is_boolean()) {
        fail(origin, path + ".enabled", "must be true or false, got " + a.at("enabled").dump());
      }
      s.enabled = a.at("enabled").get<bool>();
    }
    if (a.contains("max_categories")) {
      const auto& v = a.at("max_categories");
      if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 1'000'000'000) {
        fail(origin, path + ".max_categories",
             "must be an integer >= 0 (0 keeps every value), got " + v.dump());
      }
      s.maxCategories = v.get<int>();
    }
    c.attributes.push_back(std::move(s));
  }
  try {
    c.validate();
  } catch (const InputError& e) {
    // validate() prefixes "feature config: "; replace it with the origin.
    const std::string msg = e.what();
    const std::string prefix = "feature config: ";
    throw InputError(origin + ": " + (msg.rfind(prefix, 0) == 0 ? msg.substr(prefix.size()) : msg));
  }
  return c;
}

json FeatureConfig::toJson() const {
  json j;
  j["version"] = version;
  if (!description.empty()) j["description"] = description;
  j["session_gap_minutes"] = sessionGapMinutes;
  j["attributes"] = json::array();
  for (const auto& a : attributes) {
    json o;
    o["name"] = a.name;
    o["source"] = toString(a.source);
    o["from"] = a.from;
    o["encoder"] = toString(a.encoder);
    o["missing"] = toString(a.missing);
    o["enabled"] = a.enabled;
    if (a.maxCategories != 0) o["max_categories"] = a.maxCategories;
    j["attributes"].push_back(std::move(o));
  }
  return j;
}

FeatureConfig FeatureConfig::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open feature config");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    // Line and column of the byte where parsing failed (1-based).
    const std::size_t end = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string reason = e.what();
    const auto colon = reason.find(": ", reason.find("column"));
    if (colon != std::string::npos) reason = reason.substr(colon + 2);
    throw InputError(fmt::format("{}:{}:{}: not valid JSON: {}", path, line, column, reason));
  }
  return fromJson(j, path);
}

void FeatureConfig::save(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw InputError(path + ": cannot write feature config");
  out << toJson().dump(2) << "\n";
  if (!out) throw InputError(path + ": write failed");
}

void FeatureConfig::validate(const data::InteractionLog* log) const {
  const std::string origin = "feature config";
  if (version != kFormatVersion) {
    fail(origin, "version", fmt::format("must be {}, got {}", kFormatVersion, version));
  }
  if (!std::isfinite(sessionGapMinutes) || sessionGapMinutes <= 0) {
    fail(origin, "session_gap_minutes", fmt::format("must be > 0, got {}", sessionGapMinutes));
  }
  const auto derivations = derivationNames();
  const auto columns = columnNames();
  std::map<std::string, std::size_t> byName;
  std::map<std::string, std::string> outputs;  // encoded output name -> attribute name
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    const AttributeSpec& a = attributes[i];
    const std::string path = fmt::format("attributes[{}]", i);
    if (a.name.empty()) fail(origin, path + ".name", "must not be empty");
    if (auto [it, fresh] = byName.emplace(a.name, i); !fresh) {
      fail(origin, path + ".name",
           fmt::format("'{}' is already the name of attributes[{}]", a.name, it->second));
    }
    if (a.from.empty()) fail(origin, path + ".from", "must not be empty");
    if (a.source == Source::Column &&
        std::find(columns.begin(), columns.end(), a.from) == columns.end()) {
      fail(origin, path + ".from",
           fmt::format("'{}' is not a column (columns: {})", a.from, joinList(columns)));
    }
    if (a.source == Source::Derived &&
        std::find(derivations.begin(), derivations.end(), a.from) == derivations.end()) {
      fail(
          origin, path + ".from",
          fmt::format("'{}' is not a derivation (derivations: {})", a.from, joinList(derivations)));
    }
    const bool index = a.encoder == Encoder::Index;
    if (isAlwaysCategorical(a) && !index) {
      fail(origin, path + ".encoder",
           fmt::format("'{}' needs a number, but {} is categorical (use index)",
                       toString(a.encoder), describeSource(a)));
    }
    if (a.maxCategories < 0) {
      fail(origin, path + ".max_categories", fmt::format("must be >= 0, got {}", a.maxCategories));
    }
    if (a.maxCategories != 0 && !index) {
      fail(origin, path + ".max_categories",
           fmt::format("applies to the index encoder only, not '{}'", toString(a.encoder)));
    }
    if (a.missing == Missing::Bucket && !index) {
      fail(origin, path + ".missing",
           fmt::format("'bucket' applies to the index encoder only, not '{}' (use zero, mean "
                       "or error)",
                       toString(a.encoder)));
    }
    if (a.missing == Missing::Mean && index) {
      fail(origin, path + ".missing",
           "'mean' applies to numeric encoders only, not 'index' (use bucket, zero or error)");
    }
    if (!a.enabled) continue;
    std::vector<std::string> outs;
    if (a.encoder == Encoder::CyclicHour || a.encoder == Encoder::CyclicWeekday) {
      outs = {a.name + "_sin", a.name + "_cos"};
    } else {
      outs = {a.name};
    }
    for (const auto& o : outs) {
      if (auto [it, fresh] = outputs.emplace(o, a.name); !fresh) {
        fail(origin, path + ".name",
             fmt::format("encoded feature '{}' of '{}' clashes with one of '{}'", o, a.name,
                         it->second));
      }
    }
    if (log) {
      const std::string why = checkAgainstLog(a, *log);
      if (!why.empty()) {
        fail(origin, path, fmt::format("'{}' ({}): {}", a.name, describeSource(a), why));
      }
    }
  }
}

std::vector<std::string> derivationNames() {
  return {"timestamp",
          "hour",
          "day_of_week",
          "price",
          "category",
          "available",
          "age",
          "gender",
          "session_id",
          "session_position",
          "session_length",
          "session_duration",
          "time_since_previous",
          "user_views_so_far",
          "user_addtocarts_so_far",
          "user_transactions_so_far",
          "item_popularity_so_far"};
}

FeatureConfig defaultFeatureConfig(const data::InteractionLog& log) {
  struct Default {
    const char* from;
    Encoder encoder;
    Missing missing;
  };
  // One line per SPEC A attribute: categories get an index with their own missing bucket,
  // counts and durations (heavy-tailed) log1p, clock time the cyclic encoders.
  static const Default kDefaults[] = {
      {"timestamp", Encoder::Standardise, Missing::Mean},
      {"hour", Encoder::CyclicHour, Missing::Zero},
      {"day_of_week", Encoder::CyclicWeekday, Missing::Zero},
      {"price", Encoder::Log, Missing::Mean},
      {"category", Encoder::Index, Missing::Bucket},
      {"available", Encoder::Index, Missing::Bucket},
      {"age", Encoder::Standardise, Missing::Mean},
      {"gender", Encoder::Index, Missing::Bucket},
      {"session_id", Encoder::Index, Missing::Bucket},
      {"session_position", Encoder::Log, Missing::Zero},
      {"session_length", Encoder::Log, Missing::Zero},
      {"session_duration", Encoder::Log, Missing::Zero},
      {"time_since_previous", Encoder::Log, Missing::Mean},
      {"user_views_so_far", Encoder::Log, Missing::Zero},
      {"user_addtocarts_so_far", Encoder::Log, Missing::Zero},
      {"user_transactions_so_far", Encoder::Log, Missing::Zero},
      {"item_popularity_so_far", Encoder::Log, Missing::Zero},
  };
  FeatureConfig c;
  c.description = "default for the loaded dataset";
  for (const auto& d : kDefaults) {
    AttributeSpec a;
    a.name = d.from;
    a.source = Source::Derived;
    a.from = d.from;
    a.encoder = d.encoder;
    a.missing = d.missing;
    if (!derivationUnavailable(a, log).empty()) continue;
    c.attributes.push_back(std::move(a));
  }
  return c;
}

}  // namespace reclab::features

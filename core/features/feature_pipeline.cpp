#include "features/feature_pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "common/errors.h"

namespace reclab::features {

using nlohmann::json;

namespace {

constexpr const char* kStateFormat = "reclab.feature_pipeline";
constexpr int kStateVersion = 1;
constexpr std::int32_t kOov = 0;
constexpr std::int32_t kMissingBucket = 1;
constexpr std::int32_t kFirstValue = 2;

int outputWidth(const AttributeSpec& a) {
  if (a.encoder == Encoder::Index) return 0;
  return a.encoder == Encoder::CyclicHour || a.encoder == Encoder::CyclicWeekday ? 2 : 1;
}

[[noreturn]] void missingError(const AttributeSpec& a, const RawColumn& c, std::uint32_t row) {
  throw InputError(
      fmt::format("features: '{}' ({}): value missing at row {}, and its missing policy is 'error'",
                  a.name, c.source, row));
}

void checkRows(const std::vector<std::uint32_t>& rows, std::size_t numRows, const char* what) {
  for (std::uint32_t r : rows) {
    if (r >= numRows) {
      throw InputError(fmt::format("features: {} row {} is out of range (the log has {} rows)",
                                   what, r, numRows));
    }
  }
}

/// Encodes one raw value of a continuous attribute into out[0] (and out[1] for cyclic).
void encodeContinuous(const AttributeSpec& a, const FittedAttribute& f, const RawColumn& c,
                      std::uint32_t row, float* out) {
  double x = c.numeric[row];
  if (std::isnan(x)) {
    switch (a.missing) {
      case Missing::Mean:
        x = f.mean;
        break;
      case Missing::Error:
        missingError(a, c, row);
      default:
        x = 0;
        break;
    }
  }
  switch (a.encoder) {
    case Encoder::Standardise:
      out[0] = static_cast<float>((x - f.mean) / (f.std > 0 ? f.std : 1.0));
      break;
    case Encoder::MinMax: {
      const double range = f.max - f.min;
      out[0] = static_cast<float>((x - f.min) / (range > 0 ? range : 1.0));
      break;
    }
    case Encoder::Log:
      out[0] = static_cast<float>(std::log1p(std::max(x, 0.0)));
      break;
    case Encoder::CyclicHour:
    case Encoder::CyclicWeekday: {
      const double period = a.encoder == Encoder::CyclicHour ? 24.0 : 7.0;
      const double angle = 2.0 * std::numbers::pi * x / period;
      out[0] = static_cast<float>(std::sin(angle));
      out[1] = static_cast<float>(std::cos(angle));
      break;
    }
    default:
      out[0] = static_cast<float>(x);
      break;
  }
}

std::vector<std::size_t> enabledIndices(const FeatureConfig& c) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < c.attributes.size(); ++i)
    if (c.attributes[i].enabled) out.push_back(i);
  return out;
}

}  // namespace

FeaturePipeline::FeaturePipeline(FeatureConfig config) : m_config(std::move(config)) {
  m_config.validate();
}

FeaturePipeline::FeaturePipeline(const FeaturePipeline& other)
    : m_config(other.m_config),
      m_fitted(other.m_fitted),
      m_fittedAttributes(other.m_fittedAttributes),
      m_fitRawId(other.m_fitRawId),
      m_fitCodeIndex(other.m_fitCodeIndex) {
  buildLookups();
}

FeaturePipeline& FeaturePipeline::operator=(const FeaturePipeline& other) {
  if (this != &other) {
    m_config = other.m_config;
    m_fitted = other.m_fitted;
    m_fittedAttributes = other.m_fittedAttributes;
    m_fitRawId = other.m_fitRawId;
    m_fitCodeIndex = other.m_fitCodeIndex;
    buildLookups();
  }
  return *this;
}

RawFeatures FeaturePipeline::derive(const data::InteractionLog& log, const StopToken& stop) const {
  return deriveRaw(m_config, log, stop);
}

void FeaturePipeline::fit(const data::InteractionLog& log,
                          const std::vector<std::uint32_t>& trainRows, split::LeakageGuard& guard,
                          const StopToken& stop) {
  if (trainRows.empty()) throw InputError("features: cannot fit on an empty set of training rows");
  checkRows(trainRows, log.numRows(), "training");
  const RawFeatures raw = derive(log, stop);
  fit(raw, trainRows, guard, stop);
}

void FeaturePipeline::fit(const RawFeatures& raw, const std::vector<std::uint32_t>& trainRows,
                          split::LeakageGuard& guard, const StopToken& stop) {
  if (trainRows.empty()) throw InputError("features: cannot fit on an empty set of training rows");
  checkRows(trainRows, raw.rows, "training");
  if (raw.attributeOf != enabledIndices(m_config)) {
    throw std::logic_error("FeaturePipeline::fit: raw values were derived from another config");
  }
  m_fitted = false;
  m_fittedAttributes.clear();
  std::vector<std::vector<std::int32_t>> codeIndex(raw.columns.size());
  for (std::size_t k = 0; k < raw.columns.size(); ++k) {
    stop.throwIfStopped();
    const AttributeSpec& a = m_config.attributes[raw.attributeOf[k]];
    const RawColumn& c = raw.columns[k];
    FittedAttribute f;
    f.name = a.name;
    f.fittedOn = guard.record("features." + a.name, trainRows);
    if (c.categorical) {
      std::vector<std::uint32_t> counts(static_cast<std::size_t>(c.numCodes), 0);
      for (std::uint32_t r : trainRows) {
        const std::int32_t code = c.codes[r];
        if (code < 0) {
          if (a.missing == Missing::Error) missingError(a, c, r);
          continue;
        }
        ++counts[static_cast<std::size_t>(code)];
        ++f.count;
      }
      // Most frequent first; ties in code order (stable sort), so the order is fixed by the log.
      std::vector<std::int32_t> kept;
      for (std::size_t code = 0; code < counts.size(); ++code) {
        if (counts[code] > 0) kept.push_back(static_cast<std::int32_t>(code));
      }
      std::stable_sort(kept.begin(), kept.end(), [&](std::int32_t x, std::int32_t y) {
        return counts[static_cast<std::size_t>(x)] > counts[static_cast<std::size_t>(y)];
      });
      if (a.maxCategories > 0 && kept.size() > static_cast<std::size_t>(a.maxCategories)) {
        kept.resize(static_cast<std::size_t>(a.maxCategories));
      }
      codeIndex[k].assign(counts.size(), kOov);
      f.vocabulary.reserve(kept.size());
      for (std::size_t v = 0; v < kept.size(); ++v) {
        if ((v & 0xFFFF) == 0xFFFF) stop.throwIfStopped();
        f.vocabulary.push_back(c.keyOf(kept[v]));
        codeIndex[k][static_cast<std::size_t>(kept[v])] =
            kFirstValue + static_cast<std::int32_t>(v);
      }
    } else {
      double sum = 0, sumSq = 0;
      bool first = true;
      for (std::uint32_t r : trainRows) {
        const float x = c.numeric[r];
        if (std::isnan(x)) {
          if (a.missing == Missing::Error) missingError(a, c, r);
          continue;
        }
        ++f.count;
        sum += x;
        if (first || x < f.min) f.min = x;
        if (first || x > f.max) f.max = x;
        first = false;
      }
      if (f.count > 0) {
        f.mean = sum / static_cast<double>(f.count);
        for (std::uint32_t r : trainRows) {
          const float x = c.numeric[r];
          if (!std::isnan(x)) sumSq += (x - f.mean) * (x - f.mean);
        }
        f.std = std::sqrt(sumSq / static_cast<double>(f.count));
      }
    }
    m_fittedAttributes.push_back(std::move(f));
  }
  buildLookups();
  m_fitRawId = raw.id;
  m_fitCodeIndex = std::move(codeIndex);
  m_fitted = true;
}

void FeaturePipeline::buildLookups() {
  m_lookup.assign(m_fittedAttributes.size(), {});
  for (std::size_t k = 0; k < m_fittedAttributes.size(); ++k) {
    const auto& vocab = m_fittedAttributes[k].vocabulary;
    m_lookup[k].reserve(vocab.size());
    for (std::size_t v = 0; v < vocab.size(); ++v) {
      m_lookup[k].emplace(vocab[v], kFirstValue + static_cast<std::int32_t>(v));
    }
  }
}

void FeaturePipeline::requireFitted() const {
  if (!m_fitted) throw std::logic_error("FeaturePipeline: transform or state before fit");
}

EncodedFeatures FeaturePipeline::transform(const data::InteractionLog& log,
                                           const std::vector<std::uint32_t>& rows) const {
  requireFitted();
  checkRows(rows, log.numRows(), "requested");
  return transform(derive(log, StopToken()), rows);
}

EncodedFeatures FeaturePipeline::transform(const RawFeatures& raw,
                                           const std::vector<std::uint32_t>& rows) const {
  requireFitted();
  checkRows(rows, raw.rows, "requested");
  if (raw.attributeOf != enabledIndices(m_config)) {
    throw std::logic_error(
        "FeaturePipeline::transform: raw values were derived from another config");
  }
  EncodedFeatures out;
  out.rows = rows.size();
  for (std::size_t k = 0; k < raw.columns.size(); ++k) {
    const AttributeSpec& a = m_config.attributes[raw.attributeOf[k]];
    if (a.encoder == Encoder::Index) {
      out.categoricalNames.push_back(a.name);
      out.cardinalities.push_back(
          kFirstValue + static_cast<std::int32_t>(m_fittedAttributes[k].vocabulary.size()));
    } else if (outputWidth(a) == 2) {
      out.continuousNames.push_back(a.name + "_sin");
      out.continuousNames.push_back(a.name + "_cos");
    } else {
      out.continuousNames.push_back(a.name);
    }
  }
  const std::size_t nCat = out.categoricalNames.size();
  const std::size_t nCont = out.continuousNames.size();
  out.categorical.assign(rows.size() * nCat, 0);
  out.continuous.assign(rows.size() * nCont, 0.0f);
  std::size_t catCol = 0, contCol = 0;
  for (std::size_t k = 0; k < raw.columns.size(); ++k) {
    const AttributeSpec& a = m_config.attributes[raw.attributeOf[k]];
    const RawColumn& c = raw.columns[k];
    const FittedAttribute& f = m_fittedAttributes[k];
    if (a.encoder == Encoder::Index) {
      // Code -> encoded index: from fit when these are the raw values it saw, else resolved
      // through the code's text the first time the code is seen (a table over all codes for
      // large requests, a hash map for small batches).
      const bool known = raw.id != 0 && raw.id == m_fitRawId;
      const std::vector<std::int32_t>* fitTable = known ? &m_fitCodeIndex[k] : nullptr;
      const bool dense = !known && rows.size() * 4 >= static_cast<std::size_t>(c.numCodes);
      std::vector<std::int32_t> table(dense ? static_cast<std::size_t>(c.numCodes) : 0, -1);
      std::unordered_map<std::int32_t, std::int32_t> sparse;
      const auto& lookup = m_lookup[k];
      auto resolve = [&](std::int32_t code) {
        const std::string key = c.keyOf(code);
        const auto it = lookup.find(std::string_view(key));
        return it == lookup.end() ? kOov : it->second;
      };
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::int32_t code = c.codes[rows[i]];
        std::int32_t encoded;
        if (code < 0) {
          if (a.missing == Missing::Error) missingError(a, c, rows[i]);
          encoded = a.missing == Missing::Bucket ? kMissingBucket : kOov;
        } else if (fitTable) {
          encoded = (*fitTable)[static_cast<std::size_t>(code)];
        } else if (dense) {
          std::int32_t& slot = table[static_cast<std::size_t>(code)];
          if (slot < 0) slot = resolve(code);
          encoded = slot;
        } else {
          const auto [it, fresh] = sparse.try_emplace(code, 0);
          if (fresh) it->second = resolve(code);
          encoded = it->second;
        }
        out.categorical[i * nCat + catCol] = encoded;
      }
      ++catCol;
    } else {
      for (std::size_t i = 0; i < rows.size(); ++i) {
        encodeContinuous(a, f, c, rows[i], &out.continuous[i * nCont + contCol]);
      }
      contCol += static_cast<std::size_t>(outputWidth(a));
    }
  }
  return out;
}

json FeaturePipeline::state() const {
  requireFitted();
  json j;
  j["format"] = kStateFormat;
  j["version"] = kStateVersion;
  j["config"] = m_config.toJson();
  j["fitted"] = json::array();
  for (const auto& f : m_fittedAttributes) {
    json o;
    o["name"] = f.name;
    o["count"] = f.count;
    o["mean"] = f.mean;
    o["std"] = f.std;
    o["min"] = f.min;
    o["max"] = f.max;
    o["vocabulary"] = f.vocabulary;
    o["fitted_rows"] = f.fittedOn.count;
    o["fitted_rows_hash"] = f.fittedOn.hash;
    j["fitted"].push_back(std::move(o));
  }
  return j;
}

FeaturePipeline FeaturePipeline::fromState(const json& state) {
  const std::string origin = "feature pipeline state";
  auto fail = [&](const std::string& what) { throw InputError(origin + ": " + what); };
  if (!state.is_object()) fail("must be an object");
  if (state.value("format", std::string()) != kStateFormat) {
    fail(fmt::format("'format' must be \"{}\"", kStateFormat));
  }
  if (!state.contains("version") || !state.at("version").is_number_integer() ||
      state.at("version").get<int>() != kStateVersion) {
    fail(fmt::format("'version' must be {}", kStateVersion));
  }
  if (!state.contains("config")) fail("'config' is required");
  FeaturePipeline p(FeatureConfig::fromJson(state.at("config"), origin + ": config"));
  if (!state.contains("fitted") || !state.at("fitted").is_array())
    fail("'fitted' must be an array");
  const json& fitted = state.at("fitted");
  const auto enabled = enabledIndices(p.m_config);
  if (fitted.size() != enabled.size()) {
    fail(fmt::format("'fitted' has {} entries for {} enabled attributes", fitted.size(),
                     enabled.size()));
  }
  for (std::size_t k = 0; k < enabled.size(); ++k) {
    const json& o = fitted[k];
    const std::string path = fmt::format("fitted[{}]", k);
    FittedAttribute f;
    try {
      f.name = o.at("name").get<std::string>();
      f.count = o.at("count").get<std::uint64_t>();
      f.mean = o.at("mean").get<double>();
      f.std = o.at("std").get<double>();
      f.min = o.at("min").get<double>();
      f.max = o.at("max").get<double>();
      f.vocabulary = o.at("vocabulary").get<std::vector<std::string>>();
      f.fittedOn.count = o.at("fitted_rows").get<std::uint64_t>();
      f.fittedOn.hash = o.at("fitted_rows_hash").get<std::uint64_t>();
    } catch (const json::exception& e) {
      fail(fmt::format("{}: {}", path, e.what()));
    }
    const std::string& expected = p.m_config.attributes[enabled[k]].name;
    if (f.name != expected) {
      fail(fmt::format("{}.name: '{}' does not match the config's attribute '{}'", path, f.name,
                       expected));
    }
    p.m_fittedAttributes.push_back(std::move(f));
  }
  p.buildLookups();
  p.m_fitted = true;
  return p;
}

json FeaturePipeline::preview(const data::InteractionLog& log,
                              const std::vector<std::uint32_t>& rows, std::size_t n) const {
  checkRows(rows, log.numRows(), "requested");
  const RawFeatures raw = derive(log, StopToken());
  const std::vector<std::uint32_t> shown(
      rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(std::min(n, rows.size())));
  json j;
  j["attributes"] = json::array();
  for (std::size_t i : raw.attributeOf) j["attributes"].push_back(m_config.attributes[i].name);
  EncodedFeatures enc;
  if (m_fitted) {
    enc = transform(raw, shown);
    j["encoded_names"] = enc.categoricalNames;
    for (const auto& name : enc.continuousNames) j["encoded_names"].push_back(name);
  } else {
    j["encoded_names"] = json::array();
  }
  j["rows"] = json::array();
  for (std::size_t i = 0; i < shown.size(); ++i) {
    const std::uint32_t row = shown[i];
    json r;
    r["row"] = row;
    r["raw"] = json::array();
    for (const auto& c : raw.columns) {
      if (c.categorical) {
        const std::int32_t code = c.codes[row];
        r["raw"].push_back(code < 0 ? json(nullptr) : json(c.keyOf(code)));
      } else {
        const float x = c.numeric[row];
        r["raw"].push_back(std::isnan(x) ? json(nullptr) : json(x));
      }
    }
    r["encoded"] = json::array();
    if (m_fitted) {
      const std::size_t nCat = enc.categoricalNames.size(), nCont = enc.continuousNames.size();
      for (std::size_t c = 0; c < nCat; ++c) r["encoded"].push_back(enc.categorical[i * nCat + c]);
      for (std::size_t c = 0; c < nCont; ++c) r["encoded"].push_back(enc.continuous[i * nCont + c]);
    }
    j["rows"].push_back(std::move(r));
  }
  return j;
}

}  // namespace reclab::features

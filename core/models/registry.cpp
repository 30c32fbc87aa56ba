#include "models/registry.h"

#include <fmt/format.h>

#include <cmath>
#include <mutex>

#include "common/errors.h"
#include "models/classic/composite.h"
#include "models/classic/content.h"
#include "models/classic/item_knn.h"
#include "models/classic/lightfm.h"
#include "models/classic/popularity.h"
#include "models/classic/s_pop.h"
#include "models/classic/session_item_knn.h"
#include "models/classic/session_pop.h"
#include "models/classic/sknn.h"
#include "models/classic/svd.h"
#include "models/neural/neural_models.h"

namespace reclab::models {

std::string taskName(Task t) {
  switch (t) {
    case Task::Rating: return "rating";
    case Task::Ranking: return "ranking";
    case Task::Classification: return "classification";
    case Task::SessionPurchase: return "session-purchase";
    case Task::SessionNext: return "session-next";
  }
  return "unknown";
}

std::string paramTypeName(ParamSpec::Type t) {
  switch (t) {
    case ParamSpec::Type::Int: return "integer";
    case ParamSpec::Type::Double: return "number";
    case ParamSpec::Type::Bool: return "boolean";
    case ParamSpec::Type::String: return "string";
    case ParamSpec::Type::Choice: return "choice";
  }
  return "unknown";
}

Registry& Registry::instance() {
  static Registry registry;
  static std::once_flag once;
  std::call_once(once, [] {
    registerPopularity(registry);
    registerItemKnn(registry);
    registerContent(registry);
    registerComposite(registry);
    registerLightFm(registry);
    registerSvd(registry);
    registerSessionPop(registry);
    registerSPop(registry);
    registerSessionItemKnn(registry);
    registerSknn(registry);
    neural::registerNeuralModels(registry);
  });
  return registry;
}

void Registry::add(ModelInfo info) {
  if (find(info.name)) throw std::logic_error("model registered twice: " + info.name);
  m_models.push_back(std::move(info));
}

const ModelInfo* Registry::find(const std::string& name) const {
  for (const auto& m : m_models)
    if (m.name == name) return &m;
  return nullptr;
}

std::vector<const ModelInfo*> Registry::all() const {
  std::vector<const ModelInfo*> out;
  for (const auto& m : m_models) out.push_back(&m);
  return out;
}

namespace {

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string rangeText(const ParamSpec& s) {
  if (s.min && s.max) return fmt::format(" in [{}, {}]", *s.min, *s.max);
  if (s.min) return fmt::format(" >= {}", *s.min);
  if (s.max) return fmt::format(" <= {}", *s.max);
  return "";
}

}  // namespace

nlohmann::json Registry::validate(const std::string& model, const nlohmann::json& params) const {
  const ModelInfo* info = find(model);
  if (!info) {
    std::vector<std::string> known;
    for (const auto& m : m_models) known.push_back(m.name);
    throw InputError(fmt::format("unknown model '{}'; known models: {}", model, joinNames(known)));
  }
  if (!params.is_null() && !params.is_object()) {
    throw InputError(fmt::format("model '{}': params must be an object", model));
  }
  nlohmann::json out = nlohmann::json::object();
  if (params.is_object()) {
    for (const auto& [key, value] : params.items()) {
      bool known = false;
      for (const auto& s : info->params) known = known || s.name == key;
      if (!known) {
        std::vector<std::string> names;
        for (const auto& s : info->params) names.push_back(s.name);
        throw InputError(fmt::format("model '{}': unknown parameter '{}'; valid: {}", model, key,
                                     joinNames(names)));
      }
    }
  }
  for (const auto& s : info->params) {
    nlohmann::json v = params.is_object() && params.contains(s.name) ? params.at(s.name)
                                                                       : s.defaultValue;
    auto fail = [&](const std::string& why) {
      throw InputError(fmt::format("model '{}': parameter '{}' {}, got {}", model, s.name, why,
                                   v.dump()));
    };
    switch (s.type) {
      case ParamSpec::Type::Int: {
        if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() &&
            std::abs(v.get<double>()) < 9e15) {
          v = static_cast<long long>(v.get<double>());
        }
        if (!v.is_number_integer()) fail("must be an integer" + rangeText(s));
        double d = static_cast<double>(v.get<long long>());
        if ((s.min && d < *s.min) || (s.max && d > *s.max)) fail("must be an integer" + rangeText(s));
        break;
      }
      case ParamSpec::Type::Double: {
        if (!v.is_number()) fail("must be a number" + rangeText(s));
        double d = v.get<double>();
        if (!std::isfinite(d) || (s.min && d < *s.min) || (s.max && d > *s.max)) {
          fail("must be a number" + rangeText(s));
        }
        v = d;
        break;
      }
      case ParamSpec::Type::Bool:
        if (!v.is_boolean()) fail("must be true or false");
        break;
      case ParamSpec::Type::String:
        if (!v.is_string()) fail("must be a string");
        break;
      case ParamSpec::Type::Choice: {
        if (!v.is_string()) fail("must be one of " + joinNames(s.choices));
        bool ok = false;
        for (const auto& c : s.choices) ok = ok || c == v.get<std::string>();
        if (!ok) fail("must be one of " + joinNames(s.choices));
        break;
      }
    }
    out[s.name] = v;
  }
  return out;
}

std::unique_ptr<Model> Registry::create(const std::string& model,
                                        const nlohmann::json& params) const {
  nlohmann::json validated = validate(model, params);
  return find(model)->factory(validated);
}

}  // namespace reclab::models

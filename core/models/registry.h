#pragma once
/// The model registry: one entry per model with its task, hyper-parameter schema and factory.
/// The GUI's model form and the CLI's config validation are both generated from it.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "models/model.h"

namespace reclab::models {

/// One hyper-parameter: name, type, default, allowed range or choices, help text.
struct ParamSpec {
  enum class Type { Int, Double, Bool, String, Choice };
  std::string name;
  Type type = Type::Double;
  nlohmann::json defaultValue;
  std::optional<double> min;  ///< inclusive, for Int / Double
  std::optional<double> max;  ///< inclusive, for Int / Double
  std::vector<std::string> choices;  ///< for Choice
  std::string help;
};

std::string paramTypeName(ParamSpec::Type t);

struct ModelInfo {
  std::string name;         ///< registry key used in configs, e.g. "svd"
  std::string displayName;  ///< e.g. "Biased MF (SVD, Surprise-style)"
  Task task = Task::Ranking;
  std::string description;
  std::vector<ParamSpec> params;
  std::function<std::unique_ptr<Model>(const nlohmann::json& params)> factory;
};

class Registry {
 public:
  /// The process-wide registry with every built-in model registered.
  static Registry& instance();

  void add(ModelInfo info);
  const ModelInfo* find(const std::string& name) const;
  std::vector<const ModelInfo*> all() const;

  /// Checks `params` against the schema of `model` and returns them completed with defaults.
  /// Throws InputError: unknown model (listing the known ones), unknown parameter (listing the
  /// valid ones), wrong type, out of range, not one of the choices.
  nlohmann::json validate(const std::string& model, const nlohmann::json& params) const;

  /// Validated params -> a new untrained model.
  std::unique_ptr<Model> create(const std::string& model, const nlohmann::json& params) const;

 private:
  std::vector<ModelInfo> m_models;
};

/// Helpers for factories reading validated params.
inline double paramDouble(const nlohmann::json& p, const char* k) { return p.at(k).get<double>(); }
inline long long paramInt(const nlohmann::json& p, const char* k) { return p.at(k).get<long long>(); }
inline bool paramBool(const nlohmann::json& p, const char* k) { return p.at(k).get<bool>(); }
inline std::string paramString(const nlohmann::json& p, const char* k) {
  return p.at(k).get<std::string>();
}

}  // namespace reclab::models

#pragma once
/// Attribute tables for items and users: named columns keyed by dense index.
///
/// Each attribute is either categorical (a string value interned into a per-attribute
/// vocabulary) or numeric (double, NaN when missing). Multi-valued categorical attributes
/// (genres, keywords, the categories an item is listed under) keep a set of codes per entity.

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace reclab::data {

struct Attribute {
  enum class Kind { Categorical, Numeric, MultiCategorical };
  std::string name;
  Kind kind = Kind::Categorical;
  std::vector<std::string> vocabulary;            ///< categorical code -> text
  std::map<std::string, std::int32_t> codes;      ///< text -> categorical code
  std::vector<std::int32_t> categorical;          ///< entity -> code, -1 when missing
  std::vector<double> numeric;                    ///< entity -> value, NaN when missing
  std::vector<std::vector<std::int32_t>> multi;   ///< entity -> codes (MultiCategorical)

  std::int32_t internValue(const std::string& text);
};

class AttributeTable {
 public:
  /// The attribute called `name`, created with `kind` when absent. Throws std::logic_error
  /// when it exists with another kind.
  Attribute& ensure(const std::string& name, Attribute::Kind kind);
  const Attribute* find(const std::string& name) const;
  Attribute* find(const std::string& name);
  const std::vector<Attribute>& attributes() const { return m_attributes; }

  /// Sets a categorical value for `entity`, growing the column as needed.
  void setCategorical(const std::string& name, std::int32_t entity, const std::string& value);
  void setNumeric(const std::string& name, std::int32_t entity, double value);
  /// Adds `value` to the entity's set (no duplicates).
  void addMulti(const std::string& name, std::int32_t entity, const std::string& value);

  /// Grows every column to `n` entities (missing values).
  void resize(std::int32_t n);
  std::size_t memoryBytes() const;
  bool empty() const { return m_attributes.empty(); }

 private:
  std::vector<Attribute> m_attributes;
};

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

}  // namespace reclab::data

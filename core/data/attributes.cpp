#include "data/attributes.h"

#include <algorithm>
#include <stdexcept>

namespace reclab::data {

std::int32_t Attribute::internValue(const std::string& text) {
  auto [it, inserted] = codes.try_emplace(text, static_cast<std::int32_t>(vocabulary.size()));
  if (inserted) vocabulary.push_back(text);
  return it->second;
}

Attribute& AttributeTable::ensure(const std::string& name, Attribute::Kind kind) {
  if (Attribute* a = find(name)) {
    if (a->kind != kind) {
      throw std::logic_error("attribute '" + name + "' already exists with another kind");
    }
    return *a;
  }
  Attribute a;
  a.name = name;
  a.kind = kind;
  m_attributes.push_back(std::move(a));
  return m_attributes.back();
}

const Attribute* AttributeTable::find(const std::string& name) const {
  for (const auto& a : m_attributes)
    if (a.name == name) return &a;
  return nullptr;
}

Attribute* AttributeTable::find(const std::string& name) {
  for (auto& a : m_attributes)
    if (a.name == name) return &a;
  return nullptr;
}

void AttributeTable::setCategorical(const std::string& name, std::int32_t entity,
                                    const std::string& value) {
  Attribute& a = ensure(name, Attribute::Kind::Categorical);
  auto idx = static_cast<std::size_t>(entity);
  if (a.categorical.size() <= idx) a.categorical.resize(idx + 1, -1);
  a.categorical[idx] = a.internValue(value);
}

void AttributeTable::setNumeric(const std::string& name, std::int32_t entity, double value) {
  Attribute& a = ensure(name, Attribute::Kind::Numeric);
  auto idx = static_cast<std::size_t>(entity);
  if (a.numeric.size() <= idx) a.numeric.resize(idx + 1, kMissing);
  a.numeric[idx] = value;
}

void AttributeTable::addMulti(const std::string& name, std::int32_t entity,
                              const std::string& value) {
  Attribute& a = ensure(name, Attribute::Kind::MultiCategorical);
  auto idx = static_cast<std::size_t>(entity);
  if (a.multi.size() <= idx) a.multi.resize(idx + 1);
  std::int32_t code = a.internValue(value);
  auto& set = a.multi[idx];
  if (std::find(set.begin(), set.end(), code) == set.end()) set.push_back(code);
}

void AttributeTable::resize(std::int32_t n) {
  auto size = static_cast<std::size_t>(n);
  for (auto& a : m_attributes) {
    switch (a.kind) {
      case Attribute::Kind::Categorical:
        a.categorical.resize(size, -1);
        break;
      case Attribute::Kind::Numeric:
        a.numeric.resize(size, kMissing);
        break;
      case Attribute::Kind::MultiCategorical:
        a.multi.resize(size);
        break;
    }
  }
}

std::size_t AttributeTable::memoryBytes() const {
  std::size_t bytes = 0;
  for (const auto& a : m_attributes) {
    bytes += a.categorical.capacity() * sizeof(std::int32_t) +
             a.numeric.capacity() * sizeof(double) +
             a.multi.capacity() * sizeof(std::vector<std::int32_t>);
    for (const auto& m : a.multi) bytes += m.capacity() * sizeof(std::int32_t);
    for (const auto& v : a.vocabulary) bytes += sizeof(std::string) + v.capacity();
    bytes += a.codes.size() * (sizeof(std::string) + 48);
  }
  return bytes;
}

}  // namespace reclab::data

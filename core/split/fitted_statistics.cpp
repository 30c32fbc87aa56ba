#include "split/fitted_statistics.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "common/errors.h"

namespace reclab::split {

namespace {

void checkRows(const data::InteractionLog& log, std::span<const std::uint32_t> rows,
               const std::string& name) {
  for (auto r : rows) {
    if (r >= log.numRows()) {
      throw InputError(
          fmt::format("{}: row {} is out of range (the log has {} rows)", name, r, log.numRows()));
    }
  }
}

}  // namespace

// --- ItemSupportFilter ---

ItemSupportFilter::ItemSupportFilter(int minSupport, std::string statisticName)
    : m_minSupport(minSupport), m_name(std::move(statisticName)) {
  if (minSupport < 1) {
    throw InputError(fmt::format("{}: min_support must be >= 1, got {}", m_name, minSupport));
  }
}

void ItemSupportFilter::fit(const data::InteractionLog& log, std::span<const std::uint32_t> rows,
                            LeakageGuard& guard) {
  checkRows(log, rows, m_name);
  m_fittedOn = guard.record(m_name, rows);
  m_support.assign(static_cast<std::size_t>(log.numItems()), 0);
  for (auto r : rows) {
    const auto it = static_cast<std::size_t>(log.item[r]);
    if (it >= m_support.size()) m_support.resize(it + 1, 0);
    ++m_support[it];
  }
  m_numKept = 0;
  for (auto c : m_support) m_numKept += c >= static_cast<std::uint32_t>(m_minSupport) ? 1 : 0;
  m_fitted = true;
}

void ItemSupportFilter::requireFitted() const {
  if (!m_fitted) throw std::logic_error(m_name + ": used before fit()");
}

std::uint32_t ItemSupportFilter::support(std::int32_t item) const {
  requireFitted();
  const auto i = static_cast<std::size_t>(item);
  return item >= 0 && i < m_support.size() ? m_support[i] : 0;
}

bool ItemSupportFilter::keeps(std::int32_t item) const {
  return support(item) >= static_cast<std::uint32_t>(m_minSupport);
}

std::vector<std::uint32_t> ItemSupportFilter::apply(const data::InteractionLog& log,
                                                    std::span<const std::uint32_t> rows) const {
  requireFitted();
  checkRows(log, rows, m_name);
  std::vector<std::uint32_t> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    if (keeps(log.item[r])) out.push_back(r);
  }
  return out;
}

// --- Standardiser ---

Standardiser::Standardiser(std::string statisticName) : m_name(std::move(statisticName)) {}

void Standardiser::fit(const data::InteractionLog& log, std::span<const std::uint32_t> rows,
                       LeakageGuard& guard) {
  if (!log.hasValues()) {
    throw InputError(fmt::format("{}: the log has no value column to standardise", m_name));
  }
  if (rows.empty()) throw InputError(fmt::format("{}: cannot fit on 0 rows", m_name));
  checkRows(log, rows, m_name);
  m_fittedOn = guard.record(m_name, rows);
  // Welford's update: stable for long columns of similar values.
  double mean = 0, m2 = 0;
  std::size_t n = 0;
  for (auto r : rows) {
    const double v = log.value[r];
    ++n;
    const double d = v - mean;
    mean += d / static_cast<double>(n);
    m2 += d * (v - mean);
  }
  m_mean = mean;
  m_std = std::sqrt(m2 / static_cast<double>(n));
  m_fitted = true;
}

void Standardiser::requireFitted() const {
  if (!m_fitted) throw std::logic_error(m_name + ": used before fit()");
}

double Standardiser::transform(double v) const {
  requireFitted();
  return (v - m_mean) / scale();
}

double Standardiser::inverse(double z) const {
  requireFitted();
  return z * scale() + m_mean;
}

std::vector<float> Standardiser::apply(const data::InteractionLog& log,
                                       std::span<const std::uint32_t> rows) const {
  requireFitted();
  checkRows(log, rows, m_name);
  std::vector<float> out;
  out.reserve(rows.size());
  for (auto r : rows) out.push_back(static_cast<float>(transform(log.value[r])));
  return out;
}

}  // namespace reclab::split

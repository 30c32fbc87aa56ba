#include "widgets/dataset_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <limits>
#include <map>

#include "data/stats.h"

namespace reclab::widgets {

namespace {

std::string withThousands(std::uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string isoDate(std::int64_t millis) {
  std::time_t t = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::vector<std::uint32_t> countPerIndex(const std::vector<std::int32_t>& column,
                                         std::int32_t size) {
  std::vector<std::uint32_t> counts(static_cast<std::size_t>(std::max(size, 0)), 0);
  for (auto v : column) {
    if (v >= 0 && v < size) ++counts[static_cast<std::size_t>(v)];
  }
  return counts;
}

}  // namespace

std::vector<std::pair<std::string, std::uint64_t>> log2Histogram(
    const std::vector<std::uint32_t>& counts) {
  std::vector<std::uint64_t> bins;
  for (auto c : counts) {
    if (c == 0) continue;
    std::size_t b = 0;
    while ((2u << b) <= c && b < 31) ++b;  // c in [2^b, 2^(b+1))
    if (bins.size() <= b) bins.resize(b + 1, 0);
    ++bins[b];
  }
  std::vector<std::pair<std::string, std::uint64_t>> out;
  std::size_t first = 0;
  while (first < bins.size() && bins[first] == 0) ++first;
  for (std::size_t b = first; b < bins.size(); ++b) {
    const std::uint64_t lo = 1ULL << b;
    const std::uint64_t hi = (2ULL << b) - 1;
    out.emplace_back(lo == hi ? std::to_string(lo) : fmt::format("{}-{}", lo, hi), bins[b]);
  }
  return out;
}

std::vector<std::pair<std::string, std::uint64_t>> valueHistogram(const std::vector<float>& values,
                                                                  std::size_t maxDistinct,
                                                                  int bins) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  if (values.empty()) return out;
  std::map<float, std::uint64_t> distinct;
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    ++distinct[v];
    if (distinct.size() > maxDistinct) break;
  }
  if (distinct.size() <= maxDistinct) {
    for (const auto& [v, n] : distinct) out.emplace_back(fmt::format("{:g}", v), n);
    return out;
  }
  float lo = std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::lowest();
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const double width = (static_cast<double>(hi) - lo) / bins;
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(bins), 0);
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    auto b = static_cast<std::size_t>((v - lo) / width);
    ++counts[std::min(b, counts.size() - 1)];
  }
  for (int b = 0; b < bins; ++b) {
    out.emplace_back(fmt::format("{:.3g}-{:.3g}", lo + b * width, lo + (b + 1) * width),
                     counts[static_cast<std::size_t>(b)]);
  }
  return out;
}

DatasetSummary summarizeDataset(const data::LoadResult& result) {
  const auto& log = result.log;
  const data::DatasetStats st = data::computeStats(log);
  DatasetSummary s;
  const std::uint64_t rows = log.numRows();
  s.stats.emplace_back("Format", data::formatName(result.format));
  s.stats.emplace_back("Rows", withThousands(rows));
  if (log.hasUsers()) s.stats.emplace_back("Users", withThousands(st.nUsers));
  s.stats.emplace_back("Items", withThousands(st.nItems));
  if (st.nItemsWithEvents != st.nItems) {
    s.stats.emplace_back("Items with events", withThousands(st.nItemsWithEvents));
  }
  if (log.hasSessions()) {
    s.stats.emplace_back("Sessions", withThousands(st.nSessions));
    s.stats.emplace_back("Session length (mean / median / max)",
                         fmt::format("{:.2f} / {:g} / {}", st.sessionLengths.mean,
                                     st.sessionLengths.median, st.sessionLengths.max));
  }
  if (!st.sparsityBasis.empty()) {
    s.stats.emplace_back("Sparsity (" + st.sparsityBasis + ")",
                         fmt::format("{:.2f} %", 100.0 * st.sparsity));
  }
  if (st.hasTime) {
    s.stats.emplace_back("First event (UTC)", isoDate(st.minTimestamp));
    s.stats.emplace_back("Last event (UTC)", isoDate(st.maxTimestamp));
    s.stats.emplace_back(
        "Time span",
        fmt::format("{:.1f} days", (st.maxTimestamp - st.minTimestamp) / 86'400'000.0));
  }
  if (log.hasValues() && rows > 0) {
    double sum = 0;
    float lo = std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::lowest();
    for (float v : log.value) {
      sum += v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    const std::string name = log.valueName.empty() ? "value" : log.valueName;
    s.stats.emplace_back("Mean " + name, fmt::format("{:.3f}", sum / static_cast<double>(rows)));
    s.stats.emplace_back("Range of " + name, fmt::format("{:g} .. {:g}", lo, hi));
  }
  if (log.hasEvents()) {
    for (const auto& [name, count] : st.eventsByType) {
      s.stats.emplace_back("Events: " + name, withThousands(count));
    }
  }
  if (rows > 0) {
    s.stats.emplace_back("Events on top 1 / 10 / 20 % items",
                         fmt::format("{:.1f} / {:.1f} / {:.1f} %", 100 * st.top1Share,
                                     100 * st.top10Share, 100 * st.top20Share));
    s.stats.emplace_back("Gini of item popularity", fmt::format("{:.3f}", st.gini));
  }
  s.stats.emplace_back("Rows read", withThousands(result.report.rowsRead));
  s.stats.emplace_back("Bad rows", withThousands(result.report.badRowCount));
  s.stats.emplace_back("Memory", fmt::format("{:.1f} MiB", log.memoryBytes() / 1048576.0));

  // Events per type.
  const std::size_t types = std::max<std::size_t>(log.eventNames.size(), 1);
  std::vector<std::uint64_t> perType(types, 0);
  if (log.hasEvents()) {
    for (auto e : log.event) {
      if (e < types) ++perType[e];
    }
  } else {
    perType[0] = rows;
  }
  for (std::size_t t = 0; t < types; ++t) {
    std::string name = t < log.eventNames.size()
                           ? log.eventNames[t]
                           : (log.valueName.empty() ? "event" : log.valueName);
    s.eventsPerType.emplace_back(name, perType[t]);
  }

  if (log.hasValues()) {
    const std::string name = log.valueName.empty() ? "Value" : log.valueName;
    s.valueHistogramTitle = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0]))) +
                            name.substr(1) + " distribution";
    s.valueHistogram = valueHistogram(log.value);
  }

  // One histogram: session lengths, else interactions per user, else per item.
  if (log.hasSessions()) {
    s.histogramTitle = "Session length (events)";
    s.histogram = log2Histogram(countPerIndex(log.session, log.numSessions()));
  } else if (log.hasUsers()) {
    s.histogramTitle = log.valueName == "rating" ? "Ratings per user" : "Interactions per user";
    s.histogram = log2Histogram(countPerIndex(log.user, log.numUsers()));
  } else {
    s.histogramTitle = "Interactions per item";
    s.histogram = log2Histogram(countPerIndex(log.item, log.numItems()));
  }
  return s;
}

}  // namespace reclab::widgets

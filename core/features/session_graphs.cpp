#include "features/session_graphs.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "common/errors.h"
#include "features/session_events.h"

namespace reclab::features {

namespace {

constexpr std::size_t kStopEvery = 1 << 16;
constexpr std::size_t kTopHubs = 10;
constexpr std::int32_t kSessionEnd = -1;

/// The training clicks as item sequences: the sessions' items one after the other, each session
/// followed by a kSessionEnd marker.
struct Sequences {
  std::vector<std::int32_t> seq;
  std::uint64_t sessions = 0;
  std::uint64_t clicks = 0;
  std::uint64_t longest = 0;
};

/// Groups the click rows among `rows` by session (counting sort), orders each session by
/// (timestamp, row) and writes the item sequences.
Sequences sequencesOf(const data::InteractionLog& log, std::span<const std::uint32_t> rows,
                      const SessionGraphConfig& config, Observer& observer, const StopToken& stop) {
  const bool allEvents = config.clickEvents.empty();
  const EventMask clicks(log, config.clickEvents, true);
  if (!allEvents && !clicks.any()) {
    throw InputError(fmt::format(
        "session_graphs: none of the click events {} occurs in the log (its events: {})",
        quotedList(config.clickEvents), quotedList(log.eventNames)));
  }
  const std::size_t n = log.numRows();
  const auto numSessions = static_cast<std::size_t>(log.numSessions());
  std::vector<std::uint32_t> offsets(numSessions + 1, 0);
  auto isClick = [&](std::uint32_t r) { return allEvents || clicks.contains(log.eventAt(r)); };
  for (const std::uint32_t r : rows) {
    if (r >= n) {
      throw InputError(
          fmt::format("session_graphs: training row {} out of range (the log has {} rows)", r, n));
    }
    if (isClick(r)) ++offsets[static_cast<std::size_t>(log.session[r]) + 1];
  }
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  std::vector<std::uint32_t> order(offsets.back());
  {
    std::vector<std::uint32_t> fill(offsets.begin(), offsets.end() - 1);
    for (const std::uint32_t r : rows) {
      if (isClick(r)) order[fill[static_cast<std::size_t>(log.session[r])]++] = r;
    }
  }
  const bool timed = log.hasTimestamps();
  auto before = [&](std::uint32_t a, std::uint32_t b) {
    if (timed) {
      const std::int64_t ta = log.timestamp[a], tb = log.timestamp[b];
      if (ta != tb) return ta < tb;
    }
    return a < b;
  };

  Sequences out;
  out.clicks = order.size();
  std::size_t nonEmpty = 0;
  for (std::size_t s = 0; s < numSessions; ++s) nonEmpty += offsets[s + 1] > offsets[s] ? 1 : 0;
  out.seq.reserve(order.size() + nonEmpty);
  for (std::size_t s = 0; s < numSessions; ++s) {
    if (s % kStopEvery == 0) {
      stop.throwIfStopped();
      observer.onProgress(0.25 * static_cast<double>(s) / static_cast<double>(numSessions),
                          "session graphs");
    }
    const auto b = order.begin() + offsets[s];
    const auto e = order.begin() + offsets[s + 1];
    if (b == e) continue;
    if (!std::is_sorted(b, e, before)) std::sort(b, e, before);
    if (const auto dup = std::adjacent_find(b, e); dup != e) {
      throw InputError(fmt::format("session_graphs: training row {} is listed twice", *dup));
    }
    ++out.sessions;
    for (auto it = b; it != e; ++it) out.seq.push_back(log.item[*it]);
    out.seq.push_back(kSessionEnd);
    out.longest = std::max<std::uint64_t>(out.longest, static_cast<std::uint64_t>(e - b));
  }
  return out;
}

/// Positions of each item's clicks in `seq` (counting sort by item).
struct Occurrences {
  std::vector<std::uint64_t> offsets;  ///< numItems + 1
  std::vector<std::uint64_t> positions;
};

Occurrences occurrencesOf(const Sequences& s, std::int32_t numItems) {
  Occurrences o;
  o.offsets.assign(static_cast<std::size_t>(numItems) + 1, 0);
  for (const std::int32_t item : s.seq) {
    if (item != kSessionEnd) ++o.offsets[static_cast<std::size_t>(item) + 1];
  }
  std::partial_sum(o.offsets.begin(), o.offsets.end(), o.offsets.begin());
  o.positions.resize(o.offsets.back());
  std::vector<std::uint64_t> fill(o.offsets.begin(), o.offsets.end() - 1);
  for (std::uint64_t p = 0; p < s.seq.size(); ++p) {
    const std::int32_t item = s.seq[p];
    if (item != kSessionEnd) o.positions[fill[static_cast<std::size_t>(item)]++] = p;
  }
  return o;
}

/// Dense accumulation of one graph row: per target item the count of G, of H, then of K's
/// channels 1..P (one cache line per target for P <= 14), and the targets touched so far.
class RowAccumulator {
 public:
  RowAccumulator(std::size_t numItems, std::size_t maxDistance)
      : m_stride(maxDistance + 2), m_maxDistance(maxDistance), m_counts(numItems * m_stride, 0) {}

  /// Counts the pairs from every occurrence of `from`; returns the pairs farther apart than P.
  std::uint64_t accumulate(const Sequences& s, const Occurrences& occ, std::size_t from) {
    std::uint64_t merged = 0;
    for (auto o = occ.offsets[from]; o < occ.offsets[from + 1]; ++o) {
      const std::uint64_t pos = occ.positions[o];
      for (std::uint64_t j = pos + 1; s.seq[j] != kSessionEnd; ++j) {
        const auto to = static_cast<std::size_t>(s.seq[j]);
        const std::uint64_t p = j - pos;
        std::uint32_t* c = &m_counts[to * m_stride];
        if (c[1] == 0) m_touched.push_back(static_cast<std::int32_t>(to));
        c[0] += p == 1 ? 1 : 0;
        ++c[1];
        if (p > m_maxDistance) ++merged;
        ++c[2 + std::min<std::uint64_t>(p, m_maxDistance) - 1];
      }
    }
    return merged;
  }
  /// Non-zero entries of the row in each of the stride() matrices, added to degrees[k].
  void countDegrees(std::uint64_t* degrees) const {
    for (const std::int32_t to : m_touched) {
      const std::uint32_t* c = &m_counts[static_cast<std::size_t>(to) * m_stride];
      for (std::size_t k = 0; k < m_stride; ++k) degrees[k] += c[k] != 0 ? 1 : 0;
    }
  }
  /// Writes the row's entries of matrix k into columns / weights from cursor[k] on (ascending
  /// targets) and advances the cursors.
  void write(const std::vector<CsrMatrix*>& matrices, std::vector<std::uint64_t>& cursor) {
    std::sort(m_touched.begin(), m_touched.end());
    for (const std::int32_t to : m_touched) {
      const std::uint32_t* c = &m_counts[static_cast<std::size_t>(to) * m_stride];
      for (std::size_t k = 0; k < m_stride; ++k) {
        if (c[k] == 0) continue;
        CsrMatrix& m = *matrices[k];
        m.columns[cursor[k]] = to;
        m.weights[cursor[k]] = static_cast<float>(c[k]);
        ++cursor[k];
      }
    }
  }
  void reset() {
    for (const std::int32_t to : m_touched) {
      std::fill_n(&m_counts[static_cast<std::size_t>(to) * m_stride], m_stride, 0U);
    }
    m_touched.clear();
  }
  std::size_t stride() const { return m_stride; }

 private:
  std::size_t m_stride;
  std::size_t m_maxDistance;
  std::vector<std::uint32_t> m_counts;
  std::vector<std::int32_t> m_touched;
};

double median(std::vector<std::uint64_t>& v) {
  if (v.empty()) return 0;
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const auto upper = static_cast<double>(v[mid]);
  if (v.size() % 2 == 1) return upper;
  const auto lower = static_cast<double>(
      *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)));
  return 0.5 * (lower + upper);
}

nlohmann::json matrixStatistics(const CsrMatrix& m, const char* graph, int channel,
                                const Occurrences& occ, const data::InteractionLog& log) {
  std::vector<std::uint64_t> degrees;
  std::vector<std::int32_t> active;
  for (std::size_t i = 0; i + 1 < occ.offsets.size(); ++i) {
    if (occ.offsets[i + 1] == occ.offsets[i]) continue;
    active.push_back(static_cast<std::int32_t>(i));
    degrees.push_back(m.offsets[i + 1] - m.offsets[i]);
  }
  std::uint64_t isolated = 0, minDegree = 0, maxDegree = 0;
  double sum = 0;
  if (!degrees.empty()) {
    minDegree = *std::min_element(degrees.begin(), degrees.end());
    maxDegree = *std::max_element(degrees.begin(), degrees.end());
  }
  for (const auto d : degrees) {
    sum += static_cast<double>(d);
    isolated += d == 0 ? 1 : 0;
  }
  const std::size_t top = std::min(kTopHubs, active.size());
  auto degreeOf = [&](std::int32_t i) {
    return m.offsets[static_cast<std::size_t>(i) + 1] - m.offsets[static_cast<std::size_t>(i)];
  };
  std::partial_sort(active.begin(), active.begin() + static_cast<std::ptrdiff_t>(top), active.end(),
                    [&](std::int32_t a, std::int32_t b) {
                      const auto da = degreeOf(a), db = degreeOf(b);
                      return da != db ? da > db : a < b;
                    });
  nlohmann::json hubs = nlohmann::json::array();
  for (std::size_t k = 0; k < top; ++k) {
    const std::int32_t i = active[k];
    double w = 0;
    for (auto e = m.offsets[static_cast<std::size_t>(i)];
         e < m.offsets[static_cast<std::size_t>(i) + 1]; ++e)
      w += m.weights[e];
    hubs.push_back({{"item", log.items.original(i)},
                    {"index", i},
                    {"out_degree", degreeOf(i)},
                    {"out_weight", w}});
  }
  double totalWeight = 0;
  for (const float w : m.weights) totalWeight += w;
  const double mean = degrees.empty() ? 0.0 : sum / static_cast<double>(degrees.size());
  const double med = median(degrees);
  return {{"graph", graph},
          {"channel", channel},
          {"edges", m.numEdges()},
          {"bytes", m.memoryBytes()},
          {"total_weight", totalWeight},
          {"out_degree", {{"min", minDegree}, {"mean", mean}, {"median", med}, {"max", maxDegree}}},
          {"items_without_out_edges", isolated},
          {"top_hubs", std::move(hubs)}};
}

}  // namespace

void SessionGraphConfig::validate() const {
  if (maxDistance < 1 || maxDistance > 255) {
    throw InputError(
        fmt::format("session_graphs: max_distance must be in [1, 255], got {}", maxDistance));
  }
}

const char* graphName(SessionGraphKind kind) {
  switch (kind) {
    case SessionGraphKind::G:
      return "G";
    case SessionGraphKind::H:
      return "H";
    case SessionGraphKind::K:
      return "K";
  }
  return "?";
}

std::size_t CsrMatrix::memoryBytes() const {
  return offsets.size() * sizeof(std::uint64_t) + columns.size() * sizeof(std::int32_t) +
         weights.size() * sizeof(float);
}

SessionGraphs SessionGraphs::build(const data::InteractionLog& log,
                                   std::span<const std::uint32_t> trainRows,
                                   const SessionGraphConfig& config, split::LeakageGuard& guard,
                                   Observer& observer, const StopToken& stop) {
  config.validate();
  if (!log.hasSessions()) throw InputError("session_graphs: the log has no session column");
  if (trainRows.empty()) throw InputError("session_graphs: no training rows");
  const Sequences seqs = sequencesOf(log, trainRows, config, observer, stop);

  SessionGraphs g;
  g.m_fittedOn = guard.record("session_graphs", trainRows);
  g.m_numItems = log.numItems();
  g.m_maxDistance = config.maxDistance;
  g.m_numSessions = seqs.sessions;
  g.m_numClicks = seqs.clicks;
  g.m_longestSession = seqs.longest;
  const Occurrences occ = occurrencesOf(seqs, g.m_numItems);

  const auto n = static_cast<std::size_t>(g.m_numItems);
  const auto P = static_cast<std::size_t>(config.maxDistance);
  g.m_k.resize(P);
  // Matrix k of the accumulator: 0 = G, 1 = H, 2 + (p - 1) = K's channel p.
  std::vector<CsrMatrix*> all = {&g.m_g, &g.m_h};
  for (auto& m : g.m_k) all.push_back(&m);
  RowAccumulator acc(n, P);
  const std::size_t stride = acc.stride();
  // Two passes over the pairs so that every array is allocated once at its exact size (growing
  // them would hold up to twice the final bytes while the last reallocation copies): the first
  // counts each row's entries per matrix into the offsets, the second writes the entries.
  std::vector<std::uint64_t> degrees(stride * n, 0);
  std::uint64_t merged = 0;
  const double total = std::max<double>(1.0, 2.0 * static_cast<double>(seqs.clicks));
  std::uint64_t done = 0, nextCheck = kStopEvery;
  auto progress = [&](std::size_t from) {
    done += occ.offsets[from + 1] - occ.offsets[from];
    if (done >= nextCheck) {
      nextCheck = done + kStopEvery;
      stop.throwIfStopped();
      observer.onProgress(0.25 + 0.75 * static_cast<double>(done) / total, "session graphs");
    }
  };
  for (std::size_t from = 0; from < n; ++from) {
    merged += acc.accumulate(seqs, occ, from);
    acc.countDegrees(&degrees[from * stride]);
    acc.reset();
    progress(from);
  }
  std::vector<std::uint64_t> cursor(stride, 0);
  for (std::size_t k = 0; k < stride; ++k) {
    CsrMatrix& m = *all[k];
    m.offsets.resize(n + 1);
    m.offsets[0] = 0;
    for (std::size_t i = 0; i < n; ++i) m.offsets[i + 1] = m.offsets[i] + degrees[i * stride + k];
    m.columns.resize(m.offsets[n]);
    m.weights.resize(m.offsets[n]);
  }
  degrees = {};
  for (std::size_t from = 0; from < n; ++from) {
    acc.accumulate(seqs, occ, from);
    acc.write(all, cursor);
    acc.reset();
    progress(from);
  }
  observer.onProgress(1.0, "session graphs");

  nlohmann::json graphs = nlohmann::json::array();
  graphs.push_back(matrixStatistics(g.m_g, "G", 1, occ, log));
  graphs.push_back(matrixStatistics(g.m_h, "H", 1, occ, log));
  for (std::size_t p = 0; p < P; ++p) {
    graphs.push_back(matrixStatistics(g.m_k[p], "K", static_cast<int>(p + 1), occ, log));
  }
  std::uint64_t activeItems = 0;
  for (std::size_t i = 0; i < n; ++i) activeItems += occ.offsets[i + 1] > occ.offsets[i] ? 1 : 0;
  g.m_statistics = {{"items", g.m_numItems},
                    {"active_items", activeItems},
                    {"sessions", g.m_numSessions},
                    {"clicks", g.m_numClicks},
                    {"longest_session", g.m_longestSession},
                    {"max_distance", g.m_maxDistance},
                    {"pairs_merged_into_last_channel", merged},
                    {"total_bytes", g.memoryBytes()},
                    {"total_edges", g.numEdges()},
                    {"bytes_per_edge", g.bytesPerEdge()},
                    {"entry_bytes", kEntryBytes},
                    {"graphs", std::move(graphs)}};
  return g;
}

int SessionGraphs::numChannels(SessionGraphKind kind) const {
  return kind == SessionGraphKind::K ? m_maxDistance : 1;
}

const CsrMatrix& SessionGraphs::checkedMatrix(SessionGraphKind kind, int p) const {
  if (p < 1 || p > numChannels(kind)) {
    throw std::out_of_range(fmt::format("session graph {}: channel {} out of range [1, {}]",
                                        graphName(kind), p, numChannels(kind)));
  }
  switch (kind) {
    case SessionGraphKind::G:
      return m_g;
    case SessionGraphKind::H:
      return m_h;
    case SessionGraphKind::K:
      break;
  }
  return m_k[static_cast<std::size_t>(p) - 1];
}

const CsrMatrix& SessionGraphs::matrix(SessionGraphKind kind, int p) const {
  return checkedMatrix(kind, p);
}

GraphRow SessionGraphs::row(SessionGraphKind kind, std::int32_t item, int p) const {
  const CsrMatrix& m = checkedMatrix(kind, p);
  if (item < 0 || item >= m_numItems) {
    throw std::out_of_range(fmt::format("session graph {}: item {} out of range [0, {})",
                                        graphName(kind), item, m_numItems));
  }
  const auto b = m.offsets[static_cast<std::size_t>(item)];
  const auto e = m.offsets[static_cast<std::size_t>(item) + 1];
  return {std::span<const std::int32_t>(m.columns).subspan(b, e - b),
          std::span<const float>(m.weights).subspan(b, e - b)};
}

float SessionGraphs::weight(SessionGraphKind kind, std::int32_t from, std::int32_t to,
                            int p) const {
  const GraphRow r = row(kind, from, p);
  const auto it = std::lower_bound(r.neighbours.begin(), r.neighbours.end(), to);
  if (it == r.neighbours.end() || *it != to) return 0.0f;
  return r.weights[static_cast<std::size_t>(it - r.neighbours.begin())];
}

void SessionGraphs::kEdge(std::int32_t from, std::int32_t to, std::span<float> out) const {
  if (out.size() != static_cast<std::size_t>(m_maxDistance)) {
    throw std::invalid_argument(fmt::format("session graph K: edge vector needs {} floats, got {}",
                                            m_maxDistance, out.size()));
  }
  for (int p = 1; p <= m_maxDistance; ++p) {
    out[static_cast<std::size_t>(p) - 1] = weight(SessionGraphKind::K, from, to, p);
  }
}

std::size_t SessionGraphs::numEdges() const {
  std::size_t e = m_g.numEdges() + m_h.numEdges();
  for (const auto& m : m_k) e += m.numEdges();
  return e;
}

std::size_t SessionGraphs::memoryBytes() const {
  std::size_t b = m_g.memoryBytes() + m_h.memoryBytes();
  for (const auto& m : m_k) b += m.memoryBytes();
  return b;
}

double SessionGraphs::bytesPerEdge() const {
  const std::size_t e = numEdges();
  return e == 0 ? 0.0 : static_cast<double>(memoryBytes()) / static_cast<double>(e);
}

}  // namespace reclab::features

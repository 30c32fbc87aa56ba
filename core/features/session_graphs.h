#pragma once
/// The session graphs G, H and K of SPEC B (Problem 2), built from training sessions only and
/// stored as sparse CSR matrices over the dense item indices of the log.
///
/// For a session s = (x_1, ..., x_c) of clicked items in time order, a pair of positions
/// a < b with b - a = p is a p-click x_a -> x_b (p = 1: an adjacent click). Then
///   G[vi][vj]    = number of adjacent clicks vi -> vj over all training sessions,
///   H[vi][vj]    = number of p-clicks vi -> vj for any p >= 1 (vj clicked any time after vi),
///   K[vi][vj][p] = number of p-clicks vi -> vj, p = 1..P, where the last channel P also
///                  counts every pair farther apart than P (SPEC B has one channel per
///                  distance up to the longest session; merging keeps K at P channels, and
///                  summing K's channels gives H exactly).
/// Pairs of the same item (vi re-clicked after p clicks) are counted like any other pair, so
/// the diagonal holds the re-click counts. Weights are counts stored as float (exact up to
/// 2^24 = 16,777,216 per entry).
///
/// Typical use:
///   SessionGraphs g = SessionGraphs::build(log, split.train, SessionGraphConfig::defaults(),
///                                          guard, observer, stop);
///   GraphRow r = g.row(SessionGraphKind::H, item);        // GNN.H input of a click
///   std::vector<float> e(g.maxDistance());
///   g.kEdge(clicked, candidate, e);                        // GNN.Bin.K: M_K[i, o]

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/observer.h"
#include "data/interaction_log.h"
#include "split/leakage.h"

namespace reclab::features {

/// Settings of the graph build.
struct SessionGraphConfig {
  /// P: channels of K (click distances 1..P, distances > P merged into channel P).
  int maxDistance = 4;
  /// Event names whose rows are clicks of a session (other rows, e.g. Yoochoose's joined "buy"
  /// rows, are left out of the sequences). Empty: every row. A log without an event column
  /// has every row a click.
  std::vector<std::string> clickEvents = {"click", "view"};

  static SessionGraphConfig defaults() { return {}; }
  /// Throws InputError, e.g. "session_graphs: max_distance must be in [1, 255], got 0".
  void validate() const;
};

/// Which graph of SPEC B.
enum class SessionGraphKind { G, H, K };

/// "G", "H" or "K".
const char* graphName(SessionGraphKind kind);

/// One n x n sparse matrix in CSR layout: the non-zeros of row r are columns[offsets[r] ..
/// offsets[r + 1]) (ascending) with the same range of weights.
struct CsrMatrix {
  std::vector<std::uint64_t> offsets;  ///< numRows + 1 entries
  std::vector<std::int32_t> columns;   ///< column (target item) per stored entry
  std::vector<float> weights;          ///< weight per stored entry

  std::size_t numRows() const { return offsets.empty() ? 0 : offsets.size() - 1; }
  std::size_t numEdges() const { return columns.size(); }
  /// Bytes of the three arrays (sizes, not capacities).
  std::size_t memoryBytes() const;
};

/// A row of a graph: the out-neighbours of an item (ascending) and their weights. Views into
/// the graph, valid while it lives.
struct GraphRow {
  std::span<const std::int32_t> neighbours;
  std::span<const float> weights;
  std::size_t size() const { return neighbours.size(); }
};

/// Graphs G, H and K of the training sessions of a log.
class SessionGraphs {
 public:
  /// Bytes per stored non-zero: a 4-byte column index and a 4-byte float weight (row offsets
  /// come on top, 8 bytes per item per graph and channel; see bytesPerEdge()).
  static constexpr std::size_t kEntryBytes = sizeof(std::int32_t) + sizeof(float);

  /// Builds the graphs from the rows `trainRows` of `log` only (any order; each row once):
  /// rows whose event is one of config.clickEvents, grouped by log.session and put in time
  /// order (ties by row index). Records `trainRows` in `guard` as "session_graphs".
  /// Linear in the number of pairs: clicks are counting-sorted by session and then by item,
  /// and each graph row is accumulated in a dense scratch array, twice: the first pass counts
  /// the entries of every row so that each array is allocated once at its exact size (no
  /// growth, no reallocation copy). Memory while building: the output plus at most 12 bytes per
  /// training click, 12 per session of the log and (P + 2) x 12 + 16 per item (measured at
  /// Yoochoose scale: docs/session-features.md). Reports progress as "session graphs" and
  /// checks `stop` every 64k sessions and every 64k item occurrences.
  /// Throws InputError when the log has no session column, a row is out of range or listed
  /// twice, `trainRows` is empty, or none of the click events occurs in the log; Cancelled when
  /// stopped.
  static SessionGraphs build(const data::InteractionLog& log,
                             std::span<const std::uint32_t> trainRows,
                             const SessionGraphConfig& config, split::LeakageGuard& guard,
                             Observer& observer = nullObserver(),
                             const StopToken& stop = StopToken());

  std::int32_t numItems() const { return m_numItems; }
  /// P, the number of channels of K.
  int maxDistance() const { return m_maxDistance; }
  /// 1 for G and H, P for K.
  int numChannels(SessionGraphKind kind) const;

  /// The matrix of graph `kind`; `p` is K's channel (click distance 1..P) and must be 1 for G
  /// and H. Throws std::out_of_range for a bad channel.
  const CsrMatrix& matrix(SessionGraphKind kind, int p = 1) const;
  /// Out-neighbours of `item` in graph `kind` (channel `p` of K). Throws std::out_of_range for
  /// an item outside [0, numItems()) or a bad channel.
  GraphRow row(SessionGraphKind kind, std::int32_t item, int p = 1) const;
  /// Entry [from][to] of graph `kind` (channel `p` of K), 0 when absent; binary search in the
  /// sorted row.
  float weight(SessionGraphKind kind, std::int32_t from, std::int32_t to, int p = 1) const;
  /// K's edge vector from `from` to `to`: out[p - 1] = M_K[from, to][p] for p = 1..P.
  /// `out` must hold maxDistance() floats (std::invalid_argument otherwise).
  void kEdge(std::int32_t from, std::int32_t to, std::span<float> out) const;

  /// Stored non-zeros of all graphs and channels.
  std::size_t numEdges() const;
  /// Bytes of all graphs and channels (offsets, columns, weights).
  std::size_t memoryBytes() const;
  /// memoryBytes() / numEdges() (0 without edges): kEntryBytes plus the offsets' share.
  double bytesPerEdge() const;

  /// Training sessions with at least one click, training clicks, and the longest session.
  std::uint64_t numSessions() const { return m_numSessions; }
  std::uint64_t numClicks() const { return m_numClicks; }
  std::uint64_t longestSession() const { return m_longestSession; }

  /// Degree statistics for the GUI, computed at build time:
  /// {"items", "active_items" (items clicked in the training sessions), "sessions", "clicks",
  ///  "longest_session", "max_distance", "pairs_merged_into_last_channel", "total_bytes",
  ///  "total_edges", "bytes_per_edge", "entry_bytes",
  ///  "graphs": [{"graph": "G"|"H"|"K", "channel": p, "edges", "bytes", "total_weight",
  ///              "out_degree": {"min", "mean", "median", "max"} over the active items,
  ///              "items_without_out_edges" (active items with out-degree 0),
  ///              "top_hubs": [{"item": original id, "index", "out_degree", "out_weight"}]
  ///                          (the 10 highest out-degrees, ties by lower index)}, ...]}
  /// in the order G, H, K channel 1..P.
  const nlohmann::json& statistics() const { return m_statistics; }

  /// The training rows' identity (the rows themselves are in the guard).
  const split::RowFingerprint& fittedOn() const { return m_fittedOn; }

 private:
  const CsrMatrix& checkedMatrix(SessionGraphKind kind, int p) const;

  std::int32_t m_numItems = 0;
  int m_maxDistance = 0;
  CsrMatrix m_g;
  CsrMatrix m_h;
  std::vector<CsrMatrix> m_k;  ///< channel p at index p - 1
  std::uint64_t m_numSessions = 0;
  std::uint64_t m_numClicks = 0;
  std::uint64_t m_longestSession = 0;
  nlohmann::json m_statistics;
  split::RowFingerprint m_fittedOn;
};

}  // namespace reclab::features

#pragma once
/// Evaluation of session next-item recommenders (models::SessionRecommender) by full ranking
/// over all items, under two protocols (definitions also in docs/metrics.md):
///
/// "next_item" (session-rec, SR-GNN; the field's standard): every prefix s[0..t] of a test
///   session s of length L (t = 0 .. L-2) is one evaluation unit with the single target
///   s[t+1]. Recall@k = HitRate@k = 1 if the target is in the top k, else 0; MRR@k = 1 / its
///   rank when it is in the top k, else 0. Means are over prefixes; sessions of length 1 give
///   no prefix.
/// "thesis" (SPEC B, NORM.FNN): sessions shorter than input_length + 1 (5) are skipped; the
///   unit is the session, input = its first input_length (4) clicks, labels = the set of the
///   remaining clicks s[4..L-1]. Recall@k = |top k ∩ labels| / |labels|, MRR@k = 1 / rank of the
///   first label in the top k (0 if none), HitRate@k (the thesis' ACCs@k) =
///   min(1, |top k ∩ labels|). Means are over sessions.
///
/// Options common to both: the items of the input are not masked (re-clicks are legal next
/// clicks) unless maskInputItems is set; with trainItemsOnly, targets / labels that never
/// occur in the training sessions are removed (session-rec's filter) and counted, and units
/// left without a target are dropped. Ties in the ranking follow eval::topK (equal scores by
/// ascending item index). Per-unit values are kept for paired significance tests.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/observer.h"
#include "data/interaction_log.h"
#include "models/model.h"

namespace reclab::eval {

enum class SessionProtocol { NextItem, Thesis };

/// "next_item" / "thesis".
std::string sessionProtocolName(SessionProtocol p);
/// Inverse of sessionProtocolName; throws InputError naming the valid protocols.
SessionProtocol parseSessionProtocol(const std::string& name);

struct SessionEvalOptions {
  SessionProtocol protocol = SessionProtocol::NextItem;
  std::vector<int> ks = {1, 5, 10, 20};
  bool maskInputItems = false;  ///< exclude the prefix's (input's) items from the ranking
  bool trainItemsOnly = false;  ///< drop targets / labels never seen in training sessions
  int inputLength = 4;          ///< thesis: clicks given as input (sessions need one more)
  int batchSize = 256;          ///< prefixes per scorePrefixes call
  int threads = 1;

  static SessionEvalOptions defaults() { return {}; }
  /// Throws InputError, e.g. "session evaluation: k must be >= 1, got 0".
  void validate() const;
};

struct SessionEvalResult {
  SessionProtocol protocol = SessionProtocol::NextItem;
  /// "recall@k", "mrr@k", "hit_rate@k" -> mean over evaluated units (0 when there is none).
  std::map<std::string, double> means;
  /// Evaluated units: next_item "<session id>:<prefix length>", thesis "<session id>".
  std::vector<std::string> units;
  /// Metric name -> one value per unit (order of `units`).
  std::map<std::string, std::vector<double>> perUnit;
  std::size_t testSessions = 0;       ///< sessions given
  std::size_t evaluatedSessions = 0;  ///< sessions contributing at least one unit
  /// Sessions too short for the protocol (length 1 for next_item, < inputLength + 1 thesis).
  std::size_t skippedShort = 0;
  /// trainItemsOnly: next_item prefixes dropped for an unseen target; thesis labels removed.
  std::size_t droppedTargets = 0;
  /// thesis with trainItemsOnly: sessions dropped because no label was left.
  std::size_t skippedNoLabels = 0;

  /// {"protocol", "k" (the cut-offs), "units", "test_sessions", "evaluated_sessions",
  ///  "skipped_short_sessions", "dropped_targets", "skipped_no_label_sessions", "means"}.
  nlohmann::json summaryJson() const;
  /// The per_user_metrics.json shape the comparison view reads:
  /// {"unit": "prefix" | "session", "users": [unit ids], "values": {metric: [...]}}.
  nlohmann::json perUnitJson() const;
};

/// Evaluates `model` on `sessions` (item indices in click order; `ids[s]` names session s in
/// the unit ids). `trainItems` (indexed by item, may be null) marks items seen in training and
/// is required when options.trainItemsOnly is set. Batches of options.batchSize prefixes are
/// scored in parallel on options.threads threads; checks `stop` between rounds and reports
/// progress as stage "evaluating".
SessionEvalResult evaluateSessionSequences(const models::SessionRecommender& model,
                                           const std::vector<std::vector<std::int32_t>>& sessions,
                                           const std::vector<std::string>& ids,
                                           const std::vector<bool>* trainItems,
                                           const SessionEvalOptions& options, Observer& observer,
                                           const StopToken& stop);

/// Groups `testRows` into sessions (data::buildSessionSequences: time order, buys left out),
/// takes the training items from `trainRows` and evaluates as above; session ids are the
/// log's original session ids. Logs the skipped / dropped counts.
SessionEvalResult evaluateSessions(const models::SessionRecommender& model,
                                   const data::InteractionLog& log,
                                   const std::vector<std::uint32_t>& trainRows,
                                   const std::vector<std::uint32_t>& testRows,
                                   const SessionEvalOptions& options, Observer& observer,
                                   const StopToken& stop);

}  // namespace reclab::eval

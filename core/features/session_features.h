#pragma once
/// The 26 purchase-prediction features of SPEC B, Problem 1 ("will this session buy?"), one
/// row per (session, clicked item) event, encoded like EncodedFeatures so the purchase
/// prediction nets read them directly. Every feature is defined in docs/session-features.md.
///
/// A session's clicks are its rows (log.session) whose event is one of `clickEvents`, in time
/// order (ties by row index); c_1 .. c_C with items i_j, times t_j (ms, UTC). For the click at
/// position k of its session (1-based) with item i = i_k and primary category g(i) (the first
/// category the item is listed under, or none), "the session" below is all C clicks (the
/// thesis' reading, which looks ahead within the session) or, with `prefixOnly`, the clicks
/// c_1 .. c_k only (no look-ahead). Dwell of click j = t_{j+1} - t_j (0 for the last click of
/// the session; with prefixOnly the current click's dwell is not yet known and counts 0).
///
/// Categorical block (13), codes as EncodedFeatures: 1 = missing / none, values from 2:
///   product_id      2 + i                         card. numItems + 2
///   category_id     2 + g(i), 1 when none         card. categories + 2
///   first_product   2 + i_1                       card. numItems + 2
///   previous_product 2 + i_{k-1}, 1 at k = 1      card. numItems + 2
///   start_hour, start_minute, start_second              clock of t_1: 2 + value
///   first_click_hour, first_click_minute, first_click_second
///                                                       clock of the first t_j with i_j = i
///   click_hour, click_minute, click_second              clock of t_k
///   (clock = UTC hour 0-23, minute 0-59, second 0-59; card. 26, 62, 62)
/// Continuous block (13), raw values (seconds, counts, 0/1):
///   session_duration        (t_C - t_1) / 1000 s, prefixOnly: (t_k - t_1) / 1000
///   duration_so_far         (t_k - t_1) / 1000 s
///   session_clicks          C, prefixOnly: k
///   session_products        distinct items of the session
///   clicks_so_far           k (clicks up to and including the current one)
///   products_so_far         distinct items among c_1 .. c_k
///   product_views           clicks on i in the session
///   same_category_products  distinct items of the session whose primary category is g(i)
///                           (i itself included); 0 when i has no category
///   product_categories      categories i is listed under (whole log, not the session)
///   is_most_clicked_product 1 when i has the most clicks in the session (ties: all 1)
///   is_most_viewed_product  1 when i has the largest total dwell in the session (ties: all 1)
///   is_first_clicked_product 1 when i = i_1
///   is_most_viewed_category 1 when g(i) has the largest total dwell among the session's
///                           primary categories (ties: all 1); 0 when i has no category
/// Label: SessionBuys = 1 when the session has any row whose event is one of `buyEvents`
/// (SPEC B's target, the same for every row of a session); ItemBought = 1 when the session has
/// such a row for item i.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/observer.h"
#include "data/interaction_log.h"
#include "features/feature_pipeline.h"

namespace reclab::features {

/// The per-row target.
enum class SessionLabel {
  SessionBuys,  ///< the session has a buy (SPEC B Problem 1)
  ItemBought,   ///< the session bought this row's item
  None,         ///< no label (features only, e.g. for a log without buys)
};

/// Settings of computeSessionFeatures.
struct SessionFeatureConfig {
  /// Every feature uses only the clicks up to the current one (see the file comment).
  bool prefixOnly = false;
  SessionLabel label = SessionLabel::SessionBuys;
  /// Item attribute holding the categories (Categorical or MultiCategorical); "" for none.
  std::string categoryAttribute = "category";
  /// Events that are clicks of a session; a log without an event column has only clicks.
  std::vector<std::string> clickEvents = {"click", "view"};
  /// Events that are purchases (the label).
  std::vector<std::string> buyEvents = {"buy", "transaction"};

  static SessionFeatureConfig defaults() { return {}; }
  /// Throws InputError, e.g. "session_features: click_events must not be empty".
  void validate() const;
};

/// The features of a set of rows.
struct SessionFeatureRows {
  /// 13 categorical and 13 continuous columns, names as sessionCategoricalNames() and
  /// sessionContinuousNames().
  EncodedFeatures features;
  std::vector<std::uint32_t> rows;  ///< the log row of each feature row
  std::vector<float> labels;        ///< 0 / 1 per feature row; empty with SessionLabel::None
};

/// Names of the categorical block, in column order.
const std::vector<std::string>& sessionCategoricalNames();
/// Names of the continuous block, in column order.
const std::vector<std::string>& sessionContinuousNames();

/// The features of the click rows among `rows` (given order; rows of other events are left
/// out, so `result.rows` lists the rows kept). Each session is read whole from the log,
/// whatever part of a split its other rows belong to: no statistic is fitted, so nothing is
/// recorded in a leakage guard (but note that SPEC B's random row split puts rows of one
/// session, and so its label, in both train and test: split by session to avoid that).
/// Memory: 164 bytes per output row (with its row index and label; each array allocated once
/// at its exact size) plus 4 bytes per log row and the session index (8 bytes per log row)
/// while it runs. Measured at Yoochoose scale (bench_session_memory): 25.6 M training click
/// rows of a 32.9 M-row log take 4.20 GB, 9.9 s; with the log and the graphs the peak RSS is
/// 5.90 GB (docs/session-features.md).
/// Reports progress as "session features" and checks `stop` every 64k sessions.
/// Throws InputError when the log has no session or timestamp column, a row is out of range
/// or listed twice, the category attribute is missing or numeric, no click event (or, with a
/// label, no buy event) occurs in the log; Cancelled when stopped.
SessionFeatureRows computeSessionFeatures(const data::InteractionLog& log,
                                          std::span<const std::uint32_t> rows,
                                          const SessionFeatureConfig& config,
                                          Observer& observer = nullObserver(),
                                          const StopToken& stop = StopToken());

}  // namespace reclab::features

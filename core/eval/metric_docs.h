#pragma once
/// One-line definitions of every reported metric, for tooltips and help text. The full
/// definitions are in docs/metrics.md; these say the same in one sentence.

#include <string>
#include <string_view>

namespace reclab::eval {

/// The definition of a reported metric name such as "recall@10", "rmse", "val_rmse",
/// "ndcg@20_std" or "train_loss"; empty when the name is not a known metric.
std::string metricDefinition(std::string_view name);

}  // namespace reclab::eval

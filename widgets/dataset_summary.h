#pragma once
/// What the dataset panel shows about a loaded log: a key/value statistics table, the number
/// of events per type and one histogram (session lengths when the log has sessions, else
/// interactions per user, else interactions per item). Plain C++ so that the run manager can
/// compute it on the loading worker thread; the panel only displays it.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "data/load.h"

namespace reclab::widgets {

struct DatasetSummary {
  std::vector<std::pair<std::string, std::string>> stats;  ///< display name -> value text
  std::vector<std::pair<std::string, std::uint64_t>> eventsPerType;
  /// Distribution of the value column (each distinct value when there are at most 20, else
  /// ten equal-width bins); empty without values. Titled e.g. "Rating distribution".
  std::string valueHistogramTitle;
  std::vector<std::pair<std::string, std::uint64_t>> valueHistogram;
  std::string histogramTitle;                                    ///< e.g. "Interactions per user"
  std::vector<std::pair<std::string, std::uint64_t>> histogram;  ///< bin label -> count
};

/// Computes the summary of `result` (linear in the number of rows; run it off the GUI thread).
DatasetSummary summarizeDataset(const data::LoadResult& result);

/// Distinct values with their counts when there are at most `maxDistinct`, else `bins`
/// equal-width bins labelled "lo-hi".
std::vector<std::pair<std::string, std::uint64_t>> valueHistogram(const std::vector<float>& values,
                                                                  std::size_t maxDistinct = 20,
                                                                  int bins = 10);

/// Log2 bins "1", "2-3", "4-7", ... of positive counts, from the first non-empty bin to the
/// last.
std::vector<std::pair<std::string, std::uint64_t>> log2Histogram(
    const std::vector<std::uint32_t>& counts);

}  // namespace reclab::widgets

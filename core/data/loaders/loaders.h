#pragma once
/// One entry point per dataset format, called by `loadDataset` (data/load.cpp) after it has
/// expanded directories and chosen the format. Each appends to `result.log` and
/// `result.report`; `loadDataset` sets `result.format` and finishes the log.

#include <string>
#include <vector>

#include "common/observer.h"
#include "data/load.h"

namespace reclab::data::loaders {

// --- session / e-commerce formats (session_loaders.cpp, yoochoose_loader.cpp) ---

/// events.csv, optionally with item_properties_part*.csv and category_tree.csv.
void loadRetailRocket(const std::vector<std::string>& paths, const LoadOptions& options,
                      LoadResult& result, Observer& observer, const StopToken& stop);
/// yoochoose-clicks.dat, optionally with yoochoose-buys.dat.
void loadYoochoose(const std::vector<std::string>& paths, const LoadOptions& options,
                   LoadResult& result, Observer& observer, const StopToken& stop);
/// train-item-views.csv.
void loadDiginetica(const std::vector<std::string>& paths, const LoadOptions& options,
                    LoadResult& result, Observer& observer, const StopToken& stop);
/// SessionId<TAB>ItemId<TAB>Time files prepared for session-rec.
void loadSessionRec(const std::vector<std::string>& paths, const LoadOptions& options,
                    LoadResult& result, Observer& observer, const StopToken& stop);

// --- rating formats and generic CSV (ratings_loaders.cpp, csv_loader.cpp) ---

/// u.data (+ u.item, u.user) | ratings.dat (+ movies.dat, users.dat) | ratings.csv (+ movies.csv).
void loadMovieLens(const std::vector<std::string>& paths, const LoadOptions& options,
                   LoadResult& result, Observer& observer, const StopToken& stop);
/// user,item,rating,timestamp without a header.
void loadAmazonCsv(const std::vector<std::string>& paths, const LoadOptions& options,
                   LoadResult& result, Observer& observer, const StopToken& stop);
/// Amazon Reviews JSON Lines.
void loadAmazonJsonl(const std::vector<std::string>& paths, const LoadOptions& options,
                     LoadResult& result, Observer& observer, const StopToken& stop);
/// Any delimited file, using options.mapping.
void loadCsv(const std::vector<std::string>& paths, const LoadOptions& options, LoadResult& result,
             Observer& observer, const StopToken& stop);

}  // namespace reclab::data::loaders

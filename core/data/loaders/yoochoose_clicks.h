#pragma once
/// Private to the Yoochoose loader: the parallel clicks parser and the id tables it produces.
///
/// A clicks file is mapped into memory and cut into one chunk per thread at line boundaries.
/// Each thread parses its chunk with a hand-written parser for
/// `int,YYYY-MM-DDTHH:MM:SS.mmmZ,int,category` (rows it cannot handle go through the general,
/// fully checked path) into its region of the log's columns, using local id tables. The
/// chunks are then merged in file order so that dense ids, attribute order, bad rows and their
/// line numbers are exactly those of a sequential first-appearance pass.

#include <cstdint>
#include <string>
#include <vector>

#include "common/observer.h"
#include "data/interaction_log.h"
#include "data/line_reader.h"
#include "data/load.h"
#include "data/loaders/fast_int_map.h"

namespace reclab::data::loaders::yoochoose {

/// Original integer id -> global dense index, made of per-chunk tables merged in order.
class ChunkedIds {
 public:
  /// Appends a chunk's local table; its ids not seen in earlier chunks get the next global
  /// indices in local (first-appearance) order. Returns local -> global indices.
  /// `threads` workers look the chunk's ids up in the earlier chunks.
  const std::vector<std::int32_t>& addChunk(FastIdMap local, int threads);
  /// Global index of `key` or -1.
  std::int32_t find(std::int64_t key) const;
  /// Global index of `key`, added when new.
  std::int32_t intern(std::int64_t key);
  /// Originals in global index order.
  const std::vector<std::int64_t>& originals() const { return m_originals; }
  std::size_t size() const { return m_originals.size(); }

 private:
  struct Part {
    FastIdMap map;
    std::vector<std::int32_t> remap;
    std::int64_t minKey = 0;
    std::int64_t maxKey = -1;
  };
  std::int32_t findInParts(std::int64_t key, std::size_t before) const;

  std::vector<Part> m_parts;
  std::vector<std::int64_t> m_originals;
  FastIdMap m_extra{16};
  std::vector<std::int32_t> m_extraRemap;
};

/// Everything a clicks parse needs besides the file.
struct ClicksJob {
  const LoadOptions& options;
  LoadReport& report;
  BadRowSink& sink;
  Observer& observer;
  const StopToken& stop;
  std::uint64_t bytesBefore = 0;  ///< bytes of earlier files (for the progress fraction)
  std::uint64_t totalBytes = 0;   ///< bytes of every file of the load
};

/// Parses one clicks file, appending rows to log.item / log.timestamp / log.session (global
/// ids through `sessions` / `items`) and the item categories to the "category" attribute.
/// Throws InputError for structural problems (and, under the Stop policy, at the first bad
/// row), Cancelled when stopped.
void parseClicksFile(const std::string& path, int threads, const ClicksJob& job,
                     InteractionLog& log, ChunkedIds& sessions, ChunkedIds& items);

}  // namespace reclab::data::loaders::yoochoose

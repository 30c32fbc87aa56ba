#include "data/loaders/yoochoose_clicks.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <thread>
#include <unordered_map>

#include "common/errors.h"
#include "common/text.h"
#include "data/loaders/mapped_file.h"
#include "data/loaders/session_support.h"

namespace reclab::data::loaders::yoochoose {

// ---------------------------------------------------------------------------------------------
// ChunkedIds

namespace {

/// Runs fn(0..n-1) on up to `threads` threads (the caller's thread included).
template <typename Fn>
void parallelRanges(std::size_t n, int threads, Fn fn) {
  const std::size_t t = threads > 1 && n >= 65536 ? static_cast<std::size_t>(threads) : 1;
  std::vector<std::thread> workers;
  for (std::size_t k = 1; k < t; ++k)
    workers.emplace_back([&, k] { fn(n * k / t, n * (k + 1) / t); });
  fn(0, n / t);
  for (auto& w : workers) w.join();
}

}  // namespace

const std::vector<std::int32_t>& ChunkedIds::addChunk(FastIdMap local, int threads) {
  Part part;
  part.map = std::move(local);
  const auto& orig = part.map.originals();
  part.remap.resize(orig.size());
  if (m_parts.empty() && m_originals.empty()) {
    for (std::size_t i = 0; i < orig.size(); ++i) part.remap[i] = static_cast<std::int32_t>(i);
    m_originals = orig;
  } else {
    const std::size_t before = m_parts.size();
    parallelRanges(orig.size(), threads, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) part.remap[i] = findInParts(orig[i], before);
    });
    for (std::size_t i = 0; i < orig.size(); ++i) {
      if (part.remap[i] < 0) {
        part.remap[i] = static_cast<std::int32_t>(m_originals.size());
        m_originals.push_back(orig[i]);
      }
    }
  }
  if (!orig.empty()) {
    part.minKey = *std::min_element(orig.begin(), orig.end());
    part.maxKey = *std::max_element(orig.begin(), orig.end());
  }
  m_parts.push_back(std::move(part));
  return m_parts.back().remap;
}

std::int32_t ChunkedIds::findInParts(std::int64_t key, std::size_t before) const {
  for (std::size_t j = 0; j < before; ++j) {
    const Part& p = m_parts[j];
    if (key < p.minKey || key > p.maxKey) continue;
    std::int32_t local = p.map.find(key);
    if (local >= 0) return p.remap[static_cast<std::size_t>(local)];
  }
  if (m_extra.size() > 0) {
    std::int32_t local = m_extra.find(key);
    if (local >= 0) return m_extraRemap[static_cast<std::size_t>(local)];
  }
  return -1;
}

std::int32_t ChunkedIds::find(std::int64_t key) const { return findInParts(key, m_parts.size()); }

std::int32_t ChunkedIds::intern(std::int64_t key) {
  std::int32_t g = find(key);
  if (g >= 0) return g;
  m_extra.intern(key);
  g = static_cast<std::int32_t>(m_originals.size());
  m_extraRemap.push_back(g);
  m_originals.push_back(key);
  return g;
}

// ---------------------------------------------------------------------------------------------
// The clicks parser

namespace {

/// Category text -> chunk-local code; the texts point into the file's bytes.
class CategoryCodes {
 public:
  std::int32_t code(std::string_view text) {
    std::int32_t c = m_codes.intern(key(text));
    if (static_cast<std::size_t>(c) == m_text.size()) m_text.push_back(text);
    return c;
  }
  std::string_view text(std::int32_t code) const { return m_text[static_cast<std::size_t>(code)]; }

 private:
  // Canonical decimal numbers map to themselves, texts of up to 6 bytes to distinct negative
  // keys, longer texts to a table index below those.
  std::int64_t key(std::string_view t) {
    if (!t.empty() && t.size() <= 18 && (t[0] != '0' || t.size() == 1)) {
      std::int64_t v = 0;
      bool digits = true;
      for (char ch : t) {
        if (ch < '0' || ch > '9') {
          digits = false;
          break;
        }
        v = v * 10 + (ch - '0');
      }
      if (digits) return v;
    }
    if (t.size() <= 6) {
      std::uint64_t packed = t.size();
      for (std::size_t i = 0; i < t.size(); ++i)
        packed |= static_cast<std::uint64_t>(static_cast<unsigned char>(t[i])) << (8 * (i + 1));
      return -1 - static_cast<std::int64_t>(packed);
    }
    auto [it, inserted] = m_long.try_emplace(t, static_cast<std::int64_t>(m_long.size()));
    return std::numeric_limits<std::int64_t>::min() + it->second;
  }

  FastIdMap m_codes{64};
  std::vector<std::string_view> m_text;
  std::unordered_map<std::string_view, std::int64_t> m_long;
};

/// One thread's share of the file and what it produced.
struct Chunk {
  const char* begin = nullptr;
  const char* end = nullptr;
  bool skipHeader = false;
  std::uint64_t firstLine = 1;  ///< file line number of the chunk's first line
  std::size_t rowBase = 0;      ///< first row of the chunk's region in the columns
  std::size_t capacity = 0;     ///< rows reserved for it

  FastIdMap sessions;
  FastIdMap items;
  CategoryCodes categories;
  FastU64Set itemCategory;                                   ///< (item << 32 | code)
  std::vector<std::pair<std::int32_t, std::int32_t>> pairs;  ///< in first-appearance order
  std::vector<std::pair<std::uint64_t, std::string>> bad;    ///< (line, reason), the first few
  std::uint64_t badCount = 0;
  std::uint64_t rowsRead = 0;
  std::size_t rows = 0;
  std::vector<std::pair<std::size_t, std::int64_t>> wideTimestamps;  ///< (row, ms) not compact
  std::atomic<std::uint64_t> bytesDone{0};
  std::exception_ptr error;

  Chunk(std::size_t expectedSessions, std::size_t expectedItems)
      : sessions(expectedSessions), items(expectedItems) {}
};

struct Columns {
  std::int32_t* item;
  const TimestampColumn* timestamps;  ///< for encode() against its base (read only)
  std::int32_t* seconds;              ///< compact timestamp parts
  std::uint16_t* millis;
  std::int32_t* session;
};

bool isDigit(char c) { return static_cast<unsigned>(c - '0') < 10; }

/// Digits at p (1 to 18 of them) as a number; advances p.
inline bool fastInt(const char*& p, const char* end, std::int64_t& out) {
  const char* s = p;
  std::uint64_t v = 0;
  while (p < end && isDigit(*p)) v = v * 10 + static_cast<unsigned>(*p++ - '0');
  const auto n = p - s;
  if (n == 0 || n > 18) return false;
  out = static_cast<std::int64_t>(v);
  return true;
}

// Days from 1970-01-01 (proleptic Gregorian), as in text::parseIso8601Millis.
std::int64_t daysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct DayCache {
  unsigned key = ~0u;
  std::int64_t days = 0;
};

inline unsigned two(const char* q) {
  return static_cast<unsigned>(q[0] - '0') * 10 + static_cast<unsigned>(q[1] - '0');
}

/// "YYYY-MM-DDTHH:MM:SS.mmmZ" at q (24 bytes available) in ms; false for anything else (the
/// general parser then gives the precise reason).
inline bool fastTimestamp(const char* q, DayCache& cache, std::int64_t& out) {
  static constexpr int kDigitPos[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22};
  for (int i : kDigitPos)
    if (!isDigit(q[i])) return false;
  if (q[4] != '-' || q[7] != '-' || q[10] != 'T' || q[13] != ':' || q[16] != ':' || q[19] != '.' ||
      q[23] != 'Z')
    return false;
  const unsigned year = two(q) * 100 + two(q + 2);
  const unsigned month = two(q + 5), day = two(q + 8);
  const unsigned key = year * 10000 + month * 100 + day;
  if (key != cache.key) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1] + (month == 2 && leap))
      return false;
    cache.key = key;
    cache.days = daysFromCivil(static_cast<int>(year), month, day);
  }
  const unsigned h = two(q + 11), mi = two(q + 14), se = two(q + 17);
  if (h > 23 || mi > 59 || se > 60) return false;
  const unsigned ms = static_cast<unsigned>(q[20] - '0') * 100 + two(q + 21);
  out = (cache.days * 86400 + h * 3600 + mi * 60 + se) * 1000 + ms;
  return true;
}

inline bool isCategoryChar(char c) {
  return isDigit(c) || static_cast<unsigned>((c | 0x20) - 'a') < 26;
}

struct ParsedRow {
  std::int64_t session = 0;
  std::int64_t timestamp = 0;
  std::int64_t item = 0;
  std::string_view category;
};

/// The fast path over the line starting at p; on success sets `next` to the next line.
inline bool fastRow(const char* p, const char* end, DayCache& days, ParsedRow& row,
                    const char*& next) {
  if (!fastInt(p, end, row.session) || p == end || *p != ',') return false;
  ++p;
  if (end - p < 25 || p[24] != ',' || !fastTimestamp(p, days, row.timestamp)) return false;
  p += 25;
  if (!fastInt(p, end, row.item) || p == end || *p != ',') return false;
  const char* cat = ++p;
  while (p < end && isCategoryChar(*p)) ++p;
  row.category = std::string_view(cat, static_cast<std::size_t>(p - cat));
  if (p == end) {
    next = end;
  } else if (*p == '\n') {
    next = p + 1;
  } else if (*p == '\r' && (p + 1 == end || p[1] == '\n')) {
    next = p + 1 == end ? end : p + 2;
  } else {
    return false;
  }
  return true;
}

/// The general, fully checked path; returns false with `reason`.
bool slowRow(std::string_view line, bool unterminated, ParsedRow& row, std::string& reason,
             std::vector<std::string_view>& f) {
  if (auto bad = session::utf8Problem(line); !bad.empty()) {
    reason = std::move(bad);
    return false;
  }
  if (text::splitFields(line, ',', f) != 4) {
    reason = unterminated && f.size() < 4
                 ? fmt::format("truncated last line (no newline, {} of 4 fields)", f.size())
                 : fmt::format("expected 4 fields, got {}", f.size());
    return false;
  }
  if (!session::parseIdField(f[0], "session", row.session, reason) ||
      !session::parseIsoField(f[1], "timestamp", row.timestamp, reason) ||
      !session::parseIdField(f[2], "item", row.item, reason)) {
    return false;
  }
  row.category = f[3];
  return true;
}

struct Shared {
  const ClicksJob& job;
  const MappedFile& file;
  Columns cols;
  std::vector<std::unique_ptr<Chunk>>& chunks;
};

constexpr std::uint64_t kCheckEvery = 65536;

void reportProgress(const Shared& sh) {
  std::uint64_t done = sh.job.bytesBefore;
  for (const auto& c : sh.chunks) done += c->bytesDone.load(std::memory_order_relaxed);
  const double total = static_cast<double>(std::max<std::uint64_t>(sh.job.totalBytes, 1));
  sh.job.observer.onProgress(std::min(1.0, static_cast<double>(done) / total), "loading");
}

void parseChunk(Chunk& c, const Shared& sh, bool reportsProgress) {
  const bool stopAtBad = sh.job.options.policy == BadRowPolicy::Stop;
  const std::size_t keepBad = stopAtBad ? 1 : sh.job.options.maxListedBadRows;
  const char* p = c.begin;
  const char* const end = c.end;
  std::uint64_t line = 0;
  if (c.skipHeader) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    p = nl ? static_cast<const char*>(nl) + 1 : end;
    line = 1;
  }
  std::size_t row = c.rowBase;
  std::int64_t prevSession = 0;
  std::int32_t prevSessionId = -1;
  DayCache days;
  ParsedRow r;
  std::string reason;
  std::vector<std::string_view> fields;
  std::uint64_t sinceCheck = 0;
  const char* released = c.begin;

  while (p < end) {
    ++line;
    if (++sinceCheck == kCheckEvery) {
      sinceCheck = 0;
      c.bytesDone.store(static_cast<std::uint64_t>(p - c.begin), std::memory_order_relaxed);
      if (sh.job.stop.stopRequested()) return;  // the caller throws Cancelled
      if (reportsProgress) reportProgress(sh);
      sh.file.release(released, p);
      released = p;
    }
    const char* next = nullptr;
    if (!fastRow(p, end, days, r, next)) {
      const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
      const char* lineEnd = nl ? static_cast<const char*>(nl) : end;
      next = nl ? lineEnd + 1 : end;
      std::string_view text(p, static_cast<std::size_t>(lineEnd - p));
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      p = next;
      if (text.empty()) continue;  // blank line
      ++c.rowsRead;
      if (!slowRow(text, nl == nullptr, r, reason, fields)) {
        ++c.badCount;
        if (c.bad.size() < keepBad) c.bad.emplace_back(c.firstLine + line - 1, std::move(reason));
        if (stopAtBad) break;
        continue;
      }
    } else {
      ++c.rowsRead;
      p = next;
    }
    if (prevSessionId < 0 || r.session != prevSession) {
      prevSession = r.session;
      prevSessionId = c.sessions.intern(r.session);
    }
    const std::int32_t item = c.items.intern(r.item);
    sh.cols.item[row] = item;
    if (!sh.cols.timestamps->encode(r.timestamp, sh.cols.seconds[row], sh.cols.millis[row])) {
      c.wideTimestamps.emplace_back(row, r.timestamp);  // outside the compact window
    }
    sh.cols.session[row] = prevSessionId;
    ++row;
    if (!r.category.empty() && r.category != "0") {
      const std::int32_t code = c.categories.code(r.category);
      const std::uint64_t key =
          (static_cast<std::uint64_t>(item) << 32) | static_cast<std::uint32_t>(code);
      if (c.itemCategory.insert(key)) c.pairs.emplace_back(item, code);
    }
  }
  c.rows = row - c.rowBase;
  c.bytesDone.store(static_cast<std::uint64_t>(end - c.begin), std::memory_order_relaxed);
}

/// Cuts [0, size) into up to `n` pieces ending just after a '\n' (the last at the end).
std::vector<std::pair<std::size_t, std::size_t>> cutChunks(const char* data, std::size_t size,
                                                           std::size_t n) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t start = 0;
  for (std::size_t k = 1; k < n && start < size; ++k) {
    std::size_t target = std::max(start + 1, size * k / n);
    if (target > size) break;
    const void* nl = std::memchr(data + target - 1, '\n', size - (target - 1));
    if (!nl) break;
    std::size_t boundary = static_cast<std::size_t>(static_cast<const char*>(nl) - data) + 1;
    if (boundary >= size) break;
    out.emplace_back(start, boundary);
    start = boundary;
  }
  if (start < size) out.emplace_back(start, size);
  return out;
}

template <typename T>
void moveRows(std::vector<T>& col, std::size_t from, std::size_t to, std::size_t n) {
  if (from != to && n > 0) std::memmove(col.data() + to, col.data() + from, n * sizeof(T));
}

}  // namespace

void parseClicksFile(const std::string& path, int threads, const ClicksJob& job,
                     InteractionLog& log, ChunkedIds& sessions, ChunkedIds& items) {
  job.stop.throwIfStopped();
  MappedFile file(path);
  if (file.size() == 0) throw InputError(path + ": empty file");
  const char* data = file.data();

  // Structural check on the first non-blank line: the delimiter.
  {
    std::size_t b = 0;
    while (b < file.size() && (data[b] == '\n' || data[b] == '\r')) ++b;
    if (b == file.size()) throw InputError(path + ": empty file");
    const void* nl = std::memchr(data + b, '\n', file.size() - b);
    std::size_t e =
        nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) : file.size();
    std::string_view first(data + b, e - b);
    if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
    session::requireDelimiter(path, session::stripBom(first), ',');
  }
  // A first line starting with a letter ("session_id,timestamp,...") is a header.
  const std::string_view head =
      session::stripBom(std::string_view(data, std::min<std::size_t>(file.size(), 4)));
  const bool header = !head.empty() && std::isalpha(static_cast<unsigned char>(head[0]));

  // Chunks and their line counts (in parallel), then each chunk's region of the columns.
  const auto pieces = cutChunks(data, file.size(), static_cast<std::size_t>(std::max(threads, 1)));
  std::vector<std::uint64_t> lines(pieces.size());
  {
    // Counted in blocks whose pages are released at once, so the mapped file never becomes
    // resident as a whole.
    auto count = [&](std::size_t k) {
      constexpr std::size_t kBlock = std::size_t{32} << 20;
      std::uint64_t n = 0;
      for (std::size_t b = pieces[k].first; b < pieces[k].second; b += kBlock) {
        const std::size_t e = std::min(pieces[k].second, b + kBlock);
        n += countNewlines(data + b, data + e);
        file.release(data + b, data + e);
      }
      lines[k] = n;
    };
    std::vector<std::thread> workers;
    for (std::size_t k = 1; k < pieces.size(); ++k) workers.emplace_back(count, k);
    count(0);
    for (auto& w : workers) w.join();
  }
  if (data[file.size() - 1] != '\n') ++lines.back();

  std::vector<std::unique_ptr<Chunk>> chunks;
  const std::size_t oldRows = log.item.size();
  std::size_t rowBase = oldRows;
  std::uint64_t firstLine = 1;
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    // Sessions mostly arrive in increasing order (no table needed); items number ~50 000.
    auto c = std::make_unique<Chunk>(16, std::min<std::uint64_t>(lines[k] + 16, 65536));
    c->begin = data + pieces[k].first;
    c->end = data + pieces[k].second;
    c->skipHeader = k == 0 && header;
    c->firstLine = firstLine;
    c->rowBase = rowBase;
    c->capacity = static_cast<std::size_t>(lines[k]) - (c->skipHeader ? 1 : 0);
    firstLine += lines[k];
    rowBase += c->capacity;
    chunks.push_back(std::move(c));
  }
  log.item.resize(rowBase);
  log.timestamp.resize(rowBase);
  log.session.resize(rowBase);
  if (!log.timestamp.compact()) {
    // Already widened by an earlier file: keep it simple and parse compactly into a scratch
    // column, then copy.
    throw std::logic_error("yoochoose: appending clicks to a widened timestamp column");
  }
  Shared sh{job, file,
            Columns{log.item.data(), &log.timestamp, log.timestamp.secondsData(),
                    log.timestamp.millisData(), log.session.data()},
            chunks};

  {
    std::vector<std::thread> workers;
    auto run = [&sh](Chunk& c, bool progress) {
      try {
        parseChunk(c, sh, progress);
      } catch (...) {
        c.error = std::current_exception();
      }
    };
    for (std::size_t k = 1; k < chunks.size(); ++k)
      workers.emplace_back([&, k] { run(*chunks[k], false); });
    run(*chunks[0], true);
    for (auto& w : workers) w.join();
  }
  for (const auto& c : chunks)
    if (c->error) std::rethrow_exception(c->error);
  job.stop.throwIfStopped();
  // Timestamps outside the compact window (more than 68 years from the base) widen the column.
  for (const auto& c : chunks)
    for (const auto& [row, millis] : c->wideTimestamps) log.timestamp.set(row, millis);

  // Bad rows in file order (the sink throws at the first under the Stop policy).
  for (const auto& c : chunks) {
    for (auto& [line, reason] : c->bad) job.sink.add(path, line, std::move(reason));
    job.report.badRowCount += c->badCount - c->bad.size();
    job.report.rowsRead += c->rowsRead;
  }

  // Merge ids in chunk order, then close the gaps left by bad or blank lines.
  Attribute& category = log.itemAttributes.ensure("category", Attribute::Kind::MultiCategorical);
  FastU64Set seenPairs;  // (item << 32 | code) already in the attribute
  for (std::size_t i = 0; i < category.multi.size(); ++i) {
    for (auto code : category.multi[i])
      seenPairs.insert((static_cast<std::uint64_t>(i) << 32) | static_cast<std::uint32_t>(code));
  }
  std::size_t write = oldRows;
  for (const auto& c : chunks) {
    // A table's first chunk keeps its local ids (they are already the global ones).
    const bool sessionIdentity = sessions.size() == 0;
    const auto& sessionRemap = sessions.addChunk(std::move(c->sessions), threads);
    if (!sessionIdentity) {
      for (std::size_t r = c->rowBase; r < c->rowBase + c->rows; ++r)
        log.session[r] = sessionRemap[static_cast<std::size_t>(log.session[r])];
    }
    const bool itemIdentity = items.size() == 0;
    const std::vector<std::int32_t> itemRemap = items.addChunk(std::move(c->items), 1);
    if (!itemIdentity) {
      for (std::size_t r = c->rowBase; r < c->rowBase + c->rows; ++r)
        log.item[r] = itemRemap[static_cast<std::size_t>(log.item[r])];
    }
    moveRows(log.item, c->rowBase, write, c->rows);
    log.timestamp.moveRows(c->rowBase, write, c->rows);
    moveRows(log.session, c->rowBase, write, c->rows);
    write += c->rows;

    // The chunk's (item, category) pairs, in first-appearance order, deduplicated globally.
    std::vector<std::int32_t> codeOf;
    for (const auto& [localItem, localCode] : c->pairs) {
      const auto lc = static_cast<std::size_t>(localCode);
      if (codeOf.size() <= lc) codeOf.resize(lc + 1, -1);
      if (codeOf[lc] < 0)
        codeOf[lc] = category.internValue(std::string(c->categories.text(localCode)));
      const std::int32_t item = itemRemap[static_cast<std::size_t>(localItem)];
      const std::uint64_t key =
          (static_cast<std::uint64_t>(item) << 32) | static_cast<std::uint32_t>(codeOf[lc]);
      if (!seenPairs.insert(key)) continue;
      if (category.multi.size() <= static_cast<std::size_t>(item))
        category.multi.resize(items.size());
      category.multi[static_cast<std::size_t>(item)].push_back(codeOf[lc]);
    }
  }
  log.item.resize(write);
  log.timestamp.resize(write);
  log.session.resize(write);
  job.report.rowsLoaded += write - oldRows;
  job.report.bytesRead += file.size();
  job.report.files.push_back(path);
}

}  // namespace reclab::data::loaders::yoochoose

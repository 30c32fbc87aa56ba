/// Yoochoose (RecSys Challenge 2015): yoochoose-clicks.dat and optionally yoochoose-buys.dat.
///
/// Clicks (`session,timestamp,item,category`) give the columns session, item and timestamp
/// only (16 bytes per event); the categories an item was shown under go to the
/// MultiCategorical item attribute "category" ("0", unknown, is not stored). With a buys file
/// (`session,timestamp,item,price,quantity`) the log also gets an event column (click = 0,
/// buy = 1) and a value column ("quantity": the quantity on buy rows, 0 on clicks), and items
/// the numeric attribute "price" (the last positive price seen).

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "common/text.h"
#include "data/line_reader.h"
#include "data/loaders/loaders.h"
#include "data/loaders/session_support.h"
#include "data/loaders/yoochoose_clicks.h"

namespace reclab::data::loaders {

namespace {

bool isBuysFile(const std::string& path) {
  const std::string name = session::baseName(path);
  if (name.find("buys") != std::string::npos) return true;
  if (name.find("clicks") != std::string::npos) return false;
  // Unknown name: a buys file has five fields per line.
  LineReader reader(path);
  std::string_view line;
  std::vector<std::string_view> f;
  while (reader.next(line)) {
    if (line.empty()) continue;
    return text::splitFields(line, ',', f) == 5;
  }
  return false;
}

int threadCount(const LoadOptions& options) {
  if (options.threads > 0) return options.threads;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

struct BuysState {
  yoochoose::ChunkedIds& sessions;
  yoochoose::ChunkedIds& items;
  std::size_t clickSessions = 0;  ///< sessions known from clicks (global ids below this)
  std::uint64_t orphanRows = 0;   ///< buy rows whose session has no clicks
  std::vector<double> price;      ///< last positive price per global item (NaN: none)
};

void loadBuys(const std::string& path, BadRowSink& sink, ProgressTicker& ticker,
              std::uint64_t bytesBefore, LoadReport& report, InteractionLog& log, BuysState& st) {
  LineReader reader(path);
  if (reader.fileSize() == 0) throw InputError(path + ": empty file");
  report.files.push_back(path);
  std::vector<std::string_view> f;
  std::string reason;
  std::string_view line;
  bool first = true;
  bool sawContent = false;
  while (reader.next(line)) {
    ticker.tick(bytesBefore + reader.bytesConsumed());
    if (line.empty()) continue;
    sawContent = true;
    if (first) {
      first = false;
      line = session::stripBom(line);
      session::requireDelimiter(path, line, ',');
      if (std::isalpha(static_cast<unsigned char>(line[0]))) continue;  // header
    }
    ++report.rowsRead;
    if (auto bad = session::utf8Problem(line); !bad.empty()) {
      sink.add(path, reader.lineNumber(), std::move(bad));
      continue;
    }
    if (text::splitFields(line, ',', f) != 5) {
      sink.add(path, reader.lineNumber(),
               session::fieldCountProblem(reader.lastLineUnterminated(), f.size(), 5));
      continue;
    }
    std::int64_t session = 0, ts = 0, itemId = 0, quantity = 0;
    double price = 0;
    if (!session::parseIdField(f[0], "session", session, reason) ||
        !session::parseIsoField(f[1], "timestamp", ts, reason) ||
        !session::parseIdField(f[2], "item", itemId, reason) ||
        !session::parseRealField(f[3], "price", price, reason) ||
        !session::parseIntField(f[4], "quantity", quantity, reason)) {
      sink.add(path, reader.lineNumber(), std::move(reason));
      continue;
    }
    if (quantity < 0) {
      sink.add(path, reader.lineNumber(),
               fmt::format("field 'quantity': negative: {}", session::quoted(f[4])));
      continue;
    }
    const std::int32_t s = st.sessions.intern(session);
    if (static_cast<std::size_t>(s) >= st.clickSessions) ++st.orphanRows;
    const std::int32_t item = st.items.intern(itemId);
    log.session.push_back(s);
    log.item.push_back(item);
    log.timestamp.push_back(ts);
    log.event.push_back(1);
    log.value.push_back(static_cast<float>(quantity));
    if (price > 0) {
      if (st.price.size() <= static_cast<std::size_t>(item)) st.price.resize(item + 1, kMissing);
      st.price[static_cast<std::size_t>(item)] = price;
    }
    ++report.rowsLoaded;
  }
  if (!sawContent) throw InputError(path + ": empty file");
  report.bytesRead += reader.bytesConsumed();
}

}  // namespace

void loadYoochoose(const std::vector<std::string>& paths, const LoadOptions& options,
                   LoadResult& result, Observer& observer, const StopToken& stop) {
  const std::uint64_t total = session::totalSize(paths);  // also: "no such file"
  std::vector<std::string> clicks, buys;
  for (const auto& p : paths) (isBuysFile(p) ? buys : clicks).push_back(p);
  if (clicks.empty()) {
    throw InputError(
        "yoochoose: no clicks file given (yoochoose-clicks.dat: session,timestamp,item,category)");
  }
  InteractionLog& log = result.log;
  LoadReport& report = result.report;
  BadRowSink sink(options, report);
  yoochoose::ChunkedIds sessions, items;
  const int threads = threadCount(options);
  log.eventNames = {event_names::kClick};

  std::uint64_t done = 0;
  yoochoose::ClicksJob job{options, report, sink, observer, stop, 0, total};
  for (const auto& path : clicks) {
    job.bytesBefore = done;
    yoochoose::parseClicksFile(path, threads, job, log, sessions, items);
    done += fileSizeOrThrow(path);
  }

  if (!buys.empty()) {
    log.eventNames = {event_names::kClick, event_names::kBuy};
    log.valueName = "quantity";
    // Room for the buy rows (about 50 bytes each) so the columns do not double on push_back.
    std::uint64_t buyBytes = 0;
    for (const auto& path : buys) buyBytes += fileSizeOrThrow(path);
    const std::size_t expected = log.item.size() + static_cast<std::size_t>(buyBytes / 32) + 16;
    for (auto* col : {&log.item, &log.session}) col->reserve(expected);
    log.timestamp.reserve(expected);
    log.event.reserve(expected);
    log.value.reserve(expected);
    log.event.assign(log.item.size(), 0);
    log.value.assign(log.item.size(), 0.0f);
    BuysState st{sessions, items, sessions.size(), 0, {}};
    ProgressTicker ticker(observer, stop, "loading", total);
    for (const auto& path : buys) {
      loadBuys(path, sink, ticker, done, report, log, st);
      done += fileSizeOrThrow(path);
    }
    for (std::size_t i = 0; i < st.price.size(); ++i) {
      if (st.price[i] == st.price[i])
        log.itemAttributes.setNumeric("price", static_cast<std::int32_t>(i), st.price[i]);
    }
    if (st.orphanRows > 0) {
      std::string message =
          fmt::format("{} buy rows belong to sessions without any click", st.orphanRows);
      observer.onLog(LogLevel::Warning, message);
      report.warnings.push_back(std::move(message));
    }
  }

  log.sessions.assignDistinctInts(sessions.originals());
  log.items.assignDistinctInts(items.originals());
  log.itemAttributes.resize(log.numItems());
}

}  // namespace reclab::data::loaders

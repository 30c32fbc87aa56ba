/// Diginetica (CIKM Cup 2016) train-item-views.csv and session-rec's tab-separated files.
///
/// Diginetica rows give session, user, item and timestamp = eventdate (midnight UTC) +
/// timeframe (ms). The user column is kept whole: rows whose user_id is "NA" (anonymous) all
/// get the user whose original id is "NA". Session-rec files need a tab-separated header
/// naming SessionId, ItemId and Time (unix seconds, fractions allowed), in any order; other
/// columns are ignored. Ids are integers in both formats.

#include <fmt/format.h>

#include <cstring>
#include <string>
#include <vector>

#include "common/text.h"
#include "data/line_reader.h"
#include "data/loaders/loaders.h"
#include "data/loaders/session_support.h"

namespace reclab::data::loaders {

namespace {

using session::Context;

constexpr std::string_view kDigineticaHeader = "session_id;user_id;item_id;timeframe;eventdate";

/// "YYYY-MM-DD" as milliseconds at midnight UTC.
bool parseDate(std::string_view text, std::int64_t& out, std::string& reason) {
  if (text.size() == 10) {
    char buf[20];
    std::memcpy(buf, text.data(), 10);
    std::memcpy(buf + 10, "T00:00:00", 9);
    auto p = text::parseIso8601Millis(std::string_view(buf, 19));
    if (p) {
      out = *p.value;
      return true;
    }
  }
  reason = fmt::format("field 'eventdate': not a date (YYYY-MM-DD): {}", session::quoted(text));
  return false;
}

void loadDigineticaFile(Context& ctx, const std::string& path) {
  InteractionLog& log = ctx.log();
  LineReader reader(path);
  ctx.beginFile(reader);
  std::string_view line;
  reader.next(line);
  session::requireHeader(path, line, kDigineticaHeader, ';');

  const auto estimate = static_cast<std::size_t>(reader.fileSize() / 32);
  for (auto* col : {&log.session, &log.user, &log.item}) col->reserve(col->size() + estimate);
  log.timestamp.reserve(log.timestamp.size() + estimate);

  std::vector<std::string_view> f;
  std::string reason;
  LoadReport& report = ctx.report();
  while (reader.next(line)) {
    ctx.tick(reader);
    if (line.empty()) continue;
    ++report.rowsRead;
    if (auto bad = session::utf8Problem(line); !bad.empty()) {
      ctx.bad(reader, std::move(bad));
      continue;
    }
    if (text::splitFields(line, ';', f) != 5) {
      ctx.bad(reader, session::fieldCountProblem(reader.lastLineUnterminated(), f.size(), 5));
      continue;
    }
    std::int64_t sessionId = 0, userId = -1, itemId = 0, timeframe = 0, day = 0;
    const bool noUser = f[1] == "NA";
    if (!session::parseIdField(f[0], "session_id", sessionId, reason) ||
        (!noUser && !session::parseIdField(f[1], "user_id", userId, reason)) ||
        !session::parseIdField(f[2], "item_id", itemId, reason) ||
        !session::parseIntField(f[3], "timeframe", timeframe, reason) ||
        !parseDate(f[4], day, reason)) {
      ctx.bad(reader, std::move(reason));
      continue;
    }
    if (timeframe < 0 || timeframe > (std::int64_t{1} << 50)) {
      ctx.bad(reader,
              fmt::format("field 'timeframe': number out of range: {}", session::quoted(f[3])));
      continue;
    }
    log.session.push_back(ctx.sessions.intern(sessionId));
    log.user.push_back(ctx.users.intern(noUser ? session::Context::kNoUser : userId));
    log.item.push_back(ctx.items.intern(itemId));
    log.timestamp.push_back(day + timeframe);
    ++report.rowsLoaded;
  }
  ctx.endFile(reader);
}

/// Column positions named by a session-rec header.
struct SessionRecColumns {
  std::size_t session = 0, item = 0, time = 0, count = 0;
};

SessionRecColumns parseSessionRecHeader(const std::string& path, std::string_view line) {
  line = text::trim(session::stripBom(line));
  session::requireDelimiter(path, line, '\t');
  std::vector<std::string_view> f;
  text::splitFields(line, '\t', f);
  SessionRecColumns cols;
  cols.count = f.size();
  bool s = false, i = false, t = false;
  for (std::size_t k = 0; k < f.size(); ++k) {
    const std::string_view name = text::trim(f[k]);
    if (name == "SessionId" && !s) {
      cols.session = k;
      s = true;
    } else if (name == "ItemId" && !i) {
      cols.item = k;
      i = true;
    } else if (name == "Time" && !t) {
      cols.time = k;
      t = true;
    }
  }
  if (!s || !i || !t) {
    std::string got(line.substr(0, 80));
    throw InputError(
        fmt::format("{}:1: expected a header naming the columns SessionId, ItemId and Time "
                    "(tab-separated), got '{}'",
                    path, got));
  }
  return cols;
}

void loadSessionRecFile(Context& ctx, const std::string& path) {
  InteractionLog& log = ctx.log();
  LineReader reader(path);
  ctx.beginFile(reader);
  std::string_view line;
  reader.next(line);
  const SessionRecColumns cols = parseSessionRecHeader(path, line);

  const auto estimate = static_cast<std::size_t>(reader.fileSize() / 24);
  for (auto* col : {&log.session, &log.item}) col->reserve(col->size() + estimate);
  log.timestamp.reserve(log.timestamp.size() + estimate);

  std::vector<std::string_view> f;
  std::string reason;
  LoadReport& report = ctx.report();
  while (reader.next(line)) {
    ctx.tick(reader);
    if (line.empty()) continue;
    ++report.rowsRead;
    if (auto bad = session::utf8Problem(line); !bad.empty()) {
      ctx.bad(reader, std::move(bad));
      continue;
    }
    if (text::splitFields(line, '\t', f) != cols.count) {
      ctx.bad(reader,
              session::fieldCountProblem(reader.lastLineUnterminated(), f.size(), cols.count));
      continue;
    }
    std::int64_t sessionId = 0, itemId = 0, ts = 0;
    if (!session::parseIdField(f[cols.session], "SessionId", sessionId, reason) ||
        !session::parseIdField(f[cols.item], "ItemId", itemId, reason) ||
        !session::parseUnixSecondsField(f[cols.time], "Time", ts, reason)) {
      ctx.bad(reader, std::move(reason));
      continue;
    }
    log.session.push_back(ctx.sessions.intern(sessionId));
    log.item.push_back(ctx.items.intern(itemId));
    log.timestamp.push_back(ts);
    ++report.rowsLoaded;
  }
  ctx.endFile(reader);
}

}  // namespace

void loadDiginetica(const std::vector<std::string>& paths, const LoadOptions& options,
                    LoadResult& result, Observer& observer, const StopToken& stop) {
  session::Context ctx(options, result, observer, stop, paths);
  result.log.eventNames = {event_names::kView};
  for (const auto& p : paths) loadDigineticaFile(ctx, p);
  ctx.finishIds();
}

void loadSessionRec(const std::vector<std::string>& paths, const LoadOptions& options,
                    LoadResult& result, Observer& observer, const StopToken& stop) {
  session::Context ctx(options, result, observer, stop, paths);
  result.log.eventNames = {event_names::kClick};
  for (const auto& p : paths) loadSessionRecFile(ctx, p);
  ctx.finishIds();
}

}  // namespace reclab::data::loaders

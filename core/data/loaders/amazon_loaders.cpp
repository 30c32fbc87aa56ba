/// Amazon product ratings: the headerless `user,item,rating,timestamp` CSV, and the Amazon
/// Reviews JSON Lines (2023 keys user_id / parent_asin / rating / timestamp [ms], 2018 keys
/// reviewerID / asin / overall / unixReviewTime [s]) with an optional meta_*.jsonl catalogue.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/errors.h"
#include "common/text.h"
#include "data/loaders/loader_support.h"
#include "data/loaders/loaders.h"

namespace reclab::data::loaders {

using namespace support;
using nlohmann::json;

namespace {

constexpr double kMinStars = 1.0;
constexpr double kMaxStars = 5.0;
/// Unix seconds beyond this (the year 5138) are taken to be milliseconds.
constexpr std::int64_t kMillisThreshold = 100'000'000'000;

void startRatingLog(InteractionLog& log) {
  log.valueName = "rating";
  if (log.findEvent(event_names::kRating) < 0) log.internEvent(event_names::kRating);
}

void pushRating(InteractionLog& log, std::string_view user, std::string_view item, float rating,
                std::int64_t millis) {
  log.user.push_back(log.users.intern(user));
  log.item.push_back(log.items.intern(item));
  log.value.push_back(rating);
  log.timestamp.push_back(millis);
}

// ---------------------------------------------------------------- CSV

/// Position of the first header name in `candidates`, or -1.
int findColumn(const std::vector<std::string_view>& header,
               std::initializer_list<std::string_view> candidates) {
  for (auto c : candidates) {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (text::trim(header[i]) == c) return static_cast<int>(i);
  }
  return -1;
}

void readAmazonCsv(LoadContext& ctx, const std::string& path) {
  LineReader reader(path);
  InteractionLog& log = ctx.log();
  LoadReport& report = ctx.report();
  const std::vector<std::string_view> names = {"user", "item", "rating", "timestamp"};
  std::vector<std::size_t> col = {0, 1, 2, 3};
  const std::size_t expected = 4;
  bool unitKnown = false;
  bool millis = false;
  std::vector<std::string_view> f;
  std::vector<std::string> storage;
  std::string reason;
  const std::uint64_t rowsBefore = report.rowsRead;

  auto onFirst = [&](std::string_view line) {
    requireDelimiter(path, reader.lineNumber(), line, ",");
    if (!text::splitCsvQuoted(line, ',', f, storage) || f.size() != 4) return false;
    if (text::parseDouble(f[2]) || text::parseDouble(f[3])) return false;  // a data row
    // A header (the 2023 benchmark files have user_id,parent_asin,rating,timestamp).
    const int c[4] = {findColumn(f, {"user_id", "user", "userId", "reviewerID"}),
                      findColumn(f, {"parent_asin", "asin", "item", "item_id", "itemId"}),
                      findColumn(f, {"rating", "overall"}),
                      findColumn(f, {"timestamp", "unixReviewTime", "time"})};
    std::vector<std::string> missing;
    for (int k = 0; k < 4; ++k) {
      if (c[k] < 0)
        missing.emplace_back(names[static_cast<std::size_t>(k)]);
      else
        col[static_cast<std::size_t>(k)] = static_cast<std::size_t>(c[k]);
    }
    if (!missing.empty()) {
      throw InputError(fmt::format("{}:{}: the header {} has no column for {}", path,
                                   reader.lineNumber(), fmt::join(f, ","),
                                   fmt::join(missing, ", ")));
    }
    if (findColumn(f, {"user_id", "parent_asin"}) >= 0) {
      unitKnown = true;  // 2023 files write milliseconds
      millis = true;
    }
    return true;
  };
  auto onRow = [&](std::string_view line) {
    ++report.rowsRead;
    if (std::string p = utf8Problem(line); !p.empty()) return ctx.bad(reader, std::move(p));
    if (!text::splitCsvQuoted(line, ',', f, storage)) {
      return ctx.bad(reader, "unterminated or misplaced quote");
    }
    if (f.size() != expected) return ctx.bad(reader, fieldCountProblem(reader, f.size(), expected));
    std::string_view user = text::trim(f[col[0]]);
    std::string_view item = text::trim(f[col[1]]);
    float rating = 0;
    std::int64_t ts = 0;
    if (!requireNonEmpty(user, names[0], reason) || !requireNonEmpty(item, names[1], reason) ||
        !parseRatingField(f[col[2]], names[2], kMinStars, kMaxStars, rating, reason) ||
        !parseTimestampField(f[col[3]], names[3], TimeUnit::Millis, ts, reason)) {
      return ctx.bad(reader, reason);
    }
    if (!unitKnown) {
      unitKnown = true;
      millis = ts >= kMillisThreshold;
      if (millis) {
        ctx.warn(fmt::format("{}:{}: timestamps look like milliseconds ({}); read as such", path,
                             reader.lineNumber(), ts));
      }
    }
    if (!millis) {
      if (ts > std::numeric_limits<std::int64_t>::max() / 1000 ||
          ts < -std::numeric_limits<std::int64_t>::max() / 1000) {
        return ctx.bad(reader, fmt::format("field '{}': number out of range: {}", names[3],
                                           showValue(f[col[3]])));
      }
      ts *= 1000;
    }
    pushRating(log, user, item, rating, ts);
    ++report.rowsLoaded;
  };
  streamLines(ctx, reader, onFirst, onRow);
  if (report.rowsRead == rowsBefore) ctx.warn(path + ": no data rows");
}

// ---------------------------------------------------------------- JSON Lines

/// A JSON value as shown in a message.
std::string showJson(const json& v) {
  return showValue(v.is_string() ? v.get_ref<const std::string&>() : v.dump());
}

/// The first of `keys` present in `obj`, or nullptr.
const json* findKey(const json& obj, std::initializer_list<const char*> keys, const char** which) {
  for (const char* k : keys) {
    auto it = obj.find(k);
    if (it != obj.end() && !it->is_null()) {
      *which = k;
      return &*it;
    }
  }
  return nullptr;
}

/// An id (string, or a number written as its text); false with a reason otherwise.
bool jsonId(const json& v, const char* key, std::string& out, std::string& reason) {
  if (v.is_string()) {
    out = v.get_ref<const std::string&>();
  } else if (v.is_number_integer()) {
    out = v.dump();
  } else {
    reason = fmt::format("field '{}': not a string: {}", key, showJson(v));
    return false;
  }
  if (out.empty()) {
    reason = fmt::format("field '{}': empty", key);
    return false;
  }
  return true;
}

bool jsonNumber(const json& v, const char* key, double& out, std::string& reason) {
  if (v.is_number()) {
    out = v.get<double>();
    return true;
  }
  if (v.is_string()) return parseRealField(v.get_ref<const std::string&>(), key, out, reason);
  reason = fmt::format("field '{}': not a number: {}", key, showJson(v));
  return false;
}

bool jsonInteger(const json& v, const char* key, std::int64_t& out, std::string& reason) {
  if (v.is_number_unsigned()) {
    if (v.get<std::uint64_t>() >
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      reason = fmt::format("field '{}': number out of range: {}", key, showJson(v));
      return false;
    }
    out = v.get<std::int64_t>();
    return true;
  }
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
    return true;
  }
  if (v.is_string()) return parseIntField(v.get_ref<const std::string&>(), key, out, reason);
  if (v.is_number_float()) {  // integers too large for 64 bits arrive as doubles
    const double d = v.get<double>();
    if (!(std::fabs(d) < 9.2e18)) {
      reason = fmt::format("field '{}': number out of range: {}", key, showJson(v));
      return false;
    }
    if (d != std::floor(d)) {
      reason = fmt::format("field '{}': not an integer: {}", key, showJson(v));
      return false;
    }
    out = static_cast<std::int64_t>(d);
    return true;
  }
  reason = fmt::format("field '{}': not an integer: {}", key, showJson(v));
  return false;
}

/// First-line check shared by reviews and meta files.
bool requireJsonObjectLine(const std::string& path, std::uint64_t lineNumber,
                           std::string_view line) {
  std::string_view t = text::trim(line);
  if (t.front() == '{') return false;
  if (t.front() == '[') {
    throw InputError(
        fmt::format("{}:{}: the file is one JSON array, not JSON Lines (one object per line)", path,
                    lineNumber));
  }
  throw InputError(fmt::format("{}:{}: not a JSON object — is this JSON Lines?", path, lineNumber));
}

/// Parses one line into an object; false with a reason for invalid UTF-8 / JSON / non-object.
bool parseObjectLine(const LineReader& reader, std::string_view line, json& out,
                     std::string& reason) {
  reason = utf8Problem(line);
  if (!reason.empty()) return false;
  out = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) {
    reason = reader.lastLineUnterminated() ? "truncated last line (no newline, not valid JSON)"
                                           : "not valid JSON";
    return false;
  }
  if (!out.is_object()) {
    reason = "not a JSON object";
    return false;
  }
  return true;
}

void readReviews(LoadContext& ctx, const std::string& path) {
  LineReader reader(path);
  InteractionLog& log = ctx.log();
  LoadReport& report = ctx.report();
  json row;
  std::string reason, user, item;
  const std::uint64_t rowsBefore = report.rowsRead;

  auto onFirst = [&](std::string_view line) {
    return requireJsonObjectLine(path, reader.lineNumber(), line);
  };
  auto onRow = [&](std::string_view line) {
    ++report.rowsRead;
    if (!parseObjectLine(reader, line, row, reason)) return ctx.bad(reader, reason);
    const char* key = nullptr;
    // 2023 rows have user_id, 2018 rows reviewerID; the remaining keys follow.
    const json* u = findKey(row, {"user_id", "reviewerID"}, &key);
    if (!u) return ctx.bad(reader, "missing key 'user_id' (or 'reviewerID')");
    const bool v2023 = std::string_view(key) == "user_id";
    if (!jsonId(*u, key, user, reason)) return ctx.bad(reader, reason);

    const json* i =
        v2023 ? findKey(row, {"parent_asin", "asin"}, &key) : findKey(row, {"asin"}, &key);
    if (!i) {
      return ctx.bad(reader,
                     v2023 ? "missing key 'parent_asin' (or 'asin')" : "missing key 'asin'");
    }
    if (!jsonId(*i, key, item, reason)) return ctx.bad(reader, reason);

    const char* ratingKey = v2023 ? "rating" : "overall";
    const json* r = findKey(row, {ratingKey}, &key);
    if (!r) return ctx.bad(reader, fmt::format("missing key '{}'", ratingKey));
    double stars = 0;
    if (!jsonNumber(*r, ratingKey, stars, reason)) return ctx.bad(reader, reason);
    if (stars < kMinStars || stars > kMaxStars) {
      return ctx.bad(reader, fmt::format("field '{}': rating out of range [{}, {}]: {}", ratingKey,
                                         kMinStars, kMaxStars, showJson(*r)));
    }

    const char* timeKey = v2023 ? "timestamp" : "unixReviewTime";
    const json* t = findKey(row, {timeKey}, &key);
    if (!t) return ctx.bad(reader, fmt::format("missing key '{}'", timeKey));
    std::int64_t ts = 0;
    if (!jsonInteger(*t, timeKey, ts, reason)) return ctx.bad(reader, reason);
    if (!v2023) {
      if (ts > std::numeric_limits<std::int64_t>::max() / 1000 ||
          ts < -std::numeric_limits<std::int64_t>::max() / 1000) {
        return ctx.bad(reader,
                       fmt::format("field '{}': number out of range: {}", timeKey, showJson(*t)));
      }
      ts *= 1000;
    }
    pushRating(log, user, item, static_cast<float>(stars), ts);
    ++report.rowsLoaded;
  };
  streamLines(ctx, reader, onFirst, onRow);
  if (report.rowsRead == rowsBefore) ctx.warn(path + ": no data rows");
}

/// "$12.99" / "12.99" / 12.99 -> 12.99; false for anything else ("None", "", a range).
bool priceOf(const json& v, double& out) {
  if (v.is_number()) {
    out = v.get<double>();
    return true;
  }
  if (!v.is_string()) return false;
  std::string_view s = text::trim(v.get_ref<const std::string&>());
  if (!s.empty() && s.front() == '$') s.remove_prefix(1);
  auto p = text::parseDouble(s);
  if (!p) return false;
  out = *p.value;
  return true;
}

void readMeta(LoadContext& ctx, const std::string& path) {
  LineReader reader(path);
  InteractionLog& log = ctx.log();
  AttributeTable& attrs = log.itemAttributes;
  attrs.ensure("title", Attribute::Kind::Categorical);
  attrs.ensure("category", Attribute::Kind::Categorical);
  attrs.ensure("categories", Attribute::Kind::MultiCategorical);
  attrs.ensure("price", Attribute::Kind::Numeric);
  attrs.ensure("store", Attribute::Kind::Categorical);
  json row;
  std::string reason, id;
  std::size_t added = 0;

  auto onFirst = [&](std::string_view line) {
    return requireJsonObjectLine(path, reader.lineNumber(), line);
  };
  auto onRow = [&](std::string_view line) {
    if (!parseObjectLine(reader, line, row, reason)) return ctx.bad(reader, reason);
    const char* key = nullptr;
    const json* i = findKey(row, {"parent_asin", "asin"}, &key);
    if (!i) return ctx.bad(reader, "missing key 'parent_asin' (or 'asin')");
    if (!jsonId(*i, key, id, reason)) return ctx.bad(reader, reason);
    std::int32_t item = 0;
    if (auto found = log.items.find(id)) {
      item = *found;
    } else {
      item = log.items.intern(id);
      ++added;
    }
    const json* v = nullptr;
    if ((v = findKey(row, {"title"}, &key)) && v->is_string() &&
        !v->get_ref<const std::string&>().empty()) {
      attrs.setCategorical("title", item, v->get<std::string>());
    }
    if ((v = findKey(row, {"main_category"}, &key)) && v->is_string()) {
      attrs.setCategorical("category", item, v->get<std::string>());
    }
    if ((v = findKey(row, {"categories", "category"}, &key)) && v->is_array()) {
      for (const auto& c : *v)
        if (c.is_string() && !c.get_ref<const std::string&>().empty())
          attrs.addMulti("categories", item, c.get<std::string>());
    }
    double price = 0;
    if ((v = findKey(row, {"price"}, &key)) && priceOf(*v, price))
      attrs.setNumeric("price", item, price);
    if ((v = findKey(row, {"store", "brand"}, &key)) && v->is_string() &&
        !v->get_ref<const std::string&>().empty()) {
      attrs.setCategorical("store", item, v->get<std::string>());
    }
  };
  streamLines(ctx, reader, onFirst, onRow);
  if (added > 0) {
    ctx.warn(fmt::format("{}: {} catalogue-only item(s) with no review were added to the items",
                         path, added));
  }
}

bool isMetaName(const std::string& path) { return baseName(path).rfind("meta_", 0) == 0; }

}  // namespace

void loadAmazonCsv(const std::vector<std::string>& paths, const LoadOptions& options,
                   LoadResult& result, Observer& observer, const StopToken& stop) {
  if (paths.empty()) throw InputError("amazon-csv: no file given");
  rejectCompressed(paths);
  LoadContext ctx(options, result, observer, stop, paths);
  startRatingLog(result.log);
  for (const auto& p : paths) readAmazonCsv(ctx, p);
}

void loadAmazonJsonl(const std::vector<std::string>& paths, const LoadOptions& options,
                     LoadResult& result, Observer& observer, const StopToken& stop) {
  rejectCompressed(paths);
  std::vector<std::string> reviews, metas;
  for (const auto& p : paths) (isMetaName(p) ? metas : reviews).push_back(p);
  if (reviews.empty()) throw InputError("amazon-jsonl: no reviews file given (only meta_* files)");
  if (metas.empty()) {
    // Books.jsonl -> meta_Books.jsonl; the 2018 5-core Books_5.json -> meta_Books.json.
    for (const auto& r : reviews) {
      std::string name = baseName(r);
      std::vector<std::string> candidates = {"meta_" + name};
      if (auto pos = name.rfind("_5."); pos != std::string::npos) {
        candidates.push_back("meta_" + name.substr(0, pos) + name.substr(pos + 2));
      }
      for (const auto& c : candidates) {
        std::string m = siblingPath(r, c);
        if (isRegularFile(m) && std::find(metas.begin(), metas.end(), m) == metas.end()) {
          metas.push_back(m);
          break;
        }
      }
    }
  }
  std::vector<std::string> all = reviews;
  all.insert(all.end(), metas.begin(), metas.end());
  LoadContext ctx(options, result, observer, stop, all);
  startRatingLog(result.log);
  for (const auto& p : reviews) readReviews(ctx, p);
  for (const auto& p : metas) readMeta(ctx, p);
  result.log.itemAttributes.resize(result.log.numItems());
}

}  // namespace reclab::data::loaders

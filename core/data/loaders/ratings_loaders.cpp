/// MovieLens in its three layouts: 100K (u.data + u.item + u.user), 1M (ratings.dat +
/// movies.dat + users.dat) and "latest" / 20M / 25M (ratings.csv + movies.csv).
/// The Amazon formats live in amazon_loaders.cpp.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <optional>

#include "common/errors.h"
#include "common/text.h"
#include "data/loaders/loader_support.h"
#include "data/loaders/loaders.h"

namespace reclab::data::loaders {

using namespace support;

namespace {

enum class Variant { Ml100k, Ml1m, Latest };

constexpr std::array<const char*, 19> kGenres100k = {
    "unknown",     "Action", "Adventure", "Animation", "Children's", "Comedy",  "Crime",
    "Documentary", "Drama",  "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
    "Romance",     "Sci-Fi", "Thriller",  "War",       "Western"};

/// Occupation codes of the 1M users.dat (its README).
// clang-format off
constexpr std::array<const char*, 21> kOccupations1m = {
    "other", "academic/educator", "artist", "clerical/admin", "college/grad student",
    "customer service", "doctor/health care", "executive/managerial", "farmer", "homemaker",
    "K-12 student", "lawyer", "programmer", "retired", "sales/marketing", "scientist",
    "self-employed", "technician/engineer", "tradesman/craftsman", "unemployed", "writer"};
// clang-format on

std::string_view delimiterOf(Variant v) {
  switch (v) {
    case Variant::Ml100k:
      return "\t";
    case Variant::Ml1m:
      return "::";
    case Variant::Latest:
      return ",";
  }
  return ",";
}

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool startsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

/// Files of the MovieLens distributions that hold no ratings and are not read.
bool isIgnoredName(const std::string& name) {
  static constexpr std::string_view kNames[] = {"u.genre",   "u.occupation", "u.info",
                                                "links.csv", "tags.csv",     "tags.dat",
                                                "allbut.pl", "mku.sh"};
  for (auto n : kNames)
    if (name == n) return true;
  return startsWith(name, "README") || startsWith(name, "genome-") || endsWith(name, ".txt") ||
         endsWith(name, ".html");
}

/// The variant of a ratings file from its name, else from its first line.
Variant ratingsVariant(const std::string& path) {
  std::string name = baseName(path);
  if (name == "u.data" || endsWith(name, ".base") || endsWith(name, ".test"))
    return Variant::Ml100k;
  if (endsWith(name, ".dat")) return Variant::Ml1m;
  if (endsWith(name, ".csv")) return Variant::Latest;
  LineReader reader(path);
  std::string_view line;
  while (reader.next(line) && isBlank(line)) {
  }
  if (line.find("::") != std::string_view::npos) return Variant::Ml1m;
  if (line.find('\t') != std::string_view::npos) return Variant::Ml100k;
  return Variant::Latest;
}

struct MlFiles {
  std::vector<std::pair<std::string, Variant>> ratings;
  std::optional<std::pair<std::string, Variant>> items;
  std::optional<std::pair<std::string, Variant>> users;
  std::vector<std::string> warnings;

  std::vector<std::string> all() const {
    std::vector<std::string> out;
    for (const auto& r : ratings) out.push_back(r.first);
    if (items) out.push_back(items->first);
    if (users) out.push_back(users->first);
    return out;
  }
};

MlFiles classify(const std::vector<std::string>& paths) {
  MlFiles files;
  std::vector<std::string> expanded;
  for (const auto& p : paths) {
    if (!isDirectory(p)) {
      expanded.push_back(p);
      continue;
    }
    bool found = false;
    for (const char* name : {"u.data", "ratings.dat", "ratings.csv"}) {
      std::string candidate = siblingPath(p + "/", name);
      if (isRegularFile(candidate)) {
        expanded.push_back(candidate);
        found = true;
        break;
      }
    }
    if (!found) {
      throw InputError(p + ": no MovieLens ratings file (u.data, ratings.dat or ratings.csv) here");
    }
  }
  // A directory listing of ML-100K also holds the u1..u5 / ua / ub splits of u.data.
  const bool hasUData = std::any_of(expanded.begin(), expanded.end(),
                                    [](const std::string& p) { return baseName(p) == "u.data"; });
  for (const auto& p : expanded) {
    std::string name = baseName(p);
    if (name == "u.item") {
      files.items = {p, Variant::Ml100k};
    } else if (name == "movies.dat") {
      files.items = {p, Variant::Ml1m};
    } else if (name == "movies.csv") {
      files.items = {p, Variant::Latest};
    } else if (name == "u.user") {
      files.users = {p, Variant::Ml100k};
    } else if (name == "users.dat") {
      files.users = {p, Variant::Ml1m};
    } else if (isIgnoredName(name) ||
               (hasUData && (endsWith(name, ".base") || endsWith(name, ".test")))) {
      files.warnings.push_back(
          fmt::format("{}: ignored (not a file the MovieLens loader reads)", p));
    } else {
      files.ratings.emplace_back(p, ratingsVariant(p));
    }
  }
  if (files.ratings.empty()) {
    throw InputError(
        "MovieLens: no ratings file among the given paths (expected u.data, "
        "ratings.dat or ratings.csv)");
  }
  // Siblings of the first ratings file, unless given explicitly.
  const auto& [first, variant] = files.ratings.front();
  auto sibling = [&](const char* name) -> std::optional<std::pair<std::string, Variant>> {
    std::string p = siblingPath(first, name);
    if (isRegularFile(p)) return std::make_pair(p, variant);
    return std::nullopt;
  };
  if (!files.items) {
    files.items = sibling(variant == Variant::Ml100k ? "u.item"
                          : variant == Variant::Ml1m ? "movies.dat"
                                                     : "movies.csv");
  }
  if (!files.users && variant != Variant::Latest) {
    files.users = sibling(variant == Variant::Ml100k ? "u.user" : "users.dat");
  }
  return files;
}

/// Column positions of a header line; throws InputError naming the missing columns.
std::vector<std::size_t> mapHeader(const std::string& path, std::uint64_t lineNumber,
                                   const std::vector<std::string_view>& header,
                                   const std::vector<std::string_view>& required) {
  std::vector<std::size_t> pos;
  std::vector<std::string> missing;
  for (auto name : required) {
    auto it = std::find_if(header.begin(), header.end(),
                           [&](std::string_view h) { return text::trim(h) == name; });
    if (it == header.end()) {
      missing.emplace_back(name);
    } else {
      pos.push_back(static_cast<std::size_t>(it - header.begin()));
    }
  }
  if (!missing.empty()) {
    throw InputError(fmt::format("{}:{}: header lacks column(s) {} (expected {}; the line has {})",
                                 path, lineNumber, fmt::join(missing, ", "),
                                 fmt::join(required, ","), fmt::join(header, ",")));
  }
  return pos;
}

void readRatings(LoadContext& ctx, const std::string& path, Variant variant) {
  LineReader reader(path);
  InteractionLog& log = ctx.log();
  LoadReport& report = ctx.report();
  const std::string_view delim = delimiterOf(variant);
  std::vector<std::string_view> names = {"user", "item", "rating", "timestamp"};
  std::vector<std::size_t> col = {0, 1, 2, 3};
  std::size_t expected = 4;
  std::vector<std::string_view> f;
  std::string reason;
  std::uint64_t rowsBefore = report.rowsRead;

  auto onFirst = [&](std::string_view line) {
    requireDelimiter(path, reader.lineNumber(), line, delim);
    if (variant != Variant::Latest) return false;
    names = {"userId", "movieId", "rating", "timestamp"};
    expected = text::splitFields(line, ',', f);
    col = mapHeader(path, reader.lineNumber(), f, names);
    return true;
  };
  auto onRow = [&](std::string_view line) {
    ++report.rowsRead;
    if (std::string p = utf8Problem(line); !p.empty()) return ctx.bad(reader, std::move(p));
    std::size_t n = text::splitFields(line, delim, f);
    if (n != expected) return ctx.bad(reader, fieldCountProblem(reader, n, expected));
    std::int64_t user = 0, item = 0, ts = 0;
    float rating = 0;
    if (!parseIntField(f[col[0]], names[0], user, reason) ||
        !parseIntField(f[col[1]], names[1], item, reason) ||
        !parseRatingField(f[col[2]], names[2], 0.5, 5.0, rating, reason) ||
        !parseTimestampField(f[col[3]], names[3], TimeUnit::Seconds, ts, reason)) {
      return ctx.bad(reader, reason);
    }
    log.user.push_back(log.users.internInt(user));
    log.item.push_back(log.items.internInt(item));
    log.value.push_back(rating);
    log.timestamp.push_back(ts);
    ++report.rowsLoaded;
  };
  streamLines(ctx, reader, onFirst, onRow);
  if (report.rowsRead == rowsBefore) ctx.warn(path + ": no data rows");
}

/// Dense index of a catalogue entry, adding it (and counting it) when the ratings lacked it.
std::int32_t catalogueIndex(IdMap& ids, std::int64_t id, std::size_t& added) {
  if (auto found = ids.findInt(id)) return *found;
  ++added;
  return ids.internInt(id);
}

/// "01-Jan-1995" -> 1995; 0 for an empty text; -1 for a malformed one.
int yearFromReleaseDate(std::string_view date) {
  if (date.empty()) return 0;
  if (date.size() != 11 || date[2] != '-' || date[6] != '-') return -1;
  int year = 0;
  for (std::size_t i = 7; i < 11; ++i) {
    if (date[i] < '0' || date[i] > '9') return -1;
    year = year * 10 + (date[i] - '0');
  }
  return year;
}

void addGenres(AttributeTable& attrs, std::int32_t item, std::string_view genres) {
  std::vector<std::string_view> parts;
  text::splitFields(genres, '|', parts);
  for (auto g : parts) {
    g = text::trim(g);
    if (!g.empty() && g != "(no genres listed)")
      attrs.addMulti("genres", item, decodeLegacyText(g));
  }
}

void readItems(LoadContext& ctx, const std::string& path, Variant variant) {
  LineReader reader(path);
  InteractionLog& log = ctx.log();
  AttributeTable& attrs = log.itemAttributes;
  attrs.ensure("title", Attribute::Kind::Categorical);
  attrs.ensure("genres", Attribute::Kind::MultiCategorical);
  attrs.ensure("year", Attribute::Kind::Numeric);
  const std::string_view delim = variant == Variant::Ml100k ? "|" : delimiterOf(variant);
  std::size_t expected = variant == Variant::Ml100k ? 5 + kGenres100k.size() : 3;
  std::vector<std::size_t> col = {0, 1, 2};
  std::vector<std::string_view> f;
  std::vector<std::string> storage;
  std::string reason;
  std::size_t added = 0;

  auto onFirst = [&](std::string_view line) {
    requireDelimiter(path, reader.lineNumber(), line, delim);
    if (variant != Variant::Latest) return false;
    expected = text::splitCsvQuoted(line, ',', f, storage) ? f.size() : 0;
    col = mapHeader(path, reader.lineNumber(), f, {"movieId", "title", "genres"});
    return true;
  };
  auto onRow = [&](std::string_view line) {
    std::size_t n = 0;
    if (variant == Variant::Latest) {
      if (std::string p = utf8Problem(line); !p.empty()) return ctx.bad(reader, std::move(p));
      if (!text::splitCsvQuoted(line, ',', f, storage)) {
        return ctx.bad(reader, "unterminated or misplaced quote");
      }
      n = f.size();
    } else {
      n = text::splitFields(line, delim, f);
    }
    if (n != expected) {
      return ctx.bad(reader, fieldCountProblem(reader, n, expected));
    }
    std::int64_t id = 0;
    if (!parseIntField(f[col[0]], variant == Variant::Latest ? "movieId" : "movie id", id,
                       reason)) {
      return ctx.bad(reader, reason);
    }
    const std::string title = decodeLegacyText(f[col[1]]);
    int year = 0;
    if (variant == Variant::Ml100k) {
      year = yearFromReleaseDate(f[2]);
      if (year < 0) {
        return ctx.bad(reader, fmt::format("field 'release date': not a date like 01-Jan-1995: {}",
                                           showValue(f[2])));
      }
      for (std::size_t g = 0; g < kGenres100k.size(); ++g) {
        std::string_view flag = f[5 + g];
        if (flag != "0" && flag != "1") {
          return ctx.bad(reader, fmt::format("field '{}': expected 0 or 1: {}", kGenres100k[g],
                                             showValue(flag)));
        }
      }
    } else {
      year = yearFromTitle(title);
    }
    std::int32_t item = catalogueIndex(log.items, id, added);
    attrs.setCategorical("title", item, title);
    if (year > 0) attrs.setNumeric("year", item, year);
    if (variant == Variant::Ml100k) {
      for (std::size_t g = 0; g < kGenres100k.size(); ++g)
        if (f[5 + g] == "1") attrs.addMulti("genres", item, kGenres100k[g]);
    } else {
      addGenres(attrs, item, f[col[2]]);
    }
  };
  streamLines(ctx, reader, onFirst, onRow);
  if (added > 0) {
    ctx.warn(fmt::format("{}: {} catalogue-only item(s) with no rating were added to the items",
                         path, added));
  }
}

void readUsers(LoadContext& ctx, const std::string& path, Variant variant) {
  LineReader reader(path);
  InteractionLog& log = ctx.log();
  AttributeTable& attrs = log.userAttributes;
  attrs.ensure("age", Attribute::Kind::Numeric);
  attrs.ensure("gender", Attribute::Kind::Categorical);
  attrs.ensure("occupation", Attribute::Kind::Categorical);
  attrs.ensure("zip", Attribute::Kind::Categorical);
  const std::string_view delim = variant == Variant::Ml100k ? "|" : "::";
  // 100K: id|age|gender|occupation|zip   1M: id::gender::age::occupation::zip
  const std::size_t ageCol = variant == Variant::Ml100k ? 1 : 2;
  const std::size_t genderCol = variant == Variant::Ml100k ? 2 : 1;
  std::vector<std::string_view> f;
  std::string reason;
  std::size_t added = 0;

  auto onFirst = [&](std::string_view line) {
    requireDelimiter(path, reader.lineNumber(), line, delim);
    return false;
  };
  auto onRow = [&](std::string_view line) {
    std::size_t n = text::splitFields(line, delim, f);
    if (n != 5) return ctx.bad(reader, fieldCountProblem(reader, n, 5));
    std::int64_t id = 0, age = 0, occupationCode = 0;
    if (!parseIntField(f[0], "user id", id, reason) ||
        !parseIntField(f[ageCol], "age", age, reason)) {
      return ctx.bad(reader, reason);
    }
    std::string occupation = decodeLegacyText(f[3]);
    if (variant == Variant::Ml1m) {
      if (!parseIntField(f[3], "occupation", occupationCode, reason))
        return ctx.bad(reader, reason);
      if (occupationCode < 0 ||
          occupationCode >= static_cast<std::int64_t>(kOccupations1m.size())) {
        return ctx.bad(reader, fmt::format("field 'occupation': unknown code {}", occupationCode));
      }
      occupation = kOccupations1m[static_cast<std::size_t>(occupationCode)];
    }
    std::int32_t user = catalogueIndex(log.users, id, added);
    attrs.setNumeric("age", user, static_cast<double>(age));
    attrs.setCategorical("gender", user, decodeLegacyText(f[genderCol]));
    attrs.setCategorical("occupation", user, occupation);
    attrs.setCategorical("zip", user, decodeLegacyText(f[4]));
  };
  streamLines(ctx, reader, onFirst, onRow);
  if (added > 0) {
    ctx.warn(fmt::format("{}: {} user(s) with no rating were added to the users", path, added));
  }
}

}  // namespace

void loadMovieLens(const std::vector<std::string>& paths, const LoadOptions& options,
                   LoadResult& result, Observer& observer, const StopToken& stop) {
  rejectCompressed(paths);
  MlFiles files = classify(paths);
  LoadContext ctx(options, result, observer, stop, files.all());
  for (auto& w : files.warnings) ctx.warn(std::move(w));
  InteractionLog& log = result.log;
  log.valueName = "rating";
  if (log.findEvent(event_names::kRating) < 0) log.internEvent(event_names::kRating);

  for (const auto& [path, variant] : files.ratings) readRatings(ctx, path, variant);
  if (files.items) readItems(ctx, files.items->first, files.items->second);
  if (files.users) readUsers(ctx, files.users->first, files.users->second);
  log.itemAttributes.resize(log.numItems());
  log.userAttributes.resize(log.numUsers());
}

}  // namespace reclab::data::loaders

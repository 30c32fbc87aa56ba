#include "data/load.h"

#include <malloc.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/text.h"
#include "data/line_reader.h"
#include "data/loaders/loaders.h"
#include "data/sessionise.h"

namespace reclab::data {

namespace fs = std::filesystem;

namespace {

struct FormatEntry {
  Format format;
  const char* name;
};

constexpr FormatEntry kFormats[] = {
    {Format::RetailRocket, "retailrocket"}, {Format::Yoochoose, "yoochoose"},
    {Format::Diginetica, "diginetica"},     {Format::SessionRec, "sessionrec"},
    {Format::MovieLens, "movielens"},       {Format::AmazonCsv, "amazon-csv"},
    {Format::AmazonJsonl, "amazon-jsonl"},  {Format::Csv, "csv"},
};

std::string validNames() {
  std::string out;
  for (const auto& f : kFormats) {
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

bool isDir(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

/// Regular files directly inside `dir`, sorted by name.
std::vector<std::string> listFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::error_code fec;
    if (entry.is_regular_file(fec)) out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string baseNameLower(const std::string& path) {
  return lower(fs::path(path).filename().string());
}

/// Format implied by a file name alone, if any.
std::optional<Format> formatFromName(const std::string& path) {
  const std::string name = baseNameLower(path);
  if (name == "events.csv" || name.starts_with("item_properties") || name == "category_tree.csv")
    return Format::RetailRocket;
  if (endsWith(name, ".dat") && (contains(name, "clicks") || contains(name, "buys")))
    return Format::Yoochoose;
  if (name == "train-item-views.csv") return Format::Diginetica;
  if (name == "u.data" || name == "ratings.dat" || name == "ratings.csv") return Format::MovieLens;
  return std::nullopt;
}

/// JSON Lines files are Amazon reviews only when nothing more specific is present: the
/// bundled samples keep their ground truth (`factors.json`, ...) next to the data.
bool isJsonName(const std::string& path) {
  const std::string name = baseNameLower(path);
  return endsWith(name, ".jsonl") || endsWith(name, ".json");
}

/// The first line of a file without BOM and trailing '\r' (at most 64 KiB of it).
std::string firstLine(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open");
  std::string line;
  line.resize(65536);
  in.read(line.data(), static_cast<std::streamsize>(line.size()));
  line.resize(static_cast<std::size_t>(in.gcount()));
  if (auto nl = line.find('\n'); nl != std::string::npos) line.resize(nl);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
  return line;
}

bool isDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<Format> formatFromFirstLine(const std::string& line) {
  const std::string l = lower(line);
  if (l.starts_with("timestamp,visitorid,event,itemid") ||
      l.starts_with("timestamp,itemid,property,value") || l.starts_with("categoryid,parentid"))
    return Format::RetailRocket;
  if (l.starts_with("session_id;user_id;item_id")) return Format::Diginetica;
  if (l.find('\t') != std::string::npos) {
    std::vector<std::string_view> f;
    text::splitFields(l, '\t', f);
    bool s = false, i = false, t = false;
    for (auto x : f) {
      s = s || x == "sessionid";
      i = i || x == "itemid";
      t = t || x == "time";
    }
    if (s && i && t) return Format::SessionRec;
  }
  std::vector<std::string_view> f;
  text::splitFields(line, ',', f);
  if ((f.size() == 4 || f.size() == 5) && isDigits(f[0]) && text::parseIso8601Millis(f[1]))
    return Format::Yoochoose;
  if (f.size() == 4 && text::parseDouble(f[2]) && isDigits(f[3]) && f[3].size() >= 9 &&
      f[3].size() <= 10)
    return Format::AmazonCsv;
  return std::nullopt;
}

std::string shown(const std::string& line) {
  if (line.size() <= 60) return line;
  return line.substr(0, 60) + "...";
}

/// Expands a directory into the files `format` usually has.
std::vector<std::string> expandDirectory(Format format, const std::string& dir) {
  const std::vector<std::string> files = listFiles(dir);
  std::vector<std::string> out;
  auto pick = [&](auto pred) {
    for (const auto& f : files)
      if (pred(baseNameLower(f))) out.push_back(f);
  };
  const char* expected = "";
  switch (format) {
    case Format::RetailRocket:
      pick([](const std::string& n) { return n == "events.csv"; });
      if (out.empty()) break;  // properties without events are not a dataset
      pick([](const std::string& n) {
        return n.starts_with("item_properties") && endsWith(n, ".csv");
      });
      pick([](const std::string& n) { return n == "category_tree.csv"; });
      expected = "events.csv";
      break;
    case Format::Yoochoose:
      pick([](const std::string& n) { return contains(n, "clicks") && endsWith(n, ".dat"); });
      if (out.empty()) break;
      pick([](const std::string& n) { return contains(n, "buys") && endsWith(n, ".dat"); });
      expected = "yoochoose-clicks.dat";
      break;
    case Format::Diginetica:
      pick([](const std::string& n) { return n == "train-item-views.csv"; });
      expected = "train-item-views.csv";
      break;
    case Format::SessionRec:
      pick([](const std::string& n) { return endsWith(n, "_train_full.txt"); });
      expected = "*_train_full.txt";
      break;
    case Format::MovieLens:
      for (const char* main : {"u.data", "ratings.dat", "ratings.csv"}) {
        pick([&](const std::string& n) { return n == main; });
        if (!out.empty()) break;
      }
      expected = "u.data, ratings.dat or ratings.csv";
      break;
    case Format::AmazonCsv:
      pick([](const std::string& n) { return endsWith(n, ".csv"); });
      expected = "*.csv";
      break;
    case Format::AmazonJsonl:
      pick([](const std::string& n) { return endsWith(n, ".jsonl") || endsWith(n, ".json"); });
      expected = "*.jsonl or *.json";
      break;
    case Format::Csv:
      throw InputError(dir + ": is a directory; the csv format needs the file itself");
  }
  if (out.empty()) {
    throw InputError(
        fmt::format("{}: no {} files found (expected {})", dir, formatName(format), expected));
  }
  return out;
}

}  // namespace

std::string formatName(Format f) {
  for (const auto& e : kFormats)
    if (e.format == f) return e.name;
  return "unknown";
}

Format parseFormatName(const std::string& name) {
  const std::string l = lower(name);
  for (const auto& e : kFormats)
    if (l == e.name) return e.format;
  throw InputError(fmt::format("unknown format '{}'; valid formats: {}", name, validNames()));
}

Format detectFormat(const std::vector<std::string>& paths) {
  if (paths.empty()) throw InputError("no input files given");
  std::vector<std::string> files;
  for (const auto& p : paths) {
    if (isDir(p)) {
      auto inDir = listFiles(p);
      files.insert(files.end(), inDir.begin(), inDir.end());
    } else {
      fileSizeOrThrow(p);  // "no such file"
      files.push_back(p);
    }
  }
  for (const auto& f : files)
    if (auto byName = formatFromName(f)) return *byName;
  for (const auto& f : files)
    if (isJsonName(f)) return Format::AmazonJsonl;
  if (files.empty()) {
    throw InputError(fmt::format("{}: empty directory; cannot tell the format", paths.front()));
  }
  if (files.size() == 1 || !isDir(paths.front())) {
    const std::string& f = files.front();
    const std::string line = firstLine(f);
    if (auto bySniff = formatFromFirstLine(line)) return *bySniff;
    throw InputError(
        fmt::format("{}: cannot tell the dataset format from the file name or its first line '{}'; "
                    "give it with --format ({})",
                    f, shown(line), validNames()));
  }
  throw InputError(fmt::format(
      "{}: no known dataset file names found (events.csv, yoochoose-clicks.dat, "
      "train-item-views.csv, u.data, ratings.dat, ratings.csv, *.jsonl); give the format "
      "with --format ({})",
      paths.front(), validNames()));
}

LoadResult loadDataset(Format format, const std::vector<std::string>& paths,
                       const LoadOptions& options, Observer& observer, const StopToken& stop) {
  if (paths.empty()) throw InputError("no input files given");
  std::vector<std::string> files;
  for (const auto& p : paths) {
    if (isDir(p)) {
      auto expanded = expandDirectory(format, p);
      files.insert(files.end(), expanded.begin(), expanded.end());
    } else {
      files.push_back(p);
    }
  }
  LoadResult result;
  result.format = format;
  switch (format) {
    case Format::RetailRocket:
      loaders::loadRetailRocket(files, options, result, observer, stop);
      break;
    case Format::Yoochoose:
      loaders::loadYoochoose(files, options, result, observer, stop);
      break;
    case Format::Diginetica:
      loaders::loadDiginetica(files, options, result, observer, stop);
      break;
    case Format::SessionRec:
      loaders::loadSessionRec(files, options, result, observer, stop);
      break;
    case Format::MovieLens:
      loaders::loadMovieLens(files, options, result, observer, stop);
      break;
    case Format::AmazonCsv:
      loaders::loadAmazonCsv(files, options, result, observer, stop);
      break;
    case Format::AmazonJsonl:
      loaders::loadAmazonJsonl(files, options, result, observer, stop);
      break;
    case Format::Csv:
      loaders::loadCsv(files, options, result, observer, stop);
      break;
  }
  const double gap = options.sessionGapMinutes.value_or(
      format == Format::RetailRocket ? kDefaultSessionGapMinutes : 0.0);
  if (gap < 0 || !std::isfinite(gap)) {
    throw InputError(
        fmt::format("session_gap_minutes must be >= 0 (0 = no sessions cut), got {}", gap));
  }
  if (gap > 0) {
    SessioniseConfig cut;
    cut.gapMinutes = gap;
    const auto made = sessioniseByGap(result.log, cut, stop);
    observer.onLog(LogLevel::Info,
                   fmt::format("sessions cut by a {} min inactivity gap per {}: {} sessions", gap,
                               made.actor, made.sessions));
  }
  result.log.itemAttributes.resize(result.log.numItems());
  result.log.userAttributes.resize(result.log.numUsers());
#ifndef NDEBUG
  result.log.validate();
#endif
  result.log.shrinkToFit();
  // The loaders' scratch tables (per-thread id maps, line buffers) are freed by now; hand the
  // memory back to the system so the process holds about what the log needs.
  malloc_trim(0);
  observer.onProgress(1.0, "loading");
  return result;
}

}  // namespace reclab::data

#include "data/loaders/session_support.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "common/errors.h"
#include "common/text.h"

namespace reclab::data::loaders::session {

std::uint64_t totalSize(const std::vector<std::string>& paths) {
  std::uint64_t total = 0;
  for (const auto& p : paths) total += fileSizeOrThrow(p);
  return total;
}

Context::Context(const LoadOptions& options, LoadResult& result, Observer& observer,
                 const StopToken& stop, const std::vector<std::string>& allFiles)
    : m_result(result),
      m_sink(options, result.report),
      m_ticker(observer, stop, "loading", totalSize(allFiles)) {}

void Context::beginFile(const LineReader& reader) {
  if (reader.fileSize() == 0) throw InputError(reader.path() + ": empty file");
  m_result.report.files.push_back(reader.path());
}

void Context::endFile(const LineReader& reader) {
  m_doneBytes += reader.bytesConsumed();
  m_result.report.bytesRead += reader.bytesConsumed();
  m_ticker.report(m_doneBytes);
}

void Context::finishIds() {
  InteractionLog& log = m_result.log;
  log.items.assignDistinctInts(items.originals());
  log.sessions.assignDistinctInts(sessions.originals());
  const auto& u = users.originals();
  if (std::find(u.begin(), u.end(), kNoUser) == u.end()) {
    log.users.assignDistinctInts(u);
  } else {
    for (auto id : u) id == kNoUser ? log.users.intern("NA") : log.users.internInt(id);
  }
}

std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 40;
  if (text.size() <= kMax) return fmt::format("'{}'", text);
  return fmt::format("'{}...'", text.substr(0, kMax));
}

std::string_view stripBom(std::string_view line) {
  if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
  return line;
}

std::string baseName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

namespace {

std::string showDelimiter(char c) { return c == '\t' ? std::string("\\t") : std::string(1, c); }

}  // namespace

void requireDelimiter(const std::string& path, std::string_view line, char delim) {
  if (line.find(delim) != std::string_view::npos) return;
  for (char c : {'\t', ',', ';', '|'}) {
    if (c != delim && line.find(c) != std::string_view::npos) {
      throw InputError(
          fmt::format("{}:1: no '{}' found; the file looks '{}'-delimited — wrong format?", path,
                      showDelimiter(delim), showDelimiter(c)));
    }
  }
  throw InputError(fmt::format("{}:1: no '{}' found — wrong format?", path, showDelimiter(delim)));
}

void requireHeader(const std::string& path, std::string_view line, std::string_view expected,
                   char delim) {
  line = text::trim(stripBom(line));
  requireDelimiter(path, line, delim);
  if (line != expected) {
    std::string got(line.substr(0, 80));
    if (line.size() > 80) got += "...";
    throw InputError(fmt::format("{}:1: expected header '{}', got '{}'", path, expected, got));
  }
}

std::string utf8Problem(std::string_view line) {
  std::size_t bad = 0;
  if (text::isValidUtf8(line, &bad)) return {};
  return fmt::format("invalid UTF-8 at byte {}", bad + 1);
}

std::string fieldCountProblem(bool unterminated, std::size_t got, std::size_t expected) {
  if (unterminated && got < expected) {
    return fmt::format("truncated last line (no newline, {} of {} fields)", got, expected);
  }
  return fmt::format("expected {} fields, got {}", expected, got);
}

std::size_t splitAtMost(std::string_view line, char delim, std::size_t maxFields,
                        std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  while (out.size() + 1 < maxFields) {
    std::size_t pos = line.find(delim, start);
    if (pos == std::string_view::npos) break;
    out.push_back(line.substr(start, pos - start));
    start = pos + 1;
  }
  out.push_back(line.substr(start));
  return out.size();
}

namespace {

std::string fieldReason(std::string_view name, std::string_view why, std::string_view text) {
  return fmt::format("field '{}': {}: {}", name, why, quoted(text));
}

}  // namespace

bool parseIntField(std::string_view text, std::string_view name, std::int64_t& out,
                   std::string& reason) {
  auto p = text::parseInt64(text);
  if (!p) {
    reason = fieldReason(name, p.error, text);
    return false;
  }
  out = *p.value;
  return true;
}

bool parseRealField(std::string_view text, std::string_view name, double& out,
                    std::string& reason) {
  auto p = text::parseDouble(text);
  if (!p) {
    reason = fieldReason(name, p.error, text);
    return false;
  }
  out = *p.value;
  return true;
}

bool requireNonEmpty(std::string_view text, std::string_view name, std::string& reason) {
  if (!text.empty()) return true;
  reason = fmt::format("field '{}': empty", name);
  return false;
}

bool parseIdField(std::string_view text, std::string_view name, std::int64_t& out,
                  std::string& reason) {
  return requireNonEmpty(text, name, reason) && parseIntField(text, name, out, reason);
}

bool parseIsoField(std::string_view text, std::string_view name, std::int64_t& outMillis,
                   std::string& reason) {
  auto p = text::parseIso8601Millis(text);
  if (!p) {
    reason = fieldReason(name, p.error, text);
    return false;
  }
  outMillis = *p.value;
  return true;
}

bool parseUnixSecondsField(std::string_view text, std::string_view name, std::int64_t& outMillis,
                           std::string& reason) {
  auto asInt = text::parseInt64(text);
  if (asInt) {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 1000;
    if (*asInt.value > kMax || *asInt.value < -kMax) {
      reason = fieldReason(name, "number out of range", text);
      return false;
    }
    outMillis = *asInt.value * 1000;
    return true;
  }
  if (asInt.error == std::string_view("number out of range")) {
    reason = fieldReason(name, asInt.error, text);
    return false;
  }
  auto asReal = text::parseDouble(text);
  if (!asReal) {
    reason = fieldReason(name, asReal.error, text);
    return false;
  }
  const double ms = std::round(*asReal.value * 1000.0);
  if (!(std::fabs(ms) < 9.2e18)) {
    reason = fieldReason(name, "number out of range", text);
    return false;
  }
  outMillis = static_cast<std::int64_t>(ms);
  return true;
}

}  // namespace reclab::data::loaders::session

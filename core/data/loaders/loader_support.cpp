#include "data/loaders/loader_support.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "common/errors.h"
#include "common/text.h"

namespace reclab::data::loaders::support {

namespace fs = std::filesystem;

std::uint64_t totalSize(const std::vector<std::string>& paths) {
  std::uint64_t total = 0;
  for (const auto& p : paths) total += fileSizeOrThrow(p);
  return total;
}

LoadContext::LoadContext(const LoadOptions& options, LoadResult& result, Observer& observer,
                         const StopToken& stop, const std::vector<std::string>& allFiles)
    : m_result(result),
      m_observer(observer),
      m_sink(options, result.report),
      m_ticker(observer, stop, "loading", totalSize(allFiles)) {}

void LoadContext::beginFile(LineReader& reader) {
  if (reader.fileSize() == 0) throw InputError(reader.path() + ": empty file");
  m_result.report.files.push_back(reader.path());
}

void LoadContext::endFile(const LineReader& reader, bool sawContent) {
  if (!sawContent) throw InputError(reader.path() + ": empty file");
  m_doneBytes += reader.bytesConsumed();
  m_result.report.bytesRead += reader.bytesConsumed();
  m_ticker.report(m_doneBytes);
}

void LoadContext::bad(const LineReader& reader, std::string reason) {
  m_sink.add(reader.path(), reader.lineNumber(), std::move(reason));
}

void LoadContext::warn(std::string message) {
  m_observer.onLog(LogLevel::Warning, message);
  m_result.report.warnings.push_back(std::move(message));
}

std::string showValue(std::string_view text) {
  constexpr std::size_t kMax = 40;
  if (text.size() <= kMax) return fmt::format("'{}'", text);
  return fmt::format("'{}...'", text.substr(0, kMax));
}

std::string showDelimiter(std::string_view delim) {
  if (delim == "\t") return "\\t";
  return std::string(delim);
}

bool isBlank(std::string_view line) { return text::trim(line).empty(); }

std::string_view stripBom(std::string_view line) {
  if (line.size() >= 3 && static_cast<unsigned char>(line[0]) == 0xEF &&
      static_cast<unsigned char>(line[1]) == 0xBB && static_cast<unsigned char>(line[2]) == 0xBF) {
    line.remove_prefix(3);
  }
  return line;
}

void requireDelimiter(const std::string& path, std::uint64_t lineNumber, std::string_view line,
                      std::string_view delim) {
  if (line.find(delim) != std::string_view::npos) return;
  static constexpr std::string_view kCandidates[] = {"::", "\t", ",", ";", "|"};
  for (std::string_view c : kCandidates) {
    if (c != delim && line.find(c) != std::string_view::npos) {
      throw InputError(
          fmt::format("{}:{}: no '{}' found; the file looks '{}'-delimited — wrong format?", path,
                      lineNumber, showDelimiter(delim), showDelimiter(c)));
    }
  }
  throw InputError(
      fmt::format("{}:{}: no '{}' found — wrong format?", path, lineNumber, showDelimiter(delim)));
}

std::string utf8Problem(std::string_view line) {
  std::size_t bad = 0;
  if (text::isValidUtf8(line, &bad)) return {};
  return fmt::format("invalid UTF-8 at byte {}", bad + 1);
}

std::string fieldCountProblem(const LineReader& reader, std::size_t got, std::size_t expected) {
  if (reader.lastLineUnterminated() && got < expected) {
    return fmt::format("truncated last line (no newline, {} of {} fields)", got, expected);
  }
  return fmt::format("expected {} fields, got {}", expected, got);
}

namespace {

std::string fieldReason(std::string_view name, std::string_view why, std::string_view text) {
  return fmt::format("field '{}': {}: {}", name, why, showValue(text));
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

bool parseRatingField(std::string_view text, std::string_view name, double lo, double hi,
                      float& out, std::string& reason) {
  double v = 0;
  if (!parseRealField(text, name, v, reason)) return false;
  if (v < lo || v > hi) {
    reason = fieldReason(name, fmt::format("rating out of range [{}, {}]", lo, hi), text);
    return false;
  }
  out = static_cast<float>(v);
  return true;
}

bool requireNonEmpty(std::string_view text, std::string_view name, std::string& reason) {
  if (!text.empty()) return true;
  reason = fmt::format("field '{}': empty", name);
  return false;
}

bool parseTimestampField(std::string_view text, std::string_view name, TimeUnit unit,
                         std::int64_t& outMillis, std::string& reason) {
  if (unit == TimeUnit::Iso8601) {
    auto p = text::parseIso8601Millis(text);
    if (!p) {
      reason = fieldReason(name, p.error, text);
      return false;
    }
    outMillis = *p.value;
    return true;
  }
  const std::int64_t scale = unit == TimeUnit::Seconds ? 1000 : 1;
  auto asInt = text::parseInt64(text);
  if (asInt) {
    std::int64_t v = *asInt.value;
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    if (v > kMax / scale || v < -(kMax / scale)) {
      reason = fieldReason(name, "number out of range", text);
      return false;
    }
    outMillis = v * scale;
    return true;
  }
  if (asInt.error == std::string_view("number out of range")) {
    reason = fieldReason(name, asInt.error, text);
    return false;
  }
  // Fractional unix time ("1433221332.117").
  auto asReal = text::parseDouble(text);
  if (!asReal) {
    reason = fieldReason(name, asReal.error, text);
    return false;
  }
  double ms = std::round(*asReal.value * static_cast<double>(scale));
  if (!(std::fabs(ms) < 9.2e18)) {
    reason = fieldReason(name, "number out of range", text);
    return false;
  }
  outMillis = static_cast<std::int64_t>(ms);
  return true;
}

std::string decodeLegacyText(std::string_view text) {
  if (text::isValidUtf8(text)) return std::string(text);
  return text::latin1ToUtf8(text);
}

int yearFromTitle(std::string_view title) {
  title = text::trim(title);
  if (title.size() < 6 || title.back() != ')' || title[title.size() - 6] != '(') return 0;
  int year = 0;
  for (std::size_t i = title.size() - 5; i < title.size() - 1; ++i) {
    char c = title[i];
    if (c < '0' || c > '9') return 0;
    year = year * 10 + (c - '0');
  }
  return year;
}

void rejectCompressed(const std::vector<std::string>& paths) {
  static constexpr std::string_view kExtensions[] = {".gz", ".zip", ".bz2", ".xz", ".zst", ".7z"};
  for (const auto& p : paths) {
    for (std::string_view ext : kExtensions) {
      if (p.size() > ext.size() && std::string_view(p).substr(p.size() - ext.size()) == ext) {
        throw InputError(fmt::format("{}: compressed file ({}); unpack it first", p, ext));
      }
    }
  }
}

std::string baseName(const std::string& path) { return fs::path(path).filename().string(); }

std::string siblingPath(const std::string& path, const std::string& name) {
  return (fs::path(path).parent_path() / name).string();
}

bool isRegularFile(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

bool isDirectory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

}  // namespace reclab::data::loaders::support

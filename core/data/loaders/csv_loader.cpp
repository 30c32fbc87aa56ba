/// Any delimited file, read with a user-given ColumnMapping: columns by 0-based index or by
/// header name, RFC-4180 quoting, timestamps as unix seconds / milliseconds / ISO-8601.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

#include "common/errors.h"
#include "common/text.h"
#include "data/loaders/loader_support.h"
#include "data/loaders/loaders.h"

namespace reclab::data::loaders {

using namespace support;

namespace {

enum Role { kUser, kItem, kEvent, kTimestamp, kValue, kSession, kRoles };
constexpr std::array<const char*, kRoles> kRoleNames = {"user",      "item",  "event",
                                                        "timestamp", "value", "session"};

/// The mapping's column reference for each role (empty = not mapped).
std::array<std::string, kRoles> refsOf(const ColumnMapping& m) {
  return {m.user, m.item, m.event, m.timestamp, m.value, m.session};
}

bool isIndex(std::string_view ref) {
  return !ref.empty() && ref.size() < 9 &&
         std::all_of(ref.begin(), ref.end(), [](char c) { return c >= '0' && c <= '9'; });
}

TimeUnit timeUnitOf(const std::string& unit) {
  if (unit == "unix_s") return TimeUnit::Seconds;
  if (unit == "unix_ms") return TimeUnit::Millis;
  if (unit == "iso8601") return TimeUnit::Iso8601;
  throw InputError(fmt::format(
      "column mapping: timestampUnit must be unix_s, unix_ms or iso8601, got '{}'", unit));
}

void validateMapping(const ColumnMapping& m) {
  if (text::trim(m.item).empty()) {
    throw InputError(
        "column mapping: the item column is required (give its header name or "
        "0-based number)");
  }
  if (m.delimiter == '"' || m.delimiter == '\n' || m.delimiter == '\r' || m.delimiter == '\0') {
    throw InputError("column mapping: the delimiter cannot be a quote, a line break or NUL");
  }
  if (!m.timestamp.empty()) timeUnitOf(m.timestampUnit);
}

/// Per-file state: which field index holds each role, and the labels used in messages.
struct Columns {
  std::array<int, kRoles> index{};
  std::array<std::string, kRoles> label;
  std::size_t expected = 0;  ///< fields per row (the header's, else the first row's)
  bool resolved = false;
};

class CsvFileReader {
 public:
  CsvFileReader(LoadContext& ctx, const std::string& path, const ColumnMapping& mapping)
      : m_ctx(ctx), m_path(path), m_mapping(mapping), m_reader(path), m_refs(refsOf(mapping)) {
    m_cols.index.fill(-1);
    if (!mapping.timestamp.empty()) m_unit = timeUnitOf(mapping.timestampUnit);
  }

  void run() {
    InteractionLog& log = m_ctx.log();
    const std::uint64_t rowsBefore = m_ctx.report().rowsRead;
    streamLines(
        m_ctx, m_reader, [&](std::string_view line) { return onFirst(line); },
        [&](std::string_view line) { onRow(line); });
    if (m_ctx.report().rowsRead == rowsBefore) m_ctx.warn(m_path + ": no data rows");
    if (log.valueName.empty() && m_cols.index[kValue] >= 0) log.valueName = m_cols.label[kValue];
  }

 private:
  bool split(std::string_view line) {
    return text::splitCsvQuoted(line, m_mapping.delimiter, m_fields, m_storage);
  }

  bool onFirst(std::string_view line) {
    const std::string delim(1, m_mapping.delimiter);
    std::vector<std::string> mapped;
    for (const auto& r : m_refs)
      if (!r.empty() && std::find(mapped.begin(), mapped.end(), r) == mapped.end())
        mapped.push_back(r);
    if (mapped.size() > 1) requireDelimiter(m_path, m_reader.lineNumber(), line, delim);
    if (!m_mapping.hasHeader) return false;
    if (!split(line)) {
      throw InputError(
          fmt::format("{}:{}: unterminated quote in the header", m_path, m_reader.lineNumber()));
    }
    std::vector<std::string> header;
    for (auto h : m_fields) header.emplace_back(text::trim(h));
    m_cols.expected = header.size();
    for (int r = 0; r < kRoles; ++r) {
      const std::string& ref = m_refs[static_cast<std::size_t>(r)];
      if (ref.empty()) continue;
      auto it = std::find(header.begin(), header.end(), text::trim(ref));
      int index = -1;
      if (it != header.end()) {
        index = static_cast<int>(it - header.begin());
      } else if (isIndex(ref) && std::stoul(ref) < header.size()) {
        index = std::stoi(ref);
      } else {
        throw InputError(fmt::format("{}:{}: mapping refers to column '{}' but the header has {}",
                                     m_path, m_reader.lineNumber(), ref, fmt::join(header, ", ")));
      }
      m_cols.index[static_cast<std::size_t>(r)] = index;
      m_cols.label[static_cast<std::size_t>(r)] = header[static_cast<std::size_t>(index)];
    }
    m_cols.resolved = true;
    return true;
  }

  /// Without a header, the first data row fixes the field count and checks the indices.
  void resolveWithoutHeader() {
    m_cols.expected = m_fields.size();
    for (int r = 0; r < kRoles; ++r) {
      const std::string& ref = m_refs[static_cast<std::size_t>(r)];
      if (ref.empty()) continue;
      if (!isIndex(ref)) {
        throw InputError(fmt::format(
            "{}: mapping refers to column '{}' by name, but the file has no header; use a 0-based "
            "column number",
            m_path, ref));
      }
      const int index = std::stoi(ref);
      if (static_cast<std::size_t>(index) >= m_fields.size()) {
        throw InputError(fmt::format("{}:{}: mapping refers to column {} but the row has {} fields",
                                     m_path, m_reader.lineNumber(), index, m_fields.size()));
      }
      m_cols.index[static_cast<std::size_t>(r)] = index;
      m_cols.label[static_cast<std::size_t>(r)] = kRoleNames[static_cast<std::size_t>(r)];
    }
    m_cols.resolved = true;
  }

  /// The trimmed field of a role; false (reason set) when it is empty.
  bool field(Role role, std::string_view& out) {
    out = text::trim(m_fields[static_cast<std::size_t>(m_cols.index[role])]);
    return requireNonEmpty(out, m_cols.label[role], m_reason);
  }

  void onRow(std::string_view line) {
    ++m_ctx.report().rowsRead;
    if (std::string p = utf8Problem(line); !p.empty()) return m_ctx.bad(m_reader, std::move(p));
    if (!split(line)) return m_ctx.bad(m_reader, "unterminated or misplaced quote");
    if (!m_cols.resolved) resolveWithoutHeader();
    if (m_fields.size() != m_cols.expected) {
      return m_ctx.bad(m_reader, fieldCountProblem(m_reader, m_fields.size(), m_cols.expected));
    }
    // Parse every mapped field before touching the log, so a bad row leaves no trace.
    std::string_view user, item, event, session, raw;
    std::int64_t ts = 0;
    float value = 0;
    if (!field(kItem, item)) return m_ctx.bad(m_reader, m_reason);
    if (has(kUser) && !field(kUser, user)) return m_ctx.bad(m_reader, m_reason);
    if (has(kSession) && !field(kSession, session)) return m_ctx.bad(m_reader, m_reason);
    if (has(kEvent) && !field(kEvent, event)) return m_ctx.bad(m_reader, m_reason);
    if (has(kTimestamp) &&
        (!field(kTimestamp, raw) ||
         !parseTimestampField(raw, m_cols.label[kTimestamp], m_unit, ts, m_reason))) {
      return m_ctx.bad(m_reader, m_reason);
    }
    if (has(kValue)) {
      double v = 0;
      if (!field(kValue, raw) || !parseRealField(raw, m_cols.label[kValue], v, m_reason)) {
        return m_ctx.bad(m_reader, m_reason);
      }
      value = static_cast<float>(v);
    }
    InteractionLog& log = m_ctx.log();
    if (has(kEvent)) {
      std::string name(event);
      if (log.findEvent(name) < 0 && log.eventNames.size() >= 255) {
        throw InputError(fmt::format(
            "{}:{}: column '{}' has more than 255 distinct values; is it really the event type?",
            m_path, m_reader.lineNumber(), m_cols.label[kEvent]));
      }
      log.event.push_back(log.internEvent(name));
    }
    log.item.push_back(log.items.intern(item));
    if (has(kUser)) log.user.push_back(log.users.intern(user));
    if (has(kSession)) log.session.push_back(log.sessions.intern(session));
    if (has(kTimestamp)) log.timestamp.push_back(ts);
    if (has(kValue)) log.value.push_back(value);
    ++m_ctx.report().rowsLoaded;
  }

  bool has(Role role) const { return m_cols.index[role] >= 0; }

  LoadContext& m_ctx;
  const std::string& m_path;
  const ColumnMapping& m_mapping;
  LineReader m_reader;
  std::array<std::string, kRoles> m_refs;
  TimeUnit m_unit = TimeUnit::Seconds;
  Columns m_cols;
  std::vector<std::string_view> m_fields;
  std::vector<std::string> m_storage;
  std::string m_reason;
};

}  // namespace

void loadCsv(const std::vector<std::string>& paths, const LoadOptions& options, LoadResult& result,
             Observer& observer, const StopToken& stop) {
  if (!options.mapping) {
    throw InputError(
        "format 'csv' needs a column mapping: say which column holds the item "
        "(required) and, if present, the user, timestamp, event, value and session");
  }
  const ColumnMapping& mapping = *options.mapping;
  validateMapping(mapping);
  if (paths.empty()) throw InputError("csv: no file given");
  rejectCompressed(paths);
  LoadContext ctx(options, result, observer, stop, paths);
  for (const auto& p : paths) CsvFileReader(ctx, p, mapping).run();
  InteractionLog& log = result.log;
  if (!mapping.value.empty() && log.valueName.empty()) log.valueName = "value";
  if (log.eventNames.empty()) log.internEvent("interaction");
}

}  // namespace reclab::data::loaders

#pragma once
/// Small, fast text helpers used by the loaders: number parsing with precise failure reasons,
/// UTF-8 validation, Latin-1 transcoding and ISO-8601 timestamps.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reclab::text {

/// Result of a parse: a value, or a short reason ("not an integer", "out of range").
template <typename T>
struct Parsed {
  std::optional<T> value;
  const char* error = nullptr;
  explicit operator bool() const { return value.has_value(); }
};

Parsed<std::int64_t> parseInt64(std::string_view s);
Parsed<double> parseDouble(std::string_view s);  ///< fast_float; rejects trailing garbage

/// Parses "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM]" (also with a space instead of 'T') into
/// milliseconds since the Unix epoch (UTC). Rejects impossible dates.
Parsed<std::int64_t> parseIso8601Millis(std::string_view s);

/// True when `s` is valid UTF-8. On failure `badOffset` receives the offset of the first bad byte.
bool isValidUtf8(std::string_view s, std::size_t* badOffset = nullptr);

/// Transcodes Latin-1 (ISO-8859-1) bytes to UTF-8.
std::string latin1ToUtf8(std::string_view s);

/// Splits on a single-character delimiter without allocating; no quoting rules.
/// `out` is cleared first. Returns the number of fields.
std::size_t splitFields(std::string_view line, char delim, std::vector<std::string_view>& out);

/// Splits on a multi-character delimiter (MovieLens 1M's "::").
std::size_t splitFields(std::string_view line, std::string_view delim,
                        std::vector<std::string_view>& out);

/// Splits one CSV record with RFC-4180 quoting ("a,""b"",c"). Quoted fields are unescaped into
/// `storage`; views in `out` point into `line` or `storage`. Returns false on an unterminated quote.
bool splitCsvQuoted(std::string_view line, char delim, std::vector<std::string_view>& out,
                    std::vector<std::string>& storage);

std::string_view trim(std::string_view s);

}  // namespace reclab::text

#include "common/text.h"

#include <fast_float/fast_float.h>

#include <charconv>

namespace reclab::text {

Parsed<std::int64_t> parseInt64(std::string_view s) {
  Parsed<std::int64_t> out;
  if (s.empty()) {
    out.error = "empty";
    return out;
  }
  const char* first = s.data();
  if (*first == '+') ++first;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(first, s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) {
    out.error = "number out of range";
  } else if (ec != std::errc() || ptr != s.data() + s.size()) {
    out.error = "not an integer";
  } else {
    out.value = v;
  }
  return out;
}

Parsed<double> parseDouble(std::string_view s) {
  Parsed<double> out;
  if (s.empty()) {
    out.error = "empty";
    return out;
  }
  const char* first = s.data();
  if (*first == '+') ++first;
  double v = 0;
  auto r = fast_float::from_chars(first, s.data() + s.size(), v);
  if (r.ec == std::errc::result_out_of_range) {
    out.error = "number out of range";
  } else if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
    out.error = "not a number";
  } else if (!(v == v)) {
    out.error = "not a number";
  } else if (v > 1.7976931348623157e308 || v < -1.7976931348623157e308) {
    out.error = "number out of range";
  } else {
    out.value = v;
  }
  return out;
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& v) {
  if (pos + n > s.size()) return false;
  int x = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    x = x * 10 + (c - '0');
  }
  v = x;
  return true;
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian), Howard Hinnant's algorithm.
std::int64_t daysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

Parsed<std::int64_t> parseIso8601Millis(std::string_view s) {
  Parsed<std::int64_t> out;
  int y, mo, d, h, mi, se;
  if (s.size() < 19 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) ||
      s[7] != '-' || !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') ||
      !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, se)) {
    out.error = "not an ISO-8601 timestamp";
    return out;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] + (mo == 2 && isLeap(y) ? 1 : 0) ||
      h > 23 || mi > 59 || se > 60) {
    out.error = "impossible date or time";
    return out;
  }
  std::size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 100;
    std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      out.error = "not an ISO-8601 timestamp";
      return out;
    }
  }
  int offsetMinutes = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      ++pos;
    } else if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
      int oh, om;
      if (!digits(s, pos + 1, 2, oh) || !digits(s, pos + 4, 2, om)) {
        out.error = "bad time-zone offset";
        return out;
      }
      offsetMinutes = (oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
      pos = s.size();
    } else {
      out.error = "not an ISO-8601 timestamp";
      return out;
    }
  }
  std::int64_t days = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offsetMinutes * 60;
  out.value = secs * 1000 + millis;
  return out;
}

bool isValidUtf8(std::string_view s, std::size_t* badOffset) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      if (badOffset) *badOffset = i;
      return false;
    }
    if (i + len > n) {
      if (badOffset) *badOffset = i;
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) {
        if (badOffset) *badOffset = i;
        return false;
      }
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      if (badOffset) *badOffset = i;
      return false;
    }
    i += len;
  }
  return true;
}

std::string latin1ToUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (unsigned char c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::size_t splitFields(std::string_view line, char delim, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  while (true) {
    std::size_t pos = line.find(delim, start);
    if (pos == std::string_view::npos) {
      out.push_back(line.substr(start));
      break;
    }
    out.push_back(line.substr(start, pos - start));
    start = pos + 1;
  }
  return out.size();
}

std::size_t splitFields(std::string_view line, std::string_view delim,
                        std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  while (true) {
    std::size_t pos = line.find(delim, start);
    if (pos == std::string_view::npos) {
      out.push_back(line.substr(start));
      break;
    }
    out.push_back(line.substr(start, pos - start));
    start = pos + delim.size();
  }
  return out.size();
}

bool splitCsvQuoted(std::string_view line, char delim, std::vector<std::string_view>& out,
                    std::vector<std::string>& storage) {
  out.clear();
  storage.clear();
  // Reserve so that views into storage stay valid while we push.
  storage.reserve(line.size() / 2 + 1);
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (true) {
    if (i < n && line[i] == '"') {
      std::string field;
      ++i;
      bool closed = false;
      while (i < n) {
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
          } else {
            ++i;
            closed = true;
            break;
          }
        } else {
          field.push_back(line[i++]);
        }
      }
      if (!closed) return false;
      storage.push_back(std::move(field));
      out.emplace_back(storage.back());
      if (i < n && line[i] != delim) return false;
    } else {
      std::size_t pos = line.find(delim, i);
      if (pos == std::string_view::npos) pos = n;
      out.push_back(line.substr(i, pos - i));
      i = pos;
    }
    if (i >= n) break;
    ++i;  // skip delimiter
    if (i == n) {
      out.emplace_back();
      break;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

}  // namespace reclab::text

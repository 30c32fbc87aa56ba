#include "data/synth/file_writer.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "common/errors.h"

namespace reclab::synth {

namespace {

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

inline void twoDigits(char* out, unsigned v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

CivilDate civilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

std::int64_t daysFromCivil(int year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

FileWriter::FileWriter(std::string path, std::size_t bufferBytes)
    : m_path(std::move(path)), m_buffer(bufferBytes < 256 ? 256 : bufferBytes) {
  m_file = std::fopen(m_path.c_str(), "wb");
  if (m_file == nullptr) {
    throw InputError(m_path + ": cannot write: " + std::strerror(errno));
  }
}

FileWriter::~FileWriter() {
  if (m_file != nullptr) {
    flush();
    std::fclose(m_file);
  }
}

void FileWriter::flush() {
  if (m_pos == 0 || m_file == nullptr) return;
  if (std::fwrite(m_buffer.data(), 1, m_pos, m_file) != m_pos) m_failed = true;
  m_written += m_pos;
  m_pos = 0;
}

void FileWriter::write(std::string_view s) {
  while (!s.empty()) {
    if (m_pos == m_buffer.size()) flush();
    const std::size_t n = std::min(s.size(), m_buffer.size() - m_pos);
    std::memcpy(m_buffer.data() + m_pos, s.data(), n);
    m_pos += n;
    s.remove_prefix(n);
  }
}

void FileWriter::writeInt(std::int64_t v) {
  reserve(24);
  char* begin = m_buffer.data() + m_pos;
  auto result = std::to_chars(begin, begin + 24, v);
  m_pos += static_cast<std::size_t>(result.ptr - begin);
}

void FileWriter::writeFixed(double v, int decimals) {
  reserve(352);
  char* begin = m_buffer.data() + m_pos;
  auto result = std::to_chars(begin, begin + 352, v, std::chars_format::fixed, decimals);
  m_pos += static_cast<std::size_t>(result.ptr - begin);
}

void FileWriter::writeIsoMillis(std::int64_t millis) {
  const std::int64_t day = floorDiv(millis, 86400000);
  if (day != m_cachedDay) {
    const CivilDate date = civilFromDays(day);
    char* out = m_dayText;
    const int y = date.year;
    out[0] = static_cast<char>('0' + (y / 1000) % 10);
    out[1] = static_cast<char>('0' + (y / 100) % 10);
    out[2] = static_cast<char>('0' + (y / 10) % 10);
    out[3] = static_cast<char>('0' + y % 10);
    out[4] = '-';
    twoDigits(out + 5, date.month);
    out[7] = '-';
    twoDigits(out + 8, date.day);
    out[10] = 'T';
    m_cachedDay = day;
  }
  reserve(24);
  char* out = m_buffer.data() + m_pos;
  std::memcpy(out, m_dayText, 11);
  auto inDay = static_cast<unsigned>(millis - day * 86400000);
  const unsigned ms = inDay % 1000;
  inDay /= 1000;
  twoDigits(out + 11, inDay / 3600);
  out[13] = ':';
  twoDigits(out + 14, (inDay / 60) % 60);
  out[16] = ':';
  twoDigits(out + 17, inDay % 60);
  out[19] = '.';
  out[20] = static_cast<char>('0' + ms / 100);
  out[21] = static_cast<char>('0' + (ms / 10) % 10);
  out[22] = static_cast<char>('0' + ms % 10);
  out[23] = 'Z';
  m_pos += 24;
}

void FileWriter::writeCsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    write(s);
    return;
  }
  put('"');
  for (char c : s) {
    if (c == '"') put('"');
    put(c);
  }
  put('"');
}

void FileWriter::close() {
  if (m_file == nullptr) return;
  flush();
  const bool closeFailed = std::fclose(m_file) != 0;
  m_file = nullptr;
  if (m_failed || closeFailed) throw InputError(m_path + ": write failed (disk full?)");
}

std::string isoMillis(std::int64_t millis) {
  const std::int64_t day = floorDiv(millis, 86400000);
  const CivilDate date = civilFromDays(day);
  auto inDay = static_cast<unsigned>(millis - day * 86400000);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", date.year, date.month,
                date.day, inDay / 3600000, (inDay / 60000) % 60, (inDay / 1000) % 60, inDay % 1000);
  return buf;
}

}  // namespace reclab::synth

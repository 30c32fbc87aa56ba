/// Load benchmark for the Yoochoose clicks fast path.
///
///   bench_load [--mb 1100] [--path /tmp/reclab_bench_yoochoose-clicks.dat] [--threads 0]
///
/// Writes (or reuses) a Yoochoose-format clicks file of at least --mb megabytes, reads it once
/// so it sits in the page cache, loads it with loadDataset and prints the throughput and the
/// resident bytes per event (the log's own estimate and the process RSS delta).

#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/process.h"
#include "data/load.h"

namespace {

using reclab::data::Format;
using reclab::data::LoadOptions;

std::size_t residentBytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

std::string statusField(const char* key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(key, 0) == 0) return line.substr(std::strlen(key));
  return "?";
}

/// Days since 1970-01-01 to y-m-d.
void civil(long z, int& y, int& m, int& d) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
}

/// Writes Yoochoose-like clicks: sessions of 1-6 clicks in increasing id order, 52 000 items
/// with a skewed popularity, categories mostly "0", sometimes "S", 1-12 or a brand id.
void generate(const std::string& path, std::uint64_t targetBytes) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (!out) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::mt19937_64 rng(42);
  std::vector<char> buf;
  buf.reserve(1 << 24);
  std::uint64_t written = 0;
  long session = 1;
  long t = 1396310400000L;  // 2014-04-01T00:00:00Z in ms
  char line[96];
  while (written < targetBytes) {
    const int clicks = 1 + static_cast<int>(rng() % 6);  // 3.5 on average, as in the real file
    t += static_cast<long>(rng() % 20000);
    long ts = t;
    for (int c = 0; c < clicks; ++c) {
      ts += static_cast<long>(rng() % 300000);
      const std::uint64_t r = rng();
      const long item = 214500000 + static_cast<long>(((r % 52000) * ((r >> 20) % 52000)) / 52000);
      int y, mo, d;
      civil(ts / 86400000, y, mo, d);
      const long dayMs = ts % 86400000;
      // Mostly unknown ("0"), sometimes a special offer ("S"), else the item's own category
      // (1-12) or brand id, as in the real file.
      const unsigned catRoll = static_cast<unsigned>((r >> 40) % 100);
      char cat[16];
      if (catRoll < 70) {
        std::strcpy(cat, "0");
      } else if (catRoll < 80) {
        std::strcpy(cat, "S");
      } else if (item % 7 != 0) {
        std::snprintf(cat, sizeof cat, "%ld", 1 + item % 12);
      } else {
        std::snprintf(cat, sizeof cat, "%ld", 2089000000L + item % 5000);
      }
      const int n = std::snprintf(
          line, sizeof line, "%ld,%04d-%02d-%02dT%02ld:%02ld:%02ld.%03ldZ,%ld,%s\n", session, y, mo,
          d, dayMs / 3600000, dayMs / 60000 % 60, dayMs / 1000 % 60, dayMs % 1000, item, cat);
      buf.insert(buf.end(), line, line + n);
      written += static_cast<std::uint64_t>(n);
    }
    ++session;
    if (buf.size() > (1 << 24) - 4096) {
      std::fwrite(buf.data(), 1, buf.size(), out);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), out);
  std::fclose(out);
}

void warmPageCache(const std::string& path) {
  std::FILE* in = std::fopen(path.c_str(), "rb");
  std::vector<char> buf(1 << 22);
  while (std::fread(buf.data(), 1, buf.size(), in) > 0) {
  }
  std::fclose(in);
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t mb = 1100;
  std::string path = "/tmp/reclab_bench_yoochoose-clicks.dat";
  int threads = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--mb") mb = std::strtoull(argv[i + 1], nullptr, 10);
    if (key == "--path") path = argv[i + 1];
    if (key == "--threads") threads = std::atoi(argv[i + 1]);
  }
  const std::uint64_t target = mb * 1000 * 1000;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) < target) {
    std::printf("writing %s (%lu MB)...\n", path.c_str(), static_cast<unsigned long>(mb));
    std::fflush(stdout);
    const auto g0 = std::chrono::steady_clock::now();
    generate(path, target);
    const double gs = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
    std::printf("  written in %.1f s\n", gs);
  }
  const auto fileBytes = std::filesystem::file_size(path);
  warmPageCache(path);

  reclab::tuneAllocator();  // as reclab and reclab-cli do
  malloc_trim(0);
  const std::size_t rssBefore = residentBytes();
  LoadOptions options;
  options.threads = threads;
  reclab::StopToken stop;
  const auto t0 = std::chrono::steady_clock::now();
  auto result =
      reclab::data::loadDataset(Format::Yoochoose, {path}, options, reclab::nullObserver(), stop);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  malloc_trim(0);
  const std::size_t rssAfter = residentBytes();

  const auto& log = result.log;
  const double rows = static_cast<double>(log.numRows());
  const std::size_t columnBytes = log.item.capacity() * 4 + log.timestamp.memoryBytes() +
                                  log.session.capacity() * 4 + log.event.capacity() +
                                  log.value.capacity() * 4 + log.user.capacity() * 4;
  std::printf("file            %.1f MB, %zu rows, %d sessions, %d items, %lu bad rows\n",
              static_cast<double>(fileBytes) / 1e6, log.numRows(), log.numSessions(),
              log.numItems(), static_cast<unsigned long>(result.report.badRowCount));
  std::printf("threads         %d (0 = hardware: %u)\n", threads,
              std::thread::hardware_concurrency());
  std::printf("load time       %.2f s (warm page cache)\n", secs);
  std::printf("throughput      %.0f MB/s, %.1f M rows/s\n",
              static_cast<double>(fileBytes) / 1e6 / secs, rows / 1e6 / secs);
  std::printf("columns         %.2f bytes/event\n", static_cast<double>(columnBytes) / rows);
  std::printf("log.memoryBytes %.2f bytes/event\n", static_cast<double>(log.memoryBytes()) / rows);
  std::printf("RSS delta       %.2f bytes/event (%.1f MB)\n",
              static_cast<double>(rssAfter - rssBefore) / rows,
              static_cast<double>(rssAfter - rssBefore) / 1e6);
  std::printf("peak RSS       %s\n", statusField("VmHWM:").c_str());
  return 0;
}

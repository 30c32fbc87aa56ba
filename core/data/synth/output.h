#pragma once
/// What every generator shares: the result summary, the output-directory policy (create it,
/// never overwrite unless asked), the ground-truth JSON writer and the stop / progress ticker.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/observer.h"

namespace reclab::synth {

/// What a generator wrote.
struct SynthResult {
  std::string outDir;
  std::vector<std::string> files;  ///< full paths, in the order written
  std::uint64_t rows = 0;          ///< data rows of the main event / rating file(s)
  std::uint64_t bytes = 0;         ///< bytes over all files
};

/// Creates `outDir` (and parents) when missing. Throws InputError when it is not a directory,
/// or when one of `fileNames` already exists in it and `overwrite` is false. `what` prefixes
/// the messages ("synth ratings").
void prepareOutputDir(std::string_view what, const std::string& outDir,
                      const std::vector<std::string>& fileNames, bool overwrite);

/// Path of `name` inside `dir`.
std::string joinPath(const std::string& dir, const std::string& name);

/// Writes a JSON object with one top-level key per line and compact values (readable, and
/// small even with long arrays). Returns the bytes written.
std::uint64_t writeJsonFile(const std::string& path, const nlohmann::json& object);

/// Checks the stop flag every few thousand rows (throwing Cancelled) and reports progress to
/// the observer at most once per percent.
class ProgressTicker {
 public:
  ProgressTicker(Observer& observer, const StopToken& stop, std::string stage)
      : m_observer(observer), m_stop(stop), m_stage(std::move(stage)) {}

  /// `rows` written so far, `fraction` of the work done in [0, 1].
  void update(std::uint64_t rows, double fraction) {
    if (rows - m_lastCheck < kCheckEvery) return;
    m_lastCheck = rows;
    m_stop.throwIfStopped();
    if (fraction - m_lastReported >= 0.01) {
      m_lastReported = fraction;
      m_observer.onProgress(fraction, m_stage);
    }
  }
  void finish() { m_observer.onProgress(1.0, m_stage); }

  static constexpr std::uint64_t kCheckEvery = 4096;

 private:
  Observer& m_observer;
  const StopToken& m_stop;
  std::string m_stage;
  std::uint64_t m_lastCheck = 0;
  double m_lastReported = -1.0;
};

}  // namespace reclab::synth

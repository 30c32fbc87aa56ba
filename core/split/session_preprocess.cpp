#include "split/session_preprocess.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "common/errors.h"
#include "split/fitted_statistics.h"

namespace reclab::split {

namespace {

constexpr int kSrgnnMinItemClicks = 5;
constexpr std::size_t kSrgnnMinSessionLength = 2;

void checkRows(const data::InteractionLog& log, std::span<const std::uint32_t> rows,
               const std::string& name) {
  for (auto r : rows) {
    if (r >= log.numRows()) {
      throw InputError(
          fmt::format("{}: row {} is out of range (the log has {} rows)", name, r, log.numRows()));
    }
  }
}

void requireSessions(const data::InteractionLog& log, const std::string& what) {
  if (!log.hasSessions()) {
    throw InputError(
        fmt::format("{} needs a session column and the dataset has none (sessionise it with "
                    "dataset.session_gap_minutes, or use a session format)",
                    what));
  }
}

/// The rows that are clicks (not of the event type "buy").
bool isClick(const data::InteractionLog& log, int buy, std::uint32_t r) {
  return buy < 0 || log.eventAt(r) != buy;
}

/// `rows` sorted by (session, time, row).
std::vector<std::uint32_t> sessionOrder(const data::InteractionLog& log,
                                        std::span<const std::uint32_t> rows) {
  std::vector<std::uint32_t> out(rows.begin(), rows.end());
  const bool timed = log.hasTimestamps();
  std::sort(out.begin(), out.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (log.session[a] != log.session[b]) return log.session[a] < log.session[b];
    if (timed && log.timestamp[a] != log.timestamp[b]) return log.timestamp[a] < log.timestamp[b];
    return a < b;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::uint32_t> intersect(const std::vector<std::uint32_t>& part,
                                     const std::vector<bool>& keep) {
  std::vector<std::uint32_t> out;
  out.reserve(part.size());
  for (auto r : part)
    if (keep[r]) out.push_back(r);
  return out;
}

}  // namespace

std::string dedupModeName(DedupMode mode) {
  return mode == DedupMode::Consecutive ? "consecutive" : "off";
}

DedupMode parseDedupMode(const std::string& name) {
  if (name == "off") return DedupMode::Off;
  if (name == "consecutive") return DedupMode::Consecutive;
  throw InputError("dedup must be 'off' or 'consecutive', got '" + name + "'");
}

void SessionPreprocessConfig::validate() const {
  if (minItemSupport < 0) {
    throw InputError(
        fmt::format("preprocess: min_item_support must be >= 0, got {}", minItemSupport));
  }
  if (minSessionLength < 0) {
    throw InputError(
        fmt::format("preprocess: min_session_length must be >= 0, got {}", minSessionLength));
  }
}

bool SessionPreprocessConfig::needsSessions() const {
  return classicSrgnn || dedup != DedupMode::Off || minSessionLength > 1;
}

std::vector<std::uint32_t> dropConsecutiveRepeats(const data::InteractionLog& log,
                                                  std::span<const std::uint32_t> rows) {
  requireSessions(log, "preprocess.dedup");
  checkRows(log, rows, "dedup");
  const int buy = log.findEvent(data::event_names::kBuy);
  const auto ordered = sessionOrder(log, rows);
  std::vector<std::uint32_t> out;
  out.reserve(ordered.size());
  std::int32_t session = -1, previousItem = -1;
  for (auto r : ordered) {
    if (!isClick(log, buy, r)) {
      out.push_back(r);
      continue;
    }
    if (log.session[r] != session) {
      session = log.session[r];
      previousItem = -1;
    }
    if (log.item[r] != previousItem) out.push_back(r);
    previousItem = log.item[r];
  }
  std::sort(out.begin(), out.end());
  return out;
}

// --- SessionLengthFilter ---

SessionLengthFilter::SessionLengthFilter(int minLength, std::string statisticName)
    : m_minLength(static_cast<std::uint32_t>(std::max(minLength, 0))),
      m_name(std::move(statisticName)) {
  if (minLength < 1) {
    throw InputError(fmt::format("{}: min_length must be >= 1, got {}", m_name, minLength));
  }
}

void SessionLengthFilter::fit(const data::InteractionLog& log, std::span<const std::uint32_t> rows,
                              LeakageGuard& guard) {
  requireSessions(log, "preprocess.min_session_length");
  checkRows(log, rows, m_name);
  guard.record(m_name, rows);
  const int buy = log.findEvent(data::event_names::kBuy);
  m_length.assign(static_cast<std::size_t>(log.numSessions()), 0);
  std::vector<bool> present(m_length.size(), false);
  for (auto r : rows) {
    const auto s = static_cast<std::size_t>(log.session[r]);
    present[s] = true;
    if (isClick(log, buy, r)) ++m_length[s];
  }
  m_numKept = 0;
  for (std::size_t s = 0; s < m_length.size(); ++s) {
    m_numKept += present[s] && m_length[s] >= m_minLength ? 1 : 0;
  }
  m_fitted = true;
}

std::uint32_t SessionLengthFilter::length(std::int32_t session) const {
  if (!m_fitted) throw std::logic_error(m_name + ": used before fit()");
  const auto s = static_cast<std::size_t>(session);
  return session >= 0 && s < m_length.size() ? m_length[s] : 0;
}

std::vector<std::uint32_t> SessionLengthFilter::apply(const data::InteractionLog& log,
                                                      std::span<const std::uint32_t> rows) const {
  checkRows(log, rows, m_name);
  std::vector<std::uint32_t> out;
  out.reserve(rows.size());
  for (auto r : rows)
    if (keeps(log.session[r])) out.push_back(r);
  return out;
}

// --- SR-GNN ---

std::vector<std::uint32_t> classicSrgnnFilter(const data::InteractionLog& log,
                                              std::span<const std::uint32_t> rows,
                                              ClassicSrgnnReport* report) {
  requireSessions(log, "preprocess.classic_srgnn");
  checkRows(log, rows, "classic_srgnn");
  const int buy = log.findEvent(data::event_names::kBuy);
  const auto nSessions = static_cast<std::size_t>(log.numSessions());
  ClassicSrgnnReport rep;

  // (1) sessions with exactly one click.
  std::vector<std::uint32_t> clicks(nSessions, 0);
  std::vector<bool> present(nSessions, false);
  for (auto r : rows) {
    const auto s = static_cast<std::size_t>(log.session[r]);
    present[s] = true;
    if (isClick(log, buy, r)) ++clicks[s];
  }
  std::vector<bool> sessionKept(nSessions, false);
  for (std::size_t s = 0; s < nSessions; ++s) {
    if (!present[s]) continue;
    sessionKept[s] = clicks[s] != 1;
    rep.sessionsOfLengthOne += clicks[s] == 1 ? 1 : 0;
  }
  // (2) item clicks over the remaining sessions; rare items' clicks removed.
  std::vector<std::uint32_t> itemClicks(static_cast<std::size_t>(std::max(log.numItems(), 0)), 0);
  for (auto r : rows) {
    if (sessionKept[static_cast<std::size_t>(log.session[r])] && isClick(log, buy, r)) {
      ++itemClicks[static_cast<std::size_t>(log.item[r])];
    }
  }
  for (auto c : itemClicks) rep.rareItems += c > 0 && c < kSrgnnMinItemClicks ? 1 : 0;
  auto rare = [&](std::uint32_t r) {
    return itemClicks[static_cast<std::size_t>(log.item[r])] <
           static_cast<std::uint32_t>(kSrgnnMinItemClicks);
  };
  // (3) sessions left with fewer than 2 clicks.
  std::vector<std::uint32_t> left(nSessions, 0);
  for (auto r : rows) {
    const auto s = static_cast<std::size_t>(log.session[r]);
    if (sessionKept[s] && isClick(log, buy, r) && !rare(r)) ++left[s];
  }
  for (std::size_t s = 0; s < nSessions; ++s) {
    if (sessionKept[s] && left[s] < kSrgnnMinSessionLength) {
      sessionKept[s] = false;
      ++rep.shortSessions;
    }
  }
  std::vector<std::uint32_t> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    if (!sessionKept[static_cast<std::size_t>(log.session[r])]) continue;
    if (isClick(log, buy, r) && rare(r)) continue;
    out.push_back(r);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  rep.rowsKept = out.size();
  if (report) *report = rep;
  return out;
}

// --- the pipeline ---

PreprocessOutcome preprocessSplit(const data::InteractionLog& log,
                                  const SessionPreprocessConfig& config, Split& s,
                                  LeakageGuard& guard) {
  config.validate();
  PreprocessOutcome out;
  if (config.classicSrgnn) {
    std::vector<std::uint32_t> all;
    all.reserve(s.train.size() + s.valid.size() + s.test.size());
    for (const auto* part : {&s.train, &s.valid, &s.test})
      all.insert(all.end(), part->begin(), part->end());
    ClassicSrgnnReport rep;
    const auto kept = classicSrgnnFilter(log, all, &rep);
    std::vector<bool> keep(log.numRows(), false);
    for (auto r : kept) keep[r] = true;
    s.train = intersect(s.train, keep);
    s.valid = intersect(s.valid, keep);
    s.test = intersect(s.test, keep);
    out.leaky = true;
    out.messages.push_back(fmt::format(
        "classic_srgnn (LEAKY: counted over train, validation and test): dropped {} sessions "
        "of one click, the clicks of {} items with < 5 clicks, then {} sessions of < 2 clicks; "
        "kept {} of {} rows",
        rep.sessionsOfLengthOne, rep.rareItems, rep.shortSessions, rep.rowsKept, all.size()));
  }
  if (config.dedup == DedupMode::Consecutive) {
    const auto before = s.train.size() + s.valid.size() + s.test.size();
    s.train = dropConsecutiveRepeats(log, s.train);
    s.valid = dropConsecutiveRepeats(log, s.valid);
    s.test = dropConsecutiveRepeats(log, s.test);
    out.messages.push_back(fmt::format("dedup consecutive: dropped {} repeated clicks",
                                       before - s.train.size() - s.valid.size() - s.test.size()));
  }
  if (config.minItemSupport > 0) {
    ItemSupportFilter filter(config.minItemSupport);
    filter.fit(log, s.train, guard);
    const auto before = s.train.size();
    s.train = filter.apply(log, s.train);
    out.messages.push_back(
        fmt::format("min_item_support {}: kept {} of {} training rows ({} items)",
                    config.minItemSupport, s.train.size(), before, filter.numKept()));
  }
  if (config.minSessionLength > 1) {
    SessionLengthFilter filter(config.minSessionLength);
    filter.fit(log, s.train, guard);
    const auto before = s.train.size();
    s.train = filter.apply(log, s.train);
    out.messages.push_back(
        fmt::format("min_session_length {}: kept {} of {} training rows ({} sessions)",
                    config.minSessionLength, s.train.size(), before, filter.numKept()));
  }
  if (s.train.empty() && (config.classicSrgnn || config.dedup != DedupMode::Off ||
                          config.minItemSupport > 0 || config.minSessionLength > 1)) {
    throw InputError("preprocess: no training row is left after the preprocessing filters");
  }
  return out;
}

}  // namespace reclab::split

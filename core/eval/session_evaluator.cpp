#include "eval/session_evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <numeric>
#include <span>
#include <stdexcept>

#include "common/errors.h"
#include "data/session_sequences.h"
#include "eval/metrics.h"
#include "eval/ranking_evaluator.h"

namespace reclab::eval {

std::string sessionProtocolName(SessionProtocol p) {
  return p == SessionProtocol::Thesis ? "thesis" : "next_item";
}

SessionProtocol parseSessionProtocol(const std::string& name) {
  if (name == "next_item") return SessionProtocol::NextItem;
  if (name == "thesis") return SessionProtocol::Thesis;
  throw InputError("session evaluation: protocol must be 'next_item' or 'thesis', got '" + name +
                   "'");
}

void SessionEvalOptions::validate() const {
  if (ks.empty()) throw InputError("session evaluation: no k given");
  for (int k : ks) {
    if (k < 1) throw InputError(fmt::format("session evaluation: k must be >= 1, got {}", k));
  }
  if (inputLength < 1) {
    throw InputError(
        fmt::format("session evaluation: input_length must be >= 1, got {}", inputLength));
  }
  if (batchSize < 1) {
    throw InputError(fmt::format("session evaluation: batch_size must be >= 1, got {}", batchSize));
  }
  if (threads < 1) {
    throw InputError(fmt::format("session evaluation: threads must be >= 1, got {}", threads));
  }
}

nlohmann::json SessionEvalResult::summaryJson() const {
  std::vector<int> ks;
  for (const auto& [name, v] : means) {
    if (name.rfind("recall@", 0) == 0) ks.push_back(std::stoi(name.substr(7)));
  }
  std::sort(ks.begin(), ks.end());
  return {{"protocol", sessionProtocolName(protocol)},
          {"k", ks},
          {"units", units.size()},
          {"test_sessions", testSessions},
          {"evaluated_sessions", evaluatedSessions},
          {"skipped_short_sessions", skippedShort},
          {"dropped_targets", droppedTargets},
          {"skipped_no_label_sessions", skippedNoLabels},
          {"means", means}};
}

nlohmann::json SessionEvalResult::perUnitJson() const {
  nlohmann::json j;
  j["unit"] = protocol == SessionProtocol::Thesis ? "session" : "prefix";
  j["users"] = units;
  j["values"] = nlohmann::json::object();
  for (const auto& [name, values] : perUnit) j["values"][name] = values;
  return j;
}

namespace {

/// The evaluation units: unit u feeds the first inputLength[u] items of session session[u] and
/// is scored against labels[labelOffsets[u] .. labelOffsets[u+1]) (sorted, distinct).
struct Units {
  std::vector<std::uint32_t> session;
  std::vector<std::uint32_t> inputLength;
  std::vector<std::uint32_t> labelOffsets{0};
  std::vector<std::int32_t> labels;

  std::size_t size() const { return session.size(); }
  void add(std::size_t s, std::size_t input, const std::vector<std::int32_t>& unitLabels) {
    session.push_back(static_cast<std::uint32_t>(s));
    inputLength.push_back(static_cast<std::uint32_t>(input));
    labels.insert(labels.end(), unitLabels.begin(), unitLabels.end());
    labelOffsets.push_back(static_cast<std::uint32_t>(labels.size()));
  }
};

Units planUnits(const std::vector<std::vector<std::int32_t>>& sessions,
                const std::vector<bool>* trainItems, const SessionEvalOptions& o,
                SessionEvalResult& result) {
  const auto seen = [&](std::int32_t item) {
    return item >= 0 && static_cast<std::size_t>(item) < trainItems->size() &&
           (*trainItems)[static_cast<std::size_t>(item)];
  };
  Units units;
  std::vector<std::int32_t> labels;
  for (std::size_t s = 0; s < sessions.size(); ++s) {
    const auto& seq = sessions[s];
    bool contributed = false;
    if (o.protocol == SessionProtocol::NextItem) {
      if (seq.size() < 2) {
        ++result.skippedShort;
        continue;
      }
      for (std::size_t t = 1; t < seq.size(); ++t) {
        if (o.trainItemsOnly && !seen(seq[t])) {
          ++result.droppedTargets;
          continue;
        }
        units.add(s, t, {seq[t]});
        contributed = true;
      }
    } else {
      const auto input = static_cast<std::size_t>(o.inputLength);
      if (seq.size() < input + 1) {
        ++result.skippedShort;
        continue;
      }
      labels.assign(seq.begin() + static_cast<std::ptrdiff_t>(input), seq.end());
      std::sort(labels.begin(), labels.end());
      labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
      if (o.trainItemsOnly) {
        const auto before = labels.size();
        std::erase_if(labels, [&](std::int32_t i) { return !seen(i); });
        result.droppedTargets += before - labels.size();
        if (labels.empty()) {
          ++result.skippedNoLabels;
          continue;
        }
      }
      units.add(s, input, labels);
      contributed = true;
    }
    if (contributed) ++result.evaluatedSessions;
  }
  return units;
}

}  // namespace

SessionEvalResult evaluateSessionSequences(const models::SessionRecommender& model,
                                           const std::vector<std::vector<std::int32_t>>& sessions,
                                           const std::vector<std::string>& ids,
                                           const std::vector<bool>* trainItems,
                                           const SessionEvalOptions& options, Observer& observer,
                                           const StopToken& stop) {
  options.validate();
  if (ids.size() != sessions.size()) {
    throw std::invalid_argument(
        fmt::format("session evaluation: {} ids for {} sessions", ids.size(), sessions.size()));
  }
  if (options.trainItemsOnly && trainItems == nullptr) {
    throw std::invalid_argument("session evaluation: trainItemsOnly needs the training items");
  }
  const std::int32_t nItems = model.numItems();
  if (nItems <= 0) {
    throw InputError("session evaluation: model '" + model.name() +
                     "' scores no items (was it trained?)");
  }
  SessionEvalResult result;
  result.protocol = options.protocol;
  result.testSessions = sessions.size();
  const Units units = planUnits(sessions, trainItems, options, result);
  const std::size_t n = units.size();
  result.units.reserve(n);
  for (std::size_t u = 0; u < n; ++u) {
    const auto& id = ids[units.session[u]];
    result.units.push_back(options.protocol == SessionProtocol::Thesis
                               ? id
                               : fmt::format("{}:{}", id, units.inputLength[u]));
  }
  struct Columns {
    std::vector<double>*recall, *mrr, *hit;
  };
  std::vector<Columns> cols;
  for (int k : options.ks) {
    auto& r = result.perUnit[fmt::format("recall@{}", k)];
    auto& m = result.perUnit[fmt::format("mrr@{}", k)];
    auto& h = result.perUnit[fmt::format("hit_rate@{}", k)];
    r.assign(n, 0.0);
    m.assign(n, 0.0);
    h.assign(n, 0.0);
    cols.push_back({&r, &m, &h});
  }
  const int maxK = *std::max_element(options.ks.begin(), options.ks.end());
  forEachBatchInParallel(
      n, options.batchSize, options.threads, observer, stop, [&](std::size_t blo, std::size_t bhi) {
        std::vector<std::vector<std::int32_t>> prefixes;
        prefixes.reserve(bhi - blo);
        for (std::size_t u = blo; u < bhi; ++u) {
          const auto& seq = sessions[units.session[u]];
          prefixes.emplace_back(seq.begin(),
                                seq.begin() + static_cast<std::ptrdiff_t>(units.inputLength[u]));
        }
        models::ScoreMatrix scores;
        model.scorePrefixes(prefixes, scores);
        if (scores.rows() != static_cast<Eigen::Index>(prefixes.size()) ||
            scores.cols() != nItems) {
          throw std::logic_error(fmt::format(
              "session evaluation: model '{}' returned {} x {} scores for {} prefixes and {} items",
              model.name(), scores.rows(), scores.cols(), prefixes.size(), nItems));
        }
        std::vector<std::int32_t> exclude;
        for (std::size_t j = 0; j < prefixes.size(); ++j) {
          const std::size_t u = blo + j;
          exclude.clear();
          if (options.maskInputItems) {
            for (auto i : prefixes[j])
              if (i >= 0 && i < nItems) exclude.push_back(i);
            std::sort(exclude.begin(), exclude.end());
            exclude.erase(std::unique(exclude.begin(), exclude.end()), exclude.end());
          }
          const auto top =
              topK(scores.row(static_cast<Eigen::Index>(j)).data(), nItems, maxK, exclude);
          const std::span<const std::int32_t> labels(
              units.labels.data() + units.labelOffsets[u],
              units.labelOffsets[u + 1] - units.labelOffsets[u]);
          for (std::size_t c = 0; c < cols.size(); ++c) {
            const auto v = rankingValues(top, labels, options.ks[c]);
            (*cols[c].recall)[u] = v.recall;
            (*cols[c].mrr)[u] = v.mrr;
            (*cols[c].hit)[u] = v.hitRate;
          }
        }
      });
  result.means = meansOf(result.perUnit);
  return result;
}

SessionEvalResult evaluateSessions(const models::SessionRecommender& model,
                                   const data::InteractionLog& log,
                                   const std::vector<std::uint32_t>& trainRows,
                                   const std::vector<std::uint32_t>& testRows,
                                   const SessionEvalOptions& options, Observer& observer,
                                   const StopToken& stop) {
  const auto test = data::buildSessionSequences(log, testRows);
  std::vector<std::vector<std::int32_t>> sessions(test.size());
  std::vector<std::string> ids(test.size());
  for (std::size_t s = 0; s < test.size(); ++s) {
    const auto seq = test.sequence(s);
    sessions[s].assign(seq.begin(), seq.end());
    ids[s] = log.sessions.original(test.session[s]);
  }
  std::vector<bool> trainItems;
  if (options.trainItemsOnly) {
    const auto train = data::buildSessionSequences(log, trainRows);
    trainItems.assign(static_cast<std::size_t>(log.numItems()), false);
    for (auto i : train.items) trainItems[static_cast<std::size_t>(i)] = true;
  }
  auto result =
      evaluateSessionSequences(model, sessions, ids, options.trainItemsOnly ? &trainItems : nullptr,
                               options, observer, stop);
  std::string message = fmt::format(
      "session evaluation ({}): {} units from {} of {} test sessions; {} sessions too short",
      sessionProtocolName(options.protocol), result.units.size(), result.evaluatedSessions,
      result.testSessions, result.skippedShort);
  if (options.trainItemsOnly) {
    message += fmt::format("; {} {} not seen in training dropped", result.droppedTargets,
                           options.protocol == SessionProtocol::Thesis ? "labels" : "targets");
    if (options.protocol == SessionProtocol::Thesis) {
      message += fmt::format(" ({} sessions left without labels)", result.skippedNoLabels);
    }
  }
  observer.onLog(LogLevel::Info, message);
  if (result.units.empty()) {
    observer.onLog(LogLevel::Warning,
                   "session evaluation: no test session is long enough for the protocol; every "
                   "metric is 0");
  }
  return result;
}

}  // namespace reclab::eval

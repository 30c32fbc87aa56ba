#pragma once
/// Training callbacks shared by every model (the models call TrainContext::endEpoch).

#include <limits>
#include <string>

#include "models/model.h"

namespace reclab::models {

/// Ends training when `metric` (e.g. "val_rmse") has not improved by more than `minDelta` for
/// `patience` consecutive epochs. Epochs whose report lacks the metric are ignored.
class EarlyStopping : public TrainingCallback {
 public:
  enum class Mode { Min, Max };
  EarlyStopping(std::string metric, int patience, Mode mode = Mode::Min, double minDelta = 0.0)
      : m_metric(std::move(metric)), m_patience(patience), m_mode(mode), m_minDelta(minDelta) {}

  bool onEpochEnd(const TrainingReport& report) override {
    auto it = report.values.find(m_metric);
    if (it == report.values.end()) return false;
    const double v = it->second;
    const bool improved = m_mode == Mode::Min ? v < m_best - m_minDelta : v > m_best + m_minDelta;
    if (!m_seen || improved) {
      m_seen = true;
      m_best = v;
      m_bestEpoch = report.epoch;
      m_bad = 0;
      return false;
    }
    return ++m_bad >= m_patience;
  }
  double best() const { return m_best; }
  int bestEpoch() const { return m_bestEpoch; }
  bool triggered() const { return m_bad >= m_patience; }

 private:
  std::string m_metric;
  int m_patience;
  Mode m_mode;
  double m_minDelta;
  bool m_seen = false;
  double m_best = 0;
  int m_bestEpoch = 0;
  int m_bad = 0;
};

}  // namespace reclab::models

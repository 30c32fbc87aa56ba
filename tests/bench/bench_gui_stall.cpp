// Event-loop stalls of the workbench: the real MainWindow (offscreen) loads the bundled ratings
// sample, then trains svd for 20 epochs and torch_mf, each through the Run button's path. A
// 5 ms timer on the GUI thread records the gap between its ticks; a gap much longer than 5 ms
// is time the GUI thread spent on something else (a busy UI). Prints, per phase and overall,
// the number of ticks, the longest gap and the 99th percentile, and where the longest gap
// ended (ms since the start); then the slowest top-level events the GUI thread handled
// (receiver class, its parent's class, event type), to find what stalls.
//
//   bench_gui_stall [torch_mf_epochs=12]
//
// Exit 0 when every run finished, 1 otherwise. Target: longest stall < 50 ms.

#include <time.h>
#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QEventLoop>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "app/gui/app_options.h"
#include "app/gui/main_window.h"
#include "app/gui/run_manager.h"
#include "widgets/model_form.h"
#include "widgets/model_panel.h"

namespace {

/// CPU time of the calling thread, ms (tells own work from waiting for a busy machine's cores).
double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

/// Times every top-level event the GUI thread handles and keeps the slowest ones.
class TimingApplication : public QApplication {
 public:
  using QApplication::QApplication;

  bool notify(QObject* receiver, QEvent* event) override {
    if (m_depth > 0) {
      ++m_depth;
      const bool r = QApplication::notify(receiver, event);
      --m_depth;
      return r;
    }
    const int type = event->type();  // read before delivery: the event may be consumed
    QString what = receiver->metaObject()->className();
    if (receiver->parent()) what += QString(" in ") + receiver->parent()->metaObject()->className();
    QElapsedTimer t;
    t.start();
    const double cpu0 = threadCpuMs();
    ++m_depth;
    const bool r = QApplication::notify(receiver, event);
    --m_depth;
    const double ms = static_cast<double>(t.nsecsElapsed()) / 1e6;
    if (ms >= 15) {
      m_slow.push_back({ms, QString("%1 ms cpu  %2 (event %3)")
                                .arg(threadCpuMs() - cpu0, 6, 'f', 1)
                                .arg(what)
                                .arg(type)});
    }
    return r;
  }

  void reportSlowest(std::size_t n) {
    std::sort(m_slow.begin(), m_slow.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    std::printf("slowest GUI-thread events (>= 15 ms): %zu\n", m_slow.size());
    for (std::size_t i = 0; i < std::min(n, m_slow.size()); ++i) {
      std::printf("  %7.1f ms wall %s\n", m_slow[i].first, qPrintable(m_slow[i].second));
    }
  }

 private:
  int m_depth = 0;
  std::vector<std::pair<double, QString>> m_slow;
};

/// Ticks every 5 ms on the GUI thread and keeps the gaps between ticks, per phase.
class StallProbe {
 public:
  StallProbe() {
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(5);
    QObject::connect(&m_timer, &QTimer::timeout, [this] { tick(); });
    m_clock.start();
    m_last = m_clock.nsecsElapsed();
    m_timer.start();
  }
  void setPhase(const std::string& phase) {
    m_phase = phase;
    m_order.push_back(phase);
    m_last = m_clock.nsecsElapsed();
  }
  void report() const {
    std::vector<double> all;
    for (const auto& phase : m_order) {
      const auto it = m_gaps.find(phase);
      if (it == m_gaps.end()) continue;
      print(phase, it->second);
      all.insert(all.end(), it->second.begin(), it->second.end());
    }
    print("overall", all);
    std::printf("longest gap ended at %.0f ms (%s)\n", m_worstAt, m_worstPhase.c_str());
  }

 private:
  void tick() {
    const qint64 now = m_clock.nsecsElapsed();
    const double gap = static_cast<double>(now - m_last) / 1e6;
    m_last = now;
    m_gaps[m_phase].push_back(gap);
    if (gap > m_worst) {
      m_worst = gap;
      m_worstAt = static_cast<double>(now) / 1e6;
      m_worstPhase = m_phase;
    }
  }
  static void print(const std::string& name, std::vector<double> gaps) {
    if (gaps.empty()) return;
    std::sort(gaps.begin(), gaps.end());
    const auto p99 = gaps[std::min(gaps.size() - 1, gaps.size() * 99 / 100)];
    std::printf("%-10s ticks %6zu   longest stall %7.1f ms   p99 %6.1f ms\n", name.c_str(),
                gaps.size(), gaps.back(), p99);
  }

  QTimer m_timer;
  QElapsedTimer m_clock;
  qint64 m_last = 0;
  std::string m_phase = "start";
  std::vector<std::string> m_order = {"start"};
  std::map<std::string, std::vector<double>> m_gaps;
  double m_worst = 0, m_worstAt = 0;
  std::string m_worstPhase;
};

/// Runs the event loop until `signal` of `sender` fires (or `timeoutMs` passes), then `settleMs`
/// more (the window's follow-up work after the signal is part of the phase).
template <typename Sender, typename Signal>
bool waitFor(Sender* sender, Signal signal, int timeoutMs, int settleMs) {
  QEventLoop loop;
  bool fired = false;
  auto c = QObject::connect(sender, signal, &loop, [&] {
    fired = true;
    loop.quit();
  });
  QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
  loop.exec();
  QObject::disconnect(c);
  QEventLoop settle;
  QTimer::singleShot(settleMs, &settle, &QEventLoop::quit);
  settle.exec();
  return fired;
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QStandardPaths::setTestModeEnabled(true);  // no real settings or app data are touched
  QApplication::setOrganizationName("RecLabBench");
  QApplication::setApplicationName("reclab-bench");
  TimingApplication app(argc, argv);
  const int torchEpochs = argc > 1 ? std::atoi(argv[1]) : 12;

  QTemporaryDir dir;
  reclab::app::AppOptions options;
  options.dbPath = dir.filePath("runs.sqlite");
  options.datasetPath = reclab::app::bundledSamplePath();
  options.format = "movielens";
  if (options.datasetPath.isEmpty()) {
    std::fprintf(stderr,
                 "bench_gui_stall: the bundled sample datasets/ratings-sample is missing\n");
    return 1;
  }
  std::printf("dataset %s\n", qPrintable(options.datasetPath));

  StallProbe probe;
  probe.setPhase("window");
  reclab::app::MainWindow window(options);
  window.show();
  auto* runs = window.runManager();
  probe.setPhase("load");
  if (!waitFor(runs, &reclab::app::RunManager::datasetLoaded, 60000, 1000)) {
    std::fprintf(stderr, "bench_gui_stall: the dataset did not load\n");
    return 1;
  }

  bool ok = true;
  auto train = [&](const char* model, const nlohmann::json& params) {
    auto* panel = window.modelPanel();
    panel->selectModel(model);
    panel->form()->setParams(params);
    probe.setPhase(model);
    QString status = "none";
    auto c = QObject::connect(runs, &reclab::app::RunManager::runFinished,
                              [&status](int, qint64, const QString& s) { status = s; });
    panel->requestRun();
    waitFor(runs, &reclab::app::RunManager::runFinished, 600000, 1000);
    QObject::disconnect(c);
    std::printf("%s: %s\n", model, qPrintable(status));
    ok = ok && status == "finished";
  };
  train("svd", {{"n_epochs", 20}});
  train("torch_mf", {{"epochs", torchEpochs}});
  probe.setPhase("end");
  probe.report();
  app.reportSlowest(12);
  return ok ? 0 : 1;
}

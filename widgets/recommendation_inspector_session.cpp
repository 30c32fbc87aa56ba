#include <QCheckBox>
#include <QComboBox>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSlider>
#include <QSpinBox>
#include <QStringListModel>
#include <QTableWidget>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <set>

#include "widgets/inspector_tables.h"
#include "widgets/message_bar.h"
#include "widgets/recommendation_inspector.h"

// The inspector's session mode (the rest of the behaviour is in recommendation_inspector.cpp):
// test sessions, the prefix, and scoring the prefix on a worker, one job at a time with the
// newest request kept while one is in flight.

namespace reclab::widgets {

namespace {

bool isSessionModel(const experiment::OpenedRun* run) {
  return run && dynamic_cast<const models::SessionRecommender*>(run->model.get()) != nullptr;
}

bool hasEmbeddings(const experiment::OpenedRun* run) {
  return run && dynamic_cast<const models::HasEmbeddings*>(run->model.get()) != nullptr;
}

}  // namespace

std::shared_ptr<const RecommendationInspector::SessionList>
RecommendationInspector::listTestSessions(const experiment::OpenedRun& run) {
  auto out = std::make_shared<SessionList>();
  const auto& log = run.data->log;
  auto sessions = experiment::testSessions(run);
  out->all = sessions.size();
  for (auto& rows : sessions) {
    if (rows.size() < 2) continue;  // no next click to predict
    out->ids.push_back(log.sessions.original(log.session[rows.front()]));
    out->labels << QObject::tr("%1  (%2 clicks)")
                       .arg(QString::fromStdString(out->ids.back()))
                       .arg(rows.size());
    out->rows.push_back(std::move(rows));
  }
  return out;
}

bool RecommendationInspector::isSessionMode() const { return isSessionModel(m_run.get()); }

int RecommendationInspector::sessionCount() const {
  return m_sessions ? static_cast<int>(m_sessions->rows.size()) : 0;
}

QString RecommendationInspector::sessionIdAt(int index) const {
  if (index < 0 || index >= sessionCount()) return {};
  return QString::fromStdString(m_sessions->ids[static_cast<std::size_t>(index)]);
}

QString RecommendationInspector::selectedSession() const { return sessionIdAt(m_session); }

int RecommendationInspector::prefixLength() const {
  return m_typedPrefix.empty() ? m_prefixLength : static_cast<int>(m_typedPrefix.size());
}

QString RecommendationInspector::sessionNote() const {
  return m_sessionBox->isHidden() ? QString() : m_sessionNote->text();
}

QString RecommendationInspector::topNHitKind(int row) const {
  const auto* cell = m_topN->item(row, m_topN->columnCount() - 1);
  return cell ? cell->data(Qt::UserRole + 1).toString() : QString();
}

void RecommendationInspector::setFilterPrefix(bool filter) { m_filterPrefix->setChecked(filter); }

void RecommendationInspector::applyMode() {
  const bool session = isSessionMode();
  m_userControls->setVisible(!session);
  m_filterSeen->setVisible(!session);
  m_clusterRow->setVisible(!session);
  m_sessionControls->setVisible(session);
  m_filterPrefix->setVisible(session);
  // Session KNN models learn no embeddings: no similar items to show.
  m_similarBox->setVisible(!session || hasEmbeddings(m_run.get()));
  const bool picked = session && m_session >= 0;
  m_prefixSlider->setEnabled(picked);
  m_prefixSpin->setEnabled(picked);
  if (!picked) m_prefixOf->clear();
}

void RecommendationInspector::refreshSession() {
  const bool session = isSessionMode();
  m_sessionBox->setVisible(session || (m_run && m_run->data->log.hasSessions()));
  m_prefixControls->setVisible(session);
  if (!m_run) return;
  const auto name = QString::fromStdString(m_run->model->name());
  if (!session) {
    m_sessionNote->setText(
        tr("Model '%1' scores users, not session prefixes: this model has no session mode.")
            .arg(name));
  } else if (sessionCount() > 0) {
    m_sessionNote->setText(
        tr("Model '%1' predicts the next click. Pick one of the %2 test sessions with at least "
           "2 clicks (of %3 in the split) and a prefix length, or type item ids.")
            .arg(name)
            .arg(sessionCount())
            .arg(static_cast<qulonglong>(m_sessions->all)));
  } else {
    m_sessionNote->setText(tr("Model '%1' predicts the next click. The run's split has no test "
                              "session with at least 2 clicks: type item ids.")
                               .arg(name));
  }
}

bool RecommendationInspector::selectSession(const QString& originalId) {
  if (!m_run || !isSessionMode()) {
    m_messages->showMessage(
        m_run ? tr("Model '%1' does not predict next items: this run has no session mode")
                    .arg(QString::fromStdString(m_run->model->name()))
              : tr("Open a run first"),
        MessageBar::Level::Warning);
    return false;
  }
  const std::string id = originalId.trimmed().toStdString();
  const auto& ids = m_sessions ? m_sessions->ids : std::vector<std::string>{};
  const auto it = std::find(ids.begin(), ids.end(), id);
  if (it == ids.end()) {
    m_messages->showMessage(tr("No test session '%1' with at least 2 clicks in run %2")
                                .arg(originalId.trimmed())
                                .arg(m_run->runId),
                            MessageBar::Level::Warning);
    return false;
  }
  selectSessionIndex(static_cast<int>(it - ids.begin()));
  return true;
}

void RecommendationInspector::selectSessionIndex(int index) {
  if (!isSessionMode() || index < 0 || index >= sessionCount()) return;
  if (index == m_session && m_typedPrefix.empty()) return;  // already shown
  m_messages->clearMessage();
  m_session = index;
  m_typedPrefix.clear();
  m_prefixLength = 1;
  const int length = static_cast<int>(m_sessions->rows[static_cast<std::size_t>(index)].size());
  {
    const QSignalBlocker blockPicker(m_sessionPicker);
    const QSignalBlocker blockSlider(m_prefixSlider);
    const QSignalBlocker blockSpin(m_prefixSpin);
    m_sessionPicker->setCurrentIndex(index);
    m_prefixSlider->setRange(1, length - 1);
    m_prefixSpin->setRange(1, length - 1);
    m_prefixSlider->setValue(1);
    m_prefixSpin->setValue(1);
  }
  m_prefixOf->setText(tr("of %1 clicks").arg(length));
  applyMode();
  showSessionPrefix();
  requestScore();
}

void RecommendationInspector::setPrefixLength(int length) {
  if (!isSessionMode() || m_session < 0) return;
  const int most =
      static_cast<int>(m_sessions->rows[static_cast<std::size_t>(m_session)].size()) - 1;
  length = std::clamp(length, 1, most);
  {
    const QSignalBlocker blockSlider(m_prefixSlider);
    const QSignalBlocker blockSpin(m_prefixSpin);
    m_prefixSlider->setValue(length);
    m_prefixSpin->setValue(length);
  }
  if (length == m_prefixLength) return;
  m_prefixLength = length;
  showSessionPrefix();
  requestScore();
}

bool RecommendationInspector::setTypedPrefix(const QString& itemIds) {
  if (!m_run || !isSessionMode()) {
    m_messages->showMessage(tr("Open a run of a session next-item model first"),
                            MessageBar::Level::Warning);
    return false;
  }
  static const QRegularExpression separators(QStringLiteral("[\\s,;]+"));
  const QStringList ids = itemIds.split(separators, Qt::SkipEmptyParts);
  if (ids.isEmpty()) {
    m_messages->showMessage(tr("Type at least one item id"), MessageBar::Level::Warning);
    return false;
  }
  const auto& items = m_run->data->log.items;
  std::vector<std::int32_t> prefix;
  QStringList unknown;
  for (const auto& id : ids) {
    if (const auto item = items.find(id.toStdString())) {
      prefix.push_back(*item);
    } else {
      unknown << QStringLiteral("'%1'").arg(id);
    }
  }
  if (!unknown.isEmpty()) {
    unknown.removeDuplicates();
    m_messages->showMessage(
        (unknown.size() == 1 ? tr("Unknown item id %1: not in this run's dataset")
                             : tr("Unknown item ids %1: not in this run's dataset"))
            .arg(unknown.join(", ")),
        MessageBar::Level::Warning);
    return false;
  }
  m_messages->clearMessage();
  if (m_sessionPrefix->text() != itemIds) m_sessionPrefix->setText(itemIds);
  m_typedPrefix = std::move(prefix);
  m_session = -1;
  m_prefixLength = 0;
  {
    const QSignalBlocker block(m_sessionPicker);
    m_sessionPicker->setCurrentIndex(-1);
  }
  applyMode();
  showSessionPrefix();
  requestScore();
  return true;
}

void RecommendationInspector::showSessionPrefix() {
  if (!m_run) return;
  const auto& log = m_run->data->log;
  std::vector<std::int32_t> items;
  std::vector<std::uint32_t> rows;
  std::size_t prefix = 0;
  if (!m_typedPrefix.empty()) {
    items = m_typedPrefix;
    prefix = items.size();
  } else if (m_session >= 0) {
    rows = m_sessions->rows[static_cast<std::size_t>(m_session)];
    for (auto r : rows) items.push_back(log.item[r]);
    prefix = static_cast<std::size_t>(m_prefixLength);
  } else {
    return;
  }
  {
    const QSignalBlocker block(m_history);
    inspector::fillSessionClicks(m_history, *m_run, items, rows, prefix);
  }
  if (!m_typedPrefix.empty()) {
    m_historyTitle->setText(tr("Typed prefix: %n item(s)", nullptr, static_cast<int>(prefix)));
  } else {
    m_historyTitle->setText(
        tr("Session %1: %2 clicks; the prefix is the first %3, the next click is tinted, later "
           "clicks lightly tinted")
            .arg(selectedSession())
            .arg(items.size())
            .arg(prefix));
  }
}

void RecommendationInspector::requestScore() {
  if (!isSessionMode()) return;
  ScoreRequest request;
  if (!m_typedPrefix.empty()) {
    request.prefix = m_typedPrefix;
  } else if (m_session >= 0) {
    const auto& log = m_run->data->log;
    const auto& rows = m_sessions->rows[static_cast<std::size_t>(m_session)];
    for (std::size_t k = 0; k < rows.size(); ++k) {
      (static_cast<int>(k) < m_prefixLength ? request.prefix : request.rest)
          .push_back(log.item[rows[k]]);
    }
  } else {
    return;
  }
  request.n = m_n->value();
  request.filterPrefix = m_filterPrefix->isChecked();
  request.generation = ++m_scoreGeneration;
  m_topNTitle->setText(tr("Scoring the next items..."));
  if (m_scoring) {
    m_pendingScore = std::make_unique<ScoreRequest>(std::move(request));
    return;
  }
  startScore(request);
}

void RecommendationInspector::startScore(const ScoreRequest& request) {
  m_scoring = true;
  auto job = [run = m_run, request]() {
    ScoreResult out;
    out.runId = run->runId;
    out.request = request;
    try {
      out.recs = experiment::recommendNext(*run, request.prefix, request.n, &request.rest,
                                           request.filterPrefix);
    } catch (const std::exception& e) {
      out.error = QString::fromUtf8(e.what());
    }
    return out;
  };
  auto* watcher = new QFutureWatcher<ScoreResult>(this);
  connect(watcher, &QFutureWatcher<ScoreResult>::finished, this, [this, watcher] {
    watcher->deleteLater();
    applyScore(watcher->result());
  });
  watcher->setFuture(QtConcurrent::run(&m_pool, std::move(job)));
}

void RecommendationInspector::applyScore(const ScoreResult& result) {
  m_scoring = false;
  if (m_pendingScore) {
    const auto pending = std::move(m_pendingScore);
    startScore(*pending);
  }
  const auto& request = result.request;
  if (request.generation != m_scoreGeneration || result.runId != openedRunId()) return;
  if (!result.error.isEmpty()) {
    m_topN->setRowCount(0);
    m_topNTitle->setText(tr("No next items"));
    m_messages->showMessage(result.error);
    Q_EMIT sessionScoreFailed(result.error);
    return;
  }
  const std::int32_t next = request.rest.empty() ? -1 : request.rest.front();
  {
    const QSignalBlocker block(m_topN);
    inspector::fillTopN(m_topN, *m_run, result.recs, next);
  }
  const QString filtered = request.filterPrefix ? tr(" (the prefix's items left out)") : QString();
  if (request.rest.empty()) {
    m_topNTitle->setText(tr("Top-%1 next items after the typed prefix of %2 items%3")
                             .arg(request.n)
                             .arg(request.prefix.size())
                             .arg(filtered));
  } else {
    const auto at = std::find_if(result.recs.begin(), result.recs.end(),
                                 [&](const auto& r) { return r.item == next; });
    const std::set<std::int32_t> later(request.rest.begin(), request.rest.end());
    const auto hits =
        std::count_if(result.recs.begin(), result.recs.end(), [](const auto& r) { return r.hit; });
    m_topNTitle->setText(
        tr("Top-%1 after %2 of the %3 clicks of session %4: the next click %5; %6 of the %7 "
           "items clicked later are listed%8")
            .arg(request.n)
            .arg(request.prefix.size())
            .arg(request.prefix.size() + request.rest.size())
            .arg(selectedSession())
            .arg(at == result.recs.end() ? tr("is not among them")
                                         : tr("is at rank %1").arg(at - result.recs.begin() + 1))
            .arg(hits)
            .arg(later.size())
            .arg(filtered));
  }
  if (!result.recs.empty() && !m_similarBox->isHidden()) m_topN->setCurrentCell(0, 1);
  Q_EMIT sessionScored(result.runId);
}

}  // namespace reclab::widgets

#include "widgets/recommendation_inspector.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStringListModel>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <functional>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "store/store.h"
#include "widgets/inspector_tables.h"
#include "widgets/message_bar.h"
#include "widgets/user_id_index.h"

namespace reclab::widgets {

namespace {

constexpr std::size_t kMaxHistoryRows = 5000;
constexpr int kSimilarCount = 10;

/// Forwards a worker's progress to a callback, at most about once per percent or stage change.
class ProgressObserver : public Observer {
 public:
  explicit ProgressObserver(std::function<void(double, QString)> forward)
      : m_forward(std::move(forward)) {}
  void onProgress(double fraction, std::string_view stage) override {
    if (stage == m_stage && fraction - m_last < 0.01 && fraction < 1.0) return;
    m_stage = std::string(stage);
    m_last = fraction;
    m_forward(fraction, QString::fromStdString(m_stage));
  }

 private:
  std::function<void(double, QString)> m_forward;
  std::string m_stage;
  double m_last = -1;
};

/// " Its fold runs: 3, 4, 5." for a k-fold parent (whose own runs store no model), else empty.
QString foldHint(const std::string& path, qint64 runId) {
  try {
    store::Store st(path);
    QStringList ids;
    for (const auto& r : st.runs(true)) {
      if (r.parentRunId && *r.parentRunId == runId) ids.prepend(QString::number(r.id));
    }
    if (ids.isEmpty()) return {};
    return QObject::tr(" Its fold runs: %1.").arg(ids.join(", "));
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace

struct RecommendationInspector::OpenResult {
  qint64 runId = 0;
  std::shared_ptr<const experiment::OpenedRun> run;
  std::shared_ptr<const UserIdIndex> users;
  std::optional<ClusterInfo> cluster;
  std::shared_ptr<const SessionList> sessions;
  QString error;
  bool cancelled = false;
};

RecommendationInspector::RecommendationInspector(const QString& storePath, QWidget* parent)
    : QWidget(parent) {
  m_pool.setMaxThreadCount(2);
  buildUi();
  setStorePath(storePath);
}

RecommendationInspector::~RecommendationInspector() {
  m_stop.requestStop();
  m_pool.waitForDone();
}

void RecommendationInspector::setStorePath(const QString& path) {
  m_stop.requestStop();
  m_stop = StopToken();
  ++m_generation;
  setBusy(false);
  m_storePath = path;
  clearRun();
  m_messages->clearMessage();
  refreshRuns();
}

void RecommendationInspector::refreshRuns() {
  const qint64 current = openedRunId();
  m_runPicker->clear();
  if (m_storePath.isEmpty()) return;
  if (!QFileInfo::exists(m_storePath)) {
    m_messages->showMessage(tr("No experiment store at %1").arg(m_storePath),
                            MessageBar::Level::Warning);
    return;
  }
  try {
    store::Store st(m_storePath.toStdString());
    for (const auto& r : st.runs()) {
      if (r.status != store::RunStatus::Finished) continue;
      const auto names = st.artifactNames(r.id);
      if (std::find(names.begin(), names.end(), "model.bin") == names.end()) continue;
      m_runPicker->addItem(tr("#%1  %2 (%3)")
                               .arg(r.id)
                               .arg(QString::fromStdString(r.name))
                               .arg(QString::fromStdString(r.modelName)),
                           QVariant::fromValue<qint64>(r.id));
    }
  } catch (const std::exception& e) {
    m_messages->showMessage(tr("Cannot list runs: %1").arg(QString::fromUtf8(e.what())));
  }
  m_runPicker->setCurrentIndex(m_runPicker->findData(QVariant::fromValue<qint64>(current)));
}

void RecommendationInspector::cancel() { m_stop.requestStop(); }

void RecommendationInspector::openRun(qint64 runId) {
  m_stop.requestStop();  // an older open or clustering is stale now
  m_stop = StopToken();
  const quint64 generation = ++m_generation;
  clearRun();
  m_messages->clearMessage();
  m_runPicker->setCurrentIndex(m_runPicker->findData(QVariant::fromValue<qint64>(runId)));
  if (m_storePath.isEmpty()) {
    const QString msg = tr("No experiment store is open");
    m_messages->showMessage(msg);
    Q_EMIT openFailed(msg);
    return;
  }
  setBusy(true, tr("opening run %1").arg(runId));
  auto progress = [this, generation](double fraction, const QString& stage) {
    QMetaObject::invokeMethod(
        this, [this, generation, fraction, stage] { showProgress(generation, fraction, stage); },
        Qt::QueuedConnection);
  };
  auto job = [path = m_storePath.toStdString(), runId, stop = m_stop, progress]() {
    OpenResult out;
    out.runId = runId;
    try {
      store::Store st(path);
      ProgressObserver observer(progress);
      auto run =
          std::make_shared<experiment::OpenedRun>(experiment::openRun(st, runId, observer, stop));
      stop.throwIfStopped();
      if (run->data->log.hasUsers()) {
        progress(-1, QObject::tr("indexing user ids"));
        out.users = std::make_shared<UserIdIndex>(run->data->log.users);
      }
      if (auto json = st.artifact(runId, "kmeans_users.json")) out.cluster = parseCluster(*json);
      if (dynamic_cast<const models::SessionRecommender*>(run->model.get()) &&
          run->data->log.hasSessions()) {
        progress(-1, QObject::tr("listing test sessions"));
        out.sessions = listTestSessions(*run);
      }
      out.run = std::move(run);
    } catch (const Cancelled&) {
      out.cancelled = true;
    } catch (const InputError& e) {
      out.error = QString::fromUtf8(e.what()) + foldHint(path, runId);
    } catch (const std::exception& e) {
      out.error = QObject::tr("Cannot open run %1: %2").arg(runId).arg(QString::fromUtf8(e.what()));
    }
    return out;
  };
  auto* watcher = new QFutureWatcher<OpenResult>(this);
  connect(watcher, &QFutureWatcher<OpenResult>::finished, this, [this, watcher, generation] {
    watcher->deleteLater();
    applyOpened(generation, watcher->result());
  });
  watcher->setFuture(QtConcurrent::run(&m_pool, std::move(job)));
}

void RecommendationInspector::applyOpened(quint64 generation, const OpenResult& result) {
  if (generation != m_generation) return;  // superseded
  setBusy(false);
  if (result.cancelled) {
    m_messages->showMessage(tr("Opening run %1 was cancelled").arg(result.runId),
                            MessageBar::Level::Info);
    Q_EMIT openFailed(tr("cancelled"));
    return;
  }
  if (!result.error.isEmpty()) {
    m_messages->showMessage(result.error);
    Q_EMIT openFailed(result.error);
    return;
  }
  m_run = result.run;
  m_users = result.users;
  m_cluster = result.cluster;
  m_sessions = result.sessions;
  const auto& log = m_run->data->log;
  const auto& cfg = m_run->config;
  m_runSummary->setText(
      tr("Run %1: model <b>%2</b> (%3) on %4, %5 items, %6 rows; split %7, seed %8")
          .arg(m_run->runId)
          .arg(QString::fromStdString(m_run->model->name()))
          .arg(QString::fromStdString(models::taskName(m_run->model->task())))
          .arg(log.hasUsers() || !log.hasSessions() ? tr("%1 users").arg(log.numUsers())
                                                    : tr("%1 sessions").arg(log.numSessions()))
          .arg(log.numItems())
          .arg(static_cast<qulonglong>(log.numRows()))
          .arg(QString::fromStdString(cfg.split.kind) +
               (cfg.split.kind == "kfold" ? tr(" fold %1").arg(std::max(cfg.split.fold, 0) + 1)
                                          : QString()))
          .arg(cfg.seed));
  const bool users = m_users != nullptr;
  m_userEdit->setEnabled(users);
  m_showUser->setEnabled(users);
  m_historyTitle->setText(users ? tr("History: pick a user above")
                                : tr("This dataset has no users: user mode is unavailable"));
  if (isSessionMode()) {
    const QSignalBlocker block(m_sessionPicker);  // a model reset would pick the first one
    m_sessionLabels->setStringList(m_sessions ? m_sessions->labels : QStringList{});
    m_sessionPicker->setCurrentIndex(-1);
    m_historyTitle->setText(sessionCount() > 0
                                ? tr("Session: pick a test session above or type a prefix")
                                : tr("Session: type a prefix of item ids below"));
    m_topNTitle->setText(tr("Next items"));
  }
  applyMode();
  refreshCluster();
  refreshSession();
  if (!users && !log.hasSessions()) {
    m_messages->showMessage(tr("This dataset has neither users nor sessions to inspect"),
                            MessageBar::Level::Warning);
  }
  Q_EMIT runOpened(m_run->runId);
}

qint64 RecommendationInspector::openedRunId() const { return m_run ? m_run->runId : 0; }

bool RecommendationInspector::isBusy() const { return m_busy; }

void RecommendationInspector::setBusy(bool busy, const QString& stage) {
  m_busy = busy;
  m_progress->setVisible(busy);
  m_cancel->setVisible(busy);
  m_stage->setVisible(busy);
  m_progress->setRange(0, 0);
  m_stage->setText(stage);
  m_clusterButton->setEnabled(!busy && m_run &&
                              dynamic_cast<const models::HasEmbeddings*>(m_run->model.get()));
}

void RecommendationInspector::showProgress(quint64 generation, double fraction,
                                           const QString& stage) {
  if (generation != m_generation || !m_busy) return;
  if (fraction < 0) {
    m_progress->setRange(0, 0);
  } else {
    m_progress->setRange(0, 1000);
    m_progress->setValue(static_cast<int>(fraction * 1000));
  }
  if (!stage.isEmpty()) m_stage->setText(stage);
}

void RecommendationInspector::clearRun() {
  m_run.reset();
  m_users.reset();
  m_cluster.reset();
  m_user = -1;
  m_sessions.reset();
  m_session = -1;
  m_prefixLength = 0;
  m_typedPrefix.clear();
  ++m_scoreGeneration;  // a scoring job in flight is stale now
  m_pendingScore.reset();
  {
    const QSignalBlocker block(m_sessionPicker);
    m_sessionLabels->setStringList({});
    m_sessionPicker->setCurrentIndex(-1);
  }
  m_sessionPrefix->clear();
  m_runSummary->setText(tr("No run open."));
  m_userEdit->clear();
  m_userEdit->setEnabled(false);
  m_showUser->setEnabled(false);
  m_completions->setStringList({});
  for (auto* t : {m_history, m_topN, m_similar}) {
    t->clear();
    t->setRowCount(0);
    t->setColumnCount(0);
  }
  m_historyTitle->setText(tr("History"));
  m_topNTitle->setText(tr("Top-N"));
  m_similarTitle->setText(tr("Similar items"));
  m_clusterButton->setEnabled(false);
  applyMode();
  refreshCluster();
  refreshSession();
}

QStringList RecommendationInspector::userIdsStartingWith(const QString& prefix, int limit) const {
  QStringList out;
  if (!m_users || limit <= 0) return out;
  for (const auto& id :
       m_users->startingWith(prefix.toStdString(), static_cast<std::size_t>(limit))) {
    out << QString::fromStdString(id);
  }
  return out;
}

void RecommendationInspector::updateCompletions(const QString& text) {
  const QString prefix = text.trimmed();
  m_completions->setStringList(prefix.isEmpty() ? QStringList{} : userIdsStartingWith(prefix));
  if (!prefix.isEmpty() && m_completions->rowCount() > 0) m_completer->complete();
}

bool RecommendationInspector::selectUser(const QString& originalId) {
  if (!m_run || !m_users) {
    m_messages->showMessage(m_run ? tr("This dataset has no users") : tr("Open a run first"),
                            MessageBar::Level::Warning);
    return false;
  }
  const auto user = m_users->find(originalId.toStdString());
  if (!user) {
    m_messages->showMessage(tr("No user '%1' in this run's dataset").arg(originalId),
                            MessageBar::Level::Warning);
    return false;
  }
  m_messages->clearMessage();
  m_user = *user;
  if (m_userEdit->text() != originalId) m_userEdit->setText(originalId);
  const std::size_t total = inspector::fillHistory(m_history, *m_run, m_user, kMaxHistoryRows);
  int train = 0, test = 0;
  for (int r = 0; r < m_history->rowCount(); ++r) {
    const QString part = historySplit(r);
    train += part == QLatin1String("train");
    test += part == QLatin1String("test");
  }
  QString title = tr("History of user %1: %2 rows (%3 train, %4 test, test rows tinted)")
                      .arg(originalId)
                      .arg(static_cast<qulonglong>(total))
                      .arg(train)
                      .arg(test);
  if (total > kMaxHistoryRows) title += tr("; the first %1 shown").arg(kMaxHistoryRows);
  m_historyTitle->setText(title);
  refreshCluster();
  m_similar->setRowCount(0);
  m_similarTitle->setText(tr("Similar items: pick an item in the top-N or the history"));
  refreshTopN();
  return true;
}

QString RecommendationInspector::selectedUser() const {
  return m_run && m_user >= 0 ? QString::fromStdString(m_run->data->log.users.original(m_user))
                              : QString();
}

void RecommendationInspector::setTopN(int n) { m_n->setValue(n); }

void RecommendationInspector::setFilterSeen(bool filter) { m_filterSeen->setChecked(filter); }

void RecommendationInspector::refreshTopN() {
  if (isSessionMode()) {
    requestScore();
    return;
  }
  if (!m_run || m_user < 0) return;
  std::vector<experiment::Recommendation> recs;
  try {
    recs = experiment::recommendFor(*m_run, m_user, m_n->value(), m_filterSeen->isChecked());
  } catch (const std::exception& e) {
    m_topN->setRowCount(0);
    m_topNTitle->setText(tr("No top-N"));
    m_messages->showMessage(QString::fromUtf8(e.what()));
    return;
  }
  const auto hits = std::count_if(recs.begin(), recs.end(), [](const auto& r) { return r.hit; });
  const auto testItems = m_run->testItems[static_cast<std::size_t>(m_user)].size();
  {
    const QSignalBlocker block(m_topN);
    inspector::fillTopN(m_topN, *m_run, recs);
  }
  m_topNTitle->setText(
      tr("Top-%1 for user %2: %3 among %4 test items%5")
          .arg(m_n->value())
          .arg(selectedUser())
          .arg(hits == 1 ? tr("1 hit") : tr("%1 hits").arg(hits))
          .arg(testItems)
          .arg(m_filterSeen->isChecked() ? tr(" (training items left out)") : QString()));
  if (!recs.empty()) m_topN->setCurrentCell(0, 1);  // shows the first item's neighbours
}

void RecommendationInspector::showSimilarTo(const QString& itemOriginalId) {
  if (!m_run) return;
  const auto item = m_run->data->log.items.find(itemOriginalId.toStdString());
  if (!item) {
    m_messages->showMessage(tr("No item '%1' in this run's dataset").arg(itemOriginalId),
                            MessageBar::Level::Warning);
    return;
  }
  showSimilarToIndex(*item);
}

void RecommendationInspector::showSimilarToIndex(std::int32_t item) {
  if (!m_run) return;
  const QString id = QString::fromStdString(m_run->data->log.items.original(item));
  try {
    const auto similar = experiment::similarItems(*m_run, item, kSimilarCount);
    inspector::fillSimilar(m_similar, *m_run, similar);
    m_similarTitle->setText(
        tr("Items nearest to item %1 (cosine over the model's item embeddings)").arg(id));
  } catch (const std::exception& e) {
    m_similar->setRowCount(0);
    m_similar->setColumnCount(0);
    m_similarTitle->setText(tr("No similar items: %1").arg(QString::fromUtf8(e.what())));
  }
}

int RecommendationInspector::topNRowCount() const { return m_topN->rowCount(); }

QString RecommendationInspector::topNItem(int row) const {
  const auto* cell = m_topN->item(row, 1);
  return cell ? cell->text() : QString();
}

bool RecommendationInspector::topNIsHit(int row) const {
  const auto* cell = m_topN->item(row, m_topN->columnCount() - 1);
  return cell && cell->data(Qt::UserRole).toBool();
}

int RecommendationInspector::historyRowCount() const { return m_history->rowCount(); }

QString RecommendationInspector::historySplit(int row) const {
  const auto* cell = m_history->item(row, isSessionMode() ? 1 : m_history->columnCount() - 1);
  return cell ? cell->data(Qt::UserRole).toString() : QString();
}

QString RecommendationInspector::historyItem(int row) const {
  const auto* cell = m_history->item(row, isSessionMode() ? 2 : 0);  // after position, part
  return cell ? cell->text() : QString();
}

int RecommendationInspector::similarRowCount() const { return m_similar->rowCount(); }

QString RecommendationInspector::similarNote() const { return m_similarTitle->text(); }

QString RecommendationInspector::clusterText() const { return m_clusterLabel->text(); }

QString RecommendationInspector::messageText() const { return m_messages->text(); }

std::optional<RecommendationInspector::ClusterInfo> RecommendationInspector::parseCluster(
    const std::string& json) {
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || j.value("of", std::string()) != "users" || !j.contains("k") ||
      !j.contains("sizes") || !j.contains("assignments")) {
    return std::nullopt;
  }
  try {
    ClusterInfo c;
    c.k = j.at("k").get<int>();
    c.sizes = j.at("sizes").get<std::vector<std::int64_t>>();
    c.assignments = j.at("assignments").get<std::vector<std::int32_t>>();
    return c;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

void RecommendationInspector::clusterUsers(int k) {
  if (!m_run) {
    m_messages->showMessage(tr("Open a run first"), MessageBar::Level::Warning);
    return;
  }
  m_stop.requestStop();
  m_stop = StopToken();
  const quint64 generation = ++m_generation;
  m_clusterK->setValue(k);
  setBusy(true, tr("clustering users into %1 clusters").arg(k));
  auto job = [path = m_storePath.toStdString(), run = m_run, k, stop = m_stop]() {
    OpenResult out;
    out.runId = run->runId;
    try {
      store::Store st(path);
      const auto j = experiment::clusterRun(st, *run, "users", k, run->config.seed, stop);
      out.cluster = parseCluster(j.dump());
      if (!out.cluster) out.error = QObject::tr("K-Means returned no user clusters");
    } catch (const Cancelled&) {
      out.cancelled = true;
    } catch (const std::exception& e) {
      out.error = QObject::tr("Clustering failed: %1").arg(QString::fromUtf8(e.what()));
    }
    return out;
  };
  auto* watcher = new QFutureWatcher<OpenResult>(this);
  connect(watcher, &QFutureWatcher<OpenResult>::finished, this, [this, watcher, generation] {
    watcher->deleteLater();
    const OpenResult result = watcher->result();
    if (generation != m_generation || result.runId != openedRunId()) return;
    setBusy(false);
    if (result.cancelled) {
      m_messages->showMessage(tr("Clustering was cancelled"), MessageBar::Level::Info);
      Q_EMIT clusterFailed(tr("cancelled"));
    } else if (!result.error.isEmpty()) {
      m_messages->showMessage(result.error);
      Q_EMIT clusterFailed(result.error);
    } else {
      m_cluster = result.cluster;
      refreshCluster();
      Q_EMIT clustered(result.runId);
    }
  });
  watcher->setFuture(QtConcurrent::run(&m_pool, std::move(job)));
}

void RecommendationInspector::refreshCluster() {
  const bool embeddings =
      m_run && dynamic_cast<const models::HasEmbeddings*>(m_run->model.get()) != nullptr;
  m_clusterK->setEnabled(embeddings);
  m_clusterButton->setEnabled(embeddings && !m_busy);
  m_clusterButton->setToolTip(embeddings ? tr("K-Means over the model's user embeddings (stored "
                                              "on the run as kmeans_users.json)")
                                         : tr("This model has no learned user embeddings"));
  QString text;
  if (!m_run) {
    text = QString();
  } else if (!m_cluster) {
    text = embeddings ? tr("no user clusters yet") : tr("no clusters (model has no embeddings)");
  } else if (m_user < 0) {
    text = tr("%1 user clusters").arg(m_cluster->k);
  } else if (static_cast<std::size_t>(m_user) >= m_cluster->assignments.size()) {
    text = tr("user not in the stored clusters");
  } else {
    const auto c = m_cluster->assignments[static_cast<std::size_t>(m_user)];
    const auto size = c >= 0 && static_cast<std::size_t>(c) < m_cluster->sizes.size()
                          ? m_cluster->sizes[static_cast<std::size_t>(c)]
                          : 0;
    text = tr("cluster %1 of %2 (size %3)").arg(c).arg(m_cluster->k).arg(size);
  }
  m_clusterLabel->setText(text);
}

}  // namespace reclab::widgets

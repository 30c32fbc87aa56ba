#pragma once
/// The recommendation inspector: pick a finished run that stored its model, then a user (by
/// original id, with prefix completion), and see the user's history (train / test rows marked),
/// the model's top-N for the user (hits in the test rows marked), the items nearest to a picked
/// item in the model's embeddings, and the user's K-Means cluster.
///
/// Opening a run (loading its dataset, rebuilding its split, loading its model) and clustering
/// run on worker threads with a busy indicator and Cancel; a newer request cancels an older one
/// and stale results are dropped. Errors go to the in-widget message bar. Scoring one user and
/// the nearest items of one item run on the GUI thread (one row of scores each).

#include <QThreadPool>
#include <QWidget>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/observer.h"
#include "experiment/inspect.h"

class QCheckBox;
class QComboBox;
class QCompleter;
class QGroupBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStringListModel;
class QTableWidget;
class QToolButton;

namespace reclab::widgets {

class MessageBar;
class UserIdIndex;

class RecommendationInspector : public QWidget {
  Q_OBJECT

 public:
  /// `storePath` is the experiment store (SQLite file) to list runs from; may be empty.
  explicit RecommendationInspector(const QString& storePath = {}, QWidget* parent = nullptr);
  /// Cancels work in flight and waits for the workers.
  ~RecommendationInspector() override;

  /// Switches to another store: forgets the opened run and lists the store's runs.
  void setStorePath(const QString& path);
  QString storePath() const { return m_storePath; }

  /// Opens run `runId` on a worker; emits runOpened() or openFailed() when done.
  void openRun(qint64 runId);
  /// The opened run's id, 0 when none.
  qint64 openedRunId() const;
  std::shared_ptr<const experiment::OpenedRun> openedRun() const { return m_run; }
  /// True while a run is being opened or clustered.
  bool isBusy() const;

  /// Shows the user with this original id; false (and a message) when there is none.
  bool selectUser(const QString& originalId);
  /// The selected user's original id, empty when none.
  QString selectedUser() const;
  /// Up to `limit` original user ids starting with `prefix` (what the completer offers).
  QStringList userIdsStartingWith(const QString& prefix, int limit = 50) const;

  void setTopN(int n);
  void setFilterSeen(bool filter);
  /// Lists the items nearest to the item with this original id.
  void showSimilarTo(const QString& itemOriginalId);
  /// Clusters the run's user embeddings into `k` clusters on a worker; emits clustered().
  void clusterUsers(int k);

  int topNRowCount() const;
  QString topNItem(int row) const;
  bool topNIsHit(int row) const;
  int historyRowCount() const;
  /// "train", "valid", "test" or "-" for a history row.
  QString historySplit(int row) const;
  QString historyItem(int row) const;
  int similarRowCount() const;
  /// The message shown instead of similar items (e.g. the model has no embeddings).
  QString similarNote() const;
  /// "cluster c of k (size s)", or what to do to get one.
  QString clusterText() const;
  /// What session mode says for this run (empty when the dataset has no sessions).
  QString sessionNote() const;
  /// The message bar's current text (empty when hidden).
  QString messageText() const;

  QComboBox* runPicker() const { return m_runPicker; }
  QTableWidget* historyTable() const { return m_history; }
  QTableWidget* topNTable() const { return m_topN; }
  QTableWidget* similarTable() const { return m_similar; }

 public Q_SLOTS:
  /// Re-reads the store's finished runs that have a stored model.
  void refreshRuns();
  /// Cancels the open or clustering in flight.
  void cancel();

 Q_SIGNALS:
  void runOpened(qint64 runId);
  void openFailed(const QString& message);
  void clustered(qint64 runId);
  void clusterFailed(const QString& message);

 private:
  struct ClusterInfo {
    int k = 0;
    std::vector<std::int64_t> sizes;
    std::vector<std::int32_t> assignments;
  };
  struct OpenResult;
  static std::optional<ClusterInfo> parseCluster(const std::string& json);

  void buildUi();
  void clearRun();
  void setBusy(bool busy, const QString& stage = {});
  void showProgress(quint64 generation, double fraction, const QString& stage);
  void applyOpened(quint64 generation, const OpenResult& result);
  void refreshTopN();
  void refreshCluster();
  void refreshSession();
  void showSimilarToIndex(std::int32_t item);
  void updateCompletions(const QString& text);

  QString m_storePath;
  QThreadPool m_pool;
  StopToken m_stop;
  quint64 m_generation = 0;  ///< bumped by every open / cluster request; stale results drop
  bool m_busy = false;

  std::shared_ptr<const experiment::OpenedRun> m_run;
  std::shared_ptr<const UserIdIndex> m_users;
  std::optional<ClusterInfo> m_cluster;
  std::int32_t m_user = -1;

  QComboBox* m_runPicker;
  QToolButton* m_refresh;
  QProgressBar* m_progress;
  QLabel* m_stage;
  QPushButton* m_cancel;
  MessageBar* m_messages;
  QLabel* m_runSummary;
  QLineEdit* m_userEdit;
  QCompleter* m_completer;
  QStringListModel* m_completions;
  QPushButton* m_showUser;
  QSpinBox* m_n;
  QCheckBox* m_filterSeen;
  QLabel* m_clusterLabel;
  QSpinBox* m_clusterK;
  QPushButton* m_clusterButton;
  QLabel* m_historyTitle;
  QTableWidget* m_history;
  QLabel* m_topNTitle;
  QTableWidget* m_topN;
  QLabel* m_similarTitle;
  QTableWidget* m_similar;
  QGroupBox* m_sessionBox;
  QLineEdit* m_sessionPrefix;
  QLabel* m_sessionNote;
};

}  // namespace reclab::widgets

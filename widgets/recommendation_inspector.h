#pragma once
/// The recommendation inspector: pick a finished run that stored its model, then a user (by
/// original id, with prefix completion), and see the user's history (train / test rows marked),
/// the model's top-N for the user (hits in the test rows marked), the items nearest to a picked
/// item in the model's embeddings, and the user's K-Means cluster.
///
/// Session mode, for a session next-item model (a models::SessionRecommender): instead of the
/// user picker, a searchable picker of the run's test sessions (original id and length; those
/// with at least 2 clicks) and a prefix length (1 .. length - 1), or a typed prefix of original
/// item ids. The left table shows the session's clicks (prefix, the next click, later clicks),
/// the top-N the next items after the prefix with "next" / "later" marking the items the
/// session clicked after it; the similar-items table is shown only for a model with embeddings.
///
/// Opening a run (loading its dataset, rebuilding its split, loading its model), clustering and
/// scoring a session prefix run on worker threads; a newer request supersedes an older one and
/// stale results are dropped. Errors go to the in-widget message bar. Scoring one user and
/// the nearest items of one item run on the GUI thread (one row of scores each).

#include <QStringList>
#include <QThreadPool>
#include <QWidget>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
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
class QSlider;
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
  /// "train", "valid", "test" or "-" for a history row; in session mode "prefix", "next" or
  /// "later" for a row of the session's clicks.
  QString historySplit(int row) const;
  QString historyItem(int row) const;
  int similarRowCount() const;
  /// The message shown instead of similar items (e.g. the model has no embeddings).
  QString similarNote() const;
  /// "cluster c of k (size s)", or what to do to get one.
  QString clusterText() const;
  /// What session mode says for this run (empty when neither the dataset has sessions nor the
  /// model scores session prefixes).
  QString sessionNote() const;

  /// True when the opened run's model is a session next-item model.
  bool isSessionMode() const;
  /// The number of test sessions offered (those with at least 2 clicks).
  int sessionCount() const;
  /// The original id of the `index`-th offered test session.
  QString sessionIdAt(int index) const;
  /// Shows the test session with this original id with a prefix of its first click and scores
  /// it on a worker (sessionScored()); false (and a message) when there is no such test session.
  bool selectSession(const QString& originalId);
  /// The selected test session's original id, empty when none (or a typed prefix is shown).
  QString selectedSession() const;
  /// Sets the prefix length of the selected session (clamped to 1 .. length - 1) and rescores.
  void setPrefixLength(int length);
  int prefixLength() const;
  /// Scores a typed prefix: original item ids separated by spaces, commas or semicolons, oldest
  /// first. False (and a message naming them) when an id is unknown or nothing is typed.
  bool setTypedPrefix(const QString& itemIds);
  /// Leaves out the prefix's own items from the session top-N (off by default: a re-click is a
  /// legal next click).
  void setFilterPrefix(bool filter);
  /// "next", "later" (session mode), "hit" (user mode) or "" for a top-N row.
  QString topNHitKind(int row) const;
  /// The message bar's current text (empty when hidden).
  QString messageText() const;

  QComboBox* runPicker() const { return m_runPicker; }
  QTableWidget* historyTable() const { return m_history; }
  QTableWidget* topNTable() const { return m_topN; }
  QTableWidget* similarTable() const { return m_similar; }
  QComboBox* sessionPicker() const { return m_sessionPicker; }
  QLineEdit* prefixEdit() const { return m_sessionPrefix; }

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
  /// The top-N after the current session prefix is shown.
  void sessionScored(qint64 runId);
  void sessionScoreFailed(const QString& message);

 private:
  struct ClusterInfo {
    int k = 0;
    std::vector<std::int64_t> sizes;
    std::vector<std::int32_t> assignments;
  };
  struct OpenResult;
  /// The run's test sessions with at least 2 clicks (built on the opening worker).
  struct SessionList {
    std::vector<std::vector<std::uint32_t>> rows;  ///< click rows in time order
    std::vector<std::string> ids;                  ///< original session ids
    QStringList labels;                            ///< "id  (n clicks)", what the picker lists
    std::size_t all = 0;                           ///< test sessions before the 2-click cut
  };
  /// One session-prefix scoring job and what its result is shown against.
  struct ScoreRequest {
    quint64 generation = 0;
    std::vector<std::int32_t> prefix;
    std::vector<std::int32_t> rest;  ///< the session's clicks after the prefix (may be empty)
    int n = 10;
    bool filterPrefix = false;
  };
  struct ScoreResult {
    qint64 runId = 0;
    ScoreRequest request;
    std::vector<experiment::Recommendation> recs;
    QString error;
  };
  static std::optional<ClusterInfo> parseCluster(const std::string& json);
  /// The run's test sessions with at least 2 clicks (runs on the opening worker).
  static std::shared_ptr<const SessionList> listTestSessions(const experiment::OpenedRun& run);

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
  void applyMode();
  void selectSessionIndex(int index);
  void showSessionPrefix();
  void requestScore();
  void startScore(const ScoreRequest& request);
  void applyScore(const ScoreResult& result);

  QString m_storePath;
  QThreadPool m_pool;
  StopToken m_stop;
  quint64 m_generation = 0;  ///< bumped by every open / cluster request; stale results drop
  bool m_busy = false;

  std::shared_ptr<const experiment::OpenedRun> m_run;
  std::shared_ptr<const UserIdIndex> m_users;
  std::optional<ClusterInfo> m_cluster;
  std::int32_t m_user = -1;
  std::shared_ptr<const SessionList> m_sessions;
  int m_session = -1;                       ///< index into m_sessions, -1 when none
  int m_prefixLength = 0;                   ///< of the selected session
  std::vector<std::int32_t> m_typedPrefix;  ///< shown instead of a session when not empty
  quint64 m_scoreGeneration = 0;            ///< bumped by every scoring request; stale results drop
  bool m_scoring = false;                   ///< a scoring job is in flight
  std::unique_ptr<ScoreRequest> m_pendingScore;  ///< the newest request while one is in flight

  QComboBox* m_runPicker;
  QToolButton* m_refresh;
  QProgressBar* m_progress;
  QLabel* m_stage;
  QPushButton* m_cancel;
  MessageBar* m_messages;
  QLabel* m_runSummary;
  QWidget* m_userControls;
  QLineEdit* m_userEdit;
  QCompleter* m_completer;
  QStringListModel* m_completions;
  QPushButton* m_showUser;
  QSpinBox* m_n;
  QCheckBox* m_filterSeen;
  QCheckBox* m_filterPrefix;
  QWidget* m_sessionControls;
  QComboBox* m_sessionPicker;
  QStringListModel* m_sessionLabels;
  QWidget* m_clusterRow;
  QLabel* m_clusterLabel;
  QSpinBox* m_clusterK;
  QPushButton* m_clusterButton;
  QLabel* m_historyTitle;
  QTableWidget* m_history;
  QLabel* m_topNTitle;
  QTableWidget* m_topN;
  QWidget* m_similarBox;
  QLabel* m_similarTitle;
  QTableWidget* m_similar;
  QGroupBox* m_sessionBox;
  QWidget* m_prefixControls;
  QSlider* m_prefixSlider;
  QSpinBox* m_prefixSpin;
  QLabel* m_prefixOf;
  QLineEdit* m_sessionPrefix;
  QPushButton* m_scorePrefix;
  QLabel* m_sessionNote;
};

}  // namespace reclab::widgets

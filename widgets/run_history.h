#pragma once
/// The run history (MLflow's experiment table): every run of a store in a tree, k-fold folds
/// under their parent run, with a filter row (text over name / model / status, a status
/// choice, a model choice, "show archived") and actions on the selected runs: archive /
/// unarchive (runs are never deleted), re-run with the same config, export the config to a
/// file, copy it to the clipboard, and the error text of a failed run in a pane under the table.
///
/// The widget opens its own Store on the GUI thread; refresh() re-reads it (a few small
/// queries). Messages go to an in-window message bar.

#include <QWidget>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QStandardItem;
class QStandardItemModel;
class QTreeView;

namespace reclab::store {
class Store;
}

namespace reclab::widgets {

class MessageBar;
class RunHistoryFilter;

class RunHistory : public QWidget {
  Q_OBJECT

 public:
  /// Asks where to save a config; gets a suggested file name, returns a path or "" to cancel.
  using PathPrompt = std::function<QString(const QString& suggestedName)>;

  /// Opens the store at `storePath` (a bad file is reported in the message bar) and lists it.
  explicit RunHistory(const QString& storePath, QWidget* parent = nullptr);
  ~RunHistory() override;

  QString storePath() const { return m_storePath; }
  /// Switches to another store (e.g. after File > Open database) and refreshes.
  void setStorePath(const QString& storePath);
  /// Replaces the save-file dialog of "Export config..." (tests, scripted use).
  void setExportPathPrompt(PathPrompt prompt) { m_prompt = std::move(prompt); }

  /// Runs shown after filtering (parents and folds), in display order.
  QList<qint64> visibleRuns() const;
  /// Runs listed before filtering (archived ones included).
  int totalRunCount() const;
  /// The run under which `runId` is shown in the tree (its k-fold parent), nullopt at top level
  /// or when not listed.
  std::optional<qint64> shownParentOf(qint64 runId) const;
  QList<qint64> selectedRuns() const;
  /// Selects the listed runs among `runIds` (expanding their parents); false if none is shown.
  bool selectRuns(const QList<qint64>& runIds);
  /// Text of the column named `column` ("status", "duration", "recall@10"...) for `runId`.
  QString cellText(qint64 runId, const QString& column) const;
  /// The tooltip of a column header (a metric's definition), empty when none.
  QString headerToolTip(const QString& column) const;

  QTreeView* view() const { return m_view; }
  QLineEdit* filterEdit() const { return m_filterEdit; }
  /// Items: "all", "finished", "failed", "cancelled", "interrupted", "running".
  QComboBox* statusCombo() const { return m_statusCombo; }
  /// Items: "all models", then each model name found in the store.
  QComboBox* modelCombo() const { return m_modelCombo; }
  QCheckBox* showArchivedCheck() const { return m_showArchived; }
  QPlainTextEdit* errorPane() const { return m_errorPane; }
  MessageBar* messageBar() const { return m_messages; }
  QAction* archiveAction() const { return m_archive; }
  QAction* unarchiveAction() const { return m_unarchive; }
  QAction* rerunAction() const { return m_rerun; }
  QAction* exportConfigAction() const { return m_exportConfig; }
  QAction* copyConfigAction() const { return m_copyConfig; }
  QAction* showErrorAction() const { return m_showError; }

 public Q_SLOTS:
  /// Re-reads the store, keeping the selection and the expanded parents.
  void refresh();
  void archiveSelected();
  void unarchiveSelected();
  /// Emits rerunRequested() with the stored config of the (first) selected run.
  void rerunSelected();
  /// Asks for a path and writes the stored config JSON of the selected run there, unchanged.
  void exportSelectedConfig();
  void copySelectedConfig();

 Q_SIGNALS:
  /// "Re-run": the stored config of the run (the receiver queues it as a new run).
  void rerunRequested(nlohmann::json config);
  /// The single selected run changed (0 when none or several are selected).
  void runSelected(qint64 runId);
  /// Runs were archived or unarchived.
  void runsChanged();

 private:
  void buildModel();
  void rebuildModelCombo(const QStringList& models);
  void applyFilters();
  /// Sizes the columns to the shown rows (the name column at most 320 px).
  void fitColumns();
  void onSelectionChanged();
  void updateActions();
  void setArchivedSelected(bool archived);
  std::optional<std::string> selectedConfig();
  QStandardItem* itemOf(qint64 runId) const;
  QList<qint64> expandedRuns() const;

  QString m_storePath;
  std::unique_ptr<store::Store> m_store;
  PathPrompt m_prompt;

  MessageBar* m_messages;
  QLineEdit* m_filterEdit;
  QComboBox* m_statusCombo;
  QComboBox* m_modelCombo;
  QCheckBox* m_showArchived;
  QLabel* m_countLabel;
  QTreeView* m_view;
  QStandardItemModel* m_model;
  RunHistoryFilter* m_proxy;
  QPlainTextEdit* m_errorPane;
  QAction* m_archive;
  QAction* m_unarchive;
  QAction* m_rerun;
  QAction* m_exportConfig;
  QAction* m_copyConfig;
  QAction* m_showError;
  QStringList m_headers;
  bool m_refreshing = false;
};

}  // namespace reclab::widgets

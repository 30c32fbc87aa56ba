#pragma once
/// The run history: a sortable table of the store's runs (id, name, model, status, start,
/// end, epochs and the final metrics as columns). refresh() reloads it on the GUI thread (one
/// small query per run) and keeps the selection; selecting a run emits runSelected().

#include <QTableView>
#include <optional>

class QStandardItemModel;
class QSortFilterProxyModel;

namespace reclab::store {
class Store;
}

namespace reclab::widgets {

class RunListView : public QTableView {
  Q_OBJECT

 public:
  explicit RunListView(QWidget* parent = nullptr);

  /// The store to list (not owned; may be nullptr). Call refresh() afterwards.
  void setStore(const store::Store* store);
  int runCount() const;
  std::optional<qint64> selectedRun() const;
  /// Selects the row of `runId`; false when it is not listed.
  bool selectRun(qint64 runId);
  /// Text of the status column of `runId` ("finished", ...), empty when not listed.
  QString statusOf(qint64 runId) const;
  /// Text of the column named `metric` for `runId`, empty when absent.
  /// The tooltip of a column header (a metric's definition), empty when none.
  QString headerToolTip(const QString& column) const;
  QString cellText(qint64 runId, const QString& column) const;

 public Q_SLOTS:
  void refresh();

 Q_SIGNALS:
  void runSelected(qint64 runId);

 private:
  int sourceRowOf(qint64 runId) const;
  void onSelectionChanged();

  const store::Store* m_store = nullptr;
  QStandardItemModel* m_model;
  QSortFilterProxyModel* m_proxy;
  bool m_refreshing = false;
};

}  // namespace reclab::widgets

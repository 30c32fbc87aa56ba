#pragma once
/// A read-only table model over the columnar interaction log. Only the columns the log has
/// are shown (user, item, event, time, value, session); cells are computed on demand from the
/// dense arrays (original ids through IdMap::original), nothing is cached per row, so a log of
/// millions of rows costs no extra memory.

#include <QAbstractTableModel>
#include <memory>
#include <vector>

#include "data/load.h"

namespace reclab::widgets {

class InteractionLogModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum class Column { User, Item, Event, Time, Value, Session };

  explicit InteractionLogModel(QObject* parent = nullptr);

  /// Shows `result`'s log (kept alive by the model); nullptr clears the table.
  void setDataset(std::shared_ptr<const data::LoadResult> result);
  const std::shared_ptr<const data::LoadResult>& dataset() const { return m_result; }
  /// The columns shown, in order.
  const std::vector<Column>& columns() const { return m_columns; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  std::shared_ptr<const data::LoadResult> m_result;
  std::vector<Column> m_columns;
};

}  // namespace reclab::widgets

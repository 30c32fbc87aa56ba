#pragma once
/// A read-only table model over the columnar interaction log. Only the columns the log has
/// are shown (user, item, event, time, value, session); cells are computed on demand from the
/// dense arrays (original ids through IdMap::original), nothing is cached per row, so a log of
/// millions of rows costs no extra memory.

#include <QAbstractTableModel>
#include <cstdint>
#include <memory>
#include <optional>
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
  /// Shows only the log rows `rows` of `result`, in that order (a drill-down list); indices
  /// past the end of the log are left out. The vertical header numbers each row as the full
  /// table does (log row index + 1).
  void setDataset(std::shared_ptr<const data::LoadResult> result, std::vector<std::uint32_t> rows);
  /// The log row shown at `row` of the model.
  std::size_t logRow(int row) const;
  const std::shared_ptr<const data::LoadResult>& dataset() const { return m_result; }
  /// The columns shown, in order.
  const std::vector<Column>& columns() const { return m_columns; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  void setColumns();

  std::shared_ptr<const data::LoadResult> m_result;
  std::optional<std::vector<std::uint32_t>> m_rows;  ///< the drill-down subset, when set
  std::vector<Column> m_columns;
};

}  // namespace reclab::widgets

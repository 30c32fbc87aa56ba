#include "widgets/interaction_log_model.h"

#include <QDateTime>
#include <limits>

namespace reclab::widgets {

InteractionLogModel::InteractionLogModel(QObject* parent) : QAbstractTableModel(parent) {}

void InteractionLogModel::setDataset(std::shared_ptr<const data::LoadResult> result) {
  beginResetModel();
  m_result = std::move(result);
  m_rows.reset();
  setColumns();
  endResetModel();
}

void InteractionLogModel::setDataset(std::shared_ptr<const data::LoadResult> result,
                                     std::vector<std::uint32_t> rows) {
  beginResetModel();
  m_result = std::move(result);
  const std::size_t n = m_result ? m_result->log.numRows() : 0;
  std::erase_if(rows, [n](std::uint32_t r) { return r >= n; });
  m_rows = std::move(rows);
  setColumns();
  endResetModel();
}

std::size_t InteractionLogModel::logRow(int row) const {
  return m_rows ? (*m_rows)[static_cast<std::size_t>(row)] : static_cast<std::size_t>(row);
}

void InteractionLogModel::setColumns() {
  m_columns.clear();
  if (m_result) {
    const auto& log = m_result->log;
    if (log.hasUsers()) m_columns.push_back(Column::User);
    m_columns.push_back(Column::Item);
    if (log.hasEvents()) m_columns.push_back(Column::Event);
    if (log.hasTimestamps()) m_columns.push_back(Column::Time);
    if (log.hasValues()) m_columns.push_back(Column::Value);
    if (log.hasSessions()) m_columns.push_back(Column::Session);
  }
}

int InteractionLogModel::rowCount(const QModelIndex& parent) const {
  if (parent.isValid() || !m_result) return 0;
  if (m_rows) return static_cast<int>(m_rows->size());
  // Views index rows with int; a log beyond 2^31 rows is shown up to that limit.
  const auto n = m_result->log.numRows();
  return static_cast<int>(std::min<std::size_t>(n, std::numeric_limits<int>::max()));
}

int InteractionLogModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_columns.size());
}

QVariant InteractionLogModel::data(const QModelIndex& index, int role) const {
  if (!m_result || !index.isValid() || index.column() >= columnCount()) return {};
  if (index.row() >= rowCount()) return {};
  const std::size_t row = logRow(index.row());
  const auto& log = m_result->log;
  if (row >= log.numRows()) return {};
  const Column col = m_columns[static_cast<std::size_t>(index.column())];
  if (role == Qt::TextAlignmentRole) {
    const bool numeric = col == Column::Value;
    return QVariant::fromValue(Qt::Alignment(numeric ? Qt::AlignRight | Qt::AlignVCenter
                                                     : Qt::AlignLeft | Qt::AlignVCenter));
  }
  if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
  switch (col) {
    case Column::User:
      return QString::fromStdString(log.users.original(log.user[row]));
    case Column::Item:
      return QString::fromStdString(log.items.original(log.item[row]));
    case Column::Event: {
      const auto e = log.event[row];
      return e < log.eventNames.size() ? QString::fromStdString(log.eventNames[e])
                                       : QString::number(e);
    }
    case Column::Time:
      return QDateTime::fromMSecsSinceEpoch(log.timestamp[row], Qt::UTC).toString(Qt::ISODate);
    case Column::Value:
      return QString::number(static_cast<double>(log.value[row]), 'g', 6);
    case Column::Session:
      return QString::fromStdString(log.sessions.original(log.session[row]));
  }
  return {};
}

QVariant InteractionLogModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (orientation == Qt::Vertical) {
    if (section < 0 || section >= rowCount()) return {};
    return static_cast<qulonglong>(logRow(section) + 1);
  }
  if (section < 0 || section >= columnCount()) return {};
  switch (m_columns[static_cast<std::size_t>(section)]) {
    case Column::User:
      return tr("user");
    case Column::Item:
      return tr("item");
    case Column::Event:
      return tr("event");
    case Column::Time:
      return tr("time (UTC)");
    case Column::Value:
      return m_result->log.valueName.empty() ? tr("value")
                                             : QString::fromStdString(m_result->log.valueName);
    case Column::Session:
      return tr("session");
  }
  return {};
}

}  // namespace reclab::widgets

#include "widgets/run_list_view.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "eval/metric_docs.h"
#include "store/store.h"

namespace reclab::widgets {

namespace {

constexpr int kSortRole = Qt::UserRole + 1;
constexpr int kRunIdRole = Qt::UserRole + 2;
// Columns: these, then one per metric, then kTrailingColumns.
const QStringList kLeadingColumns = {"id", "name", "model", "status"};
const QStringList kTrailingColumns = {"epochs", "started", "ended"};

QStandardItem* textItem(const QString& text, const QVariant& sortKey = {}) {
  auto* item = new QStandardItem(text);
  item->setData(sortKey.isValid() ? sortKey : QVariant(text), kSortRole);
  item->setEditable(false);
  return item;
}

QString shortTime(const std::string& iso) {
  QString t = QString::fromStdString(iso);
  t.replace('T', ' ');
  if (t.endsWith('Z')) t.chop(1);
  return t.left(19);  // to the second
}

/// Preferred order: error metrics first, then ranking metrics by name.
bool metricLess(const std::string& a, const std::string& b) {
  auto rank = [](const std::string& m) {
    if (m.rfind("rmse", 0) == 0) return 0;
    if (m.rfind("mae", 0) == 0) return 1;
    return 2;
  };
  return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
}

}  // namespace

RunListView::RunListView(QWidget* parent) : QTableView(parent) {
  m_model = new QStandardItemModel(this);
  m_proxy = new QSortFilterProxyModel(this);
  m_proxy->setSourceModel(m_model);
  m_proxy->setSortRole(kSortRole);
  setModel(m_proxy);
  setSortingEnabled(true);
  sortByColumn(0, Qt::DescendingOrder);
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setSelectionMode(QAbstractItemView::SingleSelection);
  setAlternatingRowColors(true);
  verticalHeader()->hide();
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  horizontalHeader()->setStretchLastSection(true);
  connect(selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &RunListView::onSelectionChanged);
}

void RunListView::setStore(const store::Store* store) { m_store = store; }

void RunListView::refresh() {
  const auto keep = selectedRun();
  m_refreshing = true;
  m_model->clear();
  std::vector<store::RunRecord> runs;
  std::map<std::int64_t, std::map<std::string, double>> metrics;
  std::vector<std::string> names;
  if (m_store) {
    runs = m_store->runs();
    std::set<std::string> all;
    for (const auto& r : runs) {
      metrics[r.id] = m_store->metrics(r.id);
      for (const auto& [k, v] : metrics[r.id]) {
        if (!(k.size() > 4 && k.compare(k.size() - 4, 4, "_std") == 0)) all.insert(k);
      }
    }
    names.assign(all.begin(), all.end());
    std::sort(names.begin(), names.end(), metricLess);
  }
  QStringList headers = kLeadingColumns;
  for (const auto& n : names) headers << QString::fromStdString(n);
  headers << kTrailingColumns;
  m_model->setHorizontalHeaderLabels(headers);
  // Every metric column explains its number (the same definitions as docs/metrics.md).
  for (std::size_t c = 0; c < names.size(); ++c) {
    const auto column = static_cast<int>(kLeadingColumns.size() + c);
    const auto definition = eval::metricDefinition(names[c]);
    if (!definition.empty()) {
      m_model->horizontalHeaderItem(column)->setToolTip(QString::fromStdString(definition));
    }
  }

  for (const auto& r : runs) {
    QList<QStandardItem*> row;
    row << textItem(QString::number(r.id), QVariant::fromValue<qint64>(r.id));
    row << textItem(QString::fromStdString(r.name));
    row << textItem(QString::fromStdString(r.modelName));
    const QString status = QString::fromStdString(store::statusName(r.status));
    auto* statusItem = textItem(status);
    QColor colour;
    switch (r.status) {
      case store::RunStatus::Finished:
        colour = QColor("#2e7d32");
        break;
      case store::RunStatus::Running:
        colour = QColor("#1565c0");
        break;
      case store::RunStatus::Failed:
        colour = QColor("#c62828");
        break;
      case store::RunStatus::Interrupted:
        colour = QColor("#ef6c00");
        break;
      default:
        break;
    }
    if (colour.isValid()) statusItem->setForeground(colour);
    if (!r.errorText.empty()) statusItem->setToolTip(QString::fromStdString(r.errorText));
    row << statusItem;
    const auto& m = metrics[r.id];
    for (const auto& n : names) {
      auto it = m.find(n);
      if (it == m.end()) {
        row << textItem({}, -std::numeric_limits<double>::infinity());
        continue;
      }
      QString text = std::isnan(it->second) ? QString("nan") : QString::number(it->second, 'f', 4);
      if (auto sd = m.find(n + "_std"); sd != m.end()) {
        text += QString::fromUtf8(" \u00b1 ") + QString::number(sd->second, 'f', 4);
      }
      row << textItem(text, it->second);
    }
    row << textItem(QString::number(r.epochsDone), r.epochsDone);
    row << textItem(shortTime(r.startedAt));
    row << textItem(shortTime(r.endedAt));
    for (auto* item : row) item->setData(QVariant::fromValue<qint64>(r.id), kRunIdRole);
    m_model->appendRow(row);
  }
  resizeColumnsToContents();
  if (keep) selectRun(*keep);  // silently: the shown run stays the shown run
  m_refreshing = false;
}

int RunListView::runCount() const { return m_model->rowCount(); }

int RunListView::sourceRowOf(qint64 runId) const {
  for (int r = 0; r < m_model->rowCount(); ++r) {
    if (m_model->item(r, 0)->data(kRunIdRole).toLongLong() == runId) return r;
  }
  return -1;
}

std::optional<qint64> RunListView::selectedRun() const {
  const auto rows = selectionModel()->selectedRows();
  if (rows.isEmpty()) return std::nullopt;
  return rows.front().data(kRunIdRole).toLongLong();
}

bool RunListView::selectRun(qint64 runId) {
  const int row = sourceRowOf(runId);
  if (row < 0) return false;
  const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
  selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  scrollTo(index);
  return true;
}

QString RunListView::statusOf(qint64 runId) const { return cellText(runId, "status"); }

QString RunListView::headerToolTip(const QString& column) const {
  for (int c = 0; c < m_model->columnCount(); ++c) {
    if (auto* h = m_model->horizontalHeaderItem(c); h && h->text() == column) return h->toolTip();
  }
  return {};
}

QString RunListView::cellText(qint64 runId, const QString& column) const {
  const int row = sourceRowOf(runId);
  if (row < 0) return {};
  for (int c = 0; c < m_model->columnCount(); ++c) {
    if (m_model->horizontalHeaderItem(c)->text() == column) return m_model->item(row, c)->text();
  }
  return {};
}

void RunListView::onSelectionChanged() {
  if (m_refreshing) return;
  if (auto id = selectedRun()) Q_EMIT runSelected(*id);
}

}  // namespace reclab::widgets

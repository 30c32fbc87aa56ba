#include "widgets/run_history.h"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "eval/metric_docs.h"
#include "store/store.h"
#include "widgets/message_bar.h"

namespace reclab::widgets {

namespace {

constexpr int kSortRole = Qt::UserRole + 1;
constexpr int kRunIdRole = Qt::UserRole + 2;
constexpr int kStatusRole = Qt::UserRole + 3;
constexpr int kModelRole = Qt::UserRole + 4;
constexpr int kArchivedRole = Qt::UserRole + 5;
constexpr int kSearchRole = Qt::UserRole + 6;
constexpr int kErrorRole = Qt::UserRole + 7;

// Columns: these, then one per metric.
const QStringList kLeadingColumns = {"id",   "name",    "model", "task",     "status",
                                     "seed", "started", "ended", "duration", "epochs"};
const QStringList kStatusChoices = {"all",       "finished",    "failed",
                                    "cancelled", "interrupted", "running"};

QStandardItem* textItem(const QString& text, const QVariant& sortKey = {}) {
  auto* item = new QStandardItem(text);
  item->setData(sortKey.isValid() ? sortKey : QVariant(text), kSortRole);
  item->setEditable(false);
  return item;
}

QDateTime parseIso(const std::string& iso) {
  auto t = QDateTime::fromString(QString::fromStdString(iso), Qt::ISODateWithMs);
  if (!t.isValid()) t = QDateTime::fromString(QString::fromStdString(iso), Qt::ISODate);
  return t;
}

QString shortTime(const std::string& iso) {
  QString t = QString::fromStdString(iso);
  t.replace('T', ' ');
  if (t.endsWith('Z')) t.chop(1);
  return t.left(19);  // to the second
}

/// "45 s", "3 m 05 s", "2 h 07 m".
QString formatDuration(qint64 seconds) {
  if (seconds < 60) return QString("%1 s").arg(seconds);
  if (seconds < 3600) {
    return QString("%1 m %2 s").arg(seconds / 60).arg(seconds % 60, 2, 10, QChar('0'));
  }
  return QString("%1 h %2 m").arg(seconds / 3600).arg(seconds / 60 % 60, 2, 10, QChar('0'));
}

QColor statusColour(store::RunStatus s) {
  switch (s) {
    case store::RunStatus::Finished:
      return QColor("#2e7d32");
    case store::RunStatus::Running:
      return QColor("#1565c0");
    case store::RunStatus::Failed:
      return QColor("#c62828");
    case store::RunStatus::Interrupted:
      return QColor("#ef6c00");
    default:
      return {};
  }
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

bool isStd(const std::string& k) { return k.size() > 4 && k.compare(k.size() - 4, 4, "_std") == 0; }

}  // namespace

/// Filters the run tree: archived runs only when asked; a parent is shown when it or one of its
/// folds matches, a fold when it or its parent matches.
class RunHistoryFilter : public QSortFilterProxyModel {
 public:
  using QSortFilterProxyModel::QSortFilterProxyModel;

  void setCriteria(const QString& text, const QString& status, const QString& model,
                   bool showArchived) {
    m_text = text.trimmed().toLower();
    m_status = status;
    m_model = model;
    m_showArchived = showArchived;
    invalidateFilter();
  }

 protected:
  bool filterAcceptsRow(int row, const QModelIndex& parent) const override {
    const QModelIndex index = sourceModel()->index(row, 0, parent);
    if (hidden(index)) return false;
    if (matches(index)) return true;
    if (parent.isValid()) return matches(parent);
    for (int c = 0; c < sourceModel()->rowCount(index); ++c) {
      const QModelIndex child = sourceModel()->index(c, 0, index);
      if (!hidden(child) && matches(child)) return true;
    }
    return false;
  }

 private:
  bool hidden(const QModelIndex& index) const {
    return !m_showArchived && index.data(kArchivedRole).toBool();
  }
  bool matches(const QModelIndex& index) const {
    if (!m_status.isEmpty() && index.data(kStatusRole).toString() != m_status) return false;
    if (!m_model.isEmpty() && index.data(kModelRole).toString() != m_model) return false;
    return m_text.isEmpty() || index.data(kSearchRole).toString().contains(m_text);
  }

  QString m_text, m_status, m_model;
  bool m_showArchived = false;
};

RunHistory::RunHistory(const QString& storePath, QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  m_messages = new MessageBar(this);
  layout->addWidget(m_messages);

  auto* filters = new QHBoxLayout();
  m_filterEdit = new QLineEdit(this);
  m_filterEdit->setPlaceholderText(tr("Filter by name, model or status"));
  m_filterEdit->setClearButtonEnabled(true);
  m_statusCombo = new QComboBox(this);
  m_statusCombo->addItems(kStatusChoices);
  m_statusCombo->setToolTip(tr("Show runs with this status"));
  m_modelCombo = new QComboBox(this);
  m_modelCombo->addItem(tr("all models"));
  m_modelCombo->setToolTip(tr("Show runs of this model"));
  m_modelCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_showArchived = new QCheckBox(tr("Show archived"), this);
  m_countLabel = new QLabel(this);
  filters->addWidget(m_filterEdit, 1);
  filters->addWidget(new QLabel(tr("Status:"), this));
  filters->addWidget(m_statusCombo);
  filters->addWidget(new QLabel(tr("Model:"), this));
  filters->addWidget(m_modelCombo);
  filters->addWidget(m_showArchived);
  filters->addWidget(m_countLabel);
  layout->addLayout(filters);

  auto* tools = new QToolBar(this);
  tools->setToolButtonStyle(Qt::ToolButtonTextOnly);
  m_rerun = tools->addAction(tr("Re-run"), this, &RunHistory::rerunSelected);
  m_rerun->setToolTip(tr("Queue a new run with the same config"));
  m_exportConfig =
      tools->addAction(tr("Export config..."), this, &RunHistory::exportSelectedConfig);
  m_copyConfig = tools->addAction(tr("Copy config"), this, &RunHistory::copySelectedConfig);
  tools->addSeparator();
  m_archive = tools->addAction(tr("Archive"), this, &RunHistory::archiveSelected);
  m_archive->setToolTip(tr("Hide the selected runs from lists (nothing is deleted)"));
  m_unarchive = tools->addAction(tr("Unarchive"), this, &RunHistory::unarchiveSelected);
  tools->addSeparator();
  m_showError = tools->addAction(tr("Show error"));
  m_showError->setCheckable(true);
  m_showError->setChecked(true);
  m_showError->setToolTip(tr("Show the error text of a failed run under the table"));
  tools->addSeparator();
  tools->addAction(tr("Refresh"), this, &RunHistory::refresh);
  layout->addWidget(tools);

  m_model = new QStandardItemModel(this);
  m_proxy = new RunHistoryFilter(this);
  m_proxy->setSourceModel(m_model);
  m_proxy->setSortRole(kSortRole);
  m_view = new QTreeView(this);
  m_view->setModel(m_proxy);
  m_view->setSortingEnabled(true);
  m_view->sortByColumn(0, Qt::DescendingOrder);
  m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_view->setAlternatingRowColors(true);
  m_view->setUniformRowHeights(true);
  m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
  m_view->addActions({m_rerun, m_exportConfig, m_copyConfig, m_archive, m_unarchive});

  m_errorPane = new QPlainTextEdit(this);
  m_errorPane->setReadOnly(true);
  m_errorPane->setPlaceholderText(tr("Error text of the selected run"));
  m_errorPane->hide();
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(m_view);
  split->addWidget(m_errorPane);
  split->setStretchFactor(0, 4);
  split->setStretchFactor(1, 1);
  split->setChildrenCollapsible(false);
  layout->addWidget(split, 1);

  auto filtersChanged = [this] { applyFilters(); };
  connect(m_filterEdit, &QLineEdit::textChanged, this, filtersChanged);
  connect(m_statusCombo, &QComboBox::currentIndexChanged, this, filtersChanged);
  connect(m_modelCombo, &QComboBox::currentIndexChanged, this, filtersChanged);
  connect(m_showArchived, &QCheckBox::toggled, this, [this] {
    applyFilters();
    fitColumns();
  });
  connect(m_view, &QTreeView::expanded, this, [this] { fitColumns(); });
  connect(m_showError, &QAction::toggled, this, [this] { updateActions(); });
  connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &RunHistory::onSelectionChanged);

  setStorePath(storePath);
}

RunHistory::~RunHistory() = default;

void RunHistory::setStorePath(const QString& storePath) {
  m_storePath = storePath;
  m_store.reset();
  if (storePath.isEmpty()) {  // no store yet: an empty list, no message
    refresh();
    return;
  }
  try {
    m_store = std::make_unique<store::Store>(storePath.toStdString());
  } catch (const std::exception& e) {
    m_messages->showMessage(tr("Cannot open the run store: %1").arg(QString::fromUtf8(e.what())));
  }
  refresh();
}

void RunHistory::refresh() {
  const auto keepSelected = selectedRuns();
  const auto keepExpanded = expandedRuns();
  m_refreshing = true;
  try {
    buildModel();
  } catch (const std::exception& e) {
    m_messages->showMessage(tr("Cannot read the run store: %1").arg(QString::fromUtf8(e.what())));
  }
  for (qint64 id : keepExpanded) {
    if (auto* item = itemOf(id)) m_view->expand(m_proxy->mapFromSource(item->index()));
  }
  applyFilters();
  fitColumns();
  m_refreshing = false;
  if (!keepSelected.isEmpty()) selectRuns(keepSelected);
  updateActions();
}

void RunHistory::buildModel() {
  m_model->clear();
  std::vector<store::RunRecord> runs;
  std::map<std::int64_t, std::map<std::string, double>> metrics;
  std::vector<std::string> names;
  if (m_store) {
    runs = m_store->runs(true);
    std::set<std::string> all;
    for (const auto& r : runs) {
      metrics[r.id] = m_store->metrics(r.id);
      for (const auto& [k, v] : metrics[r.id]) {
        if (!isStd(k)) all.insert(k);
      }
    }
    names.assign(all.begin(), all.end());
    std::sort(names.begin(), names.end(), metricLess);
  }
  m_headers = kLeadingColumns;
  for (const auto& n : names) m_headers << QString::fromStdString(n);
  m_model->setHorizontalHeaderLabels(m_headers);
  for (std::size_t c = 0; c < names.size(); ++c) {
    const auto definition = eval::metricDefinition(names[c]);
    if (definition.empty()) continue;
    const auto column = static_cast<int>(kLeadingColumns.size() + c);
    m_model->horizontalHeaderItem(column)->setToolTip(QString::fromStdString(definition));
  }

  std::map<std::int64_t, const store::RunRecord*> byId;
  for (const auto& r : runs) byId[r.id] = &r;
  std::map<std::int64_t, QStandardItem*> firstItem;  // run id -> column-0 item
  QStringList models;
  // Parents first (ids ascending), so that folds find their parent's item.
  std::vector<const store::RunRecord*> order;
  for (const auto& r : runs) order.push_back(&r);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->id < b->id; });
  for (const auto* rp : order) {
    const auto& r = *rp;
    const bool isFold = r.parentRunId && byId.count(*r.parentRunId) > 0;
    const QString status = QString::fromStdString(store::statusName(r.status));
    const QString model = QString::fromStdString(r.modelName);
    const QString name = QString::fromStdString(r.name);
    std::string task = r.task;
    if (task.empty() && isFold) task = byId[*r.parentRunId]->task;
    if (!models.contains(model) && !model.isEmpty()) models << model;

    QList<QStandardItem*> row;
    row << textItem(QString::number(r.id), QVariant::fromValue<qint64>(r.id));
    row << textItem(name);
    row << textItem(model);
    row << textItem(QString::fromStdString(task));
    auto* statusItem = textItem(r.archived ? status + tr(" (archived)") : status);
    if (const QColor c = statusColour(r.status); c.isValid()) statusItem->setForeground(c);
    if (!r.errorText.empty()) statusItem->setToolTip(QString::fromStdString(r.errorText));
    row << statusItem;
    row << textItem(QString::number(r.seed), QVariant::fromValue<qint64>(r.seed));
    row << textItem(shortTime(r.startedAt));
    row << textItem(shortTime(r.endedAt));
    const QDateTime started = parseIso(r.startedAt), ended = parseIso(r.endedAt);
    if (started.isValid() && ended.isValid()) {
      const qint64 secs = started.secsTo(ended);
      row << textItem(formatDuration(secs), QVariant::fromValue<qint64>(secs));
    } else {
      row << textItem({}, QVariant::fromValue<qint64>(-1));
    }
    row << textItem(QString::number(r.epochsDone), r.epochsDone);
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
    const QString search = (name + '\n' + model + '\n' + status).toLower();
    for (auto* item : row) {
      item->setData(QVariant::fromValue<qint64>(r.id), kRunIdRole);
      if (r.archived) {
        QFont f = item->font();
        f.setItalic(true);
        item->setFont(f);
        if (item != statusItem) item->setForeground(QColor("#808080"));
      }
    }
    row[0]->setData(status, kStatusRole);
    row[0]->setData(model, kModelRole);
    row[0]->setData(r.archived, kArchivedRole);
    row[0]->setData(search, kSearchRole);
    row[0]->setData(QString::fromStdString(r.errorText), kErrorRole);
    if (isFold) {
      firstItem[*r.parentRunId]->appendRow(row);
    } else {
      m_model->appendRow(row);
    }
    firstItem[r.id] = row[0];
  }
  models.sort();
  rebuildModelCombo(models);
}

void RunHistory::fitColumns() {
  for (int c = 0; c < m_model->columnCount(); ++c) m_view->resizeColumnToContents(c);
  m_view->setColumnWidth(1, std::min(m_view->columnWidth(1), 320));
}

void RunHistory::rebuildModelCombo(const QStringList& models) {
  const QString current = m_modelCombo->currentIndex() > 0 ? m_modelCombo->currentText() : "";
  QSignalBlocker block(m_modelCombo);
  while (m_modelCombo->count() > 1) m_modelCombo->removeItem(1);
  m_modelCombo->addItems(models);
  const int keep = current.isEmpty() ? 0 : m_modelCombo->findText(current);
  if (keep < 0) {
    m_modelCombo->addItem(current);  // keep the user's choice even when no run matches any more
    m_modelCombo->setCurrentIndex(m_modelCombo->count() - 1);
  } else {
    m_modelCombo->setCurrentIndex(keep);
  }
}

void RunHistory::applyFilters() {
  const QString status = m_statusCombo->currentIndex() > 0 ? m_statusCombo->currentText() : "";
  const QString model = m_modelCombo->currentIndex() > 0 ? m_modelCombo->currentText() : "";
  m_proxy->setCriteria(m_filterEdit->text(), status, model, m_showArchived->isChecked());
  const int shown = static_cast<int>(visibleRuns().size());
  m_countLabel->setText(tr("%1 of %2 runs").arg(shown).arg(totalRunCount()));
  updateActions();
}

QList<qint64> RunHistory::visibleRuns() const {
  QList<qint64> out;
  std::function<void(const QModelIndex&)> walk = [&](const QModelIndex& parent) {
    for (int r = 0; r < m_proxy->rowCount(parent); ++r) {
      const QModelIndex index = m_proxy->index(r, 0, parent);
      out << index.data(kRunIdRole).toLongLong();
      walk(index);
    }
  };
  walk({});
  return out;
}

int RunHistory::totalRunCount() const {
  int n = 0;
  for (int r = 0; r < m_model->rowCount(); ++r) n += 1 + m_model->item(r, 0)->rowCount();
  return n;
}

QStandardItem* RunHistory::itemOf(qint64 runId) const {
  for (int r = 0; r < m_model->rowCount(); ++r) {
    auto* top = m_model->item(r, 0);
    if (top->data(kRunIdRole).toLongLong() == runId) return top;
    for (int c = 0; c < top->rowCount(); ++c) {
      if (top->child(c, 0)->data(kRunIdRole).toLongLong() == runId) return top->child(c, 0);
    }
  }
  return nullptr;
}

std::optional<qint64> RunHistory::shownParentOf(qint64 runId) const {
  auto* item = itemOf(runId);
  if (!item || !item->parent()) return std::nullopt;
  return item->parent()->data(kRunIdRole).toLongLong();
}

QList<qint64> RunHistory::expandedRuns() const {
  QList<qint64> out;
  for (int r = 0; r < m_model->rowCount(); ++r) {
    auto* top = m_model->item(r, 0);
    if (top->hasChildren() && m_view->isExpanded(m_proxy->mapFromSource(top->index()))) {
      out << top->data(kRunIdRole).toLongLong();
    }
  }
  return out;
}

QList<qint64> RunHistory::selectedRuns() const {
  QList<qint64> out;
  for (const auto& index : m_view->selectionModel()->selectedRows(0)) {
    out << index.data(kRunIdRole).toLongLong();
  }
  return out;
}

bool RunHistory::selectRuns(const QList<qint64>& runIds) {
  QItemSelection selection;
  for (qint64 id : runIds) {
    auto* item = itemOf(id);
    if (!item) continue;
    const QModelIndex index = m_proxy->mapFromSource(item->index());
    if (!index.isValid()) continue;  // filtered out
    if (index.parent().isValid()) m_view->expand(index.parent());
    selection.select(index, index);
  }
  m_view->selectionModel()->select(selection,
                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  if (!selection.isEmpty()) {
    m_view->selectionModel()->setCurrentIndex(selection.indexes().front(),
                                              QItemSelectionModel::NoUpdate);
    m_view->scrollTo(selection.indexes().front());
  }
  return !selection.isEmpty();
}

QString RunHistory::cellText(qint64 runId, const QString& column) const {
  auto* item = itemOf(runId);
  const int c = static_cast<int>(m_headers.indexOf(column));
  if (!item || c < 0) return {};
  auto* parent = item->parent();
  auto* cell = parent ? parent->child(item->row(), c) : m_model->item(item->row(), c);
  return cell ? cell->text() : QString();
}

QString RunHistory::headerToolTip(const QString& column) const {
  const int c = static_cast<int>(m_headers.indexOf(column));
  auto* h = c >= 0 ? m_model->horizontalHeaderItem(c) : nullptr;
  return h ? h->toolTip() : QString();
}

void RunHistory::onSelectionChanged() {
  updateActions();
  if (m_refreshing) return;
  const auto ids = selectedRuns();
  Q_EMIT runSelected(ids.size() == 1 ? ids.front() : 0);
}

void RunHistory::updateActions() {
  const auto rows = m_view->selectionModel()->selectedRows(0);
  bool anyArchived = false, anyActive = false;
  for (const auto& index : rows) {
    (index.data(kArchivedRole).toBool() ? anyArchived : anyActive) = true;
  }
  m_archive->setEnabled(anyActive && m_store);
  m_unarchive->setEnabled(anyArchived && m_store);
  const bool one = !rows.isEmpty();
  m_rerun->setEnabled(one);
  m_exportConfig->setEnabled(one);
  m_copyConfig->setEnabled(one);
  const QString error = rows.size() == 1 ? rows.front().data(kErrorRole).toString() : QString();
  m_showError->setEnabled(!error.isEmpty());
  m_errorPane->setPlainText(error);
  m_errorPane->setVisible(!error.isEmpty() && m_showError->isChecked());
}

void RunHistory::setArchivedSelected(bool archived) {
  if (!m_store) return;
  const auto ids = selectedRuns();
  try {
    for (qint64 id : ids) m_store->setArchived(id, archived);
  } catch (const std::exception& e) {
    m_messages->showMessage(QString::fromUtf8(e.what()));
  }
  refresh();
  Q_EMIT runsChanged();
}

void RunHistory::archiveSelected() { setArchivedSelected(true); }
void RunHistory::unarchiveSelected() { setArchivedSelected(false); }

std::optional<std::string> RunHistory::selectedConfig() {
  const auto ids = selectedRuns();
  if (ids.isEmpty() || !m_store) return std::nullopt;
  try {
    auto record = m_store->run(ids.front());
    if (record && !record->configJson.empty()) return record->configJson;
    m_messages->showMessage(tr("Run %1 has no stored config.").arg(ids.front()),
                            MessageBar::Level::Warning);
  } catch (const std::exception& e) {
    m_messages->showMessage(QString::fromUtf8(e.what()));
  }
  return std::nullopt;
}

void RunHistory::rerunSelected() {
  const auto text = selectedConfig();
  if (!text) return;
  auto config = nlohmann::json::parse(*text, nullptr, false);
  if (config.is_discarded()) {
    m_messages->showMessage(
        tr("The stored config of run %1 is not valid JSON.").arg(selectedRuns().front()));
    return;
  }
  Q_EMIT rerunRequested(config);
}

void RunHistory::exportSelectedConfig() {
  const auto text = selectedConfig();
  if (!text) return;
  const qint64 id = selectedRuns().front();
  const QString suggested = QString("run_%1_config.json").arg(id);
  const QString path = m_prompt ? m_prompt(suggested)
                                : QFileDialog::getSaveFileName(this, tr("Export config"), suggested,
                                                               tr("JSON files (*.json)"));
  if (path.isEmpty()) return;
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) ||
      file.write(text->data(), static_cast<qint64>(text->size())) !=
          static_cast<qint64>(text->size()) ||
      !file.commit()) {
    m_messages->showMessage(tr("Cannot write %1: %2").arg(path, file.errorString()));
    return;
  }
  m_messages->showMessage(tr("Config of run %1 written to %2").arg(id).arg(path),
                          MessageBar::Level::Info);
}

void RunHistory::copySelectedConfig() {
  const auto text = selectedConfig();
  if (!text) return;
  QGuiApplication::clipboard()->setText(QString::fromStdString(*text));
  m_messages->showMessage(
      tr("Config of run %1 copied to the clipboard").arg(selectedRuns().front()),
      MessageBar::Level::Info);
}

}  // namespace reclab::widgets

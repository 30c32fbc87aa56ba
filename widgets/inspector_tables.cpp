#include "widgets/inspector_tables.h"

#include <QColor>
#include <QDateTime>
#include <QHeaderView>
#include <QStringList>
#include <QTableWidget>
#include <algorithm>

namespace reclab::widgets::inspector {

namespace {

const char* const kCategoryAttributes[] = {"category", "genres", "categories"};

/// Semi-transparent tints read on light and dark palettes alike.
QColor testTint() { return QColor(66, 133, 244, 55); }
QColor hitTint() { return QColor(46, 160, 67, 80); }
QColor laterTint() { return QColor(46, 160, 67, 35); }

QTableWidgetItem* textCell(const QString& text) {
  auto* cell = new QTableWidgetItem(text);
  cell->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
  return cell;
}

QTableWidgetItem* numberCell(double value, int digits) {
  auto* cell = textCell(QString::number(value, 'g', digits));
  cell->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return cell;
}

QTableWidgetItem* itemCell(const data::InteractionLog& log, std::int32_t item) {
  auto* cell = textCell(QString::fromStdString(log.items.original(item)));
  cell->setData(Qt::UserRole, item);
  return cell;
}

/// The item columns shared by the three tables: item, [title], [categories].
struct ItemColumns {
  bool title = false;
  bool categories = false;

  explicit ItemColumns(const data::InteractionLog& log)
      : title(log.itemAttributes.find("title") != nullptr), categories(hasItemCategories(log)) {}

  void headers(QStringList& out) const {
    out << QObject::tr("item");
    if (title) out << QObject::tr("title");
    if (categories) out << QObject::tr("categories");
  }
  int put(QTableWidget* t, int row, int col, const data::InteractionLog& log,
          std::int32_t item) const {
    t->setItem(row, col++, itemCell(log, item));
    if (title) t->setItem(row, col++, textCell(itemTitle(log, item)));
    if (categories) t->setItem(row, col++, textCell(itemCategories(log, item)));
    return col;
  }
};

void prepare(QTableWidget* table, const QStringList& headers, int rows) {
  table->clearContents();
  table->setColumnCount(static_cast<int>(headers.size()));
  table->setHorizontalHeaderLabels(headers);
  table->setRowCount(rows);
}

void finish(QTableWidget* table) {
  table->resizeColumnsToContents();
  for (int c = 0; c < table->columnCount(); ++c) {
    table->setColumnWidth(c, std::min(table->columnWidth(c), 260));
  }
}

void tintRow(QTableWidget* table, int row, const QColor& colour) {
  for (int c = 0; c < table->columnCount(); ++c) {
    if (auto* cell = table->item(row, c)) cell->setBackground(colour);
  }
}

bool contains(const std::vector<std::uint32_t>& sorted, std::uint32_t row) {
  return std::binary_search(sorted.begin(), sorted.end(), row);
}

}  // namespace

QString itemCategories(const data::InteractionLog& log, std::int32_t item) {
  QStringList parts;
  const auto i = static_cast<std::size_t>(item);
  for (const char* name : kCategoryAttributes) {
    const auto* a = log.itemAttributes.find(name);
    if (!a) continue;
    if (a->kind == data::Attribute::Kind::Categorical && i < a->categorical.size()) {
      const auto code = a->categorical[i];
      if (code >= 0 && static_cast<std::size_t>(code) < a->vocabulary.size()) {
        parts << QString::fromStdString(a->vocabulary[static_cast<std::size_t>(code)]);
      }
    } else if (a->kind == data::Attribute::Kind::MultiCategorical && i < a->multi.size()) {
      for (auto code : a->multi[i]) {
        if (code >= 0 && static_cast<std::size_t>(code) < a->vocabulary.size()) {
          parts << QString::fromStdString(a->vocabulary[static_cast<std::size_t>(code)]);
        }
      }
    }
  }
  parts.removeDuplicates();
  return parts.join(", ");
}

bool hasItemCategories(const data::InteractionLog& log) {
  return std::any_of(std::begin(kCategoryAttributes), std::end(kCategoryAttributes),
                     [&](const char* n) { return log.itemAttributes.find(n) != nullptr; });
}

QString itemTitle(const data::InteractionLog& log, std::int32_t item) {
  const auto* a = log.itemAttributes.find("title");
  const auto i = static_cast<std::size_t>(item);
  if (!a || a->kind != data::Attribute::Kind::Categorical || i >= a->categorical.size()) return {};
  const auto code = a->categorical[i];
  if (code < 0 || static_cast<std::size_t>(code) >= a->vocabulary.size()) return {};
  return QString::fromStdString(a->vocabulary[static_cast<std::size_t>(code)]);
}

std::vector<std::uint32_t> userRows(const data::InteractionLog& log, std::int32_t user) {
  std::vector<std::uint32_t> rows;
  if (!log.hasUsers()) return rows;
  for (std::size_t r = 0; r < log.numRows(); ++r) {
    if (log.user[r] == user) rows.push_back(static_cast<std::uint32_t>(r));
  }
  if (log.hasTimestamps()) {
    std::stable_sort(rows.begin(), rows.end(), [&](std::uint32_t a, std::uint32_t b) {
      return log.timestamp[a] < log.timestamp[b];
    });
  }
  return rows;
}

std::size_t fillHistory(QTableWidget* table, const experiment::OpenedRun& run, std::int32_t user,
                        std::size_t maxRows) {
  const auto& log = run.data->log;
  const auto rows = userRows(log, user);
  const auto shown = std::min(rows.size(), maxRows);
  const ItemColumns items(log);
  QStringList headers;
  items.headers(headers);
  if (log.hasEvents()) headers << QObject::tr("event");
  if (log.hasTimestamps()) headers << QObject::tr("time (UTC)");
  if (log.hasValues()) {
    headers << (log.valueName.empty() ? QObject::tr("value")
                                      : QString::fromStdString(log.valueName));
  }
  headers << QObject::tr("split");
  prepare(table, headers, static_cast<int>(shown));
  for (std::size_t k = 0; k < shown; ++k) {
    const auto r = rows[k];
    const int row = static_cast<int>(k);
    int col = items.put(table, row, 0, log, log.item[r]);
    if (log.hasEvents()) {
      const auto e = log.event[r];
      table->setItem(row, col++,
                     textCell(e < log.eventNames.size() ? QString::fromStdString(log.eventNames[e])
                                                        : QString::number(e)));
    }
    if (log.hasTimestamps()) {
      table->setItem(
          row, col++,
          textCell(
              QDateTime::fromMSecsSinceEpoch(log.timestamp[r], Qt::UTC).toString(Qt::ISODate)));
    }
    if (log.hasValues()) {
      auto* cell = textCell(QString::number(static_cast<double>(log.value[r]), 'g', 6));
      cell->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      table->setItem(row, col++, cell);
    }
    QString part = QStringLiteral("-");
    if (contains(run.split.train, r)) {
      part = QObject::tr("train");
    } else if (contains(run.split.test, r)) {
      part = QObject::tr("test");
    } else if (contains(run.split.valid, r)) {
      part = QObject::tr("valid");
    }
    auto* partCell = textCell(part);
    partCell->setData(Qt::UserRole, part);
    table->setItem(row, col, partCell);
    if (part == QObject::tr("test")) {
      QFont bold = partCell->font();
      bold.setBold(true);
      partCell->setFont(bold);
      tintRow(table, row, testTint());
    }
  }
  finish(table);
  return rows.size();
}

void fillTopN(QTableWidget* table, const experiment::OpenedRun& run,
              const std::vector<experiment::Recommendation>& recs, std::int32_t nextItem) {
  const auto& log = run.data->log;
  const ItemColumns items(log);
  QStringList headers{QObject::tr("rank")};
  items.headers(headers);
  headers << QObject::tr("score") << QObject::tr("hit");
  prepare(table, headers, static_cast<int>(recs.size()));
  for (std::size_t k = 0; k < recs.size(); ++k) {
    const int row = static_cast<int>(k);
    auto* rank = textCell(QString::number(row + 1));
    rank->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    table->setItem(row, 0, rank);
    int col = items.put(table, row, 1, log, recs[k].item);
    table->setItem(row, col++, numberCell(recs[k].score, 6));
    QString kind;
    if (recs[k].hit) {
      kind = nextItem < 0               ? QStringLiteral("hit")
             : recs[k].item == nextItem ? QStringLiteral("next")
                                        : QStringLiteral("later");
    }
    const QString label = kind == QLatin1String("hit")     ? QObject::tr("hit")
                          : kind == QLatin1String("next")  ? QObject::tr("next")
                          : kind == QLatin1String("later") ? QObject::tr("later")
                                                           : QString();
    auto* hit = textCell(label);
    hit->setData(Qt::UserRole, recs[k].hit);
    hit->setData(Qt::UserRole + 1, kind);
    table->setItem(row, col, hit);
    if (recs[k].hit) {
      QFont bold = hit->font();
      bold.setBold(kind != QLatin1String("later"));
      hit->setFont(bold);
      tintRow(table, row, kind == QLatin1String("later") ? laterTint() : hitTint());
    }
  }
  finish(table);
}

void fillSessionClicks(QTableWidget* table, const experiment::OpenedRun& run,
                       const std::vector<std::int32_t>& items,
                       const std::vector<std::uint32_t>& rows, std::size_t prefixLength) {
  const auto& log = run.data->log;
  const ItemColumns columns(log);
  const bool times = !rows.empty() && log.hasTimestamps();
  auto timeOf = [&](std::uint32_t r) {
    return QDateTime::fromMSecsSinceEpoch(log.timestamp[r], Qt::UTC);
  };
  // A session within one day shows clock times and names the day once, in the header.
  bool oneDay = times;
  for (std::size_t k = 1; oneDay && k < rows.size(); ++k) {
    oneDay = timeOf(rows[k]).date() == timeOf(rows[0]).date();
  }
  QStringList headers{QObject::tr("#"), QObject::tr("part")};
  columns.headers(headers);
  if (times) {
    headers
        << (oneDay ? QObject::tr("time (UTC, %1)").arg(timeOf(rows[0]).date().toString(Qt::ISODate))
                   : QObject::tr("time (UTC)"));
  }
  prepare(table, headers, static_cast<int>(items.size()));
  for (std::size_t k = 0; k < items.size(); ++k) {
    const int row = static_cast<int>(k);
    auto* position = textCell(QString::number(row + 1));
    position->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    table->setItem(row, 0, position);
    const QString part = k < prefixLength    ? QStringLiteral("prefix")
                         : k == prefixLength ? QStringLiteral("next")
                                             : QStringLiteral("later");
    auto* partCell = textCell(k < prefixLength    ? QObject::tr("prefix")
                              : k == prefixLength ? QObject::tr("next")
                                                  : QObject::tr("later"));
    partCell->setData(Qt::UserRole, part);
    table->setItem(row, 1, partCell);
    const int col = columns.put(table, row, 2, log, items[k]);
    if (times) {
      table->setItem(
          row, col,
          textCell(timeOf(rows[k]).toString(oneDay ? QStringLiteral("hh:mm:ss")
                                                   : QStringLiteral("yyyy-MM-dd hh:mm:ss"))));
    }
    if (k == prefixLength) {
      QFont bold = partCell->font();
      bold.setBold(true);
      partCell->setFont(bold);
      tintRow(table, row, hitTint());
    } else if (k > prefixLength) {
      tintRow(table, row, laterTint());
    }
  }
  finish(table);
}

void fillSimilar(QTableWidget* table, const experiment::OpenedRun& run,
                 const std::vector<std::pair<std::int32_t, float>>& similar) {
  const auto& log = run.data->log;
  const ItemColumns items(log);
  QStringList headers;
  items.headers(headers);
  headers << QObject::tr("cosine");
  prepare(table, headers, static_cast<int>(similar.size()));
  for (std::size_t k = 0; k < similar.size(); ++k) {
    const int row = static_cast<int>(k);
    const int col = items.put(table, row, 0, log, similar[k].first);
    table->setItem(row, col, numberCell(similar[k].second, 3));
  }
  finish(table);
}

}  // namespace reclab::widgets::inspector

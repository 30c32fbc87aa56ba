#include "widgets/classification_view.h"

#include <QApplication>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLabel>
#include <QPainter>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>

#include "common/errors.h"

namespace reclab::widgets {

namespace {

[[noreturn]] void fail(const QString& what) {
  throw InputError(("classification JSON: " + what).toStdString());
}

/// A number; null (what JSON writers make of NaN) reads as NaN.
double number(const QJsonValue& v, const QString& field) {
  if (v.isNull()) return std::nan("");
  if (!v.isDouble()) fail(QStringLiteral("%1 must be a number or null").arg(field));
  return v.toDouble();
}

/// A count or a row index: a non-negative integer.
qint64 count(const QJsonValue& v, const QString& field) {
  const double d = v.isDouble() ? v.toDouble() : -1;
  if (d < 0 || d != std::floor(d) || d > 9.0e15) {
    fail(QStringLiteral("%1 must be a non-negative integer").arg(field));
  }
  return static_cast<qint64>(d);
}

ClassReportLine reportLine(const QJsonValue& v, const QString& field, bool needsLabel) {
  if (!v.isObject()) fail(QStringLiteral("%1 must be an object").arg(field));
  const QJsonObject o = v.toObject();
  ClassReportLine line;
  if (needsLabel) {
    if (!o.value("label").isString()) fail(QStringLiteral("%1.label must be a string").arg(field));
    line.label = o.value("label").toString();
  }
  line.precision = number(o.value("precision"), field + ".precision");
  line.recall = number(o.value("recall"), field + ".recall");
  line.f1 = number(o.value("f1"), field + ".f1");
  line.support = count(o.value("support"), field + ".support");
  return line;
}

QString fixed(double v) { return std::isfinite(v) ? QString::number(v, 'f', 3) : QString("-"); }

/// Paints a confusion-matrix cell: background by row share (base colour to the highlight
/// colour), the count in bold and the row percentage under it.
class HeatDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;

  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override {
    const double share = index.data(ConfusionMatrixModel::ShareRole).toDouble();
    const QColor base = option.palette.color(QPalette::Base);
    const QColor hot = option.palette.color(QPalette::Highlight);
    auto mix = [share](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * share)); };
    const QColor fill(mix(base.red(), hot.red()), mix(base.green(), hot.green()),
                      mix(base.blue(), hot.blue()));
    painter->save();
    painter->fillRect(option.rect, fill);
    if (option.state & QStyle::State_HasFocus) {
      painter->setPen(QPen(option.palette.color(QPalette::Text), 1, Qt::DotLine));
      painter->drawRect(option.rect.adjusted(1, 1, -2, -2));
    }
    painter->setPen(fill.lightnessF() < 0.55 ? Qt::white : Qt::black);
    QFont bold = option.font;
    bold.setBold(true);
    const QRect r = option.rect;
    const QRect top(r.left(), r.top(), r.width(), r.height() / 2 + 2);
    const QRect bottom(r.left(), r.top() + r.height() / 2, r.width(), r.height() / 2);
    painter->setFont(bold);
    painter->drawText(top, Qt::AlignHCenter | Qt::AlignBottom, index.data().toString());
    painter->setFont(option.font);
    painter->drawText(bottom, Qt::AlignHCenter | Qt::AlignTop,
                      QString::number(100.0 * share, 'f', 1) + " %");
    painter->restore();
  }

  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const override {
    const QFontMetrics fm(option.font);
    return {fm.horizontalAdvance("0000000") + 12, 2 * fm.height() + 10};
  }
};

}  // namespace

// ---------------------------------------------------------------- parsing

ClassificationResult ClassificationResult::fromJson(const QByteArray& json) {
  QJsonParseError parseError;
  const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
  if (parseError.error != QJsonParseError::NoError) {
    fail(QStringLiteral("%1 at offset %2").arg(parseError.errorString()).arg(parseError.offset));
  }
  if (!doc.isObject()) fail("the document must be an object");
  const QJsonObject o = doc.object();
  ClassificationResult r;
  if (o.contains("epoch")) r.epoch = static_cast<int>(count(o.value("epoch"), "epoch"));
  if (o.contains("split")) {
    if (!o.value("split").isString()) fail("split must be a string");
    r.split = o.value("split").toString();
  }
  const QJsonValue classes = o.value("classes");
  if (!classes.isArray() || classes.toArray().isEmpty()) {
    fail("classes must be a non-empty array of class names");
  }
  for (const QJsonValue& c : classes.toArray()) {
    if (!c.isString()) fail("classes must hold strings");
    r.classes << c.toString();
  }
  const auto n = r.classes.size();

  const QJsonValue confusion = o.value("confusion");
  if (!confusion.isArray() || confusion.toArray().size() != n) {
    fail(QStringLiteral("confusion must be an array of %1 rows (one per class)").arg(n));
  }
  int t = 0;
  for (const QJsonValue& row : confusion.toArray()) {
    if (!row.isArray() || row.toArray().size() != n) {
      fail(QStringLiteral("confusion row %1 has %2 entries, expected %3 (one per class)")
               .arg(t)
               .arg(row.isArray() ? row.toArray().size() : 0)
               .arg(n));
    }
    QList<qint64> counts;
    int p = 0;
    for (const QJsonValue& c : row.toArray()) {
      counts << count(c, QStringLiteral("confusion[%1][%2]").arg(t).arg(p++));
    }
    r.confusion << counts;
    ++t;
  }

  if (o.contains("report")) {
    if (!o.value("report").isObject()) fail("report must be an object");
    const QJsonObject report = o.value("report").toObject();
    const QJsonArray rows = report.value("rows").toArray();
    for (qsizetype i = 0; i < rows.size(); ++i) {
      r.rows << reportLine(rows[i], QStringLiteral("report.rows[%1]").arg(i), true);
    }
    if (report.contains("accuracy"))
      r.accuracy = number(report.value("accuracy"), "report.accuracy");
    if (report.contains("macro"))
      r.macro = reportLine(report.value("macro"), "report.macro", false);
    if (report.contains("weighted")) {
      r.weighted = reportLine(report.value("weighted"), "report.weighted", false);
    }
  }

  if (o.contains("cell_rows")) {
    if (!o.value("cell_rows").isObject()) fail("cell_rows must be an object");
    const QJsonObject cells = o.value("cell_rows").toObject();
    for (auto it = cells.begin(); it != cells.end(); ++it) {
      const QStringList parts = it.key().split(',');
      bool okT = false, okP = false;
      const int ct = parts.size() == 2 ? parts[0].trimmed().toInt(&okT) : -1;
      const int cp = parts.size() == 2 ? parts[1].trimmed().toInt(&okP) : -1;
      if (!okT || !okP || ct < 0 || cp < 0 || ct >= n || cp >= n) {
        fail(QStringLiteral("cell_rows key '%1' must be \"true,predicted\" with class indices "
                            "in 0..%2")
                 .arg(it.key())
                 .arg(n - 1));
      }
      if (!it.value().isArray())
        fail(QStringLiteral("cell_rows['%1'] must be an array").arg(it.key()));
      QList<qint64> rows;
      for (const QJsonValue& v : it.value().toArray()) {
        rows << count(v, QStringLiteral("cell_rows['%1']").arg(it.key()));
      }
      r.cellRows.insert({ct, cp}, rows);
    }
  }

  if (o.contains("auc_ovr")) {
    const QJsonValue auc = o.value("auc_ovr");
    if (!auc.isArray() || auc.toArray().size() != n) {
      fail(QStringLiteral("auc_ovr must be an array of %1 numbers (one per class)").arg(n));
    }
    for (const QJsonValue& v : auc.toArray()) r.aucOvr << number(v, "auc_ovr");
  }
  if (o.contains("log_loss")) {
    const double loss = number(o.value("log_loss"), "log_loss");
    if (std::isfinite(loss)) r.logLoss = loss;
  }
  return r;
}

// ---------------------------------------------------------------- confusion matrix model

void ConfusionMatrixModel::setMatrix(const QStringList& classes,
                                     const QList<QList<qint64>>& counts) {
  beginResetModel();
  m_classes = classes;
  m_counts = counts;
  m_rowTotals.clear();
  for (const auto& row : m_counts) {
    qint64 total = 0;
    for (qint64 c : row) total += c;
    m_rowTotals << total;
  }
  endResetModel();
}

int ConfusionMatrixModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_counts.size());
}

int ConfusionMatrixModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_classes.size());
}

QVariant ConfusionMatrixModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) return {};
  const qint64 c = m_counts[index.row()][index.column()];
  const qint64 total = m_rowTotals[index.row()];
  const double share = total > 0 ? static_cast<double>(c) / static_cast<double>(total) : 0.0;
  switch (role) {
    case Qt::DisplayRole:
      return c;
    case ShareRole:
      return share;
    case Qt::ToolTipRole:
      return tr("true %1, predicted %2: %3 rows (%4 % of the true %1 rows); click to list them")
          .arg(m_classes[index.row()], m_classes[index.column()])
          .arg(c)
          .arg(100.0 * share, 0, 'f', 1);
    case Qt::TextAlignmentRole:
      return QVariant::fromValue(Qt::Alignment(Qt::AlignCenter));
    default:
      return {};
  }
}

QVariant ConfusionMatrixModel::headerData(int section, Qt::Orientation orientation,
                                          int role) const {
  if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
  if (section < 0 || section >= m_classes.size()) return {};
  if (role == Qt::ToolTipRole) {
    return orientation == Qt::Vertical ? tr("true class %1").arg(m_classes[section])
                                       : tr("predicted class %1").arg(m_classes[section]);
  }
  return m_classes[section];
}

// ---------------------------------------------------------------- view

ClassificationView::ClassificationView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  m_caption = new QLabel(this);
  QFont bold = m_caption->font();
  bold.setBold(true);
  m_caption->setFont(bold);
  m_caption->hide();
  m_summary = new QLabel(this);
  m_summary->setWordWrap(true);
  m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* split = new QSplitter(Qt::Horizontal, this);
  m_report = new QStandardItemModel(this);
  m_reportView = new QTableView(split);
  m_reportView->setModel(m_report);
  m_reportView->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_reportView->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_reportView->verticalHeader()->hide();
  m_reportView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);

  auto* matrixBox = new QWidget(split);
  auto* matrixLayout = new QVBoxLayout(matrixBox);
  matrixLayout->setContentsMargins(0, 0, 0, 0);
  auto* axes = new QLabel(tr("Confusion matrix: rows = true class, columns = predicted class "
                             "(click a cell to list its rows)"),
                          matrixBox);
  axes->setWordWrap(true);
  m_matrix = new ConfusionMatrixModel(this);
  m_matrixView = new QTableView(matrixBox);
  m_matrixView->setModel(m_matrix);
  m_matrixView->setItemDelegate(new HeatDelegate(m_matrixView));
  m_matrixView->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_matrixView->setSelectionMode(QAbstractItemView::SingleSelection);
  m_matrixView->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  m_matrixView->verticalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  m_matrixView->verticalHeader()->setMinimumSectionSize(2 * fontMetrics().height() + 8);
  m_matrixView->setMouseTracking(true);
  matrixLayout->addWidget(axes);
  matrixLayout->addWidget(m_matrixView, 1);
  split->addWidget(m_reportView);
  split->addWidget(matrixBox);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  split->setChildrenCollapsible(false);

  layout->addWidget(m_caption);
  layout->addWidget(m_summary);
  layout->addWidget(split, 1);
  connect(m_matrixView, &QTableView::clicked, this, &ClassificationView::onCellClicked);
  clear();
}

bool ClassificationView::setJson(const QByteArray& json, QString* error) {
  try {
    setResult(ClassificationResult::fromJson(json));
    return true;
  } catch (const InputError& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
}

void ClassificationView::setResult(const ClassificationResult& result) {
  m_result = result;
  QStringList parts;
  if (result.epoch > 0) parts << tr("epoch %1").arg(result.epoch);
  if (!result.split.isEmpty()) parts << tr("%1 rows").arg(result.split);
  if (result.accuracy) parts << tr("accuracy %1").arg(fixed(*result.accuracy));
  if (result.logLoss) parts << tr("log loss %1").arg(fixed(*result.logLoss));
  double aucSum = 0;
  int aucCount = 0;
  for (double a : result.aucOvr) {
    if (std::isfinite(a)) {
      aucSum += a;
      ++aucCount;
    }
  }
  if (aucCount > 0) parts << tr("macro AUC (one-vs-rest) %1").arg(fixed(aucSum / aucCount));
  m_summary->setText(parts.join(QStringLiteral(" \u00b7 ")));
  fillReport(result);
  m_matrix->setMatrix(result.classes, result.confusion);
}

void ClassificationView::fillReport(const ClassificationResult& r) {
  const bool withAuc = !r.aucOvr.isEmpty();
  m_report->clear();
  QStringList headers = {tr("class"), tr("precision"), tr("recall"), tr("f1-score"), tr("support")};
  if (withAuc) headers << tr("AUC");
  m_report->setHorizontalHeaderLabels(headers);
  if (withAuc) {
    m_report->horizontalHeaderItem(5)->setToolTip(
        tr("one-vs-rest ROC AUC of the class (its probability against all other classes)"));
  }
  auto cell = [](const QString& text, bool number = true) {
    auto* item = new QStandardItem(text);
    if (number) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
  };
  auto addLine = [&](const ClassReportLine& line, const QString& auc, bool summary) {
    QList<QStandardItem*> items = {cell(line.label, false), cell(fixed(line.precision)),
                                   cell(fixed(line.recall)), cell(fixed(line.f1)),
                                   cell(QString::number(line.support))};
    if (withAuc) items << cell(auc);
    if (summary) {
      QFont f = items[0]->font();
      f.setItalic(true);
      items[0]->setFont(f);
    }
    m_report->appendRow(items);
  };
  for (const auto& line : r.rows) {
    const auto c = r.classes.indexOf(line.label);
    addLine(line, c >= 0 && c < r.aucOvr.size() ? fixed(r.aucOvr[c]) : QString(), false);
  }
  qint64 total = 0;
  for (const auto& row : r.confusion) {
    for (qint64 c : row) total += c;
  }
  if (r.accuracy) {
    // As scikit-learn prints it: the accuracy in the f1 column, the total support.
    QList<QStandardItem*> items = {cell(tr("accuracy"), false), cell({}), cell({}),
                                   cell(fixed(*r.accuracy)), cell(QString::number(total))};
    if (withAuc) items << cell({});
    QFont f = items[0]->font();
    f.setItalic(true);
    items[0]->setFont(f);
    m_report->appendRow(items);
  }
  if (r.macro) {
    ClassReportLine line = *r.macro;
    line.label = tr("macro avg");
    addLine(line, {}, true);
  }
  if (r.weighted) {
    ClassReportLine line = *r.weighted;
    line.label = tr("weighted avg");
    addLine(line, {}, true);
  }
  m_reportView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_reportView->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
}

void ClassificationView::clear() {
  m_result.reset();
  m_summary->setText(
      tr("No classification report: it appears when a classification model "
         "evaluates (at each evaluation of a live run, or stored with a run)."));
  m_report->clear();
  m_matrix->setMatrix({}, {});
}

void ClassificationView::setCaption(const QString& caption) {
  m_caption->setText(caption);
  m_caption->setVisible(!caption.isEmpty());
}

void ClassificationView::onCellClicked(const QModelIndex& index) {
  if (!m_result || !index.isValid()) return;
  const QPair<int, int> cell(index.row(), index.column());
  Q_EMIT cellActivated(index.row(), index.column(), m_result->cellRows.value(cell));
}

}  // namespace reclab::widgets

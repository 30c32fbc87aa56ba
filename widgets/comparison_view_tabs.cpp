/// ComparisonView, second half: the Tables, Diff and Significance tabs.

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QStandardItemModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <cmath>
#include <limits>
#include <set>

#include "eval/metric_docs.h"
#include "store/store.h"
#include "widgets/comparison_view.h"
#include "widgets/message_bar.h"

namespace reclab::widgets {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kRunIdRole = Qt::UserRole + 1;
constexpr int kValueRole = Qt::UserRole + 2;
constexpr int kMetricRole = Qt::UserRole + 3;

const QStringList kRatingMetrics = {"rmse", "mae", "r2"};
/// The purchase / classification table: AUC, log loss and accuracy first (the layout of the
/// thesis' Table 2.3), then the threshold and ranking-quality columns of purchase models.
const QStringList kClassMetrics = {"auc",    "log_loss",  "accuracy", "macro_f1",
                                   "pr_auc", "precision", "recall",   "f1"};

QString metricTitle(const QString& m) {
  static const std::map<QString, QString> titles = {
      {"rmse", "RMSE"},         {"mae", "MAE"},           {"r2", "R^2"},           {"auc", "AUC"},
      {"log_loss", "Log loss"}, {"accuracy", "Accuracy"}, {"macro_f1", "Macro F1"},
      {"pr_auc", "PR-AUC"},     {"precision", "Precision"}, {"recall", "Recall"},    {"f1", "F1"}};
  auto it = titles.find(m);
  return it == titles.end() ? m : it->second;
}

QString tip(const QString& metric) {
  return QString::fromStdString(eval::metricDefinition(metric.toStdString()));
}

QStandardItem* textItem(const QString& text) {
  auto* it = new QStandardItem(text);
  it->setEditable(false);
  return it;
}

QStandardItem* numberItem(double v, const QString& metric) {
  auto* it = textItem(std::isnan(v)         ? QStringLiteral("—")
                      : std::abs(v) >= 1000 ? QString::number(v, 'g', 8)
                                            : QString::number(v, 'f', 4));
  it->setData(v, kValueRole);
  it->setData(metric, kMetricRole);
  it->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  if (!metric.isEmpty()) it->setToolTip(tip(metric));
  return it;
}

QStandardItem* runItem(const RunMetrics& r) {
  auto* it = textItem(r.label());
  it->setData(r.id, kRunIdRole);
  it->setToolTip(QStringLiteral("%1 · %2").arg(r.model, r.task));
  return it;
}

QTableView* makeTable(QStandardItemModel* model, QWidget* parent) {
  auto* v = new QTableView(parent);
  v->setModel(model);
  v->setAlternatingRowColors(true);
  v->setSelectionBehavior(QAbstractItemView::SelectRows);
  v->setEditTriggers(QAbstractItemView::NoEditTriggers);
  v->verticalHeader()->hide();
  v->verticalHeader()->setDefaultSectionSize(v->fontMetrics().height() + 6);
  v->horizontalHeader()->setStretchLastSection(true);
  return v;
}

/// One row per run, one column per metric of `wanted` that any run has.
void fillMetricTable(QStandardItemModel* model, const std::vector<RunMetrics>& runs,
                     const QStringList& wanted) {
  model->clear();
  QStringList cols;
  for (const auto& m : wanted) {
    for (const auto& r : runs) {
      if (r.metrics.count(m.toStdString())) {
        cols << m;
        break;
      }
    }
  }
  if (cols.isEmpty()) return;
  model->setColumnCount(int(cols.size()) + 1);
  model->setHeaderData(0, Qt::Horizontal, QObject::tr("run"));
  for (int c = 0; c < cols.size(); ++c) {
    model->setHeaderData(c + 1, Qt::Horizontal, metricTitle(cols[c]));
    model->setHeaderData(c + 1, Qt::Horizontal, tip(cols[c]), Qt::ToolTipRole);
    model->setHeaderData(c + 1, Qt::Horizontal, cols[c], kMetricRole);
  }
  for (const auto& r : runs) {
    bool any = false;
    for (const auto& m : cols) any = any || r.metrics.count(m.toStdString());
    if (!any) continue;
    QList<QStandardItem*> row{runItem(r)};
    for (const auto& m : cols) {
      auto it = r.metrics.find(m.toStdString());
      row << numberItem(it == r.metrics.end() ? kNaN : it->second, m);
    }
    model->appendRow(row);
  }
}

}  // namespace

// ---- Tables --------------------------------------------------------------------------------

QWidget* ComparisonView::buildTablesTab() {
  auto* w = new QWidget(this);
  auto* l = new QVBoxLayout(w);
  auto group = [w, l](const QString& title, QStandardItemModel*& model, QTableView*& view,
                      QLabel** empty, int stretch, const QString& tip = {}) {
    auto* box = new QGroupBox(title, w);
    box->setToolTip(tip);
    auto* bl = new QVBoxLayout(box);
    model = new QStandardItemModel(box);
    view = makeTable(model, box);
    bl->addWidget(view);
    if (empty) {
      *empty = new QLabel(box);
      (*empty)->setEnabled(false);
      bl->addWidget(*empty);
    }
    l->addWidget(box, stretch);
    if (stretch == 0) view->horizontalHeader()->setStretchLastSection(false);
  };
  group(tr("Rating prediction (RMSE / MAE / R^2)"), m_ratingModel, m_ratingView, &m_ratingEmpty, 0);
  group(tr("Purchase / classification (AUC / log loss / accuracy)"), m_classModel, m_classView,
        &m_classEmpty, 0);
  // The rule goes in the tooltip: as the title it made the view ~700 px wide at least.
  group(tr("Curves: best and last value per run"), m_curveModel, m_curveView, nullptr, 1,
        tr("best = min for loss / RMSE / MAE / MSE / error / violation curves, max otherwise"));
  return w;
}

void ComparisonView::rebuildTables() {
  fillMetricTable(m_ratingModel, m_runs, kRatingMetrics);
  fillMetricTable(m_classModel, m_runs, kClassMetrics);
  const bool hasRating = m_ratingModel->rowCount() > 0;
  const bool hasClass = m_classModel->rowCount() > 0;
  m_ratingView->setVisible(hasRating);
  m_ratingEmpty->setVisible(!hasRating);
  m_ratingEmpty->setText(tr("None of the picked runs has rating metrics."));
  m_classView->setVisible(hasClass);
  m_classEmpty->setVisible(!hasClass);
  m_classEmpty->setText(tr("None of the picked runs has classification metrics."));
  for (auto* v : {m_ratingView, m_classView}) {
    v->resizeColumnsToContents();
    // Tall enough for its rows, no more: the curve table below gets the space.
    const int rows = v->model()->rowCount();
    v->setFixedHeight(v->horizontalHeader()->sizeHint().height() +
                      rows * v->verticalHeader()->defaultSectionSize() + 2 * v->frameWidth() + 4);
  }

  m_curveModel->clear();
  m_curveModel->setHorizontalHeaderLabels(
      {tr("run"), tr("metric"), tr("best"), tr("best epoch"), tr("last"), tr("last epoch")});
  m_curveModel->setHeaderData(
      2, Qt::Horizontal,
      tr("Minimum for loss / RMSE / MAE / MSE / error / violation curves, maximum "
         "for the others"),
      Qt::ToolTipRole);
  m_curveModel->setHeaderData(4, Qt::Horizontal, tr("Value at the latest epoch"), Qt::ToolTipRole);
  if (!m_store) return;
  for (const auto& r : m_runs) {
    std::vector<CurveSummary> sums;
    try {
      sums = summarizeCurves(m_store->curve(r.id));
    } catch (const std::exception& e) {
      m_messages->showMessage(tr("Cannot read curves: %1").arg(QString::fromUtf8(e.what())));
    }
    for (const auto& s : sums) {
      auto* name = textItem(s.metric);
      name->setToolTip(tip(s.metric) + (lowerIsBetter(s.metric) ? tr("\nBest = minimum.")
                                                                : tr("\nBest = maximum.")));
      m_curveModel->appendRow({runItem(r), name, numberItem(s.best, s.metric),
                               textItem(QString::number(s.bestEpoch)), numberItem(s.last, s.metric),
                               textItem(QString::number(s.lastEpoch))});
    }
  }
  m_curveView->resizeColumnsToContents();
}

double ComparisonView::tableValue(const QStandardItemModel* m, qint64 runId, const QString& column,
                                  const QString& metric) const {
  int col = -1;
  for (int c = 0; c < m->columnCount(); ++c) {
    if (m->headerData(c, Qt::Horizontal, kMetricRole).toString() == column ||
        m->headerData(c, Qt::Horizontal).toString() == column) {
      col = c;
    }
  }
  if (col < 0) return kNaN;
  for (int r = 0; r < m->rowCount(); ++r) {
    if (m->item(r, 0)->data(kRunIdRole).toLongLong() != runId) continue;
    if (!metric.isEmpty() && m->item(r, 1)->text() != metric) continue;
    return m->item(r, col)->data(kValueRole).toDouble();
  }
  return kNaN;
}

double ComparisonView::ratingValue(qint64 runId, const QString& metric) const {
  return tableValue(m_ratingModel, runId, metric);
}
double ComparisonView::classificationValue(qint64 runId, const QString& metric) const {
  return tableValue(m_classModel, runId, metric);
}
double ComparisonView::curveBest(qint64 runId, const QString& metric) const {
  return tableValue(m_curveModel, runId, tr("best"), metric);
}
double ComparisonView::curveLast(qint64 runId, const QString& metric) const {
  return tableValue(m_curveModel, runId, tr("last"), metric);
}

// ---- Run combos shared by Diff and Significance --------------------------------------------

void ComparisonView::fillRunCombos() {
  const bool was = m_updating;
  m_updating = true;
  const int n = int(m_runs.size());
  auto fill = [this, n](QComboBox* c, int fallback) {
    const QVariant keep = c->currentData();
    c->clear();
    for (const auto& r : m_runs) c->addItem(r.label(), r.id);
    int i = keep.isValid() ? c->findData(keep) : -1;
    if (i < 0 && n > 0) i = std::min(fallback, n - 1);
    c->setCurrentIndex(i);
  };
  fill(m_diffA, 0);
  fill(m_diffB, 1);
  fill(m_sigA, 0);
  fill(m_sigB, 1);
  m_updating = was;
}

// ---- Diff ----------------------------------------------------------------------------------

QWidget* ComparisonView::buildDiffTab() {
  auto* w = new QWidget(this);
  auto* l = new QVBoxLayout(w);
  auto* bar = new QHBoxLayout;
  m_diffA = new QComboBox(w);
  m_diffB = new QComboBox(w);
  m_diffOnly = new QCheckBox(tr("Differences only"), w);
  m_diffOnly->setChecked(true);
  bar->addWidget(new QLabel(tr("Run A"), w));
  bar->addWidget(m_diffA, 1);
  bar->addWidget(new QLabel(tr("Run B"), w));
  bar->addWidget(m_diffB, 1);
  bar->addWidget(m_diffOnly);
  l->addLayout(bar);
  m_diffModel = new QStandardItemModel(w);
  m_diffView = makeTable(m_diffModel, w);
  l->addWidget(m_diffView, 1);
  for (auto* c : {m_diffA, m_diffB}) {
    connect(c, &QComboBox::currentIndexChanged, this, [this] {
      if (!m_updating) rebuildDiff();
    });
  }
  connect(m_diffOnly, &QCheckBox::toggled, this, [this] { rebuildDiff(); });
  return w;
}

void ComparisonView::setDiffRuns(qint64 runA, qint64 runB) {
  QList<qint64> ids = checkedRuns();
  if (!ids.contains(runA) || !ids.contains(runB)) setCheckedRuns(ids << runA << runB);
  m_updating = true;
  m_diffA->setCurrentIndex(m_diffA->findData(runA));
  m_diffB->setCurrentIndex(m_diffB->findData(runB));
  m_updating = false;
  rebuildDiff();
}

void ComparisonView::setDifferencesOnly(bool only) {
  m_diffOnly->setChecked(only);
  rebuildDiff();
}

void ComparisonView::rebuildDiff() {
  m_diffModel->clear();
  const RunMetrics* a = runById(m_diffA->currentData().toLongLong());
  const RunMetrics* b = runById(m_diffB->currentData().toLongLong());
  if (!a || !b) return;
  m_diffModel->setHorizontalHeaderLabels({tr("key"), a->label(), b->label()});
  const QColor changed(255, 170, 0, 70);  // translucent: readable on light and dark palettes
  for (const auto& row : diffConfigs(a->configJson, b->configJson)) {
    if (m_diffOnly->isChecked() && !row.differs) continue;
    auto value = [&](bool present, const QString& v) {
      auto* it = textItem(present ? v : tr("(absent)"));
      it->setToolTip(present ? v : tr("The key is not in this run's config"));
      if (!present) {
        QFont f = it->font();
        f.setItalic(true);
        it->setFont(f);
      }
      return it;
    };
    QList<QStandardItem*> items{textItem(row.key), value(row.presentA, row.a),
                                value(row.presentB, row.b)};
    if (row.differs) {
      for (auto* it : items) it->setBackground(changed);
    }
    m_diffModel->appendRow(items);
  }
  m_diffView->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  m_diffView->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
  m_diffView->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
}

QStringList ComparisonView::diffKeys() const {
  QStringList keys;
  for (int r = 0; r < m_diffModel->rowCount(); ++r) keys << m_diffModel->item(r, 0)->text();
  return keys;
}

// ---- Significance --------------------------------------------------------------------------

QWidget* ComparisonView::buildSignificanceTab() {
  auto* w = new QWidget(this);
  auto* l = new QVBoxLayout(w);
  auto* form = new QFormLayout;
  m_sigA = new QComboBox(w);
  m_sigB = new QComboBox(w);
  m_sigMetric = new QComboBox(w);
  m_sigMetric->setToolTip(tr("Per-user metric compared (artifact per_user_metrics.json)"));
  form->addRow(tr("Run A"), m_sigA);
  form->addRow(tr("Run B"), m_sigB);
  form->addRow(tr("Per-user metric"), m_sigMetric);
  l->addLayout(form);
  m_sigSummary = new QLabel(w);
  m_sigSummary->setWordWrap(true);
  m_sigSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  QFont bold = m_sigSummary->font();
  bold.setBold(true);
  m_sigSummary->setFont(bold);
  l->addWidget(m_sigSummary);
  m_sigNumbers = new QLabel(w);
  m_sigNumbers->setTextFormat(Qt::RichText);
  m_sigNumbers->setTextInteractionFlags(Qt::TextSelectableByMouse);
  l->addWidget(m_sigNumbers);
  auto* note = new QLabel(
      tr("Users both runs evaluated are paired by user id; d = A − B. Paired t-test "
         "(scipy ttest_rel) and Wilcoxon signed-rank (zero differences dropped; exact for "
         "n ≤ %1, else normal approximation with tie and continuity correction). "
         "p-values are two-sided.")
          .arg(eval::kWilcoxonExactMaxN),
      w);
  note->setWordWrap(true);
  note->setEnabled(false);
  l->addWidget(note);
  l->addStretch(1);
  for (auto* c : {m_sigA, m_sigB}) {
    connect(c, &QComboBox::currentIndexChanged, this, [this] {
      if (m_updating) return;
      fillMetricCombo();
      scheduleSignificance();
    });
  }
  connect(m_sigMetric, &QComboBox::currentIndexChanged, this, [this] {
    if (!m_updating) scheduleSignificance();
  });
  return w;
}

void ComparisonView::fillMetricCombo() {
  const bool was = m_updating;
  m_updating = true;
  const QString keep = m_sigMetric->currentText();
  m_sigMetric->clear();
  const RunMetrics* a = runById(m_sigA->currentData().toLongLong());
  const RunMetrics* b = runById(m_sigB->currentData().toLongLong());
  if (a && b) {
    for (const auto& [name, v] : a->metrics) {
      const bool ranking =
          name.find('@') != std::string::npos && name.find("_std") == std::string::npos;
      if (ranking && b->metrics.count(name)) {
        m_sigMetric->addItem(QString::fromStdString(name));
        m_sigMetric->setItemData(m_sigMetric->count() - 1, tip(QString::fromStdString(name)),
                                 Qt::ToolTipRole);
      }
    }
  }
  int i = m_sigMetric->findText(keep);
  if (i < 0) i = m_sigMetric->findText("recall@10");
  if (i < 0 && m_sigMetric->count() > 0) i = 0;
  m_sigMetric->setCurrentIndex(i);
  m_updating = was;
}

void ComparisonView::setSignificanceRuns(qint64 runA, qint64 runB) {
  QList<qint64> ids = checkedRuns();
  if (!ids.contains(runA) || !ids.contains(runB)) setCheckedRuns(ids << runA << runB);
  m_updating = true;
  m_sigA->setCurrentIndex(m_sigA->findData(runA));
  m_sigB->setCurrentIndex(m_sigB->findData(runB));
  m_updating = false;
  fillMetricCombo();
  scheduleSignificance();
}

void ComparisonView::setSignificanceMetric(const QString& metric) {
  const int i = m_sigMetric->findText(metric);
  if (i < 0) {
    // Not in both runs' final metrics: still try it, the worker says what is missing.
    m_updating = true;
    m_sigMetric->addItem(metric);
    m_sigMetric->setCurrentIndex(m_sigMetric->count() - 1);
    m_updating = false;
  } else {
    m_sigMetric->setCurrentIndex(i);
  }
  scheduleSignificance();
}

QStringList ComparisonView::significanceMetrics() const {
  QStringList out;
  for (int i = 0; i < m_sigMetric->count(); ++i) out << m_sigMetric->itemText(i);
  return out;
}

QString ComparisonView::significanceText() const { return m_sigSummary->text(); }

void ComparisonView::scheduleSignificance() {
  ++m_sigGeneration;  // whatever is in flight is stale now
  if (m_sigScheduled) return;
  m_sigScheduled = true;
  // One computation for a burst of changes (runs, then metric): start after they settle.
  QTimer::singleShot(0, this, [this] {
    m_sigScheduled = false;
    if (m_sigRunningGeneration < 0) startSignificance();
  });
}

void ComparisonView::startSignificance() {
  const qint64 a = m_sigA->currentData().toLongLong();
  const qint64 b = m_sigB->currentData().toLongLong();
  const QString metric = m_sigMetric->currentText();
  m_sigRunningGeneration = -1;
  if (m_sigA->currentIndex() < 0 || m_sigB->currentIndex() < 0 || a == b || metric.isEmpty()) {
    m_sig = SignificanceResult{};
    m_sig.message = m_runs.size() < 2 ? tr("Check two runs to compare them.")
                    : a == b          ? tr("Pick two different runs.")
                                      : tr("The two runs share no ranking metric with "
                                                    "per-user values.");
    showSignificance();
    Q_EMIT significanceFinished();
    return;
  }
  m_sigRunningGeneration = m_sigGeneration;
  m_sigSummary->setText(tr("Computing…"));
  m_sigNumbers->clear();
  m_sigWatcher->setFuture(QtConcurrent::run(compareRunsInStore, m_storePath, a, b, metric));
}

void ComparisonView::showSignificance() {
  const SignificanceResult& r = m_sig;
  m_sigSummary->setText(r.message);
  if (!r.ok) {
    m_sigNumbers->clear();
    return;
  }
  const auto& t = r.tTest;
  const auto& w = r.wilcoxon;
  auto num = [](double v, int prec = 4) {
    return std::isnan(v) ? QStringLiteral("n/a") : QString::number(v, 'g', prec);
  };
  QString html = "<table cellspacing='2' cellpadding='3'>";
  auto row = [&html](const QString& k, const QString& v) {
    html += QStringLiteral("<tr><td>%1</td><td><b>%2</b></td></tr>").arg(k, v);
  };
  row(tr("Users evaluated (A / B)"), QStringLiteral("%1 / %2").arg(r.usersA).arg(r.usersB));
  row(tr("Paired users n"), QString::number(r.n));
  row(tr("Mean %1 (A / B)").arg(r.metric),
      QStringLiteral("%1 / %2").arg(num(r.meanA), num(r.meanB)));
  row(tr("Mean difference A − B"), num(t.meanDiff));
  row(tr("Paired t-test"),
      QStringLiteral("t = %1, df = %2, p = %3").arg(num(t.t), num(t.df), formatP(t.pValue)));
  row(tr("Wilcoxon signed-rank"), QStringLiteral("W = %1 (W+ = %2, W− = %3)")
                                      .arg(num(w.statistic, 8), num(w.wPlus, 8), num(w.wMinus, 8)));
  row(QString(), QStringLiteral("%1p = %2 (%3; %4 zero differences dropped)")
                     .arg(w.exact ? QString() : QStringLiteral("z = %1, ").arg(num(w.z)),
                          formatP(w.pValue), w.exact ? tr("exact") : tr("normal approximation"))
                     .arg(w.zeros));
  html += "</table>";
  m_sigNumbers->setText(html);
}

}  // namespace reclab::widgets

#include "widgets/comparison_view.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QCursor>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "eval/metric_docs.h"
#include "store/store.h"
#include "widgets/message_bar.h"

namespace reclab::widgets {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kRunIdRole = Qt::UserRole + 1;
QString tip(const QString& metric) {
  return QString::fromStdString(eval::metricDefinition(metric.toStdString()));
}

/// The y axis top and tick step: about five steps of 1, 2, 2.5 or 5 times a power of ten,
/// the top at or above 1.05 times the data maximum.
std::pair<double, double> niceRange(double maxValue) {
  if (!(maxValue > 0)) return {1.0, 0.2};
  const double target = maxValue * 1.05;
  const double raw = target / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * mag;
  for (double f : {1.0, 2.0, 2.5, 5.0}) {
    if (f * mag >= raw) {
      step = f * mag;
      break;
    }
  }
  return {std::ceil(target / step - 1e-9) * step, step};
}

}  // namespace

ComparisonView::ComparisonView(const QString& storePath, QWidget* parent)
    : QWidget(parent), m_storePath(storePath) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  m_messages = new MessageBar(this);
  outer->addWidget(m_messages);

  auto* splitter = new QSplitter(Qt::Horizontal, this);
  outer->addWidget(splitter, 1);

  auto* picker = new QWidget(splitter);
  auto* pl = new QVBoxLayout(picker);
  pl->setContentsMargins(4, 4, 4, 4);
  pl->addWidget(new QLabel(tr("Finished runs"), picker));
  m_filter = new QLineEdit(picker);
  m_filter->setPlaceholderText(tr("Filter runs"));
  m_filter->setClearButtonEnabled(true);
  pl->addWidget(m_filter);
  m_runList = new QListWidget(picker);
  m_runList->setTextElideMode(Qt::ElideRight);
  m_runList->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  picker->setMinimumWidth(180);
  pl->addWidget(m_runList, 1);
  connect(m_filter, &QLineEdit::textChanged, this, &ComparisonView::setFilterText);
  connect(m_runList, &QListWidget::itemChanged, this, [this] {
    if (!m_updating) onPickChanged();
  });

  m_tabs = new QTabWidget(splitter);
  m_tabs->addTab(buildRankingTab(), tr("Ranking"));
  m_tabs->addTab(buildTablesTab(), tr("Tables"));
  m_tabs->addTab(buildDiffTab(), tr("Diff"));
  m_tabs->addTab(buildSignificanceTab(), tr("Significance"));
  splitter->setChildrenCollapsible(false);
  splitter->setStretchFactor(0, 0);
  splitter->setStretchFactor(1, 1);
  splitter->setSizes({220, 700});

  m_sigWatcher = new QFutureWatcher<SignificanceResult>(this);
  connect(m_sigWatcher, &QFutureWatcherBase::finished, this, [this] {
    const SignificanceResult r = m_sigWatcher->result();
    if (m_sigRunningGeneration != m_sigGeneration) {
      startSignificance();  // inputs changed meanwhile: this result is stale
      return;
    }
    m_sigRunningGeneration = -1;
    m_sig = r;
    showSignificance();
    Q_EMIT significanceFinished();
  });

  refresh();
}

ComparisonView::~ComparisonView() {
  if (m_sigWatcher->isRunning()) m_sigWatcher->waitForFinished();
}

bool ComparisonView::openStore() {
  if (m_store) return true;
  if (m_storePath.isEmpty()) return false;  // no store yet
  try {
    m_store = std::make_unique<store::Store>(m_storePath.toStdString());
    return true;
  } catch (const std::exception& e) {
    m_messages->showMessage(tr("Cannot open the store: %1").arg(QString::fromUtf8(e.what())));
    return false;
  }
}

void ComparisonView::setStorePath(const QString& storePath) {
  if (storePath == m_storePath && m_store) return;
  m_storePath = storePath;
  m_store.reset();
  setCheckedRuns({});
  refresh();
}

void ComparisonView::refresh() {
  const QList<qint64> keep = checkedRuns();
  m_updating = true;
  m_runList->clear();
  if (openStore()) {
    try {
      for (const auto& r : m_store->runs()) {
        if (r.status != store::RunStatus::Finished) continue;
        RunMetrics m;
        m.id = r.id;
        m.name = QString::fromStdString(r.name);
        m.model = QString::fromStdString(r.modelName);
        auto* it = new QListWidgetItem(m.label(), m_runList);
        it->setData(kRunIdRole, qint64(r.id));
        it->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
        it->setCheckState(keep.contains(r.id) ? Qt::Checked : Qt::Unchecked);
        it->setToolTip(QStringLiteral("%1\n%2 · %3 · %4")
                           .arg(m.label(), QString::fromStdString(r.modelName),
                                QString::fromStdString(r.task), QString::fromStdString(r.endedAt)));
      }
    } catch (const std::exception& e) {
      m_messages->showMessage(tr("Cannot read runs: %1").arg(QString::fromUtf8(e.what())));
    }
  }
  m_updating = false;
  setFilterText(m_filter->text());
  onPickChanged();
}

QList<qint64> ComparisonView::availableRuns() const {
  QList<qint64> ids;
  for (int i = 0; i < m_runList->count(); ++i) {
    ids << m_runList->item(i)->data(kRunIdRole).toLongLong();
  }
  return ids;
}

QList<qint64> ComparisonView::checkedRuns() const {
  QList<qint64> ids;
  for (int i = 0; i < m_runList->count(); ++i) {
    const auto* it = m_runList->item(i);
    if (it->checkState() == Qt::Checked) ids << it->data(kRunIdRole).toLongLong();
  }
  return ids;
}

void ComparisonView::setCheckedRuns(const QList<qint64>& runIds) {
  m_updating = true;
  for (int i = 0; i < m_runList->count(); ++i) {
    auto* it = m_runList->item(i);
    it->setCheckState(runIds.contains(it->data(kRunIdRole).toLongLong()) ? Qt::Checked
                                                                         : Qt::Unchecked);
  }
  m_updating = false;
  onPickChanged();
}

void ComparisonView::setRunChecked(qint64 runId, bool checked) {
  QList<qint64> ids = checkedRuns();
  ids.removeAll(runId);
  if (checked) ids << runId;
  setCheckedRuns(ids);
}

void ComparisonView::setFilterText(const QString& text) {
  if (m_filter->text() != text) m_filter->setText(text);  // re-enters through textChanged
  for (int i = 0; i < m_runList->count(); ++i) {
    auto* it = m_runList->item(i);
    it->setHidden(!text.isEmpty() && !it->text().contains(text, Qt::CaseInsensitive));
  }
}

const RunMetrics* ComparisonView::runById(qint64 id) const {
  for (const auto& r : m_runs) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

void ComparisonView::onPickChanged() {
  m_runs.clear();
  if (m_store) {
    try {
      m_runs = loadRunMetrics(*m_store, checkedRuns());
      std::sort(m_runs.begin(), m_runs.end(),
                [](const RunMetrics& a, const RunMetrics& b) { return a.id < b.id; });
    } catch (const std::exception& e) {
      m_messages->showMessage(tr("Cannot read runs: %1").arg(QString::fromUtf8(e.what())));
    }
  }
  rebuild();
}

void ComparisonView::rebuild() {
  rebuildChart();
  rebuildTables();
  fillRunCombos();
  rebuildDiff();
  fillMetricCombo();
  scheduleSignificance();
  Q_EMIT comparisonChanged();
}

// ---- Ranking -------------------------------------------------------------------------------

QWidget* ComparisonView::buildRankingTab() {
  auto* w = new QWidget(this);
  auto* l = new QVBoxLayout(w);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Metric"), w));
  m_family = new QComboBox(w);
  for (int i = 0; i < kRankingFamilyCount; ++i) {
    const auto f = RankingFamily(i);
    m_family->addItem(familyLabel(f), i);
    m_family->setItemData(i, tip(familyKey(f) + "@k"), Qt::ToolTipRole);
  }
  bar->addWidget(m_family);
  m_lines = new QCheckBox(tr("Lines over k"), w);
  m_lines->setToolTip(tr("One line per run over k instead of grouped bars"));
  bar->addWidget(m_lines);
  m_valueLabels = new QCheckBox(tr("Values on bars"), w);
  bar->addWidget(m_valueLabels);
  bar->addStretch(1);
  l->addLayout(bar);

  m_chart = new QChart;
  m_chart->legend()->setAlignment(Qt::AlignBottom);
  m_chart->setAnimationOptions(QChart::NoAnimation);
  m_chartView = new QChartView(m_chart, w);
  m_chartView->setRenderHint(QPainter::Antialiasing);
  m_chartView->setMinimumHeight(260);
  l->addWidget(m_chartView, 1);

  connect(m_family, &QComboBox::currentIndexChanged, this, [this] { rebuildChart(); });
  connect(m_lines, &QCheckBox::toggled, this, [this] { rebuildChart(); });
  connect(m_valueLabels, &QCheckBox::toggled, this, [this] { rebuildChart(); });
  return w;
}

void ComparisonView::setMetricFamily(RankingFamily family) {
  m_family->setCurrentIndex(int(family));
}
RankingFamily ComparisonView::metricFamily() const {
  return RankingFamily(m_family->currentIndex());
}
void ComparisonView::setLineChart(bool lines) { m_lines->setChecked(lines); }
bool ComparisonView::isLineChart() const { return m_lines->isChecked(); }

void ComparisonView::rebuildChart() {
  // One chart for the view's life (an exporter may keep it); only series and axes change.
  m_chart->removeAllSeries();
  for (auto* a : m_chart->axes()) {
    m_chart->removeAxis(a);
    delete a;
  }
  const RankingFamily f = metricFamily();
  m_ks = rankingKs(m_runs, f);
  const QString label = familyLabel(f);
  m_chart->setTitle(m_runs.empty()   ? tr("%1 — check runs to compare").arg(label)
                    : m_ks.isEmpty() ? tr("%1 — none of the picked runs has it").arg(label)
                                     : label);
  QStringList cats;
  for (int k : m_ks) cats << QString::number(k);
  auto* x = new QBarCategoryAxis;
  x->append(cats);
  x->setTitleText(tr("k (length of the recommendation list)"));
  auto* y = new QValueAxis;
  y->setTitleText(label);
  y->setLabelFormat("%.2f");
  m_chart->addAxis(x, Qt::AlignBottom);
  m_chart->addAxis(y, Qt::AlignLeft);

  double maxV = 0;
  const bool lines = isLineChart();
  QBarSeries* bars = lines ? nullptr : new QBarSeries;
  for (const auto& run : m_runs) {
    if (lines) {
      auto* s = new QLineSeries;
      s->setName(run.label());
      s->setPointsVisible(true);
      for (int i = 0; i < m_ks.size(); ++i) {
        const double v = rankingValue(run, f, m_ks[i]);
        if (std::isfinite(v)) s->append(i, v);
        if (std::isfinite(v)) maxV = std::max(maxV, v);
      }
      s->setPointLabelsVisible(m_valueLabels->isChecked());
      s->setPointLabelsFormat("@yPoint");
      m_chart->addSeries(s);
      s->attachAxis(x);
      s->attachAxis(y);
    } else {
      auto* set = new QBarSet(run.label());
      for (int k : m_ks) {
        const double v = rankingValue(run, f, k);
        set->append(std::isfinite(v) ? v : 0.0);  // absent: empty slot (see the tooltip)
        if (std::isfinite(v)) maxV = std::max(maxV, v);
      }
      bars->append(set);
    }
  }
  if (bars) {
    bars->setLabelsVisible(m_valueLabels->isChecked());
    bars->setLabelsPrecision(3);
    bars->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    connect(bars, &QBarSeries::hovered, this, [this, f](bool on, int index, QBarSet* set) {
      if (!on || index < 0 || index >= m_ks.size()) return QToolTip::hideText();
      const int k = m_ks[index];
      double v = kNaN;
      for (const auto& r : m_runs) {
        if (r.label() == set->label()) v = rankingValue(r, f, k);
      }
      QToolTip::showText(QCursor::pos(),
                         QStringLiteral("%1\n%2@%3 = %4")
                             .arg(set->label(), familyKey(f))
                             .arg(k)
                             .arg(std::isnan(v) ? tr("not measured") : QString::number(v, 'f', 4)));
    });
    m_chart->addSeries(bars);
    bars->attachAxis(x);
    bars->attachAxis(y);
  }
  const auto [top, step] = niceRange(maxV);
  y->setRange(0, top);
  y->setTickCount(int(std::lround(top / step)) + 1);
  if (lines && !m_ks.isEmpty()) x->setRange(cats.front(), cats.back());
  m_chart->legend()->setVisible(!m_runs.empty());
}

int ComparisonView::barSetCount() const {
  for (auto* s : m_chart->series()) {
    if (auto* b = qobject_cast<QBarSeries*>(s)) return int(b->count());
  }
  return 0;
}

int ComparisonView::lineSeriesCount() const {
  int n = 0;
  for (auto* s : m_chart->series()) n += qobject_cast<QLineSeries*>(s) ? 1 : 0;
  return n;
}

QStringList ComparisonView::categories() const {
  QStringList cats;
  for (int k : m_ks) cats << QString::number(k);
  return cats;
}

QStringList ComparisonView::seriesNames() const {
  QStringList names;
  for (auto* s : m_chart->series()) {
    if (auto* b = qobject_cast<QBarSeries*>(s)) {
      for (auto* set : b->barSets()) names << set->label();
    } else {
      names << s->name();
    }
  }
  return names;
}

double ComparisonView::barValue(qint64 runId, int k) const {
  const RunMetrics* r = runById(runId);
  if (!r || !m_ks.contains(k)) return kNaN;
  const int row = int(std::distance(m_runs.data(), r));
  const int col = int(m_ks.indexOf(k));
  if (isLineChart()) {
    int i = 0;
    for (auto* s : m_chart->series()) {
      auto* line = qobject_cast<QLineSeries*>(s);
      if (!line || i++ != row) continue;
      for (const QPointF& p : line->points()) {
        if (int(p.x()) == col) return p.y();
      }
    }
    return kNaN;
  }
  if (std::isnan(rankingValue(*r, metricFamily(), k))) return kNaN;
  for (auto* s : m_chart->series()) {
    if (auto* b = qobject_cast<QBarSeries*>(s); b && row < b->count()) {
      return b->barSets().at(row)->at(col);
    }
  }
  return kNaN;
}

}  // namespace reclab::widgets

#include "widgets/dataset_panel.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

#include "common/errors.h"
#include "widgets/column_mapping_dialog.h"
#include "widgets/interaction_log_model.h"

namespace reclab::widgets {

namespace {

constexpr data::Format kFormats[] = {data::Format::RetailRocket, data::Format::Yoochoose,
                                     data::Format::Diginetica,   data::Format::SessionRec,
                                     data::Format::MovieLens,    data::Format::AmazonCsv,
                                     data::Format::AmazonJsonl,  data::Format::Csv};

QChartView* makeChartView(QWidget* parent) {
  auto* chart = new QChart();
  chart->legend()->hide();
  chart->setMargins(QMargins(2, 2, 2, 2));
  auto* view = new QChartView(chart, parent);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumHeight(160);
  return view;
}

void fillBarChart(QChartView* view, const QString& title,
                  const std::vector<std::pair<std::string, std::uint64_t>>& bars) {
  QChart* chart = view->chart();
  chart->removeAllSeries();
  for (auto* axis : chart->axes()) {
    chart->removeAxis(axis);
    delete axis;
  }
  chart->setTitle(title);
  auto* set = new QBarSet(title);
  QStringList labels;
  double maxCount = 0;
  for (const auto& [label, count] : bars) {
    labels << QString::fromStdString(label);
    *set << static_cast<double>(count);
    maxCount = std::max(maxCount, static_cast<double>(count));
  }
  auto* series = new QBarSeries();
  series->append(set);
  chart->addSeries(series);
  auto* x = new QBarCategoryAxis();
  x->append(labels);
  auto* y = new QValueAxis();
  y->setRange(0, std::max(1.0, maxCount * 1.05));
  y->applyNiceNumbers();
  y->setLabelFormat("%.0f");
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
}

}  // namespace

DatasetPanel::DatasetPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);

  auto* top = new QHBoxLayout();
  m_loadedText = tr("No dataset loaded");
  m_pathLabel = new QLabel(m_loadedText, this);
  m_pathLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_pathLabel->setMinimumWidth(80);
  m_pathLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  QFont bold = m_pathLabel->font();
  bold.setBold(true);
  m_pathLabel->setFont(bold);
  m_format = new QComboBox(this);
  m_format->addItem(tr("auto-detect"), "auto");
  for (auto f : kFormats) {
    const QString name = QString::fromStdString(data::formatName(f));
    m_format->addItem(f == data::Format::Csv ? tr("Generic CSV...") : name, name);
  }
  m_format->setToolTip(tr("Format of the files to open"));
  m_open = new QPushButton(tr("Open..."), this);
  m_open->setToolTip(tr("Open dataset files (Ctrl+O)"));
  layout->addWidget(m_pathLabel);
  top->addWidget(new QLabel(tr("Format"), this));
  top->addWidget(m_format, 1);
  top->addWidget(m_open);
  layout->addLayout(top);

  // Minus one stands for "the format's default" (shown as text), the spin box's minimum.
  auto* gapRow = new QHBoxLayout();
  m_sessionGap = new QDoubleSpinBox(this);
  m_sessionGap->setRange(-1.0, 7.0 * 24 * 60);
  m_sessionGap->setDecimals(1);
  m_sessionGap->setSingleStep(5.0);
  m_sessionGap->setValue(-1.0);
  m_sessionGap->setSpecialValueText(tr("format default"));
  m_sessionGap->setSuffix(tr(" min"));
  m_sessionGap->setKeyboardTracking(false);  // one reload when typing ends, not per digit
  m_sessionGap->setToolTip(
      tr("Sessions are cut where a user is inactive for longer than this many minutes.\n"
         "format default: 30 min for RetailRocket (its events have no session column), the "
         "file's own sessions for the other formats.\n"
         "0: do not cut. Changing it reloads the open dataset; runs use the same value."));
  auto* gapLabel = new QLabel(tr("Session gap"), this);
  gapLabel->setBuddy(m_sessionGap);
  gapRow->addWidget(gapLabel);
  gapRow->addWidget(m_sessionGap, 1);
  layout->addLayout(gapRow);

  auto* progressRow = new QHBoxLayout();
  m_progress = new QProgressBar(this);
  m_progress->setRange(0, 1000);
  m_progress->setTextVisible(true);
  m_cancel = new QPushButton(tr("Cancel"), this);
  progressRow->addWidget(m_progress, 1);
  progressRow->addWidget(m_cancel);
  layout->addLayout(progressRow);
  m_progress->hide();
  m_cancel->hide();

  m_badRowToggle = new QToolButton(this);
  m_badRowToggle->setCheckable(true);
  m_badRowToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  m_badRowToggle->setArrowType(Qt::RightArrow);
  m_badRowToggle->setAutoRaise(true);
  m_badRows = new QListWidget(this);
  m_badRows->setMaximumHeight(120);
  layout->addWidget(m_badRowToggle);
  layout->addWidget(m_badRows);
  m_badRowToggle->hide();
  m_badRows->hide();

  m_tabs = new QTabWidget(this);
  m_logModel = new InteractionLogModel(this);
  m_preview = new QTableView(m_tabs);
  m_preview->setModel(m_logModel);
  m_preview->setAlternatingRowColors(true);
  m_preview->setSelectionBehavior(QAbstractItemView::SelectRows);
  // Fixed row heights: the view never measures millions of rows.
  m_preview->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  m_preview->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
  m_preview->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  m_preview->horizontalHeader()->setStretchLastSection(true);
  m_tabs->addTab(m_preview, tr("Preview"));

  m_stats = new QTableWidget(0, 2, m_tabs);
  m_stats->setHorizontalHeaderLabels({tr("Statistic"), tr("Value")});
  m_stats->verticalHeader()->hide();
  // Values are never cut: a narrow panel elides the statistic's name (full name as tooltip).
  m_stats->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  m_stats->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  m_stats->setTextElideMode(Qt::ElideRight);
  m_stats->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_stats->setAlternatingRowColors(true);
  m_stats->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  m_tabs->addTab(m_stats, tr("Statistics"));

  auto* charts = new QSplitter(Qt::Vertical, m_tabs);
  m_eventsChart = makeChartView(charts);
  m_histogramChart = makeChartView(charts);
  charts->addWidget(m_eventsChart);
  charts->addWidget(m_histogramChart);
  m_tabs->addTab(charts, tr("Charts"));
  layout->addWidget(m_tabs, 1);

  connect(m_open, &QPushButton::clicked, this, &DatasetPanel::chooseFiles);
  connect(m_cancel, &QPushButton::clicked, this, &DatasetPanel::cancelRequested);
  connect(m_sessionGap, &QDoubleSpinBox::valueChanged, this, &DatasetPanel::sessionGapChanged);
  connect(m_badRowToggle, &QToolButton::toggled, this, [this](bool open) {
    m_badRows->setVisible(open);
    m_badRowToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
  });
}

QString DatasetPanel::selectedFormat() const { return m_format->currentData().toString(); }

std::optional<double> DatasetPanel::sessionGapMinutes() const {
  const double v = m_sessionGap->value();
  if (v < 0) return std::nullopt;
  return v;
}

void DatasetPanel::setSessionGapMinutes(std::optional<double> minutes) {
  const QSignalBlocker block(m_sessionGap);
  m_sessionGap->setValue(minutes ? std::max(0.0, *minutes) : -1.0);
}

void DatasetPanel::setSelectedFormat(const QString& format) {
  const int i = m_format->findData(format);
  if (i >= 0) m_format->setCurrentIndex(i);
}

void DatasetPanel::chooseFiles() {
  const QStringList paths = QFileDialog::getOpenFileNames(
      this, tr("Open dataset files"), QString(),
      tr("Interaction logs (*.csv *.dat *.data *.json *.jsonl *.tsv *.txt);;All files (*)"));
  if (!paths.isEmpty()) openFiles(paths);
}

void DatasetPanel::chooseGenericCsv() {
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open a delimited file"), QString(),
      tr("Delimited files (*.csv *.tsv *.txt *.dat *.psv);;All files (*)"));
  if (path.isEmpty()) return;
  if (auto mapping = askMapping({path})) Q_EMIT openCsvRequested({path}, *mapping);
}

void DatasetPanel::openFiles(const QStringList& paths) {
  if (paths.isEmpty()) return;
  const QString format = selectedFormat();
  const bool allFiles = std::all_of(paths.begin(), paths.end(),
                                    [](const QString& p) { return QFileInfo(p).isFile(); });
  QString reason;
  if (format == "auto" && allFiles) {
    std::vector<std::string> files;
    for (const auto& p : paths) files.push_back(p.toStdString());
    try {
      data::detectFormat(files);  // reads the first line of a file at most
    } catch (const InputError& e) {
      reason = tr("The format could not be detected (%1). Map the columns to load it as a "
                  "generic delimited file.")
                   .arg(QString::fromStdString(e.what()));
    }
  }
  if (reason.isEmpty() && (format != "csv" || !allFiles)) {
    Q_EMIT openRequested(format, paths);
    return;
  }
  if (auto mapping = askMapping(paths, reason)) Q_EMIT openCsvRequested(paths, *mapping);
}

std::optional<data::ColumnMapping> DatasetPanel::askMapping(const QStringList& paths,
                                                            const QString& reason) {
  if (paths.isEmpty()) return std::nullopt;
  ColumnMappingDialog dialog(paths.front(), reason, this);
  if (dialog.exec() != QDialog::Accepted) return std::nullopt;
  return dialog.mapping();
}

void DatasetPanel::setLoading(bool loading, const QStringList& paths) {
  m_progress->setVisible(loading);
  m_cancel->setVisible(loading);
  m_open->setEnabled(!loading);
  if (!loading) {
    m_pathLabel->setText(m_loadedText);
    m_pathLabel->setToolTip(m_loadedTip);
  } else {
    m_progress->setValue(0);
    m_progress->setFormat(tr("loading %p%"));
    if (!paths.isEmpty()) {
      m_pathLabel->setText(tr("Loading %1...").arg(QFileInfo(paths.front()).fileName()));
      m_pathLabel->setToolTip(paths.join('\n'));
    }
  }
}

void DatasetPanel::setProgress(double fraction, const QString& stage) {
  m_progress->setValue(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000));
  m_progress->setFormat(stage.isEmpty() ? QString("%p%") : stage + " %p%");
}

std::shared_ptr<const data::LoadResult> DatasetPanel::dataset() const {
  return m_logModel->dataset();
}

void DatasetPanel::setDataset(std::shared_ptr<const data::LoadResult> result,
                              std::shared_ptr<const DatasetSummary> summary,
                              const QStringList& paths) {
  m_logModel->setDataset(result);
  m_preview->resizeColumnsToContents();
  if (!result) {
    m_loadedText = tr("No dataset loaded");
    m_loadedTip.clear();
    setLoading(false);
    m_badRowToggle->hide();
    m_badRows->hide();
    m_stats->setRowCount(0);
    return;
  }
  const QString first = paths.isEmpty() ? QString() : QFileInfo(paths.front()).fileName();
  m_loadedText = tr("%1 (%2, %3 rows)")
                     .arg(first, QString::fromStdString(data::formatName(result->format)),
                          QLocale::c().toString(qulonglong(result->log.numRows())));
  m_loadedTip = paths.join('\n');
  setLoading(false);
  showBadRows(result->report);

  m_stats->setRowCount(0);
  if (summary) {
    m_stats->setRowCount(static_cast<int>(summary->stats.size()));
    int row = 0;
    for (const auto& [key, value] : summary->stats) {
      auto* name = new QTableWidgetItem(QString::fromStdString(key));
      name->setToolTip(name->text());
      m_stats->setItem(row, 0, name);
      auto* v = new QTableWidgetItem(QString::fromStdString(value));
      v->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      m_stats->setItem(row, 1, v);
      ++row;
    }
    showCharts(*summary);
  }
}

void DatasetPanel::showBadRows(const data::LoadReport& report) {
  m_badRows->clear();
  const auto bad = report.badRowCount;
  const auto warnings = report.warnings.size();
  if (bad == 0 && warnings == 0) {
    m_badRowToggle->hide();
    m_badRows->hide();
    return;
  }
  QString text = tr("%1 bad rows skipped").arg(bad);
  if (warnings > 0) text += tr(", %1 warnings").arg(warnings);
  m_badRowToggle->setText(text);
  m_badRowToggle->setChecked(false);
  m_badRowToggle->show();
  for (const auto& w : report.warnings) {
    m_badRows->addItem(tr("warning: %1").arg(QString::fromStdString(w)));
  }
  for (const auto& b : report.badRows) m_badRows->addItem(QString::fromStdString(b.message()));
  if (bad > report.badRows.size()) {
    m_badRows->addItem(tr("... and %1 more").arg(bad - report.badRows.size()));
  }
}

void DatasetPanel::showCharts(const DatasetSummary& summary) {
  // A log with one event type says more through its value distribution (e.g. ratings).
  if (summary.eventsPerType.size() <= 1 && !summary.valueHistogram.empty()) {
    fillBarChart(m_eventsChart, QString::fromStdString(summary.valueHistogramTitle),
                 summary.valueHistogram);
  } else {
    fillBarChart(m_eventsChart, tr("Events per type"), summary.eventsPerType);
  }
  fillBarChart(m_histogramChart, QString::fromStdString(summary.histogramTitle), summary.histogram);
}

}  // namespace reclab::widgets

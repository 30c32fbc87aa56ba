#include "widgets/training_monitor.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

#include "widgets/classification_view.h"
#include "widgets/interaction_log_model.h"
#include "widgets/training_chart.h"

namespace reclab::widgets {

TrainingMonitor::TrainingMonitor(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  m_pages = new QTabWidget(this);
  m_pages->setDocumentMode(true);
  layout->addWidget(m_pages);

  auto* curves = new QWidget(m_pages);
  auto* curvesLayout = new QVBoxLayout(curves);
  curvesLayout->setContentsMargins(0, 2, 0, 0);
  curvesLayout->setSpacing(2);
  m_chart = new TrainingChart(curves);
  auto* controls = new QHBoxLayout();
  controls->setContentsMargins(6, 0, 6, 0);
  auto* label = new QLabel(tr("Smoothing"), curves);
  m_smoothing = new QSlider(Qt::Horizontal, curves);
  m_smoothing->setRange(0, static_cast<int>(std::lround(TrainingChart::kMaxSmoothing * 100)));
  m_smoothing->setPageStep(10);
  m_smoothing->setMinimumWidth(60);
  m_smoothing->setMaximumWidth(200);
  m_smoothing->setToolTip(
      tr("Weight w of the debiased exponential moving average drawn over each per-batch curve "
         "(0 = raw values only; the raw curve stays visible, fainter)"));
  label->setBuddy(m_smoothing);
  m_smoothingValue = new QLabel(curves);
  m_smoothingValue->setMinimumWidth(fontMetrics().horizontalAdvance("0.000"));
  m_resetZoom = new QToolButton(curves);
  m_resetZoom->setDefaultAction(m_chart->resetZoomAction());
  m_resetZoom->setToolButtonStyle(Qt::ToolButtonTextOnly);
  controls->addWidget(label);
  controls->addWidget(m_smoothing, 1);
  controls->addWidget(m_smoothingValue);
  controls->addStretch(1);
  controls->addWidget(m_resetZoom);
  curvesLayout->addLayout(controls);
  curvesLayout->addWidget(m_chart, 1);
  m_pages->addTab(curves, tr("Curves"));

  auto* split = new QSplitter(Qt::Vertical, m_pages);
  m_classification = new ClassificationView(split);
  auto* rowsBox = new QWidget(split);
  auto* rowsLayout = new QVBoxLayout(rowsBox);
  rowsLayout->setContentsMargins(0, 0, 0, 0);
  m_rowsCaption = new QLabel(rowsBox);
  m_rowsCaption->setWordWrap(true);
  m_rowsModel = new InteractionLogModel(this);
  m_rowsView = new QTableView(rowsBox);
  m_rowsView->setModel(m_rowsModel);
  m_rowsView->setAlternatingRowColors(true);
  m_rowsView->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_rowsView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  m_rowsView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
  m_rowsView->horizontalHeader()->setStretchLastSection(true);
  rowsLayout->addWidget(m_rowsCaption);
  rowsLayout->addWidget(m_rowsView, 1);
  split->addWidget(m_classification);
  split->addWidget(rowsBox);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setChildrenCollapsible(false);
  m_pages->addTab(split, tr("Classification"));
  m_pages->setTabVisible(1, false);
  clearRows();

  connect(m_smoothing, &QSlider::valueChanged, this,
          [this](int hundredths) { m_chart->setSmoothing(hundredths / 100.0); });
  connect(m_chart, &TrainingChart::smoothingChanged, this, &TrainingMonitor::showSmoothing);
  m_smoothing->setValue(static_cast<int>(std::lround(m_chart->smoothing() * 100)));
  showSmoothing(m_chart->smoothing());
}

void TrainingMonitor::showSmoothing(double weight) {
  m_smoothingValue->setText(QString::number(weight, 'f', 2));
  const int hundredths = static_cast<int>(std::lround(weight * 100));
  if (m_smoothing->value() != hundredths) m_smoothing->setValue(hundredths);
}

void TrainingMonitor::setClassificationVisible(bool visible) {
  if (!visible && m_pages->currentIndex() == 1) m_pages->setCurrentIndex(0);
  m_pages->setTabVisible(1, visible);
}

bool TrainingMonitor::isClassificationVisible() const { return m_pages->isTabVisible(1); }

void TrainingMonitor::showRows(std::shared_ptr<const data::LoadResult> dataset,
                               std::vector<std::uint32_t> rows, const QString& caption) {
  m_rowsModel->setDataset(std::move(dataset), std::move(rows));
  m_rowsCaption->setText(caption);
  m_rowsView->resizeColumnsToContents();
}

void TrainingMonitor::clearRows(const QString& message) {
  m_rowsModel->setDataset(nullptr);
  m_rowsCaption->setText(
      message.isEmpty() ? tr("Click a cell of the confusion matrix to list its rows.") : message);
}

}  // namespace reclab::widgets

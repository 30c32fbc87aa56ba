#pragma once
/// The training monitor tab, two pages: "Curves", the live training chart under a smoothing
/// slider (0 .. 0.99, default 0.6) and a Reset zoom button; and "Classification" (shown only
/// while there is a classification report), the ClassificationView with a drill-down table
/// under it listing the log rows of the confusion-matrix cell last clicked (user, item, event,
/// time, ... with the dataset's original ids). The monitor draws what it is given; the window
/// decides which run it follows.

#include <QWidget>
#include <cstdint>
#include <memory>
#include <vector>

#include "data/load.h"

class QLabel;
class QSlider;
class QSplitter;
class QTabWidget;
class QTableView;
class QToolButton;

namespace reclab::widgets {

class ClassificationView;
class InteractionLogModel;
class TrainingChart;

class TrainingMonitor : public QWidget {
  Q_OBJECT

 public:
  explicit TrainingMonitor(QWidget* parent = nullptr);

  TrainingChart* chart() const { return m_chart; }
  ClassificationView* classification() const { return m_classification; }
  /// Smoothing in hundredths: 0 .. 99 for weights 0 .. 0.99.
  QSlider* smoothingSlider() const { return m_smoothing; }
  QToolButton* resetZoomButton() const { return m_resetZoom; }
  QTableView* rowsView() const { return m_rowsView; }
  InteractionLogModel* rowsModel() const { return m_rowsModel; }
  QLabel* rowsCaption() const { return m_rowsCaption; }

  /// The "Curves" and "Classification" pages.
  QTabWidget* pages() const { return m_pages; }
  /// Shows or hides the "Classification" page (the report, the matrix and the drill-down).
  void setClassificationVisible(bool visible);
  bool isClassificationVisible() const;
  /// Lists `rows` of `dataset` in the drill-down table under `caption`.
  void showRows(std::shared_ptr<const data::LoadResult> dataset, std::vector<std::uint32_t> rows,
                const QString& caption);
  /// Empties the drill-down table and shows `message` in its place (e.g. why nothing is listed).
  void clearRows(const QString& message = {});

 private:
  void showSmoothing(double weight);

  TrainingChart* m_chart;
  QSlider* m_smoothing;
  QLabel* m_smoothingValue;
  QToolButton* m_resetZoom;
  QTabWidget* m_pages;
  ClassificationView* m_classification;
  QLabel* m_rowsCaption;
  QTableView* m_rowsView;
  InteractionLogModel* m_rowsModel;
};

}  // namespace reclab::widgets

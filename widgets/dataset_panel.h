#pragma once
/// The dataset panel: which file is loaded, an Open... button with a format choice (auto or
/// one of the eight formats), a load progress bar with Cancel, the bad rows of the last load
/// (count, and the listed ones in a collapsible list), and three tabs: a preview table over
/// the columnar log, a statistics table, and charts (events per type, one histogram).
///
/// The panel loads nothing itself: it emits openRequested() / cancelRequested() and shows
/// what the window gives it with setLoading(), setProgress() and setDataset().

#include <QWidget>
#include <memory>

#include "data/load.h"
#include "widgets/dataset_summary.h"

class QChartView;
class QComboBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableView;
class QTableWidget;
class QTabWidget;
class QToolButton;

namespace reclab::widgets {

class InteractionLogModel;

class DatasetPanel : public QWidget {
  Q_OBJECT

 public:
  explicit DatasetPanel(QWidget* parent = nullptr);

  /// "auto" or a format name (data::formatName).
  QString selectedFormat() const;
  void setSelectedFormat(const QString& format);

  /// Shows a loaded dataset; `paths` are the files it came from.
  void setDataset(std::shared_ptr<const data::LoadResult> result,
                  std::shared_ptr<const DatasetSummary> summary, const QStringList& paths);
  std::shared_ptr<const data::LoadResult> dataset() const;
  /// Shows the progress bar and Cancel while loading `paths`.
  void setLoading(bool loading, const QStringList& paths = {});
  void setProgress(double fraction, const QString& stage);

  InteractionLogModel* logModel() const { return m_logModel; }
  QTableView* previewView() const { return m_preview; }
  QTableWidget* statsTable() const { return m_stats; }
  QListWidget* badRowList() const { return m_badRows; }
  QTabWidget* tabs() const { return m_tabs; }

 Q_SIGNALS:
  void openRequested(const QString& format, const QStringList& paths);
  void cancelRequested();

 public Q_SLOTS:
  /// Asks for files with a file dialog, then emits openRequested().
  void chooseFiles();

 private:
  void showBadRows(const data::LoadReport& report);
  void showCharts(const DatasetSummary& summary);

  QLabel* m_pathLabel;
  QString m_loadedText;  ///< the label while not loading
  QString m_loadedTip;
  QComboBox* m_format;
  QPushButton* m_open;
  QProgressBar* m_progress;
  QPushButton* m_cancel;
  QToolButton* m_badRowToggle;
  QListWidget* m_badRows;
  QTabWidget* m_tabs;
  QTableView* m_preview;
  InteractionLogModel* m_logModel;
  QTableWidget* m_stats;
  QChartView* m_eventsChart;
  QChartView* m_histogramChart;
};

}  // namespace reclab::widgets

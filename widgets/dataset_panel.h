#pragma once
/// The dataset panel: which file is loaded, an Open... button with a format choice (auto or
/// one of the eight formats), the inactivity gap that cuts sessions, a load progress bar with Cancel, the bad rows of the last load
/// (count, and the listed ones in a collapsible list), and three tabs: a preview table over
/// the columnar log, a statistics table, and charts (events per type, one histogram).
///
/// Files whose format cannot be detected, and files opened as "Generic CSV...", go through the
/// ColumnMappingDialog first and are then requested with openCsvRequested().
///
/// The panel loads nothing itself: it emits openRequested() / openCsvRequested() /
/// cancelRequested() and shows what the window gives it with setLoading(), setProgress() and
/// setDataset().

#include <QWidget>
#include <memory>
#include <optional>

#include "data/load.h"
#include "widgets/dataset_summary.h"

class QChartView;
class QComboBox;
class QDoubleSpinBox;
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

  /// The inactivity gap that cuts sessions when loading (data::LoadOptions::sessionGapMinutes):
  /// nullopt = the format's default (30 min for RetailRocket, the file's own sessions
  /// otherwise), 0 = do not cut. Setting it emits nothing.
  std::optional<double> sessionGapMinutes() const;
  void setSessionGapMinutes(std::optional<double> minutes);
  QDoubleSpinBox* sessionGapEditor() const { return m_sessionGap; }

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
  /// Open `paths` as Format::Csv with `mapping` (chosen in the column-mapping dialog).
  void openCsvRequested(const QStringList& paths, const reclab::data::ColumnMapping& mapping);
  void cancelRequested();
  /// The user changed the session gap (the window reloads the open dataset with it).
  void sessionGapChanged();

 public Q_SLOTS:
  /// Asks for files with a file dialog, then opens them with openFiles().
  void chooseFiles();
  /// Asks for one delimited file, then for its column mapping ("Generic CSV...").
  void chooseGenericCsv();
  /// Opens `paths` in the selected format: emits openRequested(), except for "csv" and for a
  /// file whose format auto-detection fails (data::detectFormat), which first go through the
  /// column-mapping dialog (then openCsvRequested(), or nothing when it is cancelled).
  void openFiles(const QStringList& paths);
  /// Shows the column-mapping dialog for `paths` (the first one previewed); `reason` says why.
  /// Returns the mapping chosen, nullopt when cancelled.
  std::optional<data::ColumnMapping> askMapping(const QStringList& paths,
                                                const QString& reason = {});

 private:
  void showBadRows(const data::LoadReport& report);
  void showCharts(const DatasetSummary& summary);

  QLabel* m_pathLabel;
  QString m_loadedText;  ///< the label while not loading
  QString m_loadedTip;
  QComboBox* m_format;
  QPushButton* m_open;
  QDoubleSpinBox* m_sessionGap;
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

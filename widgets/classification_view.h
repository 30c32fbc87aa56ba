#pragma once
/// The classification view of the training monitor: a classification report table (precision,
/// recall, F1 and support per class, then accuracy, macro avg and weighted avg, as
/// scikit-learn's classification_report) and the confusion matrix as a heat map (true classes
/// as rows, predicted classes as columns; each cell shows its count and its share of the row,
/// coloured by that share). Clicking a cell emits cellActivated() with the log rows the model
/// listed for it, for a drill-down table (Orange's confusion-matrix drill-down).
///
/// It shows the JSON a model reports through Observer::onEvaluation("classification", ...) and
/// that the runner stores as the artefact "classification.json"; the format is described in
/// docs/user-guide.md, "Run artefacts".

#include <QAbstractTableModel>
#include <QList>
#include <QMap>
#include <QPair>
#include <QStringList>
#include <QWidget>
#include <optional>

class QLabel;
class QStandardItemModel;
class QTableView;

namespace reclab::widgets {

/// One row of a classification report.
struct ClassReportLine {
  QString label;
  double precision = 0, recall = 0, f1 = 0;
  qint64 support = 0;
};

/// A parsed "classification" evaluation.
struct ClassificationResult {
  int epoch = 0;  ///< 0 when not given
  QString split;  ///< e.g. "valid", "test"; empty when not given
  QStringList classes;
  QList<ClassReportLine> rows;
  std::optional<double> accuracy;
  std::optional<ClassReportLine> macro, weighted;
  QList<QList<qint64>> confusion;  ///< classes x classes, [true][predicted]
  /// (true, predicted) -> log row indices listed for that cell (at most 200 each).
  QMap<QPair<int, int>, QList<qint64>> cellRows;
  QList<double> aucOvr;  ///< one per class (NaN where the JSON has null); empty when absent
  std::optional<double> logLoss;

  /// Parses the JSON text. Throws reclab::InputError naming the field and the reason, e.g.
  /// "classification JSON: confusion row 2 has 2 entries, expected 3 (one per class)".
  static ClassificationResult fromJson(const QByteArray& json);
};

/// The confusion matrix as a table model: DisplayRole = count, ShareRole = count / row total
/// (0 for an empty row), ToolTipRole = a sentence. Headers are the class names.
class ConfusionMatrixModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Role { ShareRole = Qt::UserRole + 1 };

  using QAbstractTableModel::QAbstractTableModel;
  void setMatrix(const QStringList& classes, const QList<QList<qint64>>& counts);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  QStringList m_classes;
  QList<QList<qint64>> m_counts;
  QList<qint64> m_rowTotals;
};

class ClassificationView : public QWidget {
  Q_OBJECT

 public:
  explicit ClassificationView(QWidget* parent = nullptr);

  /// Parses and shows `json`. On bad JSON keeps what was shown, returns false and sets `error`.
  bool setJson(const QByteArray& json, QString* error = nullptr);
  void setResult(const ClassificationResult& result);
  /// Empties the view ("no classification report").
  void clear();
  bool hasResult() const { return m_result.has_value(); }
  const std::optional<ClassificationResult>& result() const { return m_result; }
  /// A line above the tables, e.g. "Run 4 (live)".
  void setCaption(const QString& caption);

  QLabel* summaryLabel() const { return m_summary; }
  QTableView* reportView() const { return m_reportView; }
  QStandardItemModel* reportModel() const { return m_report; }
  QTableView* matrixView() const { return m_matrixView; }
  ConfusionMatrixModel* matrixModel() const { return m_matrix; }

 Q_SIGNALS:
  /// A confusion-matrix cell was clicked: its classes and the log rows listed for it (empty
  /// when the JSON lists none).
  void cellActivated(int trueClass, int predictedClass, const QList<qint64>& rows);

 private:
  void fillReport(const ClassificationResult& r);
  void onCellClicked(const QModelIndex& index);

  QLabel* m_caption;
  QLabel* m_summary;
  QTableView* m_reportView;
  QStandardItemModel* m_report;
  QTableView* m_matrixView;
  ConfusionMatrixModel* m_matrix;
  std::optional<ClassificationResult> m_result;
};

}  // namespace reclab::widgets

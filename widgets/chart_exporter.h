#pragma once
/// The one exporter every chart and table uses: PNG (scaled for crisp figures), SVG, the data as
/// CSV, and the clipboard (image + CSV text). `attach()` gives a chart view a context menu with
/// these actions and Orange's Alt+S "save image" shortcut; `attachTable()` does the same for a
/// table view (CSV and copy).
///
/// Files are written through QSaveFile: a failed export leaves an existing file untouched. Errors
/// never open a dialog: the functions return false with a message, and the attached actions report
/// it to a MessageBar (or through ExportActions::failed).
///
/// CSV (RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled, CRLF line ends):
/// - XY series (line, spline, scatter): header `series,<x>,<y>` where <x> / <y> are the titles of
///   the axes the series are attached to ("x" / "y" when untitled or when the series disagree);
///   then one row per point. A date-time x axis writes ISO-8601 times.
/// - Bar series: header `<category axis title or "category">,<set 1>,<set 2>,...`; one row per
///   category. Several bar series, or bar and XY series in one chart, give blocks separated by
///   one empty line.
/// Numbers are written in the shortest form that reads back exactly; NaN as an empty field.

#include <QObject>
#include <QString>
#include <QStringList>
#include <functional>

class QAbstractItemModel;
class QAbstractItemView;
class QChart;
class QChartView;
class QImage;
class QWidget;

namespace reclab::widgets {

class MessageBar;

/// Actions attached to one chart or table view; reports the outcome of each export.
class ExportActions : public QObject {
  Q_OBJECT

 public:
  using QObject::QObject;

 Q_SIGNALS:
  void exported(const QString& path);
  void copied();
  void failed(const QString& error);
};

class ChartExporter {
 public:
  /// Asks for a path to save to (the parent widget and a suggested file name with its
  /// extension). Returns an empty string when the user cancels. Defaults to a QFileDialog;
  /// tests replace it so nothing blocks.
  using PathAsker = std::function<QString(QWidget* parent, const QString& suggested)>;
  static PathAsker askSavePath;

  /// Renders the view at `scale` times its size (device pixel ratio `scale`).
  static QImage renderImage(QChartView* view, qreal scale = 2.0);
  /// Writes the view as a PNG of `scale` times its size.
  static bool exportPng(QChartView* view, const QString& path, qreal scale = 2.0,
                        QString* error = nullptr);
  static bool exportSvg(QChartView* view, const QString& path, QString* error = nullptr);
  /// The data of every series of `chart` as CSV text (format in the file comment).
  static QString chartCsv(const QChart* chart);
  static bool exportCsv(const QChart* chart, const QString& path, QString* error = nullptr);
  /// Puts the rendered image (scale 1) and the CSV text (text/plain and text/csv) on the
  /// clipboard.
  static void copyToClipboard(QChartView* view);

  /// The header and display text of every cell of `model` as CSV text.
  static QString tableCsv(const QAbstractItemModel* model);
  static bool exportTableCsv(const QAbstractItemModel* model, const QString& path,
                             QString* error = nullptr);
  static void copyTableToClipboard(const QAbstractItemModel* model);

  /// Saves by the extension of `path`: .svg as SVG, .csv as the data, anything else as PNG.
  static bool exportByExtension(QChartView* view, const QString& path, QString* error = nullptr);

  /// Adds to `view` a context menu (Save as PNG..., Save as SVG..., Save data as CSV..., Copy)
  /// and the Alt+S shortcut (active while the view has focus) that asks for a path, PNG by
  /// default, and saves by the chosen extension. Outcomes go to `messages` when given. The
  /// returned object is a child of `view`. `baseName` is the suggested file name without
  /// extension (the chart title when empty).
  static ExportActions* attach(QChartView* view, MessageBar* messages = nullptr,
                               const QString& baseName = {});
  /// Adds Save table as CSV... and Copy to a table view's context menu.
  static ExportActions* attachTable(QAbstractItemView* view, MessageBar* messages = nullptr,
                                    const QString& baseName = QStringLiteral("table"));

  /// One CSV field, quoted when needed (RFC 4180).
  static QString csvField(const QString& text);
  /// Writes `bytes` to `path` atomically; false with "Cannot write <path>: <reason>".
  static bool writeFile(const QString& path, const QByteArray& bytes, QString* error);
};

}  // namespace reclab::widgets

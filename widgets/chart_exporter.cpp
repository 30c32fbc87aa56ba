#include "widgets/chart_exporter.h"

#include <QAbstractBarSeries>
#include <QAbstractItemModel>
#include <QAbstractItemView>
#include <QAction>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QBuffer>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QGuiApplication>
#include <QImage>
#include <QMimeData>
#include <QPainter>
#include <QPieSeries>
#include <QPieSlice>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QXYSeries>
#include <cmath>

#include "widgets/message_bar.h"

namespace reclab::widgets {

namespace {

const QString kEol = QStringLiteral("\r\n");

QString number(double v) {
  if (!std::isfinite(v)) return {};
  return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

QString csvRow(const QStringList& fields) {
  QStringList quoted;
  quoted.reserve(fields.size());
  for (const QString& f : fields) quoted << ChartExporter::csvField(f);
  return quoted.join(QLatin1Char(',')) + kEol;
}

QAbstractAxis* firstAxis(const QChart* chart, Qt::Orientation o, QAbstractSeries* s) {
  const auto axes = chart->axes(o, s);
  return axes.isEmpty() ? nullptr : axes.first();
}

/// The common title of the `o` axes of `series`, or `fallback` when untitled or they disagree.
QString commonTitle(const QChart* chart, const QList<QXYSeries*>& series, Qt::Orientation o,
                    const QString& fallback) {
  QString title;
  for (int i = 0; i < series.size(); ++i) {
    QAbstractAxis* axis = firstAxis(chart, o, series[i]);
    const QString t = axis ? axis->titleText() : QString();
    if (t.isEmpty() || (i > 0 && t != title)) return fallback;
    title = t;
  }
  return title.isEmpty() ? fallback : title;
}

QString xyBlock(const QChart* chart, const QList<QXYSeries*>& series) {
  QString out = csvRow({QStringLiteral("series"),
                        commonTitle(chart, series, Qt::Horizontal, QStringLiteral("x")),
                        commonTitle(chart, series, Qt::Vertical, QStringLiteral("y"))});
  for (QXYSeries* s : series) {
    const bool dates = qobject_cast<QDateTimeAxis*>(firstAxis(chart, Qt::Horizontal, s)) != nullptr;
    const auto points = s->points();
    for (const QPointF& p : points) {
      const QString x = dates ? QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(p.x()), Qt::UTC)
                                    .toString(Qt::ISODateWithMs)
                              : number(p.x());
      out += csvRow({s->name(), x, number(p.y())});
    }
  }
  return out;
}

QString barBlock(const QChart* chart, QAbstractBarSeries* series) {
  QBarCategoryAxis* catAxis = nullptr;
  for (Qt::Orientation o : {Qt::Horizontal, Qt::Vertical}) {
    for (QAbstractAxis* a : chart->axes(o, series)) {
      if (auto* c = qobject_cast<QBarCategoryAxis*>(a)) catAxis = c;
    }
  }
  const auto sets = series->barSets();
  QStringList header{catAxis && !catAxis->titleText().isEmpty() ? catAxis->titleText()
                                                                : QStringLiteral("category")};
  qsizetype rows = catAxis ? catAxis->count() : 0;
  for (QBarSet* set : sets) {
    header << set->label();
    rows = std::max<qsizetype>(rows, set->count());
  }
  QString out = csvRow(header);
  for (qsizetype i = 0; i < rows; ++i) {
    QStringList row{catAxis && i < catAxis->count() ? catAxis->at(i) : QString::number(i + 1)};
    for (QBarSet* set : sets) row << (i < set->count() ? number(set->at(i)) : QString());
    out += csvRow(row);
  }
  return out;
}

QString pieBlock(QPieSeries* series) {
  QString out = csvRow({QStringLiteral("slice"), QStringLiteral("value")});
  for (QPieSlice* slice : series->slices()) out += csvRow({slice->label(), number(slice->value())});
  return out;
}

QString suggestedBase(QChartView* view, const QString& baseName) {
  QString base = baseName.isEmpty() && view->chart() ? view->chart()->title() : baseName;
  base.remove(QRegularExpression(QStringLiteral("<[^>]*>")));  // rich-text titles
  base = base.trimmed().toLower();
  base.replace(QRegularExpression(QStringLiteral("[^a-z0-9@._-]+")), QStringLiteral("_"));
  return base.isEmpty() ? QStringLiteral("chart") : base;
}

QString lastDirectory;  ///< where the previous export went (GUI thread only)

QString defaultAsk(QWidget* parent, const QString& suggested) {
  const QString dir = lastDirectory.isEmpty() ? QDir::homePath() : lastDirectory;
  const QString ext = QFileInfo(suggested).suffix().toLower();
  const QString png = QObject::tr("PNG image (*.png)");
  const QString svg = QObject::tr("SVG image (*.svg)");
  const QString csv = QObject::tr("CSV data (*.csv)");
  // "Save data as CSV..." and tables offer CSV only; images offer every format.
  const bool csvOnly = ext == QLatin1String("csv");
  QString selected = ext == QLatin1String("svg") ? svg : csvOnly ? csv : png;
  const QString filters = csvOnly ? csv : QStringList{png, svg, csv}.join(QStringLiteral(";;"));
  return QFileDialog::getSaveFileName(parent, QObject::tr("Save"),
                                      dir + QLatin1Char('/') + suggested, filters, &selected);
}

void report(ExportActions* actions, MessageBar* messages, bool ok, const QString& path,
            const QString& error) {
  if (ok) {
    lastDirectory = QFileInfo(path).absolutePath();
    if (messages) messages->showMessage(QObject::tr("Saved %1").arg(path), MessageBar::Level::Info);
    Q_EMIT actions->exported(path);
  } else {
    if (messages) messages->showMessage(error, MessageBar::Level::Error);
    Q_EMIT actions->failed(error);
  }
}

/// A view never shown still has its resize pending; render() delivers it, and the chart lays
/// itself out on a posted event, which is delivered here.
void layOut(QChartView* view) {
  if (view->isVisible()) return;
  QImage probe(1, 1, QImage::Format_ARGB32_Premultiplied);
  view->QWidget::render(&probe);
  if (view->chart()) QCoreApplication::sendPostedEvents(view->chart(), QEvent::LayoutRequest);
}

/// Paints the chart's scene (not the widget: no window background around the chart, and no
/// double scaling on high-DPI images) over the chart's background colour, antialiased.
void paintChart(QChartView* view, QPainter& painter) {
  const QSizeF size = view->size();
  const QBrush background = view->chart() ? view->chart()->backgroundBrush() : QBrush(Qt::white);
  painter.fillRect(QRectF(QPointF(0, 0), size),
                   background.style() == Qt::SolidPattern ? background.color() : QColor(Qt::white));
  painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                         QPainter::SmoothPixmapTransform);
  if (!view->scene()) return;
  const QRectF source = view->mapToScene(QRect(QPoint(0, 0), view->size())).boundingRect();
  view->scene()->render(&painter, QRectF(QPointF(0, 0), size), source, Qt::IgnoreAspectRatio);
}

}  // namespace

ChartExporter::PathAsker ChartExporter::askSavePath = defaultAsk;

QString ChartExporter::csvField(const QString& text) {
  static const QRegularExpression special(QStringLiteral("[,\"\r\n]"));
  if (!text.contains(special)) return text;
  QString escaped = text;
  escaped.replace(QLatin1Char('"'), QStringLiteral("\"\""));
  return QLatin1Char('"') + escaped + QLatin1Char('"');
}

bool ChartExporter::writeFile(const QString& path, const QByteArray& bytes, QString* error) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
    if (error) {
      *error = QObject::tr("Cannot write %1: %2")
                   .arg(QDir::toNativeSeparators(path), file.errorString());
    }
    return false;
  }
  return true;
}

QImage ChartExporter::renderImage(QChartView* view, qreal scale) {
  layOut(view);
  QImage image(view->size() * scale, QImage::Format_ARGB32_Premultiplied);
  image.setDevicePixelRatio(scale);
  QPainter painter(&image);
  paintChart(view, painter);
  return image;
}

bool ChartExporter::exportPng(QChartView* view, const QString& path, qreal scale, QString* error) {
  const QImage image = renderImage(view, scale);
  QByteArray bytes;
  QBuffer buffer(&bytes);
  buffer.open(QIODevice::WriteOnly);
  if (!image.save(&buffer, "PNG")) {
    if (error) *error = QObject::tr("Cannot encode the chart as PNG");
    return false;
  }
  return writeFile(path, bytes, error);
}

bool ChartExporter::exportSvg(QChartView* view, const QString& path, QString* error) {
  layOut(view);
  QByteArray bytes;
  QBuffer buffer(&bytes);
  buffer.open(QIODevice::WriteOnly);
  QSvgGenerator generator;
  generator.setOutputDevice(&buffer);
  generator.setSize(view->size());
  generator.setViewBox(QRect(QPoint(0, 0), view->size()));
  generator.setTitle(view->chart() ? view->chart()->title() : QString());
  generator.setDescription(QStringLiteral("RecLab chart"));
  QPainter painter;
  if (!painter.begin(&generator)) {
    if (error) *error = QObject::tr("Cannot start the SVG writer");
    return false;
  }
  paintChart(view, painter);
  painter.end();
  return writeFile(path, bytes, error);
}

QString ChartExporter::chartCsv(const QChart* chart) {
  QStringList blocks;
  QList<QXYSeries*> xy;
  for (QAbstractSeries* s : chart->series()) {
    if (auto* x = qobject_cast<QXYSeries*>(s)) xy << x;
  }
  if (!xy.isEmpty()) blocks << xyBlock(chart, xy);
  for (QAbstractSeries* s : chart->series()) {
    if (auto* bars = qobject_cast<QAbstractBarSeries*>(s)) blocks << barBlock(chart, bars);
    if (auto* pie = qobject_cast<QPieSeries*>(s)) blocks << pieBlock(pie);
  }
  return blocks.join(kEol);
}

bool ChartExporter::exportCsv(const QChart* chart, const QString& path, QString* error) {
  return writeFile(path, chartCsv(chart).toUtf8(), error);
}

void ChartExporter::copyToClipboard(QChartView* view) {
  auto* mime = new QMimeData();
  mime->setImageData(renderImage(view, 1.0));
  const QString csv = view->chart() ? chartCsv(view->chart()) : QString();
  mime->setText(csv);
  mime->setData(QStringLiteral("text/csv"), csv.toUtf8());
  QGuiApplication::clipboard()->setMimeData(mime);
}

QString ChartExporter::tableCsv(const QAbstractItemModel* model) {
  QStringList header;
  for (int c = 0; c < model->columnCount(); ++c) {
    header << model->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
  }
  QString out = csvRow(header);
  for (int r = 0; r < model->rowCount(); ++r) {
    QStringList row;
    for (int c = 0; c < model->columnCount(); ++c) {
      row << model->data(model->index(r, c), Qt::DisplayRole).toString();
    }
    out += csvRow(row);
  }
  return out;
}

bool ChartExporter::exportTableCsv(const QAbstractItemModel* model, const QString& path,
                                   QString* error) {
  return writeFile(path, tableCsv(model).toUtf8(), error);
}

void ChartExporter::copyTableToClipboard(const QAbstractItemModel* model) {
  auto* mime = new QMimeData();
  const QString csv = tableCsv(model);
  mime->setText(csv);
  mime->setData(QStringLiteral("text/csv"), csv.toUtf8());
  QGuiApplication::clipboard()->setMimeData(mime);
}

bool ChartExporter::exportByExtension(QChartView* view, const QString& path, QString* error) {
  const QString ext = QFileInfo(path).suffix().toLower();
  if (ext == QLatin1String("svg")) return exportSvg(view, path, error);
  if (ext == QLatin1String("csv")) {
    if (!view->chart()) {
      if (error) *error = QObject::tr("The chart has no data");
      return false;
    }
    return exportCsv(view->chart(), path, error);
  }
  return exportPng(view, path, 2.0, error);
}

ExportActions* ChartExporter::attach(QChartView* view, MessageBar* messages,
                                     const QString& baseName) {
  auto* actions = new ExportActions(view);
  auto saveAs = [view, messages, actions, baseName](const QString& ext) {
    const QString path = askSavePath(view, suggestedBase(view, baseName) + ext);
    if (path.isEmpty()) return;
    QString error;
    const bool ok = exportByExtension(view, path, &error);
    report(actions, messages, ok, path, error);
  };
  auto* png = new QAction(QObject::tr("Save as PNG..."), view);
  png->setShortcut(QKeySequence(Qt::ALT | Qt::Key_S));
  png->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  QObject::connect(png, &QAction::triggered, actions, [saveAs] { saveAs(QStringLiteral(".png")); });
  auto* svg = new QAction(QObject::tr("Save as SVG..."), view);
  QObject::connect(svg, &QAction::triggered, actions, [saveAs] { saveAs(QStringLiteral(".svg")); });
  auto* csv = new QAction(QObject::tr("Save data as CSV..."), view);
  QObject::connect(csv, &QAction::triggered, actions, [saveAs] { saveAs(QStringLiteral(".csv")); });
  auto* copy = new QAction(QObject::tr("Copy"), view);
  QObject::connect(copy, &QAction::triggered, actions, [view, messages, actions] {
    copyToClipboard(view);
    if (messages) {
      messages->showMessage(QObject::tr("Chart image and data copied"), MessageBar::Level::Info);
    }
    Q_EMIT actions->copied();
  });
  view->addActions({png, svg, csv, copy});
  view->setContextMenuPolicy(Qt::ActionsContextMenu);
  if (view->focusPolicy() == Qt::NoFocus) view->setFocusPolicy(Qt::StrongFocus);
  return actions;
}

ExportActions* ChartExporter::attachTable(QAbstractItemView* view, MessageBar* messages,
                                          const QString& baseName) {
  auto* actions = new ExportActions(view);
  auto* csv = new QAction(QObject::tr("Save table as CSV..."), view);
  QObject::connect(csv, &QAction::triggered, actions, [view, messages, actions, baseName] {
    if (!view->model()) return;
    const QString path = askSavePath(view, baseName + QStringLiteral(".csv"));
    if (path.isEmpty()) return;
    QString error;
    const bool ok = exportTableCsv(view->model(), path, &error);
    report(actions, messages, ok, path, error);
  });
  auto* copy = new QAction(QObject::tr("Copy table"), view);
  QObject::connect(copy, &QAction::triggered, actions, [view, messages, actions] {
    if (!view->model()) return;
    copyTableToClipboard(view->model());
    if (messages) messages->showMessage(QObject::tr("Table copied"), MessageBar::Level::Info);
    Q_EMIT actions->copied();
  });
  view->addActions({csv, copy});
  view->setContextMenuPolicy(Qt::ActionsContextMenu);
  return actions;
}

}  // namespace reclab::widgets

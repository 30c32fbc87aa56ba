/// test_export: the chart / table exporter and HTML run reports, offscreen.

#include <QAbstractItemView>
#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QFile>
#include <QImage>
#include <QLineSeries>
#include <QMimeData>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QVBoxLayout>
#include <QValueAxis>
#include <memory>

#include "common/errors.h"
#include "store/store.h"
#include "widgets/chart_exporter.h"
#include "widgets/message_bar.h"
#include "widgets/run_report.h"

using reclab::widgets::ChartExporter;
using reclab::widgets::ExportActions;
using reclab::widgets::MessageBar;

namespace {

/// Two line series on axes titled "epoch" and "loss".
std::unique_ptr<QChartView> lineChart() {
  auto view = std::make_unique<QChartView>();
  auto* chart = new QChart();
  view->setChart(chart);
  chart->setTitle(QStringLiteral("Training curves"));
  auto* x = new QValueAxis();
  x->setTitleText(QStringLiteral("epoch"));
  auto* y = new QValueAxis();
  y->setTitleText(QStringLiteral("loss"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  auto* train = new QLineSeries();
  train->setName(QStringLiteral("train_loss"));
  train->append({QPointF(1, 0.5), QPointF(2, 0.25), QPointF(3, 0.125)});
  auto* val = new QLineSeries();
  val->setName(QStringLiteral("val_loss"));
  val->append({QPointF(1, 0.75), QPointF(2, 0.6)});
  for (QLineSeries* s : {train, val}) {
    chart->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
  }
  x->setRange(1, 3);
  y->setRange(0, 1);
  view->resize(400, 300);
  return view;
}

/// Grouped bars: two models over two categories; one set label needs quoting.
std::unique_ptr<QChartView> barChart() {
  auto view = std::make_unique<QChartView>();
  auto* chart = new QChart();
  view->setChart(chart);
  chart->setTitle(QStringLiteral("Recall@k"));
  auto* mf = new QBarSet(QStringLiteral("MF, dim 32"));
  *mf << 0.1 << 0.2;
  auto* als = new QBarSet(QStringLiteral("ALS"));
  *als << 0.15 << 0.3;
  auto* series = new QBarSeries();
  series->append(mf);
  series->append(als);
  chart->addSeries(series);
  auto* cats = new QBarCategoryAxis();
  cats->append({QStringLiteral("Recall@5"), QStringLiteral("Recall@10")});
  cats->setTitleText(QStringLiteral("metric"));
  auto* y = new QValueAxis();
  y->setRange(0, 0.35);
  chart->addAxis(cats, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(cats);
  series->attachAxis(y);
  view->resize(500, 320);
  return view;
}

QByteArray readAll(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return f.readAll();
}

const char* kLineCsv =
    "series,epoch,loss\r\n"
    "train_loss,1,0.5\r\n"
    "train_loss,2,0.25\r\n"
    "train_loss,3,0.125\r\n"
    "val_loss,1,0.75\r\n"
    "val_loss,2,0.6\r\n";

const char* kBarCsv =
    "metric,\"MF, dim 32\",ALS\r\n"
    "Recall@5,0.1,0.15\r\n"
    "Recall@10,0.2,0.3\r\n";

}  // namespace

class TestExport : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  QString path(const QString& name) const { return m_dir.filePath(name); }

 private Q_SLOTS:
  void init() { ChartExporter::askSavePath = nullptr; }

  void lineCsvExact() {
    auto view = lineChart();
    QVERIFY(ChartExporter::exportCsv(view->chart(), path("line.csv")));
    QCOMPARE(QString::fromUtf8(readAll(path("line.csv"))), QString::fromLatin1(kLineCsv));
  }

  void barCsvExact() {
    auto view = barChart();
    QVERIFY(ChartExporter::exportCsv(view->chart(), path("bar.csv")));
    QCOMPARE(QString::fromUtf8(readAll(path("bar.csv"))), QString::fromLatin1(kBarCsv));
  }

  void mixedChartWritesTwoBlocks() {
    auto view = barChart();
    auto* line = new QLineSeries();
    line->setName(QStringLiteral("trend"));
    line->append(0, 1.5);
    view->chart()->addSeries(line);  // no axes attached: generic x / y
    QCOMPARE(ChartExporter::chartCsv(view->chart()),
             QStringLiteral("series,x,y\r\ntrend,0,1.5\r\n\r\n") + QString::fromLatin1(kBarCsv));
  }

  void pngHasScaledSizeAndContent() {
    for (auto* make : {&lineChart, &barChart}) {
      auto view = make();
      const QString file = path("chart.png");
      QString error;
      QVERIFY2(ChartExporter::exportPng(view.get(), file, 2.0, &error), qPrintable(error));
      QImage image(file);
      QVERIFY(!image.isNull());
      QCOMPARE(image.size(), view->size() * 2);
      // Something was drawn: the image is not one flat colour.
      const QRgb corner = image.pixel(0, 0);
      int differing = 0;
      for (int y = 0; y < image.height(); y += 7) {
        for (int x = 0; x < image.width(); x += 7) differing += image.pixel(x, y) != corner;
      }
      QVERIFY2(differing > 100, qPrintable(QString::number(differing)));
      // The 2x image is the same picture as the 1x one, only finer (not a cropped zoom).
      const QImage small =
          ChartExporter::renderImage(view.get(), 1.0).convertToFormat(QImage::Format_RGB32);
      const QImage halved =
          image.scaled(small.size(), Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
              .convertToFormat(QImage::Format_RGB32);
      double diff = 0;
      for (int y = 0; y < small.height(); ++y) {
        for (int x = 0; x < small.width(); ++x) {
          diff += std::abs(qGray(small.pixel(x, y)) - qGray(halved.pixel(x, y)));
        }
      }
      diff /= small.width() * small.height();
      QVERIFY2(diff < 12, qPrintable(QString::number(diff)));
    }
    auto view = lineChart();
    QVERIFY(ChartExporter::exportPng(view.get(), QStringLiteral("/tmp/export_line_chart.png")));
  }

  void svgIsSvg() {
    auto view = barChart();
    QString error;
    QVERIFY2(ChartExporter::exportSvg(view.get(), path("bar.svg"), &error), qPrintable(error));
    const QByteArray svg = readAll(path("bar.svg"));
    QVERIFY(svg.startsWith("<?xml"));
    QVERIFY(svg.contains("<svg"));
    QVERIFY(svg.contains("<path"));
    QVERIFY(svg.contains("Recall@10"));  // axis labels are text
    QVERIFY(svg.trimmed().endsWith("</svg>"));
  }

  void tableCsvQuotesRfc4180() {
    QStandardItemModel model(2, 3);
    model.setHorizontalHeaderLabels(
        {QStringLiteral("user"), QStringLiteral("note, free"), QStringLiteral("score")});
    model.setItem(0, 0, new QStandardItem(QStringLiteral("u1")));
    model.setItem(0, 1, new QStandardItem(QStringLiteral("said \"hi\", twice")));
    model.setItem(0, 2, new QStandardItem(QStringLiteral("0.5")));
    model.setItem(1, 0, new QStandardItem(QStringLiteral("u2")));
    model.setItem(1, 1, new QStandardItem(QStringLiteral("two\nlines")));
    // (1, 2) left empty
    QVERIFY(ChartExporter::exportTableCsv(&model, path("table.csv")));
    QCOMPARE(QString::fromUtf8(readAll(path("table.csv"))),
             QStringLiteral("user,\"note, free\",score\r\n"
                            "u1,\"said \"\"hi\"\", twice\",0.5\r\n"
                            "u2,\"two\nlines\",\r\n"));
  }

  void clipboardHasImageAndText() {
    auto view = lineChart();
    QGuiApplication::clipboard()->clear();
    ChartExporter::copyToClipboard(view.get());
    const QMimeData* mime = QGuiApplication::clipboard()->mimeData();
    QVERIFY(mime);
    QVERIFY(mime->hasImage());
    QVERIFY(!qvariant_cast<QImage>(mime->imageData()).isNull());
    QVERIFY(mime->hasText());
    QCOMPARE(mime->text(), QString::fromLatin1(kLineCsv));
    QCOMPARE(mime->data(QStringLiteral("text/csv")), QByteArray(kLineCsv));

    QStandardItemModel model(1, 1);
    model.setHorizontalHeaderLabels({QStringLiteral("a")});
    model.setItem(0, 0, new QStandardItem(QStringLiteral("x,y")));
    ChartExporter::copyTableToClipboard(&model);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("a\r\n\"x,y\"\r\n"));
  }

  void contextMenuActions() {
    auto view = lineChart();
    ChartExporter::attach(view.get());
    QStringList texts;
    for (QAction* a : view->actions()) texts << a->text();
    QCOMPARE(texts,
             (QStringList{"Save as PNG...", "Save as SVG...", "Save data as CSV...", "Copy"}));
    QCOMPARE(view->contextMenuPolicy(), Qt::ActionsContextMenu);
    QCOMPARE(view->actions().first()->shortcut(), QKeySequence(QStringLiteral("Alt+S")));
  }

  void altSSavesWithInjectedPath() {
    QWidget window;
    auto* layout = new QVBoxLayout(&window);
    auto* bar = new MessageBar();
    auto view = lineChart();
    layout->addWidget(bar);
    layout->addWidget(view.get());
    ExportActions* actions = ChartExporter::attach(view.get(), bar);
    QSignalSpy exported(actions, &ExportActions::exported);
    QString suggested;
    const QString target = path("alt_s.png");
    ChartExporter::askSavePath = [&](QWidget*, const QString& s) {
      suggested = s;
      return target;
    };
    window.resize(500, 400);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    view->setFocus();
    QTRY_VERIFY(view->hasFocus());
    const QSize sizeAtSave = view->size();  // the message bar appearing afterwards shrinks it
    QTest::keyClick(view.get(), Qt::Key_S, Qt::AltModifier);
    QCOMPARE(exported.count(), 1);
    QCOMPARE(suggested, QStringLiteral("training_curves.png"));
    QCOMPARE(exported.first().first().toString(), target);
    const QImage image(target);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), sizeAtSave * 2);
    QCOMPARE(bar->level(), MessageBar::Level::Info);
    QVERIFY(bar->text().contains(target));

    // Without focus on the chart, Alt+S does nothing.
    layout->removeWidget(view.get());
    auto* other = new QTableView();
    layout->addWidget(other);
    other->setFocus();
    QTRY_VERIFY(other->hasFocus());
    QTest::keyClick(other, Qt::Key_S, Qt::AltModifier);
    QCOMPARE(exported.count(), 1);

    // The CSV action saves the data under the chosen extension.
    ChartExporter::askSavePath = [&](QWidget*, const QString& s) {
      suggested = s;
      return path("via_action.csv");
    };
    view->actions().at(2)->trigger();
    QCOMPARE(suggested, QStringLiteral("training_curves.csv"));
    QCOMPARE(QString::fromUtf8(readAll(path("via_action.csv"))), QString::fromLatin1(kLineCsv));
    // Cancelling the dialog writes nothing and reports nothing.
    ChartExporter::askSavePath = [](QWidget*, const QString&) { return QString(); };
    view->actions().at(1)->trigger();
    QCOMPARE(exported.count(), 2);
  }

  void unwritablePathFailsWithMessage() {
    auto view = lineChart();
    const QString bad = path("no_such_dir/chart.png");
    QString error;
    QVERIFY(!ChartExporter::exportPng(view.get(), bad, 2.0, &error));
    QVERIFY2(error.startsWith(QStringLiteral("Cannot write ")), qPrintable(error));
    QVERIFY(error.contains(QStringLiteral("chart.png")));
    QVERIFY(!ChartExporter::exportSvg(view.get(), path("no_such_dir/c.svg"), &error));
    QVERIFY(!ChartExporter::exportCsv(view->chart(), path("no_such_dir/c.csv"), &error));

    MessageBar bar;
    ExportActions* actions = ChartExporter::attach(view.get(), &bar);
    QSignalSpy failed(actions, &ExportActions::failed);
    ChartExporter::askSavePath = [&](QWidget*, const QString&) { return bad; };
    view->actions().first()->trigger();
    QCOMPARE(failed.count(), 1);
    QCOMPARE(bar.level(), MessageBar::Level::Error);
    QVERIFY2(bar.text().contains(QStringLiteral("Cannot write")), qPrintable(bar.text()));
    QVERIFY(!QApplication::activeModalWidget());
    QVERIFY(!QFile::exists(bad));
  }

  void tableActionsSaveCsv() {
    QStandardItemModel model(1, 2);
    model.setHorizontalHeaderLabels({QStringLiteral("metric"), QStringLiteral("value")});
    model.setItem(0, 0, new QStandardItem(QStringLiteral("recall@10")));
    model.setItem(0, 1, new QStandardItem(QStringLiteral("0.25")));
    QTableView table;
    table.setModel(&model);
    ExportActions* actions = ChartExporter::attachTable(&table, nullptr, QStringLiteral("metrics"));
    QSignalSpy exported(actions, &ExportActions::exported);
    QString suggested;
    ChartExporter::askSavePath = [&](QWidget*, const QString& s) {
      suggested = s;
      return path("metrics.csv");
    };
    table.actions().first()->trigger();
    QCOMPARE(exported.count(), 1);
    QCOMPARE(suggested, QStringLiteral("metrics.csv"));
    QCOMPARE(readAll(path("metrics.csv")), QByteArray("metric,value\r\nrecall@10,0.25\r\n"));
  }

  void runReportEmbedsChartsAndMetrics() {
    const std::string db = path("report.sqlite").toStdString();
    std::int64_t a = 0, b = 0;
    {
      reclab::store::Store st(db);
      reclab::store::RunRecord r;
      r.name = "mf <baseline>";
      r.modelName = "mf";
      r.task = "ranking";
      r.configJson = R"({"model":{"name":"mf","dim":32},"seed":7})";
      r.seed = 7;
      r.status = reclab::store::RunStatus::Running;
      a = st.createRun(r);
      std::vector<reclab::store::CurvePoint> pts;
      for (int e = 1; e <= 3; ++e) {
        pts.push_back({"train_loss", e, e * 10, 1.0 / e});
        pts.push_back({"val_recall@10", e, e * 10, 0.05 * e});
        pts.push_back({"batch_loss", e, e * 10 - 5, 1.2 / e});
      }
      st.addCurvePoints(a, pts, 3);
      st.setMetrics(a, {{"recall@10", 0.1234}, {"ndcg@10", 0.0567}});
      st.finishRun(a, reclab::store::RunStatus::Finished);
      r.name = "als";
      r.modelName = "als";
      b = st.createRun(r);
      st.setMetrics(b, {{"recall@10", 0.2}});
    }
    const auto dataA = reclab::widgets::loadRunReportData(db, a);
    const auto dataB = reclab::widgets::loadRunReportData(db, b);
    QVERIFY_THROWS_EXCEPTION(reclab::InputError, reclab::widgets::loadRunReportData(db, 999));

    std::vector<reclab::widgets::ReportSection> sections;
    sections.push_back(reclab::widgets::makeComparisonSection({dataA, dataB}));
    sections.push_back(reclab::widgets::makeRunSection(dataA));
    QCOMPARE(sections.back().figures.size(), std::size_t(3));  // loss, per-epoch, per-batch
    auto bars = barChart();
    sections.back().addChart(bars.get());
    QCOMPARE(sections.back().figures.back().caption, QStringLiteral("Recall@k"));

    const QString file = path("report.html");
    QString error;
    QVERIFY2(
        reclab::widgets::writeRunReport(file, QStringLiteral("Report & <test>"), sections, &error),
        qPrintable(error));
    const QString html = QString::fromUtf8(readAll(file));
    QVERIFY(html.startsWith(QStringLiteral("<!DOCTYPE html>")));
    QVERIFY(html.contains(QStringLiteral("<h1>Report &amp; &lt;test&gt;</h1>")));
    QVERIFY(html.contains(QStringLiteral("mf &lt;baseline&gt; (#%1)").arg(a)));
    QVERIFY(!html.contains(QStringLiteral("<baseline>")));
    QVERIFY(html.contains(QStringLiteral("als (#%1)").arg(b)));
    QVERIFY(html.contains(QStringLiteral("<td>recall@10</td><td>0.1234</td>")));
    QVERIFY(html.contains(QStringLiteral("<td>ndcg@10</td><td>0.0567</td>")));
    // comparison row: ndcg@10 missing for the second run
    QVERIFY(html.contains(QStringLiteral("<td>ndcg@10</td><td>0.0567</td><td></td>")));
    QVERIFY(html.contains(QStringLiteral("&quot;dim&quot;: 32")));  // pretty, escaped config
    QCOMPARE(html.count(QStringLiteral("<img src=\"data:image/png;base64,")), 4);

    // The first embedded figure decodes to the chart at twice its logical size.
    static const QRegularExpression img(
        QStringLiteral("base64,([A-Za-z0-9+/=]+)\" width=\"(\\d+)\""));
    const auto m = img.match(html);
    QVERIFY(m.hasMatch());
    QImage figure;
    QVERIFY(figure.loadFromData(QByteArray::fromBase64(m.captured(1).toLatin1()), "PNG"));
    QCOMPARE(figure.width(), 2 * m.captured(2).toInt());
    figure.save(QStringLiteral("/tmp/export_report_figure.png"));
    QFile::remove(QStringLiteral("/tmp/export_report.html"));
    QFile::copy(file, QStringLiteral("/tmp/export_report.html"));

    QVERIFY(!reclab::widgets::writeRunReport(path("nodir/r.html"), QStringLiteral("x"), sections,
                                             &error));
    QVERIFY(error.startsWith(QStringLiteral("Cannot write")));
  }
};

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  TestExport t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_export.moc"

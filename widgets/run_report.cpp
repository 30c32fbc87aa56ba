#include "widgets/run_report.h"

#include <QBuffer>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QLineSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "common/errors.h"
#include "widgets/chart_exporter.h"

namespace reclab::widgets {

namespace {

QString esc(const QString& s) { return s.toHtmlEscaped(); }
QString qs(const std::string& s) { return QString::fromStdString(s); }

QString metricValue(double v) {
  return std::isfinite(v) ? QString::number(v, 'g', 6) : QStringLiteral("n/a");
}

QString imageDataUri(const QImage& image) {
  QByteArray bytes;
  QBuffer buffer(&bytes);
  buffer.open(QIODevice::WriteOnly);
  image.save(&buffer, "PNG");
  return QStringLiteral("data:image/png;base64,") + QString::fromLatin1(bytes.toBase64());
}

QString tableHtml(const ReportTable& t) {
  QString out = QStringLiteral("<table>\n");
  if (!t.caption.isEmpty()) out += QStringLiteral("<caption>%1</caption>\n").arg(esc(t.caption));
  if (!t.header.isEmpty()) {
    out += QStringLiteral("<tr>");
    for (const QString& h : t.header) out += QStringLiteral("<th>%1</th>").arg(esc(h));
    out += QStringLiteral("</tr>\n");
  }
  for (const QStringList& row : t.rows) {
    out += QStringLiteral("<tr>");
    for (const QString& cell : row) out += QStringLiteral("<td>%1</td>").arg(esc(cell));
    out += QStringLiteral("</tr>\n");
  }
  return out + QStringLiteral("</table>\n");
}

QString prettyJson(const std::string& json) {
  if (json.empty()) return {};
  try {
    return qs(nlohmann::json::parse(json).dump(2));
  } catch (const nlohmann::json::exception&) {
    return qs(json);  // shown as stored
  }
}

/// A line chart of the given curves (one series per metric) rendered into a figure.
ReportFigure curveFigure(const QString& title, const QString& xTitle,
                         const std::map<std::string, QList<QPointF>>& curves) {
  QChartView view;
  auto* chart = new QChart();
  view.setChart(chart);
  view.setRenderHint(QPainter::Antialiasing);
  chart->setTitle(title.toHtmlEscaped());  // chart titles are rich text
  chart->legend()->setAlignment(Qt::AlignBottom);
  auto* x = new QValueAxis();
  x->setTitleText(xTitle);
  x->setLabelFormat(QStringLiteral("%g"));
  auto* y = new QValueAxis();
  y->setTitleText(QStringLiteral("value"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  double minX = std::numeric_limits<double>::max(), maxX = std::numeric_limits<double>::lowest();
  double minY = minX, maxY = maxX;
  for (const auto& [name, points] : curves) {
    auto* series = new QLineSeries();
    series->setName(qs(name));
    series->replace(points);
    if (points.size() <= 50) series->setPointsVisible(true);
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
    for (const QPointF& p : points) {
      minX = std::min(minX, p.x());
      maxX = std::max(maxX, p.x());
      minY = std::min(minY, p.y());
      maxY = std::max(maxY, p.y());
    }
  }
  if (minX <= maxX) {
    x->setRange(minX, maxX > minX ? maxX : minX + 1);
    const double span = maxX - minX;
    if (xTitle == QLatin1String("epoch") && span >= 1 && span <= 12 && span == std::floor(span)) {
      x->setTickCount(static_cast<int>(span) + 1);  // one tick per epoch
    } else {
      x->applyNiceNumbers();
    }
    const double pad = maxY > minY ? 0.05 * (maxY - minY) : 0.5;
    y->setRange(minY - pad, maxY + pad);
    y->applyNiceNumbers();
  }
  view.resize(800, 420);
  return {title, ChartExporter::renderImage(&view, 2.0)};
}

}  // namespace

void ReportSection::addChart(QChartView* view, const QString& caption, qreal scale) {
  const QString text = caption.isEmpty() && view->chart() ? view->chart()->title() : caption;
  figures.push_back({text, ChartExporter::renderImage(view, scale)});
}

QString reportHtml(const QString& title, const std::vector<ReportSection>& sections) {
  QString out;
  out += QStringLiteral(
             "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             "<title>%1</title>\n<style>\n"
             "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;"
             "color:#222}\n"
             "h1{border-bottom:2px solid #ccc}h2{margin-top:2em;border-bottom:1px solid #ddd}\n"
             "table{border-collapse:collapse;margin:1em 0}caption{text-align:left;"
             "font-weight:bold;padding:.3em 0}\n"
             "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}"
             "th{background:#f2f2f2}\n"
             "td{font-variant-numeric:tabular-nums}\n"
             "pre{background:#f7f7f7;border:1px solid #ddd;padding:.6em;overflow:auto;"
             "font-size:90%}\n"
             "figure{margin:1em 0}img{max-width:100%;height:auto}"
             "figcaption{color:#555;font-size:90%}\n"
             "footer{margin-top:3em;color:#888;font-size:85%}\n"
             "</style>\n</head>\n<body>\n<h1>%1</h1>\n")
             .arg(esc(title));
  for (const ReportSection& s : sections) {
    out += QStringLiteral("<section>\n<h2>%1</h2>\n").arg(esc(s.heading));
    for (const QString& p : s.paragraphs) out += QStringLiteral("<p>%1</p>\n").arg(esc(p));
    for (const ReportTable& t : s.tables) out += tableHtml(t);
    for (const ReportFigure& f : s.figures) {
      const QSizeF size = f.image.deviceIndependentSize();
      out += QStringLiteral("<figure><img src=\"%1\" width=\"%2\" height=\"%3\" alt=\"%4\">")
                 .arg(imageDataUri(f.image))
                 .arg(qRound(size.width()))
                 .arg(qRound(size.height()))
                 .arg(esc(f.caption));
      if (!f.caption.isEmpty()) {
        out += QStringLiteral("<figcaption>%1</figcaption>").arg(esc(f.caption));
      }
      out += QStringLiteral("</figure>\n");
    }
    for (const ReportCode& c : s.code) {
      if (!c.caption.isEmpty()) out += QStringLiteral("<h3>%1</h3>\n").arg(esc(c.caption));
      out += QStringLiteral("<pre>%1</pre>\n").arg(esc(c.text));
    }
    out += QStringLiteral("</section>\n");
  }
  out += QStringLiteral("<footer>Generated by RecLab on %1</footer>\n</body>\n</html>\n")
             .arg(QDateTime::currentDateTime().toString(Qt::ISODate));
  return out;
}

bool writeRunReport(const QString& path, const QString& title,
                    const std::vector<ReportSection>& sections, QString* error) {
  return ChartExporter::writeFile(path, reportHtml(title, sections).toUtf8(), error);
}

QString runLabel(const store::RunRecord& run) {
  return QStringLiteral("%1 (#%2)").arg(qs(run.name)).arg(run.id);
}

RunReportData loadRunReportData(const std::string& storePath, std::int64_t runId) {
  store::Store st(storePath);
  auto run = st.run(runId);
  if (!run) throw InputError(storePath + ": no run with id " + std::to_string(runId));
  return {*run, st.metrics(runId), st.curve(runId)};
}

ReportSection makeRunSection(const RunReportData& data) {
  const store::RunRecord& r = data.run;
  ReportSection s;
  s.heading = QStringLiteral("Run %1").arg(runLabel(r));
  ReportTable facts;
  facts.caption = QStringLiteral("Run");
  facts.header = {QStringLiteral("field"), QStringLiteral("value")};
  facts.rows << QStringList{QStringLiteral("model"), qs(r.modelName)}
             << QStringList{QStringLiteral("task"), qs(r.task)}
             << QStringList{QStringLiteral("status"), qs(store::statusName(r.status))}
             << QStringList{QStringLiteral("seed"), QString::number(r.seed)}
             << QStringList{QStringLiteral("started"), qs(r.startedAt)}
             << QStringList{QStringLiteral("ended"), qs(r.endedAt)}
             << QStringList{QStringLiteral("epochs done"), QString::number(r.epochsDone)};
  if (!r.errorText.empty()) facts.rows << QStringList{QStringLiteral("error"), qs(r.errorText)};
  s.tables.push_back(facts);

  ReportTable metrics;
  metrics.caption = QStringLiteral("Final metrics");
  metrics.header = {QStringLiteral("metric"), QStringLiteral("value")};
  for (const auto& [name, value] : data.metrics) {
    metrics.rows << QStringList{qs(name), metricValue(value)};
  }
  if (metrics.rows.isEmpty()) {
    s.paragraphs << QStringLiteral("No final metrics were recorded.");
  } else {
    s.tables.push_back(metrics);
  }

  // Timings (samples per second, seconds) get their own chart: their scale would flatten the rest.
  auto isTiming = [](const std::string& m) {
    return m.find("per_second") != std::string::npos || m.find("seconds") != std::string::npos ||
           m.find("time") != std::string::npos;
  };
  std::map<std::string, QList<QPointF>> loss, perEpoch, timing, perBatch;
  for (const store::CurvePoint& p : data.curve) {
    if (!std::isfinite(p.value)) continue;
    if (p.metric.rfind("batch_", 0) == 0) {
      perBatch[p.metric].append(QPointF(static_cast<double>(p.step), p.value));
    } else if (isTiming(p.metric)) {
      timing[p.metric].append(QPointF(p.epoch, p.value));
    } else if (p.metric.find("loss") != std::string::npos) {
      loss[p.metric].append(QPointF(p.epoch, p.value));
    } else {
      perEpoch[p.metric].append(QPointF(p.epoch, p.value));
    }
  }
  const QString name = qs(r.name);
  if (!loss.empty()) {
    s.figures.push_back(
        curveFigure(QStringLiteral("Loss per epoch: %1").arg(name), QStringLiteral("epoch"), loss));
  }
  if (!perEpoch.empty()) {
    s.figures.push_back(curveFigure(QStringLiteral("Values per epoch: %1").arg(name),
                                    QStringLiteral("epoch"), perEpoch));
  }
  if (!timing.empty()) {
    s.figures.push_back(curveFigure(QStringLiteral("Timing per epoch: %1").arg(name),
                                    QStringLiteral("epoch"), timing));
  }
  if (!perBatch.empty()) {
    s.figures.push_back(curveFigure(QStringLiteral("Per-batch values: %1").arg(name),
                                    QStringLiteral("step"), perBatch));
  }
  s.code.push_back({QStringLiteral("Configuration"), prettyJson(r.configJson)});
  return s;
}

ReportSection makeComparisonSection(const std::vector<RunReportData>& runs) {
  ReportSection s;
  s.heading = QStringLiteral("Comparison");
  std::set<std::string> names;
  for (const RunReportData& d : runs) {
    for (const auto& [name, value] : d.metrics) names.insert(name);
  }
  ReportTable t;
  t.caption = QStringLiteral("Final metrics");
  t.header << QStringLiteral("metric");
  for (const RunReportData& d : runs) {
    t.header << QStringLiteral("%1 [%2]").arg(runLabel(d.run), qs(d.run.modelName));
  }
  for (const std::string& name : names) {
    QStringList row{qs(name)};
    for (const RunReportData& d : runs) {
      const auto it = d.metrics.find(name);
      row << (it == d.metrics.end() ? QString() : metricValue(it->second));
    }
    t.rows << row;
  }
  s.tables.push_back(t);
  return s;
}

}  // namespace reclab::widgets

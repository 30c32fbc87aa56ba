#pragma once
/// Run reports: one self-contained HTML file (charts embedded as base64 PNG) for a run or a
/// comparison of runs. A report is a title and a list of sections; each section has a heading,
/// plain-text paragraphs, preformatted blocks (e.g. the config JSON), tables and figures. All
/// text is HTML-escaped when written, so run names and configs cannot break the page.
///
/// Building a run's section from the store is split in two so that the store is not read on
/// the GUI thread: `loadRunReportData()` (any thread, plain data) and `makeRunSection()` (GUI
/// thread: it draws the curve charts with QtCharts).

#include <QImage>
#include <QList>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"

class QChartView;

namespace reclab::widgets {

struct ReportTable {
  QString caption;
  QStringList header;
  QList<QStringList> rows;
};

struct ReportFigure {
  QString caption;
  QImage image;  ///< shown at its logical size (pixels / device pixel ratio)
};

struct ReportCode {
  QString caption;
  QString text;  ///< shown in <pre>
};

struct ReportSection {
  QString heading;
  QStringList paragraphs;
  std::vector<ReportCode> code;
  std::vector<ReportTable> tables;
  std::vector<ReportFigure> figures;

  /// Renders `view` now (at `scale` times its size) and adds it as a figure; the caption
  /// defaults to the chart title.
  void addChart(QChartView* view, const QString& caption = {}, qreal scale = 2.0);
};

/// The report as HTML text.
QString reportHtml(const QString& title, const std::vector<ReportSection>& sections);
/// Writes the report to `path` (atomically); false with a message in `error` when it cannot.
bool writeRunReport(const QString& path, const QString& title,
                    const std::vector<ReportSection>& sections, QString* error = nullptr);

/// What a run section shows, read from the store.
struct RunReportData {
  store::RunRecord run;
  std::map<std::string, double> metrics;
  std::vector<store::CurvePoint> curve;
};

/// Reads run `runId` from the store at `storePath`. Any thread; throws InputError for an
/// unknown run or a store that cannot be opened.
RunReportData loadRunReportData(const std::string& storePath, std::int64_t runId);

/// The section of one run: facts (model, task, status, seed, times, epochs, error), the final
/// metrics table, the config as pretty JSON and line charts of the curves (loss per epoch,
/// other values per epoch, timings per epoch, per-batch values per step; each when present).
/// GUI thread.
ReportSection makeRunSection(const RunReportData& data);

/// A comparison section: one row per metric, one column per run (final values).
ReportSection makeComparisonSection(const std::vector<RunReportData>& runs);

/// A run's display name: "name (#id)".
QString runLabel(const store::RunRecord& run);

}  // namespace reclab::widgets

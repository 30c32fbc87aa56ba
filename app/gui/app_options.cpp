#include "app/gui/app_options.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace reclab::app {

bool AppOptions::parse(const QStringList& arguments, AppOptions& options, QString& error) {
  QCommandLineParser parser;
  parser.setApplicationDescription(
      "RecLab: a workbench for recommender-system research. Opens the bundled sample when no "
      "dataset is given and none was opened before.");
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption db("db", "Experiment store (SQLite file) to use.", "FILE");
  const QCommandLineOption dataset("dataset", "Dataset file to open.", "PATH");
  const QCommandLineOption format(
      "format",
      "Format of --dataset: auto, retailrocket, yoochoose, diginetica, sessionrec, movielens, "
      "amazon-csv, amazon-jsonl.",
      "F", "auto");
  const QCommandLineOption screenshot("screenshot", "Save a PNG of the window and quit.", "FILE");
  const QCommandLineOption after(
      "screenshot-after-ms",
      "Delay before the screenshot: from the window's start, or from the end of the run with "
      "--autorun.",
      "N", "3000");
  const QCommandLineOption autorun("autorun", "Press Run once the dataset is loaded.");
  const QCommandLineOption epochs("epochs", "Preset the model's epochs parameter.", "N");
  const QCommandLineOption tab("tab", "Show this central tab first (Training, Compare, Inspect, "
                                      "History, Dataset charts).", "NAME");
  parser.addOptions({db, dataset, format, screenshot, after, autorun, epochs, tab});
  if (!parser.parse(arguments)) {
    error = parser.errorText();
    return false;
  }
  if (parser.isSet("help")) parser.showHelp(0);
  if (parser.isSet("version")) parser.showVersion();
  options.dbPath = parser.value(db);
  options.datasetPath = parser.value(dataset);
  options.format = parser.value(format);
  options.screenshotPath = parser.value(screenshot);
  bool ok = true;
  options.screenshotAfterMs = parser.value(after).toInt(&ok);
  if (!ok || options.screenshotAfterMs < 0) {
    error = "--screenshot-after-ms must be a non-negative integer";
    return false;
  }
  options.autorun = parser.isSet(autorun);
  options.tab = parser.value(tab);
  if (parser.isSet(epochs)) {
    options.epochs = parser.value(epochs).toInt(&ok);
    if (!ok || options.epochs < 1) {
      error = "--epochs must be a positive integer";
      return false;
    }
  }
  return true;
}

QString defaultStorePath() {
  return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
      .filePath("reclab.sqlite");
}

QString bundledSamplePath() {
  const QString relative = "datasets/ratings-sample/u.data";
  QStringList candidates;
#ifdef RECLAB_SOURCE_DIR
  candidates << QDir(RECLAB_SOURCE_DIR).filePath(relative);
#endif
  candidates
      << QDir(QCoreApplication::applicationDirPath()).filePath("../share/reclab/" + relative);
  for (const auto& c : candidates) {
    if (QFileInfo::exists(c)) return QFileInfo(c).canonicalFilePath();
  }
  return {};
}

QString presetsDirectory() {
  QStringList candidates;
#ifdef RECLAB_SOURCE_DIR
  candidates << QDir(RECLAB_SOURCE_DIR).filePath("resources/presets");
#endif
  candidates << QDir(QCoreApplication::applicationDirPath()).filePath("../share/reclab/presets");
  for (const auto& c : candidates) {
    if (QFileInfo(c).isDir()) return QFileInfo(c).canonicalFilePath();
  }
  return {};
}

}  // namespace reclab::app

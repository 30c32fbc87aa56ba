#pragma once
/// Command-line options of the `reclab` workbench.

#include <QString>
#include <QStringList>

namespace reclab::app {

struct AppOptions {
  QString dbPath;       ///< empty: AppDataLocation/reclab.sqlite
  QString datasetPath;  ///< empty: the last dataset, else the bundled sample
  QString format = "auto";
  QString screenshotPath;  ///< non-empty: grab the window to this PNG and quit
  int screenshotAfterMs = 3000;
  bool autorun = false;  ///< press Run once the first dataset is loaded
  int epochs = 0;        ///< > 0: preset the model's "epochs" parameter
  QString tab;           ///< central tab to show first (its label without '&'), e.g. "Compare"

  /// Parses `arguments` (argv including the program name). On a bad option returns false
  /// with `error` set; --help / --version are handled by QCommandLineParser (they exit).
  static bool parse(const QStringList& arguments, AppOptions& options, QString& error);
};

/// AppDataLocation/reclab.sqlite.
QString defaultStorePath();
/// datasets/ratings-sample/u.data under RECLAB_SOURCE_DIR, else under the executable's
/// ../share/reclab/; empty when neither exists.
QString bundledSamplePath();

/// The folder of the bundled presets (resources/presets in the source tree, or
/// share/reclab/presets next to an installed executable); empty when not found.
QString presetsDirectory();

}  // namespace reclab::app

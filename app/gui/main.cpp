/// `reclab`: the workbench. See AppOptions for the command line.

#include <QApplication>
#include <cstdio>

#include "app/gui/app_options.h"
#include "app/gui/main_window.h"
#include "common/process.h"

int main(int argc, char** argv) {
  reclab::tuneAllocator();
  QApplication::setOrganizationName("RecLab");
  QApplication::setApplicationName("reclab");
  QApplication::setApplicationVersion(RECLAB_VERSION);
  QApplication app(argc, argv);
  reclab::app::AppOptions options;
  QString error;
  if (!reclab::app::AppOptions::parse(QApplication::arguments(), options, error)) {
    std::fprintf(stderr, "reclab: %s\n", qPrintable(error));
    return 2;
  }
  reclab::app::MainWindow window(options);
  window.show();
  return QApplication::exec();
}

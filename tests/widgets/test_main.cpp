/// test_widgets: QtTest suites for the widgets and the workbench window, run offscreen.

#include <QApplication>
#include <QStandardPaths>

#include "test_support.h"

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QStandardPaths::setTestModeEnabled(true);  // QSettings and AppData go to test locations
  QApplication::setOrganizationName("RecLabTest");
  QApplication::setApplicationName("reclab-test");
  QApplication app(argc, argv);
  int failed = 0;
  failed += reclab::test::runUnitTests(argc, argv);
  failed += reclab::test::runTrainingChartTests(argc, argv);
  failed += reclab::test::runRunManagerTests(argc, argv);
  failed += reclab::test::runMainWindowTests(argc, argv);
  failed += reclab::test::runClassificationTests(argc, argv);
  failed += reclab::test::runColumnMappingTests(argc, argv);
  return failed == 0 ? 0 : 1;
}

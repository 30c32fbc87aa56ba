#include "widgets/log_pane.h"

#include <QDateTime>
#include <QFontDatabase>

namespace reclab::widgets {

LogPane::LogPane(QWidget* parent, int maxLines) : QPlainTextEdit(parent) {
  setReadOnly(true);
  setMaximumBlockCount(maxLines);
  setLineWrapMode(QPlainTextEdit::WidgetWidth);
  setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
}

void LogPane::appendLine(Level level, const QString& text) {
  static const char* const names[] = {"debug", "info", "warning", "error"};
  const QString time = QDateTime::currentDateTime().toString("HH:mm:ss");
  appendPlainText(QString("%1 %2 %3")
                      .arg(time, QString(names[static_cast<int>(level)]).leftJustified(7), text));
}

}  // namespace reclab::widgets

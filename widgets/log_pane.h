#pragma once
/// The log pane: a read-only text view of log lines with time and level, capped at a number
/// of lines (old lines are dropped) so that a long session never grows without bound.

#include <QPlainTextEdit>

namespace reclab::widgets {

class LogPane : public QPlainTextEdit {
  Q_OBJECT

 public:
  enum class Level { Debug, Info, Warning, Error };

  explicit LogPane(QWidget* parent = nullptr, int maxLines = 5000);

 public Q_SLOTS:
  void appendLine(reclab::widgets::LogPane::Level level, const QString& text);
};

}  // namespace reclab::widgets

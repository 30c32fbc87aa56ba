#pragma once
/// An in-window message bar for errors, warnings and notices (instead of modal dialogs).
/// Hidden while empty; shows the latest message with its level's colour and a close button.
/// A later message replaces the shown one; the count of messages since the bar was last closed
/// is shown so that nothing is silently lost.

#include <QFrame>

class QLabel;
class QToolButton;

namespace reclab::widgets {

class MessageBar : public QFrame {
  Q_OBJECT

 public:
  enum class Level { Info, Warning, Error };

  explicit MessageBar(QWidget* parent = nullptr);

  void showMessage(const QString& text, Level level = Level::Error);
  QString text() const;
  Level level() const { return m_level; }

 public Q_SLOTS:
  void clearMessage();

 private:
  QLabel* m_icon;
  QLabel* m_label;
  QToolButton* m_close;
  Level m_level = Level::Info;
  int m_count = 0;
};

}  // namespace reclab::widgets

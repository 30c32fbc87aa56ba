#include "widgets/message_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

namespace reclab::widgets {

MessageBar::MessageBar(QWidget* parent) : QFrame(parent) {
  setObjectName("messageBar");
  setFrameShape(QFrame::StyledPanel);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 4, 4, 4);
  m_icon = new QLabel(this);
  m_label = new QLabel(this);
  m_label->setWordWrap(true);
  m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_close = new QToolButton(this);
  m_close->setAutoRaise(true);
  m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
  m_close->setToolTip(tr("Dismiss"));
  layout->addWidget(m_icon);
  layout->addWidget(m_label, 1);
  layout->addWidget(m_close);
  connect(m_close, &QToolButton::clicked, this, &MessageBar::clearMessage);
  hide();
}

void MessageBar::showMessage(const QString& text, Level level) {
  m_level = level;
  ++m_count;
  QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
  QString colours = "background: #e8f0fe; border: 1px solid #9ab6e8;";
  if (level == Level::Warning) {
    icon = QStyle::SP_MessageBoxWarning;
    colours = "background: #fff4d6; border: 1px solid #e0b84f;";
  } else if (level == Level::Error) {
    icon = QStyle::SP_MessageBoxCritical;
    colours = "background: #fde2e1; border: 1px solid #d9534f;";
  }
  setStyleSheet(QString("#messageBar { %1 border-radius: 3px; }").arg(colours));
  m_icon->setPixmap(style()->standardIcon(icon).pixmap(16, 16));
  m_label->setText(m_count > 1 ? tr("%1  (%2 messages)").arg(text).arg(m_count) : text);
  m_label->setToolTip(text);
  show();
}

QString MessageBar::text() const { return m_label->toolTip(); }

void MessageBar::clearMessage() {
  m_count = 0;
  m_label->clear();
  m_label->setToolTip({});
  hide();
}

}  // namespace reclab::widgets

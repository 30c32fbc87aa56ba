#include "widgets/feature_config_delegate.h"

#include <QComboBox>
#include <QSpinBox>

#include "widgets/feature_config_model.h"

namespace reclab::widgets {

using Model = FeatureConfigModel;

QWidget* FeatureConfigDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                                             const QModelIndex& index) const {
  const int column = index.column();
  if (column == Model::MaxCategoriesColumn) {
    auto* spin = new QSpinBox(parent);
    spin->setRange(0, 1'000'000'000);
    spin->setSpecialValueText(tr("all"));
    spin->setFrame(false);
    return spin;
  }
  if (column == Model::SourceColumn || column == Model::FromColumn ||
      column == Model::EncoderColumn || column == Model::MissingColumn) {
    auto* combo = new QComboBox(parent);
    combo->addItems(index.data(Model::ChoicesRole).toStringList());
    combo->setEditable(column == Model::FromColumn);
    if (column != Model::FromColumn) {
      // A pick is the whole edit: commit it at once.
      auto* self = const_cast<FeatureConfigDelegate*>(this);
      connect(combo, &QComboBox::activated, combo, [self, combo] {
        Q_EMIT self->commitData(combo);
        Q_EMIT self->closeEditor(combo, QAbstractItemDelegate::NoHint);
      });
    }
    return combo;
  }
  return QStyledItemDelegate::createEditor(parent, option, index);
}

void FeatureConfigDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
  if (auto* combo = qobject_cast<QComboBox*>(editor)) {
    const QString current = index.data(Qt::EditRole).toString();
    const int i = combo->findText(current);
    if (i >= 0) {
      combo->setCurrentIndex(i);
    } else {
      combo->setEditText(current);
    }
    return;
  }
  if (auto* spin = qobject_cast<QSpinBox*>(editor)) {
    spin->setValue(index.data(Qt::EditRole).toInt());
    return;
  }
  QStyledItemDelegate::setEditorData(editor, index);
}

void FeatureConfigDelegate::setModelData(QWidget* editor, QAbstractItemModel* model,
                                         const QModelIndex& index) const {
  if (auto* combo = qobject_cast<QComboBox*>(editor)) {
    model->setData(index, combo->currentText());
    return;
  }
  if (auto* spin = qobject_cast<QSpinBox*>(editor)) {
    spin->interpretText();
    model->setData(index, spin->value());
    return;
  }
  QStyledItemDelegate::setModelData(editor, model, index);
}

}  // namespace reclab::widgets

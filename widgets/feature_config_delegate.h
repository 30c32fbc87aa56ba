#pragma once
/// Editors of the feature panel's table (FeatureConfigModel): combo boxes for the enumerated
/// cells, filled from the model's ChoicesRole (the "from" one editable, so that a property of
/// another dataset can be typed), a spin box for max categories ("all" = 0), a line edit for
/// the name. A pick in a non-editable combo is committed at once.

#include <QStyledItemDelegate>

namespace reclab::widgets {

class FeatureConfigDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  using QStyledItemDelegate::QStyledItemDelegate;

  QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                        const QModelIndex& index) const override;
  void setEditorData(QWidget* editor, const QModelIndex& index) const override;
  void setModelData(QWidget* editor, QAbstractItemModel* model,
                    const QModelIndex& index) const override;
};

}  // namespace reclab::widgets

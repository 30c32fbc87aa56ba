#pragma once
/// An editable table model over a metadata feature configuration (features::FeatureConfig):
/// one row per attribute, columns enabled / name / source / from / encoder / missing / max
/// categories. Enumerated cells are edited as their JSON names ("item_property", "cyclic_hour",
/// "bucket"), the names the file and docs/features.md use; ChoicesRole gives the values a cell
/// accepts. The model does not validate: the feature panel validates after each edit and marks
/// the offending cell with setInvalidCell().

#include <QAbstractTableModel>
#include <QStringList>

#include "features/feature_config.h"

namespace reclab::widgets {

class FeatureConfigModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    EnabledColumn,
    NameColumn,
    SourceColumn,
    FromColumn,
    EncoderColumn,
    MissingColumn,
    MaxCategoriesColumn,
    ColumnCount
  };
  /// QStringList of the values a cell offers (sources, encoders, missing policies; for "from"
  /// the names the row's source has in the loaded dataset, plus the current value).
  static constexpr int ChoicesRole = Qt::UserRole + 1;

  explicit FeatureConfigModel(QObject* parent = nullptr);

  /// Replaces the whole configuration (a model reset).
  void setConfig(features::FeatureConfig config);
  const features::FeatureConfig& config() const { return m_config; }
  void setDescription(const std::string& description);
  void setSessionGapMinutes(double minutes);

  /// Names offered for the "from" cell of item / user property rows (the loaded dataset's
  /// attribute tables); empty when no dataset is loaded.
  void setPropertyNames(const QStringList& itemProperties, const QStringList& userProperties);
  /// Names a row with `source` may take its value from: columnNames(), the property names,
  /// or derivationNames().
  QStringList fromChoices(features::Source source) const;

  /// Inserts `spec` before `row` (at the end when row is out of range); returns its row.
  int insertAttribute(int row, features::AttributeSpec spec);
  /// A new attribute for "Add": the first derivation no row uses yet (else "timestamp"), named
  /// after it (made unique), with an encoder and missing policy that fit it. `defaults` (the
  /// loaded dataset's defaultFeatureConfig, when there is one) limits the derivations to those
  /// the dataset supports and gives their recommended encoders.
  features::AttributeSpec newAttribute(const features::FeatureConfig* defaults) const;

  /// Marks one cell as the cause of the current validation error (tinted, `message` as its
  /// tooltip); row -1 clears the mark.
  void setInvalidCell(int row, int column, const QString& message = {});
  int invalidRow() const { return m_invalidRow; }
  int invalidColumn() const { return m_invalidColumn; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;
  bool removeRows(int row, int count, const QModelIndex& parent = {}) override;
  /// Moves a block of rows within the table (Qt's convention: `destinationChild` is the row
  /// before which the block lands, counted before the move).
  bool moveRows(const QModelIndex& sourceParent, int sourceRow, int count,
                const QModelIndex& destinationParent, int destinationChild) override;

 Q_SIGNALS:
  /// Any change of the configuration: a cell, a row added / removed / moved, a reset, the
  /// description or the session gap.
  void configEdited();

 private:
  features::FeatureConfig m_config;
  QStringList m_itemProperties;
  QStringList m_userProperties;
  int m_invalidRow = -1;
  int m_invalidColumn = -1;
  QString m_invalidMessage;
};

}  // namespace reclab::widgets

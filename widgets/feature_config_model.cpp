#include "widgets/feature_config_model.h"

#include <QColor>
#include <algorithm>
#include <optional>

namespace reclab::widgets {

using features::AttributeSpec;
using features::Encoder;
using features::Missing;
using features::Source;

namespace {

constexpr Source kSources[] = {Source::Column, Source::ItemProperty, Source::UserProperty,
                               Source::Derived};
constexpr Encoder kEncoders[] = {Encoder::Index,   Encoder::Standardise, Encoder::MinMax,
                                 Encoder::Log,     Encoder::CyclicHour,  Encoder::CyclicWeekday,
                                 Encoder::Identity};
constexpr Missing kMissing[] = {Missing::Zero, Missing::Mean, Missing::Bucket, Missing::Error};

template <typename E, std::size_t N>
QStringList namesOf(const E (&values)[N]) {
  QStringList out;
  for (E v : values) out << QString::fromStdString(features::toString(v));
  return out;
}

/// The enum value whose JSON name is `text`, if any.
template <typename E, std::size_t N>
std::optional<E> parse(const E (&values)[N], const QString& text) {
  for (E v : values) {
    if (QString::fromStdString(features::toString(v)) == text) return v;
  }
  return std::nullopt;
}

QStringList toQStringList(const std::vector<std::string>& names) {
  QStringList out;
  for (const auto& n : names) out << QString::fromStdString(n);
  return out;
}

const QColor kInvalidTint(0xf6, 0xc6, 0xc4);

}  // namespace

FeatureConfigModel::FeatureConfigModel(QObject* parent) : QAbstractTableModel(parent) {}

void FeatureConfigModel::setConfig(features::FeatureConfig config) {
  beginResetModel();
  m_config = std::move(config);
  m_invalidRow = m_invalidColumn = -1;
  m_invalidMessage.clear();
  endResetModel();
  Q_EMIT configEdited();
}

void FeatureConfigModel::setDescription(const std::string& description) {
  if (m_config.description == description) return;
  m_config.description = description;
  Q_EMIT configEdited();
}

void FeatureConfigModel::setSessionGapMinutes(double minutes) {
  if (m_config.sessionGapMinutes == minutes) return;
  m_config.sessionGapMinutes = minutes;
  Q_EMIT configEdited();
}

void FeatureConfigModel::setPropertyNames(const QStringList& itemProperties,
                                          const QStringList& userProperties) {
  m_itemProperties = itemProperties;
  m_userProperties = userProperties;
}

QStringList FeatureConfigModel::fromChoices(Source source) const {
  switch (source) {
    case Source::Column:
      return toQStringList(features::columnNames());
    case Source::ItemProperty:
      return m_itemProperties;
    case Source::UserProperty:
      return m_userProperties;
    case Source::Derived:
      return toQStringList(features::derivationNames());
  }
  return {};
}

int FeatureConfigModel::insertAttribute(int row, AttributeSpec spec) {
  const int n = rowCount();
  if (row < 0 || row > n) row = n;
  beginInsertRows({}, row, row);
  m_config.attributes.insert(m_config.attributes.begin() + row, std::move(spec));
  if (m_invalidRow >= row) ++m_invalidRow;
  endInsertRows();
  Q_EMIT configEdited();
  return row;
}

AttributeSpec FeatureConfigModel::newAttribute(const features::FeatureConfig* defaults) const {
  const auto& attrs = m_config.attributes;
  auto usedFrom = [&](const std::string& from) {
    return std::any_of(attrs.begin(), attrs.end(), [&](const AttributeSpec& a) {
      return a.source == Source::Derived && a.from == from;
    });
  };
  // With a dataset, only the derivations it supports (the defaults list exactly those).
  std::vector<std::string> candidates;
  if (defaults) {
    for (const auto& a : defaults->attributes) candidates.push_back(a.from);
  } else {
    candidates = features::derivationNames();
  }
  AttributeSpec spec;
  spec.source = Source::Derived;
  spec.from = "timestamp";
  for (const auto& c : candidates) {
    if (!usedFrom(c)) {
      spec.from = c;
      break;
    }
  }
  spec.encoder = features::isAlwaysCategorical(spec) ? Encoder::Index : Encoder::Identity;
  spec.missing = spec.encoder == Encoder::Index ? Missing::Bucket : Missing::Zero;
  if (defaults) {
    for (const auto& a : defaults->attributes) {
      if (a.source == spec.source && a.from == spec.from) {
        spec.encoder = a.encoder;
        spec.missing = a.missing;
      }
    }
  }
  auto nameTaken = [&](const std::string& name) {
    return std::any_of(attrs.begin(), attrs.end(),
                       [&](const AttributeSpec& a) { return a.name == name; });
  };
  spec.name = spec.from;
  for (int k = 2; nameTaken(spec.name); ++k) spec.name = spec.from + "_" + std::to_string(k);
  return spec;
}

void FeatureConfigModel::setInvalidCell(int row, int column, const QString& message) {
  const int oldRow = m_invalidRow, oldColumn = m_invalidColumn;
  m_invalidRow = row;
  m_invalidColumn = row < 0 ? -1 : column;
  m_invalidMessage = row < 0 ? QString() : message;
  const QList<int> roles{Qt::BackgroundRole, Qt::ToolTipRole};
  if (oldRow >= 0 && oldRow < rowCount() && oldColumn >= 0) {
    Q_EMIT dataChanged(index(oldRow, oldColumn), index(oldRow, oldColumn), roles);
  }
  if (m_invalidRow >= 0 && m_invalidRow < rowCount() && m_invalidColumn >= 0) {
    Q_EMIT dataChanged(index(m_invalidRow, m_invalidColumn), index(m_invalidRow, m_invalidColumn),
                       roles);
  }
}

int FeatureConfigModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_config.attributes.size());
}

int FeatureConfigModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant FeatureConfigModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const AttributeSpec& a = m_config.attributes[static_cast<std::size_t>(index.row())];
  const int column = index.column();
  const bool invalid = index.row() == m_invalidRow && column == m_invalidColumn;
  switch (role) {
    case Qt::CheckStateRole:
      if (column == EnabledColumn) return a.enabled ? Qt::Checked : Qt::Unchecked;
      return {};
    case Qt::BackgroundRole:
      if (invalid) return kInvalidTint;
      return {};
    case Qt::ForegroundRole:
      if (!a.enabled) return QColor(Qt::gray);
      return {};
    case Qt::ToolTipRole:
      if (invalid) return m_invalidMessage;
      if (column == EnabledColumn) return tr("Feed this attribute to the model");
      if (column == MaxCategoriesColumn) {
        return tr("Index encoder: keep the N most frequent training values (all = 0)");
      }
      return {};
    case ChoicesRole:
      switch (column) {
        case SourceColumn:
          return namesOf(kSources);
        case EncoderColumn:
          return namesOf(kEncoders);
        case MissingColumn:
          return namesOf(kMissing);
        case FromColumn: {
          QStringList choices = fromChoices(a.source);
          const QString current = QString::fromStdString(a.from);
          if (!current.isEmpty() && !choices.contains(current)) choices.prepend(current);
          return choices;
        }
        default:
          return {};
      }
    case Qt::DisplayRole:
    case Qt::EditRole:
      switch (column) {
        case EnabledColumn:
          return role == Qt::EditRole ? QVariant(a.enabled) : QVariant();
        case NameColumn:
          return QString::fromStdString(a.name);
        case SourceColumn:
          return QString::fromStdString(features::toString(a.source));
        case FromColumn:
          return QString::fromStdString(a.from);
        case EncoderColumn:
          return QString::fromStdString(features::toString(a.encoder));
        case MissingColumn:
          return QString::fromStdString(features::toString(a.missing));
        case MaxCategoriesColumn:
          if (role == Qt::EditRole) return a.maxCategories;
          if (a.maxCategories != 0) return a.maxCategories;
          return a.encoder == Encoder::Index ? tr("all") : QString();
        default:
          return {};
      }
    default:
      return {};
  }
}

bool FeatureConfigModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (!index.isValid() || index.row() >= rowCount()) return false;
  AttributeSpec& a = m_config.attributes[static_cast<std::size_t>(index.row())];
  const AttributeSpec before = a;
  const int column = index.column();
  int lastChanged = column;
  if (column == EnabledColumn) {
    if (role == Qt::CheckStateRole) {
      a.enabled = value.value<Qt::CheckState>() == Qt::Checked;
    } else if (role == Qt::EditRole && value.typeId() == QMetaType::Bool) {
      a.enabled = value.toBool();
    } else {
      return false;
    }
  } else if (role != Qt::EditRole) {
    return false;
  } else {
    const QString text = value.toString();
    switch (column) {
      case NameColumn:
        a.name = text.toStdString();
        break;
      case SourceColumn: {
        const auto source = parse(kSources, text);
        if (!source) return false;
        a.source = *source;
        // A "from" that the new source does not have becomes the source's first name.
        const QStringList choices = fromChoices(a.source);
        if (!choices.isEmpty() && !choices.contains(QString::fromStdString(a.from))) {
          a.from = choices.first().toStdString();
          lastChanged = FromColumn;
        }
        break;
      }
      case FromColumn:
        a.from = text.trimmed().toStdString();
        break;
      case EncoderColumn: {
        const auto encoder = parse(kEncoders, text);
        if (!encoder) return false;
        a.encoder = *encoder;
        lastChanged = MaxCategoriesColumn;  // its display depends on the encoder
        break;
      }
      case MissingColumn: {
        const auto missing = parse(kMissing, text);
        if (!missing) return false;
        a.missing = *missing;
        break;
      }
      case MaxCategoriesColumn: {
        bool ok = false;
        const int n = value.toInt(&ok);
        if (!ok || n < 0) return false;
        a.maxCategories = n;
        break;
      }
      default:
        return false;
    }
  }
  if (a == before) return true;
  const int first = a.enabled != before.enabled ? 0 : column;  // the whole row greys out
  const int last = a.enabled != before.enabled ? ColumnCount - 1 : lastChanged;
  Q_EMIT dataChanged(this->index(index.row(), first), this->index(index.row(), last));
  Q_EMIT configEdited();
  return true;
}

Qt::ItemFlags FeatureConfigModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  const Qt::ItemFlags base = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
  if (index.column() == EnabledColumn) return base | Qt::ItemIsUserCheckable;
  return base | Qt::ItemIsEditable;
}

QVariant FeatureConfigModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (orientation == Qt::Vertical) return section + 1;
  switch (section) {
    case EnabledColumn:
      return tr("On");
    case NameColumn:
      return tr("Name");
    case SourceColumn:
      return tr("Source");
    case FromColumn:
      return tr("From");
    case EncoderColumn:
      return tr("Encoder");
    case MissingColumn:
      return tr("Missing");
    case MaxCategoriesColumn:
      return tr("Max categories");
    default:
      return {};
  }
}

bool FeatureConfigModel::removeRows(int row, int count, const QModelIndex& parent) {
  if (parent.isValid() || row < 0 || count <= 0 || row + count > rowCount()) return false;
  beginRemoveRows({}, row, row + count - 1);
  m_config.attributes.erase(m_config.attributes.begin() + row,
                            m_config.attributes.begin() + row + count);
  if (m_invalidRow >= row + count) {
    m_invalidRow -= count;
  } else if (m_invalidRow >= row) {
    m_invalidRow = m_invalidColumn = -1;
  }
  endRemoveRows();
  Q_EMIT configEdited();
  return true;
}

bool FeatureConfigModel::moveRows(const QModelIndex& sourceParent, int sourceRow, int count,
                                  const QModelIndex& destinationParent, int destinationChild) {
  const int n = rowCount();
  if (sourceParent.isValid() || destinationParent.isValid() || count <= 0 || sourceRow < 0 ||
      sourceRow + count > n || destinationChild < 0 || destinationChild > n) {
    return false;
  }
  if (destinationChild >= sourceRow && destinationChild <= sourceRow + count) return false;
  if (!beginMoveRows({}, sourceRow, sourceRow + count - 1, {}, destinationChild)) return false;
  auto& attrs = m_config.attributes;
  const auto first = attrs.begin() + sourceRow, last = first + count;
  if (destinationChild < sourceRow) {
    std::rotate(attrs.begin() + destinationChild, first, last);
  } else {
    std::rotate(first, last, attrs.begin() + destinationChild);
  }
  m_invalidRow = m_invalidColumn = -1;  // revalidation marks the cell again
  endMoveRows();
  Q_EMIT configEdited();
  return true;
}

}  // namespace reclab::widgets

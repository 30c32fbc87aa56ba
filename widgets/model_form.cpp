#include "widgets/model_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSpinBox>
#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>

namespace reclab::widgets {

namespace {

using Type = models::ParamSpec::Type;

constexpr const char* kInvalidStyle = "background: #fde2e1; border: 1px solid #d9534f;";

QString number(double v) { return QString::number(v, 'g', 12); }

int clampToInt(double v) {
  return static_cast<int>(
      std::clamp(v, static_cast<double>(INT_MIN), static_cast<double>(INT_MAX)));
}

std::optional<double> parseReal(const QString& text) {
  bool ok = false;
  const double v = QLocale::c().toDouble(text.trimmed(), &ok);
  if (!ok || !std::isfinite(v)) return std::nullopt;
  return v;
}

QString rangeText(const models::ParamSpec& s) {
  if (s.min && s.max) return QString("[%1, %2]").arg(number(*s.min), number(*s.max));
  if (s.min) return QString(">= %1").arg(number(*s.min));
  if (s.max) return QString("<= %1").arg(number(*s.max));
  return {};
}

}  // namespace

ModelForm::ModelForm(QWidget* parent) : QWidget(parent) {
  m_layout = new QFormLayout(this);
  m_layout->setContentsMargins(0, 0, 0, 0);
  m_layout->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
}

void ModelForm::setModel(const models::ModelInfo* info) {
  while (m_layout->rowCount() > 0) m_layout->removeRow(0);
  m_fields.clear();
  m_modelName = info ? QString::fromStdString(info->name) : QString();
  if (info) {
    m_initializing = true;
    for (const auto& spec : info->params) {
      Field field;
      field.spec = spec;
      field.editor = createEditor(spec);
      field.editor->setObjectName(QString::fromStdString(spec.name));
      QString tip = QString::fromStdString(spec.help);
      const QString range = rangeText(spec);
      if (!range.isEmpty()) tip += (tip.isEmpty() ? "" : "\n") + tr("Range: %1").arg(range);
      tip += (tip.isEmpty() ? "" : "\n") +
             tr("Default: %1").arg(QString::fromStdString(spec.defaultValue.dump()));
      field.editor->setToolTip(tip);
      field.label = new QLabel(QString::fromStdString(spec.name), this);
      field.label->setToolTip(tip);
      m_layout->addRow(field.label, field.editor);
      m_fields.push_back(field);
      setEditorValue(m_fields.back(), spec.defaultValue);
    }
    m_initializing = false;
  }
  m_lastValid = !isValid();  // force a validityChanged for the new form
  revalidateAll();
}

QWidget* ModelForm::createEditor(const models::ParamSpec& spec) {
  switch (spec.type) {
    case Type::Int: {
      auto* spin = new QSpinBox(this);
      spin->setRange(spec.min ? clampToInt(*spec.min) : INT_MIN,
                     spec.max ? clampToInt(*spec.max) : INT_MAX);
      spin->setKeyboardTracking(true);
      spin->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
      connect(spin, &QSpinBox::textChanged, this, &ModelForm::onEdited);
      return spin;
    }
    case Type::Double: {
      auto* edit = new QLineEdit(this);
      edit->setPlaceholderText(tr("number, e.g. 0.01 or 1e-5"));
      connect(edit, &QLineEdit::textChanged, this, &ModelForm::onEdited);
      return edit;
    }
    case Type::Bool: {
      auto* box = new QCheckBox(this);
      connect(box, &QCheckBox::toggled, this, &ModelForm::onEdited);
      return box;
    }
    case Type::Choice: {
      auto* combo = new QComboBox(this);
      combo->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
      for (const auto& c : spec.choices) combo->addItem(QString::fromStdString(c));
      connect(combo, &QComboBox::currentIndexChanged, this, &ModelForm::onEdited);
      return combo;
    }
    case Type::String:
      break;
  }
  auto* edit = new QLineEdit(this);
  connect(edit, &QLineEdit::textChanged, this, &ModelForm::onEdited);
  return edit;
}

void ModelForm::setEditorValue(Field& field, const nlohmann::json& value) {
  const bool wasInitializing = m_initializing;
  m_initializing = true;
  switch (field.spec.type) {
    case Type::Int:
      if (value.is_number()) {
        static_cast<QSpinBox*>(field.editor)->setValue(clampToInt(value.get<double>()));
      }
      break;
    case Type::Double:
      if (value.is_number()) {
        static_cast<QLineEdit*>(field.editor)->setText(number(value.get<double>()));
      }
      break;
    case Type::Bool:
      if (value.is_boolean()) static_cast<QCheckBox*>(field.editor)->setChecked(value.get<bool>());
      break;
    case Type::Choice:
      if (value.is_string()) {
        auto* combo = static_cast<QComboBox*>(field.editor);
        const int i = combo->findText(QString::fromStdString(value.get<std::string>()));
        if (i >= 0) combo->setCurrentIndex(i);
      }
      break;
    case Type::String:
      if (value.is_string()) {
        static_cast<QLineEdit*>(field.editor)
            ->setText(QString::fromStdString(value.get<std::string>()));
      }
      break;
  }
  m_initializing = wasInitializing;
}

void ModelForm::validateField(Field& field) {
  field.error.clear();
  const auto& s = field.spec;
  if (s.type == Type::Int) {
    auto* spin = static_cast<QSpinBox*>(field.editor);
    if (!spin->hasAcceptableInput()) {
      field.error = tr("must be an integer in %1, got '%2'").arg(rangeText(s), spin->text());
    }
  } else if (s.type == Type::Double) {
    const QString text = static_cast<QLineEdit*>(field.editor)->text();
    const auto v = parseReal(text);
    if (!v) {
      field.error = tr("must be a number, got '%1'").arg(text);
    } else if ((s.min && *v < *s.min) || (s.max && *v > *s.max)) {
      field.error = tr("must be in %1, got %2").arg(rangeText(s), text.trimmed());
    }
  }
  const QString base = field.label->toolTip();
  field.editor->setStyleSheet(field.error.isEmpty() ? QString() : QString(kInvalidStyle));
  field.editor->setToolTip(field.error.isEmpty() ? base : field.error + "\n\n" + base);
}

void ModelForm::onEdited() {
  if (m_initializing) return;
  for (auto& f : m_fields) {
    if (f.editor == sender()) validateField(f);
  }
  const bool valid = isValid();
  if (valid != m_lastValid || !valid) {
    m_lastValid = valid;
    Q_EMIT validityChanged(valid, validationError());
  }
  Q_EMIT paramsChanged();
}

void ModelForm::revalidateAll() {
  for (auto& f : m_fields) validateField(f);
  const bool valid = isValid();
  if (valid != m_lastValid || !valid) {
    m_lastValid = valid;
    Q_EMIT validityChanged(valid, validationError());
  }
}

nlohmann::json ModelForm::params() const {
  nlohmann::json p = nlohmann::json::object();
  for (const auto& f : m_fields) {
    if (!f.error.isEmpty()) continue;
    const std::string& name = f.spec.name;
    switch (f.spec.type) {
      case Type::Int:
        p[name] = static_cast<long long>(static_cast<QSpinBox*>(f.editor)->value());
        break;
      case Type::Double:
        p[name] = *parseReal(static_cast<QLineEdit*>(f.editor)->text());
        break;
      case Type::Bool:
        p[name] = static_cast<QCheckBox*>(f.editor)->isChecked();
        break;
      case Type::Choice:
        p[name] = static_cast<QComboBox*>(f.editor)->currentText().toStdString();
        break;
      case Type::String:
        p[name] = static_cast<QLineEdit*>(f.editor)->text().toStdString();
        break;
    }
  }
  return p;
}

void ModelForm::setParams(const nlohmann::json& params) {
  if (!params.is_object()) return;
  for (auto& f : m_fields) {
    if (params.contains(f.spec.name)) setEditorValue(f, params.at(f.spec.name));
  }
  revalidateAll();
  Q_EMIT paramsChanged();
}

void ModelForm::resetToDefaults() {
  for (auto& f : m_fields) setEditorValue(f, f.spec.defaultValue);
  revalidateAll();
  Q_EMIT paramsChanged();
}

bool ModelForm::isValid() const {
  return std::all_of(m_fields.begin(), m_fields.end(),
                     [](const Field& f) { return f.error.isEmpty(); });
}

QString ModelForm::validationError() const {
  for (const auto& f : m_fields) {
    if (!f.error.isEmpty()) return QString::fromStdString(f.spec.name) + ": " + f.error;
  }
  return {};
}

QWidget* ModelForm::editor(const QString& name) const {
  for (const auto& f : m_fields) {
    if (QString::fromStdString(f.spec.name) == name) return f.editor;
  }
  return nullptr;
}

}  // namespace reclab::widgets

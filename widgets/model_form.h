#pragma once
/// A hyper-parameter form generated from a model's schema (models::ParamSpec): a spin box for
/// integers, a line edit accepting scientific notation (1e-5) for reals, a check box for
/// booleans, a combo box for choices and a line edit for strings, each with the help text as
/// tooltip. Fields are validated as they are edited: an invalid field turns red, its reason
/// becomes its tooltip, and validityChanged() tells the panel to disable Run.
///
/// Wiring follows LabPlot's docks: widget -> value in the edit slots, value -> widget in
/// setParams(), with an initialising guard so that loading values emits no edit signals.

#include <QString>
#include <QWidget>
#include <nlohmann/json.hpp>
#include <vector>

#include "models/registry.h"

class QFormLayout;
class QLabel;

namespace reclab::widgets {

class ModelForm : public QWidget {
  Q_OBJECT

 public:
  explicit ModelForm(QWidget* parent = nullptr);

  /// Rebuilds the form for `info`'s parameters, filled with their defaults (nullptr: empty).
  void setModel(const models::ModelInfo* info);
  QString modelName() const { return m_modelName; }

  /// The current values, typed as the schema says. Invalid fields are left out (Run is
  /// disabled while any field is invalid, so callers check isValid() first).
  nlohmann::json params() const;
  /// Sets the fields named in `params` (others keep their values; unknown names are ignored).
  void setParams(const nlohmann::json& params);
  void resetToDefaults();

  bool isValid() const;
  /// "lr: must be <= 10, got 20" for the first invalid field, empty when all are valid.
  QString validationError() const;
  /// The editor of parameter `name` (for tests and focus), or nullptr.
  QWidget* editor(const QString& name) const;
  int fieldCount() const { return static_cast<int>(m_fields.size()); }

 Q_SIGNALS:
  void validityChanged(bool valid, const QString& reason);
  void paramsChanged();

 private:
  struct Field {
    models::ParamSpec spec;
    QWidget* editor = nullptr;
    QLabel* label = nullptr;
    QString error;  ///< empty when valid
  };

  QWidget* createEditor(const models::ParamSpec& spec);
  void setEditorValue(Field& field, const nlohmann::json& value);
  void validateField(Field& field);
  void onEdited();
  void revalidateAll();

  QFormLayout* m_layout;
  QString m_modelName;
  std::vector<Field> m_fields;
  bool m_initializing = false;
  bool m_lastValid = true;
};

}  // namespace reclab::widgets

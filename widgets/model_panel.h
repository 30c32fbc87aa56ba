#pragma once
/// The model panel: a model chooser grouped by task, the generated hyper-parameter form, the
/// split (random with test ratio, temporal, or k-fold with folds; plus a validation share),
/// the seed and thread count, and Run / Cancel. Run is enabled only while the form is valid
/// and the window says a run can start (a dataset is loaded); the reason is shown otherwise.
///
/// The panel knows nothing about jobs: it emits runRequested() with the experiment config
/// (without its "dataset" part, which the window adds) and cancelRequested().

#include <QWidget>
#include <vector>
#include <nlohmann/json.hpp>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace reclab::widgets {

class ModelForm;

class ModelPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ModelPanel(QWidget* parent = nullptr);

  /// Selects a registered model by registry name; false when there is none of that name.
  bool selectModel(const QString& name);
  QString currentModel() const;
  ModelForm* form() const { return m_form; }
  QPushButton* runButton() const { return m_run; }
  QPushButton* cancelButton() const { return m_cancel; }
  QPushButton* kfoldButton() const { return m_runKfold; }

  /// {"name", "model": {"name", "params"}, "split": {...}, "seed", "threads"}.
  nlohmann::json config() const;
  /// Fills the panel from a config (model, params, split, seed, threads); unknown parts kept.
  void setConfig(const nlohmann::json& config);

  /// Whether a run may start apart from the form (e.g. false with "Load a dataset first").
  void setRunAllowed(bool allowed, const QString& reason = {});
  /// Enables Cancel while at least one run is active.
  void setRunning(bool running);
  /// Empty when Run is enabled, else why not.
  QString blockReason() const;

 Q_SIGNALS:
  void runRequested(const nlohmann::json& config);
  void cancelRequested();
  /// Another model was chosen (its form is shown).
  void modelChanged(const QString& model);

 public Q_SLOTS:
  /// Emits runRequested() when Run is enabled.
  void requestRun();
  /// Switches the split to k-fold and emits runRequested().
  void requestKfoldRun();

 private:
  void onModelChanged();
  void onSplitKindChanged();
  /// The "Ranking k" field as numbers; empty when it is not a valid list.
  std::vector<int> rankingKs() const;
  void updateRunState();

  QComboBox* m_modelCombo;
  QLabel* m_description;
  ModelForm* m_form;
  QLineEdit* m_runName;
  QComboBox* m_splitKind;
  QDoubleSpinBox* m_testRatio;
  QDoubleSpinBox* m_validRatio;
  QSpinBox* m_folds;
  QSpinBox* m_lastN;
  QDoubleSpinBox* m_testDays;
  QLineEdit* m_ks;
  QSpinBox* m_seed;
  QSpinBox* m_threads;
  QPushButton* m_run;
  QPushButton* m_cancel;
  QPushButton* m_runKfold;
  QLabel* m_reason;
  bool m_runAllowed = true;
  QString m_allowReason;
};

}  // namespace reclab::widgets

#pragma once
/// The feature panel: edits the metadata feature configuration of the hybrid models (which
/// attributes, where each comes from, how it is encoded, what a missing value becomes; the JSON
/// format of docs/features.md) and previews the encoded values on the loaded dataset.
///
/// Every edit is validated at once against the loaded log (FeatureConfig::validate): the
/// message, naming the row and field, shows in red under the table and the offending cell is
/// tinted. The preview (raw and encoded values of the first rows) is computed on the panel's
/// own worker thread with the encoders fitted on the first rows only; an edit cancels a preview
/// still being computed, so a stale one never lands. Open / save errors go to the panel's
/// message bar.

#include <QThreadPool>
#include <QWidget>
#include <memory>

#include "common/observer.h"
#include "data/load.h"
#include "features/feature_config.h"

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStandardItemModel;
class QTableView;
class QTimer;

namespace reclab::widgets {

class FeatureConfigModel;
class MessageBar;
struct FeaturePreview;

class FeaturePanel : public QWidget {
  Q_OBJECT

 public:
  /// Rows shown by the preview, and rows (from the first) the preview's encoders are fitted on.
  static constexpr int kPreviewRows = 20;
  static constexpr int kPreviewFitRows = 10000;

  explicit FeaturePanel(QWidget* parent = nullptr);
  ~FeaturePanel() override;

  /// The dataset the configuration is checked against and previewed on (nullptr: none). While
  /// the panel holds no attribute and no file, it takes the dataset's defaults.
  void setDataset(std::shared_ptr<const data::LoadResult> result);
  std::shared_ptr<const data::LoadResult> dataset() const { return m_result; }

  features::FeatureConfig config() const;
  /// Shows `config` (not tied to a file: currentPath() becomes empty).
  void setConfig(const features::FeatureConfig& config);
  /// The file last opened or saved; empty when the configuration comes from elsewhere.
  QString currentPath() const { return m_path; }
  /// True when the configuration was edited since it was opened or saved.
  bool isModified() const { return m_modified; }

  /// Loads a JSON file (FeatureConfig::load); on error keeps the current configuration and
  /// shows the message (path, line, field) in the message bar. Returns success.
  bool openFile(const QString& path);
  /// Writes the configuration to `path` and emits configSaved(). Refuses (message bar) a
  /// configuration that could not be read back; warns when it does not fit the loaded dataset.
  bool saveToFile(const QString& path);
  /// Replaces the configuration with defaultFeatureConfig() of the loaded dataset.
  void resetToDefaults();

  /// The current validation problem ("Row 5, name: 'hour' is already the name of row 2"),
  /// empty when the configuration is valid.
  QString validationMessage() const { return m_validationMessage; }
  /// The last preview shown (nullptr before the first one or without a dataset).
  std::shared_ptr<const FeaturePreview> preview() const { return m_preview; }
  /// True while a preview is being computed or waits for the edits to settle.
  bool isPreviewPending() const { return m_previewPending; }

  FeatureConfigModel* model() const { return m_model; }
  QTableView* table() const { return m_table; }
  QTableView* previewTable() const { return m_previewTable; }
  QStandardItemModel* previewModel() const { return m_previewModel; }
  QLabel* previewStatus() const { return m_previewStatus; }
  QLabel* validationLabel() const { return m_validation; }
  MessageBar* messages() const { return m_messages; }

 Q_SIGNALS:
  /// The configuration changed (an edit, a reset, a file opened, a new dataset's defaults).
  void configChanged();
  /// The configuration was written to `path` (for the model form's "features" parameter).
  void configSaved(const QString& path);
  /// A new preview is shown.
  void previewReady();

 public Q_SLOTS:
  void addAttribute();
  void removeSelected();
  void moveSelectedUp();
  void moveSelectedDown();
  /// File dialogs around openFile() / saveToFile().
  void chooseAndOpen();
  void chooseAndSave();

 private:
  struct PreviewOutcome;

  void buildUi();
  /// model -> widgets: after any change of the configuration.
  void onConfigEdited();
  void validate();
  void updateFileLabel();
  void updateButtons();
  void schedulePreview();
  void startPreview();
  void applyPreview(quint64 generation, const PreviewOutcome& outcome);
  void showPreview(const FeaturePreview& preview);
  void clearPreview(const QString& status);
  void moveSelected(int delta);
  int selectedRow() const;

  std::shared_ptr<const data::LoadResult> m_result;
  QString m_path;
  bool m_modified = false;
  bool m_syncing = false;  ///< set while the panel writes into its own widgets
  QString m_validationMessage;

  std::shared_ptr<const FeaturePreview> m_preview;
  bool m_previewPending = false;
  QThreadPool m_pool;
  StopToken m_stop;
  quint64 m_generation = 0;
  QTimer* m_previewTimer;

  FeatureConfigModel* m_model;
  MessageBar* m_messages;
  QLabel* m_file;
  QLineEdit* m_description;
  QDoubleSpinBox* m_sessionGap;
  QPushButton* m_add;
  QPushButton* m_remove;
  QPushButton* m_up;
  QPushButton* m_down;
  QPushButton* m_defaults;
  QPushButton* m_open;
  QPushButton* m_save;
  QTableView* m_table;
  QLabel* m_validation;
  QLabel* m_previewStatus;
  QTableView* m_previewTable;
  QStandardItemModel* m_previewModel;
};

}  // namespace reclab::widgets

#include "widgets/feature_panel.h"

#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFont>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <optional>

#include "common/errors.h"
#include "widgets/feature_config_delegate.h"
#include "widgets/feature_config_model.h"
#include "widgets/feature_preview.h"
#include "widgets/message_bar.h"

namespace reclab::widgets {

namespace {

using Model = FeatureConfigModel;

/// "name" -> the name column, ... for the field of a validation path.
int columnOfField(const QString& field) {
  if (field == "name") return Model::NameColumn;
  if (field == "source") return Model::SourceColumn;
  if (field == "from") return Model::FromColumn;
  if (field == "encoder") return Model::EncoderColumn;
  if (field == "missing") return Model::MissingColumn;
  if (field == "max_categories") return Model::MaxCategoriesColumn;
  if (field == "enabled") return Model::EnabledColumn;
  return Model::FromColumn;
}

/// "attributes[3]" -> "row 4" (the table numbers rows from 1).
QString withRowNumbers(QString text) {
  static const QRegularExpression attr(R"(attributes\[(\d+)\])");
  QString out;
  qsizetype last = 0;
  for (auto it = attr.globalMatch(text); it.hasNext();) {
    const auto m = it.next();
    out += text.mid(last, m.capturedStart() - last);
    out += QObject::tr("row %1").arg(m.captured(1).toInt() + 1);
    last = m.capturedEnd();
  }
  return out + text.mid(last);
}

QString groupedNumber(qulonglong n) { return QLocale(QLocale::English).toString(n); }

const QColor kEncodedTint(0xea, 0xf1, 0xfb);

}  // namespace

struct FeaturePanel::PreviewOutcome {
  std::shared_ptr<const FeaturePreview> preview;
  QString error;
  bool cancelled = false;
};

FeaturePanel::FeaturePanel(QWidget* parent) : QWidget(parent) {
  m_pool.setMaxThreadCount(1);  // previews run one at a time; stale queued ones stop at once
  m_model = new FeatureConfigModel(this);
  m_previewTimer = new QTimer(this);
  m_previewTimer->setSingleShot(true);
  m_previewTimer->setInterval(150);  // let a burst of edits settle before deriving
  connect(m_previewTimer, &QTimer::timeout, this, &FeaturePanel::startPreview);
  buildUi();
  connect(m_model, &FeatureConfigModel::configEdited, this, &FeaturePanel::onConfigEdited);
  onConfigEdited();
  m_modified = false;
  updateFileLabel();
}

FeaturePanel::~FeaturePanel() {
  m_stop.requestStop();
  m_pool.waitForDone();
}

void FeaturePanel::buildUi() {
  auto* layout = new QVBoxLayout(this);
  m_messages = new MessageBar(this);
  layout->addWidget(m_messages);

  auto* form = new QFormLayout;
  m_file = new QLabel(this);
  m_file->setTextInteractionFlags(Qt::TextSelectableByMouse);
  form->addRow(tr("File:"), m_file);
  auto* topRow = new QHBoxLayout;
  m_description = new QLineEdit(this);
  m_description->setPlaceholderText(tr("free text, e.g. which dataset the file is for"));
  m_sessionGap = new QDoubleSpinBox(this);
  m_sessionGap->setRange(0.001, 1e7);
  m_sessionGap->setDecimals(3);
  m_sessionGap->setSuffix(tr(" min"));
  m_sessionGap->setToolTip(
      tr("Logs without a session column: a user's event more than this long after the "
         "previous one starts a new session"));
  topRow->addWidget(m_description, 1);
  topRow->addWidget(new QLabel(tr("Session gap:"), this));
  topRow->addWidget(m_sessionGap);
  form->addRow(tr("Description:"), topRow);
  layout->addLayout(form);

  auto* buttons = new QHBoxLayout;
  m_add = new QPushButton(tr("Add"), this);
  m_remove = new QPushButton(tr("Remove"), this);
  m_up = new QPushButton(tr("Up"), this);
  m_down = new QPushButton(tr("Down"), this);
  m_defaults = new QPushButton(tr("Defaults for this dataset"), this);
  m_open = new QPushButton(tr("Open..."), this);
  m_save = new QPushButton(tr("Save As..."), this);
  m_add->setToolTip(tr("Add an attribute after the selected one"));
  m_defaults->setToolTip(
      tr("Every attribute of SPEC A the loaded dataset can supply, with "
         "its recommended encoder"));
  for (auto* b : {m_add, m_remove, m_up, m_down}) buttons->addWidget(b);
  buttons->addSpacing(12);
  buttons->addWidget(m_defaults);
  buttons->addStretch(1);
  buttons->addWidget(m_open);
  buttons->addWidget(m_save);
  layout->addLayout(buttons);

  auto* splitter = new QSplitter(Qt::Vertical, this);
  auto* top = new QWidget(splitter);
  auto* topLayout = new QVBoxLayout(top);
  topLayout->setContentsMargins(0, 0, 0, 0);
  m_table = new QTableView(top);
  m_table->setModel(m_model);
  m_table->setItemDelegate(new FeatureConfigDelegate(m_table));
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::SelectedClicked |
                           QAbstractItemView::EditKeyPressed | QAbstractItemView::AnyKeyPressed);
  m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
  auto* header = m_table->horizontalHeader();
  header->setSectionResizeMode(QHeaderView::Interactive);
  header->setStretchLastSection(true);
  const int em = m_table->fontMetrics().horizontalAdvance('m');
  m_table->setColumnWidth(Model::EnabledColumn, 3 * em);
  m_table->setColumnWidth(Model::NameColumn, 12 * em);
  m_table->setColumnWidth(Model::SourceColumn, 8 * em);
  m_table->setColumnWidth(Model::FromColumn, 12 * em);
  m_table->setColumnWidth(Model::EncoderColumn, 9 * em);
  m_table->setColumnWidth(Model::MissingColumn, 6 * em);
  topLayout->addWidget(m_table);
  m_validation = new QLabel(top);
  m_validation->setWordWrap(true);
  m_validation->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_validation->setStyleSheet("color: #b3261e;");
  m_validation->hide();
  topLayout->addWidget(m_validation);

  auto* bottom = new QWidget(splitter);
  auto* bottomLayout = new QVBoxLayout(bottom);
  bottomLayout->setContentsMargins(0, 0, 0, 0);
  m_previewStatus = new QLabel(bottom);
  m_previewStatus->setWordWrap(true);
  // Two lines always fit: a word-wrapped label in a splitter gets no height for its wrapping.
  m_previewStatus->setMinimumHeight(2 * m_previewStatus->fontMetrics().lineSpacing() + 4);
  bottomLayout->addWidget(m_previewStatus);
  m_previewModel = new QStandardItemModel(this);
  m_previewTable = new QTableView(bottom);
  m_previewTable->setModel(m_previewModel);
  m_previewTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_previewTable->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
  m_previewTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  bottomLayout->addWidget(m_previewTable);
  splitter->addWidget(top);
  splitter->addWidget(bottom);
  splitter->setStretchFactor(0, 1);
  splitter->setStretchFactor(1, 1);
  layout->addWidget(splitter, 1);

  connect(m_add, &QPushButton::clicked, this, &FeaturePanel::addAttribute);
  connect(m_remove, &QPushButton::clicked, this, &FeaturePanel::removeSelected);
  connect(m_up, &QPushButton::clicked, this, &FeaturePanel::moveSelectedUp);
  connect(m_down, &QPushButton::clicked, this, &FeaturePanel::moveSelectedDown);
  connect(m_defaults, &QPushButton::clicked, this, &FeaturePanel::resetToDefaults);
  connect(m_open, &QPushButton::clicked, this, &FeaturePanel::chooseAndOpen);
  connect(m_save, &QPushButton::clicked, this, &FeaturePanel::chooseAndSave);
  connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &FeaturePanel::updateButtons);
  // widgets -> model
  connect(m_description, &QLineEdit::textEdited, this, [this](const QString& text) {
    if (!m_syncing) m_model->setDescription(text.toStdString());
  });
  connect(m_sessionGap, &QDoubleSpinBox::valueChanged, this, [this](double minutes) {
    if (!m_syncing) m_model->setSessionGapMinutes(minutes);
  });
}

void FeaturePanel::setDataset(std::shared_ptr<const data::LoadResult> result) {
  m_result = std::move(result);
  QStringList itemProperties, userProperties;
  if (m_result) {
    for (const auto& a : m_result->log.itemAttributes.attributes()) {
      itemProperties << QString::fromStdString(a.name);
    }
    for (const auto& a : m_result->log.userAttributes.attributes()) {
      userProperties << QString::fromStdString(a.name);
    }
  }
  m_model->setPropertyNames(itemProperties, userProperties);
  // Defaults follow the dataset until the user edits them or opens a file.
  if (m_result && m_path.isEmpty() && (m_model->rowCount() == 0 || !m_modified)) {
    m_model->setConfig(features::defaultFeatureConfig(m_result->log));
    m_modified = false;
    updateFileLabel();
  } else {
    validate();
    updateButtons();
    schedulePreview();
  }
}

features::FeatureConfig FeaturePanel::config() const { return m_model->config(); }

void FeaturePanel::setConfig(const features::FeatureConfig& config) {
  m_path.clear();
  m_model->setConfig(config);
}

bool FeaturePanel::openFile(const QString& path) {
  features::FeatureConfig loaded;
  try {
    loaded = features::FeatureConfig::load(path.toStdString());
  } catch (const std::exception& e) {
    m_messages->showMessage(tr("Not opened: %1").arg(QString::fromUtf8(e.what())));
    return false;
  }
  m_messages->clearMessage();
  m_path = path;
  m_model->setConfig(std::move(loaded));
  m_modified = false;
  updateFileLabel();
  return true;
}

bool FeaturePanel::saveToFile(const QString& path) {
  const features::FeatureConfig c = m_model->config();
  try {
    c.validate();  // what FeatureConfig::load would refuse
    c.save(path.toStdString());
  } catch (const std::exception& e) {
    m_messages->showMessage(
        tr("Not saved to %1: %2").arg(path, withRowNumbers(QString::fromUtf8(e.what()))));
    return false;
  }
  m_path = path;
  m_modified = false;
  updateFileLabel();
  if (!m_validationMessage.isEmpty()) {
    m_messages->showMessage(tr("Saved to %1, but it does not fit the loaded dataset: %2")
                                .arg(path, m_validationMessage),
                            MessageBar::Level::Warning);
  } else {
    m_messages->showMessage(tr("Saved to %1").arg(path), MessageBar::Level::Info);
  }
  Q_EMIT configSaved(path);
  return true;
}

void FeaturePanel::resetToDefaults() {
  if (!m_result) return;
  features::FeatureConfig defaults = features::defaultFeatureConfig(m_result->log);
  defaults.sessionGapMinutes = m_model->config().sessionGapMinutes;
  m_model->setConfig(std::move(defaults));
}

void FeaturePanel::onConfigEdited() {
  m_modified = true;
  const auto& c = m_model->config();
  m_syncing = true;
  if (m_description->text().toStdString() != c.description) {
    m_description->setText(QString::fromStdString(c.description));
  }
  m_sessionGap->setValue(c.sessionGapMinutes);
  m_syncing = false;
  validate();
  updateFileLabel();
  updateButtons();
  schedulePreview();
  Q_EMIT configChanged();
}

void FeaturePanel::validate() {
  const data::InteractionLog* log = m_result ? &m_result->log : nullptr;
  try {
    m_model->config().validate(log);
    m_validationMessage.clear();
    m_model->setInvalidCell(-1, -1);
    m_validation->hide();
    return;
  } catch (const InputError& e) {
    QString text = QString::fromUtf8(e.what());
    text.remove(QRegularExpression("^feature config: "));
    static const QRegularExpression located(R"(^attributes\[(\d+)\](?:\.(\w+))?: )");
    const auto m = located.match(text);
    if (m.hasMatch()) {
      const int row = m.captured(1).toInt();
      const QString field = m.captured(2);
      const QString rest = withRowNumbers(text.mid(m.capturedLength()));
      // Without a field the source failed against the log: the "from" cell, or the encoder
      // when a categorical property got a numeric one.
      const int column = !field.isEmpty()             ? columnOfField(field)
                         : rest.contains("use index") ? Model::EncoderColumn
                                                      : Model::FromColumn;
      m_validationMessage = field.isEmpty() ? tr("Row %1: %2").arg(row + 1).arg(rest)
                                            : tr("Row %1, %2: %3").arg(row + 1).arg(field, rest);
      m_model->setInvalidCell(row, column, m_validationMessage);
    } else {
      m_validationMessage = withRowNumbers(text);
      m_model->setInvalidCell(-1, -1);
    }
  }
  m_validation->setText(m_validationMessage);
  m_validation->show();
}

void FeaturePanel::updateFileLabel() {
  if (m_path.isEmpty()) {
    m_file->setText(
        tr("not saved yet (Save As... writes it; the hybrid models' \"features\" "
           "parameter takes its path)"));
    return;
  }
  m_file->setText(m_modified ? tr("%1 (modified)").arg(m_path) : m_path);
}

void FeaturePanel::updateButtons() {
  const int row = selectedRow();
  m_remove->setEnabled(row >= 0);
  m_up->setEnabled(row > 0);
  m_down->setEnabled(row >= 0 && row + 1 < m_model->rowCount());
  m_defaults->setEnabled(m_result != nullptr);
}

int FeaturePanel::selectedRow() const {
  const auto rows = m_table->selectionModel()->selectedRows();
  return rows.isEmpty() ? -1 : rows.first().row();
}

void FeaturePanel::addAttribute() {
  std::optional<features::FeatureConfig> defaults;
  if (m_result) defaults = features::defaultFeatureConfig(m_result->log);
  const int selected = selectedRow();
  const int row = m_model->insertAttribute(selected < 0 ? -1 : selected + 1,
                                           m_model->newAttribute(defaults ? &*defaults : nullptr));
  m_table->selectRow(row);
  m_table->scrollTo(m_model->index(row, 0));
}

void FeaturePanel::removeSelected() {
  const int row = selectedRow();
  if (row < 0) return;
  m_model->removeRow(row);
  if (m_model->rowCount() > 0) m_table->selectRow(std::min(row, m_model->rowCount() - 1));
  updateButtons();
}

void FeaturePanel::moveSelectedUp() { moveSelected(-1); }
void FeaturePanel::moveSelectedDown() { moveSelected(1); }

void FeaturePanel::moveSelected(int delta) {
  const int row = selectedRow();
  const int target = row + delta;
  if (row < 0 || target < 0 || target >= m_model->rowCount()) return;
  // Qt's destination is the row before which the moved one lands, counted before the move.
  m_model->moveRow({}, row, {}, delta < 0 ? target : target + 1);
  m_table->selectRow(target);
}

void FeaturePanel::chooseAndOpen() {
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open feature configuration"), QFileInfo(m_path).absolutePath(),
      tr("Feature configuration (*.json);;All files (*)"));
  if (!path.isEmpty()) openFile(path);
}

void FeaturePanel::chooseAndSave() {
  QString path = QFileDialog::getSaveFileName(this, tr("Save feature configuration"),
                                              m_path.isEmpty() ? "features.json" : m_path,
                                              tr("Feature configuration (*.json)"));
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty()) path += ".json";
  saveToFile(path);
}

void FeaturePanel::schedulePreview() {
  // Whatever is being computed is stale now.
  m_stop.requestStop();
  m_stop = StopToken();
  ++m_generation;
  m_previewTimer->stop();
  m_previewPending = false;
  if (!m_result) {
    clearPreview(tr("Load a dataset to preview the encoded values."));
    return;
  }
  if (!m_validationMessage.isEmpty()) {
    clearPreview(tr("No preview while the configuration is not valid (see above)."));
    return;
  }
  const auto& attrs = m_model->config().attributes;
  if (std::none_of(attrs.begin(), attrs.end(), [](const auto& a) { return a.enabled; })) {
    clearPreview(tr("No enabled attribute to preview."));
    return;
  }
  m_previewPending = true;
  m_previewStatus->setStyleSheet({});
  m_previewStatus->setText(tr("computing..."));
  m_previewTable->setEnabled(false);
  m_previewTimer->start();
}

void FeaturePanel::startPreview() {
  if (!m_result || !m_previewPending) return;
  const quint64 generation = m_generation;
  auto job = [result = m_result, config = m_model->config(), stop = m_stop]() {
    PreviewOutcome out;
    try {
      out.preview = std::make_shared<const FeaturePreview>(
          computeFeaturePreview(config, result->log, static_cast<std::size_t>(kPreviewFitRows),
                                static_cast<std::size_t>(kPreviewRows), stop));
    } catch (const Cancelled&) {
      out.cancelled = true;
    } catch (const std::exception& e) {
      out.error = QString::fromUtf8(e.what());
    }
    return out;
  };
  auto* watcher = new QFutureWatcher<PreviewOutcome>(this);
  connect(watcher, &QFutureWatcher<PreviewOutcome>::finished, this, [this, watcher, generation] {
    watcher->deleteLater();
    applyPreview(generation, watcher->result());
  });
  watcher->setFuture(QtConcurrent::run(&m_pool, std::move(job)));
}

void FeaturePanel::applyPreview(quint64 generation, const PreviewOutcome& outcome) {
  if (generation != m_generation || outcome.cancelled) return;  // superseded by an edit
  m_previewPending = false;
  if (!outcome.preview) {
    clearPreview(tr("Preview failed: %1").arg(withRowNumbers(outcome.error)));
    m_previewStatus->setStyleSheet("color: #b3261e;");
    return;
  }
  m_preview = outcome.preview;
  showPreview(*m_preview);
  Q_EMIT previewReady();
}

void FeaturePanel::showPreview(const FeaturePreview& p) {
  m_previewModel->clear();
  // Each attribute's raw value, then its encoded value(s), shaded.
  struct Column {
    int attribute;
    int encoded;  ///< -1 for the raw value
  };
  std::vector<Column> columns;
  for (int a = 0; a < static_cast<int>(p.attributes.size()); ++a) {
    columns.push_back({a, -1});
    for (int e : p.encodedOf[static_cast<std::size_t>(a)]) {
      if (e >= 0) columns.push_back({a, e});
    }
  }
  m_previewModel->setColumnCount(static_cast<int>(columns.size()));
  m_previewModel->setRowCount(static_cast<int>(p.rows.size()));
  for (int c = 0; c < static_cast<int>(columns.size()); ++c) {
    const Column& col = columns[static_cast<std::size_t>(c)];
    QStandardItem* h = nullptr;
    if (col.encoded < 0) {
      h = new QStandardItem(tr("%1\nraw").arg(p.attributes[col.attribute]));
      h->setToolTip(tr("Raw value of '%1'").arg(p.attributes[col.attribute]));
    } else {
      h = new QStandardItem(tr("%1\nencoded").arg(p.encodedNames[col.encoded]));
      h->setToolTip(p.encodedCategorical[static_cast<std::size_t>(col.encoded)]
                        ? tr("Categorical index (0 = unseen, 1 = missing, 2.. by frequency)")
                        : tr("Continuous model input"));
    }
    m_previewModel->setHorizontalHeaderItem(c, h);
  }
  for (std::size_t r = 0; r < p.rows.size(); ++r) {
    const int row = static_cast<int>(r);
    m_previewModel->setVerticalHeaderItem(row, new QStandardItem(QString::number(p.rows[r] + 1)));
    for (int c = 0; c < static_cast<int>(columns.size()); ++c) {
      const Column& col = columns[static_cast<std::size_t>(c)];
      QStandardItem* item = nullptr;
      if (col.encoded < 0) {
        const auto& value = p.raw[r][static_cast<std::size_t>(col.attribute)];
        item = new QStandardItem(value ? *value : tr("missing"));
        if (!value) {
          item->setForeground(QColor(Qt::gray));
          QFont italic = item->font();
          italic.setItalic(true);
          item->setFont(italic);
        }
      } else {
        const auto e = static_cast<std::size_t>(col.encoded);
        const double x = p.encoded[r][e];
        item = new QStandardItem(p.encodedCategorical[e] ? QString::number(static_cast<qint64>(x))
                                                         : QString::number(x, 'f', 4));
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        item->setBackground(kEncodedTint);
      }
      m_previewModel->setItem(row, c, item);
    }
  }
  m_previewTable->setEnabled(true);
  m_previewStatus->setStyleSheet({});
  m_previewStatus->setText(
      tr("First %1 of %2 rows: %3 attributes, %4 encoded model inputs (shaded). Encoders fitted "
         "on the first %5 rows for the preview; a model fits them on its training rows.")
          .arg(p.rows.size())
          .arg(groupedNumber(p.logRows))
          .arg(p.attributes.size())
          .arg(p.encodedNames.size())
          .arg(groupedNumber(p.fittedRows)));
}

void FeaturePanel::clearPreview(const QString& status) {
  m_preview.reset();
  m_previewModel->clear();
  m_previewTable->setEnabled(true);
  m_previewStatus->setStyleSheet({});
  m_previewStatus->setText(status);
}

}  // namespace reclab::widgets

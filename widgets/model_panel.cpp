#include "widgets/model_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>
#include <climits>
#include <map>

#include "widgets/model_form.h"

namespace reclab::widgets {

namespace {

constexpr int kNameRole = Qt::UserRole + 1;

QString taskTitle(models::Task t) {
  switch (t) {
    case models::Task::Rating:
      return QObject::tr("Rating prediction");
    case models::Task::Ranking:
      return QObject::tr("Top-N ranking");
    case models::Task::Classification:
      return QObject::tr("Interaction classification");
    case models::Task::SessionPurchase:
      return QObject::tr("Session purchase prediction");
    case models::Task::SessionNext:
      return QObject::tr("Session next-item");
  }
  return {};
}

}  // namespace

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);

  // Model chooser grouped by task: non-selectable bold headers, then the models.
  m_modelCombo = new QComboBox(this);
  auto* items = new QStandardItemModel(m_modelCombo);
  std::map<int, std::vector<const models::ModelInfo*>> byTask;
  for (const auto* info : models::Registry::instance().all()) {
    byTask[static_cast<int>(info->task)].push_back(info);
  }
  for (const auto& [task, infos] : byTask) {
    auto* header = new QStandardItem(taskTitle(static_cast<models::Task>(task)));
    header->setFlags(Qt::NoItemFlags);
    QFont bold = header->font();
    bold.setBold(true);
    header->setFont(bold);
    items->appendRow(header);
    for (const auto* info : infos) {
      auto* item = new QStandardItem("  " + QString::fromStdString(info->displayName));
      item->setData(QString::fromStdString(info->name), kNameRole);
      item->setToolTip(QString::fromStdString(info->name + ": " + info->description));
      items->appendRow(item);
    }
  }
  m_modelCombo->setModel(items);
  m_modelCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_modelCombo->setMinimumContentsLength(20);
  layout->addWidget(m_modelCombo);

  m_description = new QLabel(this);
  m_description->setWordWrap(true);
  m_description->setStyleSheet("color: #555555;");
  layout->addWidget(m_description);

  auto* paramsBox = new QGroupBox(tr("Hyper-parameters"), this);
  auto* paramsLayout = new QVBoxLayout(paramsBox);
  m_form = new ModelForm(paramsBox);
  auto* scroll = new QScrollArea(paramsBox);
  scroll->setWidget(m_form);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  paramsLayout->addWidget(scroll);
  layout->addWidget(paramsBox);

  auto* runBox = new QGroupBox(tr("Split and seed"), this);
  auto* runForm = new QFormLayout(runBox);
  m_runName = new QLineEdit(runBox);
  m_runName->setPlaceholderText(tr("model name"));
  runForm->addRow(tr("Run name"), m_runName);
  m_splitKind = new QComboBox(runBox);
  m_splitKind->addItem(tr("random"), "random");
  m_splitKind->addItem(tr("temporal (global time cut)"), "temporal");
  m_splitKind->addItem(tr("k-fold"), "kfold");
  m_splitKind->addItem(tr("leave last n per user"), "leave_last_n");
  m_splitKind->addItem(tr("sessions ending in the last days"), "session_time");
  m_splitKind->addItem(tr("random sessions (thesis 60 / 20 / 20)"), "session_random");
  runForm->addRow(tr("Split"), m_splitKind);
  m_testRatio = new QDoubleSpinBox(runBox);
  m_testRatio->setRange(0.01, 0.9);
  m_testRatio->setSingleStep(0.05);
  m_testRatio->setValue(0.2);
  m_testRatio->setToolTip(tr("Share of the rows held out for the test metrics"));
  runForm->addRow(tr("Test ratio"), m_testRatio);
  m_folds = new QSpinBox(runBox);
  m_folds->setRange(2, 20);
  m_folds->setValue(5);
  runForm->addRow(tr("Folds"), m_folds);
  m_lastN = new QSpinBox(runBox);
  m_lastN->setRange(1, 1000);
  m_lastN->setValue(1);
  m_lastN->setToolTip(tr("Each user's n latest interactions are test rows"));
  runForm->addRow(tr("Last n per user"), m_lastN);
  m_testDays = new QDoubleSpinBox(runBox);
  m_testDays->setRange(0.01, 3650);
  m_testDays->setValue(1.0);
  m_testDays->setToolTip(tr("Sessions whose last event falls in the final days of the log are test"));
  runForm->addRow(tr("Test days"), m_testDays);
  m_validRatio = new QDoubleSpinBox(runBox);
  m_validRatio->setRange(0.0, 0.5);
  m_validRatio->setSingleStep(0.05);
  m_validRatio->setValue(0.1);
  m_validRatio->setToolTip(
      tr("Share of the training rows used for per-epoch validation "
         "curves (0 = none)"));
  runForm->addRow(tr("Validation ratio"), m_validRatio);
  m_seed = new QSpinBox(runBox);
  m_seed->setRange(0, INT_MAX);
  m_seed->setValue(0);
  m_seed->setToolTip(tr("Seed of the split and of the model's initialisation"));
  runForm->addRow(tr("Seed"), m_seed);
  m_threads = new QSpinBox(runBox);
  m_threads->setRange(0, 256);
  m_threads->setSpecialValueText(tr("all cores"));
  m_threads->setToolTip(tr("Thread budget of the run (fix it for bit-reproducible results)"));
  runForm->addRow(tr("Threads"), m_threads);
  m_ks = new QLineEdit(QStringLiteral("1, 5, 10, 20"), runBox);
  m_ks->setObjectName("rankingKs");
  m_ks->setToolTip(tr("Cut-offs k of the ranking metrics (Recall@k, MRR@k, HitRate@k, NDCG@k...)"));
  runForm->addRow(tr("Ranking k"), m_ks);
  layout->addWidget(runBox);

  auto* buttons = new QHBoxLayout();
  m_run = new QPushButton(tr("Run"), this);
  m_run->setDefault(true);
  m_runKfold = new QPushButton(tr("Run k-fold"), this);
  m_cancel = new QPushButton(tr("Cancel"), this);
  m_cancel->setEnabled(false);
  buttons->addWidget(m_run);
  buttons->addWidget(m_runKfold);
  buttons->addWidget(m_cancel);
  layout->addLayout(buttons);
  m_reason = new QLabel(this);
  m_reason->setWordWrap(true);
  m_reason->setStyleSheet("color: #b52a25;");
  layout->addWidget(m_reason);
  layout->addStretch(1);

  connect(m_modelCombo, &QComboBox::currentIndexChanged, this, &ModelPanel::onModelChanged);
  connect(m_splitKind, &QComboBox::currentIndexChanged, this, &ModelPanel::onSplitKindChanged);
  connect(m_ks, &QLineEdit::textChanged, this, [this] { updateRunState(); });
  connect(m_form, &ModelForm::validityChanged, this, &ModelPanel::updateRunState);
  connect(m_run, &QPushButton::clicked, this, &ModelPanel::requestRun);
  connect(m_runKfold, &QPushButton::clicked, this, &ModelPanel::requestKfoldRun);
  connect(m_cancel, &QPushButton::clicked, this, &ModelPanel::cancelRequested);

  // First selectable model.
  for (int i = 0; i < m_modelCombo->count(); ++i) {
    if (!m_modelCombo->itemData(i, kNameRole).toString().isEmpty()) {
      m_modelCombo->setCurrentIndex(i);
      break;
    }
  }
  onModelChanged();
  onSplitKindChanged();
}

bool ModelPanel::selectModel(const QString& name) {
  const int i = m_modelCombo->findData(name, kNameRole);
  if (i < 0) return false;
  m_modelCombo->setCurrentIndex(i);
  return true;
}

QString ModelPanel::currentModel() const { return m_modelCombo->currentData(kNameRole).toString(); }

void ModelPanel::onModelChanged() {
  const auto* info = models::Registry::instance().find(currentModel().toStdString());
  if (info && m_form->modelName() == QString::fromStdString(info->name)) return;
  m_form->setModel(info);
  m_description->setText(info ? QString::fromStdString(info->description) : QString());
  updateRunState();
  Q_EMIT modelChanged(currentModel());
}

void ModelPanel::onSplitKindChanged() {
  const QString kind = m_splitKind->currentData().toString();
  m_testRatio->setEnabled(kind == "random" || kind == "temporal" || kind == "session_random");
  m_folds->setEnabled(kind == "kfold");
  m_lastN->setEnabled(kind == "leave_last_n");
  m_testDays->setEnabled(kind == "session_time");
}

std::vector<int> ModelPanel::rankingKs() const {
  std::vector<int> ks;
  for (const QString& part : m_ks->text().split(',', Qt::SkipEmptyParts)) {
    bool ok = false;
    const int k = part.trimmed().toInt(&ok);
    if (!ok || k < 1 || k > 10000) return {};
    ks.push_back(k);
  }
  return ks;
}

nlohmann::json ModelPanel::config() const {
  nlohmann::json c;
  const QString name = m_runName->text().trimmed();
  if (!name.isEmpty()) c["name"] = name.toStdString();
  c["model"] = {{"name", currentModel().toStdString()}, {"params", m_form->params()}};
  c["split"] = {{"kind", m_splitKind->currentData().toString().toStdString()},
                {"test_ratio", m_testRatio->value()},
                {"valid_ratio", m_validRatio->value()},
                {"folds", m_folds->value()},
                {"n", m_lastN->value()},
                {"test_days", m_testDays->value()}};
  if (auto ks = rankingKs(); !ks.empty()) c["eval"] = {{"k", ks}};
  c["seed"] = m_seed->value();
  c["threads"] = m_threads->value();
  return c;
}

void ModelPanel::setConfig(const nlohmann::json& config) {
  if (!config.is_object()) return;
  if (config.contains("model") && config["model"].is_object()) {
    const auto& m = config["model"];
    if (m.contains("name") && m["name"].is_string()) {
      selectModel(QString::fromStdString(m["name"].get<std::string>()));
    }
    if (m.contains("params")) m_form->setParams(m["params"]);
  }
  if (config.contains("split") && config["split"].is_object()) {
    const auto& s = config["split"];
    if (s.contains("kind") && s["kind"].is_string()) {
      const int i = m_splitKind->findData(QString::fromStdString(s["kind"].get<std::string>()));
      if (i >= 0) m_splitKind->setCurrentIndex(i);
    }
    if (s.contains("test_ratio") && s["test_ratio"].is_number())
      m_testRatio->setValue(s["test_ratio"].get<double>());
    if (s.contains("valid_ratio") && s["valid_ratio"].is_number())
      m_validRatio->setValue(s["valid_ratio"].get<double>());
    if (s.contains("folds") && s["folds"].is_number_integer())
      m_folds->setValue(s["folds"].get<int>());
    if (s.contains("n") && s["n"].is_number_integer()) m_lastN->setValue(s["n"].get<int>());
    if (s.contains("test_days") && s["test_days"].is_number())
      m_testDays->setValue(s["test_days"].get<double>());
  }
  if (config.contains("eval") && config["eval"].is_object() && config["eval"].contains("k") &&
      config["eval"]["k"].is_array()) {
    QStringList ks;
    for (const auto& k : config["eval"]["k"])
      if (k.is_number_integer()) ks << QString::number(k.get<int>());
    m_ks->setText(ks.join(", "));
  }
  if (config.contains("seed") && config["seed"].is_number_integer()) {
    m_seed->setValue(
        static_cast<int>(std::min<long long>(config["seed"].get<long long>(), INT_MAX)));
  }
  if (config.contains("threads") && config["threads"].is_number_integer()) {
    m_threads->setValue(config["threads"].get<int>());
  }
}

void ModelPanel::setRunAllowed(bool allowed, const QString& reason) {
  m_runAllowed = allowed;
  m_allowReason = reason;
  updateRunState();
}

void ModelPanel::setRunning(bool running) { m_cancel->setEnabled(running); }

QString ModelPanel::blockReason() const {
  if (currentModel().isEmpty()) return tr("Choose a model");
  if (rankingKs().empty()) return tr("Ranking k must be a comma-separated list of integers >= 1");
  if (!m_form->isValid()) return m_form->validationError();
  if (!m_runAllowed) return m_allowReason;
  return {};
}

void ModelPanel::updateRunState() {
  const QString reason = blockReason();
  m_run->setEnabled(reason.isEmpty());
  m_run->setToolTip(reason.isEmpty() ? tr("Train and evaluate the model (Ctrl+R)") : reason);
  m_runKfold->setEnabled(reason.isEmpty());
  m_runKfold->setToolTip(reason.isEmpty()
                             ? tr("Cross-validate: one run per fold (the Folds setting), then "
                                  "the mean and standard deviation of each metric")
                             : reason);
  m_reason->setText(reason);
  m_reason->setVisible(!reason.isEmpty());
}

void ModelPanel::requestRun() {
  if (!blockReason().isEmpty()) return;
  Q_EMIT runRequested(config());
}

void ModelPanel::requestKfoldRun() {
  if (!blockReason().isEmpty()) return;
  m_splitKind->setCurrentIndex(m_splitKind->findData("kfold"));
  Q_EMIT runRequested(config());
}

}  // namespace reclab::widgets

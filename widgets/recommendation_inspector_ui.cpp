#include "widgets/recommendation_inspector.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStringListModel>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "widgets/message_bar.h"

// The inspector's widgets and their connections (the behaviour is in
// recommendation_inspector.cpp).

namespace reclab::widgets {

void RecommendationInspector::buildUi() {
  auto* layout = new QVBoxLayout(this);

  auto* runRow = new QHBoxLayout;
  runRow->addWidget(new QLabel(tr("Run:"), this));
  m_runPicker = new QComboBox(this);
  m_runPicker->setPlaceholderText(tr("Pick a finished run with a stored model"));
  m_runPicker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_runPicker->setMinimumContentsLength(30);
  runRow->addWidget(m_runPicker);
  m_refresh = new QToolButton(this);
  m_refresh->setText(tr("Refresh"));
  m_refresh->setToolTip(tr("Re-read the store's runs"));
  runRow->addWidget(m_refresh);
  runRow->addStretch(1);
  m_progress = new QProgressBar(this);
  m_progress->setMaximumWidth(160);
  m_progress->setTextVisible(false);
  m_stage = new QLabel(this);
  m_cancel = new QPushButton(tr("Cancel"), this);
  runRow->addWidget(m_progress);
  runRow->addWidget(m_stage);
  runRow->addWidget(m_cancel);
  layout->addLayout(runRow);

  m_messages = new MessageBar(this);
  layout->addWidget(m_messages);
  m_runSummary = new QLabel(this);
  m_runSummary->setWordWrap(true);
  m_runSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(m_runSummary);

  auto* userRow = new QHBoxLayout;
  m_userControls = new QWidget(this);
  auto* userPicker = new QHBoxLayout(m_userControls);
  userPicker->setContentsMargins(0, 0, 0, 0);
  userPicker->addWidget(new QLabel(tr("User:"), m_userControls));
  m_userEdit = new QLineEdit(m_userControls);
  m_userEdit->setObjectName("userEdit");
  m_userEdit->setPlaceholderText(tr("original user id (type to search)"));
  m_userEdit->setClearButtonEnabled(true);
  m_completions = new QStringListModel(this);
  m_completer = new QCompleter(m_completions, this);
  m_completer->setCompletionMode(QCompleter::UnfilteredPopupCompletion);
  m_completer->setMaxVisibleItems(12);
  m_userEdit->setCompleter(m_completer);
  m_userEdit->setMinimumWidth(180);
  m_userEdit->setMaximumWidth(320);
  userPicker->addWidget(m_userEdit, 1);
  m_showUser = new QPushButton(tr("Show"), m_userControls);
  userPicker->addWidget(m_showUser);
  userRow->addWidget(m_userControls, 1);
  // Session mode's picker takes the user picker's place.
  m_sessionControls = new QWidget(this);
  auto* sessionPicker = new QHBoxLayout(m_sessionControls);
  sessionPicker->setContentsMargins(0, 0, 0, 0);
  sessionPicker->addWidget(new QLabel(tr("Test session:"), m_sessionControls));
  m_sessionPicker = new QComboBox(m_sessionControls);
  m_sessionPicker->setObjectName("sessionPicker");
  m_sessionLabels = new QStringListModel(this);
  m_sessionPicker->setModel(m_sessionLabels);
  m_sessionPicker->setEditable(true);
  m_sessionPicker->setInsertPolicy(QComboBox::NoInsert);
  m_sessionPicker->lineEdit()->setPlaceholderText(tr("original session id (type to search)"));
  m_sessionPicker->lineEdit()->setClearButtonEnabled(true);
  m_sessionPicker->completer()->setFilterMode(Qt::MatchContains);
  m_sessionPicker->completer()->setCompletionMode(QCompleter::PopupCompletion);
  m_sessionPicker->setMaxVisibleItems(16);
  m_sessionPicker->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_sessionPicker->setMinimumContentsLength(22);
  sessionPicker->addWidget(m_sessionPicker, 1);
  userRow->addWidget(m_sessionControls, 1);
  userRow->addSpacing(16);
  userRow->addWidget(new QLabel(tr("Top-N:"), this));
  m_n = new QSpinBox(this);
  m_n->setRange(1, 1000);
  m_n->setValue(10);
  userRow->addWidget(m_n);
  m_filterSeen = new QCheckBox(tr("filter already-seen items"), this);
  m_filterSeen->setChecked(true);
  m_filterSeen->setToolTip(tr("Leave out the items of the user's training rows"));
  userRow->addWidget(m_filterSeen);
  m_filterPrefix = new QCheckBox(tr("leave out the prefix's items"), this);
  m_filterPrefix->setToolTip(
      tr("Off by default: a re-click is a legal next click (the next-item protocol does not "
         "mask)"));
  userRow->addWidget(m_filterPrefix);
  userRow->addStretch(1);
  layout->addLayout(userRow);
  // Clustering on a row of its own, so the inspector fits a narrow central area.
  m_clusterRow = new QWidget(this);
  auto* clusterRow = new QHBoxLayout(m_clusterRow);
  clusterRow->setContentsMargins(0, 0, 0, 0);
  m_clusterLabel = new QLabel(this);
  clusterRow->addWidget(m_clusterLabel);
  m_clusterK = new QSpinBox(this);
  m_clusterK->setRange(2, 1000);
  m_clusterK->setValue(8);
  m_clusterK->setPrefix(tr("k = "));
  clusterRow->addWidget(m_clusterK);
  m_clusterButton = new QPushButton(tr("Cluster users..."), this);
  m_clusterButton->setToolTip(tr("K-Means over the model's user embeddings (stored on the run)"));
  clusterRow->addWidget(m_clusterButton);
  clusterRow->addStretch(1);
  layout->addWidget(m_clusterRow);

  m_sessionBox = new QGroupBox(tr("Session mode: next items after a session prefix"), this);
  auto* sessionLayout = new QVBoxLayout(m_sessionBox);
  m_prefixControls = new QWidget(m_sessionBox);
  auto* prefixRow = new QHBoxLayout(m_prefixControls);
  prefixRow->setContentsMargins(0, 0, 0, 0);
  prefixRow->addWidget(new QLabel(tr("Prefix length:"), m_prefixControls));
  m_prefixSlider = new QSlider(Qt::Horizontal, m_prefixControls);
  m_prefixSlider->setMinimumWidth(160);
  m_prefixSlider->setTickPosition(QSlider::TicksBelow);
  m_prefixSpin = new QSpinBox(m_prefixControls);
  m_prefixSpin->setObjectName("prefixLength");
  m_prefixOf = new QLabel(m_prefixControls);
  prefixRow->addWidget(m_prefixSlider, 1);
  prefixRow->addWidget(m_prefixSpin);
  prefixRow->addWidget(m_prefixOf);
  prefixRow->addSpacing(16);
  prefixRow->addWidget(new QLabel(tr("or type item ids:"), m_prefixControls));
  m_sessionPrefix = new QLineEdit(m_prefixControls);
  m_sessionPrefix->setObjectName("prefixEdit");
  m_sessionPrefix->setPlaceholderText(tr("item ids, oldest first"));
  m_sessionPrefix->setToolTip(
      tr("Original item ids of a session so far, oldest first, separated by spaces or commas; "
         "Enter scores them"));
  m_sessionPrefix->setClearButtonEnabled(true);
  prefixRow->addWidget(m_sessionPrefix, 2);
  m_scorePrefix = new QPushButton(tr("Score"), m_prefixControls);
  m_scorePrefix->setToolTip(tr("The next items after the typed prefix"));
  prefixRow->addWidget(m_scorePrefix);
  m_sessionNote = new QLabel(m_sessionBox);
  m_sessionNote->setWordWrap(true);
  sessionLayout->addWidget(m_prefixControls);
  sessionLayout->addWidget(m_sessionNote);
  layout->addWidget(m_sessionBox);

  auto makeTable = [this] {
    auto* t = new QTableWidget(this);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->verticalHeader()->setVisible(false);
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 6);
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
  };
  auto titled = [this](QLabel*& title, QTableWidget* table) {
    auto* box = new QWidget(this);
    auto* l = new QVBoxLayout(box);
    l->setContentsMargins(0, 0, 0, 0);
    title = new QLabel(box);
    title->setWordWrap(true);
    QFont f = title->font();
    f.setBold(true);
    title->setFont(f);
    l->addWidget(title);
    l->addWidget(table, 1);
    return box;
  };
  m_history = makeTable();
  m_topN = makeTable();
  m_similar = makeTable();
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(titled(m_historyTitle, m_history));
  auto* right = new QSplitter(Qt::Vertical, split);
  right->addWidget(titled(m_topNTitle, m_topN));
  m_similarBox = titled(m_similarTitle, m_similar);
  right->addWidget(m_similarBox);
  split->addWidget(right);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  layout->addWidget(split, 1);

  connect(m_refresh, &QToolButton::clicked, this, &RecommendationInspector::refreshRuns);
  connect(m_cancel, &QPushButton::clicked, this, &RecommendationInspector::cancel);
  connect(m_runPicker, &QComboBox::activated, this, [this](int index) {
    const auto id = m_runPicker->itemData(index).toLongLong();
    if (id > 0 && id != openedRunId()) openRun(id);
  });
  connect(m_userEdit, &QLineEdit::textEdited, this, &RecommendationInspector::updateCompletions);
  connect(m_userEdit, &QLineEdit::returnPressed, this,
          [this] { selectUser(m_userEdit->text().trimmed()); });
  connect(m_completer, qOverload<const QString&>(&QCompleter::activated), this,
          [this](const QString& id) { selectUser(id); });
  connect(m_showUser, &QPushButton::clicked, this,
          [this] { selectUser(m_userEdit->text().trimmed()); });
  connect(m_n, &QSpinBox::valueChanged, this, &RecommendationInspector::refreshTopN);
  connect(m_filterSeen, &QCheckBox::toggled, this, &RecommendationInspector::refreshTopN);
  connect(m_clusterButton, &QPushButton::clicked, this,
          [this] { clusterUsers(m_clusterK->value()); });
  connect(m_filterPrefix, &QCheckBox::toggled, this, &RecommendationInspector::refreshTopN);
  connect(m_sessionPicker, &QComboBox::currentIndexChanged, this,
          &RecommendationInspector::selectSessionIndex);
  connect(m_sessionPicker->lineEdit(), &QLineEdit::returnPressed, this, [this] {
    // A bare session id typed without picking from the list.
    const QString id = m_sessionPicker->currentText().section(' ', 0, 0, QString::SectionSkipEmpty);
    if (!id.isEmpty() && id != selectedSession()) selectSession(id);
  });
  connect(m_prefixSlider, &QSlider::valueChanged, this, &RecommendationInspector::setPrefixLength);
  connect(m_prefixSpin, &QSpinBox::valueChanged, this, &RecommendationInspector::setPrefixLength);
  connect(m_sessionPrefix, &QLineEdit::returnPressed, this,
          [this] { setTypedPrefix(m_sessionPrefix->text()); });
  connect(m_scorePrefix, &QPushButton::clicked, this,
          [this] { setTypedPrefix(m_sessionPrefix->text()); });
  // The item column: 1 in the top-N (after the rank), 2 in a session's clicks (after position
  // and part), 0 in a user's history.
  auto followItem = [this](QTableWidget* table, int itemColumn) {
    connect(table, &QTableWidget::currentCellChanged, this, [this, table, itemColumn](int row) {
      const int column = table == m_history && isSessionMode() ? 2 : itemColumn;
      if (const auto* cell = row >= 0 ? table->item(row, column) : nullptr) {
        showSimilarToIndex(cell->data(Qt::UserRole).toInt());
      }
    });
  };
  followItem(m_topN, 1);
  followItem(m_history, 0);
  setBusy(false);
  clearRun();
}

}  // namespace reclab::widgets

#include "widgets/column_mapping_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QVBoxLayout>
#include <string>
#include <vector>

#include "common/text.h"

namespace reclab::widgets {

namespace {

using Role = ColumnMappingDialog::Role;

constexpr std::array<Role, ColumnMappingDialog::kRoles> kAllRoles = {
    Role::User, Role::Item, Role::Event, Role::Timestamp, Role::Value, Role::Session};

struct Delimiter {
  char c;
  const char* label;
};
constexpr std::array<Delimiter, 4> kDelimiters = {
    {{',', "comma  ,"}, {';', "semicolon  ;"}, {'\t', "tab"}, {'|', "bar  |"}}};

/// Header names (lower case, without spaces, '_' and '-') that suggest each role.
const std::array<QStringList, ColumnMappingDialog::kRoles>& roleNames() {
  static const std::array<QStringList, ColumnMappingDialog::kRoles> names = {
      QStringList{"user", "userid", "users", "visitor", "visitorid", "customer", "customerid",
                  "client", "clientid", "member", "memberid", "uid", "reviewerid", "buyer",
                  "buyerid"},
      QStringList{"item",  "itemid",     "items", "product", "productid", "products",  "sku",
                  "asin",  "parentasin", "movie", "movieid", "article",   "articleid", "iid",
                  "track", "trackid",    "song",  "songid",  "book",      "bookid",    "isbn"},
      QStringList{"event", "eventtype", "events", "type", "action", "actiontype", "kind",
                  "behavior", "behaviour", "interaction", "interactiontype"},
      QStringList{"timestamp", "time", "ts", "date", "datetime", "eventdate", "eventtime", "when",
                  "unixreviewtime", "created", "createdat", "timeframe", "epoch"},
      QStringList{"rating", "ratings", "value", "score", "price", "quantity", "qty", "amount",
                  "overall", "stars", "weight"},
      QStringList{"session", "sessionid", "sess", "sid", "visit", "visitid"}};
  return names;
}

QStringList splitLine(const QString& line, char delim) {
  const std::string bytes = line.toStdString();
  std::vector<std::string_view> out;
  std::vector<std::string> storage;
  if (!text::splitCsvQuoted(bytes, delim, out, storage)) return {line};
  QStringList fields;
  for (auto f : out) fields << QString::fromUtf8(f.data(), static_cast<qsizetype>(f.size()));
  return fields;
}

bool isNumber(const QString& s) {
  static const QRegularExpression digits("^[0-9]+$");
  return digits.match(s).hasMatch();
}

}  // namespace

ColumnMappingDialog::ColumnMappingDialog(const QString& path, const QString& reason,
                                         QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Column mapping: %1").arg(QFileInfo(path).fileName()));
  auto* layout = new QVBoxLayout(this);
  m_reason = new QLabel(reason, this);
  m_reason->setWordWrap(true);
  m_reason->setVisible(!reason.isEmpty());
  layout->addWidget(m_reason);

  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    m_readError = tr("Cannot read %1: %2").arg(path, file.errorString());
  } else {
    while (m_lines.size() < kPreviewLines && !file.atEnd()) {
      QString line = QString::fromUtf8(file.readLine());
      while (line.endsWith('\n') || line.endsWith('\r')) line.chop(1);
      if (m_lines.isEmpty() && line.startsWith(QChar(0xFEFF))) line.remove(0, 1);
      m_lines << line;
    }
    if (m_lines.isEmpty()) m_readError = tr("%1 is empty.").arg(path);
  }

  auto* format = new QHBoxLayout();
  m_delimiter = new QComboBox(this);
  for (const auto& d : kDelimiters)
    m_delimiter->addItem(QString::fromLatin1(d.label), QVariant(int(d.c)));
  m_header = new QCheckBox(tr("First line is a header"), this);
  auto* delimLabel = new QLabel(tr("&Delimiter"), this);
  delimLabel->setBuddy(m_delimiter);
  format->addWidget(delimLabel);
  format->addWidget(m_delimiter);
  format->addSpacing(16);
  format->addWidget(m_header);
  format->addStretch(1);
  layout->addLayout(format);

  auto* rolesBox = new QGroupBox(tr("Columns"), this);
  auto* grid = new QGridLayout(rolesBox);
  for (std::size_t r = 0; r < kAllRoles.size(); ++r) {
    const Role role = kAllRoles[r];
    m_roles[r] = new QComboBox(rolesBox);
    m_roles[r]->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* label =
        new QLabel(roleName(role) + (role == Role::Item ? tr(" (required)") : QString()), rolesBox);
    label->setBuddy(m_roles[r]);
    const int row = static_cast<int>(r % 3), col = static_cast<int>(r / 3) * 2;
    grid->addWidget(label, row, col);
    grid->addWidget(m_roles[r], row, col + 1);
  }
  m_timeUnit = new QComboBox(rolesBox);
  m_timeUnit->addItem(tr("Unix seconds"), "unix_s");
  m_timeUnit->addItem(tr("Unix milliseconds"), "unix_ms");
  m_timeUnit->addItem(tr("ISO-8601 date and time"), "iso8601");
  grid->addWidget(new QLabel(tr("timestamp unit"), rolesBox), 3, 0);
  grid->addWidget(m_timeUnit, 3, 1);
  grid->setColumnStretch(1, 1);
  grid->setColumnStretch(3, 1);
  layout->addWidget(rolesBox);

  m_preview = new QTableWidget(this);
  m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_preview->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
  m_preview->setMinimumHeight(8 * (fontMetrics().height() + 4));
  layout->addWidget(new QLabel(tr("Preview (first %1 lines)").arg(kPreviewLines), this));
  layout->addWidget(m_preview, 1);

  m_problem = new QLabel(this);
  m_problem->setWordWrap(true);
  QPalette warn = m_problem->palette();
  warn.setColor(QPalette::WindowText, QColor(180, 40, 30));
  m_problem->setPalette(warn);
  layout->addWidget(m_problem);
  m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Load"));
  layout->addWidget(m_buttons);
  connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  // First guesses: the delimiter from the first line; a header when no field of the first
  // line is a number (and there is more than one line).
  if (!m_lines.isEmpty()) {
    const char d = guessDelimiter(m_lines.front());
    for (int i = 0; i < m_delimiter->count(); ++i) {
      if (m_delimiter->itemData(i).toInt() == d) m_delimiter->setCurrentIndex(i);
    }
    bool numeric = false;
    for (const QString& f : splitLine(m_lines.front(), d)) numeric |= isNumber(f.trimmed());
    m_header->setChecked(!numeric);
  }
  reparse();

  connect(m_delimiter, &QComboBox::currentIndexChanged, this, &ColumnMappingDialog::reparse);
  connect(m_header, &QCheckBox::toggled, this, &ColumnMappingDialog::reparse);
  for (std::size_t r = 0; r < kAllRoles.size(); ++r) {
    connect(m_roles[r], &QComboBox::currentIndexChanged, this, [this, r] {
      if (m_updating) return;
      if (kAllRoles[r] == Role::Timestamp) onTimestampColumnChanged();
      updatePreviewHeaders();
      updateState();
    });
  }
  resize(760, 560);
}

QString ColumnMappingDialog::roleName(Role role) {
  switch (role) {
    case Role::User:
      return tr("user");
    case Role::Item:
      return tr("item");
    case Role::Event:
      return tr("event");
    case Role::Timestamp:
      return tr("timestamp");
    case Role::Value:
      return tr("value");
    case Role::Session:
      return tr("session");
  }
  return {};
}

std::optional<Role> ColumnMappingDialog::guessRole(const QString& header) {
  QString key = header.trimmed().toLower();
  key.remove(QRegularExpression("[\\s_\\-.]"));
  const auto& names = roleNames();
  for (std::size_t r = 0; r < names.size(); ++r) {
    if (names[r].contains(key)) return kAllRoles[r];
  }
  return std::nullopt;
}

char ColumnMappingDialog::guessDelimiter(const QString& line) {
  std::array<int, kDelimiters.size()> counts{};
  bool quoted = false;
  for (QChar ch : line) {
    if (ch == '"') quoted = !quoted;
    if (quoted) continue;
    for (std::size_t i = 0; i < kDelimiters.size(); ++i) counts[i] += ch == kDelimiters[i].c;
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < counts.size(); ++i) {
    if (counts[i] > counts[best]) best = i;
  }
  return kDelimiters[best].c;
}

QString ColumnMappingDialog::guessTimestampUnit(const QString& sample) {
  const QString s = sample.trimmed();
  if (isNumber(s)) return s.size() >= 12 ? "unix_ms" : "unix_s";
  return "iso8601";
}

char ColumnMappingDialog::delimiter() const {
  return static_cast<char>(m_delimiter->currentData().toInt());
}

int ColumnMappingDialog::roleColumn(Role role) const {
  return roleBox(role)->currentData().toInt();
}

void ColumnMappingDialog::setRoleColumn(Role role, int column) {
  QComboBox* box = roleBox(role);
  const int i = box->findData(column);
  if (i >= 0) box->setCurrentIndex(i);
}

void ColumnMappingDialog::reparse() {
  const int oldColumns = static_cast<int>(m_columns.size());
  std::array<int, kRoles> kept{};
  for (std::size_t r = 0; r < kAllRoles.size(); ++r) kept[r] = roleColumn(kAllRoles[r]);

  m_fields.clear();
  for (const QString& line : m_lines) m_fields << splitLine(line, delimiter());
  const bool header = m_header->isChecked();
  m_columns.clear();
  const int n = m_fields.isEmpty() ? 0 : static_cast<int>(m_fields.front().size());
  for (int c = 0; c < n; ++c) {
    const QString name = header ? m_fields.front()[c].trimmed() : QString();
    m_columns << (name.isEmpty() ? tr("column %1").arg(c + 1) : name);
  }

  m_updating = true;
  for (std::size_t r = 0; r < kAllRoles.size(); ++r) {
    QComboBox* box = m_roles[r];
    box->clear();
    box->addItem(QStringLiteral("-"), -1);
    for (int c = 0; c < n; ++c) box->addItem(m_columns[c], c);
  }
  if (n == oldColumns && n > 0) {
    for (std::size_t r = 0; r < kAllRoles.size(); ++r) setRoleColumn(kAllRoles[r], kept[r]);
  } else if (header) {
    std::array<bool, kRoles> taken{};
    for (int c = 0; c < n; ++c) {
      const auto role = guessRole(m_columns[c]);
      if (!role) continue;
      const auto r = static_cast<std::size_t>(*role);
      if (taken[r]) continue;
      taken[r] = true;
      setRoleColumn(*role, c);
    }
  } else if (n >= 2) {
    // No header: the common "user, item[, value][, timestamp]" order.
    setRoleColumn(Role::User, 0);
    setRoleColumn(Role::Item, 1);
  }
  m_updating = false;
  onTimestampColumnChanged();

  const int first = header ? 1 : 0;
  int width = n;
  for (int i = first; i < m_fields.size(); ++i) width = std::max(width, int(m_fields[i].size()));
  m_preview->clear();
  m_preview->setColumnCount(width);
  m_preview->setRowCount(static_cast<int>(std::max<qsizetype>(0, m_fields.size() - first)));
  for (int i = first; i < m_fields.size(); ++i) {
    for (int c = 0; c < m_fields[i].size(); ++c) {
      m_preview->setItem(i - first, c, new QTableWidgetItem(m_fields[i][c]));
    }
  }
  updatePreviewHeaders();
  updateState();
}

void ColumnMappingDialog::updatePreviewHeaders() {
  QStringList labels;
  for (int c = 0; c < m_preview->columnCount(); ++c) {
    QString label = c < m_columns.size() ? m_columns[c] : tr("column %1").arg(c + 1);
    QStringList roles;
    for (Role role : kAllRoles) {
      if (roleColumn(role) == c) roles << roleName(role);
    }
    if (!roles.isEmpty()) label += QStringLiteral("\n[%1]").arg(roles.join(", "));
    labels << label;
  }
  m_preview->setHorizontalHeaderLabels(labels);
  m_preview->resizeColumnsToContents();
}

void ColumnMappingDialog::onTimestampColumnChanged() {
  const int c = roleColumn(Role::Timestamp);
  m_timeUnit->setEnabled(c >= 0);
  const int row = m_header->isChecked() ? 1 : 0;
  if (c < 0 || row >= m_fields.size() || c >= m_fields[row].size()) return;
  const int i = m_timeUnit->findData(guessTimestampUnit(m_fields[row][c]));
  if (i >= 0) m_timeUnit->setCurrentIndex(i);
}

QString ColumnMappingDialog::problem() const {
  if (!m_readError.isEmpty()) return m_readError;
  if (roleColumn(Role::Item) < 0) return tr("Choose the item column (required).");
  for (std::size_t a = 0; a < kAllRoles.size(); ++a) {
    for (std::size_t b = a + 1; b < kAllRoles.size(); ++b) {
      const int c = roleColumn(kAllRoles[a]);
      if (c >= 0 && c == roleColumn(kAllRoles[b])) {
        return tr("Column '%1' is chosen for both %2 and %3.")
            .arg(m_columns[c], roleName(kAllRoles[a]), roleName(kAllRoles[b]));
      }
    }
  }
  return {};
}

void ColumnMappingDialog::updateState() {
  const QString why = problem();
  m_problem->setText(why);
  m_problem->setVisible(!why.isEmpty());
  m_buttons->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
}

data::ColumnMapping ColumnMappingDialog::mapping() const {
  data::ColumnMapping m;
  m.delimiter = delimiter();
  m.hasHeader = m_header->isChecked();
  auto ref = [this, &m](Role role) -> std::string {
    const int c = roleColumn(role);
    if (c < 0) return {};
    const QString name = m_columns[c];
    const bool usable = m.hasHeader && !isNumber(name) && m_columns.count(name) == 1 &&
                        !m_fields.front()[c].trimmed().isEmpty();
    return usable ? name.toStdString() : std::to_string(c);
  };
  m.user = ref(Role::User);
  m.item = ref(Role::Item);
  m.event = ref(Role::Event);
  m.timestamp = ref(Role::Timestamp);
  m.value = ref(Role::Value);
  m.session = ref(Role::Session);
  m.timestampUnit = m_timeUnit->currentData().toString().toStdString();
  return m;
}

}  // namespace reclab::widgets

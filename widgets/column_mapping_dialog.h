#pragma once
/// The column-mapping dialog for generic delimited files (format "csv"): the delimiter
/// (comma, semicolon, tab, bar), whether the first line is a header, a preview of the first
/// lines split into columns, and one choice per role (user, item, event, timestamp, value,
/// session; "-" = none, item required) filled with the header names. Roles are guessed from
/// the header names (user / userid / visitorid -> user, item / itemid / product -> item, ...)
/// and the delimiter from the first line; OK gives a data::ColumnMapping for Format::Csv.

#include <QDialog>
#include <QStringList>
#include <array>
#include <optional>

#include "data/load.h"

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QTableWidget;

namespace reclab::widgets {

class ColumnMappingDialog : public QDialog {
  Q_OBJECT

 public:
  enum class Role { User, Item, Event, Timestamp, Value, Session };
  static constexpr int kRoles = 6;
  static constexpr int kPreviewLines = 20;

  /// Reads the first kPreviewLines lines of `path` (nothing else). `reason`, when given, is
  /// shown at the top (e.g. why the format could not be detected). A file that cannot be read
  /// is reported in the dialog and OK stays disabled.
  explicit ColumnMappingDialog(const QString& path, const QString& reason = {},
                               QWidget* parent = nullptr);

  /// The mapping the dialog shows now. Columns are referred to by header name when the file
  /// has a header and the name is unique (and not a number), else by 0-based index.
  data::ColumnMapping mapping() const;
  /// Empty when OK is allowed, else why not (e.g. "Choose the item column (required).").
  QString problem() const;
  /// The column names offered: the header's fields, or "column 1", "column 2", ...
  QStringList columnNames() const { return m_columns; }
  /// The column chosen for `role`, -1 for none.
  int roleColumn(Role role) const;
  void setRoleColumn(Role role, int column);

  /// Why the dialog is shown (the `reason` given), hidden when none.
  QLabel* reasonLabel() const { return m_reason; }
  QComboBox* delimiterBox() const { return m_delimiter; }
  QCheckBox* headerBox() const { return m_header; }
  QComboBox* roleBox(Role role) const { return m_roles[static_cast<std::size_t>(role)]; }
  QComboBox* timestampUnitBox() const { return m_timeUnit; }
  QTableWidget* preview() const { return m_preview; }
  QDialogButtonBox* buttons() const { return m_buttons; }

  static QString roleName(Role role);
  /// The role a header name suggests (case, spaces, '_' and '-' ignored); nullopt when none.
  static std::optional<Role> guessRole(const QString& header);
  /// The candidate delimiter (, ; tab |) occurring most often in `line` outside quotes;
  /// ',' when none occurs.
  static char guessDelimiter(const QString& line);
  /// "unix_ms" for integers of 12 or more digits, "unix_s" for shorter integers, else
  /// "iso8601".
  static QString guessTimestampUnit(const QString& sample);

 private:
  char delimiter() const;
  /// Splits the lines with the current delimiter, refills the preview and the role choices
  /// (keeping them when the column count is unchanged, else guessing them again).
  void reparse();
  void updatePreviewHeaders();
  void updateState();
  void onTimestampColumnChanged();

  QStringList m_lines;  ///< the first lines of the file, as read
  QList<QStringList> m_fields;
  QStringList m_columns;
  QString m_readError;
  bool m_updating = false;

  QLabel* m_reason;
  QComboBox* m_delimiter;
  QCheckBox* m_header;
  std::array<QComboBox*, kRoles> m_roles{};
  QComboBox* m_timeUnit;
  QTableWidget* m_preview;
  QLabel* m_problem;
  QDialogButtonBox* m_buttons;
};

}  // namespace reclab::widgets

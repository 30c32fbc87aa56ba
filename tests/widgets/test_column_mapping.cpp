/// ColumnMappingDialog and the generic-CSV path of the dataset panel and the window: guesses
/// (delimiter, header, roles, timestamp unit), a file with odd header names mapped by hand,
/// the mapping it gives and the row count it loads; a run on it carries the mapping.

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <functional>

#include "app/gui/main_window.h"
#include "app/gui/run_manager.h"
#include "store/store.h"
#include "test_support.h"
#include "widgets/column_mapping_dialog.h"
#include "widgets/dataset_panel.h"
#include "widgets/interaction_log_model.h"
#include "widgets/model_panel.h"

using reclab::widgets::ColumnMappingDialog;
using Role = ColumnMappingDialog::Role;

namespace {

QString fixture(const char* name) { return QStringLiteral(RECLAB_FIXTURES "/csv/") + name; }

/// odd_headers.csv: "Kunde;Artikel-Nr;Vorgang;Zeit (ms);Menge;Besuch", 25 rows.
void mapOddHeaders(ColumnMappingDialog& dialog) {
  dialog.setRoleColumn(Role::User, 0);
  dialog.setRoleColumn(Role::Item, 1);
  dialog.setRoleColumn(Role::Event, 2);
  dialog.setRoleColumn(Role::Timestamp, 3);
  dialog.setRoleColumn(Role::Value, 4);
  dialog.setRoleColumn(Role::Session, 5);
}

/// Runs `act` on the modal dialog once exec() has opened it (posted before the call that opens
/// it; the event loop of exec() delivers it).
void whenDialogOpens(std::function<void(ColumnMappingDialog&)> act) {
  QTimer::singleShot(0, [act] {
    auto* dialog = qobject_cast<ColumnMappingDialog*>(QApplication::activeModalWidget());
    if (!dialog) {
      qWarning("no column-mapping dialog is open");
      return;
    }
    act(*dialog);
  });
}

}  // namespace

class ColumnMappingTests : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void guessesFromHeaderNames() {
    // visitor,item_id,when,kind,price,sess with ISO-8601 times.
    ColumnMappingDialog dialog(fixture("events.csv"));
    QCOMPARE(dialog.delimiterBox()->currentData().toInt(), int(','));
    QVERIFY(dialog.headerBox()->isChecked());
    QCOMPARE(dialog.columnNames(),
             QStringList({"visitor", "item_id", "when", "kind", "price", "sess"}));
    QCOMPARE(dialog.roleColumn(Role::User), 0);
    QCOMPARE(dialog.roleColumn(Role::Item), 1);
    QCOMPARE(dialog.roleColumn(Role::Timestamp), 2);
    QCOMPARE(dialog.roleColumn(Role::Event), 3);
    QCOMPARE(dialog.roleColumn(Role::Value), 4);
    QCOMPARE(dialog.roleColumn(Role::Session), 5);
    QCOMPARE(dialog.timestampUnitBox()->currentData().toString(), QString("iso8601"));
    QCOMPARE(dialog.preview()->rowCount(), 4);  // the data lines under the header
    QCOMPARE(dialog.preview()->item(1, 1)->text(), QString("i,2"));  // quoted field unescaped
    QVERIFY(dialog.problem().isEmpty());
    const auto m = dialog.mapping();
    QCOMPARE(QString::fromStdString(m.user), QString("visitor"));
    QCOMPARE(QString::fromStdString(m.session), QString("sess"));

    QCOMPARE(ColumnMappingDialog::guessRole("VisitorId"), std::optional<Role>(Role::User));
    QCOMPARE(ColumnMappingDialog::guessRole("product_id"), std::optional<Role>(Role::Item));
    QCOMPARE(ColumnMappingDialog::guessRole("userId"), std::optional<Role>(Role::User));
    QCOMPARE(ColumnMappingDialog::guessRole("Zeit (ms)"), std::nullopt);
    QCOMPARE(ColumnMappingDialog::guessDelimiter("a|b|\"c;d;e\"|f"), '|');
    QCOMPARE(ColumnMappingDialog::guessTimestampUnit("1433221332117"), QString("unix_ms"));
    QCOMPARE(ColumnMappingDialog::guessTimestampUnit("1433221332"), QString("unix_s"));
  }

  void fileWithoutHeaderUsesIndices() {
    // clicks.tsv: 10<TAB>100<TAB>1433221332117<TAB>5, no header.
    ColumnMappingDialog dialog(fixture("clicks.tsv"));
    QCOMPARE(dialog.delimiterBox()->currentData().toInt(), int('\t'));
    QVERIFY(!dialog.headerBox()->isChecked());
    QCOMPARE(dialog.columnNames(), QStringList({"column 1", "column 2", "column 3", "column 4"}));
    QCOMPARE(dialog.preview()->rowCount(), 3);
    dialog.setRoleColumn(Role::Timestamp, 2);
    QCOMPARE(dialog.timestampUnitBox()->currentData().toString(), QString("unix_ms"));
    const auto m = dialog.mapping();
    QVERIFY(!m.hasHeader);
    QCOMPARE(m.delimiter, '\t');
    QCOMPARE(QString::fromStdString(m.user), QString("0"));
    QCOMPARE(QString::fromStdString(m.item), QString("1"));
    QCOMPARE(QString::fromStdString(m.timestamp), QString("2"));
    QVERIFY(m.value.empty());
  }

  void oddHeadersMappedByHandLoad() {
    ColumnMappingDialog dialog(fixture("odd_headers.csv"), "format not detected");
    QCOMPARE(dialog.delimiterBox()->currentData().toInt(), int(';'));
    QVERIFY(dialog.headerBox()->isChecked());
    QCOMPARE(dialog.columnNames(),
             QStringList({"Kunde", "Artikel-Nr", "Vorgang", "Zeit (ms)", "Menge", "Besuch"}));
    // 20 lines previewed: the header and 19 of the 25 rows.
    QCOMPARE(dialog.preview()->rowCount(), ColumnMappingDialog::kPreviewLines - 1);
    QCOMPARE(dialog.preview()->item(0, 0)->text(), QString("k1"));
    QCOMPARE(dialog.preview()->item(0, 1)->text(), QString("A-100"));
    // Nothing is guessed from these names: OK waits for the item column.
    QCOMPARE(dialog.roleColumn(Role::Item), -1);
    QCOMPARE(dialog.problem(), QString("Choose the item column (required)."));
    QVERIFY(!dialog.buttons()->button(QDialogButtonBox::Ok)->isEnabled());
    dialog.setRoleColumn(Role::Item, 1);
    dialog.setRoleColumn(Role::User, 1);
    QVERIFY(dialog.problem().contains("chosen for both user and item"));
    QVERIFY(!dialog.buttons()->button(QDialogButtonBox::Ok)->isEnabled());
    mapOddHeaders(dialog);
    QVERIFY(dialog.buttons()->button(QDialogButtonBox::Ok)->isEnabled());
    QCOMPARE(dialog.preview()->horizontalHeaderItem(1)->text(), QString("Artikel-Nr\n[item]"));

    const auto m = dialog.mapping();
    QCOMPARE(m.delimiter, ';');
    QVERIFY(m.hasHeader);
    QCOMPARE(QString::fromStdString(m.user), QString("Kunde"));
    QCOMPARE(QString::fromStdString(m.item), QString("Artikel-Nr"));
    QCOMPARE(QString::fromStdString(m.event), QString("Vorgang"));
    QCOMPARE(QString::fromStdString(m.timestamp), QString("Zeit (ms)"));
    QCOMPARE(QString::fromStdString(m.value), QString("Menge"));
    QCOMPARE(QString::fromStdString(m.session), QString("Besuch"));
    QCOMPARE(QString::fromStdString(m.timestampUnit), QString("unix_ms"));

    reclab::data::LoadOptions options;
    options.mapping = m;
    const auto loaded = reclab::data::loadDataset(
        reclab::data::Format::Csv, {fixture("odd_headers.csv").toStdString()}, options,
        reclab::nullObserver(), reclab::StopToken());
    QCOMPARE(loaded.log.numRows(), std::size_t(25));
    QCOMPARE(loaded.report.badRowCount, std::uint64_t(0));
    QCOMPARE(loaded.log.numUsers(), 5);
    QCOMPARE(loaded.log.numItems(), 8);
    QCOMPARE(loaded.log.numSessions(), 7);
    QVERIFY(loaded.log.findEvent("kaufen") >= 0);
    QCOMPARE(loaded.log.timestamp[0], std::int64_t(1433221333117));
  }

  void unreadableFileKeepsOkDisabled() {
    QTemporaryDir dir;
    ColumnMappingDialog dialog(dir.filePath("absent.csv"));
    QVERIFY(dialog.problem().startsWith("Cannot read " + dir.filePath("absent.csv")));
    QVERIFY(!dialog.buttons()->button(QDialogButtonBox::Ok)->isEnabled());
  }

  /// Auto-detection fails on odd_headers.csv, so the panel asks for the mapping.
  void panelAsksForTheMappingWhenDetectionFails() {
    reclab::widgets::DatasetPanel panel;
    QSignalSpy plain(&panel, &reclab::widgets::DatasetPanel::openRequested);
    QSignalSpy csv(&panel, &reclab::widgets::DatasetPanel::openCsvRequested);
    QString reason;
    whenDialogOpens([&reason](ColumnMappingDialog& d) {
      reason = d.reasonLabel()->text();
      mapOddHeaders(d);
      d.accept();
    });
    panel.openFiles({fixture("odd_headers.csv")});
    QCOMPARE(plain.count(), 0);
    QCOMPARE(csv.count(), 1);
    QVERIFY2(reason.startsWith("The format could not be detected"), qPrintable(reason));
    const auto m = csv.first().at(1).value<reclab::data::ColumnMapping>();
    QCOMPARE(QString::fromStdString(m.item), QString("Artikel-Nr"));

    // A detectable file goes straight to openRequested; a cancelled dialog requests nothing.
    panel.openFiles({fixture("../movielens-100k/u.data")});
    QCOMPARE(plain.count(), 1);
    panel.setSelectedFormat("csv");
    whenDialogOpens([](ColumnMappingDialog& d) { d.reject(); });
    panel.openFiles({fixture("events.csv")});
    QCOMPARE(csv.count(), 1);
  }

  /// End to end: the window loads the mapped file, and a run on it gets the mapping.
  void windowLoadsAndRunsAMappedFile() {
    QTemporaryDir dir;
    reclab::app::AppOptions options;
    options.dbPath = dir.filePath("runs.sqlite");
    options.datasetPath = dir.filePath("absent/u.data");  // nothing opens at start
    options.format = "movielens";
    reclab::app::MainWindow window(options);
    auto* runs = window.runManager();
    QSignalSpy failed(runs, &reclab::app::RunManager::loadFailed);
    QVERIFY(failed.wait(10000));
    QSignalSpy loaded(runs, &reclab::app::RunManager::datasetLoaded);
    whenDialogOpens([](ColumnMappingDialog& d) {
      mapOddHeaders(d);
      d.accept();
    });
    window.datasetPanel()->openFiles({fixture("odd_headers.csv")});
    QVERIFY(loaded.wait(10000));
    QCOMPARE(window.datasetPanel()->logModel()->rowCount(), 25);
    QVERIFY(window.datasetMapping().has_value());
    QCOMPARE(QString::fromStdString(window.datasetMapping()->item), QString("Artikel-Nr"));

    QVERIFY(window.modelPanel()->selectModel("popularity"));
    QSignalSpy finished(runs, &reclab::app::RunManager::runFinished);
    window.modelPanel()->requestRun();
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().at(2).toString(), QString("finished"));
    const auto record = runs->store()->run(finished.first().at(1).toLongLong());
    QVERIFY(record);
    const auto config = nlohmann::json::parse(record->configJson);
    QCOMPARE(config["dataset"]["format"].get<std::string>(), std::string("csv"));
    QCOMPARE(config["dataset"]["mapping"]["item"].get<std::string>(), std::string("Artikel-Nr"));
    QCOMPARE(config["dataset"]["mapping"]["delimiter"].get<std::string>(), std::string(";"));
  }
};

namespace reclab::test {
int runColumnMappingTests(int argc, char** argv) {
  ColumnMappingTests t;
  return QTest::qExec(&t, argc, argv);
}
}  // namespace reclab::test

#include "test_column_mapping.moc"

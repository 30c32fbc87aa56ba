/// test_feature_panel: the feature panel's preview computation on a hand-built log (values by
/// hand, encoders fitted on the first rows only), and the panel on the RetailRocket sample:
/// defaults, edits through the model, save / load round trip, inline validation, row
/// operations, open errors and the worker-thread preview. Offscreen. With
/// RECLAB_SCREENSHOT_DIR set, the panel (800x600) is saved there as feature_panel.png.

#include <QApplication>
#include <QColor>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

#include "common/errors.h"
#include "common/observer.h"
#include "data/load.h"
#include "features/feature_config.h"
#include "widgets/feature_config_model.h"
#include "widgets/feature_panel.h"
#include "widgets/feature_preview.h"
#include "widgets/message_bar.h"

using reclab::features::AttributeSpec;
using reclab::features::Encoder;
using reclab::features::FeatureConfig;
using reclab::features::Missing;
using reclab::features::Source;
using reclab::widgets::FeatureConfigModel;
using reclab::widgets::FeaturePanel;
using reclab::widgets::FeaturePreview;

namespace {

QString screenshotDir() { return qEnvironmentVariable("RECLAB_SCREENSHOT_DIR"); }

AttributeSpec spec(const std::string& name, Source source, const std::string& from, Encoder encoder,
                   Missing missing) {
  AttributeSpec a;
  a.name = name;
  a.source = source;
  a.from = from;
  a.encoder = encoder;
  a.missing = missing;
  return a;
}

/// Four rows: items a b a c at 1000, 2000, 3000, 5000 s; item property price a = 10, b missing,
/// c = 30.
reclab::data::InteractionLog tinyLog() {
  reclab::data::InteractionLog log;
  for (const char* id : {"a", "b", "c"}) log.items.intern(id);
  const std::int32_t items[] = {0, 1, 0, 2};
  const std::int64_t seconds[] = {1000, 2000, 3000, 5000};
  for (int r = 0; r < 4; ++r) {
    log.item.push_back(items[r]);
    log.timestamp.push_back(seconds[r] * 1000);
  }
  log.itemAttributes.ensure("price", reclab::data::Attribute::Kind::Numeric);
  log.itemAttributes.setNumeric("price", 0, 10.0);
  log.itemAttributes.setNumeric("price", 2, 30.0);
  log.itemAttributes.resize(3);
  return log;
}

FeatureConfig tinyConfig() {
  FeatureConfig c;
  c.attributes = {spec("item", Source::Column, "item", Encoder::Index, Missing::Bucket),
                  spec("ts", Source::Column, "timestamp", Encoder::MinMax, Missing::Zero),
                  spec("price", Source::ItemProperty, "price", Encoder::Identity, Missing::Mean)};
  return c;
}

/// The defaults for the RetailRocket sample: every SPEC A attribute except the user
/// properties age and gender (the sample has none).
const QStringList kRetailRocketDefaults = {"timestamp",
                                           "hour",
                                           "day_of_week",
                                           "price",
                                           "category",
                                           "available",
                                           "session_id",
                                           "session_position",
                                           "session_length",
                                           "session_duration",
                                           "time_since_previous",
                                           "user_views_so_far",
                                           "user_addtocarts_so_far",
                                           "user_transactions_so_far",
                                           "item_popularity_so_far"};

QStringList names(const FeatureConfig& c) {
  QStringList out;
  for (const auto& a : c.attributes) out << QString::fromStdString(a.name);
  return out;
}

int rowOf(const FeaturePanel& panel, const QString& name) {
  return static_cast<int>(names(panel.config()).indexOf(name));
}

}  // namespace

class TestFeaturePreview : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void fitsOnTheFirstRowsOnly() {
    const auto log = tinyLog();
    const FeaturePreview p =
        reclab::widgets::computeFeaturePreview(tinyConfig(), log, 2, 3, reclab::StopToken());
    QCOMPARE(p.logRows, std::size_t{4});
    QCOMPARE(p.fittedRows, std::size_t{2});
    QCOMPARE(p.rows, (std::vector<std::uint32_t>{0, 1, 2}));
    QCOMPARE(p.attributes, (QStringList{"item", "ts", "price"}));
    // The categorical block first, then the continuous one.
    QCOMPARE(p.encodedNames, (QStringList{"item", "ts", "price"}));
    QCOMPARE(p.encodedCategorical, (std::vector<bool>{true, false, false}));
    QCOMPARE(p.encodedOf, (std::vector<std::vector<int>>{{0}, {1}, {2}}));
    // Raw values: ids as written, seconds since the epoch, the property (b has none).
    QCOMPARE(p.raw[0][0].value_or("?"), QString("a"));
    QCOMPARE(p.raw[1][0].value_or("?"), QString("b"));
    QCOMPARE(p.raw[2][1].value_or("?"), QString("3000"));
    QCOMPARE(p.raw[0][2].value_or("?"), QString("10"));
    QVERIFY(!p.raw[1][2].has_value());
    // Fitted on rows 0 and 1 only: vocabulary a (2), b (3); min 1000 s, max 2000 s; price
    // mean over the non-missing fitted values = 10.
    QCOMPARE(p.encoded[0], (std::vector<double>{2, 0, 10}));
    QCOMPARE(p.encoded[1], (std::vector<double>{3, 1, 10}));
    QCOMPARE(p.encoded[2], (std::vector<double>{2, 2, 10}));

    const FeaturePreview all =
        reclab::widgets::computeFeaturePreview(tinyConfig(), log, 100, 20, reclab::StopToken());
    QCOMPARE(all.fittedRows, std::size_t{4});
    QCOMPARE(all.rows.size(), std::size_t{4});
    // Item c is in the vocabulary now (a 2, b 3, c 4); ts min-max over 1000..5000 s.
    QCOMPARE(all.encoded[3], (std::vector<double>{4, 1, 30}));
  }

  void stopsWhenCancelled() {
    const auto log = tinyLog();
    reclab::StopToken stop;
    stop.requestStop();
    QVERIFY_THROWS_EXCEPTION(reclab::Cancelled,
                             reclab::widgets::computeFeaturePreview(tinyConfig(), log, 2, 3, stop));
  }
};

class TestFeaturePanel : public QObject {
  Q_OBJECT

 private:
  std::shared_ptr<const reclab::data::LoadResult> m_rr;
  QTemporaryDir m_dir;

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    const std::string dir = std::string(RECLAB_SOURCE_DIR) + "/datasets/retailrocket-sample";
    m_rr = std::make_shared<reclab::data::LoadResult>(reclab::data::loadDataset(
        reclab::data::Format::RetailRocket, {dir}, reclab::data::LoadOptions(),
        reclab::nullObserver(), reclab::StopToken()));
    QVERIFY(m_rr->log.numRows() > std::size_t{FeaturePanel::kPreviewFitRows});
    QVERIFY(m_rr->log.itemAttributes.find("category"));
  }

  void withoutDatasetNothingToPreview() {
    FeaturePanel panel;
    QCOMPARE(panel.model()->rowCount(), 0);
    QVERIFY(panel.validationMessage().isEmpty());
    QVERIFY(!panel.isPreviewPending());
    QVERIFY(panel.previewStatus()->text().contains("Load a dataset"));
  }

  void editSaveValidatePreview() {
    FeaturePanel panel;
    QSignalSpy ready(&panel, &FeaturePanel::previewReady);
    QSignalSpy changed(&panel, &FeaturePanel::configChanged);
    QSignalSpy saved(&panel, &FeaturePanel::configSaved);
    panel.setDataset(m_rr);

    // The dataset's defaults appear, one row per attribute.
    QCOMPARE(names(panel.config()), kRetailRocketDefaults);
    QCOMPARE(panel.model()->rowCount(), 15);
    QVERIFY(panel.validationMessage().isEmpty());
    QVERIFY(panel.currentPath().isEmpty());
    QVERIFY(panel.isPreviewPending());
    QCOMPARE(panel.previewStatus()->text(), QString("computing..."));

    QVERIFY(ready.wait(30000));
    auto preview = panel.preview();
    QVERIFY(preview);
    // Index encoders first (category, available, session_id), then the continuous inputs;
    // the cyclic ones give two each: 3 + 14 = 17.
    QCOMPARE(preview->encodedNames,
             (QStringList{"category", "available", "session_id", "timestamp", "hour_sin",
                          "hour_cos", "day_of_week_sin", "day_of_week_cos", "price",
                          "session_position", "session_length", "session_duration",
                          "time_since_previous", "user_views_so_far", "user_addtocarts_so_far",
                          "user_transactions_so_far", "item_popularity_so_far"}));
    QCOMPARE(preview->rows.size(), std::size_t{FeaturePanel::kPreviewRows});
    QCOMPARE(preview->fittedRows, std::size_t{FeaturePanel::kPreviewFitRows});
    QCOMPARE(panel.previewModel()->rowCount(), 20);
    QCOMPARE(panel.previewModel()->columnCount(), 15 + 17);
    // Each attribute's raw value next to its encoded value(s).
    QCOMPARE(preview->encodedOf[1], (std::vector<int>{4, 5}));  // hour: hour_sin, hour_cos
    const auto header = [&](int c) {
      return panel.previewModel()->headerData(c, Qt::Horizontal).toString();
    };
    QCOMPARE(header(0), QString("timestamp\nraw"));
    QCOMPARE(header(1), QString("timestamp\nencoded"));
    QCOMPARE(header(2), QString("hour\nraw"));
    QCOMPARE(header(3), QString("hour_sin\nencoded"));
    QCOMPARE(header(4), QString("hour_cos\nencoded"));
    QCOMPARE(panel.previewModel()->verticalHeaderItem(0)->text(), QString("1"));
    QVERIFY(panel.previewStatus()->text().contains("fitted on the first 10,000 rows"));

    // Toggle "hour" off and switch "timestamp" to min-max, through the model.
    auto* model = panel.model();
    const int hour = rowOf(panel, "hour");
    const int timestamp = rowOf(panel, "timestamp");
    ready.clear();
    changed.clear();
    QVERIFY(model->setData(model->index(hour, FeatureConfigModel::EnabledColumn), Qt::Unchecked,
                           Qt::CheckStateRole));
    QVERIFY(model->setData(model->index(timestamp, FeatureConfigModel::EncoderColumn), "minmax"));
    QVERIFY(!model->setData(model->index(timestamp, FeatureConfigModel::EncoderColumn), "zscore"));
    QCOMPARE(changed.count(), 2);
    const FeatureConfig edited = panel.config();
    QVERIFY(!edited.attributes[static_cast<std::size_t>(hour)].enabled);
    QVERIFY(edited.attributes[static_cast<std::size_t>(timestamp)].encoder == Encoder::MinMax);
    QVERIFY(panel.isModified());

    // One preview for both edits: hour_sin / hour_cos gone, 15 encoded inputs.
    QVERIFY(ready.wait(30000));
    QCOMPARE(ready.count(), 1);
    preview = panel.preview();
    QCOMPARE(preview->encodedNames.size(), 15);
    QVERIFY(!preview->encodedNames.contains("hour_sin"));
    QVERIFY(!preview->attributes.contains("hour"));
    QCOMPARE(panel.previewModel()->columnCount(), 14 + 15);
    // Min-max fitted on the first 10,000 rows: the first 20 rows lie in [0, 1].
    const auto ts = static_cast<std::size_t>(preview->encodedNames.indexOf("timestamp"));
    for (const auto& row : preview->encoded) {
      QVERIFY(row[ts] >= 0.0 && row[ts] <= 1.0);
    }

    // Save, and read the file back with the core loader.
    const QString path = m_dir.filePath("rr_features.json");
    QVERIFY(panel.saveToFile(path));
    QCOMPARE(saved.count(), 1);
    QCOMPARE(saved.at(0).at(0).toString(), path);
    QCOMPARE(panel.currentPath(), path);
    QVERIFY(!panel.isModified());
    QCOMPARE(FeatureConfig::load(path.toStdString()), panel.config());

    // A duplicate name: named in red under the table, the cell tinted, no preview, no save.
    const int price = rowOf(panel, "price");
    QVERIFY(model->setData(model->index(price, FeatureConfigModel::NameColumn), "timestamp"));
    QCOMPARE(panel.validationMessage(),
             QString("Row %1, name: 'timestamp' is already the name of row %2")
                 .arg(price + 1)
                 .arg(timestamp + 1));
    QVERIFY(panel.validationLabel()->isVisibleTo(&panel));
    QCOMPARE(panel.validationLabel()->text(), panel.validationMessage());
    QCOMPARE(model->invalidRow(), price);
    QCOMPARE(model->invalidColumn(), int{FeatureConfigModel::NameColumn});
    QVERIFY(model->index(price, FeatureConfigModel::NameColumn)
                .data(Qt::BackgroundRole)
                .value<QColor>()
                .isValid());
    QVERIFY(
        !model->index(price, FeatureConfigModel::FromColumn).data(Qt::BackgroundRole).isValid());
    QVERIFY(!panel.preview());
    QVERIFY(!panel.isPreviewPending());
    QVERIFY(panel.previewStatus()->text().contains("not valid"));
    QVERIFY(!panel.saveToFile(m_dir.filePath("invalid.json")));
    QVERIFY(!QFile::exists(m_dir.filePath("invalid.json")));
    QVERIFY(panel.messages()->text().contains("'timestamp' is already the name of row"));
    QCOMPARE(saved.count(), 1);

    // Fixed again: the mark goes, a preview comes.
    ready.clear();
    QVERIFY(model->setData(model->index(price, FeatureConfigModel::NameColumn), "log_price"));
    QVERIFY(panel.validationMessage().isEmpty());
    QVERIFY(!panel.validationLabel()->isVisibleTo(&panel));
    QCOMPARE(model->invalidRow(), -1);
    QVERIFY(ready.wait(30000));
    QVERIFY(panel.preview()->encodedNames.contains("log_price"));
  }

  void validationAgainstTheDataset() {
    FeaturePanel panel;
    panel.setDataset(m_rr);
    auto* model = panel.model();
    // The category from the item property rather than the derivation: same name there.
    const int category = rowOf(panel, "category");
    QVERIFY(
        model->setData(model->index(category, FeatureConfigModel::SourceColumn), "item_property"));
    QCOMPARE(panel.config().attributes[static_cast<std::size_t>(category)].from,
             std::string("category"));  // the sample has an item property of that name
    QVERIFY(panel.validationMessage().isEmpty());
    // A numeric encoder: first the missing policy "bucket" no longer fits...
    QVERIFY(model->setData(model->index(category, FeatureConfigModel::EncoderColumn), "log"));
    QCOMPARE(panel.validationMessage(),
             QString("Row %1, missing: 'bucket' applies to the index encoder only, not 'log' "
                     "(use zero, mean or error)")
                 .arg(category + 1));
    QCOMPARE(model->invalidColumn(), int{FeatureConfigModel::MissingColumn});
    // ... then the property itself is categorical: the encoder cell is blamed.
    QVERIFY(model->setData(model->index(category, FeatureConfigModel::MissingColumn), "zero"));
    QVERIFY(panel.validationMessage().startsWith(QString("Row %1: 'category'").arg(category + 1)));
    QVERIFY(panel.validationMessage().contains("the property is categorical"));
    QCOMPARE(model->invalidColumn(), int{FeatureConfigModel::EncoderColumn});

    // A property the dataset does not have: the "from" cell, with the names it has.
    QVERIFY(model->setData(model->index(category, FeatureConfigModel::EncoderColumn), "index"));
    QVERIFY(panel.validationMessage().isEmpty());
    QVERIFY(model->setData(model->index(category, FeatureConfigModel::FromColumn), "brand"));
    QCOMPARE(model->invalidColumn(), int{FeatureConfigModel::FromColumn});
    QVERIFY(panel.validationMessage().contains("the log has no item property 'brand'"));
    QVERIFY(panel.validationMessage().contains("category"));
    // Its combo offers the dataset's item properties and keeps the typed value.
    const QStringList choices = model->index(category, FeatureConfigModel::FromColumn)
                                    .data(FeatureConfigModel::ChoicesRole)
                                    .toStringList();
    QCOMPARE(choices.first(), QString("brand"));
    QVERIFY(choices.contains("category") && choices.contains("price"));
  }

  void rowOperations() {
    FeaturePanel panel;
    panel.setDataset(m_rr);
    auto* model = panel.model();
    // Remove hour, then Add brings back the first supported derivation no row uses: hour,
    // with its recommended encoder, after the selected row.
    panel.table()->selectRow(rowOf(panel, "hour"));
    panel.removeSelected();
    QCOMPARE(model->rowCount(), 14);
    QCOMPARE(rowOf(panel, "hour"), -1);
    panel.table()->selectRow(0);
    panel.addAttribute();
    QCOMPARE(model->rowCount(), 15);
    const AttributeSpec& added = panel.config().attributes[1];
    QCOMPARE(added.name, std::string("hour"));
    QVERIFY(added.encoder == Encoder::CyclicHour);
    // Once every derivation the dataset supports is used, Add names the new one uniquely.
    panel.setConfig(FeatureConfig());
    for (int i = 0; i < 16; ++i) panel.addAttribute();
    QCOMPARE(names(panel.config()).mid(0, 15), kRetailRocketDefaults);
    QCOMPARE(panel.config().attributes.back().name, std::string("timestamp_2"));
    QVERIFY(panel.validationMessage().isEmpty());

    // Move "day_of_week" up and "timestamp" down.
    panel.resetToDefaults();
    panel.table()->selectRow(2);
    panel.moveSelectedUp();
    QCOMPARE(names(panel.config()).mid(0, 3), (QStringList{"timestamp", "day_of_week", "hour"}));
    panel.table()->selectRow(0);
    panel.moveSelectedDown();
    QCOMPARE(names(panel.config()).mid(0, 3), (QStringList{"day_of_week", "timestamp", "hour"}));
    QCOMPARE(panel.table()->selectionModel()->selectedRows().first().row(), 1);
    panel.table()->selectRow(14);
    panel.moveSelectedDown();  // already last: nothing
    QCOMPARE(names(panel.config()).last(), QString("item_popularity_so_far"));
  }

  void delegateEditors() {
    FeaturePanel panel;
    panel.setDataset(m_rr);
    auto* model = panel.model();
    auto* delegate = panel.table()->itemDelegate();
    const int price = rowOf(panel, "price");
    QWidget parent;
    // Encoder: a combo of the seven encoders, on the current one; a pick lands in the model.
    const QModelIndex encoder = model->index(price, FeatureConfigModel::EncoderColumn);
    std::unique_ptr<QWidget> editor(delegate->createEditor(&parent, {}, encoder));
    auto* combo = qobject_cast<QComboBox*>(editor.get());
    QVERIFY(combo);
    QVERIFY(!combo->isEditable());
    QCOMPARE(combo->count(), 7);
    delegate->setEditorData(combo, encoder);
    QCOMPARE(combo->currentText(), QString("log"));
    combo->setCurrentText("standardise");
    delegate->setModelData(combo, model, encoder);
    QVERIFY(panel.config().attributes[static_cast<std::size_t>(price)].encoder ==
            Encoder::Standardise);
    // From: editable, the derivations of a derived row.
    const QModelIndex from = model->index(price, FeatureConfigModel::FromColumn);
    editor.reset(delegate->createEditor(&parent, {}, from));
    combo = qobject_cast<QComboBox*>(editor.get());
    QVERIFY(combo && combo->isEditable());
    QCOMPARE(combo->count(), 17);
    // Max categories: a spin box, 0 shown as "all".
    const int category = rowOf(panel, "category");
    const QModelIndex max = model->index(category, FeatureConfigModel::MaxCategoriesColumn);
    QCOMPARE(max.data().toString(), QString("all"));
    editor.reset(delegate->createEditor(&parent, {}, max));
    auto* spin = qobject_cast<QSpinBox*>(editor.get());
    QVERIFY(spin);
    spin->setValue(500);
    delegate->setModelData(spin, model, max);
    QCOMPARE(panel.config().attributes[static_cast<std::size_t>(category)].maxCategories, 500);
    QCOMPARE(max.data().toString(), QString("500"));
    QVERIFY(panel.validationMessage().isEmpty());
  }

  void openFiles() {
    FeaturePanel panel;
    panel.setDataset(m_rr);
    const FeatureConfig before = panel.config();

    const QString bad = m_dir.filePath("bad.json");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\n  \"version\": 1,\n  oops\n}\n");
    f.close();
    QVERIFY(!panel.openFile(bad));
    QVERIFY(panel.messages()->text().contains(bad + ":3:"));
    QVERIFY(panel.messages()->text().contains("not valid JSON"));
    QCOMPARE(panel.config(), before);

    const QString other = m_dir.filePath("other.json");
    FeatureConfig c;
    c.description = "brand only";
    c.attributes = {spec("brand", Source::ItemProperty, "brand", Encoder::Index, Missing::Bucket)};
    c.save(other.toStdString());
    QVERIFY(panel.openFile(other));
    QVERIFY(!panel.messages()->isVisibleTo(&panel));
    QCOMPARE(panel.config(), c);
    QCOMPARE(panel.currentPath(), other);
    QVERIFY(!panel.isModified());
    // Valid as a file, but not on this dataset.
    QVERIFY(panel.validationMessage().startsWith(
        "Row 1: 'brand' (item property 'brand'): the log has no item property 'brand'"));
    QCOMPARE(panel.model()->invalidColumn(), int{FeatureConfigModel::FromColumn});
  }

  void screenshot() {
    if (screenshotDir().isEmpty()) QSKIP("RECLAB_SCREENSHOT_DIR not set");
    FeaturePanel panel;
    QSignalSpy ready(&panel, &FeaturePanel::previewReady);
    panel.resize(800, 600);
    panel.setDataset(m_rr);
    panel.table()->selectRow(rowOf(panel, "price"));
    panel.show();
    QVERIFY(ready.wait(30000));
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.table()->setFocus();
    QVERIFY(panel.grab().save(screenshotDir() + "/feature_panel.png"));
  }
};

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QStandardPaths::setTestModeEnabled(true);
  QApplication app(argc, argv);
  int failed = 0;
  {
    TestFeaturePreview t;
    failed += QTest::qExec(&t, argc, argv);
  }
  {
    TestFeaturePanel t;
    failed += QTest::qExec(&t, argc, argv);
  }
  return failed == 0 ? 0 : 1;
}

#include "test_feature_panel.moc"

/// Unit tests of the passive widgets: InteractionLogModel, the dataset summary, ModelForm,
/// ModelPanel, LogPane, MessageBar and the command-line options.

#include <QApplication>
#include <QChart>
#include <QLineSeries>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/app_options.h"
#include "models/registry.h"
#include "test_support.h"
#include "widgets/chart_theme.h"
#include "widgets/dataset_panel.h"
#include "widgets/dataset_summary.h"
#include "widgets/interaction_log_model.h"
#include "widgets/log_pane.h"
#include "widgets/message_bar.h"
#include "widgets/model_form.h"
#include "experiment/config.h"
#include "widgets/model_panel.h"

using namespace reclab;
using widgets::InteractionLogModel;

namespace {

/// Three rows: users u7, u9, u7; items 100, 200, 100; ratings 4.5, 3, 1 at 1 s, 2 s, 1 day.
std::shared_ptr<data::LoadResult> smallRatingsLog() {
  auto r = std::make_shared<data::LoadResult>();
  r->format = data::Format::MovieLens;
  auto& log = r->log;
  const char* users[] = {"u7", "u9", "u7"};
  const char* items[] = {"100", "200", "100"};
  const float values[] = {4.5f, 3.0f, 1.0f};
  const std::int64_t times[] = {1000, 2000, 86'400'000};
  for (int i = 0; i < 3; ++i) {
    log.user.push_back(log.users.intern(users[i]));
    log.item.push_back(log.items.intern(items[i]));
    log.value.push_back(values[i]);
    log.timestamp.push_back(times[i]);
  }
  log.valueName = "rating";
  return r;
}

models::ModelInfo testModelInfo() {
  using T = models::ParamSpec::Type;
  models::ModelInfo info;
  info.name = "test_model";
  info.displayName = "Test model";
  info.params = {
      {"factors", T::Int, 10, 1, 100, {}, "latent dimension"},
      {"lr", T::Double, 0.01, 1e-7, 10.0, {}, "learning rate"},
      {"bias", T::Bool, true, std::nullopt, std::nullopt, {}, "use biases"},
      {"loss", T::Choice, "bpr", std::nullopt, std::nullopt, {"warp", "bpr"}, "loss"},
      {"tag", T::String, "x", std::nullopt, std::nullopt, {}, "free text"},
  };
  return info;
}

}  // namespace

class UnitTests : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void logModelShowsPresentColumnsAndOriginalIds() {
    InteractionLogModel model;
    model.setDataset(smallRatingsLog());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), 4);  // user, item, time, value
    QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), QString("user"));
    QCOMPARE(model.headerData(2, Qt::Horizontal).toString(), QString("time (UTC)"));
    QCOMPARE(model.headerData(3, Qt::Horizontal).toString(), QString("rating"));
    QCOMPARE(model.data(model.index(1, 0)).toString(), QString("u9"));
    QCOMPARE(model.data(model.index(2, 1)).toString(), QString("100"));
    QCOMPARE(model.data(model.index(0, 2)).toString(), QString("1970-01-01T00:00:01Z"));
    QCOMPARE(model.data(model.index(2, 2)).toString(), QString("1970-01-02T00:00:00Z"));
    QCOMPARE(model.data(model.index(0, 3)).toString(), QString("4.5"));
    QVERIFY(!model.data(model.index(3, 0)).isValid());
    model.setDataset(nullptr);
    QCOMPARE(model.rowCount(), 0);
  }

  void logModelSessionLogAndMillionsOfRows() {
    auto r = std::make_shared<data::LoadResult>();
    auto& log = r->log;
    const std::size_t n = 2'000'000;
    log.item.assign(n, 0);
    log.session.resize(n);
    log.items.intern("i1");
    log.items.intern("i2");
    log.eventNames = {"click", "buy"};
    log.event.assign(n, 0);
    log.event[n - 1] = 1;
    log.item[n - 1] = 1;
    for (int s = 0; s < 1000; ++s) log.sessions.internInt(5000 + s);
    for (std::size_t i = 0; i < n; ++i) log.session[i] = static_cast<std::int32_t>(i / 2000);
    InteractionLogModel model;
    model.setDataset(r);
    QCOMPARE(model.rowCount(), 2'000'000);
    QCOMPARE(model.columnCount(), 3);  // item, event, session
    const int last = 1'999'999;
    QCOMPARE(model.data(model.index(last, 0)).toString(), QString("i2"));
    QCOMPARE(model.data(model.index(last, 1)).toString(), QString("buy"));
    QCOMPARE(model.data(model.index(last, 2)).toString(), QString("5999"));
    QCOMPARE(model.headerData(last, Qt::Vertical).toInt(), 2'000'000);
  }

  void log2HistogramBins() {
    // counts 1 | 2, 3 | 4 | 8 (bin 8-15); zeros ignored.
    auto h = widgets::log2Histogram({1, 2, 3, 0, 4, 8});
    QCOMPARE(h.size(), std::size_t(4));
    QCOMPARE(QString::fromStdString(h[0].first), QString("1"));
    QCOMPARE(h[0].second, std::uint64_t(1));
    QCOMPARE(QString::fromStdString(h[1].first), QString("2-3"));
    QCOMPARE(h[1].second, std::uint64_t(2));
    QCOMPARE(QString::fromStdString(h[2].first), QString("4-7"));
    QCOMPARE(h[2].second, std::uint64_t(1));
    QCOMPARE(QString::fromStdString(h[3].first), QString("8-15"));
    QCOMPARE(h[3].second, std::uint64_t(1));
  }

  void valueHistogramDistinctAndBinned() {
    auto d = widgets::valueHistogram({1, 5, 5, 3.5f});
    QCOMPARE(d.size(), std::size_t(3));
    QCOMPARE(QString::fromStdString(d[1].first), QString("3.5"));
    QCOMPARE(d[2].second, std::uint64_t(2));
    // 0..9 with at most 4 distinct: 2 bins of width 4.5: [0, 4.5) holds 0-4, the rest 5-9.
    std::vector<float> v;
    for (int i = 0; i < 10; ++i) v.push_back(static_cast<float>(i));
    auto b = widgets::valueHistogram(v, 4, 2);
    QCOMPARE(b.size(), std::size_t(2));
    QCOMPARE(QString::fromStdString(b[0].first), QString("0-4.5"));
    QCOMPARE(b[0].second, std::uint64_t(5));
    QCOMPARE(b[1].second, std::uint64_t(5));
  }

  void summaryOfSmallLog() {
    auto s = widgets::summarizeDataset(*smallRatingsLog());
    std::map<std::string, std::string> stats(s.stats.begin(), s.stats.end());
    QCOMPARE(QString::fromStdString(stats["Rows"]), QString("3"));
    QCOMPARE(QString::fromStdString(stats["Users"]), QString("2"));
    QCOMPARE(QString::fromStdString(stats["Items"]), QString("2"));
    QCOMPARE(QString::fromStdString(stats["Sparsity (users)"]), QString("50.00 %"));  // 1 - 2/(2*2)
    QCOMPARE(QString::fromStdString(stats["Mean rating"]), QString("2.833"));         // 8.5 / 3
    QCOMPARE(QString::fromStdString(s.histogramTitle), QString("Ratings per user"));
    QCOMPARE(s.histogram.size(), std::size_t(2));  // u9: 1 -> "1", u7: 2 -> "2-3"
    QCOMPARE(s.histogram[0].second, std::uint64_t(1));
    QCOMPARE(s.histogram[1].second, std::uint64_t(1));
    QCOMPARE(s.eventsPerType.size(), std::size_t(1));
    QCOMPARE(s.eventsPerType[0].second, std::uint64_t(3));
    QCOMPARE(QString::fromStdString(s.valueHistogramTitle), QString("Rating distribution"));
    QCOMPARE(s.valueHistogram.size(), std::size_t(3));  // 1, 3, 4.5
  }

  void datasetPanelShowsSummaryAndBadRows() {
    auto r = smallRatingsLog();
    r->report.rowsRead = 6;
    r->report.badRowCount = 3;
    r->report.badRows = {{"u.data", 7, "field 'rating': not a number: 'x'"}};
    auto summary = std::make_shared<widgets::DatasetSummary>(widgets::summarizeDataset(*r));
    widgets::DatasetPanel panel;
    QSignalSpy cancel(&panel, &widgets::DatasetPanel::cancelRequested);
    panel.setLoading(true, {"/data/u.data"});
    panel.setProgress(0.5, "reading");
    panel.setDataset(r, summary, {"/data/u.data"});
    QCOMPARE(panel.logModel()->rowCount(), 3);
    QCOMPARE(panel.statsTable()->rowCount(), static_cast<int>(summary->stats.size()));
    QCOMPARE(panel.statsTable()->item(1, 0)->text(), QString("Rows"));
    QCOMPARE(panel.statsTable()->item(1, 1)->text(), QString("3"));
    QCOMPARE(panel.badRowList()->count(), 2);  // the listed row, then the rest as a count
    QCOMPARE(panel.badRowList()->item(0)->text(),
             QString("u.data:7: field 'rating': not a number: 'x'"));
    QCOMPARE(panel.badRowList()->item(1)->text(), QString("... and 2 more"));
    QVERIFY(panel.badRowList()->isHidden());  // collapsed until asked
    QCOMPARE(panel.selectedFormat(), QString("auto"));
    QCOMPARE(cancel.count(), 0);
  }

  /// With RECLAB_WIDGET_SHOTS=DIR, saves each dataset tab as PNG for a visual check.
  void datasetPanelTabsScreenshots() {
    const QString out = qEnvironmentVariable("RECLAB_WIDGET_SHOTS");
    if (out.isEmpty()) QSKIP("set RECLAB_WIDGET_SHOTS=DIR to write the panel's tabs as PNG");
    QTemporaryDir dir;
    const QString path = test::writeRatings(dir.path(), 300, 41, 12);
    auto r = std::make_shared<data::LoadResult>(data::loadDataset(
        data::Format::MovieLens, {path.toStdString()}, {}, nullObserver(), StopToken()));
    auto summary = std::make_shared<widgets::DatasetSummary>(widgets::summarizeDataset(*r));
    widgets::DatasetPanel panel;
    panel.resize(420, 640);
    panel.setDataset(r, summary, {path});
    for (int t = 0; t < panel.tabs()->count(); ++t) {
      panel.tabs()->setCurrentIndex(t);
      QVERIFY(panel.grab().save(QDir(out).filePath(QString("dataset_tab%1.png").arg(t))));
    }
  }

  void modelFormGeneratedFromSchema() {
    const auto info = testModelInfo();
    widgets::ModelForm form;
    form.setModel(&info);
    QCOMPARE(form.fieldCount(), 5);
    auto* factors = qobject_cast<QSpinBox*>(form.editor("factors"));
    QVERIFY(factors);
    QCOMPARE(factors->minimum(), 1);
    QCOMPARE(factors->maximum(), 100);
    QCOMPARE(factors->value(), 10);
    QVERIFY(factors->toolTip().contains("latent dimension"));
    auto* lr = qobject_cast<QLineEdit*>(form.editor("lr"));
    QVERIFY(lr);
    QCOMPARE(lr->text(), QString("0.01"));
    QVERIFY(qobject_cast<QCheckBox*>(form.editor("bias"))->isChecked());
    auto* loss = qobject_cast<QComboBox*>(form.editor("loss"));
    QVERIFY(loss);
    QCOMPARE(loss->count(), 2);
    QCOMPARE(loss->currentText(), QString("bpr"));
    QVERIFY(qobject_cast<QLineEdit*>(form.editor("tag")));
    QVERIFY(form.isValid());
    const nlohmann::json expected = {
        {"factors", 10}, {"lr", 0.01}, {"bias", true}, {"loss", "bpr"}, {"tag", "x"}};
    QCOMPARE(QString::fromStdString(form.params().dump()), QString::fromStdString(expected.dump()));
  }

  void modelFormSetParamsAndScientificNotation() {
    const auto info = testModelInfo();
    widgets::ModelForm form;
    form.setModel(&info);
    form.setParams({{"lr", 1e-5}, {"factors", 64}, {"loss", "warp"}, {"unknown", 1}});
    QCOMPARE(qobject_cast<QLineEdit*>(form.editor("lr"))->text(), QString("1e-05"));
    const auto p = form.params();
    QCOMPARE(p["lr"].get<double>(), 1e-5);
    QCOMPARE(p["factors"].get<int>(), 64);
    QCOMPARE(QString::fromStdString(p["loss"].get<std::string>()), QString("warp"));
    qobject_cast<QLineEdit*>(form.editor("lr"))->setText("2.5E-4");
    QVERIFY(form.isValid());
    QCOMPARE(form.params()["lr"].get<double>(), 2.5e-4);
  }

  void modelFormOutOfRangeIsInvalid() {
    const auto info = testModelInfo();
    widgets::ModelForm form;
    form.setModel(&info);
    QSignalSpy validity(&form, &widgets::ModelForm::validityChanged);
    auto* lr = qobject_cast<QLineEdit*>(form.editor("lr"));
    lr->setText("20");
    QVERIFY(!form.isValid());
    QVERIFY(form.validationError().startsWith("lr: "));
    QVERIFY(!lr->styleSheet().isEmpty());  // shown in red
    QVERIFY(!form.params().contains("lr"));
    QCOMPARE(validity.count(), 1);
    QCOMPARE(validity.last().at(0).toBool(), false);
    lr->setText("abc");
    QVERIFY(form.validationError().contains("must be a number"));
    lr->setText("0.5");
    QVERIFY(form.isValid());
    QVERIFY(lr->styleSheet().isEmpty());
    QCOMPARE(validity.last().at(0).toBool(), true);
  }

  void modelPanelDisablesRunOnInvalidField() {
    widgets::ModelPanel panel;
    QVERIFY(panel.selectModel("torch_mf"));
    QVERIFY(!panel.selectModel("no_such_model"));
    QCOMPARE(panel.currentModel(), QString("torch_mf"));
    panel.setRunAllowed(true);
    QVERIFY(panel.runButton()->isEnabled());
    // The form matches the registry's schema.
    const auto* info = models::Registry::instance().find("torch_mf");
    QCOMPARE(panel.form()->fieldCount(), static_cast<int>(info->params.size()));
    auto* lr = qobject_cast<QLineEdit*>(panel.form()->editor("lr"));
    QVERIFY(lr);
    lr->setText("20");  // max is 10
    QVERIFY(!panel.runButton()->isEnabled());
    QVERIFY(panel.blockReason().startsWith("lr: "));
    QSignalSpy requested(&panel, &widgets::ModelPanel::runRequested);
    panel.requestRun();
    QCOMPARE(requested.count(), 0);
    lr->setText("0.005");
    QVERIFY(panel.runButton()->isEnabled());
    panel.setRunAllowed(false, "Open a dataset first");
    QVERIFY(!panel.runButton()->isEnabled());
    QCOMPARE(panel.blockReason(), QString("Open a dataset first"));
    panel.setRunAllowed(true);
    QTest::mouseClick(panel.runButton(), Qt::LeftButton);
    QCOMPARE(requested.count(), 1);
    const auto config = requested.first().at(0).value<nlohmann::json>();
    QCOMPARE(QString::fromStdString(config["model"]["name"].get<std::string>()),
             QString("torch_mf"));
    QCOMPARE(config["model"]["params"]["lr"].get<double>(), 0.005);
    QCOMPARE(config["split"]["valid_ratio"].get<double>(), 0.1);
    // Run k-fold: the same config with the k-fold split.
    QVERIFY(panel.kfoldButton()->isEnabled());
    QTest::mouseClick(panel.kfoldButton(), Qt::LeftButton);
    QCOMPARE(requested.count(), 2);
    const auto kfold = requested.last().at(0).value<nlohmann::json>();
    QCOMPARE(QString::fromStdString(kfold["split"]["kind"].get<std::string>()), QString("kfold"));
    QCOMPARE(kfold["model"]["params"]["lr"].get<double>(), 0.005);
    QCOMPARE(config["seed"].get<int>(), 0);
  }

  void modelPanelSetConfigRoundTrip() {
    widgets::ModelPanel panel;
    const nlohmann::json config = {
        {"model", {{"name", "torch_mf"}, {"params", {{"factors", 8}}}}},
        {"split", {{"kind", "kfold"}, {"folds", 3}, {"valid_ratio", 0.0}}},
        {"seed", 42}};
    panel.setConfig(config);
    const auto back = panel.config();
    QCOMPARE(back["model"]["params"]["factors"].get<int>(), 8);
    QCOMPARE(QString::fromStdString(back["split"]["kind"].get<std::string>()), QString("kfold"));
    QCOMPARE(back["split"]["folds"].get<int>(), 3);
    QCOMPARE(back["seed"].get<int>(), 42);
  }

  void modelPanelOffersEverySplitAndTheRankingCutOffs() {
    widgets::ModelPanel panel;
    panel.setConfig({{"model", {{"name", "popularity"}}},
                     {"split", {{"kind", "leave_last_n"}, {"n", 3}}},
                     {"eval", {{"k", {1, 5}}}}});
    auto back = panel.config();
    QCOMPARE(QString::fromStdString(back["split"]["kind"].get<std::string>()),
             QString("leave_last_n"));
    QCOMPARE(back["split"]["n"].get<int>(), 3);
    QVERIFY(back["eval"]["k"] == nlohmann::json({1, 5}));
    // The config the panel makes is one the core accepts.
    back["dataset"] = {{"path", "u.data"}};
    QVERIFY(reclab::experiment::ExperimentConfig::fromJson(back).split.kind == "leave_last_n");
    panel.setConfig({{"split", {{"kind", "session_time"}, {"test_days", 2.5}}}});
    QCOMPARE(panel.config()["split"]["test_days"].get<double>(), 2.5);
    // A malformed k list blocks Run with the reason.
    panel.setRunAllowed(true);
    auto* ks = panel.findChild<QLineEdit*>("rankingKs");
    QVERIFY(ks);
    ks->setText("5, ten");
    QVERIFY(!panel.runButton()->isEnabled());
    ks->setText("5, 10");
    QVERIFY(panel.runButton()->isEnabled());
  }

  void chartsFollowADarkPalette() {
    QChart chart;
    auto* series = new QLineSeries(&chart);
    series->setColor(QColor("#123456"));
    chart.addSeries(series);
    const QPalette original = QApplication::palette();
    QPalette dark = original;
    dark.setColor(QPalette::Window, QColor(30, 30, 30));
    QApplication::setPalette(dark);
    widgets::applyPaletteTheme(&chart);
    QCOMPARE(chart.theme(), QChart::ChartThemeDark);
    QCOMPARE(series->color(), QColor("#123456"));  // the series keeps its colour
    QPalette light = original;
    light.setColor(QPalette::Window, QColor(240, 240, 240));
    QApplication::setPalette(light);
    widgets::applyPaletteTheme(&chart);
    QCOMPARE(chart.theme(), QChart::ChartThemeLight);
    QApplication::setPalette(original);
  }

  void logPaneIsCapped() {
    widgets::LogPane pane(nullptr, 10);
    for (int i = 0; i < 25; ++i) pane.appendLine(widgets::LogPane::Level::Info, QString::number(i));
    QCOMPARE(pane.document()->blockCount(), 10);
    QVERIFY(pane.toPlainText().endsWith("info    24"));
  }

  void messageBarShowsAndClears() {
    widgets::MessageBar bar;
    QVERIFY(bar.isHidden());
    bar.showMessage("file.csv:3: field 'x': bad", widgets::MessageBar::Level::Error);
    QVERIFY(!bar.isHidden());
    QCOMPARE(bar.text(), QString("file.csv:3: field 'x': bad"));
    bar.clearMessage();
    QVERIFY(bar.isHidden());
  }

  void appOptionsParse() {
    app::AppOptions o;
    QString error;
    QVERIFY(app::AppOptions::parse(
        {"reclab", "--db", "/tmp/x.sqlite", "--dataset", "u.data", "--format", "movielens",
         "--screenshot", "s.png", "--screenshot-after-ms", "500", "--autorun", "--epochs", "3"},
        o, error));
    QCOMPARE(o.dbPath, QString("/tmp/x.sqlite"));
    QCOMPARE(o.datasetPath, QString("u.data"));
    QCOMPARE(o.format, QString("movielens"));
    QCOMPARE(o.screenshotPath, QString("s.png"));
    QCOMPARE(o.screenshotAfterMs, 500);
    QVERIFY(o.autorun);
    QCOMPARE(o.epochs, 3);
    app::AppOptions bad;
    QVERIFY(!app::AppOptions::parse({"reclab", "--epochs", "0"}, bad, error));
    QVERIFY(error.contains("--epochs"));
    QVERIFY(!app::AppOptions::parse({"reclab", "--bogus"}, bad, error));
  }
};

namespace reclab::test {
int runUnitTests(int argc, char** argv) {
  UnitTests t;
  return QTest::qExec(&t, argc, argv);
}
}  // namespace reclab::test

#include "test_units.moc"

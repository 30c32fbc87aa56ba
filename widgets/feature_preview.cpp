#include "widgets/feature_preview.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/errors.h"
#include "features/derivations.h"
#include "features/feature_pipeline.h"
#include "split/leakage.h"

namespace reclab::widgets {

namespace {

std::vector<std::uint32_t> firstRows(std::size_t n) {
  std::vector<std::uint32_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0u);
  return rows;
}

/// Integral values (counts, seconds since the epoch) without an exponent, others with the
/// float's 7 significant digits.
QString numberText(float x) {
  const double d = x;
  if (std::floor(d) == d && std::fabs(d) < 1e15) return QString::number(static_cast<qint64>(d));
  return QString::number(d, 'g', 7);
}

}  // namespace

FeaturePreview computeFeaturePreview(const features::FeatureConfig& config,
                                     const data::InteractionLog& log, std::size_t fitRows,
                                     std::size_t shownRows, const StopToken& stop) {
  if (log.numRows() == 0) throw InputError("the dataset has no rows");
  stop.throwIfStopped();
  features::FeaturePipeline pipeline(config);
  const features::RawFeatures raw = pipeline.derive(log, stop);
  FeaturePreview out;
  out.logRows = log.numRows();
  out.fittedRows = std::min(std::max<std::size_t>(fitRows, 1), log.numRows());
  split::LeakageGuard guard;  // the preview's own fit; no split to check against
  pipeline.fit(raw, firstRows(out.fittedRows), guard, stop);
  stop.throwIfStopped();

  out.rows = firstRows(std::min(shownRows, log.numRows()));
  const features::EncodedFeatures enc = pipeline.transform(raw, out.rows);
  for (std::size_t k : raw.attributeOf) {
    out.attributes.push_back(QString::fromStdString(config.attributes[k].name));
  }
  for (const auto& name : enc.categoricalNames) {
    out.encodedNames.push_back(QString::fromStdString(name));
    out.encodedCategorical.push_back(true);
  }
  for (const auto& name : enc.continuousNames) {
    out.encodedNames.push_back(QString::fromStdString(name));
    out.encodedCategorical.push_back(false);
  }
  for (std::size_t k : raw.attributeOf) {
    const auto& a = config.attributes[k];
    const QString name = QString::fromStdString(a.name);
    const bool cyclic =
        a.encoder == features::Encoder::CyclicHour || a.encoder == features::Encoder::CyclicWeekday;
    const QStringList outputs =
        cyclic ? QStringList{name + "_sin", name + "_cos"} : QStringList{name};
    std::vector<int> positions;
    for (const auto& o : outputs)
      positions.push_back(static_cast<int>(out.encodedNames.indexOf(o)));
    out.encodedOf.push_back(std::move(positions));
  }
  const std::size_t nCat = enc.categoricalNames.size(), nCont = enc.continuousNames.size();
  for (std::size_t i = 0; i < out.rows.size(); ++i) {
    const std::uint32_t row = out.rows[i];
    std::vector<std::optional<QString>> rawRow;
    rawRow.reserve(raw.columns.size());
    for (const auto& column : raw.columns) {
      if (column.categorical) {
        const std::int32_t code = column.codes[row];
        if (code < 0) {
          rawRow.emplace_back(std::nullopt);
        } else {
          rawRow.emplace_back(QString::fromStdString(column.keyOf(code)));
        }
      } else {
        const float x = column.numeric[row];
        if (std::isnan(x)) {
          rawRow.emplace_back(std::nullopt);
        } else {
          rawRow.emplace_back(numberText(x));
        }
      }
    }
    out.raw.push_back(std::move(rawRow));
    std::vector<double> encodedRow;
    encodedRow.reserve(nCat + nCont);
    for (std::size_t c = 0; c < nCat; ++c) {
      encodedRow.push_back(static_cast<double>(enc.categorical[i * nCat + c]));
    }
    for (std::size_t c = 0; c < nCont; ++c) encodedRow.push_back(enc.continuous[i * nCont + c]);
    out.encoded.push_back(std::move(encodedRow));
  }
  return out;
}

}  // namespace reclab::widgets

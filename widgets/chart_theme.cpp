#include "widgets/chart_theme.h"

#include <QApplication>
#include <QChart>
#include <QPalette>

namespace reclab::widgets {

bool isDarkPalette(const QPalette& palette) {
  return palette.color(QPalette::Window).lightness() < 128;
}

void applyPaletteTheme(QChart* chart) {
  if (!chart) return;
  const bool dark = isDarkPalette(QApplication::palette());
  const auto wanted = dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;
  if (chart->theme() == wanted) return;
  // Setting a theme recolours the series; keep the colours the chart chose.
  QList<QColor> colours;
  for (auto* s : chart->series()) colours << s->property("color").value<QColor>();
  chart->setTheme(wanted);
  const auto series = chart->series();
  for (int i = 0; i < series.size(); ++i) {
    if (colours[i].isValid()) series[i]->setProperty("color", colours[i]);
  }
}

}  // namespace reclab::widgets

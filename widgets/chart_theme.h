#pragma once
/// Charts follow the system's light or dark palette.

class QChart;
class QPalette;

namespace reclab::widgets {

/// True when the palette's window colour is dark.
bool isDarkPalette(const QPalette& palette);

/// Gives `chart` the dark or light QtCharts theme matching the application palette, keeping
/// the series colours it already has.
void applyPaletteTheme(QChart* chart);

}  // namespace reclab::widgets

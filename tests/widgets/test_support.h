#pragma once
/// Shared helpers of the widget tests: a small MovieLens u.data with planted structure,
/// written into a temporary directory, and the entry points of each test class.

#include <QString>

namespace reclab::test {

/// Writes `users` x `perUser` ratings (user<TAB>item<TAB>rating<TAB>timestamp) to
/// `dir`/u.data and returns the path. Ratings follow a planted rank-1 structure
/// (rating = 3 + 2 * a_u * b_i rounded, clamped to 1..5), deterministic.
QString writeRatings(const QString& dir, int users, int items, int perUser);

int runUnitTests(int argc, char** argv);
int runTrainingChartTests(int argc, char** argv);
int runRunManagerTests(int argc, char** argv);
int runMainWindowTests(int argc, char** argv);
int runClassificationTests(int argc, char** argv);
int runColumnMappingTests(int argc, char** argv);

}  // namespace reclab::test

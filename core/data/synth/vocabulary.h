#pragma once
/// Word lists the generators draw names from: the 19 MovieLens genres, the 21 MovieLens
/// occupations, a 200-word keyword vocabulary, and title words.

#include <array>
#include <string_view>

namespace reclab::synth::vocabulary {

/// The 19 genre columns of MovieLens-100k `u.item`, in file order ("unknown" first).
extern const std::array<std::string_view, 19> kMovieLensGenres;
/// The 21 occupations of MovieLens-100k `u.occupation`.
extern const std::array<std::string_view, 21> kMovieLensOccupations;
/// 200 distinct lower-case keywords (ASCII, no ',', ';' or '|').
extern const std::array<std::string_view, 200> kKeywords;
/// Title words (ASCII).
extern const std::array<std::string_view, 48> kTitleAdjectives;
extern const std::array<std::string_view, 64> kTitleNouns;
/// Title nouns with one accented letter (e acute), UTF-8 encoded (written as Latin-1 in u.item).
extern const std::array<std::string_view, 6> kAccentedNouns;

}  // namespace reclab::synth::vocabulary

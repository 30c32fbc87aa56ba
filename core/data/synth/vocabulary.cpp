#include "data/synth/vocabulary.h"

namespace reclab::synth::vocabulary {

const std::array<std::string_view, 19> kMovieLensGenres = {
    "unknown",     "Action", "Adventure", "Animation", "Children's", "Comedy",  "Crime",
    "Documentary", "Drama",  "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
    "Romance",     "Sci-Fi", "Thriller",  "War",       "Western"};

const std::array<std::string_view, 21> kMovieLensOccupations = {
    "administrator", "artist",     "doctor",     "educator", "engineer",  "entertainment",
    "executive",     "healthcare", "homemaker",  "lawyer",   "librarian", "marketing",
    "none",          "other",      "programmer", "retired",  "salesman",  "scientist",
    "student",       "technician", "writer"};

// clang-format off
const std::array<std::string_view, 200> kKeywords = {
    "love", "war", "space", "robot", "family", "friendship", "murder", "detective",
    "heist", "revenge", "zombie", "vampire", "ghost", "haunted", "alien", "future",
    "dystopia", "time-travel", "dragon", "magic", "wizard", "princess", "knight", "castle",
    "pirate", "ocean", "island", "desert", "jungle", "mountain", "city", "small-town",
    "school", "college", "teacher", "student", "prison", "escape", "chase", "car",
    "racing", "boxing", "football", "baseball", "basketball", "music", "band", "singer",
    "dance", "wedding", "divorce", "marriage", "romance", "affair", "betrayal", "conspiracy",
    "spy", "assassin", "mafia", "gangster", "police", "lawyer", "courtroom", "trial",
    "journalist", "politics", "president", "election", "soldier", "army", "navy", "submarine",
    "pilot", "aircraft", "train", "ship", "storm", "disaster", "earthquake", "volcano",
    "virus", "doctor", "hospital", "nurse", "scientist", "experiment", "monster", "creature",
    "shark", "dinosaur", "dog", "cat", "horse", "animal", "farm", "cowboy",
    "sheriff", "outlaw", "gunfight", "saloon", "frontier", "samurai", "ninja", "kung-fu",
    "martial-arts", "sword", "treasure", "quest", "journey", "road-trip", "kidnapping", "hostage",
    "bomb", "terrorist", "hacker", "computer", "artificial-intelligence", "virtual-reality", "cyberpunk", "post-apocalyptic",
    "survival", "wilderness", "snow", "winter", "summer", "christmas", "holiday", "vacation",
    "beach", "surfing", "paris", "london", "new-york", "los-angeles", "tokyo", "rome",
    "venice", "moscow", "berlin", "hong-kong", "1940s", "1950s", "1960s", "1970s",
    "1980s", "world-war-ii", "vietnam", "cold-war", "civil-war", "ancient-rome", "biography", "true-story",
    "based-on-novel", "remake", "sequel", "independent", "cult-film", "black-and-white", "silent-film", "animation-style",
    "puppet", "toys", "talking-animals", "fairy-tale", "superhero", "comic-book", "mutant", "villain",
    "hero", "sidekick", "coming-of-age", "teenager", "childhood", "father-son", "mother-daughter", "siblings",
    "twins", "orphan", "adoption", "grandparent", "cancer", "illness", "death", "funeral",
    "grief", "ghost-story", "afterlife", "angel", "devil", "religion", "church", "priest",
    "nun", "cult", "ritual", "witch", "curse", "possession", "serial-killer", "slasher",
};
// clang-format on

const std::array<std::string_view, 48> kTitleAdjectives = {
    "Silent",   "Last",     "Lost",    "Dark",    "Golden",    "Broken",    "Hidden",   "Wild",
    "Secret",   "Final",    "Little",  "Big",     "Red",       "Blue",      "Crimson",  "Midnight",
    "Endless",  "Frozen",   "Burning", "Distant", "Forgotten", "Lonely",    "Electric", "Savage",
    "Gentle",   "Sweet",    "Bitter",  "Strange", "Perfect",   "Dangerous", "Quiet",    "Restless",
    "Wicked",   "Brave",    "Hollow",  "Shining", "Iron",      "Glass",     "Paper",    "Velvet",
    "Northern", "Southern", "Eternal", "Fallen",  "Rising",    "Crazy",     "Happy",    "Deadly"};

const std::array<std::string_view, 64> kTitleNouns = {
    "River",     "Road",    "City",     "Heart",   "Night",    "Summer",   "Winter",  "Kingdom",
    "Empire",    "Garden",  "House",    "Island",  "Mountain", "Ocean",    "Star",    "Moon",
    "Sun",       "Storm",   "Fire",     "Shadow",  "Dream",    "Promise",  "Secret",  "Mirror",
    "Window",    "Door",    "Bridge",   "Train",   "Voyage",   "Journey",  "Game",    "Dance",
    "Song",      "Letter",  "Stranger", "Hunter",  "Soldier",  "Queen",    "King",    "Prince",
    "Detective", "Witness", "Affair",   "Escape",  "Return",   "Legend",   "Story",   "Memory",
    "Angel",     "Devil",   "Ghost",    "Machine", "Planet",   "Frontier", "Harbor",  "Valley",
    "Forest",    "Desert",  "Circus",   "Hotel",   "Family",   "Brothers", "Sisters", "Wedding"};

// '\u00e9' is encoded as UTF-8 (C3 A9) in narrow literals.
const std::array<std::string_view, 6> kAccentedNouns = {
    "Caf\u00e9", "Fianc\u00e9e", "Clich\u00e9", "Soir\u00e9e", "Matin\u00e9e", "Entr\u00e9e"};

}  // namespace reclab::synth::vocabulary

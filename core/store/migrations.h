#pragma once
/// Schema versions of the experiment store and the steps between them.
///
/// The version lives in the `meta` table (key 'schema_version'), next to the marker 'application' =
/// 'reclab' that tells a RecLab store from any other SQLite file. An empty database is version 0.
/// Step i of the list turns version i into version i + 1 and runs in one IMMEDIATE transaction that
/// also writes the new version, so a failed step leaves the file at the previous version. Adding
/// schema version 2 means appending one step here (and raising kSchemaVersion in store.h).

#include <functional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace reclab::store {

/// Value of meta.application in every RecLab store.
inline constexpr const char* kApplicationMarker = "reclab";

/// One schema step: turns version `toVersion - 1` into `toVersion`.
struct Migration {
  int toVersion = 0;
  std::string description;
  std::function<void(SQLite::Database&)> apply;  ///< runs inside the step's transaction
};

/// The steps of this build, in order; element i migrates version i to i + 1.
const std::vector<Migration>& schemaMigrations();

/// Version of the open database: 0 for an empty database. Throws InputError naming `path` when the
/// file is not a SQLite database or is a SQLite database without the RecLab marker. Only reads.
int readSchemaVersion(SQLite::Database& db, const std::string& path);

/// Brings the database up to the version of the last step. A file that already holds data (version
/// >= 1) is first copied to "<path>.schema-v<N>.bak" (VACUUM INTO) so the user's original survives.
/// Throws InputError when the file is newer than the last step. Must be called outside a
/// transaction.
void migrateSchema(SQLite::Database& db, const std::string& path,
                   const std::vector<Migration>& steps);

/// The message for a store written by a newer RecLab.
std::string newerVersionMessage(const std::string& path, int found, int supported);

}  // namespace reclab::store

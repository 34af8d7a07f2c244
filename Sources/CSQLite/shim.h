// The system SQLite (libsqlite3-dev) and the few things Swift cannot import from it directly: the layout of a
// VFS file object that carries a Swift handle, macros that are not plain constants, and variadic calls.
#pragma once
#include <sqlite3.h>
#include <string.h>
#include <stdlib.h>

/// A VFS file: SQLite's base struct followed by an opaque pointer to the Swift handle (retained in xOpen,
/// released in xClose). SQLite allocates `szOsFile` bytes for it.
typedef struct BacktrackFile {
    sqlite3_file base;
    void *handle;
} BacktrackFile;

static inline sqlite3_destructor_type backtrack_sqlite_transient(void) { return SQLITE_TRANSIENT; }

static const int BACKTRACK_SQLITE_IOERR_SHORT_READ = SQLITE_IOERR_SHORT_READ;
static const int BACKTRACK_SQLITE_IOERR_WRITE = SQLITE_IOERR_WRITE;
static const int BACKTRACK_SQLITE_IOERR_READ = SQLITE_IOERR_READ;
static const int BACKTRACK_SQLITE_IOERR_FSTAT = SQLITE_IOERR_FSTAT;
static const int BACKTRACK_SQLITE_IOERR_TRUNCATE = SQLITE_IOERR_TRUNCATE;
static const int BACKTRACK_SQLITE_IOERR_LOCK = SQLITE_IOERR_LOCK;
static const int BACKTRACK_SQLITE_CANTOPEN_NOTEMPDIR = SQLITE_CANTOPEN;
static const int BACKTRACK_SQLITE_OPEN_MAIN_DB = SQLITE_OPEN_MAIN_DB;

/// A copy of `text` in memory from `sqlite3_malloc`, which SQLite may free (used for error messages).
static inline char *backtrack_sqlite_strdup(const char *text) {
    size_t length = strlen(text);
    char *copy = (char *)sqlite3_malloc((int)length + 1);
    if (copy) memcpy(copy, text, length + 1);
    return copy;
}

/// `sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, on, NULL)`: the variadic call, wrapped.
static inline int backtrack_sqlite_set_defensive(sqlite3 *db, int on) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, on, (int *)0);
}

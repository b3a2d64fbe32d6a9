// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/sqlite.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

namespace appliance::sqlite {

namespace {
Error dbError(sqlite3* db, const std::string& what) {
    return makeError(ErrorClass::Internal, what + ": " + sqlite3_errmsg(db));
}
}  // namespace

Statement::~Statement() {
    if (m_stmt) sqlite3_finalize(m_stmt);
}

Statement& Statement::bind(int index, int64_t value) {
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}
Statement& Statement::bind(int index, const std::string& value) {
    sqlite3_bind_text(m_stmt, index, value.data(), int(value.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement& Statement::bind(int index, std::nullopt_t) {
    sqlite3_bind_null(m_stmt, index);
    return *this;
}
Statement& Statement::bind(int index, const std::optional<int64_t>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
}

Result<bool> Statement::step() {
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return dbError(m_db, "database step failed");
}

Status Statement::run() {
    for (;;) {
        auto r = step();
        if (!r) return r.error();
        if (!*r) return okStatus();
    }
}

int64_t Statement::columnInt(int col) const { return sqlite3_column_int64(m_stmt, col); }
std::string Statement::columnText(int col) const {
    auto* t = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col));
    return t ? std::string(t, size_t(sqlite3_column_bytes(m_stmt, col))) : std::string();
}
bool Statement::columnIsNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
void Statement::reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path,
                                                 const std::vector<std::string>& migrations) {
    // Only the owning daemon reads its state: the file is created 0600 (SQLite gives its -wal and
    // -shm files the database's mode), and an older, wider mode is narrowed.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        (void)::fchmod(fd, 0600);
        ::close(fd);
    }
    for (const char* suffix : {"-wal", "-shm"}) (void)::chmod((path + suffix).c_str(), 0600);
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
        sqlite3_close(raw);
        return makeError(ErrorClass::Unavailable,
                         "cannot open database '" + path + "': " + msg + "; check that its directory exists and is writable");
    }
    std::unique_ptr<Database> db(new Database(raw, path));
    sqlite3_busy_timeout(raw, 5000);
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
        if (auto s = db->exec(pragma); !s)
            return makeError(ErrorClass::Internal, "cannot use database '" + path + "' (" + s.error().message +
                                                       "); if it is damaged, move it aside and restore a backup");
    }
    auto integrity = db->integrityCheck();
    if (!integrity) return integrity.error();
    if (*integrity != "ok")
        return makeError(ErrorClass::Internal, "database '" + path + "' failed its integrity check (" + *integrity +
                                                   "); restore it from a backup or move it aside to start afresh");
    if (auto s = db->migrate(migrations); !s) return s.error();
    return db;
}

Database::~Database() { sqlite3_close_v2(m_db); }

Status Database::exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        return makeError(ErrorClass::Internal, "database error in '" + sql.substr(0, 60) + "': " + msg);
    }
    return okStatus();
}

Result<Statement> Database::prepare(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), int(sql.size()), &stmt, nullptr) != SQLITE_OK)
        return dbError(m_db, "cannot prepare '" + sql.substr(0, 60) + "'");
    return Statement(m_db, stmt);
}

Status Database::transaction(const std::function<Status()>& body) {
    if (auto s = exec("BEGIN IMMEDIATE"); !s) return s;
    Status s = body();
    if (!s) {
        (void)exec("ROLLBACK");
        return s;
    }
    if (auto c = exec("COMMIT"); !c) {
        (void)exec("ROLLBACK");
        return c;
    }
    return okStatus();
}

Result<std::string> Database::integrityCheck() {
    auto st = prepare("PRAGMA integrity_check");
    if (!st) return st.error();
    std::string out;
    for (;;) {
        auto r = st->step();
        if (!r) return r.error();
        if (!*r) break;
        if (!out.empty()) out += "; ";
        out += st->columnText(0);
    }
    return out;
}

int64_t Database::lastInsertId() const { return sqlite3_last_insert_rowid(m_db); }

int64_t Database::changes() const { return sqlite3_changes(m_db); }

Status Database::migrate(const std::vector<std::string>& migrations) {
    auto st = prepare("PRAGMA user_version");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    int64_t version = st->columnInt(0);
    if (version > int64_t(migrations.size()))
        return makeError(ErrorClass::Internal, "database '" + m_path + "' has schema version " + std::to_string(version) +
                                                   ", newer than this program knows (" +
                                                   std::to_string(migrations.size()) + "); run a newer version");
    for (size_t i = size_t(version); i < migrations.size(); ++i) {
        Status s = transaction([&]() -> Status {
            if (auto e = exec(migrations[i]); !e) return e;
            return exec("PRAGMA user_version = " + std::to_string(i + 1));
        });
        if (!s) return s;
    }
    return okStatus();
}

}  // namespace appliance::sqlite

// SPDX-License-Identifier: GPL-2.0-or-later
// A thin RAII layer over SQLite with the settings every store of the project uses: WAL,
// synchronous=FULL, a busy timeout, BEGIN IMMEDIATE for writes, numbered schema migrations and an
// integrity check at open. Context: one thread per Database.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace appliance::sqlite {

class Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt) {}
    Statement(Statement&& o) noexcept : m_db(o.m_db), m_stmt(o.m_stmt) { o.m_stmt = nullptr; }
    Statement(const Statement&) = delete;
    ~Statement();

    Statement& bind(int index, int64_t value);
    Statement& bind(int index, const std::string& value);
    Statement& bind(int index, std::nullopt_t);
    Statement& bind(int index, const std::optional<int64_t>& value);
    /// Steps once: true while a row is available, false when done.
    Result<bool> step();
    Status run();  ///< steps to the end, for statements that return no rows
    int64_t columnInt(int col) const;
    std::string columnText(int col) const;
    bool columnIsNull(int col) const;
    void reset();

private:
    sqlite3* m_db;
    sqlite3_stmt* m_stmt;
};

class Database {
public:
    /// Opens (creating if needed) and migrates to the last of `migrations` (migration i brings the
    /// schema to user_version i+1). Fails if the file does not pass `PRAGMA integrity_check`.
    static Result<std::unique_ptr<Database>> open(const std::string& path,
                                                  const std::vector<std::string>& migrations);
    ~Database();

    Status exec(const std::string& sql);
    Result<Statement> prepare(const std::string& sql);
    /// Runs `body` inside BEGIN IMMEDIATE; commits if it succeeds, rolls back otherwise.
    Status transaction(const std::function<Status()>& body);
    Result<std::string> integrityCheck();
    int64_t lastInsertId() const;
    /// Rows the last INSERT, UPDATE or DELETE changed.
    int64_t changes() const;
    const std::string& path() const { return m_path; }

private:
    Database(sqlite3* db, std::string path) : m_db(db), m_path(std::move(path)) {}
    Status migrate(const std::vector<std::string>& migrations);
    sqlite3* m_db;
    std::string m_path;
};

}  // namespace appliance::sqlite

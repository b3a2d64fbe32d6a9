// SPDX-License-Identifier: GPL-2.0-or-later
// The audit path: bounded and escaped entries, coalesced floods, retention, intent then outcome.
#include <filesystem>

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "common/plain_text.h"
#include "common/protocol.h"

namespace appliance {
namespace {

class AuditLogTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/audit-log-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
        auto s = StateStore::open(dir + "/state.db");
        ASSERT_TRUE(s) << s.error().message;
        store = std::move(*s);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
    std::vector<AuditEntry> all() {
        auto l = store->listAudit(100000, "", 0);
        EXPECT_TRUE(l);
        return l ? *l : std::vector<AuditEntry>{};
    }
    std::string dir;
    std::unique_ptr<StateStore> store;
};

TEST_F(AuditLogTest, APeersTextIsBoundedAndEscapedBeforeItIsStored) {
    AuditLog audit(*store, {});
    std::string verb = "agent.<font size=7>\x1b[31m" + std::string(10000, 'v');
    std::string args = "{\"x\":\"" + std::string(100000, 'a') + "\"}";
    audit.record({0, 0, std::nullopt, "agent:vm", verb, "t\n\x01", args, "denied", std::string(50000, 'd')});
    auto entries = all();
    ASSERT_EQ(entries.size(), 1u);
    const auto& e = entries[0];
    EXPECT_LE(e.action.size(), 128u + 32);
    EXPECT_NE(e.action.find("\\x1b"), std::string::npos) << e.action;
    EXPECT_EQ(e.action.find('\x1b'), std::string::npos);
    EXPECT_NE(e.action.find("more bytes"), std::string::npos);
    EXPECT_EQ(e.target, "t\\x0a\\x01");
    EXPECT_LE(e.detail.size(), 1024u + 32);
    EXPECT_LE(e.arguments.size(), 4096u + 64);
    auto parsed = nlohmann::json::parse(e.arguments, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << "cut arguments are still JSON";
    EXPECT_EQ(parsed["truncated_from_bytes"], args.size());
}

TEST(PlainText, InvalidUtf8AndControlCharactersAreEscapedAndValidUtf8Kept) {
    EXPECT_EQ(plainText("caf\xc3\xa9 \xff\xfe", 100), "caf\xc3\xa9 \\xff\\xfe");
    EXPECT_EQ(plainText("\xe2\x82", 100), "\\xe2\\x82") << "a cut sequence is not passed through";
    EXPECT_EQ(plainText("a\x1b[2Jb\xc2\x9b", 100), "a\\x1b[2Jb\\xc2\\x9b") << "terminal escapes, C0 and C1";
    EXPECT_EQ(plainText("\xed\xa0\x80", 100), "\\xed\\xa0\\x80") << "a UTF-16 surrogate is not UTF-8";
}

TEST_F(AuditLogTest, RepeatedIdenticalDenialsShareOneRowWithACount) {
    AuditLog audit(*store, {});
    for (int i = 0; i < 1000; ++i)
        audit.record({0, 0, std::nullopt, "agent:vm", "agent.focus.request", "x", "{}", "PermissionDenied", "policy"});
    audit.record({0, 0, std::nullopt, "agent:vm", "agent.focus.request", "y", "{}", "PermissionDenied", "policy"});
    audit.record({0, 0, 0, "root", "vm.start", "x", "{}", "ok", ""});
    audit.record({0, 0, 0, "root", "vm.start", "x", "{}", "ok", ""});
    auto entries = all();
    ASSERT_EQ(entries.size(), 4u) << "one row for the flood, one for the other target, two real actions";
    EXPECT_EQ(entries[3].repeats, 1000);
    EXPECT_EQ(entries[2].repeats, 1);
    EXPECT_EQ(entries[0].repeats, 1) << "successful actions are never folded together";
}

TEST_F(AuditLogTest, RetentionKeepsTheNewestRows) {
    AuditLimits limits;
    limits.maxRows = 50;
    AuditLog audit(*store, limits);
    for (int i = 0; i < 500; ++i) audit.record({0, 0, 0, "root", "vm.start", "vm" + std::to_string(i), "{}", "ok", ""});
    auto entries = all();
    EXPECT_LE(entries.size(), 55u) << "at most a tenth over the limit between prunes";
    EXPECT_GE(entries.size(), 50u);
    EXPECT_EQ(entries[0].target, "vm499");
}

TEST_F(AuditLogTest, RetentionRemovesEntriesOlderThanTheAgeLimit) {
    AuditLimits limits;
    limits.maxAgeDays = 30;
    AuditLog audit(*store, limits);
    double now = protocol::nowTimestampS();
    ASSERT_TRUE(store->insertAudit({0, now - 40 * 86400.0, 0, "root", "vm.start", "old", "{}", "ok", ""}));
    ASSERT_TRUE(store->insertAudit({0, now - 1, 0, "root", "vm.start", "new", "{}", "ok", ""}));
    audit.startUp();
    auto entries = all();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].target, "new");
}

TEST_F(AuditLogTest, AnIntentWithoutOutcomeIsMarkedInterruptedAtTheNextStart) {
    {
        AuditLog audit(*store, {});
        int64_t done = audit.begin({0, 0, 0, "root", "vm.start", "a", "{}", "", ""});
        audit.finish(done, {0, 0, 0, "root", "vm.start", "a", "{}", "ok", "started"});
        audit.begin({0, 0, 0, "root", "vm.destroy", "b", "{}", "", ""});  // then the daemon dies
    }
    AuditLog after(*store, {});
    after.startUp();
    auto entries = all();
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].action, "vm.destroy");
    EXPECT_EQ(entries[0].result, "interrupted");
    EXPECT_EQ(entries[0].actor, "root") << "who did what survives the crash";
    EXPECT_EQ(entries[1].result, "ok");
    EXPECT_EQ(entries[1].detail, "started");
}

}  // namespace
}  // namespace appliance

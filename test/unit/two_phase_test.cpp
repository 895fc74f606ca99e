// Whether a clone uses two-phase commit, its global ids, the recovery's back-off, and what a cut
// commit round without two-phase commit says.

#include <gtest/gtest.h>

#include "core/two_phase.hpp"

namespace pgclone {
namespace {

PrepareCapacity server(std::vector<std::string> dbs, int sessions, int max_prepared, int in_use = 0) {
    return PrepareCapacity{std::move(dbs), sessions, max_prepared, in_use};
}

TEST(ChooseTwoPhase, AutoUsesItWhenEveryServerHasRoom) {
    auto choice = choose_two_phase(TwoPhaseMode::Auto, {server({"beta"}, 2, 5), server({"gamma"}, 2, 2)});
    EXPECT_TRUE(choice.use);
    EXPECT_TRUE(choice.note.empty());
    EXPECT_TRUE(choice.error.empty());
}

TEST(ChooseTwoPhase, AutoFallsBackAndSaysWhy) {
    auto choice = choose_two_phase(TwoPhaseMode::Auto, {server({"beta"}, 2, 5), server({"gamma"}, 2, 0)});
    EXPECT_FALSE(choice.use);
    EXPECT_TRUE(choice.error.empty());
    EXPECT_NE(choice.note.find("two-phase commit not used"), std::string::npos);
    EXPECT_NE(choice.note.find("database \"gamma\""), std::string::npos);
    EXPECT_NE(choice.note.find("max_prepared_transactions is 0"), std::string::npos);
}

TEST(ChooseTwoPhase, SlotsInUseCount) {
    auto choice = choose_two_phase(TwoPhaseMode::Auto, {server({"beta", "delta"}, 4, 5, 2)});
    EXPECT_FALSE(choice.use);
    EXPECT_NE(choice.note.find("databases \"beta\", \"delta\""), std::string::npos);
    EXPECT_NE(choice.note.find("2 are in use"), std::string::npos);
}

TEST(ChooseTwoPhase, AutoSkipsItForOneSession) {
    // One COMMIT is all or nothing already, and needs no slot.
    auto choice = choose_two_phase(TwoPhaseMode::Auto, {server({"beta"}, 1, 0)});
    EXPECT_FALSE(choice.use);
    EXPECT_TRUE(choice.note.empty());
}

TEST(ChooseTwoPhase, OnRefusesNamingTheDatabase) {
    auto choice = choose_two_phase(TwoPhaseMode::On, {server({"beta"}, 1, 5), server({"gamma"}, 1, 0)});
    EXPECT_FALSE(choice.use);
    EXPECT_NE(choice.error.find("two-phase commit"), std::string::npos);
    EXPECT_NE(choice.error.find("database \"gamma\""), std::string::npos);
    EXPECT_NE(choice.hint.find("at least 1"), std::string::npos);
}

TEST(ChooseTwoPhase, OnUsesItEvenForOneSession) {
    EXPECT_TRUE(choose_two_phase(TwoPhaseMode::On, {server({"beta"}, 1, 1)}).use);
}

TEST(OneSessionNote, SaysWhyAndWhatWasGivenUp) {
    auto choice = choose_two_phase(TwoPhaseMode::Auto, {server({"beta"}, 3, 0)});
    EXPECT_EQ(one_session_note(TwoPhaseMode::Auto, choice, 3),
              "two-phase commit not available (database \"beta\" cannot take the clone's 3 prepared "
              "transactions: max_prepared_transactions is 0): one session per target database, 1 stream "
              "instead of 3");
    EXPECT_EQ(one_session_note(TwoPhaseMode::Off, choose_two_phase(TwoPhaseMode::Off, {}), 2),
              "two-phase commit off (pg_clone.two_phase): one session per target database, 1 stream "
              "instead of 2");
}

TEST(ChooseTwoPhase, OffNever) {
    auto choice = choose_two_phase(TwoPhaseMode::Off, {server({"beta"}, 4, 100)});
    EXPECT_FALSE(choice.use);
    EXPECT_TRUE(choice.note.empty());
}

TEST(PreparedGid, NamesTheCloneAndTheControlDatabase) {
    EXPECT_EQ(prepared_gid(12, 3, "7301_5"), "pg_clone_12_3_7301_5");
    EXPECT_EQ(prepared_gid(12, 0, ""), "pg_clone_12_0");
    EXPECT_NE(prepared_gid(1, 11, "t"), prepared_gid(11, 1, "t"));
}

TEST(ResolveBackoff, DoublesUpToAMinute) {
    EXPECT_EQ(resolve_backoff_ms(1), 1000);
    EXPECT_EQ(resolve_backoff_ms(2), 2000);
    EXPECT_EQ(resolve_backoff_ms(4), 8000);
    EXPECT_EQ(resolve_backoff_ms(7), 60000);
    EXPECT_EQ(resolve_backoff_ms(100), 60000);
    EXPECT_EQ(resolve_backoff_ms(0), 1000);
}

TEST(CutCommitMessage, ListsEveryDatabaseByOutcome) {
    std::string text = cut_commit_message("beta", "server closed the connection unexpectedly",
                                          {{"alpha", CommitState::Committed},
                                           {"beta", CommitState::Unknown},
                                           {"gamma", CommitState::RolledBack}});
    EXPECT_EQ(text,
              "the commit round was cut at database \"beta\": server closed the connection unexpectedly. "
              "Committed: alpha. Rolled back: gamma. Unknown (COMMIT sent, no answer): beta.");
}

TEST(CutCommitMessage, SaysNoneForAnEmptyList) {
    std::string text = cut_commit_message("beta", "x", {{"beta", CommitState::Unknown}});
    EXPECT_NE(text.find("Committed: none."), std::string::npos);
    EXPECT_NE(text.find("Rolled back: none."), std::string::npos);
}

}  // namespace
}  // namespace pgclone

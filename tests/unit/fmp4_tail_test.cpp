// SPDX-License-Identifier: GPL-2.0-or-later
// The newest fragment of a fragmented MP4 that is still being written (vms-agent/adapters/
// fmp4_tail.h), on files built here box by box in ZoneMinder 1.36's layout: whole and cut
// fragments, 64-bit sizes, and sizes that lie. Then the ffmpeg runner (ffmpeg_frame.h) with
// injected faults only (no ffmpeg, a hanging one, failing ones): a real decode needs ffmpeg in
// the guest image, where the adapter is exercised by hand.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapters/ffmpeg_frame.h"
#include "adapters/mp4_annexb.h"
#include "adapters/fmp4_tail.h"

namespace appliance::agent {
namespace {

namespace fs = std::filesystem;

std::string be32(std::uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[i] = char(v >> (24 - 8 * i));
    return s;
}

std::string be64(std::uint64_t v) { return be32(std::uint32_t(v >> 32)) + be32(std::uint32_t(v)); }

std::string box(const std::string& type, const std::string& payload) {
    return be32(std::uint32_t(8 + payload.size())) + type + payload;
}

/// A box with size 1 and a 64-bit largesize, as a writer uses for an mdat that may pass 4 GiB.
std::string largeBox(const std::string& type, const std::string& payload) {
    return be32(1) + type + be64(16 + payload.size()) + payload;
}

std::string fullBox(const std::string& type, std::uint32_t versionAndFlags, const std::string& payload) {
    return box(type, be32(versionAndFlags) + payload);
}

/// ftyp (36 bytes, as ZoneMinder's) and an empty moov with its mvex.
std::string initSegment() {
    const std::string trex = fullBox("trex", 0, be32(1) + be32(1) + be32(0) + be32(0) + be32(0));
    return box("ftyp", "isom" + be32(0x200) + "isomiso6iso2avc1mp41") +
           box("moov", fullBox("mvhd", 0, std::string(96, '\0')) + box("mvex", trex));
}

struct FragmentSpec {
    std::uint32_t sequence = 0;
    bool largeMdat = false;
    std::string samples() const { return "KEY" + std::string(100 + 10 * sequence, char('a' + sequence)); }
};

/// moof (a video traf with base_data_offset = moofOffset, flags 0x39 as ZoneMinder writes, and an
/// audio traf with default-base-is-moof and no base offset) followed by its mdat.
std::string fragment(std::uint64_t moofOffset, const FragmentSpec& f) {
    const std::string samples = f.samples();
    auto moof = [&](std::uint32_t dataOffset) {
        const std::string video =
            fullBox("tfhd", 0x000039,
                    be32(1) + be64(moofOffset) + be32(3000) + be32(std::uint32_t(samples.size())) + be32(0)) +
            fullBox("tfdt", 0x01000000, be64(std::uint64_t(f.sequence) * 3000)) +
            fullBox("trun", 0x000001, be32(1) + be32(dataOffset));
        const std::string audio =
            fullBox("tfhd", 0x020000, be32(2)) + fullBox("trun", 0x000001, be32(0) + be32(dataOffset));
        return box("moof", fullBox("mfhd", 0, be32(f.sequence)) + box("traf", video) + box("traf", audio));
    };
    const std::size_t mdatHeader = f.largeMdat ? 16 : 8;
    return moof(std::uint32_t(moof(0).size() + mdatHeader)) +
           (f.largeMdat ? largeBox("mdat", samples) : box("mdat", samples));
}

std::string recording(const std::vector<FragmentSpec>& fragments) {
    std::string file = initSegment();
    for (const auto& f : fragments) file += fragment(file.size(), f);
    return file;
}

/// What newestFragment must answer for a file whose last whole fragment is `newest`.
std::string expectedFor(const FragmentSpec& newest) { return initSegment() + fragment(initSegment().size(), newest); }

std::string outcome(const Result<std::string>& r) {
    return r ? std::string("ok") : std::string(errorClassName(r.error().cls));
}

std::string tempRoot() {
    const char* t = std::getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

class Fmp4TailTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string dir = tempRoot() + "/fmp4-tail-test-XXXXXX";
        ASSERT_NE(::mkdtemp(dir.data()), nullptr) << std::strerror(errno);
        m_dir = dir;
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }
    std::string put(const std::string& bytes, const std::string& name = "event.mp4") {
        const std::string path = m_dir + "/" + name;
        std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
        return path;
    }
    std::string m_dir;
};

// The first second of an event: where a camera move's recording gap starts in the target VMS.
TEST_F(Fmp4TailTest, TakesTheFirstWholeFragmentWhileTheFileGrowsAndAfterwards) {
    const std::string first = fragment(initSegment().size(), {1});
    const std::string path = put(initSegment() + first.substr(0, first.size() - 1));
    EXPECT_EQ(outcome(wholeFragment(path, Fragment::First)), "Unavailable") << "its mdat is one byte short";
    for (const auto& fragments : {std::vector<FragmentSpec>{{1}}, {{1}, {2}, {3}}}) {
        auto r = wholeFragment(put(recording(fragments)), Fragment::First);
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(*r, expectedFor({1})) << fragments.size() << " fragments: the first is byte-identical";
    }
    auto newest = wholeFragment(put(recording({{1}, {2}, {3}})), Fragment::Newest);
    ASSERT_TRUE(newest);
    EXPECT_EQ(*newest, expectedFor({3}));
}

// motion's MP4s (mdat before moov): the first samples as Annex B, while the file is written
// (mdat size 0, a unit cut at the end) and once it is closed (a real size, the moov after it).
TEST_F(Fmp4TailTest, ReadsTheSamplesOfAnMp4BeingWrittenAsAnnexB) {
    const std::string units = be32(5) + "SPS01" + be32(3) + "PPS" + be32(6) + "IDR012";
    const std::string ftyp = box("ftyp", std::string("isom") + be32(512) + "isomiso2avc1mp41");
    const std::string annexB = std::string("\0\0\0\1SPS01\0\0\0\1PPS\0\0\0\1IDR012", 26);
    const std::string open = put(ftyp + box("free", "") + be32(0) + "mdat" + units + be32(100) + "cut", "open.mp4");
    EXPECT_EQ(mp4BeingWritten(open), true);
    auto r = annexBFromMdat(open);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, annexB) << "the unit cut by the end of the file is left out";
    const std::string closed = put(ftyp + box("mdat", units) + box("moov", std::string(40, 'm')), "closed.mp4");
    EXPECT_EQ(mp4BeingWritten(closed), false);
    r = annexBFromMdat(closed);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, annexB) << "the moov after the mdat is not read as samples";
    EXPECT_EQ(outcome(annexBFromMdat(put(ftyp + be32(0) + "mdat" + be32(100) + "cut", "early.mp4"))), "Unavailable");
    EXPECT_EQ(outcome(annexBFromMdat(put(ftyp, "no-mdat.mp4"))), "Unavailable");
    EXPECT_EQ(outcome(annexBFromMdat(put(ftyp + be32(4) + "mdat", "lying.mp4"))), "MalformedAnswer");
    EXPECT_EQ(outcome(annexBFromMdat(m_dir + "/missing.mp4")), "NotFound");
    auto head = annexBFromMdat(open, 12);
    ASSERT_TRUE(head) << head.error().message;
    EXPECT_EQ(*head, std::string("\0\0\0\1SPS01", 9)) << "at most maxBytes of samples are read";
    // The tail: from the last parameter set on (type 7 in the unit's first byte's low 5 bits).
    const std::string gop1 = be32(2) + "\x67" "a" + be32(2) + "\x65" "b" + be32(2) + "\x41" "c";
    const std::string gop2 = be32(2) + "\x67" "d" + be32(2) + "\x65" "e";
    const std::string tailFile = put(ftyp + be32(0) + "mdat" + gop1 + gop2 + be32(9) + "\x41" "cut", "tail.mp4");
    auto tail = annexBTailFromMdat(tailFile);
    ASSERT_TRUE(tail) << tail.error().message;
    EXPECT_EQ(*tail, std::string("\0\0\0\1\x67" "d" "\0\0\0\1\x65" "e", 12)) << "the last keyframe interval, without the cut unit";
    EXPECT_EQ(outcome(annexBTailFromMdat(put(ftyp + be32(0) + "mdat" + be32(2) + "\x41" "c", "no-sps.mp4"))), "Unavailable");
    EXPECT_EQ(outcome(annexBTailFromMdat(tailFile, 4)), "TooLarge");
    // A newer parameter set whose keyframe is not on disk yet: the last whole interval before it.
    auto before = annexBTailFromMdat(put(ftyp + be32(0) + "mdat" + gop1 + be32(2) + "\x67" "d" + be32(9) + "\x65" "cut", "cut-idr.mp4"));
    ASSERT_TRUE(before) << before.error().message;
    EXPECT_EQ(*before, std::string("\0\0\0\1\x67" "a" "\0\0\0\1\x65" "b" "\0\0\0\1\x41" "c", 18));
}

// A camera's newest frames on disk: motion's open file stays empty until libavformat has 256 KiB
// to write, so the newest whole keyframe interval is in the file before it, closed at rotation.
TEST_F(Fmp4TailTest, TheNewestFramesOnDiskComeFromTheNewestFileThatHasAWholeKeyframeInterval) {
    const std::string ftyp = box("ftyp", std::string("isom") + be32(512) + "isomiso2avc1mp41");
    const std::string closedGops = be32(2) + "\x67" "a" + be32(2) + "\x65" "b" + be32(2) + "\x67" "c" + be32(2) + "\x65" "d";
    const std::string closed = put(ftyp + be32(8 + std::uint32_t(closedGops.size())) + "mdat" + closedGops + be32(12) + "moov" + "xxxx",
                                   "20261126100000-1.mp4");
    const std::string closedTail("\0\0\0\1\x67" "c" "\0\0\0\1\x65" "d", 12);
    auto from = [&](const std::string& open) {
        auto r = newestTailOnDisk({closed, open});
        return r ? r->path + " " + r->annexB : std::string(errorClassName(r.error().cls));
    };
    // Nothing of the open file on disk yet; its header only; a parameter set without its picture.
    EXPECT_EQ(from(put("", "20261126100100-2.mp4")), closed + " " + closedTail);
    EXPECT_EQ(from(put(ftyp + be32(0) + "mdat", "20261126100100-2.mp4")), closed + " " + closedTail);
    EXPECT_EQ(from(put(ftyp + be32(0) + "mdat" + be32(2) + "\x67" "e" + be32(2) + "\x68" "f", "20261126100100-2.mp4")),
              closed + " " + closedTail);
    // A whole interval in the open file, then a unit cut where a 256 KiB step ended.
    const std::string open = put(ftyp + be32(0) + "mdat" + be32(2) + "\x67" "e" + be32(2) + "\x65" "f" + be32(9) + "\x41" "cut",
                                 "20261126100100-2.mp4");
    EXPECT_EQ(from(open), open + " " + std::string("\0\0\0\1\x67" "e" "\0\0\0\1\x65" "f", 12));
    // Neither file has one: the newest file's error. Damage is said at once, not skipped.
    const std::string empty = put("", "20261126100200-3.mp4");
    auto none = newestTailOnDisk({empty, put("", "20261126100300-4.mp4")});
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().message.find("20261126100300-4.mp4"), std::string::npos) << none.error().message;
    EXPECT_EQ(from(put(ftyp + be32(4) + "mdat", "20261126100100-2.mp4")), "MalformedAnswer");
    auto behind = newestTailOnDisk({put(ftyp + be32(4) + "mdat", "20261126095900-0.mp4"), put("", "20261126100100-2.mp4")});
    ASSERT_FALSE(behind);
    EXPECT_EQ(behind.error().cls, ErrorClass::Unavailable) << "an older damaged file does not hide that the newest is not written yet";
    auto tooFar = newestTailOnDisk({closed, put("", "a.mp4"), put("", "b.mp4"), put("", "c.mp4")});
    ASSERT_FALSE(tooFar) << "at most three files back";
    EXPECT_EQ(tooFar.error().cls, ErrorClass::Unavailable);
}

TEST_F(Fmp4TailTest, TakesTheLastWholeFragmentAndMovesOnlyItsBaseOffset) {
    const std::vector<FragmentSpec> whole{{1}, {2}, {3}};
    const std::string complete = recording(whole);
    const std::string fourth = fragment(complete.size(), {4});
    const std::string third = complete.substr(complete.size() - fragment(0, {3}).size());
    const std::size_t init = initSegment().size();
    ASSERT_EQ(initSegment().find("moov"), 36u + 4);  // ftyp of 36 bytes, as ZoneMinder's
    // Cut anywhere in the 4th pair: in the moof's header, its body, the mdat's header or body.
    for (std::size_t cut = 0; cut < fourth.size(); ++cut) {
        auto r = newestFragment(put(complete + fourth.substr(0, cut)));
        ASSERT_TRUE(r) << "cut at " << cut << ": " << r.error().message;
        ASSERT_EQ(*r, expectedFor({3})) << "cut at " << cut;
    }
    auto r = newestFragment(put(complete + fourth.substr(0, 50)));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), init + third.size());
    EXPECT_EQ(r->substr(0, init), complete.substr(0, init));
    // Only the video tfhd's 8-byte base_data_offset differs, and it now names the pair's position.
    const std::size_t base = r->find("tfhd") + 4 + 4 + 4;
    EXPECT_EQ(r->substr(base, 8), be64(init));
    EXPECT_EQ(third.substr(base - init, 8), be64(complete.size() - third.size()));
    for (std::size_t i = 0; i < third.size(); ++i)
        if (i < base - init || i >= base - init + 8) {
            ASSERT_EQ((*r)[init + i], third[i]) << "byte " << i;
        }
}

TEST_F(Fmp4TailTest, EveryPrefixOfAGrowingFileIsTheNewestWholeFragmentOrNotYet) {
    const std::string file = recording({{1}, {2}});
    const std::size_t firstEnds = initSegment().size() + fragment(0, {1}).size();
    for (std::size_t size = 0; size <= file.size(); ++size) {
        auto r = newestFragment(put(file.substr(0, size)));
        if (size < firstEnds) {
            ASSERT_EQ(outcome(r), "Unavailable") << "size " << size;
            EXPECT_NE(r.error().message.find("256 KB"), std::string::npos) << r.error().message;
        } else {
            ASSERT_TRUE(r) << "size " << size << ": " << r.error().message;
            EXPECT_EQ(*r, expectedFor(size == file.size() ? FragmentSpec{2} : FragmentSpec{1})) << "size " << size;
        }
    }
}

TEST_F(Fmp4TailTest, InitAndACutPairIsNotYet) {
    const std::string init = initSegment();
    const std::string pair = fragment(init.size(), {1});
    EXPECT_EQ(outcome(newestFragment(put(init + pair.substr(0, pair.size() - 1)))), "Unavailable");
    EXPECT_EQ(outcome(newestFragment(put(init))), "Unavailable");
    EXPECT_EQ(outcome(newestFragment(put(""))), "Unavailable");
    // A moof with no mdat after it (another moof follows) is not a fragment.
    const std::string moofOnly = pair.substr(0, pair.find("mdat") - 4);
    EXPECT_EQ(outcome(newestFragment(put(init + moofOnly + moofOnly))), "Unavailable");
    // An mdat whose size is 0 ("to the end of the file") is still being written.
    EXPECT_EQ(outcome(newestFragment(put(init + moofOnly + be32(0) + "mdat" + "KEYaaaa"))), "Unavailable");
}

TEST_F(Fmp4TailTest, SizesThatLieAreMalformedNotACrash) {
    const std::string init = initSegment();
    const std::string ftyp = init.substr(0, 36), moov = init.substr(36);
    const std::string pair = fragment(init.size(), {1});
    auto malformed = [&](const std::string& bytes) {
        auto r = newestFragment(put(bytes));
        // The class only when it is the expected one; otherwise the message too, for the failure.
        return outcome(r) == "MalformedAnswer" ? outcome(r) : outcome(r) + ": " + (r ? "" : r.error().message);
    };
    EXPECT_EQ(malformed(be32(4) + "ftyp" + init.substr(8) + pair), "MalformedAnswer");           // size < 8
    EXPECT_EQ(malformed(init + be32(7) + "free" + pair), "MalformedAnswer");                     // size < 8, later
    EXPECT_EQ(malformed(init + be32(1) + "mdat" + be64(15) + pair), "MalformedAnswer");           // largesize < 16
    EXPECT_EQ(malformed(ftyp + pair), "MalformedAnswer");                                         // no moov
    EXPECT_EQ(malformed(box("free", "") + init + pair), "MalformedAnswer");                       // no ftyp first
    EXPECT_EQ(malformed("\x1A\x45\xDF\xA3 a Matroska file, not an MP4"), "MalformedAnswer");
    // A moov that runs past the file and over the init segment's cap: not an unfinished file.
    EXPECT_EQ(malformed(ftyp + be32(1 << 20) + "moov" + moov.substr(8) + pair), "MalformedAnswer");

    // Inside a whole moof: a traf that runs past its moof, a tfhd too short for its base offset,
    // a base offset pointing before the fragment.
    const std::size_t traf = pair.find("traf") - 4;
    std::string longTraf = pair;
    longTraf.replace(traf, 4, be32(std::uint32_t(pair.size())));
    EXPECT_EQ(malformed(init + longTraf), "MalformedAnswer");
    const std::string shortTfhd =
        box("moof", box("traf", fullBox("tfhd", 0x000001, be32(1) + be32(0)))) + box("mdat", "x");
    EXPECT_EQ(malformed(init + shortTfhd), "MalformedAnswer");
    EXPECT_EQ(malformed(init + box("free", "pad") + fragment(0, {1})), "MalformedAnswer");
}

TEST_F(Fmp4TailTest, AnyDamagedByteGivesAnAnswerOrAnError) {
    const std::string file = recording({{1}, {2}});
    for (std::size_t i = 0; i < file.size(); ++i) {
        for (char damage : {'\x00', '\x01', '\x07', '\xFF'}) {
            std::string bytes = file;
            bytes[i] = damage;
            auto r = newestFragment(put(bytes));
            if (r) {
                EXPECT_LE(r->size(), file.size());
            }
        }
    }
}

TEST_F(Fmp4TailTest, LargesizeMdatIsTaken) {
    const std::string file = recording({{1, true}, {2, true}});
    const std::string third = fragment(file.size(), {3, true});
    auto r = newestFragment(put(file + third.substr(0, third.size() - 5)));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, expectedFor({2, true}));
    // Cut inside the 16-byte header of a largesize mdat: not there yet.
    const std::size_t mdatHeader = third.find("mdat") - 4;
    auto cut = newestFragment(put(file + third.substr(0, mdatHeader + 12)));
    ASSERT_TRUE(cut) << cut.error().message;
    EXPECT_EQ(*cut, expectedFor({2, true}));
}

TEST_F(Fmp4TailTest, OverTheLimitIsTooLarge) {
    const std::string file = recording({{1}, {2}});
    auto r = newestFragment(put(file), expectedFor({2}).size() - 1);
    EXPECT_EQ(outcome(r), "TooLarge");
    EXPECT_TRUE(newestFragment(put(file), expectedFor({2}).size()));
}

TEST_F(Fmp4TailTest, MissingFileIsNotFound) {
    EXPECT_EQ(outcome(newestFragment(m_dir + "/no-such-event.mp4")), "NotFound");
}

// The ffmpeg runner, with faults injected by small shell scripts in place of ffmpeg (ffmpeg itself
// is not installed on the build host; the adapter's real decode is checked in the guest image).
class FfmpegFrameTest : public Fmp4TailTest {
protected:
    // Run as root, the decoder runs as nobody: it must reach the script and write its notes here.
    void SetUp() override {
        Fmp4TailTest::SetUp();
        ::chmod(m_dir.c_str(), 0777);
    }
    std::string script(const std::string& body) {
        const std::string path = put("#!/bin/sh\n" + body, "fake-ffmpeg.sh");
        ::chmod(path.c_str(), 0755);
        return path;
    }
    std::string readText(const std::string& name) {
        std::ifstream in(m_dir + "/" + name);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
};

TEST_F(FfmpegFrameTest, NoProgramIsUnavailable) {
    auto r = firstFrameAsJpeg("bytes", 640, 5, m_dir + "/no-ffmpeg-here");
    ASSERT_EQ(outcome(r), "Unavailable");
    EXPECT_NE(r.error().message.find("ffmpeg is not installed in this guest"), std::string::npos) << r.error().message;
}

TEST_F(FfmpegFrameTest, BadArgumentsAreRefused) {
    EXPECT_EQ(outcome(firstFrameAsJpeg("bytes", 0, 5, "/bin/true")), "InvalidArgument");
    EXPECT_EQ(outcome(firstFrameAsJpeg("bytes", 640, 0, "/bin/true")), "InvalidArgument");
}

bool goneOrZombie(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    const auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

TEST_F(FfmpegFrameTest, AHangingDecoderIsKilledWithWhatItStartedAtTheDeadline) {
    const std::string fake = script("echo $$ > '" + m_dir + "/pids'\necho \"${10#file:}\" > '" + m_dir +
                                    "/input'\nsleep 30 &\necho $! >> '" + m_dir + "/pids'\nwait\n");
    const auto start = std::chrono::steady_clock::now();
    auto r = firstFrameAsJpeg("bytes", 640, 0.5, fake);
    const double tookS = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(outcome(r), "Timeout");
    EXPECT_NE(r.error().message.find("did not finish within 0.5 s"), std::string::npos) << r.error().message;
    EXPECT_LT(tookS, 5);
    // The script (our child) is reaped; the sleep it started was killed with its group, so at most
    // a zombie waiting for init is left of it.
    int status = 0;
    EXPECT_EQ(::waitpid(-1, &status, WNOHANG), -1);
    std::istringstream pids(readText("pids"));
    pid_t shell = 0, sleeper = 0;
    ASSERT_TRUE(pids >> shell >> sleeper) << "the fake ffmpeg did not start";
    EXPECT_TRUE(goneOrZombie(shell));
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!goneOrZombie(sleeper) && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(goneOrZombie(sleeper)) << "sleep " << sleeper << " outlived the timeout";
    std::string input = readText("input");
    ASSERT_FALSE(input.empty());
    input.pop_back();
    EXPECT_FALSE(fs::exists(input)) << "the temporary input " << input << " was left behind";
}

TEST_F(FfmpegFrameTest, AFailingDecoderIsNoVideoWithItsOwnWordsAsPlainText) {
    const std::string mp4 = recording({{1}});
    const std::string fake = script("echo \"${10#file:}\" > '" + m_dir + "/input'\n"
                                    "echo \"$* read $(wc -c < \"${10#file:}\") bytes\" >&2\n"
                                    "printf 'bad \\033[31m\\377 byte\\n' >&2\nexit 1\n");
    auto r = firstFrameAsJpeg(mp4, 640, 10, fake);
    ASSERT_EQ(outcome(r), "NoVideo");
    const std::string& message = r.error().message;
    EXPECT_NE(message.find("exit status 1"), std::string::npos) << message;
    std::string input = readText("input");
    ASSERT_FALSE(input.empty());
    input.pop_back();
    EXPECT_NE(message.find("-nostdin -hide_banner -loglevel error -protocol_whitelist file -f mov -i file:" + input +
                           " -frames:v 1 -vf scale='min(iw,640)':-2 -q:v 5 -f image2pipe -c:v mjpeg pipe:1 read " +
                           std::to_string(mp4.size()) + " bytes"),
              std::string::npos)
        << message;
    for (unsigned char c : message) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "byte " << int(c) << " in: " << message;
    EXPECT_FALSE(fs::exists(input));
}

TEST_F(FfmpegFrameTest, TheDecoderNeverRunsAsRootAndReadsItsInputAsNobody) {
    const std::string fake = script("id -u > '" + m_dir + "/uid'\nhead -c 4 \"${10#file:}\" > '" + m_dir +
                                    "/head'\nprintf '\\377\\330\\377\\331'\n");
    auto r = firstFrameAsJpeg("ftypmore", 640, 10, fake);
    ASSERT_TRUE(r) << r.error().message;
    const std::string uid = readText("uid");
    if (::geteuid() == 0) EXPECT_EQ(uid, "65534\n") << "ffmpeg parses camera video: never as root";
    else EXPECT_EQ(uid, std::to_string(::geteuid()) + "\n");
    EXPECT_EQ(readText("head"), "ftyp") << "the decoder could not read its input";
}

TEST_F(FfmpegFrameTest, OutputThatIsNotAWholeJpegIsMalformed) {
    EXPECT_EQ(outcome(firstFrameAsJpeg("x", 640, 10, script("printf 'not a jpeg'\n"))), "MalformedAnswer");
    EXPECT_EQ(outcome(firstFrameAsJpeg("x", 640, 10, script("printf '\\377\\330 cut'\n"))), "MalformedAnswer");
    EXPECT_EQ(outcome(firstFrameAsJpeg("x", 640, 10, script("exit 0\n"))), "NoVideo");
}

TEST_F(FfmpegFrameTest, AnOversizedPictureIsTooLarge) {
    auto r = firstFrameAsJpeg("x", 640, 10, script("head -c 1000000 /dev/zero\n"));
    EXPECT_EQ(outcome(r), "TooLarge");
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
}

}  // namespace
}  // namespace appliance::agent

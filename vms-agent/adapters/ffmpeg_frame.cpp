// SPDX-License-Identifier: GPL-2.0-or-later
#include "adapters/ffmpeg_frame.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapters/vms_adapter.h"
#include "common/frame_clock.h"
#include "common/plain_text.h"
#include "common/unique_fd.h"

namespace appliance::agent {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxStderrBytes = 2048;  // enough for ffmpeg's reason, not a log flood
constexpr int kMaxWidthPixels = 8192;
constexpr double kMaxTimeoutS = 600;
constexpr std::size_t kMaxGreyPictureBytes = 4096 * 4096 + 64;

std::string seconds(double s) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", s);
    return text;
}

/// ffmpeg's stderr as data for a message: one line (it may quote bytes of the file; plainText
/// keeps the message valid UTF-8 on the wire).
std::string excerpt(std::string text) {
    for (char& c : text)
        if (c == '\n' || c == '\r') c = ' ';
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text.empty() ? "it printed nothing" : plainText(text, 2048);
}

/// The input as a private file (mode 0600: it is camera video), removed in every path. A file, not
/// a pipe to ffmpeg's stdin: the agent never writes to ffmpeg, so nothing it does can raise SIGPIPE
/// here, and ffmpeg can seek in the MP4.
constexpr uid_t kNobody = 65534;  // Debian's nobody and nogroup
constexpr rlim_t kMaxDecoderBytes = 768ull << 20, kMaxDecoderCpuS = 60;

class TempInput {
public:
    ~TempInput() {
        if (!m_path.empty()) ::unlink(m_path.c_str());
    }
    Status write(const std::string& bytes) {
        const char* tmpdir = std::getenv("TMPDIR");
        const std::string dir = tmpdir && *tmpdir ? tmpdir : "/tmp";
        std::string name = dir + "/vms-agent-frame-XXXXXX.mp4";
        UniqueFd fd(::mkostemps(name.data(), 4, O_CLOEXEC));
        if (fd.get() < 0) return failure(dir);
        m_path = name;
        // ffmpeg runs as nobody (execInChild): it alone may read the file besides its owner.
        if (::geteuid() == 0 && ::fchown(fd.get(), kNobody, kNobody) != 0) return failure(dir);
        for (std::size_t done = 0; done < bytes.size();) {
            const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return failure(dir);
            done += std::size_t(n);
        }
        return okStatus();
    }
    const std::string& path() const { return m_path; }

private:
    static Error failure(const std::string& dir) {
        return makeError(ErrorClass::Unavailable, "cannot write a temporary file in " + dir + ": " +
                                                      std::strerror(errno) + " (set TMPDIR to a writable directory)");
    }
    std::string m_path;
};

/// The ffmpeg process, leader of its own process group: unless it was reaped already, the whole
/// group is killed and the leader reaped when this goes, so no path leaves a process behind.
class Child {
public:
    Child() = default;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() { killAndReap(); }
    pid_t pid = -1;
    /// The wait status once reaped; empty while running, or if someone else reaped it.
    std::optional<int> status;
    bool reaped = false;

    bool tryReap() {
        int st = 0;
        const pid_t r = ::waitpid(pid, &st, WNOHANG);
        if (r == pid) status = st;
        else if (r == 0 || errno == EINTR) return false;
        reaped = true;  // or ECHILD: SIGCHLD is ignored and the kernel reaped it
        return true;
    }
    void killAndReap() {
        if (pid <= 0 || reaped) return;
        ::kill(-pid, SIGKILL);  // the group: anything it started goes too
        ::kill(pid, SIGKILL);   // in case it had not made its own group yet
        int st = 0;
        while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        reaped = true;
    }
};

/// Puts `from` on `to` for the program (dup2, or clearing close-on-exec if it is already there).
bool placeFd(int from, int to) {
    if (from == to) return ::fcntl(to, F_SETFD, 0) == 0;
    return ::dup2(from, to) == to;
}

/// The child's side of fork: only async-signal-safe calls, since the agent has other threads.
[[noreturn]] void execInChild(int stdinFd, int stdoutFd, int stderrFd, char* const argv[], long maxFd, pid_t parent) {
    ::setpgid(0, 0);
    if (!placeFd(stdinFd, 0) || !placeFd(stdoutFd, 1) || !placeFd(stderrFd, 2)) ::_exit(127);
    // Whatever another thread or library opened without O_CLOEXEC stays with the agent.
    if (::close_range(3, ~0U, 0) != 0)
        for (long fd = 3; fd < maxFd; ++fd) ::close(int(fd));
    // The agent ignores SIGPIPE and may block signals; an exec keeps both, ffmpeg should not.
    ::signal(SIGPIPE, SIG_DFL);
    // ffmpeg parses camera video, which is untrusted: never as root (the agent is), and bounded.
    if (::geteuid() == 0 && (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) {
        static const char refused[] = "could not drop to user nobody\n";
        (void)!::write(2, refused, sizeof refused - 1);
        ::_exit(126);
    }
    // Dies with the agent or the wall (after setuid, which clears it), even if that already happened.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(125);
    const rlimit memory{kMaxDecoderBytes, kMaxDecoderBytes}, cpu{kMaxDecoderCpuS, kMaxDecoderCpuS};
    ::setrlimit(RLIMIT_AS, &memory);
    ::setrlimit(RLIMIT_CPU, &cpu);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv);
    static const char message[] = "the program could not be executed\n";
    (void)!::write(2, message, sizeof message - 1);
    ::_exit(127);
}

/// Reads a readable pipe once into `to`, keeping at most `keepBytes` in all; false at its end.
bool drain(int fd, std::string& to, std::size_t keepBytes) {
    char buf[16384];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return false;
    if (to.size() < keepBytes) to.append(buf, std::min(std::size_t(n), keepBytes - to.size()));
    return true;
}

}  // namespace

namespace {

/// Runs ffmpeg as nobody on `inputBytes` (in a private temporary file) with `inputArgs` before the
/// input and `outputArgs` after it, and returns what it wrote to its standard output (at most
/// `maxOutput` bytes; more is TooLarge with `tooLargeHint`).
Result<std::string> runDecoder(const std::string& inputBytes, const std::vector<std::string>& inputArgs,
                               const std::vector<std::string>& outputArgs, double timeoutS, const std::string& ffmpegPath,
                               std::size_t maxOutput, const std::string& tooLargeHint) {
    if (!(timeoutS > 0 && timeoutS <= kMaxTimeoutS))
        return makeError(ErrorClass::InvalidArgument, "a decoding timeout must be over 0 and at most " +
                                                          seconds(kMaxTimeoutS) + " s");
    if (::access(ffmpegPath.c_str(), X_OK) != 0)
        return makeError(ErrorClass::Unavailable, "ffmpeg is not installed in this guest (the image's package list "
                                                  "must include ffmpeg; no program at " + ffmpegPath + ")");
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(timeoutS));
    TempInput input;
    if (Status written = input.write(inputBytes); !written) return written.error();

    // Only this file, read in the format the caller names whatever it says it is.
    std::vector<std::string> args{ffmpegPath, "-nostdin", "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file"};
    args.insert(args.end(), inputArgs.begin(), inputArgs.end());
    args.insert(args.end(), {"-i", "file:" + input.path()});
    args.insert(args.end(), outputArgs.begin(), outputArgs.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    // Pipes before /dev/null: if the agent runs with 0-2 closed, only harmless fds land there.
    int outPipe[2], errPipe[2];
    if (::pipe2(outPipe, O_CLOEXEC) != 0)
        return makeError(ErrorClass::Unavailable, std::string("cannot start ffmpeg: ") + std::strerror(errno));
    UniqueFd outRead(outPipe[0]), outWrite(outPipe[1]);
    if (::pipe2(errPipe, O_CLOEXEC) != 0)
        return makeError(ErrorClass::Unavailable, std::string("cannot start ffmpeg: ") + std::strerror(errno));
    UniqueFd errRead(errPipe[0]), errWrite(errPipe[1]);
    UniqueFd devNull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (devNull.get() < 0)
        return makeError(ErrorClass::Unavailable, std::string("cannot open /dev/null: ") + std::strerror(errno));
    const long maxFd = std::min(::sysconf(_SC_OPEN_MAX) > 0 ? ::sysconf(_SC_OPEN_MAX) : 1024L, 65536L);

    Child child;
    const pid_t parent = ::getpid();
    child.pid = ::fork();
    if (child.pid == 0) execInChild(devNull.get(), outWrite.get(), errWrite.get(), argv.data(), maxFd, parent);
    if (child.pid < 0)
        return makeError(ErrorClass::Unavailable, std::string("cannot start ffmpeg: fork: ") + std::strerror(errno));
    ::setpgid(child.pid, child.pid);  // the child does it too; whichever runs first wins the race
    outWrite.reset();
    errWrite.reset();
    devNull.reset();

    const Error timedOut = makeError(ErrorClass::Timeout, "ffmpeg did not finish within " + seconds(timeoutS) +
                                                              " s and was stopped (the guest is very busy); the next picture tries again");
    std::string out, errText;
    bool outOpen = true, errOpen = true;
    while (outOpen || errOpen) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return timedOut;  // ~Child kills and reaps it
        pollfd fds[2];
        nfds_t count = 0;
        if (outOpen) fds[count++] = pollfd{outRead.get(), POLLIN, 0};
        if (errOpen) fds[count++] = pollfd{errRead.get(), POLLIN, 0};
        const int ready = ::poll(fds, count, int(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR)
            return makeError(ErrorClass::Internal, std::string("waiting for ffmpeg failed: ") + std::strerror(errno));
        for (nfds_t i = 0; ready > 0 && i < count; ++i) {
            if (fds[i].revents == 0) continue;
            if (fds[i].fd == outRead.get()) outOpen = drain(outRead.get(), out, maxOutput + 1);
            else errOpen = drain(errRead.get(), errText, kMaxStderrBytes);
        }
        if (out.size() > maxOutput)
            return makeError(ErrorClass::TooLarge,
                             "ffmpeg's picture is over " + std::to_string(maxOutput / 1024) + " KiB; " + tooLargeHint);
    }
    while (!child.tryReap()) {
        if (Clock::now() >= deadline) return timedOut;
        ::poll(nullptr, 0, 10);
    }

    // No status (someone else reaped it): the output alone decides.
    const int status = child.status.value_or(0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return makeError(ErrorClass::Unavailable, "ffmpeg at " + ffmpegPath + " could not be started (" +
                                                      excerpt(errText) +
                                                      "); the image's package list must include ffmpeg");
    if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
        return makeError(ErrorClass::PermissionDenied, "ffmpeg was not started: it could not drop to user nobody (" +
                                                           excerpt(errText) + "); the caller needs CAP_SETUID and CAP_SETGID");
    if (WIFSIGNALED(status))
        return makeError(ErrorClass::NoVideo, "ffmpeg was stopped by signal " + std::to_string(WTERMSIG(status)) +
                                                  (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL || WTERMSIG(status) == SIGSEGV
                                                       ? std::string(" (over its CPU or memory limit, or a damaged recording)")
                                                       : std::string()) +
                                                  ": " + excerpt(errText));
    if (WEXITSTATUS(status) != 0)
        return makeError(ErrorClass::NoVideo, "ffmpeg could not decode a picture (exit status " +
                                                  std::to_string(WEXITSTATUS(status)) + "): " + excerpt(errText));
    if (out.empty())
        return makeError(ErrorClass::NoVideo, "ffmpeg decoded no picture from the recording: " + excerpt(errText));
    return out;
}

/// A binary PGM (P5, 8-bit) as ffmpeg's pgm encoder writes it: "P5\nW H\n255\n" and W×H bytes.
std::optional<frameclock::ConstPlane> parsePgm(const std::string& pgm) {
    std::size_t pos = 2;
    auto number = [&]() -> long {
        while (pos < pgm.size() && std::isspace(static_cast<unsigned char>(pgm[pos]))) ++pos;
        long v = 0;
        std::size_t digits = 0;
        for (; pos < pgm.size() && std::isdigit(static_cast<unsigned char>(pgm[pos])) && digits < 6; ++pos, ++digits)
            v = v * 10 + (pgm[pos] - '0');
        return digits ? v : -1;
    };
    if (pgm.compare(0, 2, "P5") != 0) return std::nullopt;
    const long w = number(), h = number(), maxval = number();
    if (w <= 0 || h <= 0 || maxval <= 0 || maxval > 255 || pos >= pgm.size() || w > kMaxWidthPixels || h > kMaxWidthPixels)
        return std::nullopt;
    ++pos;  // the one whitespace byte after maxval
    if (pgm.size() - pos < std::size_t(w) * std::size_t(h)) return std::nullopt;
    return frameclock::ConstPlane{reinterpret_cast<const std::uint8_t*>(pgm.data() + pos), int(w), int(h), int(w)};
}

}  // namespace

Result<std::string> firstFrameAsJpeg(const std::string& mp4Bytes, int maxWidth, double timeoutS,
                                     const std::string& ffmpegPath) {
    if (maxWidth <= 0 || maxWidth > kMaxWidthPixels)
        return makeError(ErrorClass::InvalidArgument,
                         "a picture width must be 1 to " + std::to_string(kMaxWidthPixels) + " pixels");
    auto jpeg = runDecoder(mp4Bytes, {"-f", "mov"},
                           {"-frames:v", "1", "-vf", "scale='min(iw," + std::to_string(maxWidth) + ")':-2", "-q:v", "5",
                            "-f", "image2pipe", "-c:v", "mjpeg", "pipe:1"},
                           timeoutS, ffmpegPath, kMaxSnapshotBytes, "ask for a smaller width");
    if (!jpeg) return jpeg;
    if (jpeg->size() < 4 || jpeg->compare(0, 2, "\xFF\xD8") != 0 || jpeg->compare(jpeg->size() - 2, 2, "\xFF\xD9") != 0)
        return makeError(ErrorClass::MalformedAnswer,
                         "ffmpeg's output (" + std::to_string(jpeg->size()) + " bytes) is not a whole JPEG");
    return jpeg;
}

Result<std::int64_t> frameClock(const std::string& videoBytes, const FrameClockRequest& request, double timeoutS,
                                const std::string& ffmpegPath) {
    if (request.format != "mov" && request.format != "h264")
        return makeError(ErrorClass::InvalidArgument, "a recording is read as mov or h264, not " + plainText(request.format, 20));
    std::vector<std::string> in{"-f", request.format};
    if (request.lastSeconds > 0) in.insert(in.begin(), {"-sseof", "-" + seconds(request.lastSeconds)});
    std::vector<std::string> out;
    // The last frame: ffmpeg's reverse filter holds the (few seconds of) frames and hands out the
    // last one first.
    if (request.end == FrameEnd::Last) out = {"-vf", "reverse"};
    out.insert(out.end(), {"-frames:v", "1", "-pix_fmt", "gray", "-f", "image2pipe", "-c:v", "pgm", "pipe:1"});
    auto pgm = runDecoder(videoBytes, in, out, timeoutS, ffmpegPath, kMaxGreyPictureBytes, "pictures are decoded up to 4096x4096 pixels");
    if (!pgm) return pgm.error();
    const auto picture = parsePgm(*pgm);
    if (!picture)
        return makeError(ErrorClass::MalformedAnswer, "ffmpeg's output (" + std::to_string(pgm->size()) + " bytes) is not a grey picture");
    const auto clock = frameclock::read(*picture);
    if (!clock)
        return makeError(ErrorClass::NotFound, "the recorded frame (" + std::to_string(picture->width) + "x" +
                                                   std::to_string(picture->height) +
                                                   ") carries no camera clock (only the appliance's simulated cameras draw one)");
    return *clock;
}

}  // namespace appliance::agent

// SPDX-License-Identifier: GPL-2.0-or-later
#include "vnc_session.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <QPainter>
#include <QtEndian>
#include <rfb/rfbclient.h>

namespace appliance::console {

namespace {
int kTag = 0;  // the address identifies our client data
struct ClientState {
    bool dirty = false;
    QRect changed;  ///< the union of the rectangles the server sent since the last frame
};
void onUpdate(rfbClient* client, int x, int y, int w, int h) {
    auto* state = static_cast<ClientState*>(rfbClientGetClientData(client, &kTag));
    state->dirty = true;
    state->changed = state->changed.united(QRect(x, y, w, h));
}
void quietLog(const char*, ...) {}
}  // namespace

VncSession::VncSession(std::string socketPath, QObject* parent)
    : QObject(parent), m_socketPath(std::move(socketPath)), m_wakeFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    static std::once_flag once;
    std::call_once(once, [] {
        rfbClientLog = quietLog;
        rfbClientErr = quietLog;
    });
    m_thread = std::thread([this] { run(); });
}

VncSession::~VncSession() {
    m_stop = true;
    wake();
    if (m_thread.joinable()) m_thread.join();
    if (m_wakeFd >= 0) ::close(m_wakeFd);
}

void VncSession::wake() {
    const uint64_t one = 1;
    if (m_wakeFd >= 0) (void)!::write(m_wakeFd, &one, sizeof one);
}

void VncSession::sendKey(std::uint32_t keysym, bool down) {
    {
        std::lock_guard lock(m_inputMutex);
        m_input.push_back({true, keysym, down, 0, 0, 0});
    }
    wake();
}

void VncSession::sendPointer(int x, int y, int buttonMask) {
    {
        std::lock_guard lock(m_inputMutex);
        m_input.push_back({false, 0, false, x, y, buttonMask});
    }
    wake();
}

int VncSession::waitForServerOrInput(int socket) {
    pollfd fds[2] = {{socket, POLLIN, 0}, {m_wakeFd, POLLIN, 0}};
    // Without a wake-up fd (eventfd failed) fall back to a short poll, as input still must go out.
    const int n = ::poll(fds, m_wakeFd >= 0 ? 2 : 1, m_wakeFd >= 0 ? 1000 : 10);
    if (n < 0) return errno == EINTR ? 0 : -1;
    if (m_wakeFd >= 0 && (fds[1].revents & POLLIN)) {
        uint64_t count = 0;
        (void)!::read(m_wakeFd, &count, sizeof count);
    }
    return (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0;
}

QSize VncSession::takeChanged(QRect* changed) {
    std::lock_guard lock(m_mutex);
    *changed = std::exchange(m_changed, QRect());
    return m_frame.isNull() ? QSize() : m_frame.size();
}

bool VncSession::paint(QPainter* painter, const QRectF& target, QSize expectedSize) const {
    std::lock_guard lock(m_mutex);
    if (m_frame.isNull() || m_frame.size() != expectedSize) return false;
    painter->setRenderHint(QPainter::SmoothPixmapTransform);
    painter->drawImage(target, m_frame);
    return true;
}

namespace {
/// Copies `rect` of libvncclient's framebuffer into `frame` (same size). libvncclient leaves the
/// padding byte 0; Qt's RGBX requires 255 there, or it paints nothing.
void copyRect(QImage& frame, const char* frameBuffer, QRect rect) {
    rect = rect.intersected(frame.rect());
    const qsizetype stride = qsizetype(frame.width()) * 4;
    for (int y = rect.top(); y <= rect.bottom(); ++y) {
        const auto* in = reinterpret_cast<const quint32*>(frameBuffer + y * stride) + rect.left();
        auto* out = reinterpret_cast<quint32*>(frame.scanLine(y)) + rect.left();
        for (int x = 0; x < rect.width(); ++x) out[x] = in[x] | qToLittleEndian(0xff000000u);
    }
}
}  // namespace

void VncSession::run() {
    while (!m_stop) {
        rfbClient* client = rfbGetClient(8, 3, 4);  // 32-bit pixels, R G B X in memory
        ClientState state;
        rfbClientSetClientData(client, &kTag, &state);
        client->GotFrameBufferUpdate = onUpdate;
        client->canHandleNewFBSize = TRUE;  // the guest changes resolution while it boots
        client->serverHost = strdup(m_socketPath.c_str());  // a path: libvncclient uses the Unix socket
        client->connectTimeout = 2;
        int argc = 0;
        if (!rfbInitClient(client, &argc, nullptr)) {  // frees the client on failure
            for (int i = 0; i < 10 && !m_stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        m_connected = true;
        emit connectedChanged(true);
        while (!m_stop) {
            std::vector<Input> input;
            {
                std::lock_guard lock(m_inputMutex);
                input.swap(m_input);
            }
            for (const Input& i : input) {
                if (i.key) SendKeyEvent(client, i.keysym, i.down ? TRUE : FALSE);
                else SendPointerEvent(client, i.x, i.y, i.buttons);
            }
            // Sleep until the guest sends something or the operator types: no polling while idle.
            // A message libvncclient has already buffered is handled without waiting.
            if (client->buffered == 0) {
                const int ready = waitForServerOrInput(client->sock);
                if (ready < 0) break;
                if (ready == 0) continue;  // input to send, or the periodic stop check
            }
            if (!HandleRFBServerMessage(client)) break;
            if (!state.dirty) continue;
            state.dirty = false;
            const QSize size(client->width, client->height);
            QRect changed = state.changed.isValid() ? state.changed : QRect(QPoint(), size);
            state.changed = QRect();
            {
                std::lock_guard lock(m_mutex);
                if (m_frame.size() != size) {  // the first frame, or the guest changed resolution
                    m_frame = QImage(size, QImage::Format_RGBX8888);
                    changed = m_frame.rect();
                }
                copyRect(m_frame, reinterpret_cast<const char*>(client->frameBuffer), changed);
                m_changed = m_changed.united(changed);
            }
            emit frameReady();
        }
        m_connected = false;
        emit connectedChanged(false);
        rfbClientCleanup(client);
        if (!m_stop) std::this_thread::sleep_for(std::chrono::milliseconds(500));  // e.g. the guest rebooted
    }
}

}  // namespace appliance::console

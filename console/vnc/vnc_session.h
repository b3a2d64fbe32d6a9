// SPDX-License-Identifier: GPL-2.0-or-later
// One live VNC session to a guest's display on its Unix socket. libvncclient is blocking, so it
// belongs to this session's own thread: the thread connects (and reconnects after a guest reboot),
// pumps server messages, and copies what each update changed into the session's frame (only that
// part: a blinking cursor costs a few pixels, not a copy of the whole screen); the item that shows
// it paints straight from that frame, under the same lock, so nothing shares it and no update
// ever copies all of it. Context: construct and stop on the GUI thread; takeChanged() on the GUI
// thread, paint() on the scene graph's thread; frameReady is queued to the GUI thread.
#pragma once

#include <QImage>
#include <QObject>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace appliance::console {

class VncSession : public QObject {
    Q_OBJECT
public:
    explicit VncSession(std::string socketPath, QObject* parent = nullptr);
    ~VncSession() override;

    /// The frame's size (invalid until the first frame), and the part of it that changed since
    /// the last call (in frame pixels).
    QSize takeChanged(QRect* changed);
    /// Draws the latest frame into `target`, scaled smoothly, if it still has `expectedSize`
    /// (the size `target` was computed for); false if the guest changed resolution since, so the
    /// caller repaints everything at the new size. Context: any thread.
    bool paint(QPainter* painter, const QRectF& target, QSize expectedSize) const;
    /// Input for the guest; sent in order by the session thread. Context: any thread.
    void sendKey(std::uint32_t keysym, bool down);
    void sendPointer(int x, int y, int buttonMask);
    bool connected() const { return m_connected.load(); }

signals:
    void frameReady();
    void connectedChanged(bool connected);

private:
    void run();  // Context: session thread
    void wake();  ///< the session thread's wait ends at once. Context: any thread.
    /// 1: the server sent something; 0: woken (input or stop) or a periodic timeout; -1: error.
    int waitForServerOrInput(int socket);
    struct Input {
        bool key;
        std::uint32_t keysym;
        bool down;
        int x, y, buttons;
    };
    std::string m_socketPath;
    std::mutex m_inputMutex;
    std::vector<Input> m_input;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_connected{false};
    mutable std::mutex m_mutex;
    QImage m_frame;   ///< written only by the session thread, read only under m_mutex: never shared
    QRect m_changed;  ///< changed since takeChanged() last reported it
    int m_wakeFd = -1;  ///< an eventfd: input and stop wake the session thread
    std::thread m_thread;
};

}  // namespace appliance::console

// SPDX-License-Identifier: GPL-2.0-or-later
// The guest's screen as vms-wall uses it: the kernel's framebuffer (/dev/fb0, bochs-drm's
// emulation on QEMU's standard VGA) for pictures, and the virtual terminal it belongs to, switched
// to graphics mode so the text console does not draw over the wall (and back to text at exit).
// The console font is borrowed from the kernel (KDFONTOP), so the guest needs no font files.
// Context: vms-wall's one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "wall/canvas.h"

namespace appliance::wall {

class FramebufferScreen {
public:
    /// Opens and maps `fbPath`; `ttyPath` (may be empty) is put into graphics mode. Only 32 bits
    /// per pixel are supported (what bochs-drm and virtio-gpu give).
    static Result<FramebufferScreen> open(const std::string& fbPath, const std::string& ttyPath);
    FramebufferScreen(FramebufferScreen&&) noexcept;
    FramebufferScreen& operator=(FramebufferScreen&&) = delete;
    ~FramebufferScreen();

    int width() const { return m_width; }
    int height() const { return m_height; }
    /// The terminal's console font, or an error when the kernel does not give it (no text then).
    Result<BitmapFont> consoleFont() const;
    /// Copies the canvas to the screen (its top-left part, if sizes differ).
    void show(const Canvas& canvas);

private:
    FramebufferScreen() = default;
    void readConsoleFont();
    int m_fb = -1, m_tty = -1;
    int m_width = 0, m_height = 0, m_strideBytes = 0;
    int m_redShift = 16, m_greenShift = 8, m_blueShift = 0;
    std::uint8_t* m_map = nullptr;
    std::size_t m_mapBytes = 0;
    std::optional<BitmapFont> m_font;
    std::string m_fontError = "no terminal to borrow the console font from";
};

}  // namespace appliance::wall

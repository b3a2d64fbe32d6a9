// SPDX-License-Identifier: GPL-2.0-or-later
#include "wall/framebuffer_screen.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/fb.h>
#include <linux/kd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace appliance::wall {

namespace {
Error systemError(const std::string& what) {
    return makeError(ErrorClass::Unavailable, what + ": " + std::strerror(errno));
}
}  // namespace

Result<FramebufferScreen> FramebufferScreen::open(const std::string& fbPath, const std::string& ttyPath) {
    FramebufferScreen s;
    s.m_fb = ::open(fbPath.c_str(), O_RDWR | O_CLOEXEC);
    if (s.m_fb < 0)
        return systemError("cannot open the framebuffer " + fbPath + " (the VM needs a display; bochs-drm must be loaded)");
    fb_var_screeninfo var{};
    fb_fix_screeninfo fix{};
    if (ioctl(s.m_fb, FBIOGET_VSCREENINFO, &var) != 0 || ioctl(s.m_fb, FBIOGET_FSCREENINFO, &fix) != 0)
        return systemError("cannot read the geometry of " + fbPath);
    if (var.bits_per_pixel != 32)
        return makeError(ErrorClass::Unavailable, fbPath + " has " + std::to_string(var.bits_per_pixel) +
                                                      " bits per pixel; vms-wall draws on 32-bit framebuffers only");
    // show() writes xres pixels of 4 bytes on each of yres lines: the mapping must hold them.
    if (fix.line_length < var.xres * 4 || var.yres > var.yres_virtual || var.xres == 0 || var.yres == 0)
        return makeError(ErrorClass::Unavailable, fbPath + " has a geometry vms-wall does not draw on (" +
                                                      std::to_string(var.xres) + "x" + std::to_string(var.yres) + ", " +
                                                      std::to_string(fix.line_length) + " bytes per line)");
    s.m_width = int(var.xres);
    s.m_height = int(var.yres);
    s.m_strideBytes = int(fix.line_length);
    s.m_redShift = int(var.red.offset), s.m_greenShift = int(var.green.offset), s.m_blueShift = int(var.blue.offset);
    s.m_mapBytes = std::size_t(fix.line_length) * var.yres_virtual;
    void* map = mmap(nullptr, s.m_mapBytes, PROT_READ | PROT_WRITE, MAP_SHARED, s.m_fb, 0);
    if (map == MAP_FAILED) return systemError("cannot map " + fbPath);
    s.m_map = static_cast<std::uint8_t*>(map);
    if (!ttyPath.empty()) {
        s.m_tty = ::open(ttyPath.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
        // Without graphics mode the blinking cursor and kernel messages would draw over the wall;
        // the wall still works, so this is not fatal.
        if (s.m_tty >= 0) {
            // The kernel gives its font in text mode only; a wall killed uncleanly left graphics mode on.
            ioctl(s.m_tty, KDSETMODE, KD_TEXT);
            s.readConsoleFont();
            ioctl(s.m_tty, KDSETMODE, KD_GRAPHICS);
        }
    }
    return s;
}

FramebufferScreen::FramebufferScreen(FramebufferScreen&& o) noexcept
    : m_fb(o.m_fb), m_tty(o.m_tty), m_width(o.m_width), m_height(o.m_height), m_strideBytes(o.m_strideBytes),
      m_redShift(o.m_redShift), m_greenShift(o.m_greenShift), m_blueShift(o.m_blueShift), m_map(o.m_map),
      m_mapBytes(o.m_mapBytes), m_font(std::move(o.m_font)), m_fontError(std::move(o.m_fontError)) {
    o.m_fb = o.m_tty = -1;
    o.m_map = nullptr;
}

FramebufferScreen::~FramebufferScreen() {
    if (m_map) munmap(m_map, m_mapBytes);
    if (m_tty >= 0) {
        ioctl(m_tty, KDSETMODE, KD_TEXT);  // give the text console back
        ::close(m_tty);
    }
    if (m_fb >= 0) ::close(m_fb);
}

Result<BitmapFont> FramebufferScreen::consoleFont() const {
    if (m_font) return *m_font;
    return makeError(ErrorClass::Unavailable, m_fontError);
}

void FramebufferScreen::readConsoleFont() {
    // KD_FONT_OP_GET returns every glyph in a 32-row cell, whatever the font's height.
    constexpr int kMaxChars = 512, kMaxWidth = 32, kCellRows = 32;
    BitmapFont font;
    font.data.resize(std::size_t(kMaxChars) * kCellRows * (kMaxWidth / 8));
    console_font_op op{};
    op.op = KD_FONT_OP_GET;
    op.width = kMaxWidth;
    op.height = kCellRows;
    op.charcount = kMaxChars;
    op.data = font.data.data();
    if (ioctl(m_tty, KDFONTOP, &op) != 0) {
        m_fontError = systemError("the kernel did not give its console font").message;
        return;
    }
    font.width = int(op.width);
    font.height = int(op.height);
    font.charCount = int(op.charcount);
    font.glyphStrideBytes = kCellRows * ((font.width + 7) / 8);
    m_font = std::move(font);
}

void FramebufferScreen::show(const Canvas& canvas) {
    if (!m_map) return;
    const int w = std::min(canvas.width(), m_width), h = std::min(canvas.height(), m_height);
    const bool native = m_redShift == 16 && m_greenShift == 8 && m_blueShift == 0;
    for (int y = 0; y < h; ++y) {
        const std::uint32_t* src = canvas.pixels().data() + std::size_t(y) * canvas.width();
        auto* dst = reinterpret_cast<std::uint32_t*>(m_map + std::size_t(y) * m_strideBytes);
        if (native) {
            std::memcpy(dst, src, std::size_t(w) * 4);
            continue;
        }
        for (int x = 0; x < w; ++x) {
            const std::uint32_t p = src[x];
            dst[x] = (p >> 16 & 0xff) << m_redShift | (p >> 8 & 0xff) << m_greenShift | (p & 0xff) << m_blueShift;
        }
    }
}

}  // namespace appliance::wall

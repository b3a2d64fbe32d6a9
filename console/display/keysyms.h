// SPDX-License-Identifier: GPL-2.0-or-later
// Qt key events as X11 keysyms, which is what VNC carries.
#pragma once

#include <QKeyEvent>
#include <cstdint>

namespace appliance::console {

/// The keysym for a key event, or 0 for a key the guest is not sent.
std::uint32_t keysymFor(const QKeyEvent& event);

}  // namespace appliance::console

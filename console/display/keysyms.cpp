// SPDX-License-Identifier: GPL-2.0-or-later
#include "keysyms.h"

#include <QHash>

namespace appliance::console {

std::uint32_t keysymFor(const QKeyEvent& event) {
    static const QHash<int, std::uint32_t> special = {
        {Qt::Key_Return, 0xff0d}, {Qt::Key_Enter, 0xff8d},    {Qt::Key_Backspace, 0xff08}, {Qt::Key_Tab, 0xff09},
        {Qt::Key_Escape, 0xff1b}, {Qt::Key_Delete, 0xffff},   {Qt::Key_Insert, 0xff63},    {Qt::Key_Home, 0xff50},
        {Qt::Key_End, 0xff57},    {Qt::Key_PageUp, 0xff55},   {Qt::Key_PageDown, 0xff56},  {Qt::Key_Left, 0xff51},
        {Qt::Key_Up, 0xff52},     {Qt::Key_Right, 0xff53},    {Qt::Key_Down, 0xff54},      {Qt::Key_Shift, 0xffe1},
        {Qt::Key_Control, 0xffe3}, {Qt::Key_Alt, 0xffe9},     {Qt::Key_Meta, 0xffeb},      {Qt::Key_CapsLock, 0xffe5},
        {Qt::Key_Space, 0x20},
    };
    if (auto it = special.find(event.key()); it != special.end()) return *it;
    if (event.key() >= Qt::Key_F1 && event.key() <= Qt::Key_F12) return 0xffbe + std::uint32_t(event.key() - Qt::Key_F1);
    // Printable: Latin-1 keysyms are the characters themselves.
    const QString text = event.text();
    if (text.size() == 1 && text.at(0).unicode() >= 0x20 && text.at(0).unicode() <= 0xff) return text.at(0).unicode();
    if (event.key() >= 0x20 && event.key() <= 0x7e) return QChar(event.key()).toLower().unicode();
    return 0;
}

}  // namespace appliance::console

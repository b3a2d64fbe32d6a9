// SPDX-License-Identifier: GPL-2.0-or-later
// A machine-readable clock in every frame of a simulated camera: the wall-clock time at which the
// frame was made, as black and white cells in the frame's top-right corner. The camera simulator
// stamps it (camera-migrator/sim); a VMS guest reads it back from what its VMS recorded
// (vms-agent/adapters), so the recording gap of a camera move is measured on the camera's own
// clock in both VMSs' recordings, not estimated from when each VMS said it recorded.
//
// Layout (fractions of the frame, so a picture scaled on the way still reads): 13 columns × 4
// rows of cells, each cell width/40 wide and height·2/45 high (square at 16:9; 8×8 pixels at
// 320×180, which survives H.264 at 256 kbit/s). 52 bits, row by row, most significant first:
// 44 bits of milliseconds since 1970 (until the year 2527), then a CRC-8 of them, so a cell
// misread after compression is a refused reading, never a wrong time. White = 1, black = 0.
// Context: pure functions on the caller's buffers; any thread.
#pragma once

#include <cstdint>
#include <optional>

namespace appliance::frameclock {

inline constexpr int kColumns = 13;
inline constexpr int kRows = 4;
inline constexpr int kTimeBits = 44;
inline constexpr int kCrcBits = 8;
static_assert(kColumns * kRows == kTimeBits + kCrcBits);
/// Smallest frame that carries the clock (cells of at least 2×2 pixels).
inline constexpr int kMinWidth = 80, kMinHeight = 45;

/// 8-bit planes (a luma plane, or a grey picture): `stride` bytes from one row to the next.
struct Plane {
    std::uint8_t* data = nullptr;
    int width = 0, height = 0, stride = 0;
};
struct ConstPlane {
    const std::uint8_t* data = nullptr;
    int width = 0, height = 0, stride = 0;
};

/// Draws `epochMs` into the luma plane (16 black, 235 white, as video levels). When the frame
/// has half-size chroma planes (I420), passing them makes the cells neutral grey in colour too,
/// which the encoder spends fewer bits on. A frame under kMinWidth×kMinHeight, or a time outside
/// 0…2^44−1, is left unchanged and false is returned.
bool stamp(Plane luma, std::int64_t epochMs, Plane chromaU = {}, Plane chromaV = {});

/// The time stamped into a luma or grey picture, or nullopt when there is none or a cell is
/// unclear (its checksum does not match). Each cell's middle half is averaged and compared with
/// mid-grey, so blur and compression at the cells' edges do not matter.
std::optional<std::int64_t> read(ConstPlane picture);

}  // namespace appliance::frameclock

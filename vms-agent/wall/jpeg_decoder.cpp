// SPDX-License-Identifier: GPL-2.0-or-later
#include "wall/jpeg_decoder.h"

#include <csetjmp>
#include <cstdio>
#include <memory>
#include <string>

#include <jpeglib.h>

namespace appliance::wall {

namespace {
// libjpeg reports errors through a callback that must not return: jump back to decodeJpeg.
struct ErrorManager {
    jpeg_error_mgr pub;
    std::jmp_buf back;
    char message[JMSG_LENGTH_MAX];
};

void onError(j_common_ptr info) {
    auto* e = reinterpret_cast<ErrorManager*>(info->err);
    (*info->err->format_message)(info, e->message);
    std::longjmp(e->back, 1);
}
void onMessage(j_common_ptr) {}  // warnings (e.g. extraneous bytes) are not worth a log line per frame
}  // namespace

Result<Picture> decodeJpeg(std::string_view bytes, int wantWidth) {
    if (bytes.size() < 4 || static_cast<unsigned char>(bytes[0]) != 0xFF || static_cast<unsigned char>(bytes[1]) != 0xD8)
        return makeError(ErrorClass::MalformedAnswer, "the picture is not a JPEG");
    jpeg_decompress_struct cinfo{};
    ErrorManager err{};
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = onError;
    err.pub.output_message = onMessage;
    // Allocated before setjmp and never reassigned: only the pointee changes between setjmp and a
    // longjmp, so the pointer is still valid when libjpeg jumps back.
    const auto out = std::make_unique<Picture>();
    if (setjmp(err.back)) {
        jpeg_destroy_decompress(&cinfo);
        return makeError(ErrorClass::MalformedAnswer, std::string("the picture is not a JPEG libjpeg can decode: ") + err.message);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.image_width == 0 || cinfo.image_height == 0 || cinfo.image_width > unsigned(kMaxJpegSide) ||
        cinfo.image_height > unsigned(kMaxJpegSide)) {
        jpeg_destroy_decompress(&cinfo);
        return makeError(ErrorClass::TooLarge, "the picture is " + std::to_string(cinfo.image_width) + "x" +
                                                   std::to_string(cinfo.image_height) + "; at most " +
                                                   std::to_string(kMaxJpegSide) + " pixels a side are shown");
    }
    cinfo.out_color_space = JCS_RGB;
    cinfo.scale_num = 1;
    cinfo.scale_denom = 1;
    if (wantWidth > 0)
        while (cinfo.scale_denom < 8 && cinfo.image_width / (cinfo.scale_denom * 2) >= unsigned(wantWidth)) cinfo.scale_denom *= 2;
    jpeg_start_decompress(&cinfo);
    out->width = int(cinfo.output_width);
    out->height = int(cinfo.output_height);
    out->rgb.resize(std::size_t(out->width) * out->height * 3);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = out->rgb.data() + std::size_t(cinfo.output_scanline) * out->width * 3;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return std::move(*out);
}

}  // namespace appliance::wall

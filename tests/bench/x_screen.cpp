// SPDX-License-Identifier: GPL-2.0-or-later
#include "bench/x_screen.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>

namespace appliance::bench {

struct XScreen {
    Display* dpy;
};

XScreen* openXScreen(const char* display) {
    Display* dpy = XOpenDisplay(display);
    return dpy ? new XScreen{dpy} : nullptr;
}

void closeXScreen(XScreen* screen) {
    if (!screen) return;
    XCloseDisplay(screen->dpy);
    delete screen;
}

bool xScreenHas(XScreen* screen, bool (*match)(int, int, int), int minSamples) {
    Window root = DefaultRootWindow(screen->dpy);
    XWindowAttributes attrs;
    XGetWindowAttributes(screen->dpy, root, &attrs);
    XImage* img = XGetImage(screen->dpy, root, 0, 0, unsigned(attrs.width), unsigned(attrs.height), AllPlanes, ZPixmap);
    if (!img) return false;
    int n = 0;
    for (int y = 0; y < attrs.height; y += 8)
        for (int x = 0; x < attrs.width; x += 8) {
            unsigned long p = XGetPixel(img, x, y);
            n += match(int((p >> 16) & 0xff), int((p >> 8) & 0xff), int(p & 0xff));
        }
    XDestroyImage(img);
    return n >= minSamples;
}

bool xScreenSize(XScreen* screen, int* width, int* height) {
    XWindowAttributes attrs;
    if (!XGetWindowAttributes(screen->dpy, DefaultRootWindow(screen->dpy), &attrs)) return false;
    *width = attrs.width, *height = attrs.height;
    return true;
}

bool xScreenPixel(XScreen* screen, int x, int y, int* r, int* g, int* b) {
    XImage* img = XGetImage(screen->dpy, DefaultRootWindow(screen->dpy), x, y, 1, 1, AllPlanes, ZPixmap);
    if (!img) return false;
    const unsigned long p = XGetPixel(img, 0, 0);
    *r = int((p >> 16) & 0xff), *g = int((p >> 8) & 0xff), *b = int(p & 0xff);
    XDestroyImage(img);
    return true;
}

}  // namespace appliance::bench

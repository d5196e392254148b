/* attest-toast.h: how a page says something in passing. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Shows `message` (plain text) as a toast of the window `widget` is in: its win.show-toast
 * action, which keeps toasts off the page's buttons; outside such a window, the nearest
 * AdwToastOverlay; else only the debug log. */
void attest_widget_toast (GtkWidget  *widget,
                          const char *message);

G_END_DECLS

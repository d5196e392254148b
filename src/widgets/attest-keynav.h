/* attest-keynav.h: keyboard navigation helpers for the pages. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Makes `container` (a list or a grid of many focusable children: the review queue, a row of
 * faces) one Tab stop: Tab and Shift+Tab from inside it go to what comes after or before it,
 * and the arrow keys move within it as before. */
void attest_keynav_one_tab_stop (GtkWidget *container);

G_END_DECLS

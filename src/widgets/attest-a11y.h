/* attest-a11y.h: what GTK 4.8 does not give a screen reader by itself. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Names a drop-down for a screen reader: the drop-down and the button inside it, which is
 * what takes the focus (GTK 4.8 leaves that button nameless). */
void attest_a11y_name_drop_down (GtkDropDown *drop_down,
                                 const char  *name);

G_END_DECLS

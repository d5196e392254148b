/* attest-a11y.h: what GTK 4.8 does not give a screen reader by itself. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Names a drop-down for a screen reader: the drop-down and the button inside it, which is
 * what takes the focus (GTK 4.8 leaves that button nameless). */
void attest_a11y_name_drop_down (GtkDropDown *drop_down,
                                 const char  *name);

/* GTK 4.8 names a button with a mnemonic label after both its raw label and the label inside
 * it ("_Open Open"): a screen reader says the underscore and the word twice. Leaves such
 * buttons under `root` only the name of the label inside ("Open"). Call it once the
 * widgets are built (a template's init). */
void attest_a11y_fix_mnemonic_names (GtkWidget *root);

G_END_DECLS

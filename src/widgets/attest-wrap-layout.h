/* attest-wrap-layout.h: children in a row, as in a horizontal GtkBox, that wraps onto more
 * rows when the width runs out. Rows start at the left; a child that expands horizontally
 * (hexpand) takes its row's spare width, so an empty expanding box pushes the children after
 * it to the end. Height for width. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ATTEST_TYPE_WRAP_LAYOUT (attest_wrap_layout_get_type ())
G_DECLARE_FINAL_TYPE (AttestWrapLayout, attest_wrap_layout, ATTEST, WRAP_LAYOUT, GtkLayoutManager)

GtkLayoutManager *attest_wrap_layout_new (int spacing);

G_END_DECLS

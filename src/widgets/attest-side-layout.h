/* attest-side-layout.h: a layout for a main widget and a side panel. Wide, the panel sits
 * beside the main widget at a bounded width (never more than a third of the width, never
 * past its natural width); narrow (below "breakpoint" pixels), it goes below the main widget
 * and takes 45% of the height (more only when its minimum needs it). So a 360-pixel-wide window shows both, and a 4K one
 * gives the room to the main widget. The first child is the main widget, the second the
 * panel (which may be hidden, or a GtkRevealer that is closed); with "side-first" the other
 * way round, and the panel sits at the left when beside. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ATTEST_TYPE_SIDE_LAYOUT (attest_side_layout_get_type ())
G_DECLARE_FINAL_TYPE (AttestSideLayout, attest_side_layout, ATTEST, SIDE_LAYOUT, GtkLayoutManager)

GtkLayoutManager *attest_side_layout_new            (void);
/* Whether the last allocation put the panel below the main widget. */
gboolean          attest_side_layout_get_stacked    (AttestSideLayout *self);

G_END_DECLS

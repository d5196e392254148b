/* attest-toast.c: see attest-toast.h. */
#include "config.h"

#include <adwaita.h>

#include "attest-toast.h"

void
attest_widget_toast (GtkWidget  *widget,
                     const char *message)
{
  GtkWidget *overlay;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (message != NULL);

  if (gtk_widget_activate_action (widget, "win.show-toast", "s", message))
    return;
  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    {
      g_autofree char *markup = g_markup_escape_text (message, -1);

      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (markup));
      return;
    }
  g_debug ("%s", message);
}

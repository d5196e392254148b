/* attest-keynav.c: keyboard navigation helpers for the pages. */
#include "config.h"

#include "attest-keynav.h"

/* Past this many moves the focus chain is taken to loop inside the container. */
#define MAX_MOVES 1000

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkWidget             *container)
{
  GtkDirectionType direction;
  GtkRoot *root;

  if (keyval == GDK_KEY_Tab || keyval == GDK_KEY_KP_Tab)
    direction = (state & GDK_SHIFT_MASK) ? GTK_DIR_TAB_BACKWARD : GTK_DIR_TAB_FORWARD;
  else if (keyval == GDK_KEY_ISO_Left_Tab)
    direction = GTK_DIR_TAB_BACKWARD;
  else
    return FALSE;
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;

  root = gtk_widget_get_root (container);
  if (root == NULL)
    return FALSE;
  /* Move as Tab would, until the focus is out of the container. */
  for (int i = 0; i < MAX_MOVES; i++)
    {
      GtkWidget *focus;

      if (!gtk_widget_child_focus (GTK_WIDGET (root), direction))
        return FALSE;
      focus = gtk_root_get_focus (root);
      if (focus == NULL || (focus != container && !gtk_widget_is_ancestor (focus, container)))
        return TRUE;
    }
  return TRUE;
}

void
attest_keynav_one_tab_stop (GtkWidget *container)
{
  GtkEventController *keys;

  g_return_if_fail (GTK_IS_WIDGET (container));

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (keys, "attest-one-tab-stop");
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), container);
  gtk_widget_add_controller (container, keys);
}

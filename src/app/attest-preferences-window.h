/* attest-preferences-window.h: the match threshold and the reviewer's name. */
#pragma once

#include <adwaita.h>

#include "app/attest-settings.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_PREFERENCES_WINDOW (attest_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (AttestPreferencesWindow, attest_preferences_window, ATTEST, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *attest_preferences_window_new (GtkWindow      *parent,
                                          AttestSettings *settings);

G_END_DECLS
